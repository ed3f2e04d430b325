"""Reads of buyers' lists, scoped to the user. Listings are reached through the foreign keys, so this app
does not import the catalogue (which depends on it)."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from buyers.models import Address, Favourite, Follow, RecentlyViewed, StockSubscription
from marketplace.core.db import KeyedQuery

CARD_RELATED = ("listing__seller__storefront", "listing__cover_photo")


def listing_model():
    return Favourite._meta.get_field("listing").related_model


def visible_listing(*, listing_id: int):
    """A listing buyers may see (published, seller trading), or None."""
    return listing_model().objects.published().select_related("seller").filter(pk=listing_id).first()


def favourites(*, user) -> QuerySet[Favourite]:
    """The wishlist, newest first; listings that left the shop window stay, marked unavailable."""
    return Favourite.objects.filter(user=user).select_related(*CARD_RELATED).order_by("-created_at", "-id")


def is_favourite(*, user, listing_id: int) -> bool:
    return bool(_IS_FAVOURITE.rows(user.pk, listing_id))


# The favourite and follow buttons are personal parts of every signed-in listing or category page: their checks
# are compiled once per process and run as prepared statements (marketplace.core.db.KeyedQuery).
_IS_FAVOURITE = KeyedQuery(
    lambda user_id, listing_id: (
        Favourite.objects.filter(user_id=user_id, listing_id=listing_id).order_by().values_list("pk")[:1]
    ),
    keys=2,
)


def favourite_ids(*, user, listing_ids: list[int]) -> set[int]:
    if not user.is_authenticated or not listing_ids:
        return set()
    return set(Favourite.objects.filter(user=user, listing_id__in=listing_ids).values_list("listing_id", flat=True))


def recently_viewed_ids(*, user, limit: int) -> list[int]:
    """Keys of the listings the buyer viewed last, newest first, those buyers may still see (the home page's shelf
    reads their cards by key: loading whole listings for it cost more than the rest of the signed-in page).

    Asked on every signed-in home page: compiled once per process and limit, run as a prepared statement.
    """
    query = _recently_viewed_queries.get(limit)
    if query is None:
        query = _recently_viewed_queries[limit] = KeyedQuery(
            lambda user_id: _recently_viewed(user_id).values_list("listing_id")[:limit]
        )
    return [listing_id for (listing_id,) in query.rows(user.pk)]


_recently_viewed_queries: dict[int, KeyedQuery] = {}


def recently_viewed(*, user, limit: int = 20) -> list:
    rows = _recently_viewed(user).select_related("listing__seller__storefront", "listing__cover_photo")[:limit]
    return [row.listing for row in rows]


def _recently_viewed(user) -> QuerySet[RecentlyViewed]:
    return RecentlyViewed.objects.filter(user=user, listing__in=listing_model().objects.published()).order_by(
        "-viewed_at"
    )


def follows(*, user) -> QuerySet[Follow]:
    return Follow.objects.filter(user=user).select_related("seller__storefront", "category").order_by("-created_at")


# Interest inferred from views (spec 23): this many different listings of a category viewed in this many days.
INTEREST_VIEWS = 3
INTEREST_DAYS = 14


def _recent_views(user):
    since = timezone.now() - datetime.timedelta(days=INTEREST_DAYS)
    return RecentlyViewed.objects.filter(user=user, viewed_at__gte=since)


def views_in_category(*, user, category_path: str) -> int:
    """Different listings of the category (or below it) the buyer viewed lately (the list keeps the latest few)."""
    return _recent_views(user).filter(listing__category__path__startswith=category_path).count()


def frequently_viewed_categories(*, user, followed: list[Follow], limit: int = 5) -> list:
    """Categories the buyer keeps looking at (INTEREST_VIEWS listings lately) and does not follow (`followed`: their
    follows, with categories), most viewed first."""
    counts = (
        _recent_views(user)
        .values("listing__category")
        .annotate(views=Count("id"))
        .filter(views__gte=INTEREST_VIEWS)
        .order_by("-views", "listing__category")
    )
    by_id = {row["listing__category"]: row["views"] for row in counts}
    category_model = Follow._meta.get_field("category").related_model
    categories = {category.pk: category for category in category_model.objects.filter(pk__in=by_id, is_active=True)}
    paths = [follow.category.path for follow in followed if follow.category_id]  # the buyer's follows, as loaded
    return [
        categories[pk]
        for pk in by_id
        if pk in categories and not any(categories[pk].path.startswith(path) for path in paths)
    ][:limit]


def is_following(*, user, category_id: int | None = None, seller_id: int | None = None) -> bool:
    if category_id is not None:
        return bool(_FOLLOWS_CATEGORY.rows(user.pk, category_id))
    return bool(_FOLLOWS_SELLER.rows(user.pk, seller_id))


_FOLLOWS_CATEGORY = KeyedQuery(
    lambda user_id, category_id: (
        Follow.objects.filter(user_id=user_id, category_id=category_id).order_by().values_list("pk")[:1]
    ),
    keys=2,
)
_FOLLOWS_SELLER = KeyedQuery(
    lambda user_id, seller_id: (
        Follow.objects.filter(user_id=user_id, seller_id=seller_id).order_by().values_list("pk")[:1]
    ),
    keys=2,
)


def subscribed_variant_ids(*, user, listing_id: int) -> set[int]:
    return set(
        StockSubscription.objects.filter(
            user=user, variant__listing_id=listing_id, notified_at__isnull=True
        ).values_list("variant_id", flat=True)
    )


def stock_subscriptions(*, user) -> QuerySet[StockSubscription]:
    return (
        StockSubscription.objects.filter(user=user, notified_at__isnull=True)
        .select_related("variant__listing__cover_photo", "variant__listing__seller__storefront")
        .order_by("-created_at")
    )


def addresses(*, user) -> QuerySet[Address]:
    """The address book, the default first, then the newest."""
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-id")
