"""Disputes: open within the window, mediation with the seller, escalation, arbitration, decisions through the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import images
from catalog.exceptions import InvalidImage
from marketplace.core.exceptions import InvalidTransition
from marketplace.core.state_machine import check_transition
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerReference
from marketplace.notifications import services as notifications
from orders import services as order_services
from orders.models import Order, OrderStatus, ReturnEvent, ReturnStatus
from orders.services import common as order_common

from .. import policies
from ..exceptions import (
    AlreadyDecided,
    DisputeAlreadyOpen,
    DisputeNotAllowed,
    DisputeWindowClosed,
    FourEyesViolation,
    InvalidAmount,
    InvalidEvidence,
)
from ..models import (
    DISPUTE_TRANSITIONS,
    FINISHED_STATUSES,
    OPEN_DISPUTE_STATUSES,
    Decision,
    DecisionKind,
    DecisionStatus,
    DesiredOutcome,
    Dispute,
    DisputeEvent,
    DisputeReason,
    DisputeStatus,
    Evidence,
    HandlingRating,
    InternalNote,
)

D = DisputeStatus
MAX_EVIDENCE_PHOTOS = 5
MAX_TEXT = 5000
DISPUTE_INCIDENT_KIND = "dispute_lost"  # an Incident kind the seller rating counts
ROUND_ROBIN_LOCK = 0x44495350  # "DISP": serialises moderator assignment across concurrent escalations


# Money --------------------------------------------------------------------------------------------------


def refundable_for(order: Order) -> Decimal:
    """What the buyer paid for this order minus what was already refunded (0 before payment)."""
    reference = LedgerReference.objects.filter(key=order.ledger_reference).first()
    if reference is None:
        return Decimal("0.00")
    return ledger.reference_totals(reference=reference).refundable


def _clean_amount(amount, *, order: Order) -> Decimal:
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount() from None
    if value <= 0:
        raise InvalidAmount(_("Enter an amount above zero."))
    left = refundable_for(order)
    if value > left:
        raise InvalidAmount(_("At most %(left)s ₽ can still be refunded for this order.") % {"left": f"{left:.2f}"})
    return value


def _commission_rate(order: Order) -> Decimal:
    return max((line.commission_rate for line in order.lines.all()), default=Decimal("0"))


def _refund(dispute: Dispute, *, amount: Decimal, key: str, actor) -> None:
    if amount <= 0:
        return
    ledger.refund(
        reference=dispute.order.ledger_reference,
        amount=amount,
        commission_rate=_commission_rate(dispute.order),
        idempotency_key=f"dispute:{dispute.pk}:{key}",
        actor=actor,
        reason=" ".join([f"{dispute.order.number}:", str(_("dispute")), dispute.number]),
    )
    Dispute.objects.filter(pk=dispute.pk).update(refunded_amount=dispute.refunded_amount + amount)
    dispute.refunded_amount += amount


# The state machine ----------------------------------------------------------------------------------


def _deadline_for(status: str, now: datetime) -> datetime | None:
    days = {
        D.AWAITING_SELLER: settings.MARKETPLACE_DISPUTE_SELLER_RESPONSE_DAYS,
        D.AWAITING_BUYER: settings.MARKETPLACE_DISPUTE_BUYER_RESPONSE_DAYS,
        D.SELLER_REJECTED: settings.MARKETPLACE_DISPUTE_BUYER_RESPONSE_DAYS,
        D.IN_ARBITRATION: settings.MARKETPLACE_DISPUTE_DECISION_DAYS,
        D.AWAITING_APPROVAL: settings.MARKETPLACE_DISPUTE_DECISION_DAYS,
        D.AWAITING_RETURN: settings.MARKETPLACE_DISPUTE_RETURN_DAYS,
    }.get(status)
    return now + timedelta(days=days) if days else None


@transaction.atomic
def change_dispute_status(*, dispute: Dispute, to: str, actor=None, reason: str = "") -> bool:
    """The only way a dispute's status changes: checked against the table, an event row, the move's deadline."""
    locked = Dispute.objects.select_for_update(no_key=True).get(pk=dispute.pk)
    current = locked.status
    if current == to:
        dispute.status = current
        return False
    check_transition(DISPUTE_TRANSITIONS, current, to)
    DisputeEvent.objects.create(dispute=dispute, from_status=current, to_status=to, actor=actor, reason=reason)
    now = timezone.now()
    fields = {"status": to, "is_open": to in OPEN_DISPUTE_STATUSES, "deadline_at": _deadline_for(to, now)}
    if to in FINISHED_STATUSES:
        fields["closed_at"] = locked.closed_at or now
    if to == D.ESCALATED:
        fields["escalated_at"] = now
    Dispute.objects.filter(pk=dispute.pk).update(**fields, updated_at=now)
    for name, value in fields.items():
        setattr(dispute, name, value)
    return True


def _notify(dispute: Dispute, *, buyer: bool = True, seller: bool = True, key: str = "") -> None:
    context = {
        "dispute_id": dispute.pk,
        "number": dispute.number,
        "order_number": dispute.order.number,
        "status": dispute.status,  # named in the recipient's language when the notification is shown
    }
    dedupe = f"{dispute.pk}:{key or dispute.status}"
    if buyer:
        notifications.notify(
            recipient=dispute.buyer, kind="dispute_updated", context=context, dedupe_key=f"dispute:{dedupe}"
        )
    if seller:
        notifications.notify(
            recipient=dispute.seller.user,
            kind="dispute_updated_seller",
            context=context,
            dedupe_key=f"dispute-seller:{dedupe}",
        )


def _finish(dispute: Dispute) -> None:
    """A dispute ended: the order may complete now (the payout was held while the dispute was open)."""
    order_services.complete_order(order=dispute.order)


# Opening ------------------------------------------------------------------------------------------------


def window_open_until(order: Order, *, now: datetime | None = None) -> datetime | None:
    """When the buyer's right to open a dispute on this order ends (None: not open now).

    30 days (setting) after delivery; or, while undelivered, from the day the expected delivery passed;
    or 30 days after the seller refused a return.
    """
    now = now or timezone.now()
    window = timedelta(days=settings.MARKETPLACE_DISPUTE_WINDOW_DAYS)
    ends: list[datetime] = []
    if order.delivered_at:
        ends.append(order.delivered_at + window)
    elif order.status in (OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.SHIPPED):
        expected = order.estimated_delivery
        if expected is not None and expected < now:
            ends.append(expected + window)
    refused = (
        ReturnEvent.objects.filter(return_request__order=order, to_status=ReturnStatus.REJECTED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if refused:
        ends.append(refused + window)
    latest = max(ends, default=None)
    return latest if latest and latest > now else None


def _save_photos(dispute: Dispute, *, author, photos) -> int:
    saved = 0
    for upload in list(photos or [])[:MAX_EVIDENCE_PHOTOS]:
        try:
            cleaned = images.clean_image(upload, min_side=200)  # the catalogue's pipeline: limits, re-encode, no EXIF
        except InvalidImage as error:
            raise InvalidEvidence(error.message) from None
        evidence = Evidence(dispute=dispute, author=author)
        evidence.image.save("photo.jpg", ContentFile(cleaned.content), save=False)
        evidence.save()
        saved += 1
    return saved


@transaction.atomic
def open_dispute(
    *,
    order: Order,
    actor,
    reason: str,
    description: str,
    desired_outcome: str,
    desired_amount: Decimal | None = None,
    photos=None,
) -> Dispute:
    """The buyer opens a case on their order within the window; the seller has 3 days (setting) to answer."""
    order = Order.objects.select_for_update(no_key=True).select_related("seller__user").get(pk=order.pk)
    if order.buyer_id != actor.pk:
        raise PermissionDenied
    if reason not in DisputeReason.values or desired_outcome not in DesiredOutcome.values:
        raise DisputeNotAllowed(_("Choose a reason and what you want from the lists."))
    description = (description or "").strip()
    if not description:
        raise DisputeNotAllowed(_("Describe what happened."))
    if len(description) > MAX_TEXT:
        raise DisputeNotAllowed(_("The description is too long: at most 5,000 characters."))
    if order.disputes.filter(is_open=True).exists():
        raise DisputeAlreadyOpen()
    if window_open_until(order) is None:
        raise DisputeWindowClosed()
    if refundable_for(order) <= 0:
        raise DisputeNotAllowed(_("Nothing paid for this order is left to refund."))
    if desired_outcome == DesiredOutcome.PARTIAL_REFUND:
        if desired_amount is None:
            raise InvalidAmount(_("Enter the amount you ask for."))
        desired_amount = _clean_amount(desired_amount, order=order)
    else:
        desired_amount = None
    try:
        with transaction.atomic():  # the partial unique index is the last line against a concurrent duplicate
            dispute = Dispute.objects.create(
                order=order,
                buyer=actor,
                seller=order.seller,
                reason=reason,
                description=description,
                desired_outcome=desired_outcome,
                desired_amount=desired_amount,
                deadline_at=_deadline_for(D.AWAITING_SELLER, timezone.now()),
            )
    except IntegrityError:
        raise DisputeAlreadyOpen() from None
    DisputeEvent.objects.create(dispute=dispute, from_status="", to_status=dispute.status, actor=actor, reason="opened")
    _save_photos(dispute, author=actor, photos=photos)
    _notify(dispute, buyer=False)
    return dispute


# Mediation ----------------------------------------------------------------------------------------------


def _locked(dispute: Dispute) -> Dispute:
    return (
        Dispute.objects.select_for_update(no_key=True, of=("self",))
        .select_related("order", "seller__user", "buyer")
        .get(pk=dispute.pk)
    )


def _execute_outcome(dispute: Dispute, *, kind: str, amount: Decimal | None, actor, key: str, finished: str) -> None:
    """Carry out an agreed or decided outcome: a refund now, or a return that is refunded on receipt."""
    if kind in (DecisionKind.FULL_REFUND, DesiredOutcome.FULL_REFUND):
        _refund(dispute, amount=refundable_for(dispute.order), key=key, actor=actor)
        change_dispute_status(dispute=dispute, to=finished, actor=actor, reason=kind)
    elif kind in (DecisionKind.PARTIAL_REFUND, DesiredOutcome.PARTIAL_REFUND):
        _refund(dispute, amount=_clean_amount(amount, order=dispute.order), key=key, actor=actor)
        change_dispute_status(dispute=dispute, to=finished, actor=actor, reason=kind)
    elif kind == DecisionKind.RETURN_THEN_REFUND:
        refund_amount = _clean_amount(amount, order=dispute.order) if amount else refundable_for(dispute.order)
        Dispute.objects.filter(pk=dispute.pk).update(return_refund_amount=refund_amount)
        dispute.return_refund_amount = refund_amount
        change_dispute_status(dispute=dispute, to=D.AWAITING_RETURN, actor=actor, reason=kind)
    else:  # replacement agreed: the seller sends a new item; nothing is refunded
        change_dispute_status(dispute=dispute, to=finished, actor=actor, reason=kind)
    if not dispute.is_open:
        _finish(dispute)


@transaction.atomic
def seller_accept(*, dispute: Dispute, actor, text: str = "") -> Dispute:
    """The seller agrees with the buyer's claim: the outcome the buyer asked for executes now."""
    dispute = _locked(dispute)
    if not policies.is_seller_side(actor, dispute):
        raise PermissionDenied
    check_transition(DISPUTE_TRANSITIONS, dispute.status, D.RESOLVED)
    if dispute.status != D.AWAITING_SELLER:
        raise InvalidTransition(dispute.status, D.RESOLVED)
    _execute_outcome(
        dispute,
        kind=dispute.desired_outcome,
        amount=dispute.desired_amount,
        actor=actor,
        key="accepted",
        finished=D.RESOLVED,
    )
    _add_text(dispute, actor=actor, text=text)
    _notify(dispute, seller=False)
    return dispute


