"""The disputes' queues on the Moderation overview (marketplace.audit.moderation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute, DisputeStatus, Message, RiskSignal, RiskSignalStatus
from marketplace.audit.moderation import Queue, registry

registry.register(
    Queue(
        key="disputes",
        label=_("Disputes awaiting a decision"),
        queryset=lambda: Dispute.objects.filter(
            status__in=[DisputeStatus.ESCALATED, DisputeStatus.IN_ARBITRATION, DisputeStatus.AWAITING_APPROVAL]
        ),
        age_field="escalated_at",
        deadline_field="deadline_at",
        url=lambda: reverse("admin:disputes_dispute_changelist") + "?is_open__exact=1",
        permissions=("disputes.view_dispute", "disputes.resolve_dispute"),
        order=50,
    )
)
registry.register(
    Queue(
        key="flagged-messages",
        label=_("Flagged messages (contact sharing)"),
        queryset=lambda: Message.objects.filter(is_flagged=True, flag_reviewed=False),
        age_field="created_at",
        url=lambda: reverse("admin:disputes_message_changelist") + "?is_flagged__exact=1&flag_reviewed__exact=0",
        permissions=("disputes.view_message", "disputes.change_message"),
        sla_hours=24,
        order=70,
    )
)
registry.register(
    Queue(
        key="risk-signals",
        label=_("Risk signals"),
        queryset=lambda: RiskSignal.objects.filter(status=RiskSignalStatus.OPEN),
        age_field="created_at",
        url=lambda: reverse("admin:disputes_risksignal_changelist") + "?status__exact=open",
        permissions=("disputes.view_risksignal", "disputes.change_risksignal"),
        sla_hours=72,
        order=80,
    )
)
