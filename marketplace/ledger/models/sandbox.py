"""The built-in sandbox acquirer's own records: the state a real provider keeps on its side.

Nothing in the ledger reads these tables: our side only knows what the provider interface returns and
what the signed webhooks say, exactly as with a real acquirer.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table

from .ledger import Currency


class SandboxPaymentStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a card")
    CHALLENGE = "challenge", _("Waiting for the 3-D Secure code")
    SUCCEEDED = "succeeded", _("Paid")
    DECLINED = "declined", _("Declined")


O = SandboxPaymentStatus  # noqa: E741
SANDBOX_PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    O.OPEN: frozenset({O.CHALLENGE, O.SUCCEEDED, O.DECLINED}),
    O.CHALLENGE: frozenset({O.SUCCEEDED, O.DECLINED}),
    O.SUCCEEDED: frozenset(),
    O.DECLINED: frozenset(),
}
validate_table(SANDBOX_PAYMENT_TRANSITIONS, set(SandboxPaymentStatus.values))


class SandboxPayment(TimeStampedModel):
    token = models.UUIDField(_("payment id"), default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)
    description = models.CharField(_("description"), max_length=255)
    return_url = models.CharField(_("return address"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=SandboxPaymentStatus, default=SandboxPaymentStatus.OPEN, editable=False
    )
    card_last4 = models.CharField(_("card"), max_length=4, blank=True)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("sandbox payment")
        verbose_name_plural = _("sandbox payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sandboxpayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="sandboxpayment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token} {self.amount} {self.currency} ({self.get_status_display()})"


class SandboxRefund(models.Model):
    token = models.UUIDField(_("refund id"), default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.PROTECT, related_name="refunds")
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sandboxrefund_amount_positive")]

    def __str__(self) -> str:
        return str(self.token)


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class SandboxWebhook(models.Model):
    """The acquirer's outbox: one event to POST to our webhook until it answers 2xx (or attempts run out)."""

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    event_type = models.CharField(_("event type"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=WebhookDeliveryStatus, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox webhook")
        verbose_name_plural = _("sandbox webhooks")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sandboxwebhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
