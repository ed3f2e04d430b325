"""Payments through a provider: create, redirect, receive signed webhooks, send refunds to the card."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.state_machine import check_transition

from .. import payments, selectors
from ..exceptions import IdempotencyConflict, PaymentError, ProviderRejected, ProviderUnavailable, WebhookMismatch
from ..models import (
    PAYMENT_TRANSITIONS,
    Currency,
    Payment,
    PaymentEvent,
    PaymentRefund,
    PaymentStatus,
    PaymentStatusChange,
    RefundStatus,
)
from ..payments import EventType, hooks
from ..payments import RefundStatus as ProviderRefundStatus
from .movements import _check_amount

logger = logging.getLogger(__name__)


@transaction.atomic
def create_payment(
    *,
    reference: str,
    amount: Decimal,
    description: str,
    return_url: str,
    idempotency_key: str,
    actor=None,
    currency: str = Currency.RUB,
    provider: str | None = None,
) -> Payment:
    """Write the payment, with its idempotency key, before any provider is called. The same key returns it again."""
    provider = provider or payments.default_provider_name()
    payments.get_provider(provider)  # UnknownProvider before anything is written
    _check_amount(amount)
    fields = {"reference": reference, "amount": amount, "currency": currency, "provider": provider}
    if existing := Payment.objects.filter(idempotency_key=idempotency_key).first():
        return _same_payment(existing, fields)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                **fields,
                description=description[:255],
                return_url=return_url,
                idempotency_key=idempotency_key,
                created_by=actor,
            )
    except IntegrityError:
        return _same_payment(Payment.objects.get(idempotency_key=idempotency_key), fields)
    PaymentStatusChange.objects.create(payment=payment, to_status=payment.status, actor=actor, reason="created")
    return payment


def _same_payment(existing: Payment, fields: dict) -> Payment:
    if any(getattr(existing, name) != value for name, value in fields.items()):
        raise IdempotencyConflict()
    return existing


def redirect_url_for_payment(*, payment: Payment) -> str:
    """The provider's payment page for this payment, asked for once (a retry reuses the stored answer).

    Calls the provider over the network, so call it after the transaction that created the payment has
    committed, never inside one. Passing the stored idempotency key makes a repeated call safe.
    """
    payment.refresh_from_db()
    if payment.redirect_url:
        return payment.redirect_url
    if payment.status != PaymentStatus.PENDING:
        raise PaymentError(_("This payment is no longer waiting to be paid."))
    created = payments.get_provider(payment.provider).create_payment(
        idempotency_key=payment.idempotency_key,
        amount=payment.amount,
        currency=payment.currency,
        description=payment.description,
        return_url=payment.return_url,
    )
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk, provider_payment_id="").update(
            provider_payment_id=created.provider_payment_id, redirect_url=created.redirect_url
        )
    payment.refresh_from_db()
    return payment.redirect_url


@transaction.atomic
def change_payment_status(*, payment: Payment, to: str, actor=None, reason: str = "") -> bool:
    """The only way a payment's status changes. Returns False, changing nothing, if it already has `to`."""
    current = Payment.objects.select_for_update(no_key=True).only("status").get(pk=payment.pk).status
    if current == to:
        return False
    check_transition(PAYMENT_TRANSITIONS, current, to)
    PaymentStatusChange.objects.create(payment=payment, from_status=current, to_status=to, actor=actor, reason=reason)
    Payment.objects.filter(pk=payment.pk).update(status=to, updated_at=timezone.now())
    payment.status = to
    return True


class WebhookOutcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"


