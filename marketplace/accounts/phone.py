"""Phone numbers as people type them in Russia, stored in E.164 (`+79123456789`)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What people put between digits: spaces (also no-break), hyphens and dashes, brackets, dots.
_SEPARATORS = re.compile(r"[\s\u00a0\u202f\-\u2010-\u2015().]+")
_RUSSIAN_NATIONAL = re.compile(r"^[3489]\d{9}$")  # area or mobile code (3xx, 4xx, 8xx, 9xx) + 7 digits
_INTERNATIONAL = re.compile(r"^[1-9]\d{7,14}$")  # E.164: country code first, at most 15 digits

INVALID_PHONE_MESSAGE = _(
    "Enter a phone number like +7 912 345-67-89 or 8 912 345-67-89 (or an international number starting with +)."
)


def normalize_phone(value: str) -> str:
    """`+7 (912) 345-67-89`, `8 912 345 67 89`, `912 345 67 89` → `+79123456789`; other countries need `+`.

    An empty value stays empty; anything that is not a phone number raises ValidationError.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    plus = raw.startswith("+")
    digits = _SEPARATORS.sub("", raw[1:] if plus else raw)
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(INVALID_PHONE_MESSAGE, code="phone")
    if plus:
        if digits.startswith("7"):
            return _russian(digits[1:])
        if _INTERNATIONAL.match(digits):
            return "+" + digits
        raise ValidationError(INVALID_PHONE_MESSAGE, code="phone")
    if len(digits) == 11 and digits[0] in "78":  # 8 912 … (trunk prefix) or 7 912 … (country code without +)
        return _russian(digits[1:])
    return _russian(digits)


def _russian(national: str) -> str:
    if not _RUSSIAN_NATIONAL.match(national):
        raise ValidationError(INVALID_PHONE_MESSAGE, code="phone")
    return "+7" + national


def format_phone(e164: str) -> str:
    """`+79123456789` → `+7 (912) 345-67-89` for display; other numbers are shown as stored."""
    if len(e164) == 12 and e164.startswith("+7"):
        n = e164[2:]
        return f"+7 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}"
    return e164
