from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.ledger import services as ledger
from marketplace.ledger.models import Payout
from orders import services
from orders.models import Order

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(buyer, seller):
    """A completed order: 1000 + 300 delivery released at 10 % commission → 1170 available."""
    order = pay(checkout(buyer, [(sellable(seller, price="1000.00"), 1)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-9")
    services.confirm_delivery(order=order, actor=buyer)
    Order.objects.filter(pk=order.pk).update(return_window_ends_at=timezone.now() - timedelta(seconds=1))
    services.complete_order(order=order)
    return order


def test_seller_money_page_shows_balance_and_requests_a_payout_once(client, seller, released):
    client.force_login(seller.user)
    key = "6f1c1d3e-1111-4b5b-9a5a-000000000001"

    page = client.get(reverse("orders:seller-money"))
    response = client.post(reverse("orders:seller-money"), {"idempotency_key": key})
    client.post(reverse("orders:seller-money"), {"idempotency_key": key})

    assert page.context["balance"].available == Decimal("1170.00")
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert payout.amount == Decimal("1170.00")
    assert "БИК" in payout.destination


def test_seller_statement_shows_the_commission_taken_when_the_money_is_released(client, seller, released):
    client.force_login(seller.user)

    page = client.get(reverse("orders:seller-money"), headers={"accept-language": "ru"}).content.decode()

    # held −1 300 and payable +1 170: the line with the 1 170 names the 130 in between
    assert "комиссия маркетплейса 130\u00a0₽" in page
    assert page.count("комиссия маркетплейса") == 1


def test_seller_statement_shows_the_commission_returned_with_a_refund_after_release(client, seller, released):
    ledger.refund(
        reference=released.ledger_reference,
        amount=Decimal("500.00"),
        commission_rate=Decimal("0.1"),
        idempotency_key="test:refund-after-release",
        reason="Возврат",
    )
    client.force_login(seller.user)

    page = client.get(reverse("orders:seller-money"), headers={"accept-language": "ru"}).content.decode()

    assert "комиссия возвращена: 50\u00a0₽" in page  # 10 % of the 500 refunded from the released money
    assert page.count("комиссия маркетплейса") == 1


def test_money_page_query_count_does_not_grow_with_statement_lines(client, buyer, seller, released):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(seller.user)
    client.get(reverse("orders:seller-money"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("orders:seller-money"))
    for _ in range(3):
        order = pay(checkout(buyer, [(sellable(seller, price="500.00"), 1)])).orders.get()
        services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-10")
        services.confirm_delivery(order=order, actor=buyer)
        Order.objects.filter(pk=order.pk).update(return_window_ends_at=timezone.now() - timedelta(seconds=1))
        services.complete_order(order=order)
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("orders:seller-money"), headers={"accept-language": "ru"}).content.decode()

    assert page.count("комиссия маркетплейса") == 4
    assert len(four) == len(one)


def test_warehouse_member_cannot_open_the_money_page(client, seller, other_user):
    from sellers.models import TeamMember, TeamRole

    TeamMember.objects.create(seller=seller, user=other_user, role=TeamRole.WAREHOUSE)
    client.force_login(other_user)

    assert client.get(reverse("orders:seller-money")).status_code == 403


def test_weekly_payouts_pay_each_seller_once_a_week(seller, released):
    assert services.weekly_payouts() == 1
    assert services.weekly_payouts() == 0

    assert Payout.objects.count() == 1
    assert ledger.seller_balance(seller=seller).available == Decimal("0.00")


def test_refund_after_release_comes_out_of_the_sellers_balance(buyer, seller, released):
    line = released.lines.get()
    return_request = services.request_return(order=released, actor=buyer, quantities={line.pk: 1}, reason="defect")
    services.approve_return(return_request=return_request, actor=seller.user)

    services.receive_return(return_request=return_request, actor=seller.user, resellable=False)

    return_request.refresh_from_db()
    assert return_request.refund_amount == Decimal("1300.00")
    assert ledger.seller_balance(seller=seller).available == Decimal("0.00")