def receive_webhook(*, provider_name: str, headers: Mapping[str, str], raw_body: bytes) -> WebhookOutcome:
    """Accept one provider webhook: verify, deduplicate, cross-check, apply — or write nothing at all.

    The signature and timestamp are checked before the database is touched. Then, in one transaction
    with the payment row locked: a repeated event id is a no-op, amount and currency must match our
    records, the raw body is stored, and the payment's hook runs (e.g. orders put the money in escrow).
    """
    provider = payments.get_provider(provider_name)
    event = provider.verify_webhook(headers=headers, raw_body=raw_body)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(provider=provider_name, provider_payment_id=event.provider_payment_id)
            .first()
        )
        if payment is None:
            raise WebhookMismatch(_("The webhook names a payment we do not know."))
        if PaymentEvent.objects.filter(provider=provider_name, event_id=event.event_id).exists():
            return WebhookOutcome.DUPLICATE
        card_refund = None
        expected = payment.amount
        if event.type in {EventType.REFUND_SUCCEEDED, EventType.REFUND_FAILED}:
            card_refund = (
                payment.refunds.select_for_update().filter(provider_refund_id=event.provider_refund_id).first()
            )
            if card_refund is None:
                raise WebhookMismatch(_("The webhook names a refund we do not know."))
            expected = card_refund.amount
        if event.amount != expected or event.currency != payment.currency:
            raise WebhookMismatch(_("The amount or currency in the webhook does not match the payment."))
        PaymentEvent.objects.create(
            provider=provider_name,
            event_id=event.event_id,
            event_type=event.type,
            payment=payment,
            raw_body=raw_body.decode("utf-8"),
        )
        reason = f"{provider_name} event {event.event_id}"
        if event.type == EventType.PAYMENT_SUCCEEDED:
            if not payment.is_paid and change_payment_status(
                payment=payment, to=PaymentStatus.SUCCEEDED, reason=reason
            ):
                hooks.payment_succeeded(payment)
        elif event.type == EventType.PAYMENT_FAILED:
            # A failure notice after a success is stale: the money was taken, the success stands.
            if payment.status == PaymentStatus.PENDING:
                change_payment_status(payment=payment, to=PaymentStatus.FAILED, reason=reason)
                hooks.payment_failed(payment)
        elif event.type == EventType.REFUND_SUCCEEDED:
            _refund_succeeded(card_refund)
        elif event.type == EventType.REFUND_FAILED:
            _refund_failed(card_refund, error=reason)
    return WebhookOutcome.PROCESSED


# ---- card refunds (outbox) ---------------------------------------------------------------------------------


def _refund_succeeded(card_refund: PaymentRefund) -> None:
    if card_refund.status != RefundStatus.PENDING:
        return
    card_refund.status = RefundStatus.SUCCEEDED
    card_refund.save(update_fields=["status", "updated_at"])
    payment = card_refund.payment
    refunded = selectors.succeeded_refunds_total(payment=payment)
    target = PaymentStatus.REFUNDED if refunded >= payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    change_payment_status(payment=payment, to=target, reason=f"refund #{card_refund.pk}")


def _refund_failed(card_refund: PaymentRefund, *, error: str) -> None:
    if card_refund.status != RefundStatus.PENDING:
        return
    card_refund.status = RefundStatus.FAILED
    card_refund.last_error = error
    card_refund.save(update_fields=["status", "last_error", "updated_at"])
    # The ledger still says the buyer is owed this money; staff see it in admin and selectors.failed_refunds().
    logger.error("card refund #%s failed for good: %s", card_refund.pk, error)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def submit_refund(*, refund_id: int) -> None:
    """Send one pending card refund to the provider; a second run finds it sent and does nothing."""
    payment_id = PaymentRefund.objects.filter(pk=refund_id).values_list("payment_id", flat=True).first()
    if payment_id is None:
        return
    with transaction.atomic():
        # Lock order payment → refund, as the webhook does, so the two never deadlock.
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        card_refund = (
            PaymentRefund.objects.select_for_update(skip_locked=True)
            .filter(pk=refund_id, status=RefundStatus.PENDING, provider_refund_id="")
            .first()
        )
        if card_refund is None:
            return
        card_refund.payment = payment
        try:
            created = payments.get_provider(payment.provider).refund(
                idempotency_key=card_refund.idempotency_key,
                provider_payment_id=payment.provider_payment_id,
                amount=card_refund.amount,
                currency=card_refund.currency,
            )
        except ProviderRejected as exc:
            _refund_failed(card_refund, error=str(exc))
            return
        except ProviderUnavailable as exc:
            card_refund.attempts += 1
            card_refund.last_error = str(exc)
            if card_refund.attempts >= settings.MARKETPLACE_PAYMENT_REFUND_MAX_ATTEMPTS:
                card_refund.save(update_fields=["attempts", "last_error", "updated_at"])
                _refund_failed(card_refund, error=str(exc))
            else:
                card_refund.next_attempt_at = timezone.now() + _backoff(card_refund.attempts)
                card_refund.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
            return
        card_refund.attempts += 1
        card_refund.provider_refund_id = created.provider_refund_id
        card_refund.save(update_fields=["attempts", "provider_refund_id", "updated_at"])
        if created.status == ProviderRefundStatus.SUCCEEDED:
            _refund_succeeded(card_refund)


def due_refund_ids() -> list[int]:
    """Pending card refunds not yet accepted by the provider whose next attempt is due (lost or retried tasks)."""
    now = timezone.now()
    return list(
        PaymentRefund.objects.filter(status=RefundStatus.PENDING, provider_refund_id="")
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


def relay_refunds() -> int:
    """Re-enqueue due card refunds (beat). Returns how many."""
    from .. import tasks

    ids = due_refund_ids()
    for refund_id in ids:
        tasks.submit_refund.delay(refund_id)
    return len(ids)
