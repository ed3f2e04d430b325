"""Payouts: minimum, available balance net of debt, the state table, outbox delivery to the bank, polling."""

from __future__ import annotations

import itertools
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.core.exceptions import InvalidTransition
from marketplace.ledger import selectors, tasks
from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import InsufficientBalance, LedgerError, PayoutBelowMinimum, ProviderUnavailable
from marketplace.ledger.models import (
    PAYOUT_TRANSITIONS,
    AccountKind,
    LedgerTransaction,
    Payout,
    PayoutStatus,
    TransactionKind,
)
from marketplace.ledger.payments.sandbox.payouts import SandboxPayoutGateway

from .conftest import pay

pytestmark = pytest.mark.django_db

D = Decimal
ACCOUNT = "40702810900000000001"


@pytest.fixture(autouse=True)
def _minimum(settings):
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "500.00"
    settings.MARKETPLACE_LEDGER_PAYOUT_MAX_ATTEMPTS = 3


@pytest.fixture
def earned(merchant):
    """The merchant has 1000.00 available."""
    key = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=key, commission_rate=D("0"), idempotency_key="release")
    return merchant


def test_seller_requests_a_payout_of_the_whole_available_balance(earned, enqueued):
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")

    assert (payout.amount, payout.status) == (D("1000.00"), PayoutStatus.PENDING)
    balance = selectors.seller_balance(seller=earned)
    assert (balance.available, balance.in_transit) == (D("0.00"), D("1000.00"))
    assert ledger.balance_of(ledger.platform_account(AccountKind.PAYOUTS_IN_TRANSIT)) == D("1000.00")
    assert list(payout.events.values_list("from_status", "to_status")) == [("", PayoutStatus.PENDING)]


def test_payout_is_queued_for_the_bank_after_commit(earned, django_capture_on_commit_callbacks, enqueued):
    with django_capture_on_commit_callbacks(execute=True):
        payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")

    assert ("dispatch_payout", (payout.pk,)) in enqueued


def test_payout_request_retried_with_the_same_key_reserves_once(earned):
    first = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po", amount=D("600.00"))
    second = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po", amount=D("600.00"))

    assert first == second
    assert selectors.seller_balance(seller=earned).available == D("400.00")


@pytest.mark.parametrize(
    ("amount", "error"),
    [(D("499.99"), PayoutBelowMinimum), (D("1000.01"), InsufficientBalance)],
)
def test_payout_below_minimum_or_above_available_is_refused(earned, amount, error):
    with pytest.raises(error):
        ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po", amount=amount)

    assert not Payout.objects.exists()
    assert selectors.seller_balance(seller=earned).available == D("1000.00")


def test_payout_without_a_bank_account_is_refused(earned):
    with pytest.raises(LedgerError):
        ledger.request_payout(seller=earned, destination="  ", idempotency_key="po")

    assert not Payout.objects.exists()


def test_seller_with_a_debt_cannot_be_paid_out_until_it_is_covered(merchant):
    first = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=first, commission_rate=D("0"), idempotency_key="rel-1")
    ledger.request_payout(seller=merchant, destination=ACCOUNT, idempotency_key="po-1")
    ledger.refund(reference=first, amount=D("300.00"), commission_rate=D("0"), idempotency_key="ref")
    second = pay(merchant, "700.00")
    ledger.release_to_seller(reference=second, commission_rate=D("0"), idempotency_key="rel-2")

    with pytest.raises(PayoutBelowMinimum):
        ledger.request_payout(seller=merchant, destination=ACCOUNT, idempotency_key="po-2")  # 700 - 300 debt

    assert selectors.seller_balance(seller=merchant).available == D("400.00")


@pytest.mark.parametrize(("current", "target"), list(itertools.product(PayoutStatus.values, repeat=2)))
def test_payout_status_changes_follow_the_table(earned, current, target):
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")
    Payout.objects.filter(pk=payout.pk).update(status=current)
    payout.refresh_from_db()
    allowed = target == current or target in PAYOUT_TRANSITIONS[current]

    with nullcontext() if allowed else pytest.raises(InvalidTransition):
        changed = ledger.change_payout_status(payout=payout, to=target, reason="test")

    payout.refresh_from_db()
    assert payout.status == (target if allowed else current)
    if allowed and target != current:
        assert changed is True
        assert payout.events.filter(from_status=current, to_status=target).exists()


