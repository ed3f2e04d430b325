"""Staff must use TOTP: until they turn it on, every page except the two-factor ones sends them to set it up."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse

import conftest as personas
from marketplace.accounts.roles import MODERATORS

from .test_mfa import code_for

pytestmark = pytest.mark.django_db

ACTIVATE_URL = reverse("mfa_activate_totp")


@pytest.fixture
def new_moderator(db, password):
    """A moderator just added by an administrator, without an authenticator app yet."""
    from allauth.account.models import EmailAddress

    from marketplace.accounts.models import User

    user = User.objects.create_user(email="newmod@example.com", password=password, is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=MODERATORS))
    personas._accept_current_terms(user)
    return user


def log_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/accounts/user/", "/", "/accounts/profile/", "/accounts/email/", "/accounts/password/change/"],
)
def test_moderator_without_totp_is_sent_to_set_it_up(client, new_moderator, password, path):
    log_in(client, "newmod@example.com", password)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


@pytest.mark.parametrize("path", ["/accounts/2fa/", "/accounts/reauthenticate/", "/legal/terms/"])
def test_moderator_without_totp_can_open_what_setting_it_up_needs(client, new_moderator, password, path):
    log_in(client, "newmod@example.com", password)

    response = client.get(path)

    assert response.get("Location") != ACTIVATE_URL


def test_moderator_without_totp_can_log_out(client, new_moderator, password):
    log_in(client, "newmod@example.com", password)

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session


def test_moderator_reaches_the_admin_only_after_turning_on_totp(client, new_moderator, password):
    log_in(client, "newmod@example.com", password)
    assert client.get("/admin/")["Location"] == ACTIVATE_URL
    reauthenticate = client.get(ACTIVATE_URL)["Location"]
    client.post(reauthenticate, {"password": password})
    client.get(ACTIVATE_URL)
    secret = client.session[SECRET_SESSION_KEY]

    client.post(ACTIVATE_URL, {"code": code_for(secret)})

    assert Authenticator.objects.filter(user=new_moderator, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200


def test_moderator_with_totp_gives_the_code_at_login_and_reaches_the_admin(client, moderator, password):
    response = log_in(client, "moderator@example.com", password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not logged in yet

    client.post(reverse("mfa_authenticate"), {"code": personas.totp_code()})

    assert client.get("/admin/").status_code == 200


def test_staff_cannot_turn_totp_off(client, moderator, password):
    log_in(client, "moderator@example.com", password)
    client.post(reverse("mfa_authenticate"), {"code": personas.totp_code()})
    client.post(reverse("account_reauthenticate"), {"password": password})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Authenticator.objects.filter(user=moderator, type=Authenticator.Type.TOTP).exists()


def test_staff_whose_totp_was_removed_in_the_admin_must_set_it_up_again(client, moderator, password):
    log_in(client, "moderator@example.com", password)
    client.post(reverse("mfa_authenticate"), {"code": personas.totp_code()})
    assert client.get("/admin/").status_code == 200

    Authenticator.objects.filter(user=moderator).delete()

    assert client.get("/admin/")["Location"] == ACTIVATE_URL


def test_buyer_without_totp_is_not_asked_to_set_it_up(client, user):
    client.force_login(user)

    assert client.get("/accounts/profile/").status_code == 200


def test_requirement_can_be_switched_off_for_a_development_setup(client, new_moderator, settings):
    settings.MARKETPLACE_STAFF_MFA_REQUIRED = False
    client.force_login(new_moderator)

    assert client.get("/admin/").status_code == 200
