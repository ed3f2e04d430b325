"""Notification settings: channels per category, transactional never fully off, marketing consent, quiet hours."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.notifications import selectors, services
from marketplace.notifications.exceptions import InvalidQuietHours, TransactionalChannelRequired
from marketplace.notifications.models import Category, Channel, ChannelPreference, MarketingConsent, QuietHours

pytestmark = pytest.mark.django_db

URL = reverse("notifications:preferences")


def _post_data(**overrides) -> dict:
    """The form as shown by default for a user without consent, with changes."""
    data = {
        "transactional__email": "on",
        "transactional__in_app": "on",
        "service__email": "on",
        "service__in_app": "on",
        "survey__email": "on",
        "survey__in_app": "on",
        "quiet_start_hour": "22",
        "quiet_end_hour": "9",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_user_sees_channels_per_category_with_marketing_off_until_opt_in(client, user):
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["transactional__email"].initial is True
    assert form["marketing__email"].initial is False
    assert form["marketing__in_app"].initial is False
    assert "News and offers" in response.content.decode()


def test_user_turns_service_email_off(client, user):
    client.force_login(user)

    response = client.post(URL, _post_data(service__email=None))

    assert response.status_code == 302
    assert selectors.channel_choices_for(user=user)[(Category.SERVICE, Channel.EMAIL)] is False
    assert selectors.channel_choices_for(user=user)[(Category.SERVICE, Channel.IN_APP)] is True


def test_user_may_choose_the_channel_of_transactional_messages(client, user):
    client.force_login(user)

    client.post(URL, _post_data(transactional__email=None))

    assert selectors.channel_choices_for(user=user)[(Category.TRANSACTIONAL, Channel.EMAIL)] is False


def test_user_cannot_turn_transactional_messages_off_entirely_in_the_form(client, user):
    client.force_login(user)

    response = client.post(URL, _post_data(transactional__email=None, transactional__in_app=None))

    assert response.status_code == 200
    assert "cannot be turned off" in response.content.decode()
    assert not ChannelPreference.objects.filter(user=user).exists()


def test_service_refuses_transactional_messages_off_entirely_and_changes_nothing(user):
    choices = {(Category.TRANSACTIONAL, Channel.EMAIL): False, (Category.TRANSACTIONAL, Channel.IN_APP): False}

    with pytest.raises(TransactionalChannelRequired):
        services.update_preferences(
            actor=user, user=user, choices=choices, quiet_hours_enabled=False, quiet_start_hour=22, quiet_end_hour=9
        )

    assert not ChannelPreference.objects.filter(user=user).exists()
    assert not QuietHours.objects.filter(user=user).exists()


def test_user_cannot_change_someone_elses_preferences(user, other_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_preferences(
            actor=other_user, user=user, choices={}, quiet_hours_enabled=True, quiet_start_hour=22, quiet_end_hour=9
        )

    assert not ChannelPreference.objects.filter(user=user).exists()


def test_ticking_news_by_email_records_consent_with_time_and_source(client, user):
    client.force_login(user)

    client.post(URL, _post_data(marketing__email="on"))

    consent = MarketingConsent.objects.get(user=user)
    assert (consent.given, consent.source) == (True, "preferences")
    assert selectors.has_marketing_consent(user=user)
    assert client.get(URL).context["form"]["marketing__email"].initial is True


def test_clearing_every_news_channel_withdraws_consent(client, user):
    services.set_marketing_consent(user=user, consent=True, source="signup")
    client.force_login(user)

    client.post(URL, _post_data())

    assert not selectors.has_marketing_consent(user=user)
    assert list(MarketingConsent.objects.filter(user=user).values_list("given", "source")) == [
        (False, "preferences"),
        (True, "signup"),
    ]


def test_saving_without_touching_news_records_no_consent(client, user):
    client.force_login(user)

    client.post(URL, _post_data())

    assert not MarketingConsent.objects.filter(user=user).exists()


def test_user_turns_on_quiet_hours(client, user):
    client.force_login(user)

    client.post(URL, _post_data(quiet_hours_enabled="on", quiet_start_hour="23", quiet_end_hour="8"))

    quiet = QuietHours.objects.get(user=user)
    assert (quiet.enabled, quiet.start_hour, quiet.end_hour) == (True, 23, 8)


def test_quiet_hours_that_start_and_end_at_once_are_refused(client, user):
    client.force_login(user)

    response = client.post(URL, _post_data(quiet_hours_enabled="on", quiet_start_hour="8", quiet_end_hour="8"))

    assert response.status_code == 200
    assert response.context["form"].errors["quiet_end_hour"]
    assert not QuietHours.objects.filter(user=user).exists()
    with pytest.raises(InvalidQuietHours):
        services.update_preferences(
            actor=user, user=user, choices={}, quiet_hours_enabled=True, quiet_start_hour=8, quiet_end_hour=8
        )


def test_signup_opt_in_stores_consent(user):
    services.set_marketing_consent(user=user, consent=True, source="signup")

    consent = MarketingConsent.objects.get(user=user)
    assert (consent.given, consent.source) == (True, "signup")


def test_visitor_is_asked_to_sign_in_for_settings(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
