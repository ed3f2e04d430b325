"""Risk signals (spec 158): the beat computes patterns and lists them for moderators; nothing acts automatically.

Each rule returns findings (subject, evidence, score, summary); `compute_risk_signals` stores them, one row per
(kind, subject, period). A rerun in the same period refreshes the evidence and score and keeps a dismissal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from buyers.models import Address
from marketplace.core.exceptions import InvalidTransition
from orders.models import CancelledBy, Order, OrderGroup, ReturnRequest
from reviews.models import ProductReview, SellerReview
from sellers.models import Seller, TeamMember

from ..models import Dispute, Message, RiskSignal, RiskSignalKind, RiskSignalStatus

# Thresholds (small, explicit numbers: the signals only ask a moderator to look).
CANCELLATION_WINDOW_DAYS = 7
CANCELLATION_BASELINE_DAYS = 30
CANCELLATION_MIN_ORDERS = 5
CANCELLATION_MIN_RATE = Decimal("0.20")
CANCELLATION_SPIKE_FACTOR = 2
NEW_SELLER_DAYS = 30
LARGE_ORDER_WINDOW_DAYS = 7
LARGE_ORDER_MIN_TOTAL = Decimal("50000.00")
LARGE_ORDER_FACTOR = 5  # times the platform's average paid order over the last 90 days
BUYER_WINDOW_DAYS = 90
BUYER_MIN_CASES = 3
REVIEW_BURST_MIN = 5
REVIEW_BURST_FACTOR = 5  # times the seller's daily average over the previous 30 days
SHARED_DATA_WINDOW_DAYS = 30
CONTACT_WINDOW_DAYS = 7
CONTACT_MIN_MESSAGES = 2
MAX_EVIDENCE = 20


@dataclass
class Finding:
    kind: str
    summary: str
    score: int
    period: str
    seller: Seller | None = None
    user_id: int | None = None
    evidence: list[dict] = field(default_factory=list)


def _item(model: str, pk: int, label: str) -> dict:
    return {"model": model, "id": pk, "label": str(label)}


def _week(now: datetime) -> str:
    year, week, _day = timezone.localtime(now).isocalendar()
    return f"{year}-W{week:02d}"


def _day(now: datetime) -> str:
    return timezone.localtime(now).date().isoformat()


def _month(now: datetime) -> str:
    return timezone.localtime(now).strftime("%Y-%m")


def _score(value: float) -> int:
    return max(0, min(100, round(value)))


# Rules ----------------------------------------------------------------------------------------------------


SELLER_FAULT = (CancelledBy.SELLER, CancelledBy.DEADLINE)


def cancellation_spikes(now: datetime) -> list[Finding]:
    """A seller's share of paid orders cancelled through their fault this week is high and at least twice the
    share of the month before."""
    recent_from = now - timedelta(days=CANCELLATION_WINDOW_DAYS)
    baseline_from = recent_from - timedelta(days=CANCELLATION_BASELINE_DAYS)
    cancelled = Q(cancelled_by__in=SELLER_FAULT)
    rows = (
        Order.objects.filter(paid_at__isnull=False, created_at__gte=baseline_from, created_at__lte=now)
        .values("seller_id")
        .annotate(
            recent=Count("pk", filter=Q(created_at__gte=recent_from)),
            recent_cancelled=Count("pk", filter=Q(created_at__gte=recent_from) & cancelled),
            baseline=Count("pk", filter=Q(created_at__lt=recent_from)),
            baseline_cancelled=Count("pk", filter=Q(created_at__lt=recent_from) & cancelled),
        )
        .filter(recent__gte=CANCELLATION_MIN_ORDERS, recent_cancelled__gt=0)
    )
    findings = []
    for row in rows:
        rate = Decimal(row["recent_cancelled"]) / row["recent"]
        base = Decimal(row["baseline_cancelled"]) / row["baseline"] if row["baseline"] else Decimal(0)
        if rate < CANCELLATION_MIN_RATE or rate < base * CANCELLATION_SPIKE_FACTOR:
            continue
        orders = Order.objects.filter(
            seller_id=row["seller_id"], paid_at__isnull=False, created_at__gte=recent_from, created_at__lte=now
        ).filter(cancelled)
        findings.append(
            Finding(
                kind=RiskSignalKind.CANCELLATION_SPIKE,
                seller=Seller.objects.get(pk=row["seller_id"]),
                period=_week(now),
                score=_score(rate * 100),
                summary=gettext(
                    "%(cancelled)d of %(total)d orders in %(days)d days cancelled through the seller's fault "
                    "(%(rate)d%%; the month before: %(base)d%%)."
                )
                % {
                    "cancelled": row["recent_cancelled"],
                    "total": row["recent"],
                    "days": CANCELLATION_WINDOW_DAYS,
                    "rate": round(rate * 100),
                    "base": round(base * 100),
                },
                evidence=[_item("orders.order", order.pk, order.number) for order in orders[:MAX_EVIDENCE]],
            )
        )
    return findings


def large_orders_at_new_sellers(now: datetime) -> list[Finding]:
    """A seller on the platform for less than 30 days received paid orders far above the platform's average."""
    average = Order.objects.filter(paid_at__gte=now - timedelta(days=90), paid_at__lte=now).aggregate(
        value=Avg("total")
    )["value"] or Decimal(0)
    threshold = max(LARGE_ORDER_MIN_TOTAL, Decimal(average) * LARGE_ORDER_FACTOR)
    orders = (
        Order.objects.filter(
            seller__approved_at__gte=now - timedelta(days=NEW_SELLER_DAYS),
            paid_at__gte=now - timedelta(days=LARGE_ORDER_WINDOW_DAYS),
            paid_at__lte=now,
            total__gte=threshold,
        )
        .select_related("seller")
        .order_by("seller_id", "-total", "pk")
    )
    by_seller: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_seller[order.seller_id].append(order)
    return [
        Finding(
            kind=RiskSignalKind.NEW_SELLER_LARGE_ORDERS,
            seller=found[0].seller,
            period=_week(now),
            score=_score(40 + 15 * len(found)),
            summary=gettext(
                "%(count)d orders of %(threshold)s ₽ or more in %(days)d days at a seller on the platform since "
                "%(since)s (the largest: %(largest)s ₽)."
            )
            % {
                "count": len(found),
                "threshold": f"{threshold:.0f}",
                "days": LARGE_ORDER_WINDOW_DAYS,
                "since": timezone.localtime(found[0].seller.approved_at).date().isoformat(),
                "largest": f"{found[0].total:.0f}",
            },
            evidence=[_item("orders.order", order.pk, f"{order.number}: {order.total:.0f} ₽") for order in found][
                :MAX_EVIDENCE
            ],
        )
        for found in by_seller.values()
    ]


