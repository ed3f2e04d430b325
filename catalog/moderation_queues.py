"""The catalogue's queues on the Moderation overview (marketplace.audit.moderation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.models import ListingQuestion, ListingReport, ModerationItem, QAStatus, ReportStatus
from marketplace.audit.moderation import Queue, registry

CONTENT_SLA_HOURS = 24  # first moderator action within 24 h, the platform's default target (spec 89)

registry.register(
    Queue(
        key="listings",
        label=_("Listings to moderate (new, edited, reported)"),
        queryset=lambda: selectors.moderation_queue(model=ModerationItem),
        age_field="waiting_since",
        url=lambda: reverse("admin:catalog_moderationitem_changelist"),
        permissions=("catalog.view_moderationitem", "catalog.moderate_listing"),
        sla_hours=CONTENT_SLA_HOURS,
        order=20,
    )
)
registry.register(
    Queue(
        key="listing-reports",
        label=_("Listing reports"),
        queryset=lambda: ListingReport.objects.filter(status=ReportStatus.OPEN),
        age_field="created_at",
        url=lambda: reverse("admin:catalog_listingreport_changelist") + "?status__exact=open",
        permissions=("catalog.view_listingreport", "catalog.moderate_listing"),
        sla_hours=CONTENT_SLA_HOURS,
        order=30,
    )
)
registry.register(
    Queue(
        key="questions",
        label=_("Questions awaiting moderation"),
        queryset=lambda: ListingQuestion.objects.filter(status=QAStatus.PENDING),
        age_field="created_at",
        url=lambda: reverse("admin:catalog_listingquestion_changelist") + "?status__exact=pending",
        permissions=("catalog.view_listingquestion", "catalog.change_listingquestion"),
        sla_hours=CONTENT_SLA_HOURS,
        order=40,
    )
)
registry.register(
    Queue(
        key="answers",
        label=_("Answers awaiting moderation"),
        queryset=lambda: ListingQuestion.objects.filter(answer_status=QAStatus.PENDING),
        age_field="answered_at",
        url=lambda: reverse("admin:catalog_listingquestion_changelist") + "?answer_status__exact=pending",
        permissions=("catalog.view_listingquestion", "catalog.change_listingquestion"),
        sla_hours=CONTENT_SLA_HOURS,
        order=45,
    )
)
