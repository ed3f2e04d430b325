"""notify(): the outbox row is part of the caller's transaction; channels follow preferences and consent."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.notifications import services
from marketplace.notifications.exceptions import UnknownKind
from marketplace.notifications.models import (
    Category,
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    InboxItem,
    MarketingConsent,
    Notification,
    QuietHours,
    SkipReason,
)

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def test_notify_writes_outbox_row_in_app_item_and_pending_email(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = services.notify(recipient=user, kind="welcome", context={"source": "test"})

    assert notification.category == Category.SERVICE
    assert notification.context == {"source": "test"}
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.PENDING
    assert email.to_address == user.email
    assert email.attempts == 0
    assert email.message_id.startswith("<")
    assert "notification-" in email.message_id
    in_app = notification.deliveries.get(channel=Channel.IN_APP)
    assert in_app.status == DeliveryStatus.SENT
    assert InboxItem.objects.get(notification=notification).recipient == user
    assert len(callbacks) == 1  # one nudge for the e-mail, sent only after commit


def test_notification_rolls_back_with_the_callers_transaction(user, django_capture_on_commit_callbacks):
    class BusinessRuleFailed(Exception):
        pass

    def place_order_that_fails() -> None:
        with transaction.atomic():
            services.notify(recipient=user, kind="welcome")
            raise BusinessRuleFailed

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(BusinessRuleFailed):
        place_order_that_fails()

    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert not InboxItem.objects.exists()
    assert callbacks == []  # nothing is enqueued for a rolled-back event


def test_notify_with_unknown_kind_fails_loudly_and_writes_nothing(user):
    with pytest.raises(UnknownKind):
        services.notify(recipient=user, kind="no_such_kind")

    assert not Notification.objects.exists()


def test_notify_refuses_context_that_is_not_json(user):
    with pytest.raises(TypeError, match="JSON"):
        services.notify(recipient=user, kind="welcome", context={"when": timezone.now()})

    assert not Notification.objects.exists()


def test_same_event_twice_with_dedupe_key_is_stored_and_sent_once(user):
    first = services.notify(recipient=user, kind="welcome", dedupe_key="welcome")

    second = services.notify(recipient=user, kind="welcome", dedupe_key="welcome")

    assert second.pk == first.pk
    assert Notification.objects.count() == 1
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 1
    assert InboxItem.objects.count() == 1


def test_dedupe_key_is_per_recipient(user, other_user):
    services.notify(recipient=user, kind="welcome", dedupe_key="welcome")

    services.notify(recipient=other_user, kind="welcome", dedupe_key="welcome")

    assert Notification.objects.count() == 2


def test_database_refuses_a_second_in_app_item_for_one_notification(user):
    notification = services.notify(recipient=user, kind="welcome")

    with pytest.raises(IntegrityError), transaction.atomic():
        InboxItem.objects.create(notification=notification, recipient=user, title="duplicate")

    assert InboxItem.objects.filter(notification=notification).count() == 1


def test_database_refuses_two_deliveries_on_one_channel(user):
    notification = services.notify(recipient=user, kind="welcome")

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=notification, channel=Channel.EMAIL, next_attempt_at=timezone.now(), to_address=user.email
        )


def test_in_app_item_is_written_in_recipients_language(user, other_user):
    user.language, other_user.language = "ru", "en"
    user.save(update_fields=["language"])
    other_user.save(update_fields=["language"])
    alert = {"event": "password_changed"}

    with translation.override("en"):  # whoever triggers it, in whatever language
        services.notify(recipient=user, kind="account_security", context=alert)
    with translation.override("ru"):
        services.notify(recipient=other_user, kind="account_security", context=alert)

    # The date in the text is formatted by Django's own catalogue: Russian month names for a Russian reader.
    assert CYRILLIC.search(InboxItem.objects.get(recipient=user).body)
    assert not CYRILLIC.search(InboxItem.objects.get(recipient=other_user).body)
    assert InboxItem.objects.get(recipient=other_user).title == "Your password was changed"


def test_channel_turned_off_by_the_user_is_recorded_as_skipped(user):
    ChannelPreference.objects.create(user=user, category=Category.SERVICE, channel=Channel.EMAIL, enabled=False)

    notification = services.notify(recipient=user, kind="welcome")

    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert (email.status, email.skip_reason) == (DeliveryStatus.SKIPPED, SkipReason.PREFERENCE)
    assert InboxItem.objects.filter(notification=notification).exists()


def test_security_alert_is_emailed_even_with_transactional_email_turned_off(user):
    ChannelPreference.objects.create(user=user, category=Category.TRANSACTIONAL, channel=Channel.EMAIL, enabled=False)

    notification = services.notify(recipient=user, kind="account_security", context={"event": "password_changed"})

    assert notification.deliveries.get(channel=Channel.EMAIL).status == DeliveryStatus.PENDING


def test_transactional_message_reaches_the_user_even_if_every_channel_it_uses_is_off(user):
    # Only possible for a kind that does not use the channel the user kept; the message must still arrive.
    ChannelPreference.objects.create(user=user, category=Category.TRANSACTIONAL, channel=Channel.EMAIL, enabled=False)
    ChannelPreference.objects.create(user=user, category=Category.TRANSACTIONAL, channel=Channel.IN_APP, enabled=False)

    notification = services.notify(recipient=user, kind="terms_updated", context={"documents": []})

    assert not notification.deliveries.filter(status=DeliveryStatus.SKIPPED).exists()


def test_deactivated_account_gets_nothing(user):
    user.is_active = False
    user.save(update_fields=["is_active"])

    notification = services.notify(recipient=user, kind="welcome")

    assert set(notification.deliveries.values_list("skip_reason", flat=True)) == {SkipReason.INACTIVE}
    assert not InboxItem.objects.exists()


def test_email_override_sends_to_the_given_address(user):
    notification = services.notify(
        recipient=user, kind="account_security", context={"event": "email_changed"}, email="old@example.com"
    )

    assert notification.deliveries.get(channel=Channel.EMAIL).to_address == "old@example.com"


# ------------------------------------------------------------------------------------------ marketing


def _news(user):
    return services.notify(
        recipient=user, kind="marketing_news", context={"headline": "Распродажа", "text": "Скидки до 50 %"}
    )


def test_marketing_is_not_sent_without_opt_in(user):
    notification = _news(user)

    assert set(notification.deliveries.values_list("status", "skip_reason")) == {
        (DeliveryStatus.SKIPPED, SkipReason.NO_CONSENT)
    }
    assert not InboxItem.objects.exists()


def test_marketing_is_sent_after_opt_in(user):
    services.set_marketing_consent(user=user, consent=True, source="signup")

    notification = _news(user)

    assert notification.deliveries.get(channel=Channel.EMAIL).status == DeliveryStatus.PENDING
    assert InboxItem.objects.filter(notification=notification).exists()


def test_marketing_stops_after_consent_is_withdrawn(user):
    services.set_marketing_consent(user=user, consent=True, source="signup")
    services.set_marketing_consent(user=user, consent=False, source="unsubscribe")

    notification = _news(user)

    assert not notification.deliveries.exclude(status=DeliveryStatus.SKIPPED).exists()


def test_marketing_is_capped_per_week_across_channels(user, settings):
    settings.MARKETPLACE_MARKETING_WEEKLY_CAP = 3
    services.set_marketing_consent(user=user, consent=True, source="signup")
    for _ in range(3):
        _news(user)

    fourth = _news(user)

    assert set(fourth.deliveries.values_list("skip_reason", flat=True)) == {SkipReason.FREQUENCY_CAP}
    assert InboxItem.objects.count() == 3


def test_marketing_sent_more_than_a_week_ago_does_not_count_for_the_cap(user, settings):
    settings.MARKETPLACE_MARKETING_WEEKLY_CAP = 1
    services.set_marketing_consent(user=user, consent=True, source="signup")
    old = _news(user)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))

    fresh = _news(user)

    assert fresh.deliveries.get(channel=Channel.EMAIL).status == DeliveryStatus.PENDING


def test_consent_is_stored_with_time_and_source_only_when_it_changes(user):
    services.set_marketing_consent(user=user, consent=True, source="signup")
    services.set_marketing_consent(user=user, consent=True, source="preferences")

    consent = MarketingConsent.objects.get(user=user)
    assert (consent.given, consent.source) == (True, "signup")
    assert consent.created_at is not None


# ------------------------------------------------------------------------------------------ quiet hours


def _quiet_now(user, *, enabled: bool = True) -> None:
    """Quiet hours that cover the current hour in the user's time zone."""
    hour = timezone.now().astimezone(user.tzinfo).hour
    QuietHours.objects.create(user=user, enabled=enabled, start_hour=hour, end_hour=(hour + 2) % 24)


