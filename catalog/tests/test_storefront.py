"""A seller's storefront lists the seller's products with search, a category choice, sorts and filters (spec 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Listing
from catalog.services import dictionary

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(db):
    seller, other = make_seller(name="Ромашка"), make_seller(name="Лютик")
    kettles, mugs = CategoryFactory(name="Чайники"), CategoryFactory(name="Кружки")
    make_listing(seller, category=kettles, title="Чайник электрический", price="2500")
    make_listing(seller, category=kettles, title="Чайник заварочный", price="900", stock=0)
    make_listing(seller, category=mugs, title="Кружка с чайником на боку", price="400")
    make_listing(other, category=kettles, title="Чайник дорожный", price="700")
    dictionary.rebuild()
    return {"seller": seller, "kettles": kettles, "mugs": mugs, "url": seller.storefront.get_absolute_url()}


def shown(response) -> list[str]:
    return [listing.title for listing in response.context["slots"]["listings"]["context"]["listings"]]


def test_storefront_search_finds_only_this_sellers_matching_products(client, store):
    response = client.get(store["url"], {"q": "чайник"}, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 200
    assert set(shown(response)) == {"Чайник электрический", "Чайник заварочный", "Кружка с чайником на боку"}
    page = response.content.decode()
    assert 'id="store-q" name="q" value="чайник"' in page
    assert "3 товара" in page
    assert "Показать все товары" in page  # the way back to every product


def test_storefront_offers_the_sellers_categories_with_counts_and_narrows_to_one(client, store):
    everything = client.get(store["url"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    response = client.get(store["url"], {"category": store["mugs"].slug}, HTTP_ACCEPT_LANGUAGE="ru")

    assert f'<option value="{store["kettles"].slug}">Чайники (2)</option>' in everything
    assert f'<option value="{store["mugs"].slug}">Кружки (1)</option>' in everything
    assert shown(response) == ["Кружка с чайником на боку"]
    assert f'<option value="{store["mugs"].slug}" selected>Кружки (1)</option>' in response.content.decode()


def test_storefront_sorts_and_filters_by_stock_and_discount(client, store):
    cheapest_first = client.get(store["url"], {"sort": "price"})
    in_stock = client.get(store["url"], {"in_stock": "on", "sort": "-price"})
    Listing.objects.filter(title="Чайник электрический").update(discount_percent=20)
    discounted = client.get(store["url"], {"discount": "on"})

    assert shown(cheapest_first) == ["Кружка с чайником на боку", "Чайник заварочный", "Чайник электрический"]
    assert shown(in_stock) == ["Чайник электрический", "Кружка с чайником на боку"]
    assert shown(discounted) == ["Чайник электрический"]


def test_storefront_search_that_finds_nothing_says_so_and_offers_every_product(client, store):
    response = client.get(store["url"], {"q": "дорожный"}, HTTP_ACCEPT_LANGUAGE="ru")  # the other seller's

    assert shown(response) == []
    page = response.content.decode()
    assert "В этом магазине ничего не найдено" in page
    assert f'<a class="btn btn-primary" href="{store["url"]}">Показать все товары</a>' in page


def test_a_seller_without_products_gets_no_search_form(client):
    seller = make_seller()

    page = client.get(seller.storefront.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert 'id="store-q"' not in page
    assert "Товаров пока нет" in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "я" * 10_000},
        {"q": "'; DROP TABLE catalog_listing; --"},
        {"q": "чайник\x00\x07"},
        {"q": "   "},
        {"category": "no-such-category"},
        {"sort": "bogus"},
        {"price_min": "abc", "price_max": "-5"},
        {"page": "999"},
    ],
)
def test_bad_storefront_input_still_gets_the_storefront(client, store, params):
    response = client.get(store["url"], params)

    assert response.status_code == 200
    assert "Ромашка" in response.content.decode()


def test_a_hidden_category_is_ignored_on_the_storefront(client, store):
    store["mugs"].is_active = False
    store["mugs"].save()

    response = client.get(store["url"], {"category": store["mugs"].slug})

    assert response.status_code == 200
    assert response.context["slots"]["listings"]["context"]["category"] is None


def test_storefront_query_count_does_not_grow_with_the_sellers_products(client, store):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(store["url"], {"q": "чайник", "sort": "price"}).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        make_listing(store["seller"], category=store["mugs"], title=f"Кружка и чайник {number}")

    assert queries() == few
