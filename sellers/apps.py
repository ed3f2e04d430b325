from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Sellers")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from marketplace.core.pagecache import LIVE_VIEWER_CHECKS

        from . import seller_cabinet  # noqa: F401  (the cards this app shows itself)
        from .selectors import works_for_a_seller

        # A seller's team sees its own tools on catalogue pages (answer forms, no cart): never a shared page.
        LIVE_VIEWER_CHECKS.append(works_for_a_seller)

        # Apps downstream of sellers (catalog, orders, reviews…) add dashboard cards, storefront slots and the
        # commission table in their own seller_cabinet.py; sellers never imports them.
        autodiscover_modules("seller_cabinet")
