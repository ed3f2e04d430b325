"""Brute force: after the configured failures every login path refuses, even with the right secret."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

import conftest as personas

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("account_login")
LIMIT_MESSAGE = "Too many failed login attempts. Try again later."
WRONG_PASSWORD_MESSAGE = "The email address and/or password you specified are not correct."


def allowed_failures_per_account() -> int:
    """The per-account number in ACCOUNT_RATE_LIMITS["login_failed"], e.g. 5 in "10/m/ip,5/5m/key"."""
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    return int(re.search(r"(\d+)/[^,]*/key", rates).group(1))


def login_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def test_the_limit_is_a_handful_of_attempts():
    assert 3 <= allowed_failures_per_account() <= 10


def test_login_is_refused_after_the_configured_failures_even_with_the_right_password(client, user, password):
    for _ in range(allowed_failures_per_account()):
        response = client.post(LOGIN_URL, {"login": "alice@example.com", "password": "guess-123456"})
        assert login_errors(response) == [WRONG_PASSWORD_MESSAGE]

    blocked = client.post(LOGIN_URL, {"login": "alice@example.com", "password": "guess-123456"})
    right_password = client.post(LOGIN_URL, {"login": "alice@example.com", "password": password})

    assert login_errors(blocked) == [LIMIT_MESSAGE]
    assert login_errors(right_password) == [LIMIT_MESSAGE]
    assert "_auth_user_id" not in client.session


def test_the_limit_counts_the_address_whatever_its_case(client, user, password):
    for attempt in range(allowed_failures_per_account()):
        client.post(LOGIN_URL, {"login": "ALICE@example.com" if attempt % 2 else "alice@example.com", "password": "x"})

    response = client.post(LOGIN_URL, {"login": "Alice@Example.com", "password": password})

    assert login_errors(response) == [LIMIT_MESSAGE]


def test_successful_logins_do_not_reset_the_failure_count(client, user, password):
    failures = allowed_failures_per_account()
    for _ in range(failures - 1):
        client.post(LOGIN_URL, {"login": "alice@example.com", "password": "guess-123456"})
    client.post(LOGIN_URL, {"login": "alice@example.com", "password": password})
    client.post(reverse("account_logout"))

    client.post(LOGIN_URL, {"login": "alice@example.com", "password": "guess-123456"})
    response = client.post(LOGIN_URL, {"login": "alice@example.com", "password": password})

    assert login_errors(response) == [LIMIT_MESSAGE]


def test_another_account_can_still_log_in_while_one_is_blocked(client, user, other_user, password):
    for _ in range(allowed_failures_per_account()):
        client.post(LOGIN_URL, {"login": "alice@example.com", "password": "guess-123456"})

    response = client.post(LOGIN_URL, {"login": "bob@example.com", "password": password})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_user.pk)


def test_admin_login_goes_through_the_same_limit(client, moderator, password):
    # /admin/login/ hands over to allauth's login page, keeping the way back to the admin.
    handover = client.get(reverse("admin:login") + "?next=/admin/")
    assert handover.status_code == 302
    login_url = handover["Location"]
    assert login_url.startswith(LOGIN_URL)

    for _ in range(allowed_failures_per_account()):
        client.post(login_url, {"login": "moderator@example.com", "password": "guess-123456"})
    response = client.post(login_url, {"login": "moderator@example.com", "password": password})

    assert login_errors(response) == [LIMIT_MESSAGE]
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_posting_credentials_to_the_admin_login_form_logs_nobody_in(client, moderator, password):
    # The admin's own form is never used, so it cannot be used to get around allauth's limits and MFA.
    response = client.post(reverse("admin:login"), {"username": "moderator@example.com", "password": password})

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "_auth_user_id" not in client.session


def test_mfa_codes_are_limited_too(client, moderator, password):
    client.post(LOGIN_URL, {"login": "moderator@example.com", "password": password})
    mfa_url = reverse("mfa_authenticate")
    for _ in range(allowed_failures_per_account()):
        response = client.post(mfa_url, {"code": "000000"})
        assert response.context["form"].errors["code"] == ["Incorrect code."]

    response = client.post(mfa_url, {"code": personas.totp_code()})

    assert response.context["form"].errors["code"] == [LIMIT_MESSAGE]
    assert "_auth_user_id" not in client.session
