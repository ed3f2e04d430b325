"""Fixtures for the ledger: sellers (any model can own seller accounts), paid references, a payment hook,
a record of enqueued Celery tasks, and a check of PostgreSQL's deferred ledger constraints after each test."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.test import Client

from marketplace.ledger import services as ledger
from marketplace.ledger.models import Payment, PaymentStatus
from marketplace.ledger.payments import hooks

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _tasks_recorded(enqueued):
    """Every test here records enqueued Celery tasks instead of sending them (the root conftest's `enqueued`)."""


def _make_merchant(email: str, password: str):
    from marketplace.accounts.models import User

    return User.objects.create_user(email=email, password=password)


@pytest.fixture
def merchant(db, password):
    """A seller for the ledger: any saved model instance can own seller accounts (here, a user)."""
    return _make_merchant("merchant@example.com", password)


@pytest.fixture
def other_merchant(db, password):
    return _make_merchant("other.merchant@example.com", password)


def make_payment(amount: str | Decimal, *, reference: str | None = None, status: str = PaymentStatus.SUCCEEDED):
    payment = ledger.create_payment(
        reference=reference or f"test:{next(_counter)}",
        amount=Decimal(amount),
        description="Test order",
        return_url="/orders/return/",
        idempotency_key=f"pay-{next(_counter)}",
    )
    if status != PaymentStatus.PENDING:
        ledger.change_payment_status(payment=payment, to=status, reason="test")
    return payment


def pay(seller, amount: str | Decimal, *, key: str | None = None) -> str:
    """A succeeded payment put into escrow for `seller`; returns the reference key."""
    key = key or f"order:{next(_counter)}"
    payment = make_payment(amount)
    ledger.record_payment(
        payment=payment, allocations=[ledger.Allocation(reference=key, seller=seller, amount=Decimal(amount))]
    )
    return key


@pytest.fixture
def escrow_on_success(merchant):
    """The payment hook orders will register: a succeeded "test:" payment goes into escrow for `merchant`."""

    def on_succeeded(payment: Payment) -> None:
        ledger.record_payment(
            payment=payment,
            allocations=[ledger.Allocation(reference=f"order-of-{payment.pk}", seller=merchant, amount=payment.amount)],
        )

    failed: list[Payment] = []
    with hooks.registered("test", on_succeeded=on_succeeded, on_failed=failed.append):
        yield failed


@pytest.fixture
def english_client() -> Client:
    return Client(headers={"accept-language": "en"})
