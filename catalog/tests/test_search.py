"""Russian search on real PostgreSQL: morphology, typos, keyboard layout, transliteration, hostile input."""

import pytest
from django.urls import reverse

from catalog import selectors
from catalog.services import dictionary

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    seller = make_seller()
    shoes = CategoryFactory(name="Кроссовки")
    kitchen = CategoryFactory(name="Чайники")
    make_listing(seller, category=shoes, title="Кроссовки беговые мужские", brand="Nike")
    make_listing(seller, category=shoes, title="Кроссовки детские на липучках", brand="Demix")
    make_listing(seller, category=shoes, title="Кроссовки женские для зала", brand="Nike")
    make_listing(seller, category=kitchen, title="Чайник электрический стеклянный", brand="Bosch")
    make_listing(seller, category=kitchen, title="Чайник заварочный", description="Фарфоровый чайник для заварки чая")
    dictionary.rebuild()
    return {"shoes": shoes, "kitchen": kitchen}


def search(client, query, **params):
    response = client.get(reverse("catalog:search"), {"q": query, **params})
    assert response.status_code == 200
    return response


def in_russian(client, query, **params) -> str:
    response = client.get(reverse("catalog:search"), {"q": query, **params}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    return response.content.decode()


def titles(response):
    return {listing.title for listing in response.context["listings"]}


def test_search_results_say_how_many_matches_each_category_holds_under_the_filters(client, catalogue):
    """ "Found in categories": the categories of the matches, most first, each a link to the search in it."""
    seller = make_seller()
    mugs = CategoryFactory(name="Кружки")
    make_listing(seller, category=mugs, title="Кружка и чайник в наборе", price="500")
    make_listing(seller, category=catalogue["kitchen"], title="Чайник дорожный", price="900")

    everything = search(client, "чайник")
    cheap = search(client, "чайник", price_max="950")

    assert [(node.name, count) for node, count in everything.context["result"].category_facet] == [
        ("Чайники", 3),
        ("Кружки", 1),
    ]
    assert [(node.name, count) for node, count in cheap.context["result"].category_facet] == [
        ("Чайники", 1),  # a tie: the older category first
        ("Кружки", 1),
    ]
    page = everything.content.decode()
    assert f'href="{reverse("catalog:search")}?q=%D1%87%D0%B0%D0%B9%D0%BD%D0%B8%D0%BA&amp;category={mugs.slug}"' in page
    assert '<span class="facet-count">3</span>' in page


def test_found_in_categories_is_counted_exactly_when_the_facet_pass_stops_early(client, catalogue, settings):
    """The facet pass stops at its row limit (here 1 × facets + 1 rows): the categories are counted apart."""
    settings.MARKETPLACE_CATALOG_COUNT_LIMIT = 1
    make_listing(make_seller(), category=catalogue["kitchen"], title="Чайник дорожный")

    result = search(client, "чайник").context["result"]

    assert result.total_is_exact
    assert [(node.name, count) for node, count in result.category_facet] == [("Чайники", 3)]


def test_the_plans_count_of_matches_stops_at_its_limit_and_is_zero_for_an_empty_base(catalogue):
    from catalog.models import Listing
    from catalog.selectors.search import _matches

    published = Listing.objects.published()

    assert _matches(published, ["кроссовк"], 10) == 3
    assert _matches(published, ["кроссовк"], 2) == 2
    assert _matches(published.filter(category_id__in=[]), ["кроссовк"], 10) == 0
    assert _matches(published, [], 10) == 0


def test_morphology_finds_other_word_forms(client, catalogue):
    found = titles(search(client, "кроссовка"))

    assert found == {"Кроссовки беговые мужские", "Кроссовки детские на липучках", "Кроссовки женские для зала"}


def test_title_matches_rank_above_description_matches(client, catalogue):
    listings = search(client, "чайник").context["listings"]

    assert listings[0].title.startswith("Чайник")
    assert {listing.title for listing in listings} == {"Чайник электрический стеклянный", "Чайник заварочный"}


def test_typo_is_corrected_with_trigrams(client, catalogue):
    response = search(client, "кросовки")

    assert len(titles(response)) == 3
    assert response.context["plan"].corrected_from == "кросовки"


def test_wrong_keyboard_layout_is_corrected(client, catalogue):
    response = search(client, "rhjccjdrb")

    assert len(titles(response)) == 3
    assert response.context["plan"].text == "кроссовки"
    assert "кроссовки" in response.content.decode()


def test_latin_transliteration_is_understood(client, catalogue):
    response = search(client, "krossovki")

    assert len(titles(response)) == 3


def test_brand_typed_on_the_russian_layout_is_found(client, catalogue):
    response = search(client, "тшлу")  # "nike" on ЙЦУКЕН

    assert titles(response) == {"Кроссовки беговые мужские", "Кроссовки женские для зала"}


def test_mixed_query_corrects_only_the_unknown_word(client, catalogue):
    response = search(client, "nike rhjccjdrb")

    assert titles(response) == {"Кроссовки беговые мужские", "Кроссовки женские для зала"}


def test_did_you_mean_is_offered_when_the_query_finds_a_little(client, catalogue):
    seller = make_seller()
    make_listing(seller, category=catalogue["shoes"], title="Кросовки с опечаткой в названии")

    response = search(client, "кросовки")

    plan = response.context["plan"]
    assert titles(response) == {"Кросовки с опечаткой в названии"}
    assert plan.suggestion == "кроссовки"
    assert "кроссовки" in response.content.decode()


def test_search_results_can_be_filtered_and_narrowed_to_a_category(client, catalogue):
    response = search(client, "nike", category=catalogue["shoes"].slug, brand="nike")

    assert titles(response) == {"Кроссовки беговые мужские", "Кроссовки женские для зала"}


def test_a_search_in_a_category_says_so_and_offers_the_whole_marketplace(client, catalogue):
    shoes = catalogue["shoes"]

    page = in_russian(client, "кроссовки", category=shoes.slug)

    assert "<title>«кроссовки» в категории «Кроссовки»: поиск — Маркетплейс</title>" in page
    assert "Поиск в категории «Кроссовки»." in page
    everywhere = f'href="{reverse("catalog:search")}?q=%D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8"'
    assert f"{everywhere}>Искать везде</a>" in page
    # the page's own box searches on inside the category; the header's searches everywhere
    assert f'<input type="hidden" name="category" value="{shoes.slug}">' in page
    assert 'placeholder="Искать в категории «Кроссовки»"' in page
    # the category it is in is marked, not offered as a link to itself
    assert (
        '<span class="chip chip--current" aria-current="true">Кроссовки <span class="facet-count">3</span></span>'
        in page
    )
    # a search page, not the category's: no canonical address or category description of its own
    assert '<meta name="robots" content="noindex, follow">' in page
    assert 'rel="canonical"' not in page
    assert 'property="og:url"' not in page


def test_a_search_everywhere_has_one_search_box_the_headers(client, catalogue):
    page = in_russian(client, "кроссовки")

    assert 'id="catalog-q"' not in page
    assert "Поиск в категории" not in page
    assert 'id="site-search-q" name="q" value="кроссовки"' in page
    assert "<title>«кроссовки»: поиск — Маркетплейс</title>" in page


def test_did_you_mean_in_a_category_stays_in_it(client, catalogue):
    make_listing(make_seller(), category=catalogue["shoes"], title="Кросовки с опечаткой в названии")

    response = search(client, "кросовки", category=catalogue["shoes"].slug)

    assert response.context["plan"].suggestion == "кроссовки"
    slug = catalogue["shoes"].slug
    assert f"?q=%D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8&amp;category={slug}" in response.content.decode()


def test_nonsense_gets_a_helpful_empty_state(client, catalogue):
    response = search(client, "zzqxqzzq")

    assert titles(response) == set()
    assert "empty-state" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        '"кроссовки',
        "кроссовки & | ! ( ) :* <-> ''",
        "'; DROP TABLE catalog_listing; --",
        "SELECT * FROM catalog_listing WHERE 1=1",
        "а" * 10_000,
        "\x00\x01\x02\x1b[31m",
        "\u202eкроссовки",
        "%%%___\\\\",
        "и",  # a stop word only
        "    ",
        "🙂🙂",
    ],
)
def test_any_search_input_is_answered_with_a_page(client, catalogue, query):
    search(client, query)


