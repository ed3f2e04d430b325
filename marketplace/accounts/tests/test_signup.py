"""Signup: e-mail + password + consent; mandatory e-mail verification; bad input creates nothing."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from marketplace.accounts.models import User
from marketplace.legal.models import TermsAcceptance

from .conftest import last_mail_to, link_in_mail

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("account_signup")
GOOD_PASSWORD = "vasilek-na-lugu-2024"


def signup_data(**overrides) -> dict[str, str]:
    return {
        "email": "new.buyer@example.com",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "accept_terms": "on",
        **overrides,
    }


def assert_nothing_created() -> None:
    assert not User.objects.filter(email__iexact="new.buyer@example.com").exists()
    assert not EmailAddress.objects.filter(email__iexact="new.buyer@example.com").exists()
    assert not TermsAcceptance.objects.filter(user__email__iexact="new.buyer@example.com").exists()
    assert not [m for m in mail.outbox if "new.buyer@example.com" in m.to]


def test_visitor_signs_up_with_email_and_gets_a_verification_mail(client, terms_documents):
    response = client.post(SIGNUP_URL, signup_data(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.buyer@example.com")
    assert user.language == "en"  # the language the visitor used for signup; e-mails follow it
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff
    address = EmailAddress.objects.get(user=user)
    assert address.email == "new.buyer@example.com"
    assert address.primary
    assert not address.verified
    acceptances = TermsAcceptance.objects.filter(user=user)
    assert {a.terms_id for a in acceptances} == {doc.pk for doc in terms_documents}
    assert {(a.ip_address, a.source) for a in acceptances} == {("203.0.113.7", "signup")}
    message = last_mail_to("new.buyer@example.com")
    assert "/accounts/confirm-email/" in link_in_mail(message, r"/accounts/confirm-email/")


def test_signup_keeps_the_russian_language_of_a_russian_visitor(terms_documents):
    from django.test import Client

    Client(headers={"accept-language": "ru"}).post(SIGNUP_URL, signup_data())

    assert User.objects.get(email="new.buyer@example.com").language == "ru"


def test_signup_stores_the_email_in_lower_case(client, terms_documents):
    client.post(SIGNUP_URL, signup_data(email="New.Buyer@Example.COM"))

    assert User.objects.get().email == "new.buyer@example.com"
    assert EmailAddress.objects.get().email == "new.buyer@example.com"


def test_new_user_cannot_log_in_before_verifying_the_email(client, terms_documents):
    client.post(SIGNUP_URL, signup_data())
    client.logout()
    mail.outbox.clear()
    cache.clear()  # the resend cooldown (ACCOUNT_RATE_LIMITS["confirm_email"]) has passed

    response = client.post(reverse("account_login"), {"login": "new.buyer@example.com", "password": GOOD_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302  # still anonymous
    assert link_in_mail(last_mail_to("new.buyer@example.com"), r"/accounts/confirm-email/")  # sent again


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@Example.com", " Alice@example.com "])
def test_signup_with_an_existing_email_shows_an_error_and_creates_nothing(client, user, email):
    users_before = User.objects.count()

    response = client.post(SIGNUP_URL, signup_data(email=email))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address already exists. Log in or reset your password."
    ]
    assert User.objects.count() == users_before
    assert EmailAddress.objects.filter(email__iexact="alice@example.com").count() == 1
    assert not mail.outbox


@pytest.mark.parametrize("email", ["new.buyer", "new.buyer@", "@example.com", "new buyer@example.com", ""])
def test_signup_with_a_malformed_email_shows_an_error_and_creates_nothing(client, terms_documents, email):
    response = client.post(SIGNUP_URL, signup_data(email=email))

    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert errors in (["Enter a valid email address."], ["This field is required."])
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert not mail.outbox


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kot-2024", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("qwertyuiop", "This password is too common."),
        ("4815162342108", "This password is entirely numeric."),
        ("new.buyer@example.com", "The password is too similar to the e-mail address."),
        ("newbuyerexample", "The password is too similar to the e-mail address."),
    ],
)
def test_signup_with_a_weak_password_shows_why_and_creates_nothing(client, terms_documents, password, message):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))

    assert response.status_code == 200
    assert message in response.context["form"].errors["password1"]
    assert_nothing_created()


def test_signup_with_mismatched_passwords_shows_an_error_and_creates_nothing(client, terms_documents):
    response = client.post(SIGNUP_URL, signup_data(password2=GOOD_PASSWORD + "!"))

    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["You must type the same password each time."]
    assert_nothing_created()


def test_signup_without_accepting_the_terms_shows_an_error_and_creates_nothing(client, terms_documents):
    data = signup_data()
    del data["accept_terms"]

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["accept_terms"] == [
        "You must accept the terms of use and the privacy policy to sign up."
    ]
    assert_nothing_created()


def test_signup_page_shows_the_consent_checkboxes_after_the_passwords(client):
    response = client.get(SIGNUP_URL)

    assert list(response.context["form"].fields)[:5] == [
        "email",
        "password1",
        "password2",
        "accept_terms",
        "marketing_opt_in",
    ]
