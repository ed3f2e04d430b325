from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from marketplace.ledger import services as ledger
from orders import services
from orders.exceptions import InvalidRefund, ReturnNotAllowed, ReturnQuantityExceeded, ReturnWindowClosed
from orders.models import Order, OrderStatus, ReturnRequest, ReturnStatus

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller, price="1000.00"), 2)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-1")
    return services.confirm_delivery(order=order, actor=buyer)


def _request(order, buyer, quantity=1, reason="changed_mind", **extra):
    line = order.lines.get()
    return services.request_return(order=order, actor=buyer, quantities={line.pk: quantity}, reason=reason, **extra)


def test_delivery_gives_the_written_return_notice_and_a_window_of_at_least_7_days(delivered, buyer):
    assert delivered.return_notice_given
    assert delivered.return_window_ends_at - delivered.delivered_at == timedelta(days=7)
    assert buyer.notifications.filter(kind="order_delivered").exists()


def test_approved_and_received_return_refunds_the_items_and_restocks(delivered, buyer, seller):
    return_request = _request(delivered, buyer, quantity=1)

    services.approve_return(return_request=return_request, actor=seller.user)
    services.receive_return(return_request=return_request, actor=seller.user, resellable=True)

    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED
    assert return_request.refund_amount == Decimal("1000.00")
    assert services.held_for(delivered) == Decimal("1300.00")
    variant = delivered.lines.get().variant
    assert variant.on_hand == 4  # 5 - 2 shipped + 1 back


def test_seller_silence_for_48_hours_approves_the_return(delivered, buyer):
    return_request = _request(delivered, buyer)
    return_request.deadlines.update(due_at=timezone.now() - timedelta(seconds=1))

    services.process_due_deadlines()

    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.APPROVED


def test_defect_return_refunds_delivery_too_and_is_an_incident(delivered, buyer, seller):
    return_request = _request(delivered, buyer, quantity=2, reason="defect")

    services.approve_return(return_request=return_request, actor=seller.user)
    services.receive_return(return_request=return_request, actor=seller.user, resellable=False)

    return_request.refresh_from_db()
    assert return_request.refund_amount == Decimal("2300.00")
    assert delivered.incidents.filter(kind="defect_return").exists()


def test_partial_refund_needs_a_reason_and_the_buyers_acceptance(delivered, buyer, seller):
    return_request = _request(delivered, buyer)

    with pytest.raises(InvalidRefund):
        services.offer_partial_refund(
            return_request=return_request, actor=seller.user, amount=Decimal("300"), reason=""
        )
    services.offer_partial_refund(
        return_request=return_request, actor=seller.user, amount=Decimal("300.00"), reason="Царапина"
    )
    assert services.held_for(delivered) == Decimal("2300.00")
    services.answer_partial_offer(return_request=return_request, actor=buyer, accept=True)

    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED
    assert services.held_for(delivered) == Decimal("2000.00")


def _approved_exchange(order, buyer, seller) -> ReturnRequest:
    """One item of `order` to be exchanged for the same variant, approved by the seller."""
    line = order.lines.get()
    return_request = services.request_return(
        order=order,
        actor=buyer,
        quantities={line.pk: 1},
        reason="changed_mind",
        resolution="exchange",
        exchange_variant_id=line.variant_id,
    )
    services.approve_return(return_request=return_request, actor=seller.user)
    return return_request


def test_exchange_creates_a_free_replacement_order(delivered, buyer, seller):
    return_request = _approved_exchange(delivered, buyer, seller)

    services.receive_return(return_request=return_request, actor=seller.user, resellable=True)

    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.EXCHANGED
    replacement = return_request.replacement_order
    assert (replacement.status, replacement.total) == (OrderStatus.PAID, Decimal("0.00"))


