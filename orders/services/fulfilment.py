"""Fulfilment: confirm, ship, deliver, complete (money released), cancel (money back), and deadlines."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import services as catalog_services
from marketplace.core.exceptions import InvalidTransition
from marketplace.ledger import services as ledger

from .. import policies
from ..exceptions import InvalidTracking
from ..models import (
    OPEN_RETURN_STATUSES,
    CancelledBy,
    Deadline,
    DeadlineKind,
    IncidentKind,
    Order,
    OrderStatus,
)
from .common import change_order_status, close_deadline, notify_buyer, notify_seller, record_incident, set_deadline

TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{4,40}$")


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update(no_key=True).select_related("seller__user", "buyer").get(pk=order.pk)


def held_for(order: Order) -> Decimal:
    """What escrow still holds for the order (0 before payment)."""
    from marketplace.ledger.models import LedgerReference

    reference = LedgerReference.objects.filter(key=order.ledger_reference).first()
    if reference is None:
        return Decimal("0.00")
    return ledger.reference_totals(reference=reference).held


def _max_rate(order: Order) -> Decimal:
    return max((line.commission_rate for line in order.lines.all()), default=Decimal("0"))


@transaction.atomic
def confirm_order(*, order: Order, actor) -> Order:
    """The seller accepts a paid order and commits to ship it by the ship-by date."""
    order = _locked(order)
    if not policies.works_for_seller(actor, order.seller_id):
        raise PermissionDenied
    if change_order_status(order=order, to=OrderStatus.CONFIRMED, actor=actor, reason="confirmed by the seller"):
        close_deadline(order=order, kind=DeadlineKind.CONFIRM, outcome="confirmed")
        notify_buyer(order, "order_confirmed")
    return order


def bulk_confirm(*, orders, actor) -> int:
    """Confirm several paid orders; each in its own transaction. Returns how many changed."""
    count = 0
    for order in orders:
        if policies.can_confirm_order(actor, order):
            confirm_order(order=order, actor=actor)
            count += 1
    return count


@transaction.atomic
def ship_order(*, order: Order, actor, carrier: str, tracking_number: str) -> Order:
    """The parcel left: stock leaves the warehouse, the buyer gets tracking, delivery is counted in N days."""
    order = _locked(order)
    if not policies.works_for_seller(actor, order.seller_id):
        raise PermissionDenied
    tracking_number = tracking_number.strip()
    carrier = carrier.strip()
    if not TRACKING_RE.fullmatch(tracking_number):
        raise InvalidTracking()
    if not carrier or len(carrier) > 60 or "<" in carrier or ">" in carrier:
        raise InvalidTracking(_("Name the carrier (up to 60 characters, no angle brackets)."))
    if order.status == OrderStatus.PAID:  # shipping a paid order confirms it on the way
        confirm_order(order=order, actor=actor)
    if change_order_status(order=order, to=OrderStatus.SHIPPED, actor=actor, reason=f"{carrier} {tracking_number}"):
        Order.objects.filter(pk=order.pk).update(carrier=carrier, tracking_number=tracking_number)
        order.carrier, order.tracking_number = carrier, tracking_number
        for line in sorted(order.lines.all(), key=lambda line: line.variant_id):
            catalog_services.ship_stock(variant_id=line.variant_id, quantity=line.quantity)
        close_deadline(order=order, kind=DeadlineKind.SHIP, outcome="late" if order.is_late else "shipped")
        set_deadline(
            order=order,
            kind=DeadlineKind.AUTO_DELIVER,
            due_at=timezone.now() + timedelta(days=settings.MARKETPLACE_ORDER_AUTO_DELIVER_DAYS),
        )
        notify_buyer(order, "order_shipped", carrier=carrier, tracking_number=tracking_number)
    return order


def return_window_days(order: Order) -> int:
    """Non-defective goods: max(7 days, the category's period, the seller's policy) as frozen on the lines,
    unless non-returnable; without the written notice at least 3 months (ЗоЗПП art. 26.1)."""
    days = [line.window_days for line in order.lines.all()]
    all_non_returnable = bool(days) and all(day == 0 for day in days)
    window = 0 if all_non_returnable else max([settings.MARKETPLACE_ORDER_MIN_RETURN_DAYS, *days])
    if not order.return_notice_given:
        return max(settings.MARKETPLACE_ORDER_NO_NOTICE_RETURN_DAYS, window)
    return window


@transaction.atomic
def confirm_delivery(*, order: Order, actor=None, automatic: bool = False) -> Order:
    """The buyer got the parcel (or N days passed): the return window starts; completion is scheduled."""
    order = _locked(order)
    if not automatic and not policies.is_buyer(actor, order):
        raise PermissionDenied
    reason = "delivery counted automatically" if automatic else "delivery confirmed by the buyer"
    if change_order_status(order=order, to=OrderStatus.DELIVERED, actor=actor, reason=reason):
        # The delivery message carries the written return notice (ЗоЗПП art. 26.1).
        order.return_notice_given = True
        days = return_window_days(order)
        ends = order.delivered_at + timedelta(days=days)
        Order.objects.filter(pk=order.pk).update(return_notice_given=True, return_window_ends_at=ends)
        order.return_window_ends_at = ends
        close_deadline(order=order, kind=DeadlineKind.AUTO_DELIVER, outcome="automatic" if automatic else "buyer")
        set_deadline(order=order, kind=DeadlineKind.COMPLETE, due_at=ends)
        notify_buyer(order, "order_delivered", return_days=days)
        notify_seller(order, "order_delivered_seller")
    return order


def release_plan(order: Order, held: Decimal) -> list[tuple[Decimal, Decimal | None]]:
    """(commission rate, amount) per rate for what escrow holds; the last part takes the rest (None)."""
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    returned: dict[int, int] = defaultdict(int)
    for return_request in order.returns.filter(status__in=["refunded", "exchanged"]).prefetch_related("lines"):
        for line in return_request.lines.all():
            returned[line.order_line_id] += line.quantity
    lines = list(order.lines.all())
    for line in lines:
        by_rate[line.commission_rate] += line.price * (line.quantity - returned[line.pk])
    if lines:
        by_rate[lines[0].commission_rate] += order.delivery_cost
    rates = [rate for rate, amount in sorted(by_rate.items()) if amount > 0] or [_max_rate(order)]
    plan: list[tuple[Decimal, Decimal | None]] = []
    left = held
    for rate in rates[:-1]:
        part = min(by_rate[rate], left)
        if part > 0:
            plan.append((rate, part))
            left -= part
    plan.append((rates[-1], None))
    return plan


@transaction.atomic
def complete_order(*, order: Order, actor=None) -> bool:
    """Return window over and no open return: escrow goes to the seller minus commission at the frozen rates."""
    order = _locked(order)
    if order.status != OrderStatus.DELIVERED:
        return False
    if order.returns.filter(status__in=OPEN_RETURN_STATUSES).exists():
        return False  # the return's resolution completes the order
    if order.disputes.filter(is_open=True).exists():
        return False  # the payout stays held while a dispute is open; the dispute's end completes the order
    if order.return_window_ends_at and order.return_window_ends_at > timezone.now():
        return False
    change_order_status(order=order, to=OrderStatus.COMPLETED, actor=actor, reason="return window over")
    close_deadline(order=order, kind=DeadlineKind.COMPLETE, outcome="completed")
    held = held_for(order)
    if held > 0:
        for index, (rate, amount) in enumerate(release_plan(order, held)):
            ledger.release_to_seller(
                reference=order.ledger_reference,
                commission_rate=rate,
                idempotency_key=f"release:{order.pk}:{index}",
                actor=actor,
                amount=amount,
                memo=order.number,
            )
    notify_seller(order, "order_completed", amount=str(held))
    return True


@transaction.atomic
def cancel_order(*, order: Order, actor, reason: str, by: str | None = None) -> Order:
    """Cancel before shipping: reserved stock back, everything paid refunded; the seller's fault is an incident."""
    order = _locked(order)
    if by is None:
        if policies.is_buyer(actor, order):
            by = CancelledBy.BUYER
        elif policies.works_for_seller(actor, order.seller_id):
            by = CancelledBy.SELLER
        else:
            raise PermissionDenied
        if not policies.can_cancel_order(actor, order) and order.status != OrderStatus.CANCELLED:
            raise InvalidTransition(order.status, OrderStatus.CANCELLED)
    reason = (reason or "").strip()[:500]
    if by == CancelledBy.SELLER and not reason:
        raise InvalidTransition(message=_("Tell the buyer why the order is cancelled."))
    if change_order_status(order=order, to=OrderStatus.CANCELLED, actor=actor, reason=reason or by):
        Order.objects.filter(pk=order.pk).update(cancelled_by=by, cancel_reason=reason)
        order.cancelled_by, order.cancel_reason = by, reason
        for line in sorted(order.lines.all(), key=lambda line: line.variant_id):
            catalog_services.release_stock(variant_id=line.variant_id, quantity=line.quantity)
        Deadline.objects.filter(order=order, done_at__isnull=True).update(done_at=timezone.now(), outcome="cancelled")
        held = held_for(order)
        if held > 0:
            ledger.refund(
                reference=order.ledger_reference,
                amount=held,
                commission_rate=_max_rate(order),
                idempotency_key=f"cancel:{order.pk}",
                actor=actor,
                reason=f"{order.number}: {reason or by}",
            )
        if by in (CancelledBy.SELLER, CancelledBy.DEADLINE):
            record_incident(order=order, kind=IncidentKind.SELLER_CANCELLATION)
        notify_buyer(order, "order_cancelled", reason=reason, by=by)
        if by != CancelledBy.SELLER:
            notify_seller(order, "order_cancelled_seller", reason=reason, by=by)
    return order