def test_search_box_keeps_the_query_escaped(client, catalogue):
    response = search(client, '<script>alert("x")</script>')

    assert '<script>alert("x")</script>' not in response.content.decode()


def test_autocomplete_suggests_categories_brands_and_listings(client, catalogue):
    response = client.get(reverse("catalog:autocomplete"), {"q": "кросс"})

    content = response.content.decode()
    assert "Кроссовки беговые мужские" in content
    assert "/c/" in content


def test_autocomplete_fixes_the_layout(client, catalogue):
    suggestions = selectors.autocomplete("xfqy", selectors.public_listings())  # "чайн"

    assert suggestions["listings"]


@pytest.mark.parametrize("query", ["", "a", "'", "\x00" * 50, "я" * 5000])
def test_autocomplete_accepts_any_input(client, catalogue, query):
    assert client.get(reverse("catalog:autocomplete"), {"q": query}).status_code == 200


def test_dictionary_rebuild_counts_published_words_only(catalogue):
    from catalog.models import SearchTerm

    assert SearchTerm.objects.get(word="кроссовки").frequency >= 3
    assert SearchTerm.objects.filter(word="nike").exists()


def test_search_query_count_does_not_grow_with_results(client, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("catalog:search"), {"q": "кроссовки"})
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("catalog:search"), {"q": "кроссовки"})
    seller = make_seller()
    for index in range(5):
        make_listing(seller, category=catalogue["shoes"], title=f"Кроссовки модель {index}", brand=f"Марка {index}")
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("catalog:search"), {"q": "кроссовки"})

    assert len(response.context["listings"]) == 8
    assert len(after) == len(before)


