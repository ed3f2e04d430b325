"""Reads for review pages: scoped, prefetched querysets with constant query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from marketplace.core.db import RowShape, prepared_cursor
from orders.models import Incident, Order, OrderLine

from .models import (
    REPLY_MIN_CONVERSATIONS,
    AspectKind,
    Band,
    IncidentAppeal,
    ListingRating,
    ProductReview,
    ReviewAspect,
    ReviewAspectAnswer,
    ReviewPhoto,
    ReviewStatus,
    SellerRating,
    SellerRatingHistory,
    SellerReply,
    SellerReview,
    SellerStandards,
)

SORTS = {
    "new": ["-created_at", "-pk"],
    "helpful": ["-helpful_count", "-created_at", "-pk"],
    "high": ["-stars", "-created_at", "-pk"],
    "low": ["stars", "-created_at", "-pk"],
}


def published_reviews(
    *, listing_id: int | None = None, seller_id: int | None = None, stars: str = "", with_photos: bool = False,
    sort: str = "new",
) -> QuerySet[ProductReview]:  # fmt: skip
    """Published reviews of a listing or a seller, filtered and sorted, with author, photos and reply."""
    queryset = ProductReview.objects.filter(status=ReviewStatus.PUBLISHED)
    if listing_id is not None:
        queryset = queryset.filter(listing_id=listing_id)
    if seller_id is not None:
        queryset = queryset.filter(seller_id=seller_id)
    if stars.isdigit() and 1 <= int(stars) <= 5:
        queryset = queryset.filter(stars=int(stars))
    if with_photos:
        queryset = queryset.filter(Exists(ReviewPhoto.objects.filter(review=OuterRef("pk"))))
    # a listing's own reviews never show their listing; a seller's show each review's listing
    related = ("author", "reply") if listing_id is not None else ("author", "reply", "listing")
    return (
        queryset.select_related(*related)
        .prefetch_related(
            Prefetch("photos", queryset=ReviewPhoto.objects.order_by("position", "pk"), to_attr="shown_photos"),
            Prefetch("aspect_answers", queryset=_shown_answers(), to_attr="shown_answers"),
        )
        .order_by(*SORTS.get(sort, SORTS["new"]))
    )


# Both are read by key on every listing page: prepared statements, no ORM compiling (marketplace/core/db.py).
LISTING_RATING = RowShape.of(ListingRating)
LISTING_RATING_SQL = f"SELECT {LISTING_RATING.select('r')} FROM reviews_listingrating r WHERE r.listing_id = %s"  # noqa: S608 - column names from the model
SELLER_RATING = RowShape.of(SellerRating)
SELLER_RATING_SQL = f"SELECT {SELLER_RATING.select('r')} FROM reviews_sellerrating r WHERE r.seller_id = %s"  # noqa: S608 - column names from the model


def _one(shape: RowShape, sql: str, key: int):
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    return None if row is None else shape.build(row)


# The listing page's reviews block: its most helpful reviews, as `published_reviews(sort="helpful")` reads them, in
# one prepared statement with author and reply; their photos and aspect answers in one more each, only when there
# are reviews. Through the ORM, compiling the query and its prefetches took longer than running them.
BLOCK_REVIEW = RowShape.of(ProductReview, exclude=("hold_reasons", "moderation_reason", "contest_reason"))
BLOCK_AUTHOR = RowShape.of(get_user_model(), only=("first_name", "last_name"))
BLOCK_REPLY = RowShape.of(SellerReply)
BLOCK_REVIEWS_SQL = (
    f"SELECT {BLOCK_REVIEW.select('r')}, {BLOCK_AUTHOR.select('u')}, {BLOCK_REPLY.select('p')} "  # noqa: S608 - column names from the models
    "FROM reviews_productreview r JOIN accounts_user u ON u.id = r.author_id "
    "LEFT JOIN reviews_sellerreply p ON p.review_id = r.id "
    "WHERE r.listing_id = %s AND r.status = %s "
    "ORDER BY r.helpful_count DESC, r.created_at DESC, r.id DESC LIMIT %s"
)
BLOCK_PHOTO = RowShape.of(ReviewPhoto)
BLOCK_PHOTOS_SQL = (
    f"SELECT {BLOCK_PHOTO.select('p')} FROM reviews_reviewphoto p WHERE p.review_id = ANY(%s) "  # noqa: S608 - column names from the model
    "ORDER BY p.position, p.id"
)
BLOCK_ANSWER = RowShape.of(ReviewAspectAnswer)
BLOCK_ASPECT = RowShape.of(ReviewAspect)
BLOCK_ANSWERS_SQL = (
    f"SELECT {BLOCK_ANSWER.select('v')}, {BLOCK_ASPECT.select('a')} "  # noqa: S608 - column names from the models
    "FROM reviews_reviewaspectanswer v JOIN reviews_reviewaspect a ON a.id = v.aspect_id "
    "WHERE v.review_id = ANY(%s) AND a.is_active ORDER BY a.position, a.id"
)


def top_reviews(*, listing_id: int, limit: int = 5) -> list[ProductReview]:
    """The listing's `limit` most helpful published reviews with author, reply, photos and shown aspect answers."""
    author_at, reply_at = len(BLOCK_REVIEW), len(BLOCK_REVIEW) + len(BLOCK_AUTHOR)
    author_field = ProductReview._meta.get_field("author")
    reply_relation = ProductReview._meta.get_field("reply")
    with prepared_cursor() as cursor:
        cursor.execute(BLOCK_REVIEWS_SQL, [listing_id, ReviewStatus.PUBLISHED.value, limit])
        rows = cursor.fetchall()
        reviews: dict[int, ProductReview] = {}
        for row in rows:
            review = BLOCK_REVIEW.build(row[:author_at])
            author_field.set_cached_value(review, BLOCK_AUTHOR.build(row[author_at:reply_at]))
            reply = BLOCK_REPLY.build_or_none(row[reply_at:])
            reply_relation.set_cached_value(review, reply)  # None: `review.reply` raises DoesNotExist, as ever
            review.shown_photos, review.shown_answers = [], []
            reviews[review.pk] = review
        if not reviews:
            return []
        keys = list(reviews)
        cursor.execute(BLOCK_PHOTOS_SQL, [keys])
        for row in cursor.fetchall():
            photo = BLOCK_PHOTO.build(row)
            reviews[photo.review_id].shown_photos.append(photo)
        cursor.execute(BLOCK_ANSWERS_SQL, [keys])
        aspect_field = ReviewAspectAnswer._meta.get_field("aspect")
        split = len(BLOCK_ANSWER)
        for row in cursor.fetchall():
            answer = BLOCK_ANSWER.build(row[:split])
            aspect_field.set_cached_value(answer, BLOCK_ASPECT.build(row[split:]))
            reviews[answer.review_id].shown_answers.append(answer)
    return list(reviews.values())