@transaction.atomic
def mark_shipment_late(*, order: Order) -> bool:
    """The ship-by date passed: an incident, and the buyer hears a new date and may cancel with a refund."""
    order = _locked(order)
    if order.status not in (OrderStatus.PAID, OrderStatus.CONFIRMED) or order.is_late:
        return False
    new_date = timezone.now() + timedelta(days=2)
    Order.objects.filter(pk=order.pk).update(is_late=True)
    order.is_late = True
    record_incident(order=order, kind=IncidentKind.LATE_SHIPMENT)
    notify_buyer(order, "order_late", new_date=timezone.localtime(new_date).date().isoformat())
    notify_seller(order, "order_late_seller")
    return True


# Deadlines ----------------------------------------------------------------------------------------------


@transaction.atomic
def process_deadline(*, deadline_id: int) -> str:
    """Act on one due deadline exactly once: a concurrent or repeated run finds it done (or locked) and skips."""
    deadline = (
        Deadline.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("order", "return_request")
        .filter(pk=deadline_id, done_at__isnull=True, due_at__lte=timezone.now())
        .first()
    )
    if deadline is None:
        return "skipped"
    order = deadline.order
    outcome = "nothing to do"
    if deadline.kind == DeadlineKind.CONFIRM:
        if order.status == OrderStatus.PAID:
            cancel_order(
                order=order,
                actor=None,
                reason=_("The seller did not confirm the order in time."),
                by=CancelledBy.DEADLINE,
            )
            outcome = "cancelled"
    elif deadline.kind == DeadlineKind.SHIP:
        if mark_shipment_late(order=order):
            outcome = "late"
    elif deadline.kind == DeadlineKind.AUTO_DELIVER:
        if order.status == OrderStatus.SHIPPED:
            confirm_delivery(order=order, automatic=True)
            outcome = "delivered"
    elif deadline.kind == DeadlineKind.COMPLETE:
        if order.status == OrderStatus.DELIVERED and not complete_order(order=order):
            return "waiting"  # an open return: stays due, the return's end completes the order
        outcome = "completed"
    elif deadline.kind in (DeadlineKind.RETURN_DECISION, DeadlineKind.RETURN_RECEIPT):
        from . import returns

        outcome = returns.return_deadline_passed(deadline=deadline)
    Deadline.objects.filter(pk=deadline.pk, done_at__isnull=True).update(done_at=timezone.now(), outcome=outcome)
    return outcome


def process_due_deadlines(*, limit: int = 500) -> int:
    """Beat: every due deadline, oldest first, each in its own transaction."""
    due = (
        Deadline.objects.filter(done_at__isnull=True, due_at__lte=timezone.now())
        .filter(~Q(kind=DeadlineKind.COMPLETE) | Q(order__status=OrderStatus.DELIVERED))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(process_deadline(deadline_id=pk) not in ("skipped", "waiting") for pk in list(due))