@pytest.fixture(params=["walk in order", "intersect bitmaps", "read all of few matches"])
def popularity(request, db, monkeypatch):
    """Kettles at the top and at the tail of the popularity order, mugs in between (every way of searching)."""
    from catalog.selectors import listings as listing_selectors

    seller = make_seller()
    kitchen = CategoryFactory(name="Посуда")
    for orders in (100, 90, 80):
        make_listing(seller, category=kitchen, title=f"Чайник {orders}", orders_30d=orders)
    for orders in (70, 60, 50, 40):
        make_listing(seller, category=kitchen, title=f"Кружка {orders}", orders_30d=orders)
    for _ in range(3):
        make_listing(seller, category=kitchen, title="Чайник новый", orders_30d=0)
    monkeypatch.setattr(listing_selectors, "_floor_cache", {"at": -1e9, "floor": None})
    monkeypatch.setattr(listing_selectors, "_estimate_cache", type(listing_selectors._estimate_cache)())
    many = 0 if request.param == "walk in order" else 10**9
    monkeypatch.setattr(listing_selectors, "MANY_MATCHES", many)
    few = 10**9 if request.param == "read all of few matches" else 0
    monkeypatch.setattr(listing_selectors, "FEW_MATCHES", few)
    monkeypatch.setattr(listing_selectors, "POPULARITY_WALK", 4)  # the floor: the 5th most popular listing
    return listing_selectors


def kettles():
    from catalog.models import Listing
    from catalog.selectors.search import tsquery

    return Listing.objects.published().filter(search_vector=tsquery(["чайник"]))


