from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from marketplace.ledger.payments import hooks

        from . import (
            parts,  # noqa: F401  (personal parts of shared pages)
            services,
        )

        hooks.register("order_group", on_succeeded=services.mark_group_paid, on_failed=services.payment_failed)
