"""The demo orders: every state, a late shipment, a return in progress, a confirmed payout; safe to run twice."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Listing
from catalog.tests.factories import CategoryFactory, make_listing
from marketplace.devtools.demo import seed_accounts
from marketplace.ledger import selectors as ledger_selectors
from marketplace.ledger.models import LedgerEntry, LedgerTransaction, PaymentRefund, Payout, PayoutStatus, RefundStatus
from orders.demo import seed_orders
from orders.models import Incident, Order, OrderEvent, OrderGroup, OrderStatus, ReturnRequest, ReturnStatus
from sellers.demo import seed_sellers
from sellers.models import Seller

pytestmark = pytest.mark.django_db


def _small_catalogue() -> None:
    """Ten listings per demo seller (the full catalogue seeder makes 430 with photos: too slow for a test)."""
    category = CategoryFactory(commission_percent=Decimal("10.00"))
    for email in ("seller@marketplace.demo", "seller2@marketplace.demo"):
        seller = Seller.objects.get(user__email=email)
        for number in range(10):
            make_listing(seller, category=category, price=f"{1000 + 100 * number}.00", stock=10)


def _counts() -> dict[str, int]:
    return {
        "groups": OrderGroup.objects.count(),
        "orders": Order.objects.count(),
        "events": OrderEvent.objects.count(),
        "returns": ReturnRequest.objects.count(),
        "transactions": LedgerTransaction.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "payouts": Payout.objects.count(),
    }


def test_demo_orders_cover_every_state_and_a_second_run_changes_nothing():
    lines: list[str] = []
    seed_accounts(lines.append)
    seed_sellers(lines.append)
    _small_catalogue()

    seed_orders(lines.append)
    first = _counts()
    seed_orders(lines.append)

    assert _counts() == first
    assert lines[-1] == "orders: already seeded"
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Order.objects.filter(is_late=True, status=OrderStatus.CONFIRMED).count() == 1
    assert Incident.objects.filter(kind="late_shipment").count() == 1
    assert ReturnRequest.objects.get().status == ReturnStatus.APPROVED
    assert Payout.objects.get().status == PayoutStatus.CONFIRMED
    assert not PaymentRefund.objects.exclude(status=RefundStatus.SUCCEEDED).exists()
    main = Seller.objects.get(user__email="seller@marketplace.demo")
    second = Seller.objects.get(user__email="seller2@marketplace.demo")
    for seller in (main, second):
        balance = ledger_selectors.seller_balance(seller=seller)
        assert balance.held > 0
        assert balance.available > 0
    assert ledger_selectors.ledger_violations() == []
    bought = Listing.objects.filter(orders_30d__gt=0)  # the popular shelf, at once rather than after beat's recount
    assert bought.exists()
    assert f"; {bought.count()} listings bought in the last 30 days" in lines[-2]
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger OK" in out.getvalue()


def test_demo_orders_are_skipped_with_a_log_line_without_a_catalogue():
    lines: list[str] = []
    seed_accounts(lines.append)
    seed_sellers(lines.append)

    seed_orders(lines.append)

    assert "seed the catalogue first" in lines[-1]
    assert not Order.objects.exists()
