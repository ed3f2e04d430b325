from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "marketplace.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from marketplace.core import parts  # noqa: F401  (the header's personal part)
