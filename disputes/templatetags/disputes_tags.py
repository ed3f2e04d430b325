"""Template tags of the disputes app (the header's unread-messages badge)."""

from django import template

from disputes import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_message_count(context) -> int:
    """Messages addressed to the signed-in user that they have not read yet (0 for anonymous visitors)."""
    request = context.get("request")
    if request is None:
        return 0
    return selectors.unread_count(user=request.user)
