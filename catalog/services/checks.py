"""Stale-listing reminders (spec 30): sellers are asked to check that a listing's data is still current.

A published listing is to be checked when its data has not been confirmed for CONFIRM_DAYS (180), or when buyers
returned it as "not as described" CHECK_COMPLAINTS (3) times since it was. The seller confirms with one button
(or by saving the listing in the editor, which is a check too). A check left undone for CHECK_GRACE_DAYS (30)
lowers the listing's quality score, and so its place in search, by CHECK_PENALTY points until it is done.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog import policies
from catalog.models import CheckReason, Listing, ListingStatus
from catalog.services import notify, quality

if TYPE_CHECKING:
    from marketplace.accounts.models import User

BATCH = 500


@transaction.atomic
def confirm_listing_data(*, listing: Listing, actor: User) -> Listing:
    """The seller says the listing's data is current: any open check is done and a lowered score comes back."""
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    was_overdue = locked.check_overdue
    Listing.objects.filter(pk=listing.pk).update(
        content_confirmed_at=timezone.now(),
        description_complaints=0,
        check_requested_at=None,
        check_reason="",
        check_overdue=False,
    )
    listing.refresh_from_db(
        fields=["content_confirmed_at", "description_complaints", "check_requested_at", "check_reason", "check_overdue"]
    )
    if was_overdue:
        quality.refresh_quality(listing)
    return listing


@transaction.atomic
def note_description_complaint(*, listing_ids: list[int]) -> None:
    """A buyer returned these listings as "not as described" (the orders app tells): count it, and ask the seller
    to check a published listing once the count reaches CHECK_COMPLAINTS."""
    for listing_id in sorted(set(listing_ids)):
        Listing.objects.filter(pk=listing_id).update(description_complaints=F("description_complaints") + 1)
        listing = Listing.objects.select_for_update().select_related("seller__user").filter(pk=listing_id).first()
        if (
            listing is not None
            and listing.status == ListingStatus.PUBLISHED
            and listing.check_requested_at is None
            and listing.description_complaints >= settings.MARKETPLACE_CATALOG_CHECK_COMPLAINTS
        ):
            now = timezone.now()
            Listing.objects.filter(pk=listing_id).update(check_requested_at=now, check_reason=CheckReason.COMPLAINTS)
            listing.check_requested_at, listing.check_reason = now, CheckReason.COMPLAINTS
            notify.listing_check_requested(listing=listing)


def request_listing_checks(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Every morning: ask for a check of each published listing not confirmed for CONFIRM_DAYS (one notification
    per seller), and lower the score of checks left undone past the grace period. Returns (asked, overdue)."""
    now = now or timezone.now()
    return _ask_for_stale(now), _mark_overdue(now)


@transaction.atomic
def _ask_for_stale(now: datetime.datetime) -> int:
    cutoff = now - datetime.timedelta(days=settings.MARKETPLACE_CATALOG_CONFIRM_DAYS)
    stale = Listing.objects.filter(
        status=ListingStatus.PUBLISHED, check_requested_at__isnull=True, content_confirmed_at__lt=cutoff
    )
    per_seller = Counter(stale.values_list("seller_id", flat=True))
    stale.update(check_requested_at=now, check_reason=CheckReason.STALE)
    if per_seller:
        from sellers.models import Seller

        for seller in Seller.objects.filter(pk__in=per_seller).select_related("user").order_by("pk"):
            notify.listings_to_check(seller=seller, count=per_seller[seller.pk], on=now.date())
    return sum(per_seller.values())


def _mark_overdue(now: datetime.datetime) -> int:
    cutoff = now - datetime.timedelta(days=settings.MARKETPLACE_CATALOG_CHECK_GRACE_DAYS)
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Listing.objects.select_for_update(skip_locked=True)
                .filter(check_requested_at__lte=cutoff, check_overdue=False)
                .order_by("pk")[:BATCH]
            )
            for listing in batch:
                Listing.objects.filter(pk=listing.pk).update(check_overdue=True)
                listing.check_overdue = True
                quality.refresh_quality(listing)
        done += len(batch)
        if len(batch) < BATCH:
            return done
