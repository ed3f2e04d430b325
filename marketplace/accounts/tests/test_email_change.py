"""Changing the sign-in e-mail: add the new address, confirm it from that mailbox, then it becomes primary."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from .conftest import last_mail_to, link_in_mail

pytestmark = pytest.mark.django_db

EMAIL_URL = reverse("account_email")


def test_buyer_changes_the_email_after_confirming_the_new_address(client, user, password):
    client.force_login(user)

    response = client.post(EMAIL_URL, {"action_add": "", "email": "Alice.New@Example.com"})

    assert response.status_code == 302
    pending = EmailAddress.objects.get(user=user, email="alice.new@example.com")
    assert not pending.verified
    user.refresh_from_db()
    assert user.email == "alice@example.com"  # nothing changes until the new mailbox confirms

    link = link_in_mail(last_mail_to("alice.new@example.com"), r"/accounts/confirm-email/")
    client.post(link)

    user.refresh_from_db()
    assert user.email == "alice.new@example.com"
    addresses = {(a.email, a.primary, a.verified) for a in EmailAddress.objects.filter(user=user)}
    assert addresses == {("alice.new@example.com", True, True)}
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "alice.new@example.com", "password": password})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_unconfirmed_new_address_cannot_be_used_to_log_in(client, user, password):
    client.force_login(user)
    client.post(EMAIL_URL, {"action_add": "", "email": "alice.new@example.com"})
    client.post(reverse("account_logout"))

    client.post(reverse("account_login"), {"login": "alice.new@example.com", "password": password})

    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["not-an-email", "alice@example.com"])
def test_adding_a_malformed_or_own_address_shows_an_error(client, user, email):
    client.force_login(user)

    response = client.post(EMAIL_URL, {"action_add": "", "email": email})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert EmailAddress.objects.filter(user=user).count() == 1


def test_another_users_address_never_becomes_this_users_login(client, user, other_user):
    client.force_login(user)

    client.post(EMAIL_URL, {"action_add": "", "email": "bob@example.com"})

    user.refresh_from_db()
    assert user.email == "alice@example.com"
    assert not EmailAddress.objects.filter(user=user, email="bob@example.com", verified=True).exists()
    assert EmailAddress.objects.get(email="bob@example.com", verified=True).user == other_user
