from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Sellers")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import seller_cabinet  # noqa: F401  (the cards this app shows itself)

        # Apps downstream of sellers (catalog, orders, reviews…) add dashboard cards, storefront slots and the
        # commission table in their own seller_cabinet.py; sellers never imports them.
        autodiscover_modules("seller_cabinet")
