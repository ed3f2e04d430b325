"""Listing popularity (`orders_30d`) and units sold per variant (`sold_30d`): orders paid in the last 30 days and not
cancelled, recounted hourly by beat."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.models import Listing, Variant
from catalog.tests.factories import CategoryFactory
from orders import services, tasks
from orders.models import Order

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db


def orders_30d(variant) -> int:
    return Listing.objects.get(pk=variant.listing_id).orders_30d


def test_a_listing_counts_the_orders_paid_for_it_in_the_last_30_days(buyer, other_buyer, seller):
    variant = sellable(seller, stock=10)
    pay(checkout(buyer, [(variant, 1)]))
    pay(checkout(other_buyer, [(variant, 1)]))

    changed = services.refresh_listing_popularity()

    assert changed == 1
    assert orders_30d(variant) == 2


def test_an_unpaid_order_does_not_count(buyer, seller):
    variant = sellable(seller)
    checkout(buyer, [(variant, 1)])

    assert services.refresh_listing_popularity() == 0
    assert orders_30d(variant) == 0


def test_a_cancelled_order_does_not_count(buyer, other_buyer, seller):
    variant = sellable(seller, stock=10)
    kept = pay(checkout(buyer, [(variant, 1)]))
    cancelled = pay(checkout(other_buyer, [(variant, 1)])).orders.get()
    services.cancel_order(order=cancelled, actor=other_buyer, reason="Передумал.")

    services.refresh_listing_popularity()

    assert kept.orders.get().status == "paid"
    assert orders_30d(variant) == 1


def test_an_order_counts_once_however_many_units_it_holds(buyer, seller):
    variant = sellable(seller, stock=10)
    pay(checkout(buyer, [(variant, 3)]))

    services.refresh_listing_popularity()

    assert orders_30d(variant) == 1


def test_an_order_paid_more_than_30_days_ago_stops_counting(buyer, other_buyer, seller):
    variant = sellable(seller, stock=10)
    old = pay(checkout(buyer, [(variant, 1)])).orders.get()
    pay(checkout(other_buyer, [(variant, 1)]))
    services.refresh_listing_popularity()
    assert orders_30d(variant) == 2

    Order.objects.filter(pk=old.pk).update(paid_at=timezone.now() - timedelta(days=31))
    services.refresh_listing_popularity()

    assert orders_30d(variant) == 1
    assert services.refresh_listing_popularity(now=timezone.now() + timedelta(days=31)) == 1
    assert orders_30d(variant) == 0


def test_a_count_without_orders_behind_it_is_reset(seller):
    variant = sellable(seller)
    Listing.objects.filter(pk=variant.listing_id).update(orders_30d=300)

    assert services.refresh_listing_popularity() == 1
    assert orders_30d(variant) == 0


def test_a_second_recount_writes_nothing(buyer, seller):
    variant = sellable(seller)
    pay(checkout(buyer, [(variant, 1)]))
    assert services.refresh_listing_popularity() == 1
    updated_at = Listing.objects.get(pk=variant.listing_id).updated_at

    assert services.refresh_listing_popularity() == 0
    assert Listing.objects.get(pk=variant.listing_id).updated_at == updated_at  # not a seller's edit


def test_the_popular_sort_follows_the_recount(client, buyer, other_buyer, seller):
    category = CategoryFactory(name="Кроссовки")
    bought_once = sellable(seller, title="Кроссовки раз", category=category, stock=10)
    bought_twice = sellable(seller, title="Кроссовки два", category=category, stock=10)
    never = sellable(seller, title="Кроссовки ноль", category=category, stock=10)
    pay(checkout(buyer, [(bought_once, 1), (bought_twice, 1)]))
    pay(checkout(other_buyer, [(bought_twice, 1)]))

    services.refresh_listing_popularity()
    page = client.get(reverse("catalog:category", args=[category.slug]), {"sort": "popular"}).content.decode()

    positions = [page.index(variant.listing.title) for variant in (bought_twice, bought_once, never)]
    assert positions == sorted(positions)


def test_beat_recounts_popularity_every_hour(buyer, seller):
    entry = settings.CELERY_BEAT_SCHEDULE["orders-refresh-popularity"]
    variant = sellable(seller)
    pay(checkout(buyer, [(variant, 1)]))

    assert entry["task"] == "orders.tasks.refresh_listing_popularity"
    assert entry["schedule"].minute == {20}
    assert len(entry["schedule"].hour) == 24
    assert tasks.refresh_listing_popularity() == 1
    assert orders_30d(variant) == 1


# --- units sold per variant (the restock list's days of cover) -------------------------------------------------


def sold_30d(variant) -> int:
    return Variant.objects.get(pk=variant.pk).sold_30d


def test_a_variant_counts_the_units_sold_in_the_last_30_days(buyer, other_buyer, seller):
    variant = sellable(seller, stock=20)
    pay(checkout(buyer, [(variant, 3)]))
    pay(checkout(other_buyer, [(variant, 2)]))
    checkout(other_buyer, [(variant, 4)])  # unpaid

    services.refresh_listing_popularity()

    assert sold_30d(variant) == 5


def test_units_of_cancelled_and_old_orders_stop_counting(buyer, other_buyer, seller):
    variant = sellable(seller, stock=20)
    old = pay(checkout(buyer, [(variant, 3)])).orders.get()
    cancelled = pay(checkout(other_buyer, [(variant, 2)])).orders.get()
    services.refresh_listing_popularity()
    assert sold_30d(variant) == 5

    services.cancel_order(order=cancelled, actor=other_buyer, reason="Передумал.")
    Order.objects.filter(pk=old.pk).update(paid_at=timezone.now() - timedelta(days=31))
    services.refresh_listing_popularity()

    assert sold_30d(variant) == 0


def test_days_of_cover_is_the_available_stock_at_the_last_30_days_rate(buyer, seller):
    variant = sellable(seller, stock=20)
    pay(checkout(buyer, [(variant, 6)]))  # 6 sold in 30 days: 0.2 a day; 14 left on hand, 6 held for the order
    services.refresh_listing_popularity()

    variant = Variant.objects.get(pk=variant.pk)

    assert (variant.available, variant.sold_30d, variant.days_of_cover) == (14, 6, 70)
    assert sellable(seller, stock=5).days_of_cover is None  # no sales: no estimate
