"""The header bell's unread count: {% load notifications %}{% unread_notification_count as unread %}."""

from __future__ import annotations

import datetime

from django import template

from marketplace.notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context) -> int:
    """One indexed COUNT for the signed-in user; 0 for visitors (no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_count(user=user)


@register.filter
def isodate(value: str) -> datetime.date | datetime.datetime | str:
    """An ISO date or date-time string from a notification's JSON context → a value the `date` filter formats."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.datetime.fromisoformat(value) if "T" in value else datetime.date.fromisoformat(value)
    except ValueError:
        return value
