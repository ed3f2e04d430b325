"""Double entry: every transaction sums to zero (Python and PostgreSQL), rows are append-only, corrections reverse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from marketplace.ledger import selectors
from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import (
    CannotReverse,
    IdempotencyConflict,
    InsufficientFunds,
    UnbalancedTransaction,
)
from marketplace.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction, TransactionKind

from .conftest import pay

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def accounts():
    return (
        ledger.platform_account(AccountKind.BUYER_PAYMENTS),
        ledger.platform_account(AccountKind.PLATFORM_COMMISSION),
    )


def post(accounts, amount="100.00", key="k-1", **extra):
    source, target = accounts
    return ledger.post_transaction(
        kind=TransactionKind.ADJUSTMENT,
        lines=[ledger.Line(source, -D(amount)), ledger.Line(target, D(amount))],
        idempotency_key=key,
        **extra,
    )


def test_a_posting_sums_to_zero_and_moves_both_balances(accounts):
    txn = post(accounts)

    assert txn.entries.aggregate(total=Sum("amount"))["total"] == 0
    assert ledger.balance_of(accounts[0]) == D("-100.00")
    assert ledger.balance_of(accounts[1]) == D("100.00")


@pytest.mark.parametrize(
    "amounts",
    [
        ["100.00", "-99.99"],  # does not balance
        ["100.00"],  # one leg
        ["0.00", "0.00"],  # moves nothing
        ["0.001", "-0.001"],  # fractions of a kopeck
    ],
)
def test_service_refuses_an_unbalanced_posting_and_writes_nothing(accounts, amounts):
    lines = [ledger.Line(accounts[i % 2], D(a)) for i, a in enumerate(amounts)]

    with pytest.raises(UnbalancedTransaction):
        ledger.post_transaction(kind=TransactionKind.ADJUSTMENT, lines=lines, idempotency_key="bad")

    assert not LedgerTransaction.objects.exists()
    assert {a.balance for a in LedgerAccount.objects.all()} == {D("0.00")}


def test_float_amounts_are_refused(accounts):
    with pytest.raises(TypeError):
        ledger.post_transaction(
            kind=TransactionKind.ADJUSTMENT,
            lines=[ledger.Line(accounts[0], -1.5), ledger.Line(accounts[1], 1.5)],
            idempotency_key="float",
        )


def test_posting_again_with_the_same_key_is_a_no_op(accounts):
    first = post(accounts, key="same")

    second = post(accounts, key="same")

    assert second == first
    assert LedgerTransaction.objects.count() == 1
    assert ledger.balance_of(accounts[1]) == D("100.00")


def test_the_same_key_with_different_lines_is_a_conflict(accounts):
    post(accounts, key="same")

    with pytest.raises(IdempotencyConflict):
        post(accounts, amount="5.00", key="same")

    assert LedgerTransaction.objects.count() == 1


def test_escrow_cannot_go_below_zero(merchant):
    escrow = ledger.seller_account(merchant, AccountKind.ESCROW)
    commission = ledger.platform_account(AccountKind.PLATFORM_COMMISSION)

    with pytest.raises(InsufficientFunds):
        ledger.post_transaction(
            kind=TransactionKind.ADJUSTMENT,
            lines=[ledger.Line(escrow, D("-1.00")), ledger.Line(commission, D("1.00"))],
            idempotency_key="overdraw",
        )

    assert ledger.balance_of(escrow) == 0
    assert not LedgerEntry.objects.exists()


def test_database_refuses_negative_escrow_balance_even_without_the_service(merchant):
    escrow = ledger.seller_account(merchant, AccountKind.ESCROW)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=escrow.pk).update(balance=D("-0.01"))


def test_reversal_mirrors_the_original_and_restores_balances(merchant):
    key = pay(merchant, "250.00")
    original = LedgerTransaction.objects.get(kind=TransactionKind.PAYMENT)

    reversal = ledger.reverse_transaction(original=original, actor=None, memo="entered by mistake")

    assert reversal.reverses == original
    assert sorted(reversal.entries.values_list("amount", flat=True)) == sorted(
        -amount for amount in original.entries.values_list("amount", flat=True)
    )
    assert selectors.seller_balance(seller=merchant).held == 0
    ref_totals = selectors.reference_totals(reference=original.entries.first().reference)
    assert (ref_totals.paid, ref_totals.held) == (0, 0)
    assert LedgerTransaction.objects.filter(pk=original.pk).exists()  # the original stays
    assert key


def test_reversing_twice_returns_the_first_reversal(accounts):
    original = post(accounts)

    first = ledger.reverse_transaction(original=original, actor=None)
    second = ledger.reverse_transaction(original=original, actor=None)

    assert first == second
    assert LedgerTransaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1


def test_a_reversal_cannot_be_reversed(accounts):
    reversal = ledger.reverse_transaction(original=post(accounts), actor=None)

    with pytest.raises(CannotReverse):
        ledger.reverse_transaction(original=reversal, actor=None)


def test_reversing_a_payment_whose_money_was_released_is_refused(merchant):
    key = pay(merchant, "100.00")
    ledger.release_to_seller(reference=key, commission_rate=D("0.10"), idempotency_key="rel")
    payment_txn = LedgerTransaction.objects.get(kind=TransactionKind.PAYMENT)

    with pytest.raises(InsufficientFunds):
        ledger.reverse_transaction(original=payment_txn, actor=None)

    assert not LedgerTransaction.objects.filter(kind=TransactionKind.REVERSAL).exists()


# ---- PostgreSQL's own guards ----------------------------------------------------------------------------------


def test_entries_cannot_be_updated_or_deleted(accounts):
    entry = post(accounts).entries.first()

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1.00"))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET amount = 0.01")

    entry.refresh_from_db()
    assert entry.amount == D("-100.00")


def test_transactions_cannot_be_updated_or_deleted(accounts):
    txn = post(accounts)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerTransaction.objects.filter(pk=txn.pk).update(memo="rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgertransaction")

    txn.refresh_from_db()
    assert txn.memo == ""


def _raw_transaction(cursor, key: str, lines: list[tuple[int, str]]) -> int:
    cursor.execute(
        "INSERT INTO ledger_ledgertransaction (kind, memo, idempotency_key, external_reference, created_at)"
        " VALUES ('adjustment', '', %s, '', now()) RETURNING id",
        [key],
    )
    txn_id = cursor.fetchone()[0]
    for account_id, amount in lines:
        cursor.execute(
            "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount, currency) VALUES (%s, %s, %s, 'RUB')",
            [txn_id, account_id, amount],
        )
    return txn_id


@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_unbalanced_transaction_at_commit():
    source = ledger.platform_account(AccountKind.BUYER_PAYMENTS)
    target = ledger.platform_account(AccountKind.PLATFORM_COMMISSION)

    # Deferred: the inserts themselves succeed; COMMIT is refused.
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cursor:
        _raw_transaction(cursor, "raw-unbalanced", [(source.pk, "-100.00"), (target.pk, "99.00")])

    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic(), connection.cursor() as cursor:
        _raw_transaction(cursor, "raw-one-leg", [(target.pk, "100.00")])

    assert not LedgerTransaction.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_database_accepts_a_balanced_transaction_inserted_leg_by_leg():
    source = ledger.platform_account(AccountKind.BUYER_PAYMENTS)
    target = ledger.platform_account(AccountKind.PLATFORM_COMMISSION)

    with transaction.atomic(), connection.cursor() as cursor:
        txn_id = _raw_transaction(cursor, "raw-balanced", [(source.pk, "-60.00"), (target.pk, "60.00")])
        # Mid-transaction the sum is not zero; only the state at COMMIT counts.
        cursor.execute(
            "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount, currency) VALUES (%s, %s, 10, 'RUB')",
            [txn_id, target.pk],
        )
        cursor.execute(
            "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount, currency) VALUES (%s, %s, -10, 'RUB')",
            [txn_id, source.pk],
        )

    assert LedgerEntry.objects.filter(transaction_id=txn_id).count() == 4


def test_database_refuses_an_entry_in_another_currency_than_its_account(accounts):
    txn = post(accounts)

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount, currency) VALUES (%s, %s, 1, 'USD')",
            [txn.pk, accounts[0].pk],
        )
