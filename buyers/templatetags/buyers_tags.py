"""Display helpers of the buyers' pages."""

from __future__ import annotations

import re

from django import template

register = template.Library()


@register.filter
def ru_phone(value: str) -> str:
    """+79123456789 → +7 (912) 345-67-89; anything else is shown as stored."""
    match = re.fullmatch(r"\+7(\d{3})(\d{3})(\d{2})(\d{2})", value or "")
    if not match:
        return value
    return "+7\N{NO-BREAK SPACE}({}) {}-{}-{}".format(*match.groups())
