"""Database constraints are the last line of defence for the sellers' invariants."""

import pytest
from django.db import IntegrityError

from marketplace.legal.models import DocumentKind, PlatformTerms
from sellers.models import SellerApplication

pytestmark = pytest.mark.django_db


def test_migration_provides_a_seller_offer_in_force():
    offer = PlatformTerms.objects.in_force().filter(kind=DocumentKind.SELLER_OFFER).get()

    assert offer.version == "1.0"
    assert "ИНН" in offer.body_ru


def test_applicant_cannot_hold_two_open_applications(user):
    SellerApplication.objects.create(applicant=user)

    with pytest.raises(IntegrityError):
        SellerApplication.objects.create(applicant=user)
