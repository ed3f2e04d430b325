"""The sandbox acquirer's side: hosted payment sessions, card checks, refunds and signed webhooks.

This plays the part of an external provider (a real one runs on its own servers). It keeps its own
tables and talks to the marketplace only through the provider interface and signed HTTP webhooks,
delivered from an outbox by a Celery task with retries.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from marketplace.core.state_machine import check_transition

from ...exceptions import ProviderRejected
from ...models import (
    SANDBOX_PAYMENT_TRANSITIONS,
    SandboxPayment,
    SandboxPaymentStatus,
    SandboxRefund,
    SandboxWebhook,
    WebhookDeliveryStatus,
)
from ..base import EventType
from ..signing import signature_header
from .cards import THREE_DS_CODE, CardOutcome, test_card

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sandbox-Signature"


class WebhookDeliveryFailed(Exception):
    """Our webhook did not answer 2xx; the delivery task retries."""


def webhook_secret() -> str:
    """MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_SECRET, or one derived from SECRET_KEY when that is unset."""
    configured = settings.MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_SECRET
    return configured or salted_hmac("marketplace.ledger.sandbox", "webhook-secret").hexdigest()


def webhook_url() -> str:
    configured = settings.MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_URL
    return configured or settings.SITE_URL.rstrip("/") + reverse("ledger:webhook", kwargs={"provider": "sandbox"})


def _is_our_address(url: str) -> bool:
    """The hosted page sends the buyer to the return address: only this site's, never an open redirect."""
    hosts = {host for host in settings.ALLOWED_HOSTS if host != "*"} | {urlsplit(settings.SITE_URL).netloc}
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts=hosts)


S = SandboxPaymentStatus


def _move(payment: SandboxPayment, to: str) -> None:
    check_transition(SANDBOX_PAYMENT_TRANSITIONS, payment.status, to)
    payment.status = to


@transaction.atomic
def open_payment(
    *, idempotency_key: str, amount: Decimal, currency: str, description: str, return_url: str
) -> SandboxPayment:
    """Open a hosted payment session; the same idempotency key returns the same session."""
    if not _is_our_address(return_url):
        raise ProviderRejected(_("The return address must be on this site."))
    fields = {"amount": amount, "currency": currency, "return_url": return_url}
    existing = SandboxPayment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return SandboxPayment.objects.create(idempotency_key=idempotency_key, description=description, **fields)
        except IntegrityError:
            existing = SandboxPayment.objects.get(idempotency_key=idempotency_key)
    if any(getattr(existing, name) != value for name, value in fields.items()):
        raise ProviderRejected(_("This idempotency key was used for a different payment."))
    return existing


def _locked(token) -> SandboxPayment:
    return SandboxPayment.objects.select_for_update().get(token=token)


@transaction.atomic
def submit_card(*, token, card_number: str) -> SandboxPayment:
    """Charge a test card. Only an open session takes a card; otherwise its state is returned unchanged."""
    payment = _locked(token)
    card = test_card(card_number)
    if payment.status != S.OPEN or card is None:
        return payment
    payment.card_last4 = card.number[-4:]
    if card.outcome == CardOutcome.SUCCEED:
        _move(payment, S.SUCCEEDED)
    elif card.outcome == CardOutcome.DECLINE:
        _move(payment, S.DECLINED)
    else:
        _move(payment, S.CHALLENGE)
    payment.save(update_fields=["status", "card_last4", "updated_at"])
    _emit_outcome(payment)
    return payment


@transaction.atomic
def submit_three_ds_code(*, token, code: str) -> SandboxPayment:
    """Finish a 3-D Secure challenge: the right code pays, a wrong one declines (as issuers do)."""
    payment = _locked(token)
    if payment.status != S.CHALLENGE:
        return payment
    _move(payment, S.SUCCEEDED if code.strip() == THREE_DS_CODE else S.DECLINED)
    payment.save(update_fields=["status", "updated_at"])
    _emit_outcome(payment)
    return payment


def _emit_outcome(payment: SandboxPayment) -> None:
    if payment.status == S.SUCCEEDED:
        _emit(EventType.PAYMENT_SUCCEEDED, payment, payment.amount)
    elif payment.status == S.DECLINED:
        _emit(EventType.PAYMENT_FAILED, payment, payment.amount)