def listing_rating(*, listing_id: int) -> ListingRating | None:
    return _one(LISTING_RATING, LISTING_RATING_SQL, listing_id)


def seller_rating(*, seller_id: int) -> SellerRating | None:
    return _one(SELLER_RATING, SELLER_RATING_SQL, seller_id)


def seller_standards(*, at=None) -> SellerStandards:
    """The seller standards in force (at `at`, default now): the row with the latest date of effect not after it,
    or the defaults (unsaved) before any was written."""
    in_force = SellerStandards.objects.filter(effective_at__lte=at or timezone.now()).order_by("-effective_at", "-pk")
    return in_force.first() or SellerStandards(reason="")


def upcoming_standards() -> SellerStandards | None:
    """The next standards announced for a later date, if any."""
    return SellerStandards.objects.filter(effective_at__gt=timezone.now()).order_by("effective_at", "pk").first()


def standards_changes(before: SellerStandards, after: SellerStandards) -> list[tuple[str, object, object]]:
    """(threshold's name, value before, value after) for each threshold that differs, in the admin's order."""
    return [
        (SellerStandards._meta.get_field(name).verbose_name, getattr(before, name), getattr(after, name))
        for name in SellerStandards.THRESHOLDS
        if getattr(before, name) != getattr(after, name)
    ]


@dataclass(frozen=True)
class StandardsStanding:
    """Where a seller stands against each published standard: "ok", "warning", "breach" or "none" (not measured yet: no orders, or too few buyer conversations)."""

    on_time: str
    cancellations: str
    reply: str
    band: str


def standards_standing(*, rating: SellerRating | None, standards: SellerStandards) -> StandardsStanding:
    """The seller's rating (its window: the last 30 days of orders, or the last 50) against the standards in force.
    A measure is met or not; the band adds a warning before the critical band."""

    def at_least(value, target) -> str:
        return "none" if value is None else "ok" if value >= target else "breach"

    def at_most(value, target) -> str:
        return "none" if value is None else "ok" if value <= target else "breach"

    if rating is None:
        return StandardsStanding(on_time="none", cancellations="none", reply="none", band="none")
    band = {Band.EXCELLENT: "ok", Band.GOOD: "ok", Band.AT_RISK: "warning", Band.CRITICAL: "breach"}
    return StandardsStanding(
        on_time=at_least(rating.on_time_percent, standards.on_time_target),
        cancellations=at_most(rating.cancellation_percent, standards.cancellations_max),
        # as the rating: too few conversations do not judge reply time
        reply=at_most(
            rating.reply_median_minutes if rating.conversations_in_window >= REPLY_MIN_CONVERSATIONS else None,
            standards.reply_hours * 60,
        ),
        band=band.get(rating.band, "none"),
    )


