"""Managers see the ledger in admin, read-only; nobody adds, changes or deletes ledger rows there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment, Payout

from .conftest import pay

pytestmark = pytest.mark.django_db

READ_ONLY_FOR_MANAGERS = [
    "ledgeraccount",
    "ledgertransaction",
    "ledgerentry",
    "ledgerreference",
    "payment",
    "paymentevent",
    "paymentrefund",
    "payout",
]


@pytest.fixture
def history(merchant, settings):
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "1.00"
    key = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=key, commission_rate=Decimal("0.1"), idempotency_key="rel")
    ledger.refund(reference=key, amount=Decimal("100.00"), commission_rate=Decimal("0.1"), idempotency_key="ref")
    ledger.request_payout(seller=merchant, destination="40702810900000000001", idempotency_key="po")


@pytest.mark.parametrize("model", READ_ONLY_FOR_MANAGERS)
def test_manager_sees_ledger_lists_and_records_read_only(client, manager, history, model):
    client.force_login(manager)
    row = {
        "ledgeraccount": LedgerAccount,
        "ledgertransaction": LedgerTransaction,
        "ledgerentry": LedgerEntry,
        "payment": Payment,
        "payout": Payout,
    }.get(model)

    assert client.get(reverse(f"admin:ledger_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:ledger_{model}_add")).status_code == 403
    if row is not None:
        obj = row.objects.first()
        page = client.get(reverse(f"admin:ledger_{model}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert client.post(reverse(f"admin:ledger_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403


def test_manager_cannot_change_a_transaction_through_admin(client, manager, history):
    client.force_login(manager)
    txn = LedgerTransaction.objects.first()

    response = client.post(reverse("admin:ledger_ledgertransaction_change", args=[txn.pk]), {"memo": "rewritten"})

    assert response.status_code == 403
    txn.refresh_from_db()
    assert txn.memo != "rewritten"


def test_moderator_does_not_see_the_ledger(client, moderator, history):
    client.force_login(moderator)

    assert client.get(reverse("admin:ledger_ledgertransaction_changelist")).status_code == 403


@pytest.mark.parametrize("model", ["ledgertransaction", "ledgerentry", "payment"])
def test_ledger_lists_query_count_does_not_grow_with_rows(client, manager, merchant, model):
    client.force_login(manager)
    url = reverse(f"admin:ledger_{model}_changelist")
    pay(merchant, "10.00")
    client.get(url)  # warm per-process caches before counting
    with CaptureQueriesContext(connection) as one:
        client.get(url)

    for _ in range(10):
        pay(merchant, "10.00")
    with CaptureQueriesContext(connection) as eleven:
        client.get(url)

    assert len(eleven) == len(one)
