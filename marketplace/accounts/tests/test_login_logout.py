"""Login with e-mail and password; logout only by POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("account_login")


def test_buyer_logs_in_with_email_and_password(client, user, password):
    response = client.post(LOGIN_URL, {"login": "alice@example.com", "password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_buyer_logs_in_whatever_the_case_of_the_email(client, user, password):
    client.post(LOGIN_URL, {"login": "Alice@Example.COM", "password": password})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_a_wrong_password_shows_an_error(client, user):
    response = client.post(LOGIN_URL, {"login": "alice@example.com", "password": "not-my-password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The email address and/or password you specified are not correct."
    ]
    assert "_auth_user_id" not in client.session


def test_login_returns_to_the_page_the_buyer_came_from(client, user, password):
    response = client.post(f"{LOGIN_URL}?next=/accounts/profile/", {"login": "alice@example.com", "password": password})

    assert response["Location"] == "/accounts/profile/"


def test_login_never_redirects_to_another_site(client, user, password):
    response = client.post(
        f"{LOGIN_URL}?next=https://evil.example.net/", {"login": "alice@example.com", "password": password}
    )

    assert response["Location"] == reverse("home")


def test_deactivated_user_cannot_log_in(client, user, password):
    user.is_active = False
    user.save()

    client.post(LOGIN_URL, {"login": "alice@example.com", "password": password})

    assert "_auth_user_id" not in client.session


def test_buyer_logs_out_with_post(client, user):
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_by_get_only_asks_for_confirmation(client, user):
    client.force_login(user)

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)