def buyers_with_many_disputes_or_returns(now: datetime) -> list[Finding]:
    """A buyer opened three or more disputes and return requests together in 90 days."""
    since = now - timedelta(days=BUYER_WINDOW_DAYS)
    cases: dict[int, list[dict]] = defaultdict(list)
    for dispute in Dispute.objects.filter(created_at__gte=since, created_at__lte=now).order_by("pk"):
        cases[dispute.buyer_id].append(_item("disputes.dispute", dispute.pk, dispute.number))
    for request in ReturnRequest.objects.filter(created_at__gte=since, created_at__lte=now).order_by("pk"):
        cases[request.buyer_id].append(_item("orders.returnrequest", request.pk, f"R{request.pk}"))
    return [
        Finding(
            kind=RiskSignalKind.BUYER_DISPUTES_RETURNS,
            user_id=buyer_id,
            period=_week(now),
            score=_score(20 * len(items)),
            summary=gettext("%(count)d disputes and return requests in %(days)d days.")
            % {"count": len(items), "days": BUYER_WINDOW_DAYS},
            evidence=items[:MAX_EVIDENCE],
        )
        for buyer_id, items in cases.items()
        if len(items) >= BUYER_MIN_CASES
    ]


def review_bursts(now: datetime) -> list[Finding]:
    """A seller received five or more reviews in 24 hours, at least five times their usual daily number."""
    day_from = now - timedelta(days=1)
    baseline_from = day_from - timedelta(days=30)
    recent: dict[int, list[dict]] = defaultdict(list)
    baseline: dict[int, int] = defaultdict(int)
    for model, label in ((ProductReview, "reviews.productreview"), (SellerReview, "reviews.sellerreview")):
        for review in model.objects.filter(created_at__gte=day_from, created_at__lte=now).order_by("pk"):
            recent[review.seller_id].append(_item(label, review.pk, f"{review._meta.verbose_name} #{review.pk}"))
        for row in (
            model.objects.filter(created_at__gte=baseline_from, created_at__lt=day_from)
            .values("seller_id")
            .annotate(count=Count("pk"))
        ):
            baseline[row["seller_id"]] += row["count"]
    findings = []
    for seller_id, items in recent.items():
        daily = Decimal(baseline[seller_id]) / 30
        if len(items) < REVIEW_BURST_MIN or len(items) < daily * REVIEW_BURST_FACTOR:
            continue
        findings.append(
            Finding(
                kind=RiskSignalKind.REVIEW_BURST,
                seller=Seller.objects.get(pk=seller_id),
                period=_day(now),
                score=_score(10 * len(items)),
                summary=gettext("%(count)d reviews in 24 hours (usually %(daily)s a day).")
                % {"count": len(items), "daily": f"{daily:.1f}"},
                evidence=items[:MAX_EVIDENCE],
            )
        )
    return findings


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits if len(digits) >= 10 else ""


