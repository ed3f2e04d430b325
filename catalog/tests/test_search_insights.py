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
