"""Returns and exchanges (ЗоЗПП art. 26.1, 18): request, seller decision (auto-approved after 48 h), receipt, refund."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import images
from catalog import services as catalog_services
from catalog.exceptions import OutOfStock
from catalog.models import ListingStatus, Variant
from marketplace.core.exceptions import InvalidTransition
from marketplace.ledger import services as ledger

from .. import policies, selectors
from ..exceptions import (
    InvalidRefund,
    InvalidTrackingEvent,
    ReturnNotAllowed,
    ReturnQuantityExceeded,
    ReturnWindowClosed,
)
from ..models import (
    SELLER_FAULT_REASONS,
    Deadline,
    DeadlineKind,
    IncidentKind,
    Order,
    OrderEvent,
    OrderGroup,
    OrderLine,
    OrderStatus,
    ReturnLine,
    ReturnPhoto,
    ReturnReason,
    ReturnRequest,
    ReturnResolution,
    ReturnStatus,
    ReturnTrackingEvent,
    ReturnTrackingStatus,
    TrackingSource,
)
from .common import (
    change_order_status,
    change_return_status,
    close_deadline,
    notify_buyer,
    notify_seller,
    record_incident,
    set_deadline,
)

MAX_RETURN_PHOTOS = 5


def _return_deadline_for(order: Order, reason: str):
    if reason in SELLER_FAULT_REASONS:
        return order.delivered_at + timedelta(days=settings.MARKETPLACE_ORDER_DEFECT_RETURN_DAYS)
    return order.return_window_ends_at


def _notify_return(
    return_request: ReturnRequest, *, to_buyer: bool, to_seller: bool, exchange_unavailable: bool = False
) -> None:
    context = {
        "return_number": return_request.number,
        "status": return_request.status,
        "key": f"{return_request.pk}:{return_request.status}",
        "exchange_unavailable": exchange_unavailable,
    }
    if to_buyer:
        notify_buyer(return_request.order, "return_updated", **context)
    if to_seller:
        notify_seller(return_request.order, "return_updated_seller", **context)


@transaction.atomic
def request_return(
    *,
    order: Order,
    actor,
    quantities: dict[int, int],
    reason: str,
    text: str = "",
    resolution: str = ReturnResolution.REFUND,
    exchange_variant_id: int | None = None,
    photos: list | None = None,
) -> ReturnRequest:
    """The buyer names items and quantities, a reason, text and photos; the seller has 48 h to decide."""
    order = Order.objects.select_for_update(no_key=True).select_related("seller__user", "buyer").get(pk=order.pk)
    if not policies.is_buyer(actor, order):
        raise PermissionDenied
    if not policies.can_request_return(actor, order):
        raise ReturnNotAllowed()
    if reason not in ReturnReason.values or resolution not in ReturnResolution.values:
        raise ReturnNotAllowed(_("Choose a reason and what you want."))
    deadline = _return_deadline_for(order, reason)
    if deadline is None or deadline < timezone.now():
        raise ReturnWindowClosed()
    lines = {line.pk: line for line in order.lines.all()}
    wanted = {int(line_id): quantity for line_id, quantity in quantities.items() if quantity}
    if not wanted:
        raise ReturnNotAllowed(_("Choose at least one item to return."))
    already = selectors.returned_quantities(order)
    for line_id, quantity in wanted.items():
        line = lines.get(line_id)
        if line is None or not isinstance(quantity, int) or quantity < 0:
            raise ReturnNotAllowed(_("Choose items from this order."))
        if quantity > line.quantity - already.get(line_id, 0):
            raise ReturnQuantityExceeded()
        if reason == ReturnReason.CHANGED_MIND and line.window_days == 0:
            raise ReturnNotAllowed(
                _("«%(title)s» is in a category that cannot be returned without a defect.") % {"title": line.title}
            )
        if (
            reason == ReturnReason.CHANGED_MIND
            and order.return_notice_given
            and order.delivered_at + timedelta(days=line.window_days) < timezone.now()
        ):
            # Each line keeps its own frozen period: a longer one on another line does not stretch this one.
            raise ReturnWindowClosed(_("The return period for «%(title)s» has ended.") % {"title": line.title})
    exchange_variant = None
    if resolution == ReturnResolution.EXCHANGE:
        listing_ids = {lines[line_id].listing_id for line_id in wanted}
        exchange_variant = Variant.objects.filter(
            pk=exchange_variant_id, listing_id__in=listing_ids, is_active=True, listing__status=ListingStatus.PUBLISHED
        ).first()
        if exchange_variant is None or len(wanted) != 1:
            raise ReturnNotAllowed(_("An exchange is for one item, for another variant of the same product."))
    return_request = ReturnRequest.objects.create(
        order=order,
        buyer=actor,
        reason=reason,
        text=(text or "").strip()[:2000],
        resolution=resolution,
        exchange_variant=exchange_variant,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=return_request, order_line=lines[line_id], quantity=quantity)
        for line_id, quantity in wanted.items()
    )
    for upload in (photos or [])[:MAX_RETURN_PHOTOS]:
        cleaned = images.clean_image(upload, min_side=200)  # the catalogue's pipeline: limits, re-encode, no EXIF
        photo = ReturnPhoto(return_request=return_request)
        photo.image.save("photo.jpg", ContentFile(cleaned.content), save=False)
        photo.save()
    from ..models import ReturnEvent

    ReturnEvent.objects.create(
        return_request=return_request, to_status=return_request.status, actor=actor, reason=reason
    )
    set_deadline(
        order=order,
        kind=DeadlineKind.RETURN_DECISION,
        return_request=return_request,
        due_at=timezone.now() + timedelta(hours=settings.MARKETPLACE_ORDER_RETURN_DECISION_HOURS),
    )
    if reason == ReturnReason.DEFECT:
        record_incident(order=order, kind=IncidentKind.DEFECT_RETURN)
    elif reason == ReturnReason.NOT_AS_DESCRIBED:
        record_incident(order=order, kind=IncidentKind.NOT_AS_DESCRIBED)
        catalog_services.note_description_complaint(listing_ids=[lines[line_id].listing_id for line_id in wanted])
    _notify_return(return_request, to_buyer=False, to_seller=True)
    return return_request


def _seller_check(actor, return_request: ReturnRequest) -> None:
    if actor is not None and not policies.works_for_seller(actor, return_request.order.seller_id):
        raise PermissionDenied


@transaction.atomic
def approve_return(*, return_request: ReturnRequest, actor, reason: str = "") -> ReturnRequest:
    """The seller agrees: the buyer sends the items back (receipt assumed N days after they are sent)."""
    _seller_check(actor, return_request)
    if change_return_status(
        return_request=return_request, to=ReturnStatus.APPROVED, actor=actor, reason=reason or "approved"
    ):
        close_deadline(
            order=return_request.order,
            kind=DeadlineKind.RETURN_DECISION,
            return_request=return_request,
            outcome="approved" if actor else "auto-approved",
        )
        _notify_return(return_request, to_buyer=True, to_seller=actor is None)
    return return_request


@transaction.atomic
def reject_return(*, return_request: ReturnRequest, actor, reason: str) -> ReturnRequest:
    """The seller refuses with a reason; the buyer is offered a dispute."""
    _seller_check(actor, return_request)
    reason = (reason or "").strip()[:1000]
    if not reason:
        raise InvalidTransition(message=_("Tell the buyer why the return is rejected."))
    if change_return_status(return_request=return_request, to=ReturnStatus.REJECTED, actor=actor, reason=reason):
        ReturnRequest.objects.filter(pk=return_request.pk).update(rejection_reason=reason)
        return_request.rejection_reason = reason
        close_deadline(
            order=return_request.order,
            kind=DeadlineKind.RETURN_DECISION,
            return_request=return_request,
            outcome="rejected",
        )
        _notify_return(return_request, to_buyer=True, to_seller=False)
        _maybe_complete(return_request.order)
    return return_request


def refund_amount_for(return_request: ReturnRequest) -> Decimal:
    """Item prices; plus delivery for the seller's fault when the whole order comes back."""
    amount = sum((line.amount for line in return_request.lines.select_related("order_line")), Decimal("0.00"))
    order = return_request.order
    if return_request.reason in SELLER_FAULT_REASONS:
        bought = sum(line.quantity for line in order.lines.all())
        returned = sum(selectors.returned_quantities(order).values())
        if returned >= bought:
            amount += order.delivery_cost
    return amount