def test_dispatch_sends_the_payout_to_the_bank_once(earned):
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")

    tasks.dispatch_payout(payout.pk)
    tasks.dispatch_payout(payout.pk)

    payout.refresh_from_db()
    assert (payout.status, payout.bank_reference, payout.attempts) == (
        PayoutStatus.SENT,
        f"SBX-PO-{payout.pk:08d}",
        1,
    )


def test_bank_confirmation_moves_the_money_out_for_good(earned):
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")
    tasks.dispatch_payout(payout.pk)

    tasks.poll_sent_payouts()

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CONFIRMED
    assert ledger.balance_of(ledger.platform_account(AccountKind.PAYOUTS_IN_TRANSIT)) == 0
    assert ledger.balance_of(ledger.platform_account(AccountKind.BANK)) == D("1000.00")
    assert selectors.seller_balance(seller=earned).in_transit == 0


def test_payout_rejected_by_the_bank_returns_the_money_to_the_seller(earned):
    payout = ledger.request_payout(seller=earned, destination="40702810900000000002", idempotency_key="po")

    tasks.dispatch_payout(payout.pk)

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
    assert "closed" in payout.last_error
    assert selectors.seller_balance(seller=earned).available == D("1000.00")
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_FAILED, payout=payout).count() == 1


def test_payout_returned_by_the_bank_after_sending_fails_and_refunds_the_seller(earned):
    payout = ledger.request_payout(seller=earned, destination="40702810900000000003", idempotency_key="po")
    tasks.dispatch_payout(payout.pk)

    tasks.poll_sent_payouts()

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
    assert selectors.seller_balance(seller=earned).available == D("1000.00")


def test_bank_outage_backs_off_then_fails_visibly_after_the_last_attempt(earned, monkeypatch, enqueued):
    def unavailable(self, payout):
        raise ProviderUnavailable("connection refused")

    monkeypatch.setattr(SandboxPayoutGateway, "send", unavailable)
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")

    tasks.dispatch_payout(payout.pk)

    payout.refresh_from_db()
    assert (payout.status, payout.attempts) == (PayoutStatus.PENDING, 1)
    assert payout.next_attempt_at > timezone.now()
    enqueued.clear()
    tasks.relay_payouts()
    assert enqueued == []  # not due yet

    Payout.objects.filter(pk=payout.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    tasks.relay_payouts()
    assert enqueued == [("dispatch_payout", (payout.pk,))]

    tasks.dispatch_payout(payout.pk)
    tasks.dispatch_payout(payout.pk)

    payout.refresh_from_db()
    assert (payout.status, payout.attempts) == (PayoutStatus.FAILED, 3)
    assert selectors.seller_balance(seller=earned).available == D("1000.00")
    assert selectors.ledger_violations() == []


def test_confirming_twice_posts_once(earned):
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")
    tasks.dispatch_payout(payout.pk)

    ledger.confirm_payout(payout=payout, reason="bank statement")
    ledger.confirm_payout(payout=payout, reason="bank statement")

    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_CONFIRMED).count() == 1


def test_a_confirmed_payout_cannot_fail(earned):
    payout = ledger.request_payout(seller=earned, destination=ACCOUNT, idempotency_key="po")
    tasks.dispatch_payout(payout.pk)
    ledger.confirm_payout(payout=payout)

    with pytest.raises(InvalidTransition):
        ledger.fail_payout(payout=payout, reason="too late")

    assert selectors.seller_balance(seller=earned).available == 0


def test_payout_candidates_are_sellers_with_enough_available(earned, other_merchant):
    small = pay(other_merchant, "100.00")
    ledger.release_to_seller(reference=small, commission_rate=D("0"), idempotency_key="small")

    candidates = selectors.payout_candidates(minimum=ledger.payout_minimum())

    assert [account.owner_id for account in candidates] == [str(earned.pk)]
