"""Correctness under concurrency with real PostgreSQL connections (one per thread)."""

import threading
import uuid

import pytest
from django.db import connection

from catalog.tests.factories import make_seller
from marketplace.accounts.models import User
from marketplace.ledger.models import Payment
from orders import services
from orders.exceptions import OutOfStock
from orders.models import DeliveryMethod, OrderGroup

from .factories import address_for, sellable

pytestmark = pytest.mark.django_db(transaction=True)


def _run(count, target):
    barrier = threading.Barrier(count)
    outcomes = []

    def worker(index):
        try:
            barrier.wait()
            outcomes.append(target(index))
        except OutOfStock:
            outcomes.append("out")
        except Exception as error:  # any other error becomes the failure message
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_fifty_buyers_racing_for_the_last_ten_units_sell_exactly_ten():
    seller = make_seller()
    variant = sellable(seller, stock=10)
    method = DeliveryMethod.objects.get(seller=seller)
    buyers = []
    for index in range(50):
        buyer = User.objects.create_user(email=f"racer{index}@example.com", password="x-password-42")
        services.add_to_cart(cart=services.cart_for_user(user=buyer), variant_id=variant.pk, quantity=1)
        buyers.append((buyer, address_for(buyer)))

    def buy(index):
        buyer, address = buyers[index]
        services.place_order(
            buyer=buyer, checkout_key=uuid.uuid4(), address=address, delivery_method_ids={seller.pk: method.pk}
        )
        return "ok"

    outcomes = _run(50, buy)

    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count("out") == 40, outcomes
    variant.refresh_from_db()
    assert (variant.on_hand, variant.allocated) == (10, 10)
    assert OrderGroup.objects.count() == 10


def test_the_same_checkout_submitted_three_times_at_once_makes_one_group_and_one_charge():
    seller = make_seller()
    variant = sellable(seller, stock=5)
    method = DeliveryMethod.objects.get(seller=seller)
    buyer = User.objects.create_user(email="triple@example.com", password="x-password-42")
    services.add_to_cart(cart=services.cart_for_user(user=buyer), variant_id=variant.pk, quantity=2)
    address = address_for(buyer)
    key = uuid.uuid4()

    def submit(index):
        group = services.place_order(
            buyer=buyer, checkout_key=key, address=address, delivery_method_ids={seller.pk: method.pk}
        )
        return group.pk

    outcomes = _run(3, submit)

    assert len(set(outcomes)) == 1, outcomes
    assert OrderGroup.objects.count() == 1
    assert Payment.objects.count() == 1
    variant.refresh_from_db()
    assert variant.allocated == 2
