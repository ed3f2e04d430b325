"""Delivery and return terms on the listing page (spec 43): each of the seller's delivery methods with its cost for
the item and the dates it arrives, where it delivers, the handling time, the return period and a link to the
seller's own return policy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from catalog.models import Listing
from marketplace.core.money import format_money
from orders import services
from orders.models import DeliveryMethod

from .factories import address_for, sellable

pytestmark = pytest.mark.django_db


def page_of(client, variant) -> str:
    return client.get(variant.listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def day(days_from_today: int) -> str:
    with translation.override("ru"):
        return date_format(timezone.localdate() + timedelta(days=days_from_today), "j E")


def span(first: int, last: int) -> str:
    """The arrival dates as the page writes them: "10–13 декабря", or both in full across a month's end."""
    start, end = (timezone.localdate() + timedelta(days=days) for days in (first, last))
    return f"{start.day}–{day(last)}" if start.month == end.month else f"{day(first)} – {day(last)}"


def test_listing_page_shows_each_delivery_method_with_its_cost_and_arrival_dates(client, seller):
    variant = sellable(seller, price="2500.00")  # "Курьер", 300 ₽, 2-5 days after shipping
    Listing.objects.filter(pk=variant.listing_id).update(handling_days=2)
    DeliveryMethod.objects.create(
        seller=seller, kind="pickup", name="Пункт выдачи", price=Decimal("0"), days_min=3, days_max=3
    )

    page = page_of(client, variant)

    assert f"Курьер</span> — 300\u00a0₽, привезут {span(4, 7)}" in page
    assert f"Пункт выдачи</span> — бесплатно, привезут {day(5)}" in page
    assert page.index("Пункт выдачи") < page.index("Курьер</span>")  # cheapest first
    assert "Продавец передаёт заказ в доставку в течение 2 дней." in page


def test_a_method_free_above_an_amount_says_so_and_costs_nothing_for_a_dear_item(client, seller):
    cheap = sellable(seller, price="1000.00", title="Носки")
    dear = sellable(seller, price="6000.00", title="Куртка")
    DeliveryMethod.objects.filter(seller=seller).update(price_rule="free_above", free_above=Decimal("5000"))

    cheap_page, dear_page = page_of(client, cheap), page_of(client, dear)

    assert "Курьер</span> — 300\u00a0₽" in cheap_page
    with translation.override("ru"):
        assert f"бесплатно при заказе от {format_money(Decimal(5000))}" in cheap_page
    assert "Курьер</span> — бесплатно" in dear_page
    assert "бесплатно при заказе от" not in dear_page


def test_a_method_for_some_regions_names_them_and_a_switched_off_one_is_not_shown(client, seller):
    variant = sellable(seller)
    DeliveryMethod.objects.create(
        seller=seller, kind="own", name="Своя доставка", price=Decimal("150"), regions="Москва\nМосковская область"
    )
    DeliveryMethod.objects.create(seller=seller, kind="post", name="Почта России", price=Decimal("90"), is_active=False)

    page = page_of(client, variant)

    assert "только: Москва, Московская область" in page
    assert "Почта России" not in page


def test_a_seller_without_delivery_methods_is_stated_plainly(client, seller):
    variant = sellable(seller)
    DeliveryMethod.objects.filter(seller=seller).delete()

    assert "Продавец пока не настроил способы доставки." in page_of(client, variant)


def test_listing_page_links_to_the_sellers_return_policy(client, seller):
    variant = sellable(seller)

    page = page_of(client, variant)

    assert f'href="/s/{seller.storefront.slug}/#seller-returns">Условия возврата продавца</a>' in page


def test_a_signed_in_buyer_sees_which_methods_reach_the_region_of_their_address(client, buyer, seller):
    variant = sellable(seller)  # "Курьер" delivers everywhere
    DeliveryMethod.objects.create(
        seller=seller, kind="own", name="Своя доставка", price=Decimal("150"), regions="Москва"
    )
    address_for(buyer, region="Санкт-Петербург")
    client.force_login(buyer)

    page = page_of(client, variant)

    assert "В ваш регион (Санкт-Петербург) доставляют: Курьер." in page


def test_a_buyer_whose_region_no_method_reaches_is_told_before_ordering(client, buyer, seller):
    variant = sellable(seller)
    DeliveryMethod.objects.filter(seller=seller).update(regions="Москва\nМосковская область")
    address_for(buyer, region="Новосибирская область")
    client.force_login(buyer)

    page = page_of(client, variant)

    assert "Продавец не доставляет в ваш регион (Новосибирская область)." in page


def test_a_visitor_without_an_address_gets_no_region_line_from_a_shared_page(client, buyer, seller, page_cache):
    variant = sellable(seller)
    DeliveryMethod.objects.filter(seller=seller).update(regions="Москва")
    shared = page_of(client, variant)  # stored for everyone
    address_for(buyer, region="Москва")
    client.force_login(buyer)

    personal = page_of(client, variant)

    assert "В ваш регион" not in shared
    assert "В ваш регион (Москва) доставляют: Курьер." in personal


def test_the_storefront_states_the_sellers_own_return_period_that_the_listing_page_links_to(client, seller):
    services.set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)
    url = f"/s/{seller.storefront.slug}/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert 'id="seller-returns"' in page
    assert "вернуть в течение 30 дней после доставки (собственные условия продавца" in page


def test_a_storefront_without_its_own_return_period_states_the_legal_minimum(client, seller):
    page = client.get(f"/s/{seller.storefront.slug}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "вернуть в течение 7 дней после доставки, а в некоторых категориях — дольше" in page
