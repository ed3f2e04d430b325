"""Notification kinds of orders: every transition tells the buyer or the seller (spec 99, 100)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.kinds import Kind, register
from marketplace.notifications.models import Category


def _buyer_page(context: dict) -> str:
    return reverse("orders:detail", args=[context["order_id"]])


def _seller_page(context: dict) -> str:
    return reverse("orders:seller-detail", args=[context["order_id"]])


for key, name, link, urgent in (
    ("order_paid", _("Payment for your order received"), _buyer_page, False),
    ("order_confirmed", _("The seller confirmed your order"), _buyer_page, False),
    ("order_shipped", _("Your order was shipped"), _buyer_page, False),
    ("order_delivered", _("Your order was delivered (with the return notice)"), _buyer_page, False),
    ("order_cancelled", _("Your order was cancelled"), _buyer_page, True),
    ("order_late", _("The seller is late with your order"), _buyer_page, True),
    ("return_updated", _("News about your return"), _buyer_page, False),
    ("order_new", _("A new paid order to confirm"), _seller_page, True),
    ("order_delivered_seller", _("The buyer received an order"), _seller_page, False),
    ("order_completed", _("An order is completed and the money released"), _seller_page, False),
    ("order_cancelled_seller", _("An order was cancelled"), _seller_page, True),
    ("order_late_seller", _("An order is late to ship"), _seller_page, True),
    ("return_updated_seller", _("A return needs your attention"), _seller_page, True),
):
    register(
        Kind(
            key=key,
            category=Category.TRANSACTIONAL,
            verbose_name=name,
            urgent=urgent,
            template_dir="orders/notifications",
            link=link,
        )
    )