@transaction.atomic
def seller_propose(*, dispute: Dispute, actor, kind: str, text: str, amount: Decimal | None = None) -> Dispute:
    """The seller offers a partial refund (with an amount) or a return with a refund; the buyer answers."""
    dispute = _locked(dispute)
    if not policies.is_seller_side(actor, dispute):
        raise PermissionDenied
    if dispute.status != D.AWAITING_SELLER:
        raise InvalidTransition(dispute.status, D.AWAITING_BUYER)
    if kind not in (DecisionKind.PARTIAL_REFUND, DecisionKind.RETURN_THEN_REFUND):
        raise DisputeNotAllowed(_("Choose a partial refund or a return."))
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        raise DisputeNotAllowed(_("Explain your proposal to the buyer."))
    if kind == DecisionKind.PARTIAL_REFUND or amount is not None:
        amount = _clean_amount(amount, order=dispute.order)
    Dispute.objects.filter(pk=dispute.pk).update(proposal_kind=kind, proposal_amount=amount, proposal_text=text)
    dispute.proposal_kind, dispute.proposal_amount, dispute.proposal_text = kind, amount, text
    change_dispute_status(dispute=dispute, to=D.AWAITING_BUYER, actor=actor, reason=text)
    _notify(dispute, seller=False)
    return dispute


