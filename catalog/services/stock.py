"""Stock for the orders app: reserve, release and ship with conditional updates (no overselling).

`allocated` is what open orders hold; `on_hand - allocated` is what buyers can still order.
The CHECK constraint (0 ≤ allocated ≤ on_hand) is the last line of defence; these updates never hit it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from catalog.exceptions import OutOfStock
from catalog.models import ListingStatus, Variant
from catalog.services import listings as listing_services


def _after(variant_id: int, was_available: int) -> None:
    variant = Variant.objects.select_related("listing").get(pk=variant_id)
    listing_services.after_stock_change(variant=variant, was_available=was_available)
    listing_services.refresh_offer(variant.listing)


def _available(variant_id: int) -> int:
    row = Variant.objects.filter(pk=variant_id).values_list("on_hand", "allocated").first()
    return (row[0] - row[1]) if row else 0


@transaction.atomic
def reserve_stock(*, variant_id: int, quantity: int) -> None:
    """Hold `quantity` items for an order; raises OutOfStock (changing nothing) if fewer are available."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    if not Variant.objects.filter(pk=variant_id, listing__status=ListingStatus.PUBLISHED).exists():
        raise OutOfStock()
    was = _available(variant_id)
    # One table, no join: after waiting for a concurrent buyer's row lock, PostgreSQL re-checks this
    # condition on the new row version, so the last item is sold once.
    updated = Variant.objects.filter(pk=variant_id, is_active=True, on_hand__gte=F("allocated") + quantity).update(
        allocated=F("allocated") + quantity
    )
    if not updated:
        raise OutOfStock()
    _after(variant_id, was)


@transaction.atomic
def release_stock(*, variant_id: int, quantity: int) -> None:
    """Give back a reservation (cancelled or expired order)."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    was = _available(variant_id)
    updated = Variant.objects.filter(pk=variant_id, allocated__gte=quantity).update(allocated=F("allocated") - quantity)
    if not updated:
        raise ValueError(f"variant {variant_id} holds fewer than {quantity} reserved items")
    _after(variant_id, was)


@transaction.atomic
def ship_stock(*, variant_id: int, quantity: int) -> None:
    """The reserved items left the warehouse: they leave both on hand and allocated."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    was = _available(variant_id)
    updated = Variant.objects.filter(pk=variant_id, allocated__gte=quantity, on_hand__gte=quantity).update(
        allocated=F("allocated") - quantity, on_hand=F("on_hand") - quantity
    )
    if not updated:
        raise ValueError(f"variant {variant_id} holds fewer than {quantity} reserved items")
    _after(variant_id, was)


@transaction.atomic
def restock(*, variant_id: int, quantity: int) -> None:
    """Returned items in resellable condition go back on hand (the orders app's returns)."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    was = _available(variant_id)
    Variant.objects.filter(pk=variant_id).update(on_hand=F("on_hand") + quantity)
    _after(variant_id, was)
