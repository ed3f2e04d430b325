"""Payouts: a seller's available balance to their bank. pending → sent → confirmed | failed."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.state_machine import check_transition

from ..exceptions import (
    IdempotencyConflict,
    InsufficientBalance,
    LedgerError,
    PayoutBelowMinimum,
    ProviderRejected,
    ProviderUnavailable,
)
from ..models import (
    PAYOUT_TRANSITIONS,
    AccountKind,
    Currency,
    Owner,
    Payout,
    PayoutEvent,
    PayoutStatus,
    TransactionKind,
)
from ..payments.payouts import BankStatus, get_payout_gateway
from .movements import _check_amount
from .postings import Line, lock_accounts, platform_account, post_transaction, seller_account

logger = logging.getLogger(__name__)


def payout_minimum() -> Decimal:
    return Decimal(settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM)


@transaction.atomic
def change_payout_status(*, payout: Payout, to: str, actor=None, reason: str = "") -> bool:
    """The only way a payout's status changes. Returns False, changing nothing, if it already has `to`."""
    current = Payout.objects.select_for_update(no_key=True).only("status").get(pk=payout.pk).status
    if current == to:
        return False
    check_transition(PAYOUT_TRANSITIONS, current, to)
    PayoutEvent.objects.create(payout=payout, from_status=current, to_status=to, actor=actor, reason=reason)
    Payout.objects.filter(pk=payout.pk).update(status=to, updated_at=timezone.now())
    payout.status = to
    return True


@transaction.atomic
def request_payout(
    *,
    seller,
    destination: str,
    idempotency_key: str,
    actor=None,
    amount: Decimal | None = None,
    currency: str = Currency.RUB,
) -> Payout:
    """Reserve the seller's available balance (all of it by default) for a payout and queue it for the bank.

    The balance is net of any debt (refunds after earlier payouts), so debt is paid off before money
    leaves. At least MARKETPLACE_LEDGER_PAYOUT_MINIMUM. The same key returns the first payout.
    """
    owner = Owner.of(seller)
    if existing := Payout.objects.filter(idempotency_key=idempotency_key).first():
        if existing.owner != owner or (amount is not None and existing.amount != amount):
            raise IdempotencyConflict()
        return existing
    payable = seller_account(owner, AccountKind.SELLER_PAYABLE, currency)
    in_transit = platform_account(AccountKind.PAYOUTS_IN_TRANSIT, currency)
    locked = lock_accounts([payable, in_transit])  # serialises payouts and refunds of this seller
    available = max(locked[payable.pk].balance, Decimal("0.00"))
    amount = available if amount is None else amount
    if amount < payout_minimum():
        raise PayoutBelowMinimum(
            _("The minimum payout is %(minimum)s; available now: %(available)s.")
            % {"minimum": payout_minimum(), "available": available}
        )
    _check_amount(amount)
    if amount > available:
        raise InsufficientBalance(_("Only %(available)s is available for a payout.") % {"available": available})
    if not destination.strip():
        raise LedgerError(_("A bank account is needed for a payout."))
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                owner_type=owner.type,
                owner_id=owner.id,
                amount=amount,
                currency=currency,
                destination=destination,
                idempotency_key=idempotency_key,
                created_by=actor,
            )
    except IntegrityError:
        return Payout.objects.get(idempotency_key=idempotency_key)
    PayoutEvent.objects.create(payout=payout, to_status=payout.status, actor=actor, reason="requested")
    post_transaction(
        kind=TransactionKind.PAYOUT,
        lines=[Line(payable, -amount), Line(in_transit, amount)],
        idempotency_key=f"payout:{payout.pk}",
        memo=_("Payout #%(id)s") % {"id": payout.pk},
        actor=actor,
        payout=payout,
    )
    from .. import tasks

    tasks.dispatch_payout.delay_on_commit(payout.pk)
    return payout