@transaction.atomic
def refund_payment(*, idempotency_key: str, token, amount: Decimal, currency: str) -> SandboxRefund:
    """Refund part or all of a paid session; the same key returns the first refund."""
    payment = _locked(token)
    if existing := SandboxRefund.objects.filter(idempotency_key=idempotency_key).first():
        if existing.payment_id != payment.pk or existing.amount != amount:
            raise ProviderRejected(_("This idempotency key was used for a different refund."))
        return existing
    if payment.status != S.SUCCEEDED:
        raise ProviderRejected(_("Only a paid payment can be refunded."))
    if currency != payment.currency or amount <= 0 or payment.refunded_amount + amount > payment.amount:
        raise ProviderRejected(_("The refund is larger than what is left of the payment."))
    refund = SandboxRefund.objects.create(payment=payment, idempotency_key=idempotency_key, amount=amount)
    payment.refunded_amount += amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    _emit(EventType.REFUND_SUCCEEDED, payment, amount, refund=refund)
    return refund


def _emit(event_type: str, payment: SandboxPayment, amount: Decimal, *, refund: SandboxRefund | None = None) -> None:
    data = {"payment_id": str(payment.token), "amount": f"{amount:.2f}", "currency": payment.currency}
    if refund is not None:
        data["refund_id"] = str(refund.token)
    event_id = f"evt_{uuid.uuid4().hex}"
    webhook = SandboxWebhook.objects.create(
        event_id=event_id,
        event_type=event_type,
        payload={"id": event_id, "type": event_type, "created": int(time.time()), "data": data},
    )
    from ... import tasks

    tasks.deliver_sandbox_webhook.delay_on_commit(webhook.pk)


# ---- webhook delivery ----------------------------------------------------------------------------------------


def post_webhook(url: str, body: bytes, headers: dict[str, str], timeout: float = 10) -> int:
    """POST the body and return the HTTP status (the transport; tests replace it to reach the test client)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"webhook URL must be http(s): {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(10 * 2 ** (attempts - 1), 600))


def deliver_webhook(*, webhook_id: int) -> None:
    """POST one pending event, signed now. Raises WebhookDeliveryFailed (after saving the attempt) to be retried."""
    with transaction.atomic():
        webhook = (
            SandboxWebhook.objects.select_for_update(skip_locked=True)
            .filter(pk=webhook_id, status=WebhookDeliveryStatus.PENDING)
            .first()
        )
        if webhook is None:
            return  # delivered, given up, or being delivered by another worker
        body = json.dumps(webhook.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature_header(webhook_secret(), body)}
        webhook.attempts += 1
        try:
            status = post_webhook(webhook_url(), body, headers)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except OSError as exc:
            error = str(exc) or type(exc).__name__
        if not error:
            webhook.status = WebhookDeliveryStatus.DELIVERED
            webhook.delivered_at = timezone.now()
            webhook.last_error = ""
            webhook.save(update_fields=["status", "attempts", "delivered_at", "last_error"])
            return
        webhook.last_error = error
        if webhook.attempts >= settings.MARKETPLACE_PAYMENT_WEBHOOK_MAX_ATTEMPTS:
            webhook.status = WebhookDeliveryStatus.FAILED
            webhook.save(update_fields=["status", "attempts", "last_error"])
            logger.error("sandbox webhook %s gave up after %s attempts: %s", webhook.event_id, webhook.attempts, error)
            return
        webhook.next_attempt_at = timezone.now() + _backoff(webhook.attempts)
        webhook.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    raise WebhookDeliveryFailed(error)


def due_webhook_ids() -> list[int]:
    """Pending events whose retry is overdue by a minute (the task's own retry normally gets there first)."""
    overdue = timezone.now() - timedelta(minutes=1)
    return list(
        SandboxWebhook.objects.filter(status=WebhookDeliveryStatus.PENDING)
        .exclude(next_attempt_at__gt=overdue)
        .exclude(next_attempt_at__isnull=True, created_at__gt=overdue)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


def relay_webhooks() -> int:
    from ... import tasks

    ids = due_webhook_ids()
    for webhook_id in ids:
        tasks.deliver_sandbox_webhook.delay(webhook_id)
    return len(ids)
