"""Template tags of the disputes app (the header's unread-messages badge, a dispute stage's name)."""

from django import template

from disputes import selectors
from disputes.models import DisputeStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_message_count(context) -> int:
    """Messages addressed to the signed-in user that they have not read yet (0 for anonymous visitors)."""
    request = context.get("request")
    if request is None:
        return 0
    return selectors.unread_count(user=request.user)


@register.filter
def dispute_status_label(status: str) -> str:
    """A dispute status's name in the active language (notifications keep the status, not its name)."""
    return DisputeStatus(status).label if status in DisputeStatus.values else ""
