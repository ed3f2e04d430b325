"""The Moderation overview page in admin (/admin/moderation/)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from . import moderation


def moderation_overview(request: HttpRequest) -> TemplateResponse:
    """Every queue this staff member may work: count, oldest item's age, SLA breaches, a link into it."""
    context = {
        **admin.site.each_context(request),
        "title": _("Moderation"),
        "queues": moderation.queue_statuses(request.user),
    }
    return TemplateResponse(request, "audit/moderation.html", context)
