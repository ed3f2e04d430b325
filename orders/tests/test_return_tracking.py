"""Return receipt from tracking (issue 5, item 10): "the seller confirms receipt, or it is assumed N days after the
return tracking shows delivery" — the tracking events a carrier, the seller or a moderator report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.exceptions import InvalidTrackingEvent
from orders.models import Deadline, DeadlineKind, ReturnRequest, ReturnStatus, ReturnTrackingEvent
from sellers.models import TeamRole
from sellers.tests.factories import add_member

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db

RECEIPT_DAYS = settings.MARKETPLACE_ORDER_RETURN_RECEIPT_DAYS


@pytest.fixture
def approved(buyer, seller):
    """A delivered order with an approved return of one of two items, sent back by the buyer with tracking."""
    order = pay(checkout(buyer, [(sellable(seller, price="1000.00"), 2)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-1")
    order = services.confirm_delivery(order=order, actor=buyer)
    line = order.lines.get()
    return_request = services.request_return(order=order, actor=buyer, quantities={line.pk: 1}, reason="changed_mind")
    services.approve_return(return_request=return_request, actor=seller.user)
    # Requested a month ago, so carrier times of the last weeks are plausible.
    ReturnRequest.objects.filter(pk=return_request.pk).update(created_at=timezone.now() - timedelta(days=30))
    return_request.refresh_from_db()
    return services.mark_return_sent(return_request=return_request, actor=buyer, tracking_number="RA123456789RU")


def _receipt_deadline(return_request):
    return Deadline.objects.filter(return_request=return_request, kind=DeadlineKind.RETURN_RECEIPT).first()


def _delivered(return_request, *, actor=None, when=None):
    return services.record_return_tracking(
        return_request=return_request,
        status="delivered",
        occurred_at=when or timezone.now() - timedelta(hours=1),
        actor=actor,
    )


def test_buyer_sending_the_return_records_it_in_transit_and_starts_no_receipt_clock(approved, buyer):
    event = approved.tracking_events.get()

    assert (event.status, event.source, event.recorded_by) == ("in_transit", "buyer", buyer)
    assert approved.return_tracking == "RA123456789RU"
    assert _receipt_deadline(approved) is None


def test_carrier_reporting_delivery_sets_receipt_n_days_after_the_delivery_time(approved):
    delivered_at = timezone.now() - timedelta(days=2)

    event = _delivered(approved, when=delivered_at)

    approved.refresh_from_db()
    assert (event.status, event.source, event.recorded_by) == ("delivered", "carrier", None)
    assert approved.return_delivered_at == delivered_at
    assert _receipt_deadline(approved).due_at == delivered_at + timedelta(days=RECEIPT_DAYS)
    assert approved.receipt_assumed_at == delivered_at + timedelta(days=RECEIPT_DAYS)


def test_receipt_is_assumed_and_refunded_once_n_days_after_tracked_delivery(approved):
    _delivered(approved, when=timezone.now() - timedelta(days=RECEIPT_DAYS, minutes=1))

    services.process_due_deadlines()

    approved.refresh_from_db()
    assert approved.status == ReturnStatus.REFUNDED
    assert approved.refund_amount == Decimal("1000.00")
    assert approved.events.filter(to_status=ReturnStatus.RECEIVED, reason="receipt assumed").exists()


def test_receipt_is_not_assumed_before_n_days_after_tracked_delivery(approved):
    _delivered(approved, when=timezone.now() - timedelta(days=RECEIPT_DAYS - 1))

    services.process_due_deadlines()

    approved.refresh_from_db()
    assert approved.status == ReturnStatus.APPROVED


def test_return_sent_long_ago_without_tracked_delivery_is_not_assumed_received(approved):
    event = approved.tracking_events.get()
    ReturnTrackingEvent.objects.filter(pk=event.pk).update(occurred_at=timezone.now() - timedelta(days=60))

    services.process_due_deadlines()

    approved.refresh_from_db()
    assert approved.status == ReturnStatus.APPROVED
    assert _receipt_deadline(approved) is None


def test_carrier_repeating_the_same_delivery_event_records_it_once(approved):
    when = timezone.now() - timedelta(hours=3)
    first = _delivered(approved, when=when)

    again = _delivered(approved, when=when)

    assert again.pk == first.pk
    assert approved.tracking_events.filter(status="delivered").count() == 1
    assert Deadline.objects.filter(return_request=approved, kind=DeadlineKind.RETURN_RECEIPT).count() == 1


def test_earliest_delivery_report_counts(approved):
    later, earlier = timezone.now() - timedelta(hours=1), timezone.now() - timedelta(days=1)
    _delivered(approved, when=later)

    _delivered(approved, when=earlier)
    _delivered(approved, when=timezone.now() - timedelta(minutes=5))

    approved.refresh_from_db()
    assert approved.return_delivered_at == earlier
    assert _receipt_deadline(approved).due_at == earlier + timedelta(days=RECEIPT_DAYS)


def test_seller_is_told_when_receipt_will_be_assumed(approved, seller):
    _delivered(approved)

    notification = seller.user.notifications.get(kind="return_updated_seller", context__status="delivered")
    assert notification.context["receipt_assumed"] == (
        timezone.localtime(approved.tracking_events.get(status="delivered").occurred_at + timedelta(days=RECEIPT_DAYS))
        .date()
        .isoformat()
    )


def test_seller_confirming_receipt_first_closes_the_receipt_clock(approved, seller):
    _delivered(approved)

    services.receive_return(return_request=approved, actor=seller.user)

    deadline = _receipt_deadline(approved)
    assert deadline.done_at is not None
    assert deadline.outcome == "received"


def test_seller_team_member_reports_tracked_delivery(approved, seller):
    member = add_member(seller, TeamRole.WAREHOUSE)

    event = _delivered(approved, actor=member.user)

    assert (event.source, event.recorded_by) == ("seller", member.user)


def test_moderator_with_the_return_permission_reports_tracked_delivery(approved, moderator):
    moderator.user_permissions.add(Permission.objects.get(codename="change_returnrequest"))

    event = _delivered(approved, actor=moderator)

    assert event.source == "moderator"


@pytest.mark.parametrize("who", ["buyer", "other_user", "other_seller", "moderator"])
def test_only_the_carrier_seller_or_a_permitted_moderator_may_report_tracking(approved, request, who):
    person = request.getfixturevalue(who)
    actor = person.user if who == "other_seller" else person
    before = list(approved.tracking_events.values_list("pk", flat=True))

    with pytest.raises(PermissionDenied):
        _delivered(approved, actor=actor)

    assert list(approved.tracking_events.values_list("pk", flat=True)) == before
    assert _receipt_deadline(approved) is None


@pytest.mark.parametrize(
    ("status", "when", "message"),
    [
        ("lost", lambda now: now, "Unknown tracking status"),
        ("<script>", lambda now: now, "Unknown tracking status"),
        ("delivered", lambda now: now.replace(tzinfo=None), "time zone"),
        ("delivered", lambda now: "2026-01-01T10:00:00+03:00", "time zone"),
        ("delivered", lambda now: now + timedelta(days=1), "in the future"),
        ("delivered", lambda now: now - timedelta(days=400), "earlier than the return request"),
    ],
)
def test_bad_tracking_event_is_rejected_and_nothing_changes(approved, status, when, message):
    before = list(approved.tracking_events.values_list("pk", flat=True))

    with pytest.raises(InvalidTrackingEvent, match=message):
        services.record_return_tracking(
            return_request=approved, status=status, occurred_at=when(timezone.now()), actor=None
        )

    approved.refresh_from_db()
    assert list(approved.tracking_events.values_list("pk", flat=True)) == before
    assert approved.return_delivered_at is None
    assert _receipt_deadline(approved) is None


def test_delivery_reported_after_the_seller_received_the_items_is_kept_as_history_only(approved, seller):
    services.receive_return(return_request=approved, actor=seller.user)

    _delivered(approved)

    approved.refresh_from_db()
    assert approved.tracking_events.filter(status="delivered").exists()
    assert approved.return_delivered_at is None
    assert approved.status == ReturnStatus.REFUNDED


def test_both_sides_see_the_tracking_and_when_receipt_is_assumed(approved, client, buyer, seller):
    when = timezone.now() - timedelta(days=1)
    _delivered(approved, when=when)
    assumed = timezone.localtime(when + timedelta(days=RECEIPT_DAYS))

    client.force_login(buyer)
    buyer_page = client.get(reverse("orders:detail", args=[approved.order_id])).content.decode()
    client.force_login(seller.user)
    seller_page = client.get(reverse("orders:seller-detail", args=[approved.order_id])).content.decode()

    for page in (buyer_page, seller_page):
        assert "Delivered to the seller" in page
        assert "On its way to the seller" in page
        assert "Unless the seller confirms receipt earlier, it is assumed on" in page
        assert str(assumed.year) in page
