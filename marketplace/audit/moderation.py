"""The Moderation overview (spec 93, 164): every queue moderators work, with its size and oldest item.

Apps contribute queues in a `moderation_queues.py` module, discovered at start-up like `admin.py`:

    # reviews/moderation_queues.py
    from marketplace.audit.moderation import Queue, registry

    registry.register(Queue(
        key="reviews", label=_("Reviews to moderate"), order=40,
        queryset=lambda: Review.objects.filter(status=ReviewStatus.PENDING),
        age_field="created_at", url=lambda: reverse("admin:reviews_review_changelist") + "?status__exact=pending",
        permissions=("reviews.view_review", "reviews.moderate_review"), sla_hours=24,
    ))

Each queue costs one query (count, oldest and earliest deadline in one aggregate) and is shown only to
staff holding all of its permissions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.functional import Promise


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    queryset: Callable[[], QuerySet]  # the items waiting, unevaluated
    age_field: str  # when an item started waiting (a field or an annotation of the queryset)
    url: Callable[[], str]  # the changelist filtered to this queue
    permissions: tuple[str, ...]  # all required to see the queue
    sla_hours: int | Callable[[], int] | None = None  # an item waiting longer breaches the SLA
    deadline_field: str = ""  # or: a per-item deadline; an item past it breaches the SLA
    order: int = 100


@dataclass(frozen=True)
class QueueStatus:
    queue: Queue
    count: int
    oldest: datetime.datetime | None
    overdue: bool
    url: str

    @property
    def age(self) -> datetime.timedelta | None:
        return timezone.now() - self.oldest if self.oldest else None


class QueueRegistry:
    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}

    def register(self, queue: Queue) -> Queue:
        self._queues[queue.key] = queue  # re-registering a key replaces it (module reloads in tests)
        return queue

    def unregister(self, key: str) -> None:
        self._queues.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._queues

    def __iter__(self):
        return iter(sorted(self._queues.values(), key=lambda queue: (queue.order, queue.key)))


registry = QueueRegistry()


def visible_queues(user, *, queues: QueueRegistry | None = None) -> list[Queue]:
    """The queues this staff member may work (superusers: all)."""
    return [queue for queue in (queues or registry) if user.is_active and user.has_perms(queue.permissions)]


def queue_statuses(user, *, queues: QueueRegistry | None = None) -> list[QueueStatus]:
    """Count, oldest item and SLA breach of every queue the user may see: one query per queue."""
    now = timezone.now()
    statuses = []
    for queue in visible_queues(user, queues=queues):
        aggregates = {"count": Count("pk"), "oldest": Min(queue.age_field)}
        if queue.deadline_field:
            aggregates["deadline"] = Min(queue.deadline_field)
        values = queue.queryset().order_by().aggregate(**aggregates)
        overdue = False
        if values["count"]:
            sla = queue.sla_hours() if callable(queue.sla_hours) else queue.sla_hours
            if sla is not None and values["oldest"] is not None:
                overdue = now - values["oldest"] > datetime.timedelta(hours=sla)
            if queue.deadline_field and values.get("deadline") is not None:
                overdue = overdue or values["deadline"] < now
        statuses.append(
            QueueStatus(queue=queue, count=values["count"], oldest=values["oldest"], overdue=overdue, url=queue.url())
        )
    return statuses
