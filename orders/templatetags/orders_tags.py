"""The orders app's parts of other apps' pages (catalog's listing page includes the return terms)."""

from __future__ import annotations

from django import template

from orders import selectors
from orders.models import effective_return_days

register = template.Library()


@register.inclusion_tag("orders/_listing_return_terms.html")
def listing_return_terms(listing, category_days: int) -> dict:
    """The return period a buyer gets today for this listing: the law, the category and the seller's policy."""
    seller_days = selectors.seller_return_days(seller_ids=[listing.seller_id]).get(listing.seller_id)
    days = effective_return_days(category_days=category_days, seller_days=seller_days)
    return {"return_days": days, "by_seller": bool(days and seller_days and seller_days >= days)}


@register.inclusion_tag("orders/_listing_delivery.html")
def listing_delivery(listing, variant, ship_by) -> dict:
    """How the chosen variant can be delivered: each of the seller's methods with its cost, dates and regions."""
    if variant is None:
        return {"offers": []}
    offers = selectors.delivery_offers(
        seller_id=listing.seller_id, price=variant.price, weight_g=listing.weight_g, ship_by=ship_by
    )
    return {"offers": offers}


@register.inclusion_tag("orders/_seller_return_period.html")
def seller_return_period(seller) -> dict:
    """The storefront's return terms: the seller's own period for goods of proper quality, or the law's minimum."""
    seller_days = selectors.seller_return_days(seller_ids=[seller.pk]).get(seller.pk)
    return {"seller_days": seller_days, "legal_days": effective_return_days(category_days=7, seller_days=None)}


@register.simple_tag
def with_cheapest_delivery(listings) -> list[tuple]:
    """(listing, its seller's cheapest delivery of one item or None) for each listing: one query for all."""
    cheapest = selectors.cheapest_deliveries(list(listings))
    return [(listing, cheapest.get(listing.pk)) for listing in listings]
