"""Hypothesis drives random sequences of pay / release / refund / payout / reversal and checks the books after
every step: each transaction sums to zero, escrow is never negative, balances equal the sum of their entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from marketplace.ledger import selectors
from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import LedgerError, PaymentError
from marketplace.ledger.models import (
    NON_NEGATIVE_KINDS,
    LedgerAccount,
    LedgerEntry,
    LedgerReference,
    LedgerTransaction,
    Payout,
    PayoutStatus,
    TransactionKind,
)

from .conftest import pay

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
RATES = [Decimal("0"), Decimal("0.05"), Decimal("0.15"), Decimal("0.333")]
DESTINATIONS = ["40702810900000000001", "40702810900000000002", "40702810900000000003"]
money = st.integers(min_value=1, max_value=500_000).map(lambda cents: Decimal(cents) * CENT)


def ledger_state() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        tuple(LedgerAccount.objects.order_by("pk").values_list("pk", "balance")),
    )


class LedgerMachine(RuleBasedStateMachine):
    sellers: list = []

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint of the test's transaction and is rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.references: list[str] = []
        self.steps = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _key(self, prefix: str) -> str:
        self.steps += 1
        return f"{prefix}-{id(self)}-{self.steps}"

    @rule(seller=st.sampled_from([0, 1]), amount=money)
    def pay(self, seller: int, amount: Decimal) -> None:
        self.references.append(pay(self.sellers[seller], amount, key=self._key("order")))

    @precondition(lambda self: self.references)
    @rule(
        data=st.data(),
        rate=st.sampled_from(RATES),
        part=st.sampled_from([None, Decimal("0.5"), Decimal("1.1")]),
        then_payout=st.sampled_from([None, *DESTINATIONS]),
    )
    def release(self, data, rate: Decimal, part: Decimal | None, then_payout: str | None) -> None:
        key = data.draw(st.sampled_from(self.references))
        ref = LedgerReference.objects.get(key=key)
        held = selectors.reference_totals(reference=ref).held
        amount = None if part is None else (held * part).quantize(CENT)
        before = ledger_state()
        try:
            ledger.release_to_seller(
                reference=key, amount=amount, commission_rate=rate, idempotency_key=self._key("rel")
            )
        except (LedgerError, PaymentError):
            assert ledger_state() == before
            return
        if then_payout:
            self._request_payout(ref.owner, then_payout, None)

    @precondition(lambda self: self.references)
    @rule(data=st.data(), amount=money, rate=st.sampled_from(RATES))
    def refund(self, data, amount: Decimal, rate: Decimal) -> None:
        key = data.draw(st.sampled_from(self.references))
        totals = selectors.reference_totals(reference=LedgerReference.objects.get(key=key))
        choices = [totals.refundable, (totals.refundable / 3).quantize(CENT), totals.refundable + CENT, amount]
        amount = data.draw(st.sampled_from(choices)) or amount
        before = ledger_state()
        try:
            ledger.refund(reference=key, amount=amount, commission_rate=rate, idempotency_key=self._key("ref"))
        except (LedgerError, PaymentError):
            assert amount > totals.refundable or amount <= 0
            assert ledger_state() == before

    @rule(data=st.data(), destination=st.sampled_from(DESTINATIONS), part=st.sampled_from([None, Decimal("0.5")]))
    def request_payout(self, data, destination: str, part: Decimal | None) -> None:
        self._request_payout(data.draw(st.sampled_from(self.sellers)), destination, part)

    def _request_payout(self, seller, destination: str, part: Decimal | None) -> None:
        available = selectors.seller_balance(seller=seller).available
        amount = None if part is None else (available * part).quantize(CENT)
        before = ledger_state()
        try:
            ledger.request_payout(
                seller=seller, destination=destination, amount=amount, idempotency_key=self._key("po")
            )
        except LedgerError:
            assert ledger_state() == before

    @precondition(lambda self: Payout.objects.filter(status=PayoutStatus.PENDING).exists())
    @rule()
    def dispatch_payouts(self) -> None:
        for payout_id in Payout.objects.filter(status=PayoutStatus.PENDING).values_list("pk", flat=True):
            ledger.dispatch_payout(payout_id=payout_id)

    @precondition(lambda self: Payout.objects.filter(status=PayoutStatus.SENT).exists())
    @rule()
    def bank_settles(self) -> None:
        ledger.poll_sent_payouts()

    @precondition(lambda self: LedgerTransaction.objects.exists())
    @rule(data=st.data())
    def reverse(self, data) -> None:
        candidates = list(
            LedgerTransaction.objects.filter(
                kind__in=[TransactionKind.PAYMENT, TransactionKind.RELEASE, TransactionKind.REFUND],
                reversal__isnull=True,
            ).values_list("pk", flat=True)
        )
        if not candidates:
            return
        original = LedgerTransaction.objects.get(pk=data.draw(st.sampled_from(candidates)))
        before = ledger_state()
        try:
            ledger.reverse_transaction(original=original, actor=None)
        except LedgerError:
            assert ledger_state() == before

    @invariant()
    def books_balance(self) -> None:
        with connection.cursor() as cursor:  # fire the deferred "sums to zero" triggers now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        unbalanced = LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount")).exclude(total=0)
        assert not unbalanced.exists()
        assert not LedgerTransaction.objects.annotate(n=Count("entries")).filter(n__lt=2).exists()
        for account in LedgerAccount.objects.annotate(total=Sum("entries__amount")):
            assert account.balance == (account.total or 0), account
            if account.kind in NON_NEGATIVE_KINDS:
                assert account.balance >= 0, account
        negative_escrow = (
            LedgerEntry.objects.filter(account__kind="escrow")
            .values("reference_id")
            .annotate(total=Sum("amount"))
            .filter(Q(total__lt=0))
        )
        assert not negative_escrow.exists()
        assert selectors.ledger_violations() == []


def test_random_money_movements_keep_the_books_balanced(merchant, other_merchant, settings):
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "1.00"
    LedgerMachine.sellers = [merchant, other_merchant]

    run_state_machine_as_test(
        LedgerMachine,
        settings=hypothesis_settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
