"""The admin login is allauth's login (rate limits, MFA); only active staff get into the admin."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

import conftest as personas

pytestmark = pytest.mark.django_db


def admin_login_handover(client) -> str:
    """Follow /admin/ → /admin/login/ → allauth's login page; return the login URL with its `next`."""
    to_admin_login = client.get("/admin/")
    assert to_admin_login.status_code == 302
    assert to_admin_login["Location"].startswith(reverse("admin:login"))
    to_allauth = client.get(to_admin_login["Location"])
    assert to_allauth.status_code == 302
    return to_allauth["Location"]


def test_admin_login_page_hands_over_to_the_site_login(client):
    login_url = admin_login_handover(client)

    assert urlsplit(login_url).path == reverse("account_login")
    assert parse_qs(urlsplit(login_url).query)["next"] == ["/admin/"]


def test_moderator_logs_in_through_the_site_login_with_totp_and_lands_in_the_admin(client, moderator, password):
    login_url = admin_login_handover(client)

    client.post(login_url, {"login": "moderator@example.com", "password": password})
    response = client.post(reverse("mfa_authenticate"), {"code": personas.totp_code()})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_buyer_who_logs_in_through_the_admin_login_gets_no_admin_access(client, user, password):
    login_url = admin_login_handover(client)

    client.post(login_url, {"login": "alice@example.com", "password": password})

    assert client.session["_auth_user_id"] == str(user.pk)  # logged in to the shop…
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403  # …but the admin refuses
    assert client.get("/admin/accounts/user/", follow=True).status_code == 403


def test_deactivated_staff_gets_no_admin_access(client, moderator):
    client.force_login(moderator)
    moderator.is_active = False
    moderator.save()

    response = client.get("/admin/", follow=True)

    assert response.request["PATH_INFO"] == reverse("account_login")
    assert not response.wsgi_request.user.is_authenticated
