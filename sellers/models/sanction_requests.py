"""Four eyes on the heaviest sanctions: a suspension or termination one moderator proposes waits for a second one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import StatusEvent, TimeStampedModel
from marketplace.core.state_machine import validate_table

from .sellers import Sanction, Seller, SellerStatus

# Sanctions that take a store off the platform: they take effect only once a second moderator approves.
# Warnings and restrictions stay immediate.
FOUR_EYES_SANCTIONS = (SellerStatus.SUSPENDED, SellerStatus.TERMINATED)


class SanctionRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second moderator")
    APPROVED = "approved", _("Approved: sanction imposed")
    DECLINED = "declined", _("Declined")


R = SanctionRequestStatus
SANCTION_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    R.PENDING: frozenset({R.APPROVED, R.DECLINED}),
    R.APPROVED: frozenset(),
    R.DECLINED: frozenset(),
}
validate_table(SANCTION_REQUEST_TRANSITIONS, set(SanctionRequestStatus.values))


class SanctionRequestQuerySet(models.QuerySet):
    def pending(self) -> SanctionRequestQuerySet:
        return self.filter(status=R.PENDING)


class SanctionRequest(TimeStampedModel):
    """A proposed suspension or termination: who proposed it, when, why and what; nothing happens to the
    seller until a different moderator approves it (then the sanction is imposed) or declines it."""

    seller = models.ForeignKey(
        Seller, on_delete=models.CASCADE, related_name="sanction_requests", verbose_name=_("seller")
    )
    level = models.CharField(_("sanction"), max_length=16, choices=[(s.value, s.label) for s in FOUR_EYES_SANCTIONS])
    rule = models.CharField(_("rule broken"), max_length=255)
    reason = models.TextField(_("explanation for the seller"))
    evidence = models.TextField(_("evidence"), blank=True)
    expires_in_days = models.PositiveSmallIntegerField(
        _("lasts (days)"), null=True, blank=True, help_text=_("Counted from the approval. Empty: until lifted.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SanctionRequestStatus, default=R.PENDING, editable=False, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("second moderator"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("why declined"), blank=True)
    sanction = models.OneToOneField(
        Sanction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
        verbose_name=_("imposed sanction"),
    )

    objects = SanctionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension or termination awaiting approval")
        verbose_name_plural = _("suspensions and terminations (four eyes)")
        ordering = ["created_at", "pk"]
        permissions = [
            ("approve_sanction_request", _("Can approve or decline seller suspensions and terminations")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SanctionRequestStatus.values), name="sanctionrequest_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=list(FOUR_EYES_SANCTIONS)), name="sanctionrequest_level_valid"
            ),
            # A second request for the same seller waits until the first is approved or declined.
            models.UniqueConstraint(
                fields=["seller"], condition=Q(status=R.PENDING), name="sanctionrequest_one_pending_per_seller"
            ),
            # Four eyes, as the last line of defence: the proposer never decides their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="sanctionrequest_decided_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(status=R.APPROVED) | Q(sanction__isnull=False, decided_by__isnull=False),
                name="sanctionrequest_approved_has_sanction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.seller}"


class SanctionRequestEvent(StatusEvent):
    """Who, when, from, to, why — append-only history of a sanction request."""

    sanction_request = models.ForeignKey(SanctionRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=SanctionRequestStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=SanctionRequestStatus)

    class Meta(StatusEvent.Meta):
        verbose_name = _("sanction request event")
        verbose_name_plural = _("sanction request history")