@transaction.atomic
def seller_reject(*, dispute: Dispute, actor, text: str, photos=None) -> Dispute:
    """The seller rejects the claim with a statement and optional photos; the buyer may escalate."""
    dispute = _locked(dispute)
    if not policies.is_seller_side(actor, dispute):
        raise PermissionDenied
    if dispute.status != D.AWAITING_SELLER:
        raise InvalidTransition(dispute.status, D.SELLER_REJECTED)
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        raise DisputeNotAllowed(_("Explain to the buyer why you reject the claim."))
    _add_text(dispute, actor=actor, text=text)
    _save_photos(dispute, author=actor, photos=photos)
    change_dispute_status(dispute=dispute, to=D.SELLER_REJECTED, actor=actor, reason=text)
    _notify(dispute, seller=False)
    return dispute


@transaction.atomic
def answer_proposal(*, dispute: Dispute, actor, accept: bool) -> Dispute:
    """The buyer accepts the seller's proposal (it executes: resolved) or escalates to the platform."""
    dispute = _locked(dispute)
    if not policies.is_buyer(actor, dispute):
        raise PermissionDenied
    if dispute.status != D.AWAITING_BUYER:
        raise InvalidTransition(dispute.status, D.RESOLVED)
    if not accept:
        return escalate(dispute=dispute, actor=actor)
    _execute_outcome(
        dispute,
        kind=dispute.proposal_kind,
        amount=dispute.proposal_amount,
        actor=actor,
        key="proposal",
        finished=D.RESOLVED,
    )
    _notify(dispute, buyer=False)
    return dispute


