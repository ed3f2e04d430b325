"""Risk signals (spec 158): each rule on small data, deduplication per (kind, subject, period), the admin list with
links to the evidence, the moderation queue and the beat task. Nothing acts on a signal automatically."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from disputes import services, tasks
from disputes.models import RiskSignal, RiskSignalKind, RiskSignalStatus
from marketplace.audit.moderation import registry, visible_queues
from orders.models import CancelledBy as By
from orders.models import Order, OrderGroup, OrderStatus, ReturnReason
from reviews.models import SellerReview
from reviews.tests.factories import bare_orders
from sellers.models import Seller

from .conftest import make_delivered_order

pytestmark = pytest.mark.django_db
SELLER_PHONE = "+79161112233"


@pytest.fixture(autouse=True)
def _sellers_own_phone(seller):
    """The factories give the seller and test deliveries the same phone; here the seller has their own."""
    Seller.objects.filter(pk=seller.pk).update(contact_phone=SELLER_PHONE)
    seller.contact_phone = SELLER_PHONE


def _kinds(now=None) -> list[str]:
    services.compute_risk_signals(now=now)
    return sorted(RiskSignal.objects.values_list("kind", flat=True))


def _cancel(orders, by) -> None:
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(
        status=OrderStatus.CANCELLED, cancelled_by=by, cancelled_at=timezone.now()
    )


# Seller's cancellation rate --------------------------------------------------------------------------------------


def test_seller_cancelling_a_large_share_of_this_weeks_orders_is_signalled(seller, buyer):
    orders = bare_orders(seller, buyer, 5, paid_days_ago=1, status=OrderStatus.PAID)
    _cancel(orders[:2], By.SELLER)

    assert _kinds() == [RiskSignalKind.CANCELLATION_SPIKE]
    signal = RiskSignal.objects.get()
    assert signal.subject_seller == seller
    assert signal.score == 40
    assert {item["id"] for item in signal.evidence} == {orders[0].pk, orders[1].pk}
    assert {item["model"] for item in signal.evidence} == {"orders.order"}


def test_buyers_cancellations_do_not_count_against_the_seller(seller, buyer):
    orders = bare_orders(seller, buyer, 5, paid_days_ago=1, status=OrderStatus.PAID)
    _cancel(orders[:3], By.BUYER)

    assert _kinds() == []


def test_seller_whose_cancellation_rate_did_not_rise_is_not_signalled(seller, buyer):
    recent = bare_orders(seller, buyer, 5, paid_days_ago=1, status=OrderStatus.PAID)
    earlier = bare_orders(seller, buyer, 4, paid_days_ago=20, status=OrderStatus.PAID)
    Order.objects.filter(pk__in=[order.pk for order in earlier]).update(created_at=timezone.now() - timedelta(days=20))
    _cancel(recent[:2] + earlier[:2], By.SELLER)  # 40 % now, 50 % the month before: no spike

    assert _kinds() == []


def test_too_few_orders_are_not_a_cancellation_spike(seller, buyer):
    orders = bare_orders(seller, buyer, 4, paid_days_ago=1, status=OrderStatus.PAID)
    _cancel(orders[:2], By.SELLER)

    assert _kinds() == []


# New seller with large orders ------------------------------------------------------------------------------------


def _large(seller, buyer, total="60000.00") -> Order:
    order = bare_orders(seller, buyer, 1, paid_days_ago=1, status=OrderStatus.PAID)[0]
    Order.objects.filter(pk=order.pk).update(subtotal=total, total=total)
    return order


def test_new_seller_with_an_unusually_large_order_is_signalled(seller, buyer):
    order = _large(seller, buyer)
    bare_orders(seller, buyer, 6, paid_days_ago=2, status=OrderStatus.PAID)  # ordinary ones: not evidence

    assert _kinds() == [RiskSignalKind.NEW_SELLER_LARGE_ORDERS]
    signal = RiskSignal.objects.get()
    assert signal.subject_seller == seller
    assert [item["id"] for item in signal.evidence] == [order.pk]


def test_established_seller_with_a_large_order_is_not_signalled(seller, buyer):
    Seller.objects.filter(pk=seller.pk).update(approved_at=timezone.now() - timedelta(days=90))
    _large(seller, buyer)
    bare_orders(seller, buyer, 6, paid_days_ago=2, status=OrderStatus.PAID)

    assert _kinds() == []


def test_new_seller_with_ordinary_orders_is_not_signalled(seller, buyer):
    _large(seller, buyer, total="49999.00")
    bare_orders(seller, buyer, 6, paid_days_ago=2, status=OrderStatus.PAID)

    assert _kinds() == []


# Buyers with many disputes or returns ------------------------------------------------------------------------------


def _dispute(order, buyer):
    return services.open_dispute(
        order=order, actor=buyer, reason="damaged", description="Сломано", desired_outcome="full_refund"
    )


def test_buyer_with_three_disputes_and_returns_is_signalled(seller, buyer):
    from orders import services as order_services

    first, second, third = (make_delivered_order(buyer, seller, quantity=1) for _ in range(3))
    disputes = [_dispute(first, buyer), _dispute(second, buyer)]
    line = third.lines.get()
    returned = order_services.request_return(
        order=third, actor=buyer, quantities={line.pk: 1}, reason=ReturnReason.DEFECT, text="Не включается"
    )

    assert _kinds() == [RiskSignalKind.BUYER_DISPUTES_RETURNS]
    signal = RiskSignal.objects.get()
    assert signal.subject_user == buyer
    assert {(item["model"], item["id"]) for item in signal.evidence} == {
        ("disputes.dispute", disputes[0].pk),
        ("disputes.dispute", disputes[1].pk),
        ("orders.returnrequest", returned.pk),
    }


def test_buyer_with_two_disputes_is_not_signalled(seller, buyer):
    for _ in range(2):
        _dispute(make_delivered_order(buyer, seller, quantity=1), buyer)

    assert _kinds() == []


# Review bursts -----------------------------------------------------------------------------------------------------


def _reviews(seller, buyer, count: int, *, days_ago: int = 0) -> list[SellerReview]:
    reviews = [
        SellerReview.objects.create(
            order=order, author=buyer, seller=seller, service_stars=5, delivery_stars=5, packaging_stars=5
        )
        for order in bare_orders(seller, buyer, count)
    ]
    if days_ago:
        SellerReview.objects.filter(pk__in=[review.pk for review in reviews]).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return reviews


def test_burst_of_reviews_for_a_seller_is_signalled(seller, buyer):
    reviews = _reviews(seller, buyer, 5)

    assert _kinds() == [RiskSignalKind.REVIEW_BURST]
    signal = RiskSignal.objects.get()
    assert signal.subject_seller == seller
    assert {item["id"] for item in signal.evidence} == {review.pk for review in reviews}


def test_seller_who_usually_gets_that_many_reviews_has_no_burst(seller, buyer):
    _reviews(seller, buyer, 5)
    _reviews(seller, buyer, 40, days_ago=10)  # 1.3 a day before: 5 today is under five times that

    assert _kinds() == []


def test_four_reviews_in_a_day_are_no_burst(seller, buyer):
    _reviews(seller, buyer, 4)

    assert _kinds() == []


# Accounts sharing data with a seller -------------------------------------------------------------------------------


def test_buyer_account_with_the_sellers_phone_is_signalled(seller, buyer, other_buyer):
    own = bare_orders(seller, buyer, 1)[0]
    OrderGroup.objects.filter(pk=own.group_id).update(recipient_phone="89161112233")
    bare_orders(seller, other_buyer, 1)  # another buyer's own phone: not evidence
    OrderGroup.objects.filter(buyer=other_buyer).update(
        recipient_phone="+79990000000", address="Казань, ул. Баумана, 1"
    )

    assert _kinds() == [RiskSignalKind.SHARED_DATA]
    signal = RiskSignal.objects.get()
    assert signal.subject_seller == seller
    assert ("accounts.user", buyer.pk) in {(item["model"], item["id"]) for item in signal.evidence}
    assert ("orders.order", own.pk) in {(item["model"], item["id"]) for item in signal.evidence}
    assert other_buyer.pk not in {item["id"] for item in signal.evidence if item["model"] == "accounts.user"}


def test_buyer_account_delivering_to_the_sellers_own_address_is_signalled(seller, buyer, other_buyer):
    seller_as_buyer = bare_orders(seller, seller.user, 1)[0]  # the owner bought something for themselves
    OrderGroup.objects.filter(pk=seller_as_buyer.group_id).update(address="Москва, Тверская, 1, кв. 5")
    order = bare_orders(seller, other_buyer, 1)[0]
    OrderGroup.objects.filter(pk=order.group_id).update(
        recipient_phone="+79990000000", address="москва тверская 1 кв 5"
    )

    assert _kinds() == [RiskSignalKind.SHARED_DATA]
    assert RiskSignal.objects.get().evidence[0] == {
        "model": "accounts.user",
        "id": other_buyer.pk,
        "label": other_buyer.email,
    }


def test_buyers_with_their_own_phone_and_address_are_not_signalled(seller, buyer):
    order = bare_orders(seller, buyer, 1)[0]
    OrderGroup.objects.filter(pk=order.group_id).update(
        recipient_phone="+79990000000", address="Казань, ул. Баумана, 1"
    )

    assert _kinds() == []


# Contact sharing in messages ---------------------------------------------------------------------------------------


def test_user_sharing_contacts_twice_in_a_week_is_signalled(delivered, buyer):
    conversation = services.conversation_for_order(order=delivered, actor=buyer)
    first = services.send_message(conversation=conversation, actor=buyer, text="Позвоните: +7 912 345-67-89")
    services.send_message(conversation=conversation, actor=buyer, text="Когда отправите?")
    second = services.send_message(conversation=conversation, actor=buyer, text="пишите на anna@example.com")

    assert _kinds() == [RiskSignalKind.CONTACT_SHARING]
    signal = RiskSignal.objects.get()
    assert signal.subject_user == buyer
    assert [item["id"] for item in signal.evidence] == [first.pk, second.pk]


def test_one_flagged_message_is_left_to_the_flagged_messages_queue(delivered, buyer):
    conversation = services.conversation_for_order(order=delivered, actor=buyer)
    services.send_message(conversation=conversation, actor=buyer, text="Позвоните: +7 912 345-67-89")

    assert _kinds() == []


# Deduplication, dismissal, beat, admin -----------------------------------------------------------------------------


@pytest.fixture
def spike(seller, buyer):
    orders = bare_orders(seller, buyer, 5, paid_days_ago=1, status=OrderStatus.PAID)
    _cancel(orders[:2], By.SELLER)
    return orders


def test_recomputing_in_the_same_period_refreshes_one_row_and_keeps_a_dismissal(spike, moderator):
    services.compute_risk_signals()
    signal = services.dismiss_signal(signal=RiskSignal.objects.get(), actor=moderator)
    _cancel(spike[2:3], By.SELLER)

    services.compute_risk_signals()

    refreshed = RiskSignal.objects.get()
    assert refreshed.pk == signal.pk
    assert refreshed.status == RiskSignalStatus.DISMISSED
    assert refreshed.score == 60
    assert refreshed.computed_at > signal.computed_at


def test_a_new_period_opens_a_new_signal(spike):
    now = timezone.now()
    services.compute_risk_signals(now=now)
    services.compute_risk_signals(now=now + timedelta(days=7, seconds=1))

    assert RiskSignal.objects.count() == 1  # the orders left the 7-day window: nothing new
    Order.objects.filter(pk__in=[order.pk for order in spike]).update(created_at=now + timedelta(days=7))
    services.compute_risk_signals(now=now + timedelta(days=7, seconds=1))

    assert RiskSignal.objects.count() == 2
    assert RiskSignal.objects.filter(status=RiskSignalStatus.OPEN).count() == 2


def test_the_beat_task_computes_and_acts_on_nothing(spike, seller):
    orders_before = list(Order.objects.order_by("pk").values_list("pk", "status"))

    assert tasks.compute_risk_signals() == 1
    assert tasks.compute_risk_signals() == 1

    assert RiskSignal.objects.count() == 1
    assert Seller.objects.get(pk=seller.pk).status == seller.status
    assert list(Order.objects.order_by("pk").values_list("pk", "status")) == orders_before


def test_buyer_cannot_dismiss_a_signal_and_nothing_changes(spike, buyer):
    services.compute_risk_signals()
    signal = RiskSignal.objects.get()

    with pytest.raises(PermissionDenied):
        services.dismiss_signal(signal=signal, actor=buyer)

    assert RiskSignal.objects.get().status == RiskSignalStatus.OPEN


def test_moderator_reads_the_signal_with_links_to_the_evidence_and_dismisses_it(client, spike, moderator):
    services.compute_risk_signals()
    signal = RiskSignal.objects.get()
    client.force_login(moderator)

    listing = client.get(reverse("admin:disputes_risksignal_changelist"))
    page = client.get(reverse("admin:disputes_risksignal_change", args=[signal.pk])).content.decode()
    client.post(
        reverse("admin:disputes_risksignal_changelist"),
        {"action": "dismiss", "_selected_action": [signal.pk]},
    )

    assert listing.status_code == 200
    assert spike[0].number in page  # orders have no admin page: the number, searchable in the ledger
    assert reverse("admin:sellers_seller_change", args=[signal.subject_seller_id]) in page
    assert RiskSignal.objects.get().status == RiskSignalStatus.DISMISSED


def test_manager_reads_signals_but_cannot_dismiss_them(client, spike, manager):
    services.compute_risk_signals()
    signal = RiskSignal.objects.get()
    client.force_login(manager)

    assert client.get(reverse("admin:disputes_risksignal_change", args=[signal.pk])).status_code == 200
    client.post(
        reverse("admin:disputes_risksignal_changelist"),
        {"action": "dismiss", "_selected_action": [signal.pk]},
    )

    assert RiskSignal.objects.get().status == RiskSignalStatus.OPEN


def test_open_signals_are_a_moderation_queue(spike, moderator, manager):
    services.compute_risk_signals()
    queue = next(queue for queue in registry if queue.key == "risk-signals")

    assert queue.queryset().count() == 1
    assert reverse("admin:disputes_risksignal_changelist") in queue.url()
    assert queue in visible_queues(moderator)
    assert queue not in visible_queues(manager)


def test_the_dispute_case_page_shows_the_parties_risk_signals(client, delivered, buyer, seller, moderator):
    conversation = services.conversation_for_order(order=delivered, actor=buyer)
    for text in ("Позвоните: +7 912 345-67-89", "пишите на anna@example.com"):
        services.send_message(conversation=conversation, actor=buyer, text=text)
    dispute = _dispute(delivered, buyer)
    services.compute_risk_signals()
    signal = RiskSignal.objects.get(kind=RiskSignalKind.CONTACT_SHARING)
    client.force_login(moderator)

    page = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk])).content.decode()

    assert reverse("admin:disputes_risksignal_change", args=[signal.pk]) in page
