"""Celery entry points for the sellers' timed rules; each calls one idempotent service (deadlines are rows beat scans)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "max_retries": 5}


@shared_task(acks_late=True, **RETRY)
def lift_expired_sanctions() -> int:
    """Beat, hourly: sanctions past their expiry are lifted and the seller's status follows."""
    return services.lift_expired_sanctions()


@shared_task(acks_late=True, **RETRY)
def pause_sellers_without_current_offer() -> int:
    """Beat, every 15 minutes: a new seller offer in force pauses the listings of sellers who have not accepted it."""
    return services.pause_sellers_without_current_offer()


@shared_task(acks_late=True, **RETRY)
def expire_invitations() -> int:
    """Beat, hourly: team invitations past their date become expired."""
    return services.expire_invitations()


@shared_task(acks_late=True, **RETRY)
def close_stale_cases() -> int:
    """Beat, nightly: decided cases the seller did not close are closed."""
    return services.close_stale_cases()


@shared_task(acks_late=True, **RETRY)
def announce_new_seller_offer() -> int | None:
    """Beat, every 15 minutes: a newly published seller offer version is announced to the sellers who must accept it."""
    announcement = services.announce_new_seller_offer()
    return announcement.pk if announcement else None
