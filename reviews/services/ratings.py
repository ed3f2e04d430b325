"""Aggregates and the explainable seller rating, recomputed from the source with set-based SQL via an outbox.

Formula (version reviews.models.FORMULA_VERSION, explained on the public page /rating/formula/):
- customer score = (PRIOR_MEAN × PRIOR_WEIGHT + Σ stars) / (PRIOR_WEIGHT + n) over the published product reviews
  (stars) and seller reviews (service stars) of the last 365 days: a new seller starts at the prior and every
  review moves it a little, so three 5-star reviews cannot outrank a hundred 4.8-star ones;
- quality index = max(0, round(100 − PENALTY × Σ incident weights / orders in the window − reply deduction)) where
  the window is the orders paid in the last 30 days, or the last 50 paid orders if that is more; incidents (late
  shipments, seller-fault cancellations, returns for a defect or "not as described", lost disputes) struck on
  appeal do not count; no orders in the window: no index, the band is "new";
- reply deduction: the median first-reply time to buyer messages over the conversations the buyer opened in the
  last 30 days, or the last 50 if that is more (a question still unanswered counts with the time it has waited
  so far); the standards' points above each of their two reply thresholds, only with at least
  REPLY_MIN_CONVERSATIONS conversations in the window;
- bands by the quality index and "reliable seller" (in the excellent band, with enough score, reviews and orders)
  by the seller standards in force (reviews.services.standards: managers change them in admin).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from marketplace.core.exceptions import DomainError
from marketplace.notifications import services as notifications
from reviews.models import (
    FORMULA_VERSION,
    REPLY_MIN_CONVERSATIONS,
    Band,
    RatingFlag,
    RatingRecompute,
    RecomputeStatus,
    SellerRating,
)
from reviews.selectors import seller_standards

logger = logging.getLogger(__name__)

PRIOR_MEAN = Decimal("4.0")
PRIOR_WEIGHT = 10
SCORE_DAYS = 365
WINDOW_DAYS = 30
WINDOW_MIN_ORDERS = 50
PENALTY = 500  # one weighted incident per 100 orders costs 5 points
INCIDENT_WEIGHTS = {
    "late_shipment": Decimal("1.0"),
    "seller_cancellation": Decimal("2.0"),
    "defect_return": Decimal("1.5"),
    "not_as_described": Decimal("1.5"),
    "dispute_lost": Decimal("2.0"),
}
# What each formula version changed, newest first (shown on the public formula page).
FORMULA_CHANGES = [
    (
        "2026.1",
        gettext_lazy(
            "Lost disputes weigh 2.0 (they counted 1.0 before); a slow median first reply to buyer messages "
            "deducts 10 or 20 points."
        ),
    ),
    ("2025.1", gettext_lazy("First published version.")),
]
MAX_ATTEMPTS = 5
BATCH = 200


# Outbox ------------------------------------------------------------------------------------------------------------


def request_recompute(*, seller_id: int | None = None, listing_id: int | None = None) -> None:
    """Write the outbox rows in the caller's transaction (one pending row per target); Celery delivers them."""
    from reviews import tasks

    rows = []
    if seller_id:
        rows.append(RatingRecompute(seller_id=seller_id))
    if listing_id:
        rows.append(RatingRecompute(listing_id=listing_id))
    if rows:
        RatingRecompute.objects.bulk_create(rows, ignore_conflicts=True)  # ON CONFLICT DO NOTHING: deduplicated
        tasks.relay_rating_recomputes.delay_on_commit()


def relay_recomputes(*, limit: int = BATCH) -> int:
    """Process pending outbox rows in batches; each batch commits with its results or not at all."""
    done = 0
    while True:
        try:
            processed = _process_batch(limit=limit)
        except Exception as error:
            logger.exception("rating recompute batch failed")
            _count_failure(error)
            raise
        done += processed
        if processed < limit:
            return done