def test_quiet_hours_hold_non_urgent_email_until_they_end(user, django_capture_on_commit_callbacks):
    _quiet_now(user)

    with django_capture_on_commit_callbacks() as callbacks:
        notification = services.notify(recipient=user, kind="welcome")

    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.PENDING
    local_due = email.next_attempt_at.astimezone(user.tzinfo)
    assert email.next_attempt_at > timezone.now()
    assert (local_due.minute, local_due.second) == (0, 0)
    assert callbacks == []  # nothing enqueued now: the relay sends it when the quiet hours end
    assert InboxItem.objects.filter(notification=notification).exists()  # the bell is not noisy: shown at once


def test_quiet_hours_do_not_hold_urgent_email(user, django_capture_on_commit_callbacks):
    _quiet_now(user)

    with django_capture_on_commit_callbacks() as callbacks:
        notification = services.notify(recipient=user, kind="account_security", context={"event": "password_changed"})

    assert notification.deliveries.get(channel=Channel.EMAIL).next_attempt_at <= timezone.now()
    assert len(callbacks) == 1


def test_quiet_hours_switched_off_do_not_hold_email(user):
    _quiet_now(user, enabled=False)

    notification = services.notify(recipient=user, kind="welcome")

    assert notification.deliveries.get(channel=Channel.EMAIL).next_attempt_at <= timezone.now()


# ------------------------------------------------------------------------------------------ personal data (spec 161)


def test_personal_data_export_includes_notifications_and_consents(client, user):
    services.set_marketing_consent(user=user, consent=True, source="signup")
    services.notify(recipient=user, kind="welcome")
    client.force_login(user)

    data = client.get(reverse("accounts:data-export")).json()["notifications"]

    assert [item["kind"] for item in data["notifications"]] == ["welcome"]
    assert {d["channel"] for d in data["notifications"][0]["deliveries"]} == {"email", "in_app"}
    assert data["marketing_consents"][0]["source"] == "signup"


def test_deleting_the_account_drops_notifications_and_withdraws_consent(user):
    from marketplace.accounts import services as account_services

    services.set_marketing_consent(user=user, consent=True, source="signup")
    services.notify(recipient=user, kind="welcome")

    account_services.delete_account(user=user, actor=user)

    assert not Notification.objects.filter(recipient=user).exists()
    latest = MarketingConsent.objects.filter(user=user).latest()
    assert (latest.given, latest.source) == (False, "account_deleted")
