"""Money formatting by the locale rules of UI.md: `1 234 ₽`, `1 234,50 ₽`; `RUB 1,234.50` in English."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space between thousands


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("money must be Decimal, never float")
    try:
        return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return None


def format_money(value, language: str | None = None) -> str:
    amount = to_decimal(value)
    if amount is None:
        return ""
    language = (language or translation.get_language() or "ru")[:2]
    negative = amount < 0
    amount = abs(amount)
    whole, cents = divmod(amount, 1)
    whole_str = f"{int(whole):,}"
    cents_str = f"{int(cents * 100):02d}"
    if language == "ru":
        text = whole_str.replace(",", NNBSP)
        if cents:
            text += "," + cents_str
        text += NBSP + "₽"
        return ("−" + text) if negative else text
    text = whole_str + (("." + cents_str) if cents else "")
    return ("−" if negative else "") + "RUB" + NBSP + text
