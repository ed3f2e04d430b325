"""Delivery of e-mail from the outbox: rendering, retries with back-off, the relay, `failed` in the end."""

from __future__ import annotations

import datetime
import email
import email.policy

import pytest
from django.core import mail
from django.utils import timezone

from marketplace.notifications import selectors, services, tasks
from marketplace.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    InboxItem,
    Notification,
)

pytestmark = pytest.mark.django_db


def _email_of(notification: Notification) -> Delivery:
    return notification.deliveries.get(channel=Channel.EMAIL)


def _make_due(delivery: Delivery) -> None:
    """Let the back-off pass (the relay leaves just-created rows to their own nudge, so age them too)."""
    past = timezone.now() - datetime.timedelta(minutes=5)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=past, created_at=past)


def test_worker_sends_email_with_text_and_html_and_marks_it_sent(user):
    user.language = "en"
    user.save(update_fields=["language"])
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))

    status = services.deliver(delivery_id=delivery.pk)

    assert status == DeliveryStatus.SENT
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.extra_headers["Message-ID"] == delivery.message_id
    html = message.alternatives[0][0]
    assert "/notifications/settings/" in message.body  # says where to change notification settings
    assert "/notifications/settings/" in html
    assert "http://" in message.body  # absolute links from MARKETPLACE_SITE_URL
    assert "because you have an account" in message.body  # says why the recipient got it
    assert "because you have an account" in html


def test_email_is_written_in_the_recipients_language(user, other_user):
    user.language, other_user.language = "ru", "en"
    user.save(update_fields=["language"])
    other_user.save(update_fields=["language"])
    to_ru = _email_of(services.notify(recipient=user, kind="account_security", context={"event": "password_changed"}))
    to_en = _email_of(
        services.notify(recipient=other_user, kind="account_security", context={"event": "password_changed"})
    )

    services.deliver(delivery_id=to_ru.pk)
    services.deliver(delivery_id=to_en.pk)

    russian, english = mail.outbox
    assert '<html lang="ru">' in russian.alternatives[0][0]
    assert '<html lang="en">' in english.alternatives[0][0]
    assert english.subject == "Your password was changed"


def test_delivering_twice_sends_once(user):
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))

    services.deliver(delivery_id=delivery.pk)
    again = services.deliver(delivery_id=delivery.pk)

    assert again is None
    assert len(mail.outbox) == 1


def test_delivery_waiting_for_quiet_hours_is_not_sent_early(user):
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(hours=3))

    assert services.deliver(delivery_id=delivery.pk) is None

    assert mail.outbox == []
    assert delivery.pk not in selectors.due_delivery_ids()


def test_smtp_down_keeps_row_pending_then_relay_delivers_once_smtp_is_back(user, smtp, eager_celery):
    delivery = _email_of(services.notify(recipient=user, kind="account_security", context={"event": "password_reset"}))

    # SMTP is down: nothing listens on the configured port.
    assert services.deliver(delivery_id=delivery.pk) == DeliveryStatus.PENDING

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()  # backs off
    assert delivery.pk not in selectors.due_delivery_ids()

    # A second failure backs off longer.
    _make_due(delivery)
    tasks.relay_pending_deliveries.delay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 2)
    assert delivery.next_attempt_at - timezone.now() > datetime.timedelta(minutes=1, seconds=30)

    # SMTP is back; once the back-off passes the beat relay sends it.
    smtp.start()
    _make_due(delivery)
    relayed = tasks.relay_pending_deliveries.delay().get()

    assert relayed == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    [raw] = smtp.inbox.messages
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["Message-ID"].strip() == delivery.message_id
    assert received["To"] == user.email
    assert InboxItem.objects.filter(notification=delivery.notification).count() == 1  # never a second in-app item


def test_message_id_is_the_same_on_every_attempt(user, smtp):
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))
    message_id = delivery.message_id
    services.deliver(delivery_id=delivery.pk)  # fails: SMTP down
    smtp.start()
    _make_due(delivery)

    services.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.message_id == message_id
    [raw] = smtp.inbox.messages
    assert email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"].strip() == message_id


