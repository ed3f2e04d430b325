"""The daily digest of new arrivals for buyers who follow sellers or categories (spec 23)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from buyers.models import Follow
from catalog.models import Listing
from marketplace.core.money import format_money
from marketplace.notifications import services as notifications

MAX_ITEMS = 10


def send_follow_digests(*, now=None) -> int:
    """One notification per follower with listings published since their last digest; returns how many were sent.

    The dedupe key holds the date, so a retried or doubled run sends nothing twice.
    """
    now = now or timezone.now()
    sent = 0
    for user_id in Follow.objects.order_by().values_list("user_id", flat=True).distinct():
        with transaction.atomic():
            follows = list(
                Follow.objects.select_for_update(of=("self",))
                .filter(user_id=user_id)
                .select_related("category", "user")
            )
            if not follows:
                continue
            since = min(follow.last_digest_at or now - timezone.timedelta(days=1) for follow in follows)
            condition = Q()
            for follow in follows:
                if follow.seller_id:
                    condition |= Q(seller_id=follow.seller_id)
                elif follow.category_id:
                    condition |= Q(category__path__startswith=follow.category.path)
            listings = list(
                Listing.objects.published()
                .filter(condition, published_at__gt=since, published_at__lte=now)
                .only("id", "slug", "title", "price")
                .order_by("-published_at", "-id")[:MAX_ITEMS]
            )
            recipient = follows[0].user
            if listings:
                notifications.notify(
                    recipient=recipient,
                    kind="new_arrivals",
                    context={
                        "items": [
                            {
                                "title": listing.title,
                                "path": listing.get_absolute_url(),
                                "price": format_money(listing.price, recipient.language),
                            }
                            for listing in listings
                        ]
                    },
                    dedupe_key=f"new-arrivals-{now:%Y-%m-%d}",
                )
                sent += 1
            Follow.objects.filter(pk__in=[follow.pk for follow in follows]).update(last_digest_at=now)
    return sent
