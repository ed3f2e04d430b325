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


def _recount_sql(*, table: str, column: str, key: str, measure: str) -> str:
    """Set `table.column` to `measure` over the order lines (grouped by their `key`) of the orders paid in the
    window and not cancelled. Rows that have a count now, or had one before, are compared and only those whose
    count moved are written (an hourly run rewrites the few rows whose orders changed, not the catalogue: every
    written row also rewrites its entries in the catalogue's covering indexes)."""
    return f"""
WITH counted AS (
    SELECT line.{key} AS id, {measure} AS n
    FROM orders_orderline line JOIN orders_order o ON o.id = line.order_id
    WHERE o.paid_at > %s AND o.paid_at <= %s AND o.status <> %s
    GROUP BY line.{key}
), fresh AS (
    SELECT id, n FROM counted
    UNION ALL
    SELECT t.id, 0 FROM {table} t WHERE t.{column} > 0 AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.id = t.id)
)
UPDATE {table} t SET {column} = fresh.n FROM fresh WHERE t.id = fresh.id AND t.{column} <> fresh.n
"""  # noqa: S608 - the names are the constants below


# Orders per listing (an order with three units or two lines of the same listing counts once), units per variant.
REFRESH_SQL = _recount_sql(
    table="catalog_listing", column="orders_30d", key="listing_id", measure="count(DISTINCT line.order_id)"
)
REFRESH_SOLD_SQL = _recount_sql(
    table="catalog_variant", column="sold_30d", key="variant_id", measure="sum(line.quantity)"
)


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
