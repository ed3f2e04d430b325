"""Profile: name, phone (stored E.164), language and time zone; the language switch remembers the choice."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from marketplace.accounts.models import User

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("accounts:profile")


def profile_data(**overrides) -> dict[str, str]:
    return {
        "first_name": "Алиса",
        "last_name": "Иванова",
        "phone": "",
        "language": "ru",
        "time_zone": "Europe/Moscow",
        **overrides,
    }


def test_visitor_who_is_not_logged_in_is_sent_to_login(client):
    response = client.get(PROFILE_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PROFILE_URL}"


def test_buyer_sees_the_profile_form_filled_in(client, user):
    client.force_login(user)

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    assert response.context["form"]["first_name"].value() == "Алиса"
    assert response.context["form"]["time_zone"].value() == "Europe/Moscow"


@pytest.mark.parametrize("typed", ["+7 (912) 345-67-89", "8 912 345 67 89"])
def test_buyer_saves_a_phone_which_is_stored_in_e164(client, user, typed):
    client.force_login(user)

    response = client.post(PROFILE_URL, profile_data(phone=typed, time_zone="Asia/Yekaterinburg"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone == "+79123456789"
    assert user.time_zone == "Asia/Yekaterinburg"


@pytest.mark.parametrize("typed", ["call me", "12345", "+7 912 345", "8 912 345 67 89 0"])
def test_profile_with_a_bad_phone_shows_an_error_and_saves_nothing(client, user, typed):
    client.force_login(user)

    response = client.post(PROFILE_URL, profile_data(first_name="Алла", phone=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Enter a phone number like +7 912 345-67-89 or 8 912 345-67-89 (or an international number starting with +)."
    ]
    user.refresh_from_db()
    assert (user.first_name, user.phone) == ("Алиса", "")


def test_profile_with_an_unknown_time_zone_or_language_saves_nothing(client, user):
    client.force_login(user)

    response = client.post(PROFILE_URL, profile_data(first_name="Алла", time_zone="Mars/Olympus", language="de"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"time_zone", "language"}
    user.refresh_from_db()
    assert (user.first_name, user.time_zone, user.language) == ("Алиса", "Europe/Moscow", "ru")


def test_choosing_english_in_the_profile_switches_the_interface_too(client, user):
    client.force_login(user)

    response = client.post(PROFILE_URL, profile_data(language="en"))

    user.refresh_from_db()
    assert user.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_language_switch_stores_the_language_on_the_account_and_in_a_cookie(client, user):
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"


def test_visitor_switches_language_with_a_cookie_only(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_switching_to_an_unknown_language_changes_nothing(client, user):
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=user.pk).language == "ru"


def test_language_switch_never_redirects_to_another_site(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example.net/"})

    assert response["Location"] == "/"