def _address(value: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (value or "").lower()).split())


def _team_user_ids(seller: Seller) -> set[int]:
    ids = set(TeamMember.objects.filter(seller=seller).values_list("user_id", flat=True))
    ids.add(seller.user_id)
    return ids


def accounts_sharing_data_with_sellers(now: datetime) -> list[Finding]:
    """Buyers whose delivery phone or address is the seller's own (the contact phone, a team member's phone or
    address book, or an address the team had delivered to itself): possible self-purchases. Payments carry no
    card fingerprint on our side, so phones and addresses are the shared data we can compare."""
    since = now - timedelta(days=SHARED_DATA_WINDOW_DAYS)
    orders = (
        Order.objects.filter(paid_at__gte=since, paid_at__lte=now)
        .select_related("group", "seller", "buyer")
        .order_by("seller_id", "pk")
    )
    by_seller: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_seller[order.seller_id].append(order)
    findings = []
    for orders_of_seller in by_seller.values():
        seller = orders_of_seller[0].seller
        team = _team_user_ids(seller)
        phones = {_phone(seller.contact_phone)}
        phones |= {_phone(phone) for phone in Address.objects.filter(user_id__in=team).values_list("phone", flat=True)}
        phones |= {
            _phone(phone) for phone in get_user_model().objects.filter(pk__in=team).values_list("phone", flat=True)
        }
        phones.discard("")
        addresses = {_address(seller.legal_address)}
        addresses |= {
            _address(address.one_line()) for address in Address.objects.filter(user_id__in=team).order_by("pk")
        }
        addresses |= {
            _address(value) for value in OrderGroup.objects.filter(buyer_id__in=team).values_list("address", flat=True)
        }
        addresses.discard("")
        matched = [
            order
            for order in orders_of_seller
            if order.buyer_id not in team
            and (_phone(order.group.recipient_phone) in phones or _address(order.group.address) in addresses)
        ]
        if not matched:
            continue
        buyers = {order.buyer_id for order in matched}
        findings.append(
            Finding(
                kind=RiskSignalKind.SHARED_DATA,
                seller=seller,
                period=_month(now),
                score=_score(40 + 20 * len(buyers)),
                summary=gettext(
                    "%(buyers)d buyer accounts with the seller's phone or address placed %(orders)d orders."
                )
                % {"buyers": len(buyers), "orders": len(matched)},
                evidence=(
                    list(
                        {
                            order.buyer_id: _item("accounts.user", order.buyer_id, order.buyer.email)
                            for order in matched
                        }.values()
                    )
                    + [_item("orders.order", order.pk, order.number) for order in matched]
                )[:MAX_EVIDENCE],
            )
        )
    return findings


