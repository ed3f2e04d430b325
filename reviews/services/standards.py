"""The seller standards' thresholds (spec 163): managers change them in admin, the ratings follow.

Each change is a new SellerStandards row with who, when and why, in force from a date: now, or later so sellers
are told in advance (the formula page and the cabinet announce it). When a row takes effect, every seller's
rating is asked to be recomputed through the outbox, in the same transaction that marks the row applied: at
once for a change in force now, by the beat's `apply_due_standards` for a later date. So bands, the reliable
badge and reply-time deductions follow within the relay's next runs and no seller keeps a band from old
thresholds.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError
from reviews.models import RecomputeStatus, SellerStandards
from reviews.selectors import seller_standards

# a date of effect typed as "now" in a form reaches the service a little later
PAST_TOLERANCE = timedelta(minutes=5)


def in_the_past(effective_at) -> bool:
    """Whether a date of effect lies in the past (beyond the few minutes a form takes to reach us)."""
    return effective_at < timezone.now() - PAST_TOLERANCE


def unchanged(values: dict[str, object], *, effective_at=None) -> bool:
    """Whether `values` (thresholds by name) are those that will be in force at `effective_at` (default now)."""
    in_force = seller_standards(at=effective_at).thresholds()
    return all(values.get(name) == in_force[name] for name in SellerStandards.THRESHOLDS)


@transaction.atomic
def change_standards(*, actor, reason: str, values: dict[str, object], effective_at=None) -> SellerStandards:
    """Put new thresholds (every one named in SellerStandards.THRESHOLDS) in force from `effective_at` (default
    now); in force now, every seller's rating is recomputed under them at once. Refused, with nothing written,
    when the reason is empty, the date is past, a threshold is out of order or nothing changes."""
    now = timezone.now()
    effective_at = effective_at or now
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the standards change: the rating formula page shows it to sellers."))
    if in_the_past(effective_at):
        raise DomainError(_("Standards cannot take effect in the past: choose now or a later date."))
    if any(values.get(name) is None for name in SellerStandards.THRESHOLDS):
        raise DomainError(_("Every threshold needs a value."))
    _lock()
    if unchanged(values, effective_at=max(effective_at, now)):
        raise DomainError(_("These are the standards already in force."))
    standards = SellerStandards(
        reason=reason,
        created_by=actor,
        effective_at=max(effective_at, now),
        **{name: values[name] for name in SellerStandards.THRESHOLDS},
    )
    standards.full_clean(exclude=["created_by"])
    standards.save()
    if standards.effective_at <= now:
        _apply(standards)
    return standards


@transaction.atomic
def apply_due_standards() -> int:
    """Standards whose date of effect has come and whose ratings were not yet asked for: ask for every seller's
    recompute once (the beat runs this every few minutes; a second run finds nothing to do)."""
    due = list(
        SellerStandards.objects.select_for_update(skip_locked=True)
        .filter(applied_at__isnull=True, effective_at__lte=timezone.now())
        .order_by("effective_at", "pk")
    )
    if due:
        for standards in due:
            standards.applied_at = timezone.now()
            standards.save(update_fields=["applied_at"])
        _request_recompute_of_every_seller()
    return len(due)


def _lock() -> None:
    """One change at a time: a transaction-level advisory lock (the table may still be empty)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('reviews.sellerstandards'))")


def _apply(standards: SellerStandards) -> None:
    standards.applied_at = timezone.now()
    standards.save(update_fields=["applied_at"])
    _request_recompute_of_every_seller()


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
