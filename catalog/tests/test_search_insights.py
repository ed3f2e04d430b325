"""Search-query insights for sellers (spec 33): searches are counted anonymously (Redis, then PostgreSQL hourly),
with where each query leads; a seller sees the frequent and the rare queries of their categories and the queries
that found nothing, only those made at least three times."""

import datetime
import uuid

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from catalog import tasks
from catalog.models import SearchQueryStat
from catalog.services import search_log

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_counters(settings, page_cache):
    """Counters of this test only (the Redis server is shared), with the page cache on as in production."""
    settings.MARKETPLACE_SEARCH_LOG_PREFIX = f"test:sq:{uuid.uuid4().hex}"


def counts() -> dict[str, int]:
    search_log.flush()
    return dict(SearchQueryStat.objects.values_list("query", "searches"))


def search(client, query: str, **params):
    return client.get(reverse("catalog:search"), {"q": query, **params})


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Кроссовки   NIKE ", "кроссовки nike"),
        ("x" * 300, "x" * 100),
        ("", ""),
        ("позвоните +7 912 345-67-89", ""),  # something personal is never counted
        ("ivan@example.com", ""),
        ("iphone 15", "iphone 15"),
    ],
)
def test_a_query_is_counted_in_a_normal_form_and_never_with_personal_data(typed, kept):
    assert search_log.normalise(typed) == kept


def test_each_new_search_counts_whether_rendered_or_from_the_page_cache(client, seller):
    shoes = CategoryFactory(name="Кроссовки")
    make_listing(seller, category=shoes, title="Кроссовки беговые")

    first = search(client, "кроссовки")
    second = search(client, "кроссовки")  # the same search again, served from the stored page
    search(client, "кроссовки", sort="price")  # a sort refines a counted search
    search(client, "кроссовки", page="2")
    client.get(reverse("catalog:search"), {"q": "кроссовки"}, HTTP_HX_REQUEST="true")

    assert counts() == {"кроссовки": 2}
    assert second["X-Page-Cache"] == "hit"
    assert "X-Search-Stats" not in first
    assert "X-Search-Stats" not in second
    stat = SearchQueryStat.objects.get()
    assert (stat.category_id, stat.zero_results, stat.day) == (shoes.pk, False, timezone.localdate())


def test_a_broad_search_leads_to_the_category_most_of_its_first_page_is_in(client, seller, monkeypatch):
    """More matches than relevance ranks: no exact "found in categories", so the first page tells where it leads."""
    from catalog.selectors import listings

    monkeypatch.setattr(listings, "SEARCH_WINDOW", 3)
    shoes, socks = CategoryFactory(name="Кроссовки"), CategoryFactory(name="Носки")
    for title, category, orders in [("Кроссовки беговые", shoes, 9), ("Кроссовки детские", shoes, 8)]:
        make_listing(seller, category=category, title=title, orders_30d=orders)
    for title, orders in [("Носки под кроссовки", 7), ("Носки к кроссовкам", 1)]:
        make_listing(seller, category=socks, title=title, orders_30d=orders)

    response = search(client, "кроссовки")
    search_log.flush()

    assert response.context["result"].category_facet == []
    assert SearchQueryStat.objects.get(query="кроссовки").category_id == shoes.pk


def test_a_search_that_finds_nothing_is_marked_so(client):
    search(client, "телепорт")

    search_log.flush()

    stat = SearchQueryStat.objects.get(query="телепорт")
    assert (stat.zero_results, stat.category_id) == (True, None)


def test_flushing_again_writes_the_same_totals():
    for _ in range(3):
        search_log.record("чайник", category_id=None, zero=False)
    assert search_log.flush() == 1
    assert search_log.flush() == 1

    assert SearchQueryStat.objects.get(query="чайник").searches == 3


def test_beat_flushes_the_counters_every_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["catalog-search-log"]
    search_log.record("пылесос")

    assert entry["task"] == "catalog.tasks.flush_search_log"
    assert entry["schedule"].minute == {25}
    assert tasks.flush_search_log() == 1


def test_a_seller_sees_the_frequent_rare_and_fruitless_queries_of_their_categories(client, seller):
    shoes, kettles = CategoryFactory(name="Кроссовки"), CategoryFactory(name="Чайники")
    make_listing(seller, category=shoes, title="Кроссовки беговые")
    make_listing(make_seller(name="Другой"), category=kettles, title="Чайник")
    day = timezone.localdate()
    for query, category, searches, zero in (
        ("кроссовки", shoes, 120, False),
        ("кроссовки для бега", shoes, 4, False),
        ("кроссовки с подсветкой", shoes, 2, False),  # too few to show
        ("чайник", kettles, 300, False),  # another seller's category
        ("телепорт", None, 9, True),
    ):
        SearchQueryStat.objects.create(day=day, query=query, category=category, searches=searches, zero_results=zero)
    SearchQueryStat.objects.create(
        day=day - datetime.timedelta(days=40), query="кроссовки зимние", category=shoes, searches=50
    )  # before the period
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-search-insights"), HTTP_ACCEPT_LANGUAGE="ru")

    assert [row.query for row in page.context["frequent"]] == ["кроссовки", "кроссовки для бега"]
    assert [row.query for row in page.context["rare"]] == ["кроссовки для бега", "кроссовки"]
    assert [row.query for row in page.context["nothing_found"]] == ["телепорт"]
    html = page.content.decode()
    assert "Популярные в ваших категориях" in html
    assert "чайник" not in html
    assert "кроссовки с подсветкой" not in html


