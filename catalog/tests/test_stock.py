import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from buyers import services as buyer_services
from buyers.models import StockSubscription
from catalog import services
from catalog.exceptions import OutOfStock
from catalog.models import Variant
from marketplace.core.exceptions import DomainError
from marketplace.notifications.models import Notification

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


def test_reservation_never_oversells(seller, category):
    variant = make_listing(seller, category=category, stock=2).variants.get()

    services.reserve_stock(variant_id=variant.pk, quantity=2)
    with pytest.raises(OutOfStock):
        services.reserve_stock(variant_id=variant.pk, quantity=1)

    variant.refresh_from_db()
    assert (variant.on_hand, variant.allocated) == (2, 2)
    assert not variant.listing.__class__.objects.get(pk=variant.listing_id).in_stock


def test_release_and_ship_move_stock_consistently(seller, category):
    variant = make_listing(seller, category=category, stock=5).variants.get()
    services.reserve_stock(variant_id=variant.pk, quantity=3)

    services.release_stock(variant_id=variant.pk, quantity=1)
    services.ship_stock(variant_id=variant.pk, quantity=2)

    variant.refresh_from_db()
    assert (variant.on_hand, variant.allocated) == (3, 0)


def test_database_refuses_allocation_above_stock(seller, category):
    variant = make_listing(seller, category=category, stock=1).variants.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(allocated=2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_of_the_last_item_sell_it_once():
    seller = make_seller()
    variant = make_listing(seller, category=CategoryFactory(), stock=1).variants.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def buy():
        try:
            barrier.wait()
            services.reserve_stock(variant_id=variant.pk, quantity=1)
            outcomes.append("ok")
        except OutOfStock:
            outcomes.append("out")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "out"]
    variant.refresh_from_db()
    assert variant.allocated == 1


def test_back_in_stock_subscribers_are_notified_once(seller, category, other_user):
    listing = make_listing(seller, category=category, stock=0)
    variant = listing.variants.get()
    buyer_services.subscribe_back_in_stock(user=other_user, variant_id=variant.pk)

    for stock in (3, 0, 5):
        services.save_variants(
            listing=listing,
            actor=seller.user,
            variants=[services.VariantInput(id=variant.pk, sku=variant.sku, price=variant.price, on_hand=stock)],
        )

    assert Notification.objects.filter(recipient=other_user, kind="back_in_stock").count() == 1
    assert StockSubscription.objects.get().notified_at is not None


def test_buyer_cannot_subscribe_to_an_item_in_stock(seller, category, other_user):
    variant = make_listing(seller, category=category, stock=4).variants.get()

    with pytest.raises(DomainError):
        buyer_services.subscribe_back_in_stock(user=other_user, variant_id=variant.pk)

    assert not StockSubscription.objects.exists()


def test_low_stock_alert_is_sent_once_when_crossing_the_threshold(seller, category):
    listing = make_listing(seller, category=category, stock=10)
    variant = listing.variants.get()

    for quantity in (6, 1, 1):  # 10 → 4 → 3 (crosses 3) → 2
        services.reserve_stock(variant_id=variant.pk, quantity=quantity)

    alerts = Notification.objects.filter(recipient=seller.user, kind="low_stock")
    assert alerts.count() == 1
    variant.refresh_from_db()
    assert variant.low_stock_notified


def test_favourite_price_drop_notifies_once_per_drop(seller, category, other_user):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    buyer_services.add_favourite(user=other_user, listing_id=listing.pk)

    for price in ("900", "950", "900", "800"):
        services.save_variants(
            listing=listing,
            actor=seller.user,
            variants=[services.VariantInput(id=variant.pk, sku=variant.sku, price=Decimal(price), on_hand=5)],
        )

    drops = Notification.objects.filter(recipient=other_user, kind="price_drop").order_by("pk")
    assert [notification.context["new_price"] for notification in drops] == ["900\u00a0₽", "800\u00a0₽"]
