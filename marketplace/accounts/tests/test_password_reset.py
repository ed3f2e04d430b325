"""Password reset through the link in the mail; the request never reveals whether an account exists."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from .conftest import last_mail_to, link_in_mail

pytestmark = pytest.mark.django_db

RESET_URL = reverse("account_reset_password")
NEW_PASSWORD = "novyi-parol-dlya-alisy"


def test_buyer_resets_the_password_through_the_mail_link_and_logs_in_with_it(client, user, password):
    response = client.post(RESET_URL, {"email": "Alice@Example.com"})
    assert response.status_code == 302
    link = link_in_mail(last_mail_to("alice@example.com"), r"/accounts/password/reset/key/")

    form_page = client.get(link, follow=True)  # allauth moves the key into the session, then shows the form
    assert form_page.status_code == 200
    set_url = form_page.request["PATH_INFO"]
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(password)
    login = client.post(reverse("account_login"), {"login": "alice@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_reset_link_works_only_once(client, user):
    client.post(RESET_URL, {"email": "alice@example.com"})
    link = link_in_mail(last_mail_to("alice@example.com"), r"/accounts/password/reset/key/")
    set_url = client.get(link, follow=True).request["PATH_INFO"]
    client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.context["token_fail"] is True


def test_reset_with_a_weak_new_password_keeps_the_old_one(client, user, password):
    client.post(RESET_URL, {"email": "alice@example.com"})
    link = link_in_mail(last_mail_to("alice@example.com"), r"/accounts/password/reset/key/")
    set_url = client.get(link, follow=True).request["PATH_INFO"]

    response = client.post(set_url, {"password1": "12345", "password2": "12345"})

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    user.refresh_from_db()
    assert user.check_password(password)


def test_reset_for_an_unknown_address_looks_the_same_and_sends_no_reset_link(client, user):
    known = client.post(RESET_URL, {"email": "alice@example.com"})
    unknown = client.post(RESET_URL, {"email": "nobody@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    to_nobody = [m for m in mail.outbox if "nobody@example.com" in m.to]
    assert all("/accounts/password/reset/key/" not in m.body for m in to_nobody)
