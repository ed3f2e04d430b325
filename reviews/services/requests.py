"""Review requests: a deadline row per delivered order that beat scans; one reminder at most, none after a return."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from marketplace.notifications import services as notifications
from orders.models import ReturnRequest
from reviews.models import ProductReview, ReviewRequest

SCHEDULE_SQL = """
INSERT INTO reviews_reviewrequest (order_id, buyer_id, due_at, outcome)
SELECT o.id, o.buyer_id, o.delivered_at + make_interval(days => %(days)s), ''
FROM orders_order o
WHERE o.status IN ('delivered', 'completed') AND o.delivered_at >= %(since)s
ON CONFLICT (order_id) DO NOTHING
"""


def schedule_review_requests(*, now=None) -> int:
    """Make the deadline rows for orders delivered recently (idempotent: one row per order)."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            SCHEDULE_SQL,
            {"days": settings.MARKETPLACE_REVIEW_REQUEST_DAYS, "since": now - timedelta(days=60)},
        )
        return cursor.rowcount


def _close(request: ReviewRequest, outcome: str, now) -> None:
    ReviewRequest.objects.filter(pk=request.pk).update(closed_at=now, outcome=outcome)


@transaction.atomic
def process_review_request(*, request_id: int, now=None) -> str:
    """Send the request, or the single reminder, once; close it after a return or once reviewed."""
    now = now or timezone.now()
    request = (
        ReviewRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("order", "buyer")
        .filter(pk=request_id, closed_at__isnull=True)
        .first()
    )
    if request is None:
        return "skipped"
    order = request.order
    if ReturnRequest.objects.filter(order=order).exists():
        _close(request, "returned", now)
        return "returned"
    if ProductReview.objects.filter(order=order).exists():
        _close(request, "reviewed", now)
        return "reviewed"
    context = {"order_id": order.pk, "number": order.number}
    if request.sent_at is None:
        if request.due_at > now:
            return "not_due"
        notifications.notify(
            recipient=request.buyer, kind="review_request", context=context, dedupe_key=f"review_request:{order.pk}"
        )
        ReviewRequest.objects.filter(pk=request.pk).update(sent_at=now)
        return "sent"
    if request.sent_at + timedelta(days=settings.MARKETPLACE_REVIEW_REMINDER_DAYS) > now:
        return "not_due"
    notifications.notify(
        recipient=request.buyer, kind="review_reminder", context=context, dedupe_key=f"review_reminder:{order.pk}"
    )
    ReviewRequest.objects.filter(pk=request.pk).update(reminded_at=now, closed_at=now, outcome="reminded")
    return "reminded"


def send_due_review_requests(*, now=None, limit: int = 500) -> int:
    now = now or timezone.now()
    reminder_before = now - timedelta(days=settings.MARKETPLACE_REVIEW_REMINDER_DAYS)
    due = (
        ReviewRequest.objects.filter(closed_at__isnull=True, due_at__lte=now)
        .filter(sent_at__isnull=True)
        .values_list("pk", flat=True)[:limit]
    )
    reminders = ReviewRequest.objects.filter(
        closed_at__isnull=True, sent_at__isnull=False, sent_at__lte=reminder_before
    ).values_list("pk", flat=True)[:limit]
    count = 0
    for request_id in [*due, *reminders]:
        if process_review_request(request_id=request_id, now=now) in ("sent", "reminded"):
            count += 1
    return count
