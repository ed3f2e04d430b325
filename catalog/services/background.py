"""What the catalogue's background jobs (listing imports, large price and stock files) share: one run at a time
per job, and the beat sweep that re-sends a lost message and gives up on a job a day old."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from catalog.models import ImportStatus

T = TypeVar("T")


def run_alone(lock: int, pk: int, run: Callable[[], T], busy: Callable[[], T]) -> T:
    """`run()` while holding the PostgreSQL advisory lock (lock, pk), or `busy()` when another run holds it (a
    second copy of a job's message, sent again by the sweep below, leaves). The lock ends with the run or with
    its connection, so a worker that dies does not keep it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock, pk])
        if not cursor.fetchone()[0]:
            return busy()
    try:
        return run()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock, pk])


def requeue_stalled(model: type[Model], *, send: Callable[[int], object], gave_up: str, now: datetime | None) -> int:
    """Send again (`send(pk)`) the message of every job of `model` still waiting or running after
    MARKETPLACE_CATALOG_IMPORT_REQUEUE_MINUTES (its message may have been lost with the broker, or its worker
    died); one that has not finished in a day fails with the message `gave_up`.

    Safe to repeat: a finished job ignores the message, a running one holds its lock. Returns how many it sent.
    """
    now = now or timezone.now()
    unfinished = model.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
    unfinished.filter(created_at__lt=now - timedelta(days=1)).update(
        status=ImportStatus.FAILED, message=gave_up, finished_at=now
    )
    stalled = list(
        unfinished.filter(
            created_at__lt=now - timedelta(minutes=settings.MARKETPLACE_CATALOG_IMPORT_REQUEUE_MINUTES)
        ).values_list("pk", flat=True)
    )
    for pk in stalled:
        send(pk)
    return len(stalled)
