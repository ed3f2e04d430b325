"""allauth's security alerts and the welcome message go through the outbox."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from marketplace.accounts.adapter import AccountAdapter
from marketplace.notifications.models import Channel, DeliveryStatus, InboxItem, Notification

pytestmark = pytest.mark.django_db


def test_password_change_sends_a_security_alert_through_the_outbox(client, user, password):
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "a-new-long-passphrase-7", "password2": "a-new-long-passphrase-7"},
    )

    assert response.status_code == 302
    notification = Notification.objects.get(recipient=user, kind="account_security")
    assert notification.context["event"] == "password_changed"
    assert notification.context["ip"] == "127.0.0.1"
    assert notification.deliveries.get(channel=Channel.EMAIL).status == DeliveryStatus.PENDING
    assert InboxItem.objects.filter(notification=notification).exists()
    assert mail.outbox == []  # sent by a worker, not in the request


def test_email_change_alert_goes_to_the_old_address(user):
    request = RequestFactory().post("/")
    adapter = AccountAdapter(request)

    adapter.send_notification_mail(
        "account/email/email_changed",
        user,
        context={"from_email": "old@example.com", "to_email": "new@example.com"},
        email="old@example.com",
    )

    notification = Notification.objects.get(recipient=user, kind="account_security")
    assert notification.context["to_email"] == "new@example.com"
    assert notification.deliveries.get(channel=Channel.EMAIL).to_address == "old@example.com"


def test_confirming_the_address_after_signup_welcomes_the_user_once(client):
    from marketplace.accounts.models import User

    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "accept_terms": "on",
        },
    )
    [verification] = mail.outbox  # allauth sends the verification mail itself, at once
    confirm_url = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", verification.body).group(1)

    client.post(confirm_url)
    client.post(confirm_url)

    new_user = User.objects.get(email="new@example.com")
    assert EmailAddress.objects.get(user=new_user).verified
    assert Notification.objects.filter(recipient=new_user, kind="welcome").count() == 1
    assert InboxItem.objects.filter(recipient=new_user).count() == 1


def test_opting_in_at_signup_records_marketing_consent_with_source(client):
    from marketplace.notifications.models import MarketingConsent

    client.post(
        reverse("account_signup"),
        {
            "email": "news@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "accept_terms": "on",
            "marketing_opt_in": "on",
        },
    )

    consent = MarketingConsent.objects.get(user__email="news@example.com")
    assert (consent.given, consent.source) == (True, "signup")


def test_signing_up_without_opt_in_records_no_consent(client):
    from marketplace.notifications.models import MarketingConsent

    client.post(
        reverse("account_signup"),
        {
            "email": "quiet@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "accept_terms": "on",
        },
    )

    from marketplace.accounts.models import User

    assert User.objects.filter(email="quiet@example.com").exists()
    assert not MarketingConsent.objects.filter(user__email="quiet@example.com").exists()
