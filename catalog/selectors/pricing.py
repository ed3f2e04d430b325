"""Reads for the seller's prices: why an old price is not shown, a variant's and price history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import JSONField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.models import OfferSync, Variant, VariantPrice
from catalog.services import honest

HISTORY_DAYS = 90
HISTORY_ROWS = 200


@dataclass(frozen=True)
class HiddenOldPrice:
    """An old price the seller entered that buyers do not see, and the days it was actually charged."""

    days: int
    window: int
    min_days: int


def hidden_old_prices(variants: Iterable[Variant]) -> dict[int, HiddenOldPrice]:
    """For each variant whose old price is not shown, how long that price was charged (one statement)."""
    pairs = [
        (variant.pk, variant.old_price)
        for variant in variants
        if variant.old_price is not None and variant.shown_old_price != variant.old_price
    ]
    held = honest.held_days(pairs)
    window, least = honest.window_days(), honest.min_days()
    return {variant_id: HiddenOldPrice(days, window, least) for (variant_id, _price), days in held.items()}


def seller_variant(*, seller, variant_id: int) -> Variant:
    """One of the seller's variants with its listing (another seller's is DoesNotExist, a 404 for the view)."""
    return Variant.objects.select_related("listing").get(pk=variant_id, seller=seller)


def price_history(variant: Variant, *, days: int = HISTORY_DAYS) -> QuerySet[VariantPrice]:
    """The periods a price was in force over the last `days` days, newest first (at most HISTORY_ROWS of them)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        VariantPrice.objects.filter(variant=variant)
        .exclude(valid_to__lt=since)
        .order_by("-valid_from", "-pk")[:HISTORY_ROWS]
    )


def regular_price_days(variant: Variant, *, as_of: datetime.datetime | None = None) -> int:
    """Days of the honest-discount window the regular price (or more) was charged: what a promo is judged by."""
    key = (variant.pk, variant.regular_price)
    return honest.held_days([key], as_of=as_of)[key]


SHOWN_ERRORS = 100


def recent_syncs(*, seller, limit: int = 5) -> list[OfferSync]:
    """The seller's latest price and stock syncs, newest first, with the key each came with and the first
    SHOWN_ERRORS of their rejected rows (`shown_errors`; a large file's report is not loaded whole)."""
    shown = RawSQL(  # noqa: S611 - a constant expression
        f"jsonb_path_query_array(catalog_offersync.errors, '$[0 to {SHOWN_ERRORS - 1}]')", [], output_field=JSONField()
    )
    rows = OfferSync.objects.filter(seller=seller).select_related("token").defer("errors")
    return list(rows.annotate(shown_errors=shown).order_by("-created_at", "-id")[:limit])


def offers_for_sync(*, seller) -> QuerySet[Variant]:
    """The seller's variants as the sync API lists them (SKU, prices, stock), in a stable order for its pages."""
    return (
        Variant.objects.filter(seller=seller)
        .only(
            "sku",
            "price",
            "old_price",
            "promo_base_price",
            "promo_price",
            "promo_starts_at",
            "promo_ends_at",
            "on_hand",
            "allocated",
            "is_active",
            "listing_id",
        )
        .order_by("pk")
    )