@transaction.atomic
def withdraw(*, dispute: Dispute, actor) -> Dispute:
    """The buyer closes their own claim."""
    dispute = _locked(dispute)
    if not policies.is_buyer(actor, dispute):
        raise PermissionDenied
    if not policies.can_withdraw(actor, dispute):
        raise InvalidTransition(dispute.status, D.CLOSED)
    change_dispute_status(dispute=dispute, to=D.CLOSED, actor=actor, reason="withdrawn by the buyer")
    _finish(dispute)
    _notify(dispute, buyer=False)
    return dispute


def _add_text(dispute: Dispute, *, actor, text: str) -> None:
    text = (text or "").strip()[:MAX_TEXT]
    if text:
        Evidence.objects.create(dispute=dispute, author=actor, text=text)


@transaction.atomic
def add_evidence(*, dispute: Dispute, actor, text: str = "", photos=None) -> int:
    """A party adds a statement and/or photos while the dispute is open."""
    dispute = _locked(dispute)
    if not policies.is_party(actor, dispute):
        raise PermissionDenied
    if not dispute.is_open:
        raise InvalidTransition(message=_("The dispute is closed."))
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidEvidence(_("The text is too long: at most 5,000 characters."))
    if not text and not photos:
        raise InvalidEvidence()
    _add_text(dispute, actor=actor, text=text)
    return _save_photos(dispute, author=actor, photos=photos) + (1 if text else 0)


# Escalation and arbitration ---------------------------------------------------------------------------


def moderators_for_assignment():
    """Active staff who can decide disputes, in a fixed order (the round-robin ring)."""
    permission = Permission.objects.get(content_type__app_label="disputes", codename="resolve_dispute")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
        .order_by("pk")
    )


def _next_moderator(dispute: Dispute):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROUND_ROBIN_LOCK])
    ring = [user for user in moderators_for_assignment() if user.pk not in dispute.party_user_ids]
    if not ring:
        return None
    last = (
        Dispute.objects.filter(assigned_to__isnull=False)
        .exclude(pk=dispute.pk)
        .order_by("-escalated_at", "-pk")
        .values_list("assigned_to_id", flat=True)
        .first()
    )
    following = [user for user in ring if last is not None and user.pk > last]
    return following[0] if following else ring[0]


