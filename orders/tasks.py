"""Beat entry points: thin, idempotent (each service finds finished work and skips it)."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expire_unpaid_groups() -> int:
    return services.expire_unpaid_groups()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def process_due_deadlines() -> int:
    return services.process_due_deadlines()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def weekly_payouts() -> int:
    return services.weekly_payouts()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_listing_popularity() -> int:
    return services.refresh_listing_popularity()