@transaction.atomic
def offer_partial_refund(*, return_request: ReturnRequest, actor, amount: Decimal, reason: str) -> ReturnRequest:
    """The seller offers part of the money (the buyer keeps the item); needs a reason and the buyer's acceptance."""
    _seller_check(actor, return_request)
    reason = (reason or "").strip()[:1000]
    full = refund_amount_for(return_request)
    if not reason:
        raise InvalidRefund(_("Explain the partial refund to the buyer."))
    if not isinstance(amount, Decimal) or amount <= 0 or amount >= full or amount != amount.quantize(Decimal("0.01")):
        raise InvalidRefund(_("A partial refund is more than zero and less than %(full)s.") % {"full": full})
    if change_return_status(return_request=return_request, to=ReturnStatus.PARTIAL_OFFERED, actor=actor, reason=reason):
        ReturnRequest.objects.filter(pk=return_request.pk).update(partial_amount=amount, partial_reason=reason)
        return_request.partial_amount, return_request.partial_reason = amount, reason
        _notify_return(return_request, to_buyer=True, to_seller=False)
    return return_request


@transaction.atomic
def answer_partial_offer(*, return_request: ReturnRequest, actor, accept: bool) -> ReturnRequest:
    """The buyer accepts (the partial amount is refunded) or declines (the seller decides again)."""
    return_request = ReturnRequest.objects.select_related("order").get(pk=return_request.pk)
    if return_request.buyer_id != actor.pk:
        raise PermissionDenied
    if return_request.status != ReturnStatus.PARTIAL_OFFERED:
        raise InvalidTransition(return_request.status, ReturnStatus.REFUNDED)
    if accept:
        _refund(return_request, amount=return_request.partial_amount, actor=actor)
        change_return_status(
            return_request=return_request, to=ReturnStatus.REFUNDED, actor=actor, reason="partial refund accepted"
        )
        _notify_return(return_request, to_buyer=True, to_seller=True)
        _maybe_complete(return_request.order)
    else:
        change_return_status(
            return_request=return_request, to=ReturnStatus.REQUESTED, actor=actor, reason="partial refund declined"
        )
        Deadline.objects.filter(return_request=return_request, kind=DeadlineKind.RETURN_DECISION).update(
            due_at=timezone.now() + timedelta(hours=settings.MARKETPLACE_ORDER_RETURN_DECISION_HOURS),
            done_at=None,
            outcome="",
        )
        _notify_return(return_request, to_buyer=False, to_seller=True)
    return return_request