@transaction.atomic
def assign(*, dispute: Dispute, actor=None) -> Dispute:
    """Round robin (spec 88): the escalated dispute goes to the next moderator after the last one assigned."""
    dispute = _locked(dispute)
    if dispute.status != D.ESCALATED:
        return dispute
    moderator = _next_moderator(dispute)
    if moderator is None:
        return dispute  # stays in the escalated queue until a moderator exists; beat retries
    Dispute.objects.filter(pk=dispute.pk).update(assigned_to=moderator)
    dispute.assigned_to = moderator
    change_dispute_status(dispute=dispute, to=D.IN_ARBITRATION, actor=actor, reason=f"assigned to {moderator.pk}")
    return dispute


@transaction.atomic
def escalate(*, dispute: Dispute, actor=None, automatic: bool = False) -> Dispute:
    """To arbitration: by the buyer after a rejection or proposal, or by beat when the seller stayed silent."""
    dispute = _locked(dispute)
    if not automatic:
        if not policies.is_buyer(actor, dispute):
            raise PermissionDenied
        if not policies.can_escalate(actor, dispute):
            raise InvalidTransition(dispute.status, D.ESCALATED)
    reason = "the seller did not answer in time" if automatic else "escalated by the buyer"
    change_dispute_status(dispute=dispute, to=D.ESCALATED, actor=actor, reason=reason)
    assign(dispute=dispute, actor=actor)
    _notify(dispute, key="escalated")
    return dispute


@transaction.atomic
def reassign(*, dispute: Dispute, moderator, actor) -> Dispute:
    """A moderator hands the case to a colleague (who must be able to decide it)."""
    dispute = _locked(dispute)
    if not policies.can_resolve_dispute(actor, dispute) or not policies.can_resolve_dispute(moderator, dispute):
        raise PermissionDenied
    Dispute.objects.filter(pk=dispute.pk).update(assigned_to=moderator)
    dispute.assigned_to = moderator
    return dispute


@transaction.atomic
def add_internal_note(*, dispute: Dispute, actor, text: str) -> InternalNote:
    if not policies.can_resolve_dispute(actor, dispute):
        raise PermissionDenied
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidEvidence(_("A note has 1 to 5,000 characters."))
    return InternalNote.objects.create(dispute=dispute, author=actor, text=text)


def _execute_decision(dispute: Dispute, decision: Decision, *, actor) -> None:
    if decision.kind == DecisionKind.REJECT:
        change_dispute_status(dispute=dispute, to=D.DECIDED, actor=actor, reason=decision.reasoning)
        _finish(dispute)
    else:
        _execute_outcome(
            dispute,
            kind=decision.kind,
            amount=decision.amount or None,
            actor=actor,
            key=f"decision:{decision.pk}",
            finished=D.DECIDED,
        )
        Dispute.objects.filter(pk=dispute.pk).update(seller_lost=True)
        dispute.seller_lost = True
        order_common.record_incident(order=dispute.order, kind=DISPUTE_INCIDENT_KIND)
    Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.EXECUTED, resolved_at=timezone.now())
    decision.status = DecisionStatus.EXECUTED
    _notify(dispute, key=f"decision:{decision.pk}")


def _decision_amount(dispute: Dispute, kind: str, amount) -> Decimal:
    if kind == DecisionKind.REJECT:
        return Decimal("0.00")
    if kind == DecisionKind.FULL_REFUND:
        left = refundable_for(dispute.order)
        if left <= 0:
            raise InvalidAmount(_("Nothing paid for this order is left to refund."))
        return left
    if kind == DecisionKind.RETURN_THEN_REFUND and amount in (None, ""):
        return refundable_for(dispute.order)
    return _clean_amount(amount, order=dispute.order)


