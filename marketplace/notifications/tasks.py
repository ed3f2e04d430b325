"""Celery entry points of the outbox. Each takes ids, calls one service and owns only its retry policy."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def deliver(delivery_id: int) -> str | None:
    """Send one pending delivery; a second run finds it sent and does nothing.

    A failed send is not a task retry: the row counts the attempt and waits with back-off, and the relay
    below sends it again when due (no long ETAs in Redis). Only a database outage retries the task.
    """
    return services.deliver(delivery_id=delivery_id)


@shared_task(acks_late=True)
def relay_pending_deliveries() -> int:
    """Beat, every minute: nudge due pending deliveries (lost messages, crashed workers, back-off over)."""
    return services.relay_pending_deliveries()


@shared_task(acks_late=True)
def purge_old_notifications() -> int:
    """Beat, nightly: delete read notifications past the retention period."""
    return services.purge_old_notifications()
