"""The one way money moves: post a balanced transaction; correct one by posting its reversal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .. import selectors
from ..exceptions import (
    CannotReverse,
    IdempotencyConflict,
    InsufficientFunds,
    RefundExceedsPayment,
    UnbalancedTransaction,
)
from ..models import (
    NON_NEGATIVE_KINDS,
    SELLER_KINDS,
    AccountKind,
    Currency,
    LedgerAccount,
    LedgerEntry,
    LedgerReference,
    LedgerTransaction,
    Owner,
    Payment,
    Payout,
    TransactionKind,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    """One leg of a posting: `amount` flows into `account` (negative: out of it)."""

    account: LedgerAccount
    amount: Decimal
    reference: LedgerReference | None = None


def platform_account(kind: str, currency: str = Currency.RUB) -> LedgerAccount:
    """The platform-wide account of this kind, created on first use."""
    if kind in SELLER_KINDS:
        raise ValueError(f"{kind} accounts belong to a seller")
    account, _created = LedgerAccount.objects.get_or_create(kind=kind, currency=currency, owner_type="", owner_id="")
    return account


def seller_account(seller, kind: str, currency: str = Currency.RUB) -> LedgerAccount:
    """The seller's escrow or payable account, created on first use. `seller`: a model instance or an Owner."""
    if kind not in SELLER_KINDS:
        raise ValueError(f"{kind} is not a seller account kind")
    owner = Owner.of(seller)
    account, _created = LedgerAccount.objects.get_or_create(
        kind=kind, currency=currency, owner_type=owner.type, owner_id=owner.id
    )
    return account


def lock_accounts(accounts: Iterable[LedgerAccount]) -> dict[int, LedgerAccount]:
    """Lock accounts in primary-key order and return them fresh.

    Every service that reads a balance to decide locks all the accounts it will post to, at once and in
    pk order, so two postings over the same accounts can never deadlock.
    """
    pks = sorted({account.pk for account in accounts})
    return {
        account.pk: account for account in LedgerAccount.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    }


def _validate(lines: Sequence[Line]) -> None:
    if len(lines) < 2:
        raise UnbalancedTransaction(_("A ledger transaction needs at least two entries."))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if not isinstance(line.amount, Decimal):
            raise TypeError("ledger amounts must be Decimal")
        if line.account.pk is None:
            raise ValueError("post to saved accounts only")
        if line.amount == 0 or not line.amount.is_finite():
            raise UnbalancedTransaction(_("Every entry must move a non-zero amount."))
        if line.amount != line.amount.quantize(CENT):
            raise UnbalancedTransaction(_("Amounts are in roubles and kopecks: at most two decimal places."))
        totals[line.account.currency] += line.amount
    if any(total != 0 for total in totals.values()):
        raise UnbalancedTransaction()