@pytest.mark.parametrize("gone", ["sold_out", "off_sale"])
def test_an_exchange_whose_variant_is_gone_by_receipt_is_refunded_instead(delivered, buyer, seller, gone):
    """The other variant sold out (or left sale) while the item travelled back: receipt still goes through, and the
    buyer gets the money back instead of a replacement, told why (spec 65)."""
    from catalog.models import Listing, Variant
    from marketplace.notifications.models import Notification

    line = delivered.lines.get()
    return_request = _approved_exchange(delivered, buyer, seller)
    if gone == "sold_out":
        Variant.objects.filter(pk=line.variant_id).update(on_hand=F("allocated"))
    else:
        Listing.objects.filter(pk=line.listing_id).update(status="archived")
    orders_before = Order.objects.count()

    services.receive_return(return_request=return_request, actor=seller.user, resellable=False)

    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED
    assert return_request.refund_amount == Decimal("1000.00")
    assert Order.objects.count() == orders_before  # no replacement order, no stock held for one
    assert return_request.events.order_by("pk").last().reason == (
        "the exchange variant is not available: refunded instead"
    )
    notice = Notification.objects.filter(recipient=buyer, kind="return_updated").latest("pk")
    assert notice.context["exchange_unavailable"] is True


def test_the_assumed_receipt_of_an_exchange_whose_variant_sold_out_refunds_it(delivered, buyer, seller):
    """The receipt deadline passing (the seller silent) takes the same way out: before, its task failed each run."""
    from catalog.models import Variant

    return_request = _approved_exchange(delivered, buyer, seller)
    Variant.objects.filter(pk=delivered.lines.get().variant_id).update(on_hand=F("allocated"))
    # the carrier reports the parcel delivered to the seller: receipt is assumed when its deadline passes
    services.record_return_tracking(return_request=return_request, status="delivered", occurred_at=timezone.now())
    return_request.deadlines.update(due_at=timezone.now() - timedelta(seconds=1))

    services.process_due_deadlines()

    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED
    assert return_request.refund_amount == Decimal("1000.00")


def test_rejected_return_lets_the_order_complete_and_release(delivered, buyer, seller):
    return_request = _request(delivered, buyer)
    Order.objects.filter(pk=delivered.pk).update(return_window_ends_at=timezone.now() - timedelta(seconds=1))

    services.reject_return(return_request=return_request, actor=seller.user, reason="Следы носки")

    delivered.refresh_from_db()
    assert delivered.status == OrderStatus.COMPLETED
    assert ledger.seller_balance(seller=seller).available > 0


def test_buyer_cannot_return_after_the_window(delivered, buyer):
    Order.objects.filter(pk=delivered.pk).update(return_window_ends_at=timezone.now() - timedelta(days=1))
    delivered.refresh_from_db()

    with pytest.raises(ReturnWindowClosed):
        _request(delivered, buyer)

    assert not ReturnRequest.objects.exists()


def test_buyer_cannot_return_more_than_bought(delivered, buyer):
    _request(delivered, buyer, quantity=2)

    with pytest.raises(ReturnQuantityExceeded):
        _request(delivered, buyer, quantity=1)

    assert ReturnRequest.objects.count() == 1


def test_buyer_cannot_return_from_someone_elses_order(delivered, other_buyer):
    with pytest.raises(PermissionDenied):
        _request(delivered, other_buyer)

    assert not ReturnRequest.objects.exists()


def test_return_page_of_someone_elses_order_is_404(client, delivered, other_buyer):
    client.force_login(other_buyer)

    response = client.get(reverse("orders:return-request", args=[delivered.pk]))

    assert response.status_code == 404


def test_undelivered_order_cannot_be_returned(buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()

    with pytest.raises(ReturnNotAllowed):
        _request(order, buyer)


def test_not_as_described_returns_count_towards_asking_the_seller_to_check_the_listing(buyer, seller, settings):
    """Spec 30: the orders app tells the catalogue of each "not as described" return of a listing."""
    from catalog.models import Listing

    settings.MARKETPLACE_CATALOG_CHECK_COMPLAINTS = 1
    order = pay(checkout(buyer, [(sellable(seller, price="1000.00"), 1)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-1")
    order = services.confirm_delivery(order=order, actor=buyer)
    line = order.lines.get()

    services.request_return(order=order, actor=buyer, quantities={line.pk: 1}, reason="not_as_described")

    listing = Listing.objects.get(pk=line.listing_id)
    assert (listing.description_complaints, listing.check_reason) == (1, "complaints")