def test_delivery_that_keeps_failing_ends_failed_and_is_not_retried(user, smtp, settings):
    settings.MARKETPLACE_NOTIFICATION_MAX_ATTEMPTS = 3
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))

    for _ in range(3):
        _make_due(delivery)
        services.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.next_attempt_at is None
    assert delivery.last_error
    assert delivery.pk not in selectors.due_delivery_ids()
    assert services.deliver(delivery_id=delivery.pk) is None


def test_rejected_address_fails_at_once(user, smtp):
    class RefusingInbox:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 No such user here"

    smtp.inbox = RefusingInbox()
    smtp.start()
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))

    services.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "refused" in delivery.last_error


def test_retry_delay_doubles_up_to_an_hour():
    delays = [services.retry_delay(attempt) for attempt in range(1, 10)]

    assert delays[:4] == [datetime.timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert max(delays) == datetime.timedelta(hours=1)


def test_staff_retry_gives_a_failed_delivery_a_fresh_start(
    user, moderator, smtp, settings, django_capture_on_commit_callbacks
):
    settings.MARKETPLACE_NOTIFICATION_MAX_ATTEMPTS = 1
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))
    services.deliver(delivery_id=delivery.pk)  # SMTP down
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED

    with django_capture_on_commit_callbacks() as callbacks:
        count = services.retry_deliveries(deliveries=Delivery.objects.filter(pk=delivery.pk), actor=moderator)

    assert count == 1
    assert len(callbacks) == 1  # sent at once, not at the next relay
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert "retried by moderator@example.com" in delivery.last_error
    smtp.start()
    assert services.deliver(delivery_id=delivery.pk) == DeliveryStatus.SENT


def test_staff_retry_leaves_sent_and_skipped_deliveries_alone(user, moderator):
    notification = services.notify(recipient=user, kind="welcome")

    count = services.retry_deliveries(deliveries=notification.deliveries.all(), actor=moderator)

    assert count == 1  # only the pending e-mail; the in-app delivery is already done
    assert notification.deliveries.get(channel=Channel.IN_APP).status == DeliveryStatus.SENT


def test_relay_leaves_a_just_created_delivery_to_its_own_nudge(user):
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))

    assert delivery.pk not in selectors.due_delivery_ids()

    _make_due(delivery)
    assert delivery.pk in selectors.due_delivery_ids()


def test_broker_down_does_not_break_the_business_transaction_nor_slow_every_request(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.deliver, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(recipient=user, kind="welcome")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.notify(recipient=user, kind="welcome")

    assert len(attempts) == 1  # the second request does not wait for the broker again
    for notification in (first, second):
        assert _email_of(notification).status == DeliveryStatus.PENDING  # the relay sends them later


def test_marketing_email_has_one_click_unsubscribe_link_and_header(user):
    services.set_marketing_consent(user=user, consent=True, source="signup")
    delivery = _email_of(
        services.notify(recipient=user, kind="marketing_news", context={"headline": "Распродажа", "text": "Скидки"})
    )

    services.deliver(delivery_id=delivery.pk)

    [message] = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body
    assert unsubscribe in message.alternatives[0][0]


def test_transactional_email_has_no_unsubscribe_link(user):
    delivery = _email_of(services.notify(recipient=user, kind="welcome"))

    services.deliver(delivery_id=delivery.pk)

    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


# ------------------------------------------------------------------------------------------ purge


def test_purge_deletes_old_read_notifications_only(user, settings):
    settings.MARKETPLACE_NOTIFICATION_RETENTION_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    old_read = services.notify(recipient=user, kind="welcome")
    old_unread = services.notify(recipient=user, kind="welcome")
    recent_read = services.notify(recipient=user, kind="welcome")
    Delivery.objects.update(status=DeliveryStatus.SENT, next_attempt_at=None)
    InboxItem.objects.filter(notification__in=[old_read, recent_read]).update(read_at=timezone.now())
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(created_at=old)

    deleted = services.purge_old_notifications()

    assert deleted == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, recent_read.pk}


def test_purge_keeps_old_notifications_still_waiting_to_be_sent(user, settings):
    settings.MARKETPLACE_NOTIFICATION_RETENTION_DAYS = 30
    notification = services.notify(recipient=user, kind="welcome")
    InboxItem.objects.update(read_at=timezone.now())
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))

    assert services.purge_old_notifications() == 0

    assert Notification.objects.filter(pk=notification.pk).exists()