@transaction.atomic
def decide(*, dispute: Dispute, actor, kind: str, reasoning: str, amount: Decimal | None = None) -> Decision:
    """A moderator decides, with written reasoning both parties see. Above the four-eyes amount it waits for a
    second moderator; otherwise it executes now through the ledger. Concurrent deciders: the row lock lets one
    through, the other gets AlreadyDecided and nothing moves twice."""
    dispute = _locked(dispute)
    if not policies.can_resolve_dispute(actor, dispute):
        raise PermissionDenied
    if dispute.status in (D.AWAITING_APPROVAL, D.AWAITING_RETURN) or dispute.status in FINISHED_STATUSES:
        raise AlreadyDecided()
    if dispute.status not in (D.IN_ARBITRATION, D.ESCALATED):
        raise InvalidTransition(message=_("Only escalated disputes are decided by the platform."))
    if kind not in DecisionKind.values:
        raise InvalidTransition(message=_("Choose a decision from the list."))
    reasoning = (reasoning or "").strip()
    if not reasoning:
        raise InvalidTransition(message=_("Write the reasoning for the parties."))
    if len(reasoning) > MAX_TEXT:
        raise InvalidTransition(message=_("The reasoning is too long: at most 5,000 characters."))
    value = _decision_amount(dispute, kind, amount)
    if dispute.status == D.ESCALATED:
        Dispute.objects.filter(pk=dispute.pk).update(assigned_to=actor)
        change_dispute_status(dispute=dispute, to=D.IN_ARBITRATION, actor=actor, reason="taken by a moderator")
    needs_approval = kind != DecisionKind.REJECT and value > settings.MARKETPLACE_FOUR_EYES_AMOUNT
    decision = Decision.objects.create(
        dispute=dispute,
        kind=kind,
        amount=value,
        reasoning=reasoning,
        decided_by=actor,
        status=DecisionStatus.PENDING_APPROVAL if needs_approval else DecisionStatus.EXECUTED,
    )
    if needs_approval:
        change_dispute_status(dispute=dispute, to=D.AWAITING_APPROVAL, actor=actor, reason=reasoning)
    else:
        _execute_decision(dispute, decision, actor=actor)
    return decision


@transaction.atomic
def approve_decision(*, decision: Decision, actor) -> Decision:
    """Four eyes: a second moderator approves; the decision then executes. The proposer cannot approve it."""
    dispute = _locked(decision.dispute)
    decision = Decision.objects.select_for_update().select_related("dispute").get(pk=decision.pk)
    if decision.decided_by_id == actor.pk:
        raise FourEyesViolation()
    if not policies.can_resolve_dispute(actor, dispute) or not actor.has_perm("disputes.approve_dispute_decision"):
        raise PermissionDenied
    if decision.status != DecisionStatus.PENDING_APPROVAL or dispute.status != D.AWAITING_APPROVAL:
        raise AlreadyDecided(_("This decision is no longer waiting for approval."))
    Decision.objects.filter(pk=decision.pk).update(approved_by=actor)
    decision.approved_by = actor
    _execute_decision(dispute, decision, actor=actor)
    return decision


@transaction.atomic
def decline_decision(*, decision: Decision, actor, reason: str) -> Decision:
    """The second moderator disagrees: the case goes back to arbitration for a new decision."""
    dispute = _locked(decision.dispute)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.decided_by_id == actor.pk:
        raise FourEyesViolation()
    if not policies.can_resolve_dispute(actor, dispute) or not actor.has_perm("disputes.approve_dispute_decision"):
        raise PermissionDenied
    if decision.status != DecisionStatus.PENDING_APPROVAL:
        raise AlreadyDecided(_("This decision is no longer waiting for approval."))
    Decision.objects.filter(pk=decision.pk).update(
        status=DecisionStatus.DECLINED, approved_by=actor, resolved_at=timezone.now()
    )
    decision.status = DecisionStatus.DECLINED
    change_dispute_status(dispute=dispute, to=D.IN_ARBITRATION, actor=actor, reason=(reason or "").strip()[:1000])
    return decision


# Returns inside a dispute ---------------------------------------------------------------------------------


@transaction.atomic
def mark_return_sent(*, dispute: Dispute, actor, tracking_number: str = "") -> Dispute:
    dispute = _locked(dispute)
    if not policies.can_mark_return_sent(actor, dispute):
        raise PermissionDenied if not policies.is_buyer(actor, dispute) else InvalidTransition()
    now = timezone.now()
    Dispute.objects.filter(pk=dispute.pk).update(
        return_sent_at=now,
        return_tracking=(tracking_number or "").strip()[:40],
        deadline_at=now + timedelta(days=settings.MARKETPLACE_DISPUTE_RETURN_DAYS),
    )
    dispute.return_sent_at = now
    _notify(dispute, buyer=False, key="return-sent")
    return dispute