@transaction.atomic
def confirm_payout(*, payout: Payout, actor=None, reason: str = "") -> Payout:
    """The bank confirmed the money arrived: it leaves the platform for good."""
    if change_payout_status(payout=payout, to=PayoutStatus.CONFIRMED, actor=actor, reason=reason):
        in_transit = platform_account(AccountKind.PAYOUTS_IN_TRANSIT, payout.currency)
        bank = platform_account(AccountKind.BANK, payout.currency)
        post_transaction(
            kind=TransactionKind.PAYOUT_CONFIRMED,
            lines=[Line(in_transit, -payout.amount), Line(bank, payout.amount)],
            idempotency_key=f"payout:{payout.pk}:confirmed",
            memo=reason,
            actor=actor,
            payout=payout,
        )
    return payout


@transaction.atomic
def fail_payout(*, payout: Payout, actor=None, reason: str) -> Payout:
    """The payout did not reach the bank: the money goes back to the seller's available balance."""
    if change_payout_status(payout=payout, to=PayoutStatus.FAILED, actor=actor, reason=reason):
        in_transit = platform_account(AccountKind.PAYOUTS_IN_TRANSIT, payout.currency)
        payable = seller_account(payout.owner, AccountKind.SELLER_PAYABLE, payout.currency)
        post_transaction(
            kind=TransactionKind.PAYOUT_FAILED,
            lines=[Line(in_transit, -payout.amount), Line(payable, payout.amount)],
            idempotency_key=f"payout:{payout.pk}:failed",
            memo=reason,
            actor=actor,
            payout=payout,
        )
    return payout


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), 6 * 3600))


def dispatch_payout(*, payout_id: int) -> None:
    """Send one pending payout to the bank (outbox delivery); a second run finds it sent and does nothing."""
    with transaction.atomic():
        payout = (
            Payout.objects.select_for_update(skip_locked=True).filter(pk=payout_id, status=PayoutStatus.PENDING).first()
        )
        if payout is None:
            return  # already sent or failed, or another worker holds it
        payout.attempts += 1
        try:
            bank_reference = get_payout_gateway().send(payout)
        except ProviderRejected as exc:
            payout.last_error = str(exc)
            payout.save(update_fields=["attempts", "last_error", "updated_at"])
            fail_payout(payout=payout, reason=str(exc))
            return
        except ProviderUnavailable as exc:
            payout.last_error = str(exc)
            if payout.attempts >= settings.MARKETPLACE_LEDGER_PAYOUT_MAX_ATTEMPTS:
                payout.save(update_fields=["attempts", "last_error", "updated_at"])
                fail_payout(payout=payout, reason=_("The bank could not be reached: %(error)s") % {"error": exc})
                logger.error("payout #%s failed after %s attempts: %s", payout.pk, payout.attempts, exc)
            else:
                payout.next_attempt_at = timezone.now() + _backoff(payout.attempts)
                payout.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
            return
        payout.bank_reference = bank_reference
        payout.last_error = ""
        payout.save(update_fields=["attempts", "bank_reference", "last_error", "updated_at"])
        change_payout_status(payout=payout, to=PayoutStatus.SENT, reason=f"bank reference {bank_reference}")


def due_payout_ids() -> list[int]:
    now = timezone.now()
    return list(
        Payout.objects.filter(status=PayoutStatus.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


def relay_payouts() -> int:
    """Re-enqueue pending payouts whose next attempt is due (lost messages, crashed workers, back-off over)."""
    from .. import tasks

    ids = due_payout_ids()
    for payout_id in ids:
        tasks.dispatch_payout.delay(payout_id)
    return len(ids)


def poll_sent_payouts() -> int:
    """Ask the bank about sent payouts and confirm or fail them. Returns how many changed."""
    gateway = get_payout_gateway()
    changed = 0
    for payout in Payout.objects.filter(status=PayoutStatus.SENT).order_by("pk")[:500]:
        try:
            status = gateway.status(payout)
        except ProviderUnavailable:
            logger.warning("bank status unavailable for payout #%s", payout.pk)
            continue
        if status == BankStatus.CONFIRMED:
            confirm_payout(payout=payout, reason=_("Confirmed by the bank"))
            changed += 1
        elif status == BankStatus.FAILED:
            fail_payout(payout=payout, reason=_("Returned by the bank"))
            changed += 1
    return changed
