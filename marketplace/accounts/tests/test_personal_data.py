"""Spec 161: a user downloads their personal data as JSON, and deletes their account on request."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from marketplace.accounts import personal_data
from marketplace.accounts.models import User
from marketplace.legal.models import TermsAcceptance

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("accounts:data-export")
DELETE_URL = reverse("accounts:delete")


@pytest.fixture
def registered_section():
    personal_data.register("test_wishlist", export=lambda user: {"items": [f"wish of {user.pk}"]})
    yield
    personal_data.unregister("test_wishlist")


def test_buyer_downloads_own_data_as_a_json_file(client, user):
    user.phone = "+79123456789"
    user.save()
    TermsAcceptance.objects.filter(user=user).update(ip_address="203.0.113.7")
    client.force_login(user)

    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="marketplace-personal-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.com"
    assert data["account"]["first_name"] == "Алиса"
    assert data["account"]["phone"] == "+79123456789"
    assert data["email_addresses"] == [{"email": "alice@example.com", "primary": True, "verified": True}]
    assert data["terms_acceptances"]
    assert {a["ip_address"] for a in data["terms_acceptances"]} == {"203.0.113.7"}
    assert {a["document"] for a in data["terms_acceptances"]} >= {"terms", "privacy"}
    assert "password" not in response.content.decode()


def test_export_contains_only_the_requesting_users_data(client, user, other_user):
    client.force_login(user)

    body = client.get(EXPORT_URL).content.decode()

    assert "bob@example.com" not in body
    assert "Борис" not in body


def test_export_names_second_factors_but_never_their_secrets(client, user):
    TOTP.activate(user, "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF")
    client.force_login(user)

    response = client.get(EXPORT_URL)

    assert json.loads(response.content)["two_factor_methods"] == ["totp"]
    assert "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF" not in response.content.decode()


def test_apps_add_their_own_sections_to_the_export(client, user, registered_section):
    client.force_login(user)

    data = json.loads(client.get(EXPORT_URL).content)

    assert data["test_wishlist"] == {"items": [f"wish of {user.pk}"]}


def test_visitor_who_is_not_logged_in_cannot_export(client):
    response = client.get(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_buyer_deletes_the_account_with_the_password(client, user, password):
    client.force_login(user)
    other_device = Client()
    other_device.force_login(user)
    TOTP.activate(user, "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF")

    response = client.post(DELETE_URL, {"password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid"
    assert (user.first_name, user.last_name, user.phone) == ("", "", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    # Signed out here and on every other device.
    assert "_auth_user_id" not in client.session
    assert other_device.get(reverse("accounts:profile")).status_code == 302
    assert not other_device.get("/").wsgi_request.user.is_authenticated


def test_deleted_account_cannot_log_in_and_its_email_is_free_again(client, user, password, terms_documents):
    client.force_login(user)
    client.post(DELETE_URL, {"password": password})

    login = client.post(reverse("account_login"), {"login": "alice@example.com", "password": password})
    signup = client.post(
        reverse("account_signup"),
        {
            "email": "alice@example.com",
            "password1": "novyi-parol-2025",
            "password2": "novyi-parol-2025",
            "accept_terms": "on",
        },
    )

    assert "_auth_user_id" not in client.session
    assert login.status_code == 200
    assert signup.status_code == 302
    assert User.objects.filter(email="alice@example.com").exclude(pk=user.pk).exists()


def test_apps_erase_their_rows_when_an_account_is_deleted(client, user, password):
    erased = []
    personal_data.register("test_erase", erase=lambda u: erased.append(u.pk))
    try:
        client.force_login(user)
        client.post(DELETE_URL, {"password": password})
    finally:
        personal_data.unregister("test_erase")

    assert erased == [user.pk]


def test_account_is_not_deleted_with_a_wrong_password(client, user):
    client.force_login(user)

    response = client.post(DELETE_URL, {"password": "not-my-password"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["The password is not correct."]
    user.refresh_from_db()
    assert user.email == "alice@example.com"
    assert user.is_active
    assert EmailAddress.objects.filter(user=user).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_account_is_not_deleted_by_a_get(client, user):
    client.force_login(user)

    response = client.get(DELETE_URL)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active


def test_staff_cannot_delete_their_own_account(client, moderator, password):
    client.force_login(moderator)

    page = client.get(DELETE_URL)
    response = client.post(DELETE_URL, {"password": password})

    assert page.context["is_staff"] is True
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Staff accounts cannot be deleted from the profile. Ask an administrator to remove your staff access first."
    ]
    moderator.refresh_from_db()
    assert moderator.email == "moderator@example.com"
    assert moderator.is_active


def test_service_refuses_to_delete_someone_elses_account(user, other_user):
    from django.core.exceptions import PermissionDenied

    from marketplace.accounts import services

    with pytest.raises(PermissionDenied):
        services.delete_account(user=user, actor=other_user)

    user.refresh_from_db()
    assert user.is_active
