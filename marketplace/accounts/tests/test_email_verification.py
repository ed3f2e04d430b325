"""The link in the verification mail confirms the address and signs the new user in."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from .conftest import last_mail_to, link_in_mail

pytestmark = pytest.mark.django_db

PASSWORD = "vasilek-na-lugu-2024"


@pytest.fixture
def signed_up(client, terms_documents):
    client.post(
        reverse("account_signup"),
        {"email": "new.buyer@example.com", "password1": PASSWORD, "password2": PASSWORD, "accept_terms": "on"},
    )
    return link_in_mail(last_mail_to("new.buyer@example.com"), r"/accounts/confirm-email/")


def test_new_user_confirms_the_email_through_the_link_and_is_signed_in(client, signed_up):
    page = client.get(signed_up)
    assert page.status_code == 200  # a confirmation page with a button: mail scanners must not confirm by GET
    assert not EmailAddress.objects.get(email="new.buyer@example.com").verified

    response = client.post(signed_up)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.buyer@example.com").verified
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_verified_user_logs_in_later_with_the_password(client, signed_up):
    client.post(signed_up)
    client.post(reverse("account_logout"))

    response = client.post(reverse("account_login"), {"login": "new.buyer@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"]


def test_a_tampered_verification_link_confirms_nothing(client, signed_up):
    tampered = signed_up.rstrip("/")[:-3] + "xyz/"

    client.post(tampered)

    assert not EmailAddress.objects.get(email="new.buyer@example.com").verified
