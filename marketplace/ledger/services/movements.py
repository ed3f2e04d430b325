"""The money movements orders make: a payment into escrow, a release to the seller, a refund to the buyer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models, transaction
from django.utils.translation import gettext as _

from .. import selectors
from ..exceptions import (
    AlreadyPaid,
    IdempotencyConflict,
    InsufficientFunds,
    NotPaid,
    PaymentError,
    RefundExceedsPayment,
)
from ..models import (
    AccountKind,
    LedgerReference,
    LedgerTransaction,
    Owner,
    Payment,
    PaymentRefund,
    PaymentStatus,
    TransactionKind,
)
from .postings import CENT, Line, lock_accounts, platform_account, post_transaction, seller_account


@dataclass(frozen=True)
class Allocation:
    """The part of a payment that pays one seller order."""

    reference: str  # unique key of what is paid, e.g. "order:42"
    seller: models.Model | Owner  # who is paid once the money is released
    amount: Decimal
    label: str = ""  # shown on statements, e.g. "R1001-2"


def commission_for(amount: Decimal, rate: Decimal) -> Decimal:
    """The platform's commission on `amount` at `rate` (0.15 = 15 %), rounded half up to the kopeck."""
    if not isinstance(rate, Decimal) or not Decimal(0) <= rate <= Decimal(1):
        raise ValueError("commission rate must be a Decimal between 0 and 1")
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _check_amount(amount: Decimal) -> None:
    if not isinstance(amount, Decimal):
        raise TypeError("money must be Decimal")
    if not amount.is_finite() or amount <= 0:
        raise PaymentError(_("The amount must be greater than zero."))
    if amount != amount.quantize(CENT):
        raise PaymentError(_("The amount can have at most two decimal places."))


def _locked_reference(key: str) -> LedgerReference:
    ref = LedgerReference.objects.select_for_update().select_related("payment").filter(key=key).first()
    if ref is None:
        raise NotPaid()
    return ref


def _already_posted(idempotency_key: str, kind: str) -> LedgerTransaction | None:
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.kind != kind:
        raise IdempotencyConflict()
    return existing


@transaction.atomic
def record_payment(*, payment: Payment, allocations: Sequence[Allocation], actor=None) -> LedgerTransaction:
    """Put a succeeded payment into escrow, split by seller order. Recording the same payment again is a no-op.

    The allocations must add up to the payment exactly: every rouble received is held for some seller order.
    """
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if existing := _already_posted(f"payment:{payment.pk}", TransactionKind.PAYMENT):
        return existing
    if payment.status != PaymentStatus.SUCCEEDED:
        raise PaymentError(_("Only a succeeded payment can be put into escrow."))
    if not allocations:
        raise PaymentError(_("A payment must pay for at least one order."))
    for allocation in allocations:
        _check_amount(allocation.amount)
    if len({allocation.reference for allocation in allocations}) != len(allocations):
        raise PaymentError(_("Each order can appear only once in a payment."))
    if sum(allocation.amount for allocation in allocations) != payment.amount:
        raise PaymentError(_("The orders do not add up to the amount paid."))

    source = platform_account(AccountKind.BUYER_PAYMENTS, payment.currency)
    lines: list[Line] = []
    for allocation in allocations:
        owner = Owner.of(allocation.seller)
        if LedgerReference.objects.filter(key=allocation.reference).exists():
            raise AlreadyPaid(_("%(reference)s has already been paid.") % {"reference": allocation.reference})
        ref = LedgerReference.objects.create(
            key=allocation.reference,
            label=allocation.label,
            owner_type=owner.type,
            owner_id=owner.id,
            currency=payment.currency,
            payment=payment,
        )
        escrow = seller_account(owner, AccountKind.ESCROW, payment.currency)
        lines += [Line(source, -allocation.amount, ref), Line(escrow, allocation.amount, ref)]
    return post_transaction(
        kind=TransactionKind.PAYMENT,
        lines=lines,
        idempotency_key=f"payment:{payment.pk}",
        memo=payment.description,
        actor=actor,
        payment=payment,
        external_reference=payment.reference,
    )


