import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Variant
from marketplace.ledger import selectors as ledger_selectors
from marketplace.ledger import services as ledger
from orders import services
from orders.exceptions import DeliveryNotAvailable, EmptyCart, InvalidQuantity, NotForSale, OutOfStock
from orders.models import CartLine, DeliveryMethod, Order, OrderGroup, OrderStatus

from .factories import address_for, checkout, pay, sellable

pytestmark = pytest.mark.django_db


def test_buyer_checkout_splits_the_cart_into_one_order_per_seller(buyer, seller, other_seller):
    first, second = sellable(seller, price="1000.00"), sellable(other_seller, price="500.00")

    group = checkout(buyer, [(first, 2), (second, 1)])

    orders = list(group.orders.order_by("number"))
    assert [order.number for order in orders] == [f"{group.number}-1", f"{group.number}-2"]
    assert {order.seller_id for order in orders} == {seller.pk, other_seller.pk}
    assert group.total == Decimal("2000.00") + Decimal("500.00") + Decimal("600.00")
    assert group.payment.amount == group.total
    assert all(order.status == OrderStatus.AWAITING_PAYMENT for order in orders)
    first.refresh_from_db()
    assert first.allocated == 2
    assert not CartLine.objects.filter(cart__user=buyer).exists()


def test_line_freezes_price_commission_and_return_days(buyer, seller):
    variant = sellable(seller, price="1000.00", commission="15.00")

    line = checkout(buyer, [(variant, 1)]).orders.get().lines.get()
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("5.00"))

    line.refresh_from_db()
    assert (line.price, line.commission_rate, line.return_days) == (Decimal("1000.00"), Decimal("0.1500"), 7)


def test_same_checkout_key_returns_the_first_group(buyer, seller):
    variant = sellable(seller)
    key = uuid.uuid4()
    group = checkout(buyer, [(variant, 1)], key=key)

    again = checkout(buyer, [(variant, 1)], key=key)

    assert again.pk == group.pk
    assert OrderGroup.objects.count() == 1
    variant.refresh_from_db()
    assert variant.allocated == 1


def test_payment_puts_each_order_into_escrow_and_marks_it_paid(buyer, seller, other_seller):
    group = checkout(buyer, [(sellable(seller, price="1000.00"), 1), (sellable(other_seller, price="200.00"), 1)])

    pay(group)

    assert group.is_paid
    for order in group.orders.all():
        assert order.status == OrderStatus.PAID
        assert services.held_for(order) == order.total
        assert order.deadlines.filter(kind="confirm", done_at__isnull=True).exists()
    assert ledger.seller_balance(seller=seller).held == Decimal("1300.00")


def test_full_flow_releases_money_minus_commission_after_the_return_window(buyer, seller):
    group = pay(checkout(buyer, [(sellable(seller, price="1000.00", commission="10.00"), 1)]))
    order = group.orders.get()

    services.confirm_order(order=order, actor=seller.user)
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-12345")
    services.confirm_delivery(order=order, actor=buyer)
    Order.objects.filter(pk=order.pk).update(return_window_ends_at=timezone.now() - timedelta(minutes=1))
    order.deadlines.filter(kind="complete").update(due_at=timezone.now() - timedelta(minutes=1))
    processed = services.process_due_deadlines()

    order.refresh_from_db()
    assert processed == 1
    assert order.status == OrderStatus.COMPLETED
    balance = ledger.seller_balance(seller=seller)
    assert balance.held == Decimal("0.00")
    assert balance.available == Decimal("1300.00") - Decimal("130.00")  # delivery counts under the item's rate
    variant = order.lines.get().variant
    assert (variant.on_hand, variant.allocated) == (4, 0)


def test_buyer_cancelling_a_paid_order_gets_a_full_refund_and_stock_back(buyer, seller):
    variant = sellable(seller)
    order = pay(checkout(buyer, [(variant, 2)])).orders.get()

    services.cancel_order(order=order, actor=buyer, reason="Передумал")

    order.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancelled_by == "buyer"
    assert services.held_for(order) == Decimal("0.00")
    assert variant.allocated == 0
    assert not order.incidents.exists()


