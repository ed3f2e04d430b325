"""Four eyes on suspensions and terminations: one moderator proposes, a different one approves or declines."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import services as audit
from marketplace.audit.models import AuditAction
from marketplace.core.exceptions import DomainError
from sellers import policies
from sellers.exceptions import FourEyesViolation, ReasonRequired, SanctionRequestDecided, SanctionRequestPending
from sellers.models import (
    FOUR_EYES_SANCTIONS,
    SANCTION_REQUEST_TRANSITIONS,
    SanctionRequest,
    SanctionRequestEvent,
    SanctionRequestStatus,
    Seller,
)

from .common import record_initial_event, transition
from .lifecycle import _clean_sanction_input, _impose_sanction

MAX_SANCTION_DAYS = 3650


@transaction.atomic
def change_sanction_request_status(
    *, sanction_request: SanctionRequest, to: str, actor, reason: str = "", extra_fields=None
) -> bool:
    """The only way a sanction request's status changes. False, changing nothing, if it already has `to`."""
    return transition(
        obj=sanction_request,
        table=SANCTION_REQUEST_TRANSITIONS,
        to=to,
        actor=actor,
        reason=reason,
        event_model=SanctionRequestEvent,
        event_field="sanction_request",
        extra_fields=extra_fields,
    )


@transaction.atomic
def request_sanction(
    *,
    seller: Seller,
    level: str,
    actor,
    rule: str,
    reason: str,
    evidence: str = "",
    expires_in_days: int | None = None,
) -> SanctionRequest:
    """Propose a suspension or termination. Nothing happens to the seller until a second moderator approves."""
    if not policies.can_sanction_seller(actor, seller):
        raise PermissionDenied
    rule, reason = _clean_sanction_input(level=level, rule=rule, reason=reason, allowed=FOUR_EYES_SANCTIONS)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_SANCTION_DAYS:
        raise DomainError(_("A sanction lasts from 1 to 3,650 days, or until lifted."))
    # The seller row lock serialises two moderators proposing at once: the second finds the first one pending.
    seller = Seller.objects.select_for_update().get(pk=seller.pk)
    if SanctionRequest.objects.pending().filter(seller=seller).exists():
        raise SanctionRequestPending()
    sanction_request = SanctionRequest.objects.create(
        seller=seller,
        level=level,
        rule=rule,
        reason=reason,
        evidence=(evidence or "").strip(),
        expires_in_days=expires_in_days,
        requested_by=actor,
    )
    record_initial_event(
        obj=sanction_request, event_model=SanctionRequestEvent, event_field="sanction_request", actor=actor, reason=rule
    )
    return sanction_request


def _locked_for_decision(sanction_request: SanctionRequest, actor) -> SanctionRequest:
    """The request, locked: two moderators deciding at once are serialised and the second finds it decided."""
    locked = SanctionRequest.objects.select_for_update().get(pk=sanction_request.pk)
    locked.seller = Seller.objects.get(pk=locked.seller_id)
    if locked.requested_by_id == actor.pk:
        raise FourEyesViolation()
    if not policies.can_approve_sanction_request(actor, locked):
        raise PermissionDenied
    if locked.status != SanctionRequestStatus.PENDING:
        raise SanctionRequestDecided()
    return locked


@transaction.atomic
def approve_sanction_request(*, sanction_request: SanctionRequest, actor) -> SanctionRequest:
    """Four eyes: a second moderator approves and the sanction takes effect now (status change with its event
    row, registry entry, audit entry, the seller notified). The proposer cannot approve their own."""
    locked = _locked_for_decision(sanction_request, actor)
    seller_before = audit.snapshot(locked.seller)
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=locked.expires_in_days) if locked.expires_in_days else None
    sanction = _impose_sanction(
        seller=locked.seller,
        level=locked.level,
        actor=locked.requested_by,
        approved_by=actor,
        rule=locked.rule,
        reason=locked.reason,
        evidence=locked.evidence,
        expires_at=expires_at,
    )
    change_sanction_request_status(
        sanction_request=locked,
        to=SanctionRequestStatus.APPROVED,
        actor=actor,
        extra_fields={"decided_by": actor, "decided_at": now, "sanction": sanction},
    )
    seller = Seller.objects.get(pk=locked.seller_id)
    audit.record(
        actor=actor,
        action=AuditAction.ACTION,
        obj=seller,
        before=seller_before,
        after=audit.snapshot(seller),
        name="approve suspension or termination",
        reason=f"{locked.rule}: {locked.reason}",
        message=f"sanction request {locked.pk} proposed by {locked.requested_by}",
    )
    sanction_request.status, sanction_request.sanction = locked.status, sanction
    return locked


@transaction.atomic
def decline_sanction_request(*, sanction_request: SanctionRequest, actor, reason: str) -> SanctionRequest:
    """The second moderator disagrees, with a reason: nothing happens to the seller; a new request may follow."""
    locked = _locked_for_decision(sanction_request, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Explain to the proposing moderator why the request is declined."))
    change_sanction_request_status(
        sanction_request=locked,
        to=SanctionRequestStatus.DECLINED,
        actor=actor,
        reason=reason,
        extra_fields={"decided_by": actor, "decided_at": timezone.now(), "decision_reason": reason},
    )
    sanction_request.status = locked.status
    return locked
