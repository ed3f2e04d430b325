"""The honest-discount rule over time: an old price drops off once it leaves the look-back window."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from catalog.models import Listing
from catalog.services import listings as listing_services

_REFRESH_SQL = """
WITH honest AS (
    SELECT v.id,
           CASE WHEN v.old_price > v.price AND (
               SELECT max(p.price) FROM catalog_variantprice p
               WHERE p.variant_id = v.id AND p.valid_from <= now()
                 AND (p.valid_to IS NULL OR p.valid_to >= now() - make_interval(days => %s))
           ) >= v.old_price THEN v.old_price END AS shown
    FROM catalog_variant v
    WHERE v.old_price IS NOT NULL OR v.shown_old_price IS NOT NULL
)
UPDATE catalog_variant v SET shown_old_price = honest.shown
FROM honest
WHERE honest.id = v.id AND v.shown_old_price IS DISTINCT FROM honest.shown
RETURNING v.listing_id
"""


@transaction.atomic
def refresh_honest_old_prices() -> int:
    """Recompute every shown old price in one statement, then the listings whose offer changed."""
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL, [settings.MARKETPLACE_CATALOG_HONEST_DISCOUNT_DAYS])
        listing_ids = {row[0] for row in cursor.fetchall()}
    for listing in Listing.objects.filter(pk__in=listing_ids).order_by("pk"):
        listing_services.refresh_offer(listing)
    return len(listing_ids)