@transaction.atomic
def release_to_seller(
    *,
    reference: str,
    commission_rate: Decimal,
    idempotency_key: str,
    actor=None,
    amount: Decimal | None = None,
    memo: str = "",
) -> LedgerTransaction:
    """Move money held for `reference` to the seller, keeping the platform's commission.

    `amount` defaults to everything still held. The seller's payable grows by amount minus commission;
    if the seller owes a debt (a refund after payout), this pays it off first.
    """
    ref = _locked_reference(reference)
    if existing := _already_posted(idempotency_key, TransactionKind.RELEASE):
        return existing
    totals = selectors.reference_totals(reference=ref)
    amount = totals.held if amount is None else amount
    if amount == 0:
        raise InsufficientFunds(_("Nothing is held in escrow for %(reference)s.") % {"reference": ref})
    _check_amount(amount)
    if amount > totals.held:
        raise InsufficientFunds(
            _("Only %(held)s is held in escrow for %(reference)s.") % {"held": totals.held, "reference": ref}
        )
    commission = commission_for(amount, commission_rate)
    escrow = seller_account(ref.owner, AccountKind.ESCROW, ref.currency)
    payable = seller_account(ref.owner, AccountKind.SELLER_PAYABLE, ref.currency)
    platform = platform_account(AccountKind.PLATFORM_COMMISSION, ref.currency)
    lines = [Line(escrow, -amount, ref)]
    if amount - commission:
        lines.append(Line(payable, amount - commission, ref))
    if commission:
        lines.append(Line(platform, commission, ref))
    return post_transaction(
        kind=TransactionKind.RELEASE,
        lines=lines,
        idempotency_key=idempotency_key,
        memo=memo,
        actor=actor,
        payment=ref.payment,
        external_reference=ref.key,
    )


@transaction.atomic
def refund(
    *,
    reference: str,
    amount: Decimal,
    commission_rate: Decimal,
    idempotency_key: str,
    actor=None,
    reason: str = "",
) -> LedgerTransaction:
    """Give money back to the buyer and send it to their card.

    Taken from escrow while it is held; whatever was already released comes out of the seller's payable
    (below zero it is a debt that later releases and payouts net off) and the platform returns its
    commission on that part at `commission_rate`. Never more than was paid for the reference in total.
    Writes the card refund as an outbox row, sent by a task after commit.
    """
    ref = _locked_reference(reference)
    if existing := _already_posted(idempotency_key, TransactionKind.REFUND):
        return existing
    _check_amount(amount)
    totals = selectors.reference_totals(reference=ref)
    if amount > totals.refundable:
        raise RefundExceedsPayment(
            _("At most %(left)s can still be refunded for %(reference)s.")
            % {"left": totals.refundable, "reference": ref}
        )
    escrow = seller_account(ref.owner, AccountKind.ESCROW, ref.currency)
    payable = seller_account(ref.owner, AccountKind.SELLER_PAYABLE, ref.currency)
    platform = platform_account(AccountKind.PLATFORM_COMMISSION, ref.currency)
    refunds = platform_account(AccountKind.REFUNDS, ref.currency)
    lock_accounts([escrow, payable, platform, refunds])

    from_escrow = min(amount, totals.held)
    after_release = amount - from_escrow
    lines = [Line(refunds, amount, ref)]
    if from_escrow:
        lines.append(Line(escrow, -from_escrow, ref))
    if after_release:
        # The platform never gives back more commission than it kept on this reference.
        commission_back = min(commission_for(after_release, commission_rate), max(totals.commission, Decimal(0)))
        if commission_back:
            lines.append(Line(platform, -commission_back, ref))
        if after_release - commission_back:
            lines.append(Line(payable, -(after_release - commission_back), ref))
    txn = post_transaction(
        kind=TransactionKind.REFUND,
        lines=lines,
        idempotency_key=idempotency_key,
        memo=reason,
        actor=actor,
        payment=ref.payment,
        external_reference=ref.key,
    )
    card_refund = PaymentRefund.objects.create(
        payment=ref.payment,
        amount=amount,
        currency=ref.currency,
        idempotency_key=f"refund:{txn.pk}",
        reason=reason,
        ledger_transaction=txn,
        created_by=actor,
    )
    from .. import tasks

    tasks.submit_refund.delay_on_commit(card_refund.pk)
    return txn


@transaction.atomic
def refund_unallocated_payment(*, payment: Payment, actor=None, reason: str = "") -> PaymentRefund:
    """Send a whole payment back that never reached the ledger (e.g. a second payment for an order already paid).

    The ledger never held this money, so only the card refund is written. Calling it again returns the first refund.
    """
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if existing := PaymentRefund.objects.filter(idempotency_key=f"unallocated:{payment.pk}").first():
        return existing
    if payment.status != PaymentStatus.SUCCEEDED:
        raise PaymentError(_("Only a succeeded payment can be refunded."))
    if payment.ledger_references.exists() or payment.refunds.exists():
        raise PaymentError(_("This payment is in the ledger: refund it by order."))
    card_refund = PaymentRefund.objects.create(
        payment=payment,
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=f"unallocated:{payment.pk}",
        reason=reason,
        created_by=actor,
    )
    from .. import tasks

    tasks.submit_refund.delay_on_commit(card_refund.pk)
    return card_refund
