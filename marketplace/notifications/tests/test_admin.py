"""The outbox in the admin: staff see what was sent and why not, filter failures, and retry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.notifications import services
from marketplace.notifications.models import Channel, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_delivery(user) -> Delivery:
    notification = services.notify(recipient=user, kind="welcome")
    delivery = notification.deliveries.get(channel=Channel.EMAIL)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=8, next_attempt_at=None, last_error="ConnectionRefusedError"
    )
    return delivery


def test_moderator_sees_failed_deliveries_filtered_by_status(client, moderator, failed_delivery):
    client.force_login(moderator)

    response = client.get(reverse("admin:notifications_delivery_changelist"), {"status__exact": "failed"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed_delivery]


def test_moderator_sees_a_notification_with_its_deliveries(client, moderator, failed_delivery):
    client.force_login(moderator)

    response = client.get(reverse("admin:notifications_notification_change", args=[failed_delivery.notification_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "ConnectionRefusedError" in html
    assert 'name="_save"' not in html  # read-only


def test_moderator_cannot_retry(client, moderator, failed_delivery):
    client.force_login(moderator)

    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [failed_delivery.pk]},
    )

    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.FAILED
    assert response.status_code in (200, 302)


def test_manager_retries_a_failed_delivery(client, manager, failed_delivery):
    client.force_login(manager)

    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [failed_delivery.pk]},
    )

    assert response.status_code == 302
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == (DeliveryStatus.PENDING, 0)


def test_manager_retries_from_the_notification_list(client, manager, failed_delivery):
    client.force_login(manager)

    client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_now", "_selected_action": [failed_delivery.notification_id]},
    )

    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.PENDING