def _refund_returned(dispute: Dispute, *, actor, reason: str) -> None:
    _refund(
        dispute, amount=min(dispute.return_refund_amount or 0, refundable_for(dispute.order)), key="return", actor=actor
    )
    finished = D.DECIDED if dispute.decisions.filter(status=DecisionStatus.EXECUTED).exists() else D.RESOLVED
    change_dispute_status(dispute=dispute, to=finished, actor=actor, reason=reason)
    _finish(dispute)
    _notify(dispute, key="returned")


@transaction.atomic
def confirm_return_received(*, dispute: Dispute, actor) -> Dispute:
    """The seller got the item back: the refund executes."""
    dispute = _locked(dispute)
    if not policies.is_seller_side(actor, dispute):
        raise PermissionDenied
    if dispute.status != D.AWAITING_RETURN:
        raise InvalidTransition(dispute.status, D.RESOLVED)
    _refund_returned(dispute, actor=actor, reason="return received by the seller")
    return dispute


# Deadlines (beat) -------------------------------------------------------------------------------------------


@transaction.atomic
def process_dispute_deadline(*, dispute_id: int) -> str:
    """Act on one due dispute once: a concurrent or repeated run finds it moved (or locked) and skips."""
    dispute = (
        Dispute.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("order", "seller__user", "buyer")
        .filter(pk=dispute_id, is_open=True, deadline_at__lte=timezone.now())
        .first()
    )
    if dispute is None:
        return "skipped"
    if dispute.status == D.AWAITING_SELLER:
        escalate(dispute=dispute, automatic=True)
        return "escalated"
    if dispute.status in (D.AWAITING_BUYER, D.SELLER_REJECTED):
        change_dispute_status(dispute=dispute, to=D.CLOSED, reason="the buyer did not answer in time")
        _finish(dispute)
        _notify(dispute, key="expired")
        return "closed"
    if dispute.status == D.AWAITING_RETURN:
        if dispute.return_sent_at:
            _refund_returned(dispute, actor=None, reason="return receipt assumed")
            return "refunded"
        finished = D.DECIDED if dispute.decisions.filter(status=DecisionStatus.EXECUTED).exists() else D.RESOLVED
        change_dispute_status(dispute=dispute, to=finished, reason="the item was not sent back in time")
        _finish(dispute)
        return "return lapsed"
    if dispute.status == D.ESCALATED:
        assign(dispute=dispute)
        return "assigned"
    return "waiting"  # arbitration deadlines are the moderators' SLA: shown in the queue, never automatic


def process_due_disputes(*, limit: int = 500) -> int:
    """Beat: every open dispute whose move is overdue, oldest first, each in its own transaction."""
    due = (
        Dispute.objects.filter(is_open=True, deadline_at__lte=timezone.now())
        .exclude(status__in=[D.IN_ARBITRATION, D.AWAITING_APPROVAL])
        .order_by("deadline_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    unassigned = Dispute.objects.filter(status=D.ESCALATED).values_list("pk", flat=True)[:limit]
    done = sum(process_dispute_deadline(dispute_id=pk) not in ("skipped", "waiting") for pk in list(due))
    for pk in list(unassigned):
        assign(dispute=Dispute(pk=pk))
    return done


# After closing ------------------------------------------------------------------------------------------------


@transaction.atomic
def rate_handling(*, dispute: Dispute, actor, score: int, comment: str = "") -> HandlingRating:
    """Both parties may rate how the dispute was handled, once, after it ended (spec 94)."""
    if not policies.is_party(actor, dispute):
        raise PermissionDenied
    if dispute.status not in FINISHED_STATUSES:
        raise InvalidTransition(message=_("You can rate the handling once the dispute has ended."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidEvidence(_("Choose a score from 1 to 5."))
    rating, _created = HandlingRating.objects.get_or_create(
        dispute=dispute, user=actor, defaults={"score": score, "comment": (comment or "").strip()[:2000]}
    )
    return rating
