"""The seller's own return period (issue 5, item 10): max(7 days, the category, the seller), frozen at purchase."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import CategoryFactory
from orders import services
from orders.exceptions import InvalidReturnPolicy, ReturnWindowClosed
from orders.models import SellerReturnPolicy, effective_return_days
from sellers.models import TeamRole
from sellers.tests.factories import add_member

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db


def _category(days: int):
    """A category with a return class giving `days` (0: non-returnable)."""
    if days == 0:
        return CategoryFactory(return_class="non_returnable")
    return CategoryFactory(return_class="custom", return_days=days)


def _delivered(buyer, seller, *, category=None, quantity=1, title="Кроссовки беговые"):
    order = pay(checkout(buyer, [(sellable(seller, category=category, title=title), quantity)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-1")
    return services.confirm_delivery(order=order, actor=buyer)


# The rule -----------------------------------------------------------------------------------------------

RULE_TABLE = [
    # category days, seller's days (None: no own policy), what the buyer gets
    (7, None, 7),
    (15, None, 15),
    (3, None, 7),  # a custom category period below the law: the law's 7 days
    (7, 30, 30),
    (15, 10, 15),
    (15, 15, 15),
    (14, 365, 365),
    (0, None, 0),  # non-returnable category
    (0, 30, 0),  # non-returnable stays non-returnable whatever the seller offers
]


@pytest.mark.parametrize(("category_days", "seller_days", "expected"), RULE_TABLE)
def test_return_period_is_the_longest_of_law_category_and_seller(category_days, seller_days, expected):
    assert effective_return_days(category_days=category_days, seller_days=seller_days) == expected


@pytest.mark.parametrize(("category_days", "seller_days", "expected"), RULE_TABLE)
def test_buyer_return_window_after_delivery_follows_the_rule(buyer, seller, category_days, seller_days, expected):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=seller_days)

    order = _delivered(buyer, seller, category=_category(category_days))

    assert order.return_window_ends_at - order.delivered_at == timedelta(days=expected)
    assert services.return_window_days(order) == expected


def test_buyer_can_return_on_day_20_under_a_30_day_seller_policy(buyer, seller):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)
    order = _delivered(buyer, seller, category=_category(7))
    order.__class__.objects.filter(pk=order.pk).update(
        delivered_at=timezone.now() - timedelta(days=20), return_window_ends_at=timezone.now() + timedelta(days=10)
    )
    order.refresh_from_db()

    line = order.lines.get()
    return_request = services.request_return(order=order, actor=buyer, quantities={line.pk: 1}, reason="changed_mind")

    assert return_request.pk is not None


def test_buyer_cannot_stretch_a_short_line_by_a_longer_line_of_the_same_order(buyer, seller):
    """Each line keeps its own frozen period: a 15-day item does not make a 7-day item returnable on day 10."""
    short = sellable(seller, category=_category(7), title="Носки")
    long = sellable(seller, category=_category(15), title="Куртка")
    order = pay(checkout(buyer, [(short, 1), (long, 1)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-2")
    order = services.confirm_delivery(order=order, actor=buyer)
    order.__class__.objects.filter(pk=order.pk).update(
        delivered_at=timezone.now() - timedelta(days=10), return_window_ends_at=timezone.now() + timedelta(days=5)
    )
    order.refresh_from_db()
    short_line = order.lines.get(variant=short)
    long_line = order.lines.get(variant=long)

    with pytest.raises(ReturnWindowClosed, match="Носки"):
        services.request_return(order=order, actor=buyer, quantities={short_line.pk: 1}, reason="changed_mind")

    assert not order.returns.exists()
    services.request_return(order=order, actor=buyer, quantities={long_line.pk: 1}, reason="changed_mind")
    assert order.returns.count() == 1


# Freezing -----------------------------------------------------------------------------------------------


def test_order_line_freezes_the_seller_policy_in_force_at_purchase(buyer, seller):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)
    group = checkout(buyer, [(sellable(seller, category=_category(7)), 1)])

    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=None)
    order = pay(group).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-3")
    order = services.confirm_delivery(order=order, actor=buyer)

    assert order.lines.get().seller_return_days == 30
    assert order.return_window_ends_at - order.delivered_at == timedelta(days=30)


def test_seller_raising_the_policy_later_does_not_extend_existing_orders(buyer, seller):
    order = _delivered(buyer, seller, category=_category(7))

    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=60)

    order.refresh_from_db()
    assert order.lines.get().seller_return_days == 0
    assert services.return_window_days(order) == 7


def test_replacement_order_keeps_the_original_lines_return_terms(buyer, seller):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)
    variant = sellable(seller, category=_category(7))
    other = variant.listing.variants.create(seller=seller, sku="SKU-OTHER", name="43", price=variant.price, on_hand=3)
    order = pay(checkout(buyer, [(variant, 1)])).orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-4")
    order = services.confirm_delivery(order=order, actor=buyer)
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=None)
    line = order.lines.get()
    return_request = services.request_return(
        order=order,
        actor=buyer,
        quantities={line.pk: 1},
        reason="changed_mind",
        resolution="exchange",
        exchange_variant_id=other.pk,
    )
    services.approve_return(return_request=return_request, actor=seller.user)

    services.receive_return(return_request=return_request, actor=seller.user)

    return_request.refresh_from_db()
    assert return_request.replacement_order.lines.get().seller_return_days == 30


# Setting it ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 30, 365, "45", " 14 "])
def test_seller_sets_a_return_period_from_7_to_365_days(seller, days):
    policy = services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=days)

    assert policy.return_days == int(str(days).strip())
    assert policy.updated_by == seller.user


@pytest.mark.parametrize("days", [None, ""])
def test_seller_clearing_the_period_falls_back_to_the_legal_minimum(seller, days):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)

    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=days)

    assert SellerReturnPolicy.objects.get(seller=seller).return_days is None


@pytest.mark.parametrize("days", [-1, 0, 6, 366, 100000, "abc", "1e3", "7.5", "-10", "9" * 5000, True, 7.0])
def test_seller_cannot_set_a_bad_return_period(seller, days):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)

    with pytest.raises(InvalidReturnPolicy, match="from 7 to 365"):
        services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=days)

    assert SellerReturnPolicy.objects.get(seller=seller).return_days == 30


def test_warehouse_member_cannot_change_the_return_policy(seller):
    member = add_member(seller, TeamRole.WAREHOUSE)

    with pytest.raises(PermissionDenied):
        services.set_seller_return_policy(seller=seller, actor=member.user, return_days=30)

    assert not SellerReturnPolicy.objects.filter(seller=seller).exists()


def test_other_seller_cannot_change_this_sellers_return_policy(seller, other_seller):
    with pytest.raises(PermissionDenied):
        services.set_seller_return_policy(seller=seller, actor=other_seller.user, return_days=30)

    assert not SellerReturnPolicy.objects.filter(seller=seller).exists()


# Pages --------------------------------------------------------------------------------------------------


def test_seller_saves_the_return_policy_in_the_cabinet(client, seller):
    client.force_login(seller.user)
    url = reverse("orders:seller-return-policy")

    page = client.get(url)
    response = client.post(url, {"return_days": "30"})

    assert page.status_code == 200
    assert 'name="return_days"' in page.content.decode()
    assert response.status_code == 302
    assert SellerReturnPolicy.objects.get(seller=seller).return_days == 30
    assert "30" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "at least 7"),
        ("3", "at least 7"),
        ("1000", "At most 365"),
        ("много", "whole number of days"),
        ("10.5", "whole number of days"),
    ],
)
def test_seller_sees_a_clear_error_for_a_bad_period_and_nothing_changes(client, seller, value, message):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=20)
    client.force_login(seller.user)

    response = client.post(reverse("orders:seller-return-policy"), {"return_days": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'value="{value}"' in response.content.decode()  # what the seller typed is kept
    assert SellerReturnPolicy.objects.get(seller=seller).return_days == 20


def test_warehouse_member_does_not_get_the_return_policy_page(client, seller):
    member = add_member(seller, TeamRole.WAREHOUSE)
    client.force_login(member.user)

    response = client.post(reverse("orders:seller-return-policy"), {"return_days": "30"})

    assert response.status_code in (403, 404)
    assert not SellerReturnPolicy.objects.filter(seller=seller).exists()


def test_listing_page_shows_the_sellers_longer_return_period(client, seller):
    variant = sellable(seller, category=_category(7))
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)

    content = client.get(variant.listing.get_absolute_url()).content.decode()

    assert "within 30 days of delivery: the seller's own return policy" in content


def test_listing_page_keeps_a_non_returnable_category_non_returnable(client, seller):
    variant = sellable(seller, category=_category(0))
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)

    content = client.get(variant.listing.get_absolute_url()).content.decode()

    assert "cannot be returned; defective goods can" in content
    assert "within 30 days" not in content


def test_buyer_sees_the_return_period_per_seller_at_checkout(client, buyer, seller, other_seller):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)
    first = sellable(seller, category=_category(7), title="Кроссовки")
    second = sellable(other_seller, category=_category(15), title="Куртка")
    cart = services.cart_for_user(user=buyer)
    services.add_to_cart(cart=cart, variant_id=first.pk, quantity=1)
    services.add_to_cart(cart=cart, variant_id=second.pk, quantity=1)
    from .factories import address_for

    address_for(buyer)
    client.force_login(buyer)

    content = client.get(reverse("orders:checkout")).content.decode()

    assert "Returns: within 30 days of delivery. The seller's own return policy." in content
    assert "Returns: within 15 days of delivery." in content