def _lock_references(lines: Sequence[Line]) -> list[LedgerReference]:
    pks = sorted({line.reference.pk for line in lines if line.reference is not None})
    return list(LedgerReference.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def _check_references(references: Sequence[LedgerReference], lines: Sequence[Line]) -> None:
    """No posting (a reversal included) may leave a reference with negative escrow or refunded above paid."""
    deltas: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        if line.reference is not None:
            deltas[line.reference.pk][line.account.kind] += line.amount
    for ref in references:
        totals = selectors.reference_totals(reference=ref)
        delta = deltas[ref.pk]
        held = totals.held + delta[AccountKind.ESCROW]
        paid = totals.paid - delta[AccountKind.BUYER_PAYMENTS]
        refunded = totals.refunded + delta[AccountKind.REFUNDS]
        if held < 0:
            raise InsufficientFunds(
                _("Only %(held)s is held in escrow for %(reference)s.") % {"held": totals.held, "reference": ref}
            )
        if refunded > paid:
            raise RefundExceedsPayment(
                _("%(reference)s would be refunded %(refunded)s of %(paid)s paid.")
                % {"reference": ref, "refunded": refunded, "paid": paid}
            )


def _fingerprint(lines: Iterable[tuple[int, Decimal, int | None]]) -> Counter:
    return Counter((account_id, amount.quantize(CENT), reference_id) for account_id, amount, reference_id in lines)


def _existing(idempotency_key: str, kind: str, lines: Sequence[Line]) -> LedgerTransaction | None:
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    stored = _fingerprint(existing.entries.values_list("account_id", "amount", "reference_id"))
    wanted = _fingerprint(
        (line.account.pk, line.amount, line.reference.pk if line.reference else None) for line in lines
    )
    if existing.kind != kind or stored != wanted:
        raise IdempotencyConflict()
    return existing


@transaction.atomic
def post_transaction(
    *,
    kind: str,
    lines: Sequence[Line],
    idempotency_key: str,
    memo: str = "",
    actor=None,
    payment: Payment | None = None,
    payout: Payout | None = None,
    external_reference: str = "",
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Post balanced entries as one transaction. Posting again with the same key returns the first one.

    Raises UnbalancedTransaction for a bad set of lines, IdempotencyConflict when the key was used for
    different lines, InsufficientFunds when escrow or payouts in transit would go below zero.
    """
    if kind not in TransactionKind.values:
        raise ValueError(f"unknown transaction kind {kind!r}")
    _validate(lines)
    # Lock order everywhere: paid references, then accounts in pk order.
    references = _lock_references(lines)
    locked = lock_accounts(line.account for line in lines)
    # Checked under the locks: a concurrent duplicate that committed first is found here, not refused below.
    if existing := _existing(idempotency_key, kind, lines):
        return existing
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        deltas[line.account.pk] += line.amount
    for pk, delta in deltas.items():
        account = locked[pk]
        if account.kind in NON_NEGATIVE_KINDS and account.balance + delta < 0:
            raise InsufficientFunds(
                _("%(account)s holds %(balance)s, cannot move %(amount)s out of it.")
                % {"account": account, "balance": account.balance, "amount": -delta}
            )
    _check_references(references, lines)
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                kind=kind,
                memo=memo,
                idempotency_key=idempotency_key,
                payment=payment,
                payout=payout,
                external_reference=external_reference,
                reverses=reverses,
                created_by=actor,
            )
    except IntegrityError:
        # Another transaction committed the same key while we waited for the account locks.
        if existing := _existing(idempotency_key, kind, lines):
            return existing
        raise
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=txn,
            account_id=line.account.pk,
            reference=line.reference,
            amount=line.amount,
            currency=line.account.currency,
        )
        for line in lines
    )
    for pk in sorted(deltas):
        if deltas[pk]:
            LedgerAccount.objects.filter(pk=pk).update(balance=F("balance") + deltas[pk])
    return txn


@transaction.atomic
def reverse_transaction(
    *, original: LedgerTransaction, actor, memo: str = "", idempotency_key: str = ""
) -> LedgerTransaction:
    """Undo a transaction by posting its mirror image; the original stays. Reversing twice returns the first."""
    if original.kind == TransactionKind.REVERSAL:
        raise CannotReverse(_("A reversal cannot be reversed; post a new transaction instead."))
    existing = LedgerTransaction.objects.filter(reverses=original).first()
    if existing is not None:
        return existing
    lines = [
        Line(account=entry.account, amount=-entry.amount, reference=entry.reference)
        for entry in original.entries.select_related("account", "reference").order_by("pk")
    ]
    return post_transaction(
        kind=TransactionKind.REVERSAL,
        lines=lines,
        idempotency_key=idempotency_key or f"reversal:{original.pk}",
        memo=memo or _("Reversal of transaction #%(id)s") % {"id": original.pk},
        actor=actor,
        payment=original.payment,
        payout=original.payout,
        external_reference=original.external_reference,
        reverses=original,
    )
