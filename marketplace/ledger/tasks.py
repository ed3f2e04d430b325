"""Celery entry points: ids in, one service call each, retry policy only. Rows are the guarantee."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import services
from .payments.sandbox import acquirer


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def submit_refund(refund_id: int) -> None:
    """Send one card refund to its provider (failures are counted on the row; the relay retries)."""
    services.submit_refund(refund_id=refund_id)


@shared_task(acks_late=True)
def relay_refunds() -> None:
    """Beat: re-enqueue card refunds whose next attempt is due."""
    services.relay_refunds()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dispatch_payout(payout_id: int) -> None:
    """Send one pending payout to the bank (failures are counted on the row; the relay retries)."""
    services.dispatch_payout(payout_id=payout_id)


@shared_task(acks_late=True)
def relay_payouts() -> None:
    """Beat: re-enqueue pending payouts whose next attempt is due."""
    services.relay_payouts()


@shared_task(acks_late=True)
def poll_sent_payouts() -> None:
    """Beat: confirm or fail payouts the bank has settled."""
    services.poll_sent_payouts()


@shared_task(
    acks_late=True,
    autoretry_for=(acquirer.WebhookDeliveryFailed, OperationalError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=settings.MARKETPLACE_PAYMENT_WEBHOOK_MAX_ATTEMPTS,
)
def deliver_sandbox_webhook(webhook_id: int) -> None:
    """The sandbox acquirer calls our webhook; non-2xx answers are retried with back-off."""
    acquirer.deliver_webhook(webhook_id=webhook_id)


@shared_task(acks_late=True)
def relay_sandbox_webhooks() -> None:
    """Beat: re-enqueue sandbox webhook deliveries whose retry is overdue (lost messages, restarts)."""
    acquirer.relay_webhooks()
