"""Notification kinds of buyers' lists: favourites' price drops, back in stock, new arrivals they follow."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.kinds import Kind, register
from marketplace.notifications.models import Category


def _listing_page(context: dict) -> str:
    return reverse(
        "catalog:listing-detail", kwargs={"pk": context["listing_id"], "slug": context["listing_slug"] or "item"}
    )


register(
    Kind(
        key="price_drop",
        category=Category.SERVICE,
        verbose_name=_("Price drops of my favourites"),
        template_dir="buyers/notifications",
        link=_listing_page,
    )
)
register(
    Kind(
        key="back_in_stock",
        category=Category.SERVICE,
        verbose_name=_("Back in stock: products I asked to be told about"),
        template_dir="buyers/notifications",
        link=_listing_page,
    )
)
register(
    Kind(
        key="new_arrivals",
        category=Category.SERVICE,
        verbose_name=_("New arrivals from sellers and categories I follow"),
        template_dir="buyers/notifications",
        link=lambda context: reverse("buyers:following"),
    )
)
