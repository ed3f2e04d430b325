"""Checkout: one order group, one payment and one order per seller; the payment hooks; unpaid expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buyers.models import Address
from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from catalog.exceptions import OutOfStock as CatalogOutOfStock
from catalog.models import ListingStatus, Variant
from marketplace.ledger import services as ledger

from .. import selectors
from ..exceptions import CheckoutChanged, DeliveryNotAvailable, EmptyCart, NotForSale, OutOfStock
from ..models import (
    CancelledBy,
    Cart,
    CartLine,
    DeadlineKind,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderGroup,
    OrderLine,
    OrderStatus,
)
from .common import change_order_status, notify_buyer, notify_seller, set_deadline

GROUP_NUMBER_BASE = 1000


@transaction.atomic
def place_order(
    *,
    buyer,
    checkout_key: uuid.UUID,
    address: Address,
    delivery_method_ids: dict[int, int],
    expected_total: Decimal | None = None,
) -> OrderGroup:
    """Turn the buyer's cart into one order group with one order per seller, reserve stock and create the payment.

    Retrying with the same checkout key returns the first group (a double click, a replayed POST). Prices,
    sellers and delivery costs come from the database, never from the form.
    """
    if existing := OrderGroup.objects.filter(checkout_key=checkout_key).first():
        if existing.buyer_id != buyer.pk:
            raise CheckoutChanged()
        return existing
    if address.user_id != buyer.pk:
        raise DeliveryNotAvailable(_("Choose one of your addresses."))
    cart = Cart.objects.filter(user=buyer).first()
    view = selectors.cart_view(cart, region=address.region)
    if not view.groups:
        raise EmptyCart()
    for group_view in view.groups:
        for line_view in group_view.lines:
            if not line_view.is_available:
                listing = line_view.line.variant.listing
                if listing.status != ListingStatus.PUBLISHED or not listing.seller.accepts_new_orders:
                    raise NotForSale(_("«%(title)s» cannot be bought now.") % {"title": listing.title})
                raise OutOfStock(_("«%(title)s» is out of stock in this quantity.") % {"title": listing.title})
    if set(delivery_method_ids) != {group_view.seller.pk for group_view in view.groups}:
        raise DeliveryNotAvailable()

    now = timezone.now()
    # The group row first, in a savepoint: a concurrent submit of the same key waits on the unique index
    # here and then finds this group, instead of reserving stock twice.
    try:
        with transaction.atomic():
            group = OrderGroup.objects.create(
                buyer=buyer,
                checkout_key=checkout_key,
                total=Decimal("0.01"),
                expires_at=now + timedelta(minutes=settings.MARKETPLACE_ORDER_PAYMENT_MINUTES),
                recipient_name=address.recipient_name,
                recipient_phone=address.phone,
                region=address.region,
                address=address.one_line,
            )
    except IntegrityError:
        existing = OrderGroup.objects.get(checkout_key=checkout_key)
        if existing.buyer_id != buyer.pk:
            raise CheckoutChanged() from None
        return existing
    group.number = f"R{GROUP_NUMBER_BASE + group.pk}"

    # Reserve in variant-id order so concurrent checkouts lock rows in the same order (no deadlock).
    all_lines = sorted((lv.line for gv in view.groups for lv in gv.lines), key=lambda line: line.variant_id)
    for line in all_lines:
        try:
            catalog_services.reserve_stock(variant_id=line.variant_id, quantity=line.quantity)
        except CatalogOutOfStock:
            raise OutOfStock(
                _("«%(title)s» is out of stock in this quantity.") % {"title": line.variant.listing.title}
            ) from None

    total = Decimal("0.00")
    # The return terms in force now are frozen on every line: a later change of policy does not reach this order.
    own_return_days = selectors.seller_return_days(seller_ids=[group_view.seller.pk for group_view in view.groups])
    for index, group_view in enumerate(view.groups, start=1):
        method = DeliveryMethod.objects.filter(
            pk=delivery_method_ids[group_view.seller.pk], seller=group_view.seller, is_active=True
        ).first()
        if method is None or not method.serves(address.region):
            raise DeliveryNotAvailable()
        # Fresh prices under the reservation: what the buyer pays is what the variants cost now.
        variants = Variant.objects.in_bulk([lv.line.variant_id for lv in group_view.lines])
        subtotal = sum((variants[lv.line.variant_id].price * lv.line.quantity for lv in group_view.lines), Decimal(0))
        delivery_cost = method.cost_for(subtotal=subtotal, weight_g=group_view.weight_g)
        handling = max(lv.line.variant.listing.handling_days for lv in group_view.lines)
        order = Order.objects.create(
            group=group,
            seller=group_view.seller,
            buyer=buyer,
            number=f"{group.number}-{index}",
            subtotal=subtotal,
            delivery_cost=delivery_cost,
            total=subtotal + delivery_cost,
            delivery_method=method,
            delivery_name=method.name,
            delivery_days_max=method.days_max,
            ship_by=now + timedelta(days=max(handling, 1)),
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                variant_id=lv.line.variant_id,
                listing_id=lv.line.variant.listing_id,
                title=lv.line.variant.listing.title,
                variant_name=lv.line.variant.name,
                sku=lv.line.variant.sku,
                quantity=lv.line.quantity,
                price=variants[lv.line.variant_id].price,
                commission_rate=catalog_selectors.commission_rate(lv.line.variant.listing.category_id),
                return_days=catalog_selectors.return_days(lv.line.variant.listing.category_id),
                seller_return_days=own_return_days.get(group_view.seller.pk, 0),
                weight_g=lv.line.variant.listing.weight_g or 0,
            )
            for lv in group_view.lines
        )
        OrderEvent.objects.create(order=order, from_status="", to_status=order.status, actor=buyer, reason="placed")
        total += order.total
    if expected_total is not None and expected_total != total:
        raise CheckoutChanged()
    group.total = total
    group.payment = ledger.create_payment(
        reference=f"order_group:{group.pk}",
        amount=total,
        description=_("Order %(number)s") % {"number": group.number},
        return_url=reverse("orders:payment-return", args=[group.pk]),
        idempotency_key=str(checkout_key),
        actor=buyer,
    )
    group.save(update_fields=["number", "total", "payment", "updated_at"])
    CartLine.objects.filter(pk__in=[line.pk for line in all_lines]).delete()
    return group


def _group_from_payment(payment) -> OrderGroup:
    group_id = int(payment.reference.partition(":")[2])
    return OrderGroup.objects.select_for_update().get(pk=group_id)


def mark_group_paid(payment) -> None:
    """Payment hook (inside the webhook's transaction, once per payment): escrow per order, orders paid."""
    group = _group_from_payment(payment)
    if group.is_paid or group.is_expired or group.payment_id != payment.pk:
        # Paid twice, or after the stock was released: the money goes back whole.
        ledger.refund_unallocated_payment(payment=payment, reason="order group already paid or expired")
        return
    orders = list(group.orders.select_related("seller", "buyer").order_by("pk"))
    if all(order.status == OrderStatus.CANCELLED for order in orders):
        # The buyer cancelled everything while the payment was on its way: none of it reaches the ledger.
        ledger.refund_unallocated_payment(payment=payment, reason="every order was cancelled before payment")
        return
    ledger.record_payment(
        payment=payment,
        allocations=[
            ledger.Allocation(
                reference=order.ledger_reference, seller=order.seller, amount=order.total, label=order.number
            )
            for order in orders
        ],
    )
    now = timezone.now()
    OrderGroup.objects.filter(pk=group.pk).update(paid_at=now, updated_at=now)
    for order in orders:
        if order.status == OrderStatus.CANCELLED:
            # Cancelled by the buyer while the payment was on its way: its share goes straight back from escrow.
            ledger.refund(
                reference=order.ledger_reference,
                amount=order.total,
                commission_rate=max((line.commission_rate for line in order.lines.all()), default=Decimal("0")),
                idempotency_key=f"cancel:{order.pk}",
                reason=f"{order.number}: cancelled before payment",
            )
            continue
        change_order_status(order=order, to=OrderStatus.PAID, actor=None, reason="payment received")
        set_deadline(
            order=order,
            kind=DeadlineKind.CONFIRM,
            due_at=now + timedelta(hours=settings.MARKETPLACE_ORDER_CONFIRM_HOURS),
        )
        set_deadline(order=order, kind=DeadlineKind.SHIP, due_at=order.ship_by or now + timedelta(days=1))
        notify_buyer(order, "order_paid", total=str(order.total))
        notify_seller(order, "order_new", total=str(order.total))


def payment_failed(payment) -> None:
    """Payment hook: a declined card leaves the group waiting; it can be paid again until it expires."""
    group = _group_from_payment(payment)
    for order in group.orders.all():
        OrderEvent.objects.create(
            order=order, from_status=order.status, to_status=order.status, reason="payment declined"
        )


@transaction.atomic
def expire_group(*, group_id: int) -> bool:
    """Cancel an unpaid group past its time and give its stock back. False if paid or already expired."""
    group = OrderGroup.objects.select_for_update(skip_locked=True).filter(pk=group_id).first()
    if group is None or group.is_paid or group.is_expired or group.expires_at > timezone.now():
        return False
    OrderGroup.objects.filter(pk=group.pk).update(expired_at=timezone.now())
    group.expired_at = timezone.now()
    for order in group.orders.prefetch_related("lines").order_by("pk"):
        if change_order_status(order=order, to=OrderStatus.CANCELLED, actor=None, reason="not paid in time"):
            Order.objects.filter(pk=order.pk).update(cancelled_by=CancelledBy.EXPIRED)
            for line in sorted(order.lines.all(), key=lambda line: line.variant_id):
                catalog_services.release_stock(variant_id=line.variant_id, quantity=line.quantity)
    return True


def expire_unpaid_groups() -> int:
    """Beat: every unpaid group past its time. Each in its own transaction; a second run finds nothing."""
    due = OrderGroup.objects.filter(
        paid_at__isnull=True, expired_at__isnull=True, expires_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(expire_group(group_id=group_id) for group_id in list(due[:500]))


@transaction.atomic
def retry_payment(*, group: OrderGroup, actor) -> OrderGroup:
    """A declined card: a new payment for the same group while it still holds the stock."""
    group = OrderGroup.objects.select_for_update().select_related("payment").get(pk=group.pk)
    if group.is_paid or group.is_expired or group.payment is None or group.payment.status != "failed":
        return group
    group.payment = ledger.create_payment(
        reference=f"order_group:{group.pk}",
        amount=group.total,
        description=_("Order %(number)s") % {"number": group.number},
        return_url=reverse("orders:payment-return", args=[group.pk]),
        idempotency_key=f"{group.checkout_key}:retry:{uuid.uuid4()}",
        actor=actor,
    )
    OrderGroup.objects.filter(pk=group.pk).update(payment=group.payment, updated_at=F("updated_at"))
    return group
