"""The seller standards' thresholds (spec 163): managers change them in admin, the ratings follow.

Each change is a new SellerStandards row with who, when and why; the newest row is in force. A change asks for
a recompute of every seller's rating through the outbox in the same transaction, so bands, the reliable badge
and reply-time deductions follow within the relay's next run and no seller keeps a band from the old thresholds.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError
from reviews.models import RecomputeStatus, SellerStandards
from reviews.selectors import seller_standards


def unchanged(values: dict[str, object]) -> bool:
    """Whether `values` (thresholds by name) are those already in force."""
    in_force = seller_standards().thresholds()
    return all(values.get(name) == in_force[name] for name in SellerStandards.THRESHOLDS)


@transaction.atomic
def change_standards(*, actor, reason: str, values: dict[str, object]) -> SellerStandards:
    """Put new thresholds in force (every one named in SellerStandards.THRESHOLDS) and have every seller's rating
    recomputed under them. Refused, with nothing written, when the reason is empty, a threshold is out of order or
    nothing changed."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the standards change: the rating formula page shows it to sellers."))
    missing = [name for name in SellerStandards.THRESHOLDS if values.get(name) is None]
    if missing:
        raise DomainError(_("Every threshold needs a value."))
    SellerStandards.objects.select_for_update().order_by("-created_at", "-pk").first()  # one change at a time
    if unchanged(values):
        raise DomainError(_("These are the standards already in force."))
    standards = SellerStandards(
        reason=reason, created_by=actor, **{name: values[name] for name in SellerStandards.THRESHOLDS}
    )
    standards.full_clean(exclude=["created_by"])
    standards.save()
    _request_recompute_of_every_seller()
    return standards


def _request_recompute_of_every_seller() -> None:
    """One pending outbox row per seller (a seller with one pending already keeps it), set-based."""
    from reviews import tasks

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews_ratingrecompute (seller_id, listing_id, status, attempts, last_error, created_at) "
            "SELECT id, NULL, %s, 0, '', now() FROM sellers_seller ON CONFLICT DO NOTHING",
            [RecomputeStatus.PENDING],
        )
    tasks.relay_rating_recomputes.delay_on_commit()
