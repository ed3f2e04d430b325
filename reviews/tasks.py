"""Celery entry points: thin, id-in or batch, safe to run twice (acks_late + recompute from the source)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def relay_rating_recomputes() -> int:
    """Deliver the pending recompute outbox rows (nudged on commit; beat every minute catches lost nudges)."""
    return services.relay_recomputes()


@shared_task(acks_late=True)
def apply_due_standards() -> int:
    """Seller standards announced for a date that has come: every seller's rating is recomputed under them."""
    return services.apply_due_standards()


@shared_task(acks_late=True)
def recompute_all_ratings() -> None:
    """Nightly: every listing aggregate and every seller rating from the source."""
    services.recompute_all()


@shared_task(acks_late=True)
def request_recompute_for_new_incidents() -> int:
    from .services import ratings

    return ratings.request_recompute_for_new_incidents()


@shared_task(acks_late=True)
def send_review_requests() -> int:
    services.schedule_review_requests()
    return services.send_due_review_requests()