def test_seller_cancellation_needs_a_reason_and_is_an_incident(buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()

    services.cancel_order(order=order, actor=seller.user, reason="Нет на складе")

    order.refresh_from_db()
    assert order.cancelled_by == "seller"
    assert order.incidents.filter(kind="seller_cancellation").exists()


def test_unconfirmed_order_is_cancelled_and_refunded_by_the_deadline(buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    order.deadlines.filter(kind="confirm").update(due_at=timezone.now() - timedelta(seconds=1))

    services.process_due_deadlines()
    services.process_due_deadlines()  # a second beat run finds nothing to do

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancelled_by == "deadline"
    assert order.incidents.filter(kind="seller_cancellation").count() == 1
    assert services.held_for(order) == Decimal("0.00")


def test_late_shipment_is_an_incident_and_the_buyer_is_told(buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    services.confirm_order(order=order, actor=seller.user)
    order.deadlines.filter(kind="ship").update(due_at=timezone.now() - timedelta(seconds=1))

    services.process_due_deadlines()

    order.refresh_from_db()
    assert order.is_late
    assert order.incidents.filter(kind="late_shipment").exists()
    assert buyer.notifications.filter(kind="order_late").exists()


def test_unpaid_group_expires_and_releases_stock(buyer, seller):
    variant = sellable(seller)
    group = checkout(buyer, [(variant, 3)])
    OrderGroup.objects.filter(pk=group.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert services.expire_unpaid_groups() == 1
    assert services.expire_unpaid_groups() == 0

    variant.refresh_from_db()
    assert variant.allocated == 0
    assert group.orders.get().status == OrderStatus.CANCELLED


def test_payment_after_expiry_is_refunded_whole(buyer, seller):
    group = checkout(buyer, [(sellable(seller), 1)])
    OrderGroup.objects.filter(pk=group.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    services.expire_unpaid_groups()
    group.refresh_from_db()

    pay(group)

    assert not group.is_paid
    assert group.payment.refunds.filter(idempotency_key=f"unallocated:{group.payment_id}").exists()


def test_payment_landing_after_the_buyer_cancelled_everything_is_refunded_whole(buyer, seller):
    group = checkout(buyer, [(sellable(seller), 1)])
    services.cancel_order(order=group.orders.get(), actor=buyer, reason="")

    pay(group)

    order = group.orders.get()
    assert order.status == OrderStatus.CANCELLED
    assert services.held_for(order) == Decimal("0.00")
    assert group.payment.refunds.filter(idempotency_key=f"unallocated:{group.payment_id}").exists()
    assert ledger_selectors.ledger_violations() == []


def test_payment_landing_after_the_buyer_cancelled_one_seller_refunds_that_order_and_pays_the_other(
    buyer, seller, other_seller
):
    group = checkout(buyer, [(sellable(seller), 1), (sellable(other_seller, price="500.00"), 1)])
    cancelled = group.orders.get(seller=other_seller)
    services.cancel_order(order=cancelled, actor=buyer, reason="")

    pay(group)

    kept = group.orders.get(seller=seller)
    cancelled.refresh_from_db()
    assert kept.status == OrderStatus.PAID
    assert services.held_for(kept) == kept.total
    assert cancelled.status == OrderStatus.CANCELLED
    assert services.held_for(cancelled) == Decimal("0.00")
    assert group.payment.refunds.get().amount == cancelled.total
    assert ledger_selectors.ledger_violations() == []


# Bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", 10**9, True])
def test_buyer_cannot_add_a_bad_quantity(buyer, seller, quantity):
    variant = sellable(seller)
    cart = services.cart_for_user(user=buyer)

    with pytest.raises(InvalidQuantity):
        services.add_to_cart(cart=cart, variant_id=variant.pk, quantity=quantity)

    assert not CartLine.objects.filter(cart=cart).exists()


def test_cart_quantity_is_bounded_by_stock(buyer, seller):
    variant = sellable(seller, stock=3)
    cart = services.cart_for_user(user=buyer)

    line, capped = services.add_to_cart(cart=cart, variant_id=variant.pk, quantity=10)

    assert (line.quantity, capped) == (3, True)


def test_checkout_with_an_empty_cart_is_refused(buyer, seller):
    address = address_for(buyer)

    with pytest.raises(EmptyCart):
        services.place_order(buyer=buyer, checkout_key=uuid.uuid4(), address=address, delivery_method_ids={})

    assert not OrderGroup.objects.exists()


def test_checkout_refuses_a_listing_that_went_out_of_stock(buyer, seller, other_user):
    variant = sellable(seller, stock=1)
    services.add_to_cart(cart=services.cart_for_user(user=buyer), variant_id=variant.pk, quantity=1)
    catalog_services.reserve_stock(variant_id=variant.pk, quantity=1)  # someone else bought the last one
    address = address_for(buyer)
    method = DeliveryMethod.objects.get(seller=seller)

    with pytest.raises(OutOfStock):
        services.place_order(
            buyer=buyer, checkout_key=uuid.uuid4(), address=address, delivery_method_ids={seller.pk: method.pk}
        )

    assert not OrderGroup.objects.exists()


def test_checkout_refuses_a_blocked_listing(buyer, seller, moderator):
    variant = sellable(seller)
    services.add_to_cart(cart=services.cart_for_user(user=buyer), variant_id=variant.pk, quantity=1)
    catalog_services.block_listing(listing=variant.listing, actor=moderator, reason="Нарушение")
    method = DeliveryMethod.objects.get(seller=seller)

    with pytest.raises(NotForSale):
        services.place_order(
            buyer=buyer,
            checkout_key=uuid.uuid4(),
            address=address_for(buyer),
            delivery_method_ids={seller.pk: method.pk},
        )

    assert not OrderGroup.objects.exists()


def test_checkout_refuses_another_sellers_delivery_method(buyer, seller, other_seller):
    variant = sellable(seller)
    sellable(other_seller)
    services.add_to_cart(cart=services.cart_for_user(user=buyer), variant_id=variant.pk, quantity=1)
    foreign = DeliveryMethod.objects.get(seller=other_seller)

    with pytest.raises(DeliveryNotAvailable):
        services.place_order(
            buyer=buyer,
            checkout_key=uuid.uuid4(),
            address=address_for(buyer),
            delivery_method_ids={seller.pk: foreign.pk},
        )

    assert not OrderGroup.objects.exists()
    variant.refresh_from_db()
    assert variant.allocated == 0


def test_tracking_number_with_script_is_refused(buyer, seller):
    from orders.exceptions import InvalidTracking

    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    services.confirm_order(order=order, actor=seller.user)

    with pytest.raises(InvalidTracking):
        services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="<script>alert(1)</script>")

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.tracking_number == ""