def reviewable_lines(*, order: Order) -> list[tuple[OrderLine, ProductReview | None]]:
    """The order's lines with the buyer's review of each (or None)."""
    reviews = {review.order_line_id: review for review in ProductReview.objects.filter(order=order)}
    return [(line, reviews.get(line.pk)) for line in order.lines.all()]


def seller_review_for(*, order: Order) -> SellerReview | None:
    return SellerReview.objects.filter(order=order).first()


def order_line_for_buyer(*, user, line_id: int) -> QuerySet[OrderLine]:
    return OrderLine.objects.select_related("order", "listing").filter(pk=line_id, order__buyer=user)


def reviews_for_seller_cabinet(*, seller_id: int, unanswered: bool = False) -> QuerySet[ProductReview]:
    queryset = ProductReview.objects.filter(seller_id=seller_id, status=ReviewStatus.PUBLISHED)
    if unanswered:
        queryset = queryset.filter(reply__isnull=True)
    return queryset.select_related("author", "reply", "listing").prefetch_related("photos").order_by("-created_at")


def incidents_for_seller(*, seller_id: int, days: int = 90) -> QuerySet[Incident]:
    since = timezone.now() - timedelta(days=days)
    return (
        Incident.objects.filter(seller_id=seller_id, created_at__gte=since)
        .select_related("order")
        .prefetch_related(Prefetch("appeal", queryset=IncidentAppeal.objects.select_related("case")))
        .order_by("-created_at", "-pk")
    )


def rating_history(*, seller_id: int, days: int = 90) -> list[SellerRatingHistory]:
    since = timezone.localdate() - timedelta(days=days)
    return list(SellerRatingHistory.objects.filter(seller_id=seller_id, day__gte=since).order_by("day"))


def reply_time_hours(*, seller_id: int) -> float | None:
    """Median hours from a review to the seller's reply over the last 90 days (None: no replies)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (p.created_at - r.created_at)))
            FROM reviews_sellerreply p JOIN reviews_productreview r ON r.id = p.review_id
            WHERE r.seller_id = %s AND p.created_at >= %s
            """,
            [seller_id, timezone.now() - timedelta(days=90)],
        )
        value = cursor.fetchone()[0]
    return None if value is None else round(float(value) / 3600, 1)


# Category aspects --------------------------------------------------------------------------------------------------


def aspects_for_category(*, category_id: int) -> list[ReviewAspect]:
    """The aspects asked for a category: its own and its ancestors' (a subcategory inherits them). When a
    subcategory defines an aspect with an ancestor's name, the subcategory's (more specific) one is asked."""
    from catalog.models import Category

    path = Category.objects.filter(pk=category_id).values_list("path", flat=True).first() or ""
    ancestor_ids = [int(part) for part in path.strip("/").split("/") if part] or [category_id]
    depth = {category: index for index, category in enumerate(ancestor_ids)}
    chosen: dict[str, ReviewAspect] = {}
    for aspect in ReviewAspect.objects.filter(category_id__in=ancestor_ids, is_active=True):
        name = aspect.name.casefold()
        if name not in chosen or depth[aspect.category_id] > depth[chosen[name].category_id]:
            chosen[name] = aspect
    return sorted(chosen.values(), key=lambda aspect: (aspect.position, aspect.pk))


def _shown_answers() -> QuerySet[ReviewAspectAnswer]:
    return (
        ReviewAspectAnswer.objects.filter(aspect__is_active=True)
        .select_related("aspect")
        .order_by("aspect__position", "aspect_id")
    )


@dataclass(frozen=True)
class AspectSummary:
    name: str
    kind: str
    answers: int
    value: Decimal  # yes/no: the share of "yes" in per cent (0–100); scale: the average (1.0–5.0)

    @property
    def is_yes_no(self) -> bool:
        return self.kind == AspectKind.YES_NO


ASPECT_SUMMARIES_SQL = """
SELECT a.name, a.kind, count(*), avg(v.value)
FROM reviews_reviewaspectanswer v
JOIN reviews_productreview r ON r.id = v.review_id
JOIN reviews_reviewaspect a ON a.id = v.aspect_id
WHERE r.listing_id = %s AND r.status = %s AND a.is_active
GROUP BY a.id ORDER BY a.position, a.id
"""


def aspect_summaries(*, listing_id: int) -> list[AspectSummary]:
    """Per aspect of a listing's published reviews: "size fits: 87% yes" or "comfort: 4.3 of 5" (one prepared
    statement: the listing page asks it whenever the listing has reviews)."""
    with prepared_cursor() as cursor:
        cursor.execute(ASPECT_SUMMARIES_SQL, [listing_id, ReviewStatus.PUBLISHED.value])
        rows = cursor.fetchall()
    summaries = []
    for name, kind, answers, average in rows:
        if kind == AspectKind.YES_NO:
            value = (average * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        else:
            value = average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        summaries.append(AspectSummary(name, kind, answers, value))
    return summaries