def repeated_contact_sharing(now: datetime) -> list[Finding]:
    """A user's messages were flagged for contact details twice or more in 7 days."""
    messages = Message.objects.filter(
        is_flagged=True, created_at__gte=now - timedelta(days=CONTACT_WINDOW_DAYS), created_at__lte=now
    ).order_by("pk")
    by_sender: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        by_sender[message.sender_id].append(message)
    return [
        Finding(
            kind=RiskSignalKind.CONTACT_SHARING,
            user_id=sender_id,
            period=_week(now),
            score=_score(30 * len(found)),
            summary=gettext("%(count)d messages with contact details in %(days)d days.")
            % {"count": len(found), "days": CONTACT_WINDOW_DAYS},
            evidence=[
                _item("disputes.message", message.pk, f"{message.flag_reason}: {message.text[:60]}")
                for message in found
            ][:MAX_EVIDENCE],
        )
        for sender_id, found in by_sender.items()
        if len(found) >= CONTACT_MIN_MESSAGES
    ]


RULES = (
    cancellation_spikes,
    large_orders_at_new_sellers,
    buyers_with_many_disputes_or_returns,
    review_bursts,
    accounts_sharing_data_with_sellers,
    repeated_contact_sharing,
)


# Storing and moderating ---------------------------------------------------------------------------------


@transaction.atomic
def record_finding(finding: Finding, *, now: datetime) -> RiskSignal:
    """Insert or refresh the (kind, subject, period) row; a dismissed row stays dismissed."""
    subject = {"subject_seller": finding.seller} if finding.seller else {"subject_user_id": finding.user_id}
    signal, _created = RiskSignal.objects.update_or_create(
        kind=finding.kind,
        period=finding.period,
        **subject,
        defaults={
            "summary": finding.summary[:300],
            "evidence": finding.evidence,
            "score": finding.score,
            "computed_at": now,
        },
    )
    return signal


def compute_risk_signals(*, now: datetime | None = None) -> int:
    """Run every rule and store what it found; returns the number of signals written or refreshed."""
    now = now or timezone.now()
    count = 0
    for rule in RULES:
        for finding in rule(now):
            record_finding(finding, now=now)
            count += 1
    return count


def _require_moderator(actor) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm("disputes.change_risksignal")):
        raise PermissionDenied


@transaction.atomic
def dismiss_signal(*, signal: RiskSignal, actor) -> RiskSignal:
    """A moderator looked and found nothing to act on; the signal leaves the queue (a rerun does not reopen it)."""
    _require_moderator(actor)
    signal = RiskSignal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != RiskSignalStatus.OPEN:
        raise InvalidTransition(signal.status, RiskSignalStatus.DISMISSED)
    RiskSignal.objects.filter(pk=signal.pk).update(
        status=RiskSignalStatus.DISMISSED, dismissed_by=actor, dismissed_at=timezone.now()
    )
    signal.refresh_from_db()
    return signal


@transaction.atomic
def reopen_signal(*, signal: RiskSignal, actor) -> RiskSignal:
    _require_moderator(actor)
    signal = RiskSignal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != RiskSignalStatus.DISMISSED:
        raise InvalidTransition(signal.status, RiskSignalStatus.OPEN)
    RiskSignal.objects.filter(pk=signal.pk).update(status=RiskSignalStatus.OPEN, dismissed_by=None, dismissed_at=None)
    signal.refresh_from_db()
    return signal
