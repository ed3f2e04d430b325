from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services as order_services
from orders.tests.factories import checkout, pay, sellable


@pytest.fixture(autouse=True)
def _tasks_recorded(enqueued):
    """Every test here records enqueued Celery tasks instead of sending them (the root conftest's `enqueued`)."""


def make_delivered_order(buyer, seller, *, price="1000.00", quantity=2):
    order = pay(checkout(buyer, [(sellable(seller, price=price, stock=quantity + 3), quantity)])).orders.get()
    order_services.confirm_order(order=order, actor=seller.user)
    order_services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-1")
    return order_services.confirm_delivery(order=order, actor=buyer)


@pytest.fixture
def delivered(buyer, seller):
    """Two items at 1,000 ₽ plus 300 ₽ delivery: 2,300 ₽ paid and held in escrow."""
    return make_delivered_order(buyer, seller)


@pytest.fixture
def expensive(buyer, seller):
    """One item at 80,000 ₽ plus delivery: 80,300 ₽ paid (above the four-eyes amount)."""
    return make_delivered_order(buyer, seller, price="80000.00", quantity=1)


def overdue(dispute):
    type(dispute).objects.filter(pk=dispute.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))


MONEY = Decimal
