"""Money in Russian and English by UI.md's rules, from Decimal only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from marketplace.core.money import format_money

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234"), f"1{NNBSP}234{NBSP}₽"),
        (Decimal("1234.00"), f"1{NNBSP}234{NBSP}₽"),
        (Decimal("1234.5"), f"1{NNBSP}234,50{NBSP}₽"),
        (Decimal("0.99"), f"0,99{NBSP}₽"),
        (Decimal("0"), f"0{NBSP}₽"),
        (Decimal("999"), f"999{NBSP}₽"),
        (Decimal("1234567.89"), f"1{NNBSP}234{NNBSP}567,89{NBSP}₽"),
        (Decimal("-1234.5"), f"−1{NNBSP}234,50{NBSP}₽"),
        (Decimal("-0.5"), f"−0,50{NBSP}₽"),
        (Decimal("10.005"), f"10,01{NBSP}₽"),  # kopecks round half up
        (1234, f"1{NNBSP}234{NBSP}₽"),
        ("1234.50", f"1{NNBSP}234,50{NBSP}₽"),
    ],
)
def test_russian_money_has_spaced_thousands_comma_kopecks_and_the_rouble_sign_after(amount, text):
    assert format_money(amount, "ru") == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.50"), f"RUB{NBSP}1,234.50"),
        (Decimal("1234"), f"RUB{NBSP}1,234"),
        (Decimal("0"), f"RUB{NBSP}0"),
        (Decimal("-1234.5"), f"−RUB{NBSP}1,234.50"),
    ],
)
def test_english_money_is_rub_with_comma_thousands(amount, text):
    assert format_money(amount, "en") == text


def test_float_is_refused():
    with pytest.raises(TypeError):
        format_money(1234.5, "ru")


@pytest.mark.parametrize("amount", [None, "", "not a number"])
def test_nothing_or_garbage_renders_empty(amount):
    assert format_money(amount, "ru") == ""


def test_money_filter_follows_the_active_language():
    template = Template("{% load money %}{{ total|money }}")

    with translation.override("ru"):
        russian = template.render(Context({"total": Decimal("1234.5")}))
    with translation.override("en"):
        english = template.render(Context({"total": Decimal("1234.5")}))

    assert russian == f"1{NNBSP}234,50{NBSP}₽"
    assert english == f"RUB{NBSP}1,234.50"
