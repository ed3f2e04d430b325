from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode

from marketplace.audit import moderation

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_queues(context) -> list[moderation.QueueStatus]:
    """The queues the current staff member may work, with counts and ages (the admin index shows them)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated or not request.user.is_staff:
        return []
    return moderation.queue_statuses(request.user)


@register.simple_tag(takes_context=True)
def audit_history_url(context, obj: models.Model | None) -> str:
    """The audit log filtered to this object, for staff who may read the log ("" otherwise)."""
    request = context.get("request")
    if obj is None or obj.pk is None or request is None or not request.user.has_perm("audit.view_auditentry"):
        return ""
    content_type = ContentType.objects.get_for_model(obj)
    query = urlencode({"content_type": content_type.pk, "object_id": obj.pk})
    return f"{reverse('admin:audit_auditentry_changelist')}?{query}"
