"""Payments taken through a provider, the provider's webhook events, and refunds sent back through it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table

from .ledger import Currency


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


P = PaymentStatus
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    P.PENDING: frozenset({P.SUCCEEDED, P.FAILED}),
    # An acquirer may report a late success after a failure (e.g. a 3-D Secure timeout, then capture):
    # the money was taken, so the payment must become succeeded and be handled (kept or refunded).
    P.FAILED: frozenset({P.SUCCEEDED}),
    P.SUCCEEDED: frozenset({P.PARTIALLY_REFUNDED, P.REFUNDED}),
    P.PARTIALLY_REFUNDED: frozenset({P.REFUNDED}),
    P.REFUNDED: frozenset(),
}
validate_table(PAYMENT_TRANSITIONS, set(PaymentStatus.values))


class Payment(TimeStampedModel):
    provider = models.CharField(_("provider"), max_length=32)
    reference = models.CharField(
        _("paid for"), max_length=100, db_index=True, help_text=_("What is paid, e.g. order_group:17")
    )
    description = models.CharField(_("description"), max_length=255)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)
    status = models.CharField(
        _("status"), max_length=32, choices=PaymentStatus, default=PaymentStatus.PENDING, editable=False
    )
    # Stored (and committed) before the provider is called, and passed to it: a retry never charges twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    provider_payment_id = models.CharField(_("provider's payment id"), max_length=100, blank=True)
    redirect_url = models.CharField(_("payment page"), max_length=500, blank=True)
    return_url = models.CharField(_("return address"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="payment_currency_valid"),
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="payment_provider_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.get_status_display()})"

    @property
    def is_paid(self) -> bool:
        return self.status in {P.SUCCEEDED, P.PARTIALLY_REFUNDED, P.REFUNDED}


class PaymentStatusChange(models.Model):
    """Who, when, from, to, why — append-only history of a payment's status."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("actor")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment status change")
        verbose_name_plural = _("payment status changes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class PaymentEvent(models.Model):
    """A webhook event accepted from a provider, kept with its raw body. Unique per provider event id."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=64)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="events", null=True, blank=True, verbose_name=_("payment")
    )
    raw_body = models.TextField(_("raw body"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment webhook event")
        verbose_name_plural = _("payment webhook events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="paymentevent_unique")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.event_type}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class PaymentRefund(TimeStampedModel):
    """Money to send back to the buyer's card: an outbox row written with the ledger refund, sent by a task."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)
    status = models.CharField(
        _("status"), max_length=16, choices=RefundStatus, default=RefundStatus.PENDING, editable=False
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    provider_refund_id = models.CharField(_("provider's refund id"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ledger_transaction = models.OneToOneField(
        "ledger.LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_refund",
        verbose_name=_("ledger transaction"),
    )
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
        verbose_name = _("payment refund")
        verbose_name_plural = _("payment refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="paymentrefund_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="paymentrefund_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_status_display()})"
