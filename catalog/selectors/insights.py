"""Reads for sellers' search insights (spec 33): what buyers search for in the seller's categories.

Only queries made at least MIN_SEARCHES times in the period are shown, so a rare query cannot point at one person.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Sum
from django.utils import timezone

from catalog.models import Category, Listing, ListingStatus, RankPoint, RankWatch, SearchQueryStat

PERIOD_DAYS = 30
MIN_SEARCHES = 3
LIMIT = 20


@dataclass(frozen=True)
class QueryCount:
    query: str
    searches: int


def seller_category_ids(*, seller) -> list[int]:
    """The categories the seller has products on sale in."""
    return list(
        Listing.objects.filter(seller=seller, status=ListingStatus.PUBLISHED)
        .order_by()
        .values_list("category_id", flat=True)
        .distinct()
    )


def _since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=PERIOD_DAYS - 1)


def _counted(rows, *, frequent: bool) -> list[QueryCount]:
    grouped = (
        rows.values("query")
        .annotate(total=Sum("searches"))
        .filter(total__gte=MIN_SEARCHES)
        .order_by("-total" if frequent else "total", "query")[:LIMIT]
    )
    return [QueryCount(query=row["query"], searches=row["total"]) for row in grouped]


def queries_in_categories(*, category_ids: list[int], frequent: bool = True) -> list[QueryCount]:
    """The most (or, `frequent=False`, the least) searched queries of the last 30 days that lead to these
    categories."""
    if not category_ids:
        return []
    rows = SearchQueryStat.objects.filter(day__gte=_since(), category_id__in=category_ids, zero_results=False)
    return _counted(rows, frequent=frequent)


def queries_without_results() -> list[QueryCount]:
    """The most searched queries of the last 30 days that found nothing at all: demand no one serves yet."""
    return _counted(SearchQueryStat.objects.filter(day__gte=_since(), zero_results=True), frequent=True)


def category_names(category_ids: list[int]) -> list[str]:
    return list(Category.objects.filter(pk__in=category_ids).order_by("name").values_list("name", flat=True))


HISTORY_DAYS = 14


def position_watches(*, seller) -> list[RankWatch]:
    """The seller's followed (listing, query) pairs, each with its positions of the last two weeks, newest first."""
    since = timezone.localdate() - datetime.timedelta(days=HISTORY_DAYS - 1)
    return list(
        RankWatch.objects.filter(seller=seller)
        .select_related("listing")
        .only("query", "listing__title", "listing__slug", "listing_id")
        .prefetch_related(Prefetch("points", queryset=RankPoint.objects.filter(day__gte=since).order_by("-day")))
        .order_by("created_at", "pk")
    )


def listings_to_watch(*, seller, limit: int = 500) -> list[tuple[int, str]]:
    """The seller's products on sale, by title, for the "follow a position" form."""
    return list(
        Listing.objects.filter(seller=seller, status=ListingStatus.PUBLISHED)
        .order_by("title", "pk")
        .values_list("pk", "title")[:limit]
    )
