"""The sellers' queues on the Moderation overview (marketplace.audit.moderation)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.audit.moderation import Queue, registry
from sellers.models import BankChangeStatus, BankDetailsChange, SanctionRequest, SellerApplication, SellerCase

BANK_CHANGE_SLA_HOURS = 24  # payouts wait on the old details meanwhile: a working day at most
SANCTION_APPROVAL_SLA_HOURS = 24  # a seller breaking serious rules keeps selling until a second moderator acts

registry.register(
    Queue(
        key="seller-applications",
        label=_("Seller applications awaiting review"),
        queryset=lambda: SellerApplication.objects.review_queue(),
        age_field="submitted_at",
        url=lambda: reverse("admin:sellers_sellerapplication_changelist") + "?queue=waiting",
        permissions=("sellers.view_sellerapplication", "sellers.review_sellerapplication"),
        sla_hours=lambda: settings.MARKETPLACE_SELLER_REVIEW_SLA_HOURS,
        order=10,
    )
)
registry.register(
    Queue(
        key="seller-cases",
        label=_("Seller cases open"),
        queryset=lambda: SellerCase.objects.queue(),
        age_field="created_at",
        deadline_field="answer_due_at",  # the answer deadline in working days, set when the case opens
        url=lambda: reverse("admin:sellers_sellercase_changelist") + "?queue=waiting",
        permissions=("sellers.view_sellercase", "sellers.decide_sellercase"),
        order=60,
    )
)
registry.register(
    Queue(
        key="bank-detail-changes",
        label=_("Bank-detail change requests"),
        queryset=lambda: BankDetailsChange.objects.filter(status=BankChangeStatus.PENDING),
        age_field="created_at",
        url=lambda: reverse("admin:sellers_bankdetailschange_changelist") + "?status__exact=pending",
        permissions=("sellers.view_bankdetailschange", "sellers.review_bankdetailschange"),
        sla_hours=BANK_CHANGE_SLA_HOURS,
        order=70,
    )
)
registry.register(
    Queue(
        key="sanction-approvals",
        label=_("Suspensions and terminations awaiting a second approval"),
        queryset=lambda: SanctionRequest.objects.pending(),
        age_field="created_at",
        url=lambda: reverse("admin:sellers_sanctionrequest_changelist") + "?queue=waiting",
        permissions=("sellers.view_sanctionrequest", "sellers.approve_sanction_request"),
        sla_hours=SANCTION_APPROVAL_SLA_HOURS,
        order=65,
    )
)
