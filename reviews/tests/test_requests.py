from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.notifications.models import Notification
from orders.models import ReturnRequest
from reviews import services
from reviews.models import ReviewRequest

from .factories import delivered_order

pytestmark = pytest.mark.django_db


def test_buyer_is_asked_n_days_after_delivery_and_reminded_once(buyer, seller, settings):
    order = delivered_order(buyer, seller)
    services.schedule_review_requests()
    services.schedule_review_requests()
    assert ReviewRequest.objects.count() == 1

    assert services.send_due_review_requests() == 0
    later = timezone.now() + timedelta(days=settings.MARKETPLACE_REVIEW_REQUEST_DAYS, hours=1)
    assert services.send_due_review_requests(now=later) == 1
    much_later = later + timedelta(days=settings.MARKETPLACE_REVIEW_REMINDER_DAYS, hours=1)
    assert services.send_due_review_requests(now=much_later) == 1
    assert services.send_due_review_requests(now=much_later + timedelta(days=30)) == 0

    kinds = list(
        Notification.objects.filter(recipient=buyer, kind__startswith="review_").values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["review_reminder", "review_request"]
    assert order.pk == ReviewRequest.objects.get().order_id


def test_no_review_request_after_a_return(buyer, seller):
    order = delivered_order(buyer, seller)
    services.schedule_review_requests()
    ReturnRequest.objects.create(order=order, buyer=buyer, reason="defect", resolution="refund")

    services.send_due_review_requests(now=timezone.now() + timedelta(days=30))

    assert not Notification.objects.filter(recipient=buyer, kind="review_request").exists()
    assert ReviewRequest.objects.get().outcome == "returned"