@transaction.atomic
def mark_return_sent(*, return_request: ReturnRequest, actor, tracking_number: str = "") -> ReturnRequest:
    """The buyer sent the items back (with the tracking number, if any): the parcel is on its way.

    Receipt is not assumed from this: it is assumed N days after the return tracking shows the parcel delivered
    (record_return_tracking), unless the seller confirms it first.
    """
    from .fulfilment import TRACKING_RE

    if return_request.buyer_id != actor.pk or return_request.status != ReturnStatus.APPROVED:
        raise PermissionDenied
    tracking_number = (tracking_number or "").strip()
    if tracking_number and not TRACKING_RE.fullmatch(tracking_number):
        from ..exceptions import InvalidTracking

        raise InvalidTracking()
    ReturnRequest.objects.filter(pk=return_request.pk).update(return_tracking=tracking_number)
    return_request.return_tracking = tracking_number
    ReturnTrackingEvent.objects.get_or_create(
        return_request=return_request,
        status=ReturnTrackingStatus.IN_TRANSIT,
        source=TrackingSource.BUYER,
        defaults={"occurred_at": timezone.now(), "recorded_by": actor},
    )
    return return_request


# How far a reported tracking time may lie ahead of our clock (carriers' clocks drift a little).
TRACKING_CLOCK_SKEW = timedelta(minutes=10)


def _tracking_source(actor, return_request: ReturnRequest) -> str:
    if actor is None:
        return TrackingSource.CARRIER
    if policies.works_for_seller(actor, return_request.order.seller_id):
        return TrackingSource.SELLER
    if actor.has_perm("orders.change_returnrequest"):
        return TrackingSource.MODERATOR
    raise PermissionDenied


