"""Done-when of the outbox: a real Celery worker turns a committed outbox row into a delivered e-mail."""

from __future__ import annotations

import email
import email.policy
import time
import uuid

import pytest

from marketplace.accounts.models import User
from marketplace.notifications import services
from marketplace.notifications.channels import EmailAdapter
from marketplace.notifications.models import Channel, DeliveryStatus

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """The test database outside a test transaction: the worker is another process and sees only committed rows.

    Not `transaction=True`: its flush would wipe the rows data migrations made (staff groups, legal documents)
    for the test runs after this one. The test deletes what it wrote instead.
    """
    with django_db_blocker.unblock():
        yield


def _wait_until_not_pending(delivery, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.PENDING or time.monotonic() > deadline:
            return delivery
        time.sleep(0.2)


def test_real_worker_delivers_a_committed_outbox_row_as_email(committed_db, celery_worker_process):
    recipient = User.objects.create_user(email=f"worker-{uuid.uuid4().hex[:8]}@example.com", first_name="Вера")
    try:
        notification = services.notify(recipient=recipient, kind="welcome")  # commits; the task is sent after it
        delivery = notification.deliveries.get(channel=Channel.EMAIL)

        delivery = _wait_until_not_pending(delivery)

        assert delivery.status == DeliveryStatus.SENT, delivery.last_error
        assert delivery.attempts == 1
        [eml] = [
            path for path in celery_worker_process.glob("*.eml") if delivery.message_id.encode() in path.read_bytes()
        ]
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert message["To"] == recipient.email
        assert message["Subject"].strip() == EmailAdapter().build_message(delivery).subject
        assert message.get_body(preferencelist=("html",)) is not None
        assert message.get_body(preferencelist=("plain",)) is not None
    finally:
        recipient.delete()  # its notifications and deliveries go with it
