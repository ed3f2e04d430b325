"""Listing popularity: how many orders each listing had in the last 30 days (`Listing.orders_30d`), and how many
units of each variant were sold in them (`Variant.sold_30d`, the restock list's days of cover).

The catalogue's "popular" sort, the home page's popular shelf and the order in which a search picks the matches it
ranks all read that column; nothing else writes it. An order counts from its payment until 30 days later unless it
was cancelled (an unpaid order never counts; one with three units or two lines of the same listing counts once).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from catalog.models import SALES_WINDOW_DAYS

from ..models import OrderStatus

# Counts from the orders paid in the window; listings that have a count now, or had one before, are compared and
# only those whose count moved are written (an hourly run rewrites the few listings whose orders changed, not the
# catalogue: every written row also rewrites its entries in the catalogue's covering indexes).
REFRESH_SQL = """
WITH counted AS (
    SELECT line.listing_id AS id, count(DISTINCT line.order_id) AS orders
    FROM orders_orderline line JOIN orders_order o ON o.id = line.order_id
    WHERE o.paid_at > %s AND o.paid_at <= %s AND o.status <> %s
    GROUP BY line.listing_id
), fresh AS (
    SELECT id, orders FROM counted
    UNION ALL
    SELECT l.id, 0 FROM catalog_listing l
    WHERE l.orders_30d > 0 AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.id = l.id)
)
UPDATE catalog_listing l SET orders_30d = fresh.orders
FROM fresh WHERE l.id = fresh.id AND l.orders_30d <> fresh.orders
"""

# The same window and orders, counted in units per variant.
REFRESH_SOLD_SQL = """
WITH counted AS (
    SELECT line.variant_id AS id, sum(line.quantity) AS sold
    FROM orders_orderline line JOIN orders_order o ON o.id = line.order_id
    WHERE o.paid_at > %s AND o.paid_at <= %s AND o.status <> %s
    GROUP BY line.variant_id
), fresh AS (
    SELECT id, sold FROM counted
    UNION ALL
    SELECT v.id, 0 FROM catalog_variant v
    WHERE v.sold_30d > 0 AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.id = v.id)
)
UPDATE catalog_variant v SET sold_30d = fresh.sold
FROM fresh WHERE v.id = fresh.id AND v.sold_30d <> fresh.sold
"""


def refresh_listing_popularity(*, now: datetime | None = None) -> int:
    """Set every listing's `orders_30d` to its orders paid in the last 30 days and not cancelled, and every
    variant's `sold_30d` to its units in them, one statement each; returns how many listings changed. Safe to run
    any time and again: it recounts from the orders."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REFRESH_SQL, [now - timedelta(days=SALES_WINDOW_DAYS), now, OrderStatus.CANCELLED])
        changed = cursor.rowcount
        cursor.execute(REFRESH_SOLD_SQL, [now - timedelta(days=SALES_WINDOW_DAYS), now, OrderStatus.CANCELLED])
        return changed
