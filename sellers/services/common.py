"""Pieces every sellers service uses: the one transition function shape, notifications, working days."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from marketplace.core.state_machine import check_transition


def transition(
    *,
    obj: models.Model,
    table: dict[str, frozenset[str]],
    to: str,
    actor,
    reason: str,
    event_model: type[models.Model],
    event_field: str,
    extra_fields: dict[str, Any] | None = None,
) -> bool:
    """Move `obj.status` one step along `table`, leaving an event row. False (and no change) if already there.

    Callers wrap it in their machine's public `change_<x>_status` service (inside its transaction).
    """
    model = type(obj)
    current = model.objects.select_for_update(no_key=True).only("status").get(pk=obj.pk).status
    if current == to:
        obj.status = current
        return False
    check_transition(table, current, to)
    event_model.objects.create(**{event_field: obj}, from_status=current, to_status=to, actor=actor, reason=reason)
    obj.status = to
    update_fields = ["status"]
    for name, value in (extra_fields or {}).items():
        setattr(obj, name, value)
        update_fields.append(name)
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    return True


def record_initial_event(
    *, obj: models.Model, event_model: type[models.Model], event_field: str, actor, reason: str = ""
):
    """The first history row (∅ → initial status) of a newly created object."""
    return event_model.objects.create(
        **{event_field: obj}, from_status="", to_status=obj.status, actor=actor, reason=reason
    )


def _holidays() -> frozenset[datetime.date]:
    return frozenset(datetime.date.fromisoformat(day) for day in settings.MARKETPLACE_SELLER_HOLIDAYS)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays()


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The same local time `days` working days later (weekends and MARKETPLACE_SELLER_HOLIDAYS skipped)."""
    local = timezone.localtime(start)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)
