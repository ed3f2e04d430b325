"""Payment into escrow, release to the seller minus commission, refunds from escrow or from the seller (debt)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import Sum

from marketplace.ledger import selectors
from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import (
    AlreadyPaid,
    InsufficientFunds,
    NotPaid,
    PaymentError,
    RefundExceedsPayment,
)
from marketplace.ledger.models import (
    AccountKind,
    LedgerEntry,
    LedgerReference,
    LedgerTransaction,
    PaymentRefund,
    PaymentStatus,
    TransactionKind,
)

from .conftest import make_payment, pay

pytestmark = pytest.mark.django_db

D = Decimal
RATE = D("0.15")


def snapshot() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        PaymentRefund.objects.count(),
        tuple(LedgerEntry.objects.order_by("account_id").values_list("account_id").annotate(total=Sum("amount"))),
    )


# ---- payment into escrow --------------------------------------------------------------------------------------


def test_payment_split_between_two_sellers_goes_into_each_sellers_escrow(merchant, other_merchant):
    payment = make_payment("1500.00", reference="order_group:7")

    txn = ledger.record_payment(
        payment=payment,
        allocations=[
            ledger.Allocation(reference="order:1", seller=merchant, amount=D("1000.00"), label="R1001-1"),
            ledger.Allocation(reference="order:2", seller=other_merchant, amount=D("500.00"), label="R1001-2"),
        ],
    )

    assert txn.kind == TransactionKind.PAYMENT
    assert txn.payment == payment
    assert selectors.seller_balance(seller=merchant).held == D("1000.00")
    assert selectors.seller_balance(seller=other_merchant).held == D("500.00")
    assert ledger.balance_of(ledger.platform_account(AccountKind.BUYER_PAYMENTS)) == D("-1500.00")
    ref = LedgerReference.objects.get(key="order:1")
    assert (ref.label, ref.payment, ref.owner.id) == ("R1001-1", payment, str(merchant.pk))


def test_recording_a_payment_twice_posts_once(merchant):
    payment = make_payment("100.00")
    allocations = [ledger.Allocation(reference="order:1", seller=merchant, amount=D("100.00"))]

    first = ledger.record_payment(payment=payment, allocations=allocations)
    second = ledger.record_payment(payment=payment, allocations=allocations)

    assert first == second
    assert selectors.seller_balance(seller=merchant).held == D("100.00")


@pytest.mark.parametrize(
    ("amounts", "status"),
    [
        (["60.00", "30.00"], PaymentStatus.SUCCEEDED),  # does not add up to 100
        (["100.00", "10.00"], PaymentStatus.SUCCEEDED),  # more than paid
        (["100.00"], PaymentStatus.PENDING),  # not paid yet
        (["100.00"], PaymentStatus.FAILED),
        ([], PaymentStatus.SUCCEEDED),
        (["-10.00", "110.00"], PaymentStatus.SUCCEEDED),
    ],
)
def test_payment_with_bad_allocations_or_status_is_not_recorded(merchant, amounts, status):
    payment = make_payment("100.00", status=status)
    allocations = [
        ledger.Allocation(reference=f"order:{i}", seller=merchant, amount=D(a)) for i, a in enumerate(amounts)
    ]

    with pytest.raises(PaymentError):
        ledger.record_payment(payment=payment, allocations=allocations)

    assert not LedgerTransaction.objects.exists()
    assert not LedgerReference.objects.exists()


def test_an_order_cannot_be_paid_by_a_second_payment(merchant):
    pay(merchant, "100.00", key="order:1")
    second = make_payment("100.00")

    with pytest.raises(AlreadyPaid):
        ledger.record_payment(
            payment=second, allocations=[ledger.Allocation(reference="order:1", seller=merchant, amount=D("100.00"))]
        )

    assert LedgerTransaction.objects.count() == 1


# ---- release --------------------------------------------------------------------------------------------------


def test_release_moves_escrow_to_seller_minus_commission(merchant):
    key = pay(merchant, "999.99")

    ledger.release_to_seller(reference=key, commission_rate=RATE, idempotency_key="release-1")

    balance = selectors.seller_balance(seller=merchant)
    assert balance.held == 0
    assert balance.available == D("849.99")  # 999.99 - 150.00 (149.9985 rounded half up)
    assert ledger.balance_of(ledger.platform_account(AccountKind.PLATFORM_COMMISSION)) == D("150.00")


def test_partial_release_keeps_the_rest_held(merchant):
    key = pay(merchant, "1000.00")

    ledger.release_to_seller(reference=key, amount=D("400.00"), commission_rate=D("0"), idempotency_key="r1")

    balance = selectors.seller_balance(seller=merchant)
    assert (balance.held, balance.available) == (D("600.00"), D("400.00"))


def test_release_with_the_same_key_is_a_no_op(merchant):
    key = pay(merchant, "100.00")

    ledger.release_to_seller(reference=key, amount=D("40.00"), commission_rate=RATE, idempotency_key="r")
    ledger.release_to_seller(reference=key, amount=D("40.00"), commission_rate=RATE, idempotency_key="r")

    assert selectors.seller_balance(seller=merchant).held == D("60.00")


def test_releasing_more_than_is_held_is_refused_and_nothing_changes(merchant):
    key = pay(merchant, "100.00")
    before = snapshot()

    with pytest.raises(InsufficientFunds):
        ledger.release_to_seller(reference=key, amount=D("100.01"), commission_rate=RATE, idempotency_key="r")

    assert snapshot() == before


def test_releasing_an_unpaid_reference_is_refused(merchant):
    with pytest.raises(NotPaid):
        ledger.release_to_seller(reference="order:404", commission_rate=RATE, idempotency_key="r")


def test_commission_rate_outside_zero_to_one_is_a_programming_error(merchant):
    key = pay(merchant, "100.00")

    with pytest.raises(ValueError, match="commission rate"):
        ledger.release_to_seller(reference=key, commission_rate=D("15"), idempotency_key="r")


# ---- refunds --------------------------------------------------------------------------------------------------


def test_refund_before_release_comes_out_of_escrow_and_queues_a_card_refund(merchant, enqueued):
    key = pay(merchant, "100.00")

    txn = ledger.refund(reference=key, amount=D("30.00"), commission_rate=RATE, idempotency_key="ref-1")

    assert selectors.seller_balance(seller=merchant).held == D("70.00")
    assert ledger.balance_of(ledger.platform_account(AccountKind.REFUNDS)) == D("30.00")
    card_refund = PaymentRefund.objects.get()
    assert (card_refund.amount, card_refund.ledger_transaction, card_refund.status) == (D("30.00"), txn, "pending")


def test_refund_queues_the_card_refund_only_after_commit(merchant, django_capture_on_commit_callbacks, enqueued):
    key = pay(merchant, "100.00")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ledger.refund(reference=key, amount=D("30.00"), commission_rate=RATE, idempotency_key="ref-1")

    assert len(callbacks) == 1
    assert enqueued == [("submit_refund", (PaymentRefund.objects.get().pk,))]


def test_refund_after_release_takes_from_the_seller_and_returns_the_commission_share(merchant):
    key = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=key, commission_rate=D("0.10"), idempotency_key="rel")

    ledger.refund(reference=key, amount=D("500.00"), commission_rate=D("0.10"), idempotency_key="ref")

    balance = selectors.seller_balance(seller=merchant)
    assert balance.available == D("450.00")  # 900 released - 450 (the seller's 90 % of 500)
    assert ledger.balance_of(ledger.platform_account(AccountKind.PLATFORM_COMMISSION)) == D("50.00")
    assert ledger.balance_of(ledger.platform_account(AccountKind.REFUNDS)) == D("500.00")


def test_refund_partly_held_partly_released_takes_escrow_first(merchant):
    key = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=key, amount=D("600.00"), commission_rate=D("0"), idempotency_key="rel")

    ledger.refund(reference=key, amount=D("700.00"), commission_rate=D("0"), idempotency_key="ref")

    balance = selectors.seller_balance(seller=merchant)
    assert (balance.held, balance.available, balance.debt) == (D("0.00"), D("300.00"), D("0.00"))


def test_refund_after_payout_records_a_debt_netted_from_the_next_release(merchant, settings):
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "1.00"
    first = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=first, commission_rate=D("0"), idempotency_key="rel-1")
    ledger.request_payout(seller=merchant, destination="40702810900000000001", idempotency_key="po-1")

    ledger.refund(reference=first, amount=D("400.00"), commission_rate=D("0"), idempotency_key="ref")

    assert selectors.seller_balance(seller=merchant).debt == D("400.00")
    assert selectors.seller_balance(seller=merchant).available == 0

    second = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=second, commission_rate=D("0"), idempotency_key="rel-2")

    balance = selectors.seller_balance(seller=merchant)
    assert (balance.debt, balance.available) == (D("0.00"), D("600.00"))


def test_refund_above_what_was_paid_is_refused_and_ledger_unchanged(merchant):
    key = pay(merchant, "100.00")
    ledger.refund(reference=key, amount=D("60.00"), commission_rate=RATE, idempotency_key="ref-1")
    before = snapshot()

    with pytest.raises(RefundExceedsPayment):
        ledger.refund(reference=key, amount=D("40.01"), commission_rate=RATE, idempotency_key="ref-2")

    assert snapshot() == before


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "0.005"])
def test_refund_of_a_bad_amount_is_refused(merchant, amount):
    key = pay(merchant, "100.00")
    before = snapshot()

    with pytest.raises(PaymentError):
        ledger.refund(reference=key, amount=D(amount), commission_rate=RATE, idempotency_key="ref")

    assert snapshot() == before


def test_refund_retried_with_the_same_key_refunds_once(merchant):
    key = pay(merchant, "100.00")

    ledger.refund(reference=key, amount=D("100.00"), commission_rate=RATE, idempotency_key="ref")
    ledger.refund(reference=key, amount=D("100.00"), commission_rate=RATE, idempotency_key="ref")

    assert PaymentRefund.objects.count() == 1
    assert ledger.balance_of(ledger.platform_account(AccountKind.REFUNDS)) == D("100.00")


def test_refunding_an_unpaid_reference_is_refused(merchant):
    with pytest.raises(NotPaid):
        ledger.refund(reference="order:missing", amount=D("1.00"), commission_rate=RATE, idempotency_key="r")


def test_unallocated_payment_is_refunded_whole_without_touching_the_ledger():
    payment = make_payment("300.00")

    card_refund = ledger.refund_unallocated_payment(payment=payment, reason="group already paid")
    again = ledger.refund_unallocated_payment(payment=payment)

    assert card_refund == again
    assert card_refund.amount == D("300.00")
    assert not LedgerTransaction.objects.exists()


def test_payment_in_the_ledger_cannot_be_refunded_as_unallocated(merchant):
    pay(merchant, "100.00")
    payment = LedgerReference.objects.get().payment

    with pytest.raises(PaymentError):
        ledger.refund_unallocated_payment(payment=payment)

    assert not PaymentRefund.objects.exists()


def test_statement_lists_every_entry_on_the_sellers_accounts_with_its_order(merchant, other_merchant):
    key = pay(merchant, "100.00")
    pay(other_merchant, "50.00")
    ledger.release_to_seller(reference=key, commission_rate=RATE, idempotency_key="rel")

    entries = list(selectors.statement_for(seller=merchant))

    assert [(e.account.kind, e.amount) for e in entries] == [
        (AccountKind.SELLER_PAYABLE, D("85.00")),
        (AccountKind.ESCROW, D("-100.00")),
        (AccountKind.ESCROW, D("100.00")),
    ]
    assert {e.reference.key for e in entries} == {key}


# ---- concurrency ----------------------------------------------------------------------------------------------


def _race(workers: int, action) -> list:
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = action(index)
        except Exception as exc:  # the outcome is what we assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_refunds_racing_for_the_last_roubles_one_wins(merchant):
    key = pay(merchant, "100.00")
    ledger.refund(reference=key, amount=D("70.00"), commission_rate=RATE, idempotency_key="first")

    results = _race(
        2,
        lambda i: ledger.refund(reference=key, amount=D("30.00"), commission_rate=RATE, idempotency_key=f"last-{i}"),
    )

    assert sum(isinstance(r, LedgerTransaction) for r in results) == 1
    assert sum(isinstance(r, RefundExceedsPayment) for r in results) == 1
    totals = selectors.reference_totals(reference=LedgerReference.objects.get(key=key))
    assert (totals.refunded, totals.held) == (D("100.00"), D("0.00"))
    assert PaymentRefund.objects.count() == 2
    assert selectors.ledger_violations() == []


@pytest.mark.django_db(transaction=True)
def test_release_and_refund_racing_never_overdraw_escrow(merchant):
    key = pay(merchant, "100.00")

    def act(i: int):
        if i == 0:
            return ledger.release_to_seller(reference=key, commission_rate=RATE, idempotency_key="rel")
        return ledger.refund(reference=key, amount=D("100.00"), commission_rate=RATE, idempotency_key="ref")

    _race(2, act)

    totals = selectors.reference_totals(reference=LedgerReference.objects.get(key=key))
    assert totals.held == 0
    assert totals.refunded <= totals.paid
    assert selectors.ledger_violations() == []