@transaction.atomic
def record_return_tracking(
    *, return_request: ReturnRequest, status: str, occurred_at, actor=None
) -> ReturnTrackingEvent:
    """The carrier-tracking hook for a return parcel: record what its tracking shows.

    Who calls it: a carrier integration (a webhook view or a polling task that matched the return by
    `return_tracking`) with `actor=None`; or, on their behalf, the seller's team or a moderator (a user with
    `orders.change_returnrequest`) who looked the tracking number up. `status` is a ReturnTrackingStatus value,
    `occurred_at` the aware time the carrier reports. The same event reported again changes nothing.

    When the tracking shows the parcel delivered to the seller (the earliest such report counts), receipt is
    assumed MARKETPLACE_ORDER_RETURN_RECEIPT_DAYS later (a RETURN_RECEIPT deadline that beat acts on) unless the
    seller confirms it first; the seller is told. Events for a return that is no longer waiting for the items are
    kept as history and change nothing else.
    """
    return_request = (
        ReturnRequest.objects.select_for_update(no_key=True).select_related("order").get(pk=return_request.pk)
    )
    source = _tracking_source(actor, return_request)
    if status not in (ReturnTrackingStatus.IN_TRANSIT, ReturnTrackingStatus.DELIVERED):
        raise InvalidTrackingEvent(_("Unknown tracking status."))
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        raise InvalidTrackingEvent(_("Give the time of the tracking event with its time zone."))
    if occurred_at > timezone.now() + TRACKING_CLOCK_SKEW:
        raise InvalidTrackingEvent(_("A tracking event cannot be in the future."))
    if occurred_at < return_request.created_at:
        raise InvalidTrackingEvent(_("A tracking event cannot be earlier than the return request."))
    event, created = ReturnTrackingEvent.objects.get_or_create(
        return_request=return_request,
        status=status,
        occurred_at=occurred_at,
        defaults={"source": source, "recorded_by": actor},
    )
    if not created or status != ReturnTrackingStatus.DELIVERED or return_request.status != ReturnStatus.APPROVED:
        return event
    if return_request.return_delivered_at is not None and return_request.return_delivered_at <= occurred_at:
        return event  # an earlier delivery report already started the clock
    ReturnRequest.objects.filter(pk=return_request.pk).update(return_delivered_at=occurred_at)
    return_request.return_delivered_at = occurred_at
    due_at = occurred_at + timedelta(days=settings.MARKETPLACE_ORDER_RETURN_RECEIPT_DAYS)
    deadline = set_deadline(
        order=return_request.order, kind=DeadlineKind.RETURN_RECEIPT, return_request=return_request, due_at=due_at
    )
    if deadline.due_at != due_at and deadline.done_at is None:
        Deadline.objects.filter(pk=deadline.pk).update(due_at=due_at)
    notify_seller(
        return_request.order,
        "return_updated_seller",
        return_number=return_request.number,
        status="delivered",
        receipt_assumed=timezone.localtime(due_at).date().isoformat(),
        key=f"{return_request.pk}:delivered",
    )
    return event


def _refund(return_request: ReturnRequest, *, amount: Decimal, actor) -> None:
    order = return_request.order
    lines = list(return_request.lines.select_related("order_line"))
    rate = max((line.order_line.commission_rate for line in lines), default=Decimal("0"))
    ledger.refund(
        reference=order.ledger_reference,
        amount=amount,
        commission_rate=rate,
        idempotency_key=f"return:{return_request.pk}",
        actor=actor,
        reason=f"{order.number}/{return_request.number}",
    )
    ReturnRequest.objects.filter(pk=return_request.pk).update(refund_amount=amount)
    return_request.refund_amount = amount


