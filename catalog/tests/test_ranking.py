"""Relevance blends the text match with the product's rating, the card's quality and the seller's standing (spec 32,
81): sanctions and rating bands move a seller's listings in search, and the rules are published."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import selectors
from catalog.models import Listing
from catalog.selectors import search as search_selectors

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


def order_of(client, query: str) -> list[str]:
    response = client.get(reverse("catalog:search"), {"q": query})
    assert response.status_code == 200
    return [listing.title for listing in response.context["listings"]]


def set_band(seller, band: str) -> None:
    from reviews.models import SellerRating

    SellerRating.objects.update_or_create(seller=seller, defaults={"band": band, "computed_at": timezone.now()})


@pytest.fixture
def twins(db):
    """Two equally good matches from two sellers; the one with more orders comes first when standing is equal."""
    kettles = CategoryFactory(name="Чайники")
    first, second = make_seller(name="Первый"), make_seller(name="Второй")
    make_listing(first, category=kettles, title="Чайник стальной Первый", orders_30d=20)
    make_listing(second, category=kettles, title="Чайник стальной Второй", orders_30d=10)
    return first, second


def test_equal_matches_from_sellers_in_equal_standing_keep_popularity_order(client, twins):
    assert order_of(client, "чайник") == ["Чайник стальной Первый", "Чайник стальной Второй"]


@pytest.mark.parametrize("status", ["warned", "restricted"])
def test_a_sanctioned_sellers_listing_ranks_below_an_equal_match_from_a_seller_in_good_standing(client, twins, status):
    first, _second = twins
    type(first).objects.filter(pk=first.pk).update(status=status)

    assert order_of(client, "чайник") == ["Чайник стальной Второй", "Чайник стальной Первый"]


@pytest.mark.parametrize("band", ["at_risk", "critical"])
def test_a_seller_in_a_poor_rating_band_ranks_below_an_equal_match(client, twins, band):
    first, second = twins
    set_band(first, band)
    set_band(second, "good")

    assert order_of(client, "чайник") == ["Чайник стальной Второй", "Чайник стальной Первый"]


def test_an_excellent_seller_ranks_above_an_equal_match_with_more_orders(client, twins):
    _first, second = twins
    set_band(second, "excellent")

    assert order_of(client, "чайник") == ["Чайник стальной Второй", "Чайник стальной Первый"]


def test_standing_does_not_outweigh_a_much_better_text_match(client, twins):
    """A title match from a sanctioned seller still beats a word found only in another seller's description."""
    first, second = twins
    kettles = CategoryFactory(name="Посуда")
    make_listing(second, category=kettles, title="Кастрюля", description="Подходит к чайнику", orders_30d=90)
    type(first).objects.filter(pk=first.pk).update(status="warned")
    set_band(first, "at_risk")

    order = order_of(client, "чайник")

    assert order.index("Чайник стальной Первый") < order.index("Кастрюля")


def test_other_sorts_ignore_the_sellers_standing(client, twins):
    first, _second = twins
    type(first).objects.filter(pk=first.pk).update(status="restricted")

    response = client.get(reverse("catalog:search"), {"q": "чайник", "sort": "popular"})

    assert [listing.title for listing in response.context["listings"]] == [
        "Чайник стальной Первый",
        "Чайник стальной Второй",
    ]


def test_the_rank_watch_sees_the_same_order_as_buyers(client, twins):
    first, _second = twins
    type(first).objects.filter(pk=first.pk).update(status="warned")
    by_title = dict(Listing.objects.values_list("pk", "title"))

    assert [by_title[pk] for pk in selectors.search_ranking("чайник")] == order_of(client, "чайник")


def test_every_rating_band_either_moves_listings_or_is_meant_to_count_one():
    from reviews.models import Band

    assert set(search_selectors.SELLER_BAND_WEIGHTS) <= set(Band.values)
    assert set(Band.values) - set(search_selectors.SELLER_BAND_WEIGHTS) == {"good", "new"}


def test_standing_is_kept_per_process_for_the_set_time_then_read_again(twins, settings, monkeypatch):
    first, _second = twins
    settings.MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS = 60
    monkeypatch.setattr(search_selectors, "_seller_weights", {"at": None, "weights": {}})
    clock = [1000.0]
    monkeypatch.setattr(search_selectors.time, "monotonic", lambda: clock[0])

    assert search_selectors.seller_weights() == {}
    type(first).objects.filter(pk=first.pk).update(status="warned")
    clock[0] += 59
    assert search_selectors.seller_weights() == {}
    clock[0] += 2
    assert search_selectors.seller_weights() == {first.pk: 0.9}


def test_a_sanction_and_a_band_multiply():
    seller = make_seller()
    type(seller).objects.filter(pk=seller.pk).update(status="restricted")
    set_band(seller, "critical")

    assert search_selectors.seller_weights() == {seller.pk: pytest.approx(0.75 * 0.75)}


def test_sellers_in_good_standing_are_not_listed(twins):
    first, second = twins
    set_band(first, "good")
    set_band(second, "new")

    assert search_selectors.seller_weights() == {}


def test_the_ordering_rules_are_published_with_the_weights_in_force(client, settings):
    settings.MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS = 60

    response = client.get(reverse("catalog:ranking"), HTTP_ACCEPT_LANGUAGE="ru")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Как мы сортируем товары" in page
    assert "каждая звезда рейтинга товара добавляет 10%" in page
    assert "добавляет до 20%" in page
    assert "<td>Статус: Вынесено предупреждение</td><td>−10%</td>" in page
    assert "<td>Статус: Ограничен: нельзя добавлять новые товары</td><td>−25%</td>" in page
    assert "<td>Уровень рейтинга: Отличный</td><td>+10%</td>" in page
    assert "<td>Уровень рейтинга: Критический</td><td>−25%</td>" in page
    assert "в течение 1 минуты" in page
    assert "упорядочиваются 500 самых популярных совпадений" in page
    assert "Места в выдаче не продаются" in page


def test_the_published_weights_follow_the_rules_search_applies(client, monkeypatch):
    monkeypatch.setitem(search_selectors.SELLER_BAND_WEIGHTS, "critical", 0.5)

    page = client.get(reverse("catalog:ranking"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<td>Rating band: Critical</td><td>−50%</td>" in page


def test_search_results_the_footer_and_the_rating_formula_link_to_the_ordering_rules(client, twins):
    rules = reverse("catalog:ranking")

    results = client.get(reverse("catalog:search"), {"q": "чайник"}).content.decode()
    formula = client.get(reverse("reviews:formula")).content.decode()

    assert results.count(f'href="{rules}"') == 2  # under the results and in the footer
    assert f'href="{rules}#relevance"' in formula
