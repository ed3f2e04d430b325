import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
application = get_wsgi_application()


def _freeze_loaded_objects() -> None:
    """Keep what a worker loads once (Django, the apps, the URLconf and every view it imports) out of the cyclic
    garbage collector: its full passes otherwise walk all of it, about 150 000 objects and 90 ms on our machines,
    every few hundred requests. Only objects that live as long as the process are frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, before the freeze
    gc.collect()
    gc.freeze()


_freeze_loaded_objects()
