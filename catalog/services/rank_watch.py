"""Where a seller's listing stands in the search results for a chosen query, day by day (spec 33).

A seller watches up to MAX_WATCHES (listing, query) pairs. Every morning each distinct watched query is searched
once, as a buyer searching the whole catalogue would, and each watch gets that day's position (or none beyond the
first 500 results). A new watch gets today's position at once.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import policies, selectors
from catalog.models import Listing, ListingStatus, RankPoint, RankWatch
from catalog.services import search_log
from marketplace.core.exceptions import DomainError

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from sellers.models import Seller

MAX_WATCHES = 10


@transaction.atomic
def watch_position(*, seller: Seller, actor: User, listing_id: int, query: str) -> RankWatch:
    """Start following one listing's place for one query (and record today's)."""
    if not policies.can_manage_listings(actor, seller):
        raise PermissionDenied
    text = search_log.normalise(query)
    if not text:
        raise DomainError(_("Enter the words buyers search with (no phone numbers or e-mails)."))
    listing = Listing.objects.filter(seller=seller, pk=listing_id, status=ListingStatus.PUBLISHED).first()
    if listing is None:
        raise DomainError(_("Choose one of your products on sale."))
    if RankWatch.objects.select_for_update().filter(seller=seller).count() >= MAX_WATCHES:
        raise DomainError(
            _("You can follow at most %(count)s positions; stop following one first.") % {"count": MAX_WATCHES}
        )
    watch, created = RankWatch.objects.get_or_create(seller=seller, listing=listing, query=text)
    if not created:
        raise DomainError(_("You already follow this product for this query."))
    _record([watch], timezone.localdate())
    return watch


@transaction.atomic
def stop_watching(*, seller: Seller, actor: User, watch_id: int) -> None:
    if not policies.can_manage_listings(actor, seller):
        raise PermissionDenied
    RankWatch.objects.filter(seller=seller, pk=watch_id).delete()


def record_positions(*, day: datetime.date | None = None) -> int:
    """Every morning: today's position of every watch, each distinct query searched once. Safe to repeat."""
    day = day or timezone.localdate()
    watches = list(RankWatch.objects.order_by("query", "pk"))
    with transaction.atomic():
        _record(watches, day)
    return len(watches)


def _record(watches: list[RankWatch], day: datetime.date) -> None:
    rankings: dict[str, dict[int, int]] = {}
    points = []
    for watch in watches:
        if watch.query not in rankings:
            rankings[watch.query] = {pk: place for place, pk in enumerate(selectors.search_ranking(watch.query), 1)}
        points.append(RankPoint(watch=watch, day=day, position=rankings[watch.query].get(watch.listing_id)))
    RankPoint.objects.bulk_create(
        points, update_conflicts=True, unique_fields=["watch", "day"], update_fields=["position"]
    )
