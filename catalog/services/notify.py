"""Catalogue events turned into notifications (outbox rows written in the caller's transaction)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from buyers.models import Favourite, StockSubscription
from marketplace.core.money import format_money
from marketplace.notifications import services as notifications

if TYPE_CHECKING:
    from catalog.models import Listing, ListingQuestion, Variant


def _listing_context(listing: Listing) -> dict[str, object]:
    return {"listing_id": listing.pk, "listing_slug": listing.slug, "title": listing.title}


def listing_approved(*, listing: Listing, first_time: bool) -> None:
    notifications.notify(
        recipient=listing.seller.user,
        kind="listing_approved",
        context={**_listing_context(listing), "first_time": first_time},
    )


def listing_rejected(*, listing: Listing, reason: str) -> None:
    notifications.notify(
        recipient=listing.seller.user, kind="listing_rejected", context={**_listing_context(listing), "reason": reason}
    )


def listing_blocked(*, listing: Listing, reason: str) -> None:
    notifications.notify(
        recipient=listing.seller.user, kind="listing_blocked", context={**_listing_context(listing), "reason": reason}
    )


def revision_decided(*, listing: Listing, approved: bool, reason: str) -> None:
    notifications.notify(
        recipient=listing.seller.user,
        kind="listing_edit_decided",
        context={**_listing_context(listing), "approved": approved, "reason": reason},
    )


def low_stock(*, listing: Listing, variant: Variant, available: int) -> None:
    notifications.notify(
        recipient=listing.seller.user,
        kind="low_stock",
        context={**_listing_context(listing), "sku": variant.sku, "variant": variant.name, "available": available},
    )


def promo_refused(*, variant: Variant, days: int, window: int, min_days: int) -> None:
    listing = variant.listing
    notifications.notify(
        recipient=listing.seller.user,
        kind="promo_refused",
        context={
            **_listing_context(listing),
            "sku": variant.sku,
            "promo_price": str(variant.promo_price),
            "regular_price": str(variant.regular_price),
            "days": days,
            "window": window,
            "min_days": min_days,
        },
    )


def listing_check_requested(*, listing: Listing) -> None:
    """Buyers returned the listing as "not as described" often enough that the seller is asked to check it."""
    notifications.notify(
        recipient=listing.seller.user,
        kind="listing_check_requested",
        context={
            **_listing_context(listing),
            "complaints": listing.description_complaints,
            "grace_days": settings.MARKETPLACE_CATALOG_CHECK_GRACE_DAYS,
        },
        dedupe_key=f"listing-check-{listing.pk}-{listing.check_requested_at:%Y-%m-%d}",
    )


def listings_to_check(*, seller, count: int, on: datetime.date) -> None:
    """The morning's stale listings of one seller, in one notification."""
    notifications.notify(
        recipient=seller.user,
        kind="listings_to_check",
        context={
            "count": count,
            "confirm_days": settings.MARKETPLACE_CATALOG_CONFIRM_DAYS,
            "grace_days": settings.MARKETPLACE_CATALOG_CHECK_GRACE_DAYS,
        },
        dedupe_key=f"listings-to-check-{on:%Y-%m-%d}",
    )


def question_asked(*, question: ListingQuestion) -> None:
    listing = question.listing
    notifications.notify(
        recipient=listing.seller.user,
        kind="question_asked",
        context={**_listing_context(listing), "question_id": question.pk, "question": question.text[:300]},
        dedupe_key=f"question-asked-{question.pk}",
    )


def question_answered(*, question: ListingQuestion) -> None:
    listing = question.listing
    notifications.notify(
        recipient=question.author,
        kind="question_answered",
        context={
            **_listing_context(listing),
            "question_id": question.pk,
            "question": question.text[:300],
            "answer": question.answer[:500],
        },
        dedupe_key=f"question-answered-{question.pk}",
    )


def price_dropped(*, listing: Listing, old_price: Decimal, new_price: Decimal) -> None:
    """Buyers who favourited the listing hear about a price below the one they last heard about."""
    favourites = (
        Favourite.objects.filter(listing=listing)
        .filter(Q(notified_price__isnull=True) | Q(notified_price__gt=new_price))
        .select_related("user")
    )
    for favourite in favourites:
        heard = favourite.notified_price or old_price
        if new_price >= heard:
            continue
        notifications.notify(
            recipient=favourite.user,
            kind="price_drop",
            context={
                **_listing_context(listing),
                "old_price": format_money(heard, favourite.user.language),
                "new_price": format_money(new_price, favourite.user.language),
            },
            dedupe_key=f"price-drop-{listing.pk}-{new_price}-{favourite.pk}",
        )
    Favourite.objects.filter(listing=listing).filter(
        Q(notified_price__isnull=True) | Q(notified_price__gt=new_price)
    ).update(notified_price=new_price)


def back_in_stock(*, listing: Listing, variant: Variant) -> None:
    """Each open subscription to the variant is notified once and closed."""
    now = timezone.now()
    subscriptions = list(
        StockSubscription.objects.filter(variant=variant, notified_at__isnull=True).select_related("user")
    )
    for subscription in subscriptions:
        notifications.notify(
            recipient=subscription.user,
            kind="back_in_stock",
            context={**_listing_context(listing), "variant": variant.name},
            dedupe_key=f"back-in-stock-{subscription.pk}",
        )
    StockSubscription.objects.filter(pk__in=[subscription.pk for subscription in subscriptions]).update(notified_at=now)