def most_popular(queryset, limit):
    rows = sorted(queryset.values_list("orders_30d", "pk"), key=lambda row: (-row[0], -row[1]))
    return [pk for _, pk in rows[:limit]]


def test_search_window_from_a_walk_that_fills_it_is_the_most_popular_matches(popularity):
    assert popularity.popular_matches(kettles(), 2) == most_popular(kettles(), 2)


def test_search_window_reads_all_matches_when_the_walk_stops_at_the_floor_first(popularity):
    """Matches at the tail of the popularity order (new listings without orders) are still found, in order."""
    window = popularity.popular_matches(kettles(), 5)

    assert window == most_popular(kettles(), 5)
    assert len(window) == 5


def test_a_search_whose_look_above_the_floor_came_up_short_reads_all_matches_at_once_next_time(popularity):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        first_window = popularity.popular_matches(kettles(), 5)
    with CaptureQueriesContext(connection) as again:
        second_window = popularity.popular_matches(kettles(), 5)

    assert second_window == first_window == most_popular(kettles(), 5)

    def reads(queries):
        return [query["sql"] for query in queries if "ORDER BY m.orders_30d" in query["sql"]]

    # the look above the floor, then the full read (a word of few matches is read in full at once)
    assert len(reads(first)) == (1 if popularity.FEW_MATCHES > 1000 else 2)
    assert len(reads(again)) == 1
    assert "ORDER BY m.orders_30d + 0" in reads(again)[0]  # the full read


def test_search_window_in_a_catalogue_smaller_than_the_walk_is_the_same(popularity, monkeypatch):
    monkeypatch.setattr(popularity, "POPULARITY_WALK", 1000)

    assert popularity._popularity_floor() is None
    assert popularity.popular_matches(kettles(), 4) == most_popular(kettles(), 4)


def test_search_window_walk_leaves_the_planner_settings_as_they_were(popularity):
    from django.db import connection

    popularity.popular_matches(kettles(), 2)

    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"


def planner_setting(name):
    """An annotation reading a planner setting as the statement that reads the window runs under it."""
    from django.db.models.expressions import RawSQL

    return lambda rows: rows.annotate(setting=RawSQL("current_setting(%s)", [name]))