@transaction.atomic
def receive_return(*, return_request: ReturnRequest, actor, resellable: bool = True) -> ReturnRequest:
    """The items are back: resellable ones return to stock; the refund (or the replacement order) follows at once."""
    _seller_check(actor, return_request)
    return_request = ReturnRequest.objects.select_related("order__seller__user", "order__buyer").get(
        pk=return_request.pk
    )
    if not change_return_status(
        return_request=return_request,
        to=ReturnStatus.RECEIVED,
        actor=actor,
        reason="received" if actor else "receipt assumed",
    ):
        return return_request
    close_deadline(
        order=return_request.order, kind=DeadlineKind.RETURN_RECEIPT, return_request=return_request, outcome="received"
    )
    lines = list(return_request.lines.select_related("order_line"))
    if resellable:
        for line in sorted(lines, key=lambda line: line.order_line.variant_id):
            catalog_services.restock(variant_id=line.order_line.variant_id, quantity=line.quantity)
    # An exchange whose other variant sold out or left sale since the request is refunded instead, rather than the
    # return sticking at "received" (spec 65).
    wanted_exchange = return_request.resolution == ReturnResolution.EXCHANGE
    if wanted_exchange and _made_replacement(return_request, lines, actor=actor):
        change_return_status(
            return_request=return_request, to=ReturnStatus.EXCHANGED, actor=actor, reason="replacement order created"
        )
        exchange_unavailable = False
    else:
        # The law gives 10 days; the ledger refunds at once.
        _refund(return_request, amount=refund_amount_for(return_request), actor=actor)
        reason = "the exchange variant is not available: refunded instead" if wanted_exchange else "refunded"
        change_return_status(return_request=return_request, to=ReturnStatus.REFUNDED, actor=actor, reason=reason)
        exchange_unavailable = wanted_exchange
    _notify_return(return_request, to_buyer=True, to_seller=actor is None, exchange_unavailable=exchange_unavailable)
    _maybe_complete(return_request.order)
    return return_request


def _made_replacement(return_request: ReturnRequest, lines: list[ReturnLine], *, actor) -> bool:
    """Makes the replacement order, or nothing at all (False) when the other variant cannot be reserved."""
    try:
        with transaction.atomic():
            _replacement_order(return_request, lines, actor=actor)
    except OutOfStock:
        return False
    return True


def _replacement_order(return_request: ReturnRequest, lines: list[ReturnLine], *, actor) -> Order:
    """A free order for the other variant, straight to "paid": the seller confirms and ships it as usual."""
    original = return_request.order
    variant = Variant.objects.select_related("listing").get(pk=return_request.exchange_variant_id)
    quantity = sum(line.quantity for line in lines)
    catalog_services.reserve_stock(variant_id=variant.pk, quantity=quantity)
    group: OrderGroup = original.group
    index = group.orders.count() + 1
    order = Order.objects.create(
        group=group,
        seller=original.seller,
        buyer=original.buyer,
        number=f"{group.number}-{index}",
        subtotal=Decimal("0.00"),
        delivery_cost=Decimal("0.00"),
        total=Decimal("0.00"),
        delivery_method=original.delivery_method,
        delivery_name=original.delivery_name,
        delivery_days_max=original.delivery_days_max,
        ship_by=timezone.now() + timedelta(days=max(variant.listing.handling_days, 1)),
    )
    source = lines[0].order_line
    OrderLine.objects.create(
        order=order,
        variant=variant,
        listing=variant.listing,
        title=variant.listing.title,
        variant_name=variant.name,
        sku=variant.sku,
        quantity=quantity,
        price=Decimal("0.00"),
        commission_rate=source.commission_rate,
        return_days=source.return_days,
        seller_return_days=source.seller_return_days,
        weight_g=source.weight_g,
    )
    OrderEvent.objects.create(
        order=order, to_status=order.status, actor=actor, reason=f"exchange {return_request.number}"
    )
    change_order_status(order=order, to=OrderStatus.PAID, actor=actor, reason="replacement at no charge")
    set_deadline(order=order, kind=DeadlineKind.SHIP, due_at=order.ship_by)
    ReturnRequest.objects.filter(pk=return_request.pk).update(replacement_order=order)
    notify_seller(order, "order_new", total="0.00")
    return order


def _maybe_complete(order: Order) -> None:
    from .fulfilment import complete_order

    order.refresh_from_db()
    if (
        order.status == OrderStatus.DELIVERED
        and order.return_window_ends_at
        and (order.return_window_ends_at <= timezone.now())
    ):
        complete_order(order=order)


def return_deadline_passed(*, deadline: Deadline) -> str:
    """Beat: no decision in 48 h → approved; no receipt N days after sending → received."""
    return_request = deadline.return_request
    if deadline.kind == DeadlineKind.RETURN_DECISION and return_request.status == ReturnStatus.REQUESTED:
        approve_return(return_request=return_request, actor=None, reason="no decision in time")
        return "auto-approved"
    if deadline.kind == DeadlineKind.RETURN_RECEIPT and return_request.status == ReturnStatus.APPROVED:
        receive_return(return_request=return_request, actor=None, resellable=False)
        return "receipt assumed"
    return "nothing to do"
