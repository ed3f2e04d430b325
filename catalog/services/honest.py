"""The honest-discount rule (spec 120): a struck-through price is one the item really had, long enough, lately.

A reference price (the seller's "old price", or the regular price a promo is measured from) may be shown struck
through only if the variant was sold at that price or higher for at least MIN_DAYS (14) of the last WINDOW days (30),
as the price history (`VariantPrice`, one row per period a price was in force) records. The same two statements
serve every caller: the stored `Variant.shown_old_price` of a set of variants or of all of them, and the number of
days a reference was held, which is what the seller is told when a price is not shown or a promo is refused.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

# Seconds each candidate (variant, reference price) was sold at that price or higher within [as_of - window, as_of];
# an open period (the current price) counts up to `as_of`, so a promo that starts later is judged as if today's price
# held until it starts. The candidates come from the statement's own `c` CTE.
_HELD = """held AS (
    SELECT c.variant_id, c.reference, coalesce(sum(extract(epoch FROM
               least(coalesce(p.valid_to, %(as_of)s), %(as_of)s)
               - greatest(p.valid_from, %(as_of)s - make_interval(days => %(window)s))))
               FILTER (WHERE p.id IS NOT NULL), 0) AS seconds
    FROM c
    LEFT JOIN catalog_variantprice p
           ON p.variant_id = c.variant_id AND p.price >= c.reference AND p.valid_from < %(as_of)s
          AND (p.valid_to IS NULL OR p.valid_to > %(as_of)s - make_interval(days => %(window)s))
    GROUP BY c.variant_id, c.reference
)"""

_HELD_DAYS_HEAD = (
    "WITH c AS (SELECT * FROM unnest(%(ids)s::bigint[], %(refs)s::numeric[]) AS c(variant_id, reference)), "
)
_HELD_DAYS = _HELD_DAYS_HEAD + _HELD + " SELECT variant_id, reference, seconds FROM held"  # noqa: S608 - constants

# Every reference above the price in force is a candidate; the highest honest one is shown. `ids` NULL: all variants.
_REFRESH_HEAD = """WITH c AS (
    SELECT v.id AS variant_id, r.reference
    FROM catalog_variant v CROSS JOIN LATERAL (VALUES (v.old_price), (v.promo_base_price)) AS r(reference)
    WHERE r.reference > v.price AND (%(ids)s::bigint[] IS NULL OR v.id = ANY(%(ids)s::bigint[]))
), """
_REFRESH_TAIL = """, honest AS (
    SELECT v.id, max(held.reference) FILTER (WHERE held.seconds >= %(min_seconds)s) AS shown
    FROM catalog_variant v LEFT JOIN held ON held.variant_id = v.id
    WHERE (v.old_price IS NOT NULL OR v.promo_base_price IS NOT NULL OR v.shown_old_price IS NOT NULL)
      AND (%(ids)s::bigint[] IS NULL OR v.id = ANY(%(ids)s::bigint[]))
    GROUP BY v.id
)
UPDATE catalog_variant v SET shown_old_price = honest.shown
FROM honest
WHERE honest.id = v.id AND v.shown_old_price IS DISTINCT FROM honest.shown
RETURNING v.id, v.listing_id, v.shown_old_price"""
_REFRESH = _REFRESH_HEAD + _HELD + _REFRESH_TAIL


def window_days() -> int:
    return settings.MARKETPLACE_CATALOG_HONEST_DISCOUNT_DAYS


def min_days() -> int:
    return settings.MARKETPLACE_CATALOG_HONEST_DISCOUNT_MIN_DAYS


def _params(as_of: datetime.datetime | None = None) -> dict[str, object]:
    return {"as_of": as_of or timezone.now(), "window": window_days(), "min_seconds": min_days() * 86400}


def refresh_shown_old_prices(variant_ids: list[int] | None = None) -> dict[int, tuple[int, Decimal | None]]:
    """Store each variant's honest old price (all variants when `variant_ids` is None), in one statement.

    Returns the variants whose shown old price changed: {variant id: (listing id, shown old price)}.
    """
    params = _params()
    params["ids"] = None if variant_ids is None else list(variant_ids)
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH, params)
        return {variant_id: (listing_id, shown) for variant_id, listing_id, shown in cursor.fetchall()}


def held_days(
    references: list[tuple[int, Decimal]], *, as_of: datetime.datetime | None = None
) -> dict[tuple[int, Decimal], int]:
    """Whole days of the window each (variant id, reference price) was sold at that price or higher."""
    if not references:
        return {}
    params = _params(as_of)
    params["ids"] = [variant_id for variant_id, _ in references]
    params["refs"] = [reference for _, reference in references]
    with connection.cursor() as cursor:
        cursor.execute(_HELD_DAYS, params)
        return {(variant_id, reference): int(seconds // 86400) for variant_id, reference, seconds in cursor.fetchall()}


def is_honest(days: int) -> bool:
    return days >= min_days()