def test_a_search_reading_all_of_many_matches_does_it_in_one_process_and_restores_the_setting(popularity, monkeypatch):
    """Past SERIAL_MATCHES (the planner's estimate) the full read runs without parallel workers; same keys."""
    from django.db import connection

    monkeypatch.setattr(popularity, "SERIAL_MATCHES", 0)
    monkeypatch.setattr(popularity, "FEW_MATCHES", 10**9)  # straight to the full read

    window = popularity.popular_matches(
        kettles(), 5, fields=("pk", "setting"), annotate=planner_setting("max_parallel_workers_per_gather")
    )

    assert [pk for pk, _setting in window] == most_popular(kettles(), 5)
    assert {setting for _pk, setting in window} == {"0"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "2"


def test_a_search_with_very_many_matches_walks_the_popularity_order_without_bitmaps(popularity, monkeypatch):
    """Past MANY_MATCHES the look above the floor is planned with bitmap scans off (a walk of the popularity
    index), and they are on again for whatever runs next."""
    from django.db import connection

    monkeypatch.setattr(popularity, "MANY_MATCHES", 0)
    monkeypatch.setattr(popularity, "FEW_MATCHES", 0)

    window = popularity.popular_matches(
        kettles(), 2, fields=("pk", "setting"), annotate=planner_setting("enable_bitmapscan")
    )

    assert [pk for pk, _setting in window] == most_popular(kettles(), 2)
    assert {setting for _pk, setting in window} == {"off"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"


def test_a_search_expected_to_match_few_listings_reads_them_all_without_looking_above_the_floor(
    popularity, monkeypatch
):
    """Under FEW_MATCHES (the planner's estimate) one read through the full-text index gives the window."""
    from django.db import connection

    monkeypatch.setattr(popularity, "FEW_MATCHES", 10**9)
    reads = []

    def watch(execute, sql, params, many, context):
        if not sql.startswith("EXPLAIN") and "catalog_listing" in sql:
            reads.append(sql)
        return execute(sql, params, many, context)

    popularity._popularity_floor()  # the floor is kept a while: not part of what is counted
    with connection.execute_wrapper(watch):
        window = popularity.popular_matches(kettles(), 5)

    assert window == most_popular(kettles(), 5)
    assert len(reads) == 1
    assert "orders_30d + 0" in reads[0]  # the full read, not the look above the floor


def test_a_search_window_ranks_its_rows_as_ranking_the_matches_would(popularity):
    """Keys, order and relevance are those of ranking the matches themselves, whichever way they are read."""
    from catalog.selectors.search import plan_search, rank

    plan = plan_search("чайник", kettles())
    fields = ("pk", "orders_30d", "relevance")
    window = popularity.popular_matches(kettles(), 5, fields=fields, annotate=lambda rows: rank(rows, plan))
    ranked = {row[0]: row for row in rank(kettles(), plan).values_list(*fields)}

    assert [row[0] for row in window] == most_popular(kettles(), 5)
    assert window == [ranked[row[0]] for row in window]
    assert all(row[2] > 0 for row in window)


def test_a_search_window_works_out_annotations_for_its_own_rows_only(popularity):
    """An expensive expression (the text rank) is worked out for the window's rows, never for every match: here
    one that counts its calls, over 16 matches and a window of 2 (a look above the floor, then the full read)."""
    from django.db import connection
    from django.db.models import F, Func, IntegerField

    seller = make_seller()
    for _ in range(10):
        make_listing(seller, title="Чайник простой")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY SEQUENCE worked_out")
        # COST 1: as cheap to the planner as ts_rank (an expensive one it would put off past the sort by itself)
        cursor.execute(
            "CREATE FUNCTION pg_temp.counted(value integer) RETURNS integer LANGUAGE plpgsql STABLE COST 1 "
            "AS $$ BEGIN PERFORM nextval('worked_out'); RETURN value; END $$"
        )

    def counted(rows):
        return rows.annotate(mark=Func(F("orders_30d"), function="pg_temp.counted", output_field=IntegerField()))

    window = popularity.popular_matches(kettles(), 2, fields=("pk", "mark"), annotate=counted)

    assert [pk for pk, _mark in window] == most_popular(kettles(), 2)
    assert kettles().count() == 16
    with connection.cursor() as cursor:
        cursor.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM worked_out")
        assert cursor.fetchone()[0] <= 2 * 2  # at most two reads of the window, each working out its 2 rows


def test_the_planners_estimate_for_a_search_is_asked_once_for_a_while(popularity):
    """The estimate only picks how the matches are read, so each process asks PostgreSQL once per query."""
    from django.db import connection

    asked = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("EXPLAIN"):
            asked.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        first = popularity.popular_matches(kettles(), 2)
        second = popularity.popular_matches(kettles(), 2)

    assert first == second == most_popular(kettles(), 2)
    assert len(asked) == 1


def test_relevance_pages_follow_the_sql_order_of_relevance_popularity_and_key(client, popularity, settings):
    """The window's rows are ranked in Python: every page holds what ORDER BY relevance would give, ties and all."""
    from catalog.filters import order_by
    from catalog.models import Listing
    from catalog.selectors.search import plan_search, rank

    settings.MARKETPLACE_CATALOG_PAGE_SIZE = 2
    seller = make_seller()
    kitchen = CategoryFactory(name="Чайники и кружки")
    make_listing(seller, category=kitchen, title="Кружка", description="Подходит к чайнику", orders_30d=95)
    for stars, orders in ((5, 85), (5, 85), (3, 85)):
        listing = make_listing(seller, category=kitchen, title="Чайник чайник", orders_30d=orders)
        Listing.objects.filter(pk=listing.pk).update(rating_avg=stars)
    plan = plan_search("чайник", Listing.objects.published())
    expected = list(rank(kettles(), plan).order_by(*order_by("", searching=True)).values_list("pk", flat=True))

    shown = []
    for page in (1, 2, 3, 4, 5):
        shown += [listing.pk for listing in search(client, "чайник", page=page).context["listings"]]

    assert len(expected) == 10
    assert shown == expected


@pytest.fixture
def kept_plans(settings, monkeypatch):
    from catalog.selectors import search as search_selectors

    settings.MARKETPLACE_CATALOG_SEARCH_PLAN_SECONDS = 60
    monkeypatch.setattr(search_selectors, "_plans", type(search_selectors._plans)())
    return search_selectors


def test_a_popular_query_is_planned_once_a_minute_and_reads_the_same(client, catalogue, kept_plans):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        planned = search(client, "кросовки")
    with CaptureQueriesContext(connection) as second:
        kept = search(client, "кросовки")

    assert len(second) < len(first)  # the correction's dictionary lookups are not made again
    assert titles(kept) == titles(planned)
    assert kept.context["plan"] == planned.context["plan"]
    assert kept.context["plan"].corrected_from == "кросовки"
    assert kept.context["plan"] is not kept_plans._plans[(None, "кросовки")][1]  # each page gets its own copy


def test_a_kept_plan_is_made_again_after_its_time(client, catalogue, kept_plans, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(kept_plans.time, "monotonic", lambda: clock[0])
    base = selectors.public_listings()
    assert kept_plans.kept_plan("сковорода", base, scope=None).mode == "trigram"  # nothing matches yet
    make_listing(make_seller(), category=catalogue["kitchen"], title="Сковорода чугунная")
    make_listing(make_seller(), category=catalogue["kitchen"], title="Сковорода блинная")
    make_listing(make_seller(), category=catalogue["kitchen"], title="Сковорода гриль")

    clock[0] += 59
    assert kept_plans.kept_plan("сковорода", base, scope=None).mode == "trigram"
    clock[0] += 2
    assert kept_plans.kept_plan("сковорода", base, scope=None).mode == "fts"


def test_plans_of_different_categories_are_kept_apart(client, catalogue, kept_plans):
    in_kitchen = search(client, "кроссовки", category=catalogue["kitchen"].slug)
    everywhere = search(client, "кроссовки")

    assert titles(in_kitchen) == set()
    assert len(titles(everywhere)) == 3
    assert set(kept_plans._plans) == {(catalogue["kitchen"].pk, "кроссовки"), (None, "кроссовки")}


def test_a_search_names_its_sellers_and_narrows_to_one(client, category):
    """Spec 32's seller filter: the sellers among a search's results with their counts; one click narrows."""
    from catalog.services import dictionary

    runner, shoes_shop = make_seller(name="Бегун"), make_seller(name="Обувной")
    for number in range(2):
        make_listing(runner, category=category, title=f"Кроссовки беговые {number}")
    make_listing(shoes_shop, category=category, title="Кроссовки городские")
    dictionary.rebuild()
    url = reverse("catalog:search")

    page = client.get(url, {"q": "кроссовки"}, HTTP_ACCEPT_LANGUAGE="ru")
    narrowed = client.get(url, {"q": "кроссовки", "seller": runner.storefront.slug}, HTTP_ACCEPT_LANGUAGE="ru")
    unknown = client.get(url, {"q": "кроссовки", "seller": "no-such-shop'; --"})

    assert [(name, count) for _slug, name, count in page.context["result"].seller_facet] == [
        (runner.storefront.name, 2),
        (shoes_shop.storefront.name, 1),
    ]
    assert f"seller={runner.storefront.slug}" in page.content.decode()
    assert {card.seller_id for card in narrowed.context["listings"]} == {runner.pk}
    assert narrowed.context["result"].chosen_seller == (runner.storefront.slug, runner.storefront.name)
    assert "Все продавцы" in narrowed.content.decode()
    assert unknown.status_code == 200
    assert list(unknown.context["listings"]) == []


def test_a_searchs_seller_chips_are_the_eight_with_most_results_ties_by_name(client, category):
    """The facet pass counts the sellers (no query of its own): most results first, a tie by storefront name."""
    from catalog.services import dictionary

    counts = {"Я": 3, "Б": 3, "А": 3, "В": 2, "Г": 2, "Д": 1, "Е": 1, "Ж": 1, "З": 1, "И": 1}
    for name, count in counts.items():
        seller = make_seller(name=name)
        for number in range(count):
            make_listing(seller, category=category, title=f"Кроссовки {name} {number}")
    dictionary.rebuild()
    client.get(reverse("catalog:search"), {"q": "кроссовки"})  # the search's plan and statement, kept per process

    page = client.get(reverse("catalog:search"), {"q": "кроссовки"})

    chips = [(name, count) for _slug, name, count in page.context["result"].seller_facet]
    assert chips == [("А", 3), ("Б", 3), ("Я", 3), ("В", 2), ("Г", 2), ("Д", 1), ("Е", 1), ("Ж", 1)]


@pytest.fixture
def fresh_statements(monkeypatch):
    from catalog.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "_statements", {})
    return search_selectors._statements


def test_a_plain_search_compiles_its_statements_once_and_binds_each_query_text(client, catalogue, fresh_statements):
    """The header's search (whole catalogue, no filters): the plan's count, the window and the facet pass are
    compiled by the first search; later ones bind their own text and find exactly their own listings."""
    shoes = search(client, "кроссовки")
    kept = dict(fresh_statements)
    kettles = search(client, "чайник")
    again = search(client, "кроссовки")

    assert {key[0] for key in kept} == {"matches", "window", "facets"}
    assert fresh_statements == kept  # nothing compiled again
    assert titles(kettles) == {"Чайник электрический стеклянный", "Чайник заварочный"}
    assert (
        titles(shoes)
        == titles(again)
        == {
            "Кроссовки беговые мужские",
            "Кроссовки детские на липучках",
            "Кроссовки женские для зала",
        }
    )


def test_a_kept_statement_reads_what_a_fresh_compile_reads(client, catalogue, fresh_statements):
    search(client, "кроссовки")  # compiles and keeps the statements

    kept = [listing.pk for listing in search(client, "чайник").context["listings"]]
    fresh_statements.clear()
    fresh = [listing.pk for listing in search(client, "чайник").context["listings"]]

    assert kept == fresh
    assert len(kept) == 2


def test_a_corrected_query_binds_the_correction_into_the_kept_statements(client, catalogue, fresh_statements):
    search(client, "кроссовки")

    response = search(client, "xfqybr")  # "чайник" typed on the English layout

    assert response.context["plan"].corrected_from == "xfqybr"
    assert titles(response) == {"Чайник электрический стеклянный", "Чайник заварочный"}


@pytest.mark.parametrize(
    "params",
    [{"price_max": "5000"}, {"in_stock": "on"}, {"dispatch": "1"}, {"brand": "nike"}, {"seller": "x"}],
)
def test_a_search_with_a_filter_is_compiled_for_itself(client, catalogue, fresh_statements, params):
    search(client, "кроссовки", **params)

    assert not [key for key in fresh_statements if key[0] in ("window", "facets")]


def test_a_search_in_a_category_is_compiled_for_itself(client, catalogue, fresh_statements):
    response = client.get(reverse("catalog:search"), {"q": "кроссовки", "category": catalogue["shoes"].slug})

    assert response.status_code == 200
    assert fresh_statements == {}
