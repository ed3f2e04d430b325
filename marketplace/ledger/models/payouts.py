"""Payouts of a seller's available balance to their bank account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table

from .ledger import Currency, Owner


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent to the bank")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


S = PayoutStatus
PAYOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    # pending is also the outbox state: the dispatcher sends it, or gives up after the last attempt.
    S.PENDING: frozenset({S.SENT, S.FAILED}),
    S.SENT: frozenset({S.CONFIRMED, S.FAILED}),
    S.CONFIRMED: frozenset(),
    S.FAILED: frozenset(),
}
validate_table(PAYOUT_TRANSITIONS, set(PayoutStatus.values))


class Payout(TimeStampedModel):
    owner_type = models.CharField(_("seller type"), max_length=100)
    owner_id = models.CharField(_("seller id"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)
    status = models.CharField(
        _("status"), max_length=16, choices=PayoutStatus, default=PayoutStatus.PENDING, editable=False
    )
    destination = models.CharField(_("bank account"), max_length=255)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner_type", "owner_id", "status"], name="payout_owner_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency} ({self.get_status_display()})"

    @property
    def owner(self) -> Owner:
        return Owner(self.owner_type, self.owner_id)


class PayoutEvent(models.Model):
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("actor")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout event")
        verbose_name_plural = _("payout events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"
