"""Two-factor authentication: any user may turn on TOTP (with recovery codes) and then needs it to log in."""

from __future__ import annotations

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, hotp_value
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("account_login")
SECRET = "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF"


def code_for(secret: str, periods_from_now: int = 0) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + periods_from_now
    return format_hotp_value(hotp_value(secret, counter))


def wrong_code(secret: str) -> str:
    return "000000" if code_for(secret) != "000000" else "111111"


def log_in_with_password(client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def open_totp_activation(client, password: str) -> str:
    """Open the activation page as allauth asks (confirm the password first); return the offered secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": password})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    return client.session[SECRET_SESSION_KEY]


def test_buyer_turns_on_totp_with_a_code_from_the_app_and_gets_recovery_codes(client, user, password):
    log_in_with_password(client, "alice@example.com", password)
    secret = open_totp_activation(client, password)

    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert len(RecoveryCodes(recovery).get_unused_codes()) == mfa_settings.RECOVERY_CODE_COUNT


def test_totp_is_not_turned_on_with_a_wrong_code(client, user, password):
    log_in_with_password(client, "alice@example.com", password)
    secret = open_totp_activation(client, password)

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(secret)})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Incorrect code."]
    assert not Authenticator.objects.filter(user=user).exists()


@pytest.fixture
def user_with_totp(user):
    TOTP.activate(user, SECRET)
    return user


def test_user_with_totp_must_give_the_code_after_the_password(client, user_with_totp, password):
    response = log_in_with_password(client, "alice@example.com", password)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user_with_totp.pk)


def test_a_wrong_totp_code_does_not_log_in(client, user_with_totp, password):
    log_in_with_password(client, "alice@example.com", password)

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(SECRET)})

    assert response.context["form"].errors["code"] == ["Incorrect code."]
    assert "_auth_user_id" not in client.session


def test_a_totp_code_works_only_once(client, user_with_totp, password):
    code = code_for(SECRET)
    log_in_with_password(client, "alice@example.com", password)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))

    log_in_with_password(client, "alice@example.com", password)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.context["form"].errors["code"] == ["Incorrect code."]
    assert "_auth_user_id" not in client.session


def test_user_who_lost_the_phone_logs_in_with_a_recovery_code_once(client, user_with_totp, password):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes as Codes

    codes = Codes.activate(user_with_totp)
    code = codes.get_unused_codes()[0]
    log_in_with_password(client, "alice@example.com", password)

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user_with_totp.pk)
    client.post(reverse("account_logout"))
    log_in_with_password(client, "alice@example.com", password)
    reused = client.post(reverse("mfa_authenticate"), {"code": code})
    assert reused.context["form"].errors["code"] == ["Incorrect code."]
    assert "_auth_user_id" not in client.session
