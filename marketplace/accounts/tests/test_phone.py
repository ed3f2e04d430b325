"""Phone numbers: the notations people use in Russia become E.164; anything else is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from marketplace.accounts.phone import format_phone, normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "+79123456789"),
        ("8(912)345-67-89", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("+79123456789", "+79123456789"),
        ("7 912 345 67 89", "+79123456789"),
        ("912 345-67-89", "+79123456789"),
        ("+7\u00a0495\u00a0123-45-67", "+74951234567"),
        ("8-800-555-35-35", "+78005553535"),
        (" +7 912 345 67 89 ", "+79123456789"),
        ("+375 29 123-45-67", "+375291234567"),
        ("+49 30 1234567", "+49301234567"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_in_a_usual_notation_is_stored_in_e164(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "call me",
        "12345",
        "+7 912 345 67 8",  # a digit short
        "+7 912 345 67 890",  # a digit too many
        "8 112 345 67 89",  # no Russian code starts with 1
        "+7 012 345 67 89",
        "9123456789012",
        "+0 123 456 789",
        "+1234567",  # too short for any country
        "+1234567890123456",  # longer than E.164 allows
        "+7 912 345 67 8９",  # a full-width digit
        "++79123456789",
        "+7 912 345 67 89 доб. 12",
        "+7 912 345/67/89",
    ],
)
def test_something_that_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)

    assert error.value.code == "phone"


def test_russian_phone_is_shown_in_the_familiar_format():
    assert format_phone("+79123456789") == "+7 (912) 345-67-89"
    assert format_phone("+375291234567") == "+375291234567"
