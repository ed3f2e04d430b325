"""`manage.py ledger_check` is quiet on a healthy ledger and finds every planted violation."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from marketplace.ledger import services as ledger
from marketplace.ledger.models import AccountKind, LedgerAccount, LedgerReference, Payout, PayoutStatus

from .conftest import pay

pytestmark = pytest.mark.django_db

D = Decimal


def run_check() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ledger_check", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_check() -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="violation") as excinfo:
        call_command("ledger_check", stdout=StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    return err.getvalue()


@pytest.fixture
def busy_ledger(merchant, settings):
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "1.00"
    key = pay(merchant, "1000.00")
    ledger.release_to_seller(reference=key, amount=D("600.00"), commission_rate=D("0.1"), idempotency_key="rel")
    ledger.refund(reference=key, amount=D("500.00"), commission_rate=D("0.1"), idempotency_key="ref")
    ledger.request_payout(seller=merchant, destination="40702810900000000001", idempotency_key="po")
    return key


def test_healthy_ledger_passes(busy_ledger):
    out, err = run_check()

    assert "Ledger OK" in out
    assert err == ""


def _without_triggers(sql: str, params: list) -> None:
    """Plant corruption the way only a superuser bypassing every guard could."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = origin")


def test_check_finds_an_unbalanced_transaction(busy_ledger):
    account = LedgerAccount.objects.get(kind=AccountKind.PLATFORM_COMMISSION)
    _without_triggers(
        "INSERT INTO ledger_ledgertransaction (kind, memo, idempotency_key, external_reference, created_at)"
        " VALUES ('adjustment', 'planted', 'planted', '', now())",
        [],
    )
    _without_triggers(
        "INSERT INTO ledger_ledgerentry (transaction_id, account_id, amount, currency)"
        " SELECT id, %s, 5, 'RUB' FROM ledger_ledgertransaction WHERE idempotency_key = 'planted'",
        [account.pk],
    )

    report = failing_check()

    assert "[unbalanced]" in report
    assert "[balance_mismatch]" in report  # the stored balance did not see the planted entry


def test_check_finds_a_balance_that_differs_from_its_entries(busy_ledger, merchant):
    payable = ledger.seller_account(merchant, AccountKind.SELLER_PAYABLE)
    LedgerAccount.objects.filter(pk=payable.pk).update(balance=D("1000000.00"))

    report = failing_check()

    assert "[balance_mismatch]" in report
    assert str(payable.pk) in report


def test_check_finds_negative_escrow_for_a_reference(busy_ledger, merchant):
    escrow = ledger.seller_account(merchant, AccountKind.ESCROW)
    ref = LedgerReference.objects.get(key=busy_ledger)
    commission = LedgerAccount.objects.get(kind=AccountKind.PLATFORM_COMMISSION)
    _without_triggers(
        "INSERT INTO ledger_ledgertransaction (kind, memo, idempotency_key, external_reference, created_at)"
        " VALUES ('adjustment', '', 'overdraw', '', now())",
        [],
    )
    for account_id, amount in ((escrow.pk, "-100.00"), (commission.pk, "100.00")):
        _without_triggers(
            "INSERT INTO ledger_ledgerentry (transaction_id, account_id, reference_id, amount, currency)"
            " SELECT id, %s, %s, %s, 'RUB' FROM ledger_ledgertransaction WHERE idempotency_key = 'overdraw'",
            [account_id, ref.pk, amount],
        )

    report = failing_check()

    assert "[negative_escrow]" in report
    assert busy_ledger in report


def test_check_finds_payouts_in_transit_that_no_payout_explains(busy_ledger):
    Payout.objects.update(status=PayoutStatus.CONFIRMED)  # bypassing confirm_payout: no ledger posting

    report = failing_check()

    assert "[payouts_in_transit]" in report
