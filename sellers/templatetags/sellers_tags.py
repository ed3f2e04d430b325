"""Small display helpers for the sellers' templates."""

from __future__ import annotations

from django import template

register = template.Library()

_TONES = {
    "draft": "neutral",
    "submitted": "info",
    "in_review": "info",
    "changes_requested": "warning",
    "approved": "success",
    "rejected": "danger",
    "active": "success",
    "warned": "warning",
    "restricted": "warning",
    "suspended": "danger",
    "terminated": "danger",
    "open": "info",
    "answered": "accent",
    "resolved": "success",
    "closed": "neutral",
    "pending": "warning",
    "withdrawn": "neutral",
    "accepted": "success",
    "revoked": "neutral",
    "expired": "neutral",
    "passed": "success",
    "warning": "warning",
    "error": "danger",
}


@register.filter
def seller_tone(status: object) -> str:
    """Badge colour for the sellers' statuses (the badge text always names the status too)."""
    return _TONES.get(str(status), "neutral")


@register.filter
def masked_account(number: str) -> str:
    """40702 810 ** **** 0001: enough to recognise an account without showing all of it."""
    number = number or ""
    return f"{number[:5]} … {number[-4:]}" if len(number) == 20 else number