def test_the_warehouse_role_does_not_get_the_insights_page(client, seller):
    from marketplace.accounts.models import User
    from sellers.models import TeamMember, TeamRole

    worker = User.objects.create_user(email="stock@example.com", password="x-password-42")
    TeamMember.objects.create(seller=seller, user=worker, role=TeamRole.WAREHOUSE)
    client.force_login(worker)

    assert client.get(reverse("catalog:seller-search-insights")).status_code in (302, 403)


# --- a listing's place in search over time ---------------------------------------------------------------


def _ranked_shoes(seller):
    """Three matching listings; the most ordered one ranks first for a plain word."""
    from catalog.models import Listing
    from catalog.services import dictionary

    shoes = CategoryFactory(name="Кроссовки")
    mine = make_listing(seller, category=shoes, title="Кроссовки беговые лёгкие")
    others = [
        make_listing(make_seller(name=f"Другой {n}"), category=shoes, title="Кроссовки беговые") for n in range(2)
    ]
    for orders, listing in zip((50, 20), others, strict=True):
        Listing.objects.filter(pk=listing.pk).update(orders_30d=orders)
    dictionary.rebuild()
    return mine


def test_a_seller_follows_a_listings_place_for_a_query_and_sees_it_day_by_day(client, seller):
    from catalog.models import RankPoint
    from catalog.services import rank_watch

    mine = _ranked_shoes(seller)
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-search-insights"), {"action": "watch", "listing": mine.pk, "query": "  Кроссовки "}
    )
    rank_watch.record_positions(day=timezone.localdate() - datetime.timedelta(days=1))
    page = client.get(reverse("catalog:seller-search-insights"), HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 302
    watch = page.context["watches"][0]
    assert watch.query == "кроссовки"
    today = RankPoint.objects.get(watch=watch, day=timezone.localdate())
    assert today.position in (1, 2, 3)
    assert len(watch.points.all()) == 2
    assert f"{today.position}-е место" in page.content.decode()


def test_a_bad_watch_is_refused_with_a_clear_error_and_nothing_is_followed(client, seller, category):
    from catalog.models import RankWatch

    other = make_listing(make_seller(name="Чужой"), category=category)
    mine = make_listing(seller, category=category)
    client.force_login(seller.user)
    url = reverse("catalog:seller-search-insights")

    empty = client.post(url, {"action": "watch", "listing": mine.pk, "query": " "}, HTTP_ACCEPT_LANGUAGE="ru")
    foreign = client.post(
        url, {"action": "watch", "listing": other.pk, "query": "кроссовки"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    garbage = client.post(url, {"action": "watch", "listing": "1e9", "query": "кроссовки"})

    assert (empty.status_code, foreign.status_code, garbage.status_code) == (400, 400, 400)
    assert "Введите слова" in empty.content.decode()
    assert "Выберите один из ваших товаров" in foreign.content.decode()
    assert not RankWatch.objects.exists()


def test_at_most_ten_positions_are_followed_and_one_can_be_dropped(seller, category):
    from catalog.models import RankWatch
    from catalog.services import rank_watch
    from marketplace.core.exceptions import DomainError

    listing = make_listing(seller, category=category)
    for number in range(rank_watch.MAX_WATCHES):
        rank_watch.watch_position(seller=seller, actor=seller.user, listing_id=listing.pk, query=f"запрос {number}")
    with pytest.raises(DomainError):
        rank_watch.watch_position(seller=seller, actor=seller.user, listing_id=listing.pk, query="ещё один")
    first = RankWatch.objects.filter(seller=seller).first()

    rank_watch.stop_watching(seller=seller, actor=seller.user, watch_id=first.pk)

    assert RankWatch.objects.filter(seller=seller).count() == rank_watch.MAX_WATCHES - 1


def test_beat_records_positions_every_morning(seller):
    entry = django_settings.CELERY_BEAT_SCHEDULE["catalog-search-positions"]

    assert entry["task"] == "catalog.tasks.record_search_positions"
    assert entry["schedule"].hour == {6}
    assert tasks.record_search_positions() == 0


def test_an_unreachable_redis_never_fails_a_search_page(client, monkeypatch):
    import redis

    def broken():
        def call(**kwargs):
            raise redis.ConnectionError("down")

        return call

    monkeypatch.setattr(search_log, "_record_script", broken)

    response = search(client, "чайник")

    assert response.status_code == 200
    assert search_log.flush() == 0