@transaction.atomic
def _process_batch(*, limit: int) -> int:
    rows = list(
        RatingRecompute.objects.select_for_update(skip_locked=True)
        .filter(status=RecomputeStatus.PENDING)
        .order_by("created_at", "pk")[:limit]
    )
    if not rows:
        return 0
    # Marked done before computing: a change committed meanwhile waits on this row's index entry, then adds a
    # new pending row, so it is never lost. A crash rolls everything back and the rows stay pending.
    RatingRecompute.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=RecomputeStatus.DONE, done_at=timezone.now(), attempts=0
    )
    listing_ids = sorted({row.listing_id for row in rows if row.listing_id})
    seller_ids = sorted({row.seller_id for row in rows if row.seller_id})
    if listing_ids:
        recompute_listings(listing_ids=listing_ids)
    if seller_ids:
        recompute_sellers(seller_ids=seller_ids)
    return len(rows)


@transaction.atomic
def _count_failure(error: Exception) -> None:
    oldest = RatingRecompute.objects.filter(status=RecomputeStatus.PENDING).order_by("created_at", "pk")[:BATCH]
    ids = list(oldest.values_list("pk", flat=True))
    for row in RatingRecompute.objects.filter(pk__in=ids):
        row.attempts += 1
        row.last_error = str(error)[:1000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = RecomputeStatus.FAILED
        row.save(update_fields=["attempts", "last_error", "status"])


# Listing aggregates ------------------------------------------------------------------------------------------------

LISTING_SQL = """
WITH target AS ({target}),
agg AS (
    SELECT t.listing_id,
           COUNT(r.id) AS cnt,
           COALESCE(ROUND(AVG(r.stars)::numeric, 2), 0) AS average,
           COUNT(r.id) FILTER (WHERE r.stars = 1) AS s1, COUNT(r.id) FILTER (WHERE r.stars = 2) AS s2,
           COUNT(r.id) FILTER (WHERE r.stars = 3) AS s3, COUNT(r.id) FILTER (WHERE r.stars = 4) AS s4,
           COUNT(r.id) FILTER (WHERE r.stars = 5) AS s5,
           COUNT(r.id) FILTER (WHERE EXISTS (SELECT 1 FROM reviews_reviewphoto p WHERE p.review_id = r.id)) AS photos
    FROM target t
    LEFT JOIN reviews_productreview r ON r.listing_id = t.listing_id AND r.status = 'published'
    GROUP BY t.listing_id
)
INSERT INTO reviews_listingrating
    (listing_id, average, count, stars_1, stars_2, stars_3, stars_4, stars_5, with_photos, computed_at)
SELECT listing_id, average, cnt, s1, s2, s3, s4, s5, photos, %(now)s FROM agg
ON CONFLICT (listing_id) DO UPDATE SET
    average = EXCLUDED.average, count = EXCLUDED.count, stars_1 = EXCLUDED.stars_1, stars_2 = EXCLUDED.stars_2,
    stars_3 = EXCLUDED.stars_3, stars_4 = EXCLUDED.stars_4, stars_5 = EXCLUDED.stars_5,
    with_photos = EXCLUDED.with_photos, computed_at = EXCLUDED.computed_at
WHERE (reviews_listingrating.average, reviews_listingrating.count, reviews_listingrating.stars_1,
       reviews_listingrating.stars_2, reviews_listingrating.stars_3, reviews_listingrating.stars_4,
       reviews_listingrating.stars_5, reviews_listingrating.with_photos)
   IS DISTINCT FROM (EXCLUDED.average, EXCLUDED.count, EXCLUDED.stars_1, EXCLUDED.stars_2, EXCLUDED.stars_3,
                     EXCLUDED.stars_4, EXCLUDED.stars_5, EXCLUDED.with_photos);
WITH target AS ({target})
UPDATE catalog_listing l SET rating_avg = lr.average, rating_count = lr.count
FROM reviews_listingrating lr
WHERE lr.listing_id = l.id AND l.id IN (SELECT listing_id FROM target)
  AND (l.rating_avg, l.rating_count) IS DISTINCT FROM (lr.average, lr.count);
"""
LISTING_TARGET_IDS = "SELECT id AS listing_id FROM catalog_listing WHERE id = ANY(%(ids)s)"
LISTING_TARGET_ALL = (
    "SELECT DISTINCT listing_id FROM reviews_productreview UNION SELECT id FROM catalog_listing WHERE rating_count > 0"
)


def recompute_listings(*, listing_ids: list[int] | None = None, now=None) -> None:
    """Average, count and distribution of published reviews per listing; None: every listing that has any."""
    target = LISTING_TARGET_ALL if listing_ids is None else LISTING_TARGET_IDS
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in LISTING_SQL.format(target=target).split(";"):
            if statement.strip():
                cursor.execute(statement, {"ids": listing_ids or [], "now": now or timezone.now()})


# Seller rating -----------------------------------------------------------------------------------------------------

SELLER_SQL = """
WITH target AS ({target}),
pr AS (
    SELECT r.seller_id,
           COUNT(*) AS cnt, COALESCE(ROUND(AVG(r.stars)::numeric, 2), 0) AS average,
           COUNT(*) FILTER (WHERE r.stars = 1) AS s1, COUNT(*) FILTER (WHERE r.stars = 2) AS s2,
           COUNT(*) FILTER (WHERE r.stars = 3) AS s3, COUNT(*) FILTER (WHERE r.stars = 4) AS s4,
           COUNT(*) FILTER (WHERE r.stars = 5) AS s5,
           COUNT(*) FILTER (WHERE r.created_at >= %(since_score)s) AS y_cnt,
           COALESCE(SUM(r.stars) FILTER (WHERE r.created_at >= %(since_score)s), 0) AS y_sum
    FROM reviews_productreview r JOIN target t ON t.seller_id = r.seller_id
    WHERE r.status = 'published' AND r.created_at <= %(now)s
    GROUP BY r.seller_id
),
sr AS (
    SELECT r.seller_id, COUNT(*) AS y_cnt, SUM(r.service_stars) AS y_sum
    FROM reviews_sellerreview r JOIN target t ON t.seller_id = r.seller_id
    WHERE r.status = 'published' AND r.created_at >= %(since_score)s AND r.created_at <= %(now)s
    GROUP BY r.seller_id
),
ranked AS (
    SELECT o.id, o.seller_id, o.paid_at,
           ROW_NUMBER() OVER (PARTITION BY o.seller_id ORDER BY o.paid_at DESC, o.id DESC) AS rn
    FROM orders_order o JOIN target t ON t.seller_id = o.seller_id
    WHERE o.paid_at IS NOT NULL AND o.paid_at <= %(now)s
),
win AS (SELECT id, seller_id FROM ranked WHERE paid_at >= %(since_window)s OR rn <= %(min_orders)s),
wagg AS (SELECT seller_id, COUNT(*) AS n FROM win GROUP BY seller_id),
conv AS (
    SELECT c.seller_id, c.first_buyer_message_at AS asked,
           COALESCE(c.seller_first_reply_seconds, EXTRACT(EPOCH FROM %(now)s - c.first_buyer_message_at)) AS secs,
           ROW_NUMBER() OVER (PARTITION BY c.seller_id ORDER BY c.first_buyer_message_at DESC, c.id DESC) AS rn
    FROM disputes_conversation c JOIN target t ON t.seller_id = c.seller_id
    WHERE c.first_buyer_message_at IS NOT NULL AND c.first_buyer_message_at <= %(now)s
),
reply AS (
    SELECT seller_id, COUNT(*) AS m, ROUND((percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) / 60)::numeric)::int AS median
    FROM conv WHERE asked >= %(since_window)s OR rn <= %(min_orders)s
    GROUP BY seller_id
),
inc AS (
    SELECT w.seller_id, COUNT(*) AS k,
           SUM(CASE i.kind {weights} ELSE 1.0 END) AS weight,
           COUNT(*) FILTER (WHERE i.kind = 'late_shipment') AS late,
           COUNT(*) FILTER (WHERE i.kind = 'seller_cancellation') AS cancelled
    FROM orders_incident i
    JOIN win w ON w.id = i.order_id
    LEFT JOIN reviews_incidentappeal a ON a.incident_id = i.id AND a.struck_at IS NOT NULL
    WHERE a.id IS NULL AND i.created_at <= %(now)s
    GROUP BY w.seller_id
),
calc AS (
    SELECT t.seller_id,
           COALESCE(pr.average, 0) AS average, COALESCE(pr.cnt, 0) AS cnt,
           COALESCE(pr.s1, 0) AS s1, COALESCE(pr.s2, 0) AS s2, COALESCE(pr.s3, 0) AS s3,
           COALESCE(pr.s4, 0) AS s4, COALESCE(pr.s5, 0) AS s5,
           COALESCE(pr.y_cnt, 0) + COALESCE(sr.y_cnt, 0) AS scored,
           ROUND((%(prior_mean)s * %(prior_weight)s + COALESCE(pr.y_sum, 0) + COALESCE(sr.y_sum, 0))::numeric
                 / (%(prior_weight)s + COALESCE(pr.y_cnt, 0) + COALESCE(sr.y_cnt, 0)), 2) AS score,
           COALESCE(wagg.n, 0) AS n, COALESCE(inc.k, 0) AS k, COALESCE(inc.weight, 0) AS weight,
           COALESCE(inc.cancelled, 0) AS cancelled,
           COALESCE(reply.m, 0) AS m, reply.median AS reply_median,
           CASE WHEN COALESCE(reply.m, 0) < %(reply_min)s THEN 0
                WHEN reply.median > %(reply_late_minutes)s THEN %(reply_late_points)s
                WHEN reply.median > %(reply_minutes)s THEN %(reply_points)s ELSE 0 END AS deduction,
           CASE WHEN COALESCE(wagg.n, 0) = 0 THEN NULL
                ELSE ROUND(100.0 * (wagg.n - COALESCE(inc.late, 0)) / wagg.n)::int END AS on_time
    FROM target t
    LEFT JOIN pr ON pr.seller_id = t.seller_id
    LEFT JOIN sr ON sr.seller_id = t.seller_id
    LEFT JOIN wagg ON wagg.seller_id = t.seller_id
    LEFT JOIN inc ON inc.seller_id = t.seller_id
    LEFT JOIN reply ON reply.seller_id = t.seller_id
),
indexed AS (
    SELECT calc.*,
           CASE WHEN n = 0 THEN NULL ELSE GREATEST(0, ROUND(100 - %(penalty)s * weight / n - deduction))::int END AS qi
    FROM calc
),
banded AS (
    SELECT indexed.*,
           CASE WHEN qi IS NULL THEN 'new' WHEN qi >= %(excellent_from)s THEN 'excellent'
                WHEN qi >= %(good_from)s THEN 'good' WHEN qi >= %(at_risk_from)s THEN 'at_risk'
                ELSE 'critical' END AS band
    FROM indexed
)
INSERT INTO reviews_sellerrating
    (seller_id, average, count, stars_1, stars_2, stars_3, stars_4, stars_5, scored_reviews, customer_score,
     orders_in_window, incidents_in_window, incident_weight, cancellations_in_window, conversations_in_window,
     reply_median_minutes, reply_deduction, quality_index, on_time_percent, band, is_reliable, formula_version,
     computed_at)
SELECT seller_id, average, cnt, s1, s2, s3, s4, s5, scored, score, n, k, weight, cancelled, m, reply_median,
       deduction, qi, on_time, band,
       (band = 'excellent' AND score >= %(reliable_score)s AND scored >= %(reliable_reviews)s
        AND n >= %(reliable_orders)s),
       %(version)s, %(now)s
FROM banded
ON CONFLICT (seller_id) DO UPDATE SET
    average = EXCLUDED.average, count = EXCLUDED.count, stars_1 = EXCLUDED.stars_1, stars_2 = EXCLUDED.stars_2,
    stars_3 = EXCLUDED.stars_3, stars_4 = EXCLUDED.stars_4, stars_5 = EXCLUDED.stars_5,
    scored_reviews = EXCLUDED.scored_reviews, customer_score = EXCLUDED.customer_score,
    orders_in_window = EXCLUDED.orders_in_window, incidents_in_window = EXCLUDED.incidents_in_window,
    incident_weight = EXCLUDED.incident_weight, cancellations_in_window = EXCLUDED.cancellations_in_window,
    conversations_in_window = EXCLUDED.conversations_in_window,
    reply_median_minutes = EXCLUDED.reply_median_minutes, reply_deduction = EXCLUDED.reply_deduction,
    quality_index = EXCLUDED.quality_index, on_time_percent = EXCLUDED.on_time_percent, band = EXCLUDED.band, is_reliable = EXCLUDED.is_reliable,
    formula_version = EXCLUDED.formula_version, computed_at = EXCLUDED.computed_at
WHERE (reviews_sellerrating.average, reviews_sellerrating.count, reviews_sellerrating.stars_1,
       reviews_sellerrating.stars_2, reviews_sellerrating.stars_3, reviews_sellerrating.stars_4,
       reviews_sellerrating.stars_5, reviews_sellerrating.scored_reviews, reviews_sellerrating.customer_score,
       reviews_sellerrating.orders_in_window, reviews_sellerrating.incidents_in_window,
       reviews_sellerrating.incident_weight, reviews_sellerrating.cancellations_in_window,
       reviews_sellerrating.conversations_in_window,
       reviews_sellerrating.reply_median_minutes, reviews_sellerrating.reply_deduction,
       reviews_sellerrating.quality_index, reviews_sellerrating.on_time_percent, reviews_sellerrating.band,
       reviews_sellerrating.is_reliable, reviews_sellerrating.formula_version)
   IS DISTINCT FROM (EXCLUDED.average, EXCLUDED.count, EXCLUDED.stars_1, EXCLUDED.stars_2, EXCLUDED.stars_3,
       EXCLUDED.stars_4, EXCLUDED.stars_5, EXCLUDED.scored_reviews, EXCLUDED.customer_score,
       EXCLUDED.orders_in_window, EXCLUDED.incidents_in_window, EXCLUDED.incident_weight,
       EXCLUDED.cancellations_in_window, EXCLUDED.conversations_in_window, EXCLUDED.reply_median_minutes, EXCLUDED.reply_deduction,
       EXCLUDED.quality_index, EXCLUDED.on_time_percent, EXCLUDED.band, EXCLUDED.is_reliable,
       EXCLUDED.formula_version);
WITH target AS ({target})
INSERT INTO reviews_sellerratinghistory (seller_id, day, customer_score, quality_index, band, formula_version)
SELECT r.seller_id, %(day)s, r.customer_score, r.quality_index, r.band, r.formula_version
FROM reviews_sellerrating r JOIN target t ON t.seller_id = r.seller_id
ON CONFLICT (seller_id, day) DO UPDATE SET
    customer_score = EXCLUDED.customer_score, quality_index = EXCLUDED.quality_index, band = EXCLUDED.band,
    formula_version = EXCLUDED.formula_version
WHERE (reviews_sellerratinghistory.customer_score, reviews_sellerratinghistory.quality_index,
       reviews_sellerratinghistory.band, reviews_sellerratinghistory.formula_version)
   IS DISTINCT FROM (EXCLUDED.customer_score, EXCLUDED.quality_index, EXCLUDED.band, EXCLUDED.formula_version);
"""
SELLER_TARGET_IDS = "SELECT id AS seller_id FROM sellers_seller WHERE id = ANY(%(ids)s)"
SELLER_TARGET_ALL = "SELECT id AS seller_id FROM sellers_seller"


def _seller_sql(target: str) -> str:
    weights = " ".join(f"WHEN '{kind}' THEN {weight}" for kind, weight in INCIDENT_WEIGHTS.items())
    return SELLER_SQL.format(target=target, weights=weights)


@transaction.atomic
def recompute_sellers(*, seller_ids: list[int] | None = None, now=None) -> None:
    """Recompute the rating and today's history row of these sellers (None: all) from reviews and incidents,
    under the seller standards in force."""
    now = now or timezone.now()
    standards = seller_standards()
    before = SellerRating.objects.all() if seller_ids is None else SellerRating.objects.filter(seller_id__in=seller_ids)
    was_critical = set(before.filter(band=Band.CRITICAL).values_list("seller_id", flat=True))
    params = {
        "ids": seller_ids or [],
        "now": now,
        "day": timezone.localdate(now),
        "since_score": now - timedelta(days=SCORE_DAYS),
        "since_window": now - timedelta(days=WINDOW_DAYS),
        "min_orders": WINDOW_MIN_ORDERS,
        "prior_mean": PRIOR_MEAN,
        "prior_weight": PRIOR_WEIGHT,
        "penalty": PENALTY,
        "reply_min": REPLY_MIN_CONVERSATIONS,
        "reliable_score": standards.reliable_min_score,
        "reliable_reviews": standards.reliable_min_reviews,
        "reliable_orders": standards.reliable_min_orders,
        "excellent_from": standards.excellent_from,
        "good_from": standards.good_from,
        "at_risk_from": standards.at_risk_from,
        "reply_minutes": standards.reply_hours * 60,
        "reply_points": standards.reply_points,
        "reply_late_minutes": standards.reply_late_hours * 60,
        "reply_late_points": standards.reply_late_points,
        "version": FORMULA_VERSION,
    }
    target = SELLER_TARGET_ALL if seller_ids is None else SELLER_TARGET_IDS
    with connection.cursor() as cursor:
        for statement in _seller_sql(target).split(";"):
            if statement.strip():
                cursor.execute(statement, params)
    after = SellerRating.objects.all() if seller_ids is None else SellerRating.objects.filter(seller_id__in=seller_ids)
    for rating in after.filter(band=Band.CRITICAL).exclude(seller_id__in=was_critical).select_related("seller__user"):
        _fell_into_critical(rating)


@transaction.atomic
def decide_rating_flag(*, flag: RatingFlag, actor, decision: str) -> RatingFlag:
    """A moderator records what was decided about a seller who fell into the critical band (a sanction itself goes
    through the sellers' sanction flow). Who and when are taken from the call, and a decided flag stays decided."""
    decision = (decision or "").strip()
    if not decision:
        raise DomainError(gettext_lazy("Write what was decided."))
    flag = RatingFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.decided_at is not None:
        raise DomainError(gettext_lazy("This flag has already been decided."))
    flag.decision, flag.decided_by, flag.decided_at = decision, actor, timezone.now()
    flag.save(update_fields=["decision", "decided_by", "decided_at"])
    return flag


def _fell_into_critical(rating: SellerRating) -> None:
    """The seller hears it at once; moderators get a flag with a proposed sanction and decide."""
    RatingFlag.objects.bulk_create(
        [
            RatingFlag(
                seller=rating.seller,
                quality_index=rating.quality_index,
                proposed_sanction="warning" if (rating.quality_index or 0) >= 30 else "restriction",
            )
        ],
        ignore_conflicts=True,
    )
    notifications.notify(
        recipient=rating.seller.user,
        kind="rating_critical",
        context={"quality_index": rating.quality_index},
        dedupe_key=f"rating_critical:{rating.seller_id}:{timezone.localdate().isoformat()}",
    )


def recompute_all(*, now=None) -> None:
    """Nightly: every listing with reviews and every seller, from the source."""
    recompute_listings(listing_ids=None, now=now)
    recompute_sellers(seller_ids=None, now=now)


def request_recompute_for_new_incidents(*, since_minutes: int = 90) -> int:
    """Orders record incidents and messaging records first replies without knowing about ratings: pick up
    the sellers with recent ones (a buyer's new question or the seller's reply moves the reply-time median)."""
    from disputes.models import Conversation
    from orders.models import Incident

    since = timezone.now() - timedelta(minutes=since_minutes)
    seller_ids = set(Incident.objects.filter(created_at__gte=since).values_list("seller_id", flat=True))
    seller_ids |= set(
        Conversation.objects.filter(last_message_at__gte=since, first_buyer_message_at__isnull=False).values_list(
            "seller_id", flat=True
        )
    )
    for seller_id in sorted(seller_ids):
        request_recompute(seller_id=seller_id)
    return len(seller_ids)
