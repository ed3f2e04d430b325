"""The order state machine, deadlines, incidents and notifications every orders service shares."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.core.state_machine import check_transition
from marketplace.notifications import services as notifications

from ..models import (
    ORDER_TRANSITIONS,
    RETURN_TRANSITIONS,
    Deadline,
    Incident,
    Order,
    OrderEvent,
    OrderStatus,
    ReturnEvent,
    ReturnRequest,
)

STATUS_TIMESTAMP = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


@transaction.atomic
def change_order_status(*, order: Order, to: str, actor=None, reason: str = "") -> bool:
    """The only way an order's status changes. Returns False, changing nothing, if it already has `to`."""
    locked = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
    current = locked.status
    if current == to:
        order.status = current
        return False  # a retried request or task: already done
    check_transition(ORDER_TRANSITIONS, current, to)  # raises InvalidTransition
    OrderEvent.objects.create(order=order, from_status=current, to_status=to, actor=actor, reason=reason)
    now = timezone.now()
    fields = {"status": to}
    if stamp := STATUS_TIMESTAMP.get(to):
        fields[stamp] = now
    Order.objects.filter(pk=order.pk).update(**fields, updated_at=now)
    for name, value in fields.items():
        setattr(order, name, value)
    return True


@transaction.atomic
def change_return_status(*, return_request: ReturnRequest, to: str, actor=None, reason: str = "") -> bool:
    """The only way a return's status changes. Returns False if it already has `to`."""
    current = ReturnRequest.objects.select_for_update(no_key=True).only("status").get(pk=return_request.pk).status
    if current == to:
        return_request.status = current
        return False
    check_transition(RETURN_TRANSITIONS, current, to)
    ReturnEvent.objects.create(
        return_request=return_request, from_status=current, to_status=to, actor=actor, reason=reason
    )
    ReturnRequest.objects.filter(pk=return_request.pk).update(status=to, updated_at=timezone.now())
    return_request.status = to
    return True


def set_deadline(*, order: Order, kind: str, due_at: datetime, return_request: ReturnRequest | None = None) -> Deadline:
    """Create the deadline once (a retried caller finds it)."""
    deadline, _created = Deadline.objects.get_or_create(
        order=order, kind=kind, return_request=return_request, defaults={"due_at": due_at}
    )
    return deadline


def close_deadline(*, order: Order, kind: str, outcome: str, return_request: ReturnRequest | None = None) -> None:
    Deadline.objects.filter(order=order, kind=kind, return_request=return_request, done_at__isnull=True).update(
        done_at=timezone.now(), outcome=outcome
    )


def record_incident(*, order: Order, kind: str) -> None:
    """One incident per order and kind, for the seller rating."""
    try:
        with transaction.atomic():
            Incident.objects.get_or_create(order=order, kind=kind, defaults={"seller_id": order.seller_id})
    except IntegrityError:
        pass  # a concurrent caller recorded it


def money_text(amount: Decimal) -> str:
    return f"{amount:.2f}"


def notify_buyer(order: Order, kind: str, **context) -> None:
    notifications.notify(
        recipient=order.buyer,
        kind=kind,
        context={"order_id": order.pk, "number": order.number, **context},
        dedupe_key=f"{kind}:{order.pk}:{context.get('key', '')}",
    )


def notify_seller(order: Order, kind: str, **context) -> None:
    """The seller's owner gets it (the team sees the same in the cabinet)."""
    notifications.notify(
        recipient=order.seller.user,
        kind=kind,
        context={"order_id": order.pk, "number": order.number, **context},
        dedupe_key=f"{kind}:{order.pk}:{context.get('key', '')}",
    )
