"""One-click unsubscribe from the link in a marketing e-mail: no login, signed, idempotent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.notifications import selectors, services, tokens
from marketplace.notifications.models import MarketingConsent

pytestmark = pytest.mark.django_db


def _url(user) -> str:
    return reverse("notifications:unsubscribe", args=[tokens.make_unsubscribe_token(user)])


def test_unsubscribe_link_works_without_signing_in(client, user):
    services.set_marketing_consent(user=user, consent=True, source="signup")

    response = client.get(_url(user))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not selectors.has_marketing_consent(user=user)
    latest = MarketingConsent.objects.filter(user=user).latest()
    assert (latest.given, latest.source) == (False, "unsubscribe")


def test_mail_client_one_click_post_unsubscribes_without_csrf_token(user):
    from django.test import Client

    services.set_marketing_consent(user=user, consent=True, source="signup")
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(_url(user), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not selectors.has_marketing_consent(user=user)


def test_clicking_unsubscribe_twice_records_it_once(client, user):
    services.set_marketing_consent(user=user, consent=True, source="signup")

    client.get(_url(user))
    client.get(_url(user))

    assert MarketingConsent.objects.filter(user=user, given=False).count() == 1


def test_tampered_unsubscribe_link_is_refused_and_changes_nothing(client, user, other_user):
    services.set_marketing_consent(user=other_user, consent=True, source="signup")
    token = tokens.make_unsubscribe_token(user)
    _payload, rest = token.split(":", 1)
    forged = tokens.make_unsubscribe_token(other_user).split(":", 1)[0] + ":" + rest

    response = client.get(reverse("notifications:unsubscribe", args=[forged]))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert selectors.has_marketing_consent(user=other_user)


def test_unsubscribe_link_of_a_deleted_user_is_refused(client, user):
    url = _url(user)
    user.delete()

    response = client.get(url)

    assert response.status_code == 400
