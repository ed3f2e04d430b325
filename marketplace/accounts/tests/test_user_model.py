"""The user table's last line of defence: e-mail unique whatever its case, phone in E.164, a known language."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from marketplace.accounts.models import User

pytestmark = pytest.mark.django_db


def test_users_are_created_with_a_lower_case_email(db):
    user = User.objects.create_user(email="Ivan.Petrov@Example.COM", password="x-long-password-1")

    assert user.email == "ivan.petrov@example.com"


def test_two_users_cannot_share_an_email_in_different_case(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="ALICE@example.com")])


@pytest.mark.parametrize("phone", ["89123456789", "+7 912 345-67-89", "+0123456789", "+7912"])
def test_a_phone_not_in_e164_is_refused_by_the_database(user, phone):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(phone=phone)

    user.refresh_from_db()
    assert user.phone == ""


def test_an_unknown_language_is_refused_by_the_database(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(language="de")


def test_display_name_falls_back_to_the_mailbox_name(db):
    named = User(email="anna@example.com", first_name="Анна", last_name="Смирнова")
    unnamed = User(email="pavel.s@example.com")

    assert named.display_name == "Анна Смирнова"
    assert unnamed.display_name == "pavel.s"
