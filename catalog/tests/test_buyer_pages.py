from decimal import Decimal
from enum import Enum
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Listing, ListingStatus
from catalog.templatetags.catalog_tags import category_chips, seller_chips

from .factories import AttributeFactory, CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoes(db):
    root = CategoryFactory(name="Обувь")
    category = CategoryFactory(name="Кроссовки", parent=root)
    AttributeFactory(
        category=category, code="color", name="Цвет", type="choice", options=["Белый", "Чёрный"], is_filterable=True
    )
    AttributeFactory(category=category, code="size", name="Размер", type="number", unit="EU", is_filterable=True)
    return category


def test_anonymous_buyer_sees_the_home_page_with_categories_and_shelves(client, shoes, settings):
    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 0
    seller = make_seller()
    make_listing(seller, category=shoes, title="Кроссовки беговые")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Обувь" in content
    assert "Кроссовки беговые" in content


def test_category_page_lists_published_listings_of_the_whole_subtree(client, shoes):
    seller = make_seller()
    make_listing(seller, category=shoes, title="Кроссовки беговые")
    make_listing(seller, category=shoes, title="Кроссовки в черновике", status=ListingStatus.DRAFT)

    response = client.get(reverse("catalog:category", args=[shoes.parent.slug]))

    assert response.status_code == 200
    titles = [listing.title for listing in response.context["listings"]]
    assert titles == ["Кроссовки беговые"]


def test_category_filters_by_choice_attribute_with_disjunctive_counts(client, shoes):
    seller = make_seller()
    make_listing(seller, category=shoes, title="Белые кроссовки", attributes={"color": "Белый", "size": 42})
    make_listing(seller, category=shoes, title="Чёрные кроссовки", attributes={"color": "Чёрный", "size": 44})

    response = client.get(reverse("catalog:category", args=[shoes.slug]), {"a_color": "Белый"})

    assert [listing.title for listing in response.context["listings"]] == ["Белые кроссовки"]
    facet = response.context["result"].facets[0]
    assert {value: count for value, _label, count, _selected in facet.values} == {"Белый": 1, "Чёрный": 1}


def test_category_filters_by_number_range_price_and_stock(client, shoes):
    seller = make_seller()
    make_listing(seller, category=shoes, title="Маленькие", attributes={"size": 38}, price="1000")
    make_listing(seller, category=shoes, title="Большие", attributes={"size": 45}, price="5000")
    make_listing(seller, category=shoes, title="Нет в наличии", attributes={"size": 45}, price="3000", stock=0)

    url = reverse("catalog:category", args=[shoes.slug])
    by_size = client.get(url, {"a_size_min": "40"}).context["listings"]
    by_price = client.get(url, {"price_max": "2000"}).context["listings"]
    in_stock = client.get(url, {"in_stock": "on", "a_size_min": "40"}).context["listings"]

    assert {listing.title for listing in by_size} == {"Большие", "Нет в наличии"}
    assert [listing.title for listing in by_price] == ["Маленькие"]
    assert [listing.title for listing in in_stock] == ["Большие"]


@pytest.mark.parametrize(("sort", "expected"), [("price", ["A", "B", "C"]), ("-price", ["C", "B", "A"])])
def test_buyer_sorts_by_price(client, shoes, sort, expected):
    seller = make_seller()
    for title, price in (("B", "200"), ("A", "100"), ("C", "300")):
        make_listing(seller, category=shoes, title=f"{title} кеды", price=price)

    listings = client.get(reverse("catalog:category", args=[shoes.slug]), {"sort": sort}).context["listings"]

    assert [listing.title[0] for listing in listings] == expected


@pytest.mark.parametrize(
    "params",
    [
        {"price_min": "abc"},
        {"price_max": "1e999"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"sort": "'; drop table"},
        {"a_size_min": "NaN"},
        {"a_color": "<script>"},
        {"brand": "x" * 500},
        {"rating": "10"},
        {"dispatch": "-1"},
        {"dispatch": "' or 1=1"},
    ],
)
def test_bad_filter_values_never_break_the_category_page(client, shoes, params):
    make_listing(make_seller(), category=shoes)

    response = client.get(reverse("catalog:category", args=[shoes.slug]), params)

    assert response.status_code == 200


def test_category_page_query_count_does_not_grow_with_listings(client, shoes):
    seller = make_seller()
    make_listing(seller, category=shoes, attributes={"color": "Белый"})
    url = reverse("catalog:category", args=[shoes.slug])
    params = {"a_color": "Белый", "in_stock": "on"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as one:
        client.get(url, params)
    for index in range(6):
        make_listing(
            seller, category=shoes, title=f"Кроссовки {index}", attributes={"color": "Белый"}, brand=f"Бренд {index}"
        )
    with CaptureQueriesContext(connection) as seven:
        response = client.get(url, params)

    assert len(response.context["listings"]) == 7
    assert len(seven) == len(one)


def test_htmx_filter_request_gets_only_the_results_partial(client, shoes):
    make_listing(make_seller(), category=shoes)

    response = client.get(
        reverse("catalog:category", args=[shoes.slug]),
        {"in_stock": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )

    content = response.content.decode()
    assert 'id="results"' in content
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_listing_page_shows_price_attributes_seller_and_json_ld(client, shoes):
    seller = make_seller(name="Спорт-Маркет")
    listing = make_listing(
        seller, category=shoes, title="Кроссовки беговые", attributes={"color": "Белый"}, price="2490"
    )

    response = client.get(listing.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert "Спорт-Маркет" in content
    assert "Белый" in content
    assert '"@type": "Product"' in content
    assert f'<link rel="canonical" href="http://testserver{listing.get_absolute_url()}">' in content
    assert '"price": "2490.00"' in content


@pytest.mark.parametrize(("stock", "promises_shipping"), [(3, True), (0, False)])
def test_listing_page_promises_a_shipping_date_only_for_what_is_in_stock(client, shoes, stock, promises_shipping):
    listing = make_listing(make_seller(), category=shoes, stock=stock)

    content = client.get(listing.get_absolute_url()).content.decode()

    assert ('class="buy-box__delivery"' in content) is promises_shipping
    assert ("Out of stock" in content) is not promises_shipping


def test_listing_page_redirects_an_outdated_slug_permanently(client, shoes):
    listing = make_listing(make_seller(), category=shoes)

    response = client.get(reverse("catalog:listing-detail", kwargs={"pk": listing.pk, "slug": "old-name"}))

    assert response.status_code == 301
    assert response["Location"] == listing.get_absolute_url()


def test_buyer_cannot_see_a_draft_listing(client, user, shoes):
    listing = make_listing(make_seller(), category=shoes, status=ListingStatus.DRAFT)
    client.force_login(user)

    response = client.get(listing.get_absolute_url())

    assert response.status_code == 404


def test_seller_previews_their_own_draft(client, seller, shoes):
    listing = make_listing(seller, category=shoes, status=ListingStatus.DRAFT)
    client.force_login(seller.user)

    response = client.get(listing.get_absolute_url())

    assert response.status_code == 200
    assert response.context["listing"].is_preview


def test_only_a_preview_is_marked_noindex_and_says_buyers_do_not_see_it(client, seller, shoes):
    draft = make_listing(seller, category=shoes, status=ListingStatus.DRAFT)
    public = make_listing(seller, category=shoes)
    client.force_login(seller.user)

    preview = client.get(draft.get_absolute_url()).content.decode()
    shown = client.get(public.get_absolute_url()).content.decode()

    assert '<meta name="robots" content="noindex">' in preview
    assert 'class="alert alert-warning" role="status"' in preview
    assert '<meta name="robots" content="noindex">' not in shown
    assert 'class="alert alert-warning" role="status"' not in shown


def test_the_sidebar_keeps_what_was_asked_and_flags_a_price_that_is_not_a_whole_number(client, shoes):
    make_listing(make_seller(), category=shoes)
    url = reverse("catalog:category", args=[shoes.slug])

    flagged = client.get(url, {"price_min": "abc", "price_max": "500", "in_stock": "on"}).content.decode()
    plain = client.get(url, {"price_max": "500"}).content.decode()

    assert 'name="price_min" value="abc"' in flagged
    assert 'name="price_max" value="500"' in flagged
    assert 'name="in_stock" value="on" checked' in flagged
    assert 'name="discount" value="on">' in flagged  # not asked: not checked
    assert '<p class="invalid-feedback d-block">' in flagged
    assert '<p class="invalid-feedback d-block">' not in plain
    assert 'name="price_min" value=""' in plain
    assert 'name="in_stock" value="on">' in plain


def test_script_in_title_and_description_is_escaped_on_the_listing_page(client, shoes):
    listing = make_listing(
        make_seller(),
        category=shoes,
        title="<script>alert('t')</script>",
        description="<img src=x onerror=alert(1)>\n\n- <b>пункт</b>",
    )

    content = client.get(listing.get_absolute_url()).content.decode()

    assert "<script>alert('t')</script>" not in content
    assert "<img src=x onerror" not in content
    assert "&lt;b&gt;пункт&lt;/b&gt;" in content


def test_listing_page_query_count_does_not_grow_with_variants_and_photos(client, shoes):
    from catalog import services

    seller = make_seller()
    listing = make_listing(seller, category=shoes)
    client.get(listing.get_absolute_url())
    with CaptureQueriesContext(connection) as before:
        client.get(listing.get_absolute_url())
    variants = [
        services.VariantInput(
            id=listing.variants.get().pk, sku=listing.variants.get().sku, price=Decimal("100"), on_hand=1
        )
    ]
    variants += [
        services.VariantInput(sku=f"V{index}", price=Decimal("100"), on_hand=1, options={"Размер": str(index)})
        for index in range(5)
    ]
    services.save_variants(listing=listing, actor=seller.user, variants=variants)
    with CaptureQueriesContext(connection) as after:
        client.get(listing.get_absolute_url())

    assert len(after) == len(before)


def test_sitemap_index_and_listing_file(client, shoes):
    listing = make_listing(make_seller(), category=shoes)

    index = client.get("/sitemap.xml").content.decode()
    listings = b"".join(client.get("/sitemap-listings-1.xml").streaming_content).decode()

    assert "sitemap-listings-1.xml" in index
    assert "sitemap-categories.xml" in index
    assert listing.get_absolute_url() in listings


def test_robots_txt_points_to_the_sitemap(client):
    content = client.get("/robots.txt").content.decode()

    assert "Sitemap: http://testserver/sitemap.xml" in content
    assert "Disallow: /admin/" in content


def test_buyer_filters_by_seller_rating_at_least_n(client, shoes):
    from django.utils import timezone

    from reviews.models import SellerRating

    trusted, average, unrated = make_seller(name="Надёжный"), make_seller(name="Средний"), make_seller(name="Новый")
    SellerRating.objects.create(seller=trusted, average=Decimal("4.60"), count=40, computed_at=timezone.now())
    SellerRating.objects.create(seller=average, average=Decimal("3.90"), count=12, computed_at=timezone.now())
    for seller in (trusted, average, unrated):
        make_listing(seller, category=shoes, title=f"Кроссовки {seller.pk}")
    url = reverse("catalog:category", args=[shoes.slug])

    four = client.get(url, {"seller_rating": "4"})
    three = client.get(url, {"seller_rating": "3"})

    assert "seller_rating" in four.context["filter_form"].fields
    assert [listing.seller_id for listing in four.context["listings"]] == [trusted.pk]
    assert {listing.seller_id for listing in three.context["listings"]} == {trusted.pk, average.pk}
    assert len(client.get(url).context["listings"]) == 3


def test_buyer_filters_by_how_soon_the_seller_ships(client, shoes):
    """Spec 32's delivery-speed filter, as the seller controls it: the handling time in days."""
    seller = make_seller()
    for days in (0, 1, 2, 5):
        listing = make_listing(seller, category=shoes, title=f"Кроссовки {days}")
        Listing.objects.filter(pk=listing.pk).update(handling_days=days)
    url = reverse("catalog:category", args=[shoes.slug])

    today = client.get(url, {"dispatch": "0"})
    within_3 = client.get(url, {"dispatch": "3"}, HTTP_ACCEPT_LANGUAGE="ru")

    assert [listing.title for listing in today.context["listings"]] == ["Кроссовки 0"]
    assert {listing.title for listing in within_3.context["listings"]} == {"Кроссовки 0", "Кроссовки 1", "Кроссовки 2"}
    html = within_3.content.decode()
    assert '<label class="form-label" for="f-dispatch">Продавец отправит</label>' in html
    assert '<option value="3" selected>В течение 3 дней</option>' in html


def test_seller_rating_filter_rejects_values_it_does_not_offer(client, shoes):
    make_listing(make_seller(), category=shoes)

    response = client.get(reverse("catalog:category", args=[shoes.slug]), {"seller_rating": "5abc"})

    assert response.status_code == 200
    assert len(response.context["listings"]) == 1  # an invalid filter is ignored, the page still lists goods
    assert response.context["filter_form"].errors["seller_rating"]


@pytest.mark.parametrize("plans", ["custom", "generic"])
def test_each_facet_counts_every_filter_but_its_own(client, shoes, plans):
    """Colour, material and brand ticked at once: each facet's counts equal a brute-force count.

    Also with the generic plan PostgreSQL may move the prepared facet pass to after five runs.
    """
    if plans == "generic":
        with connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")  # undone with the test's transaction
    AttributeFactory(
        category=shoes,
        code="material",
        name="Материал",
        type="multi_choice",
        options=["Кожа", "Текстиль", "Замша"],
        is_filterable=True,
    )
    seller = make_seller()
    rows = [
        ("Белый", ["Кожа"], "Alfa", "990"),
        ("Белый", ["Текстиль", "Кожа"], "Beta", "1990"),
        ("Чёрный", ["Кожа"], "Alfa", "2990"),
        ("Чёрный", ["Замша"], "Beta", "990"),
        ("Чёрный", ["Текстиль"], "Gamma", "1490"),
        ("Белый", ["Замша"], "Gamma", "5990"),  # left out by the price filter everywhere
        ("Белый", None, "Alfa", "1290"),  # no material given: counts only where material is not required
    ]
    for index, (color, material, brand, price) in enumerate(rows):
        make_listing(
            seller,
            category=shoes,
            title=f"Пара {index}",
            price=price,
            brand=brand,
            attributes={"color": color, **({"material": material} if material else {})},
        )
    chosen = {"color": {"Белый"}, "material": {"Кожа"}, "brand": {"alfa", "beta"}}
    params = {"a_color": ["Белый"], "a_material": ["Кожа"], "brand": ["alfa", "beta"], "price_max": "3000"}

    response = client.get(reverse("catalog:category", args=[shoes.slug]), params)

    def matches(row, leave_out):
        color, material, brand, price = row
        return (
            int(price) <= 3000
            and (leave_out == "color" or color in chosen["color"])
            and (leave_out == "material" or chosen["material"] & set(material or []))
            and (leave_out == "brand" or brand.lower() in chosen["brand"])
        )

    result = response.context["result"]
    assert result.total == sum(1 for row in rows if matches(row, None)) == 2
    facets = {facet.code: {value: count for value, _label, count, _sel in facet.values} for facet in result.facets}
    expected_colors = {}
    expected_materials = {}
    expected_brands = {}
    for row in rows:
        if matches(row, "color"):
            expected_colors[row[0]] = expected_colors.get(row[0], 0) + 1
        if matches(row, "material"):
            for material in row[1] or []:
                expected_materials[material] = expected_materials.get(material, 0) + 1
        if matches(row, "brand"):
            expected_brands[row[2]] = expected_brands.get(row[2], 0) + 1
    assert facets["color"] == expected_colors == {"Белый": 2, "Чёрный": 1}
    assert facets["material"] == expected_materials
    brands = {name: count for _slug, name, count, _sel in result.brand_facet.values}
    assert brands == expected_brands


def test_a_category_pages_facet_pass_is_prepared_with_the_statuses_written_in(client, shoes):
    """Planned once per connection and shape; the statuses in the statement let a generic plan use the partial
    index listing_cat_browse (WHERE status = 'published'). A search's and a storefront's pass are left unprepared."""
    listing = make_listing(make_seller(), category=shoes, attributes={"color": "Белый"})
    passes = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("WITH rows AS MATERIALIZED"):
            passes.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        client.get(reverse("catalog:category", args=[shoes.slug]), {"a_color": ["Белый"], "price_max": "5000"})
        client.get(reverse("catalog:search"), {"q": "кеды", "category": shoes.slug, "sort": "price"})
        client.get(reverse("sellers:storefront", args=[listing.seller.storefront.slug]))

    (category_sql, category_params), (_search_sql, search_params), (_storefront_sql, storefront_params) = passes
    assert '"catalog_listing"."status" = \'published\'' in category_sql
    assert not any(isinstance(value, Enum) for value in category_params)
    assert shoes.pk in category_params  # the category and the filters' values stay parameters
    assert any(isinstance(value, Enum) for value in search_params)
    assert any(isinstance(value, Enum) for value in storefront_params)  # a seller's listings: left unprepared


def test_brand_facet_shows_the_thirty_most_frequent_brands_ties_at_the_cut_by_name(client, shoes):
    seller = make_seller()
    for index in range(29):
        for _ in range(2):
            make_listing(seller, category=shoes, brand=f"Марка {index:02}")
    for name in ("Гамма", "Альфа", "Бета"):  # one listing each: only the first of them by name makes the thirty
        make_listing(seller, category=shoes, brand=name)
    make_listing(seller, category=shoes)  # no brand: counted in the total, never as a brand

    result = client.get(reverse("catalog:category", args=[shoes.slug])).context["result"]

    shown = [(name, count) for _slug, name, count, _selected in result.brand_facet.values]
    assert result.total == 62
    assert shown == [(f"Марка {index:02}", 2) for index in range(29)] + [("Альфа", 1)]


def test_rating_filters_are_labelled_selects_that_keep_the_choice(client, shoes):
    make_listing(make_seller(), category=shoes)

    page = client.get(reverse("catalog:category", args=[shoes.slug]), {"seller_rating": "4"}).content.decode()

    for name in ("rating", "seller_rating"):
        assert f'<label class="form-label" for="f-{name}">' in page
        assert f'<select class="form-select form-select-sm" id="f-{name}" name="{name}">' in page
    assert '<option value="4" selected>' in page


def test_similar_shelf_is_the_categorys_most_popular_listings_but_this_one(shoes):
    from catalog import selectors

    seller = make_seller()
    first, second, third = (
        make_listing(seller, category=shoes, title=f"Кроссовки {orders}", orders_30d=orders) for orders in (30, 20, 10)
    )

    assert [item.pk for item in selectors.similar_listings(listing=first, limit=2)] == [second.pk, third.pk]
    assert [item.pk for item in selectors.similar_listings(listing=third, limit=2)] == [first.pk, second.pk]


def test_similar_shelf_is_read_once_per_category_while_fresh(shoes, settings, django_assert_num_queries):
    from catalog import selectors

    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 60
    seller = make_seller()
    first, second = (make_listing(seller, category=shoes, title=f"Кроссовки {n}", orders_30d=n) for n in (2, 1))
    selectors.similar_listings(listing=first)

    with django_assert_num_queries(0):
        shelf = selectors.similar_listings(listing=second)

    assert [item.pk for item in shelf] == [first.pk]


def test_similar_shelf_is_read_every_time_when_shelves_are_not_kept(shoes, settings):
    from catalog import selectors

    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 0
    seller = make_seller()
    first = make_listing(seller, category=shoes, title="Кроссовки 1", orders_30d=1)
    assert selectors.similar_listings(listing=first) == []

    newer = make_listing(seller, category=shoes, title="Кроссовки 2", orders_30d=5)

    assert [item.pk for item in selectors.similar_listings(listing=first)] == [newer.pk]


def test_kept_home_shelves_of_different_sizes_are_kept_apart(shoes, settings):
    from catalog import selectors

    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 60
    seller = make_seller()
    for orders in (3, 2):
        make_listing(seller, category=shoes, title=f"Кроссовки {orders}", orders_30d=orders)

    assert len(selectors.home_sections(limit=1)["popular"]) == 1
    assert len(selectors.home_sections(limit=2)["popular"]) == 2


def test_home_popular_shelf_holds_only_listings_bought_in_the_last_30_days(shoes, settings):
    from catalog import selectors

    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 0
    seller = make_seller()
    bought = make_listing(seller, category=shoes, title="Кроссовки купленные", orders_30d=4)
    make_listing(seller, category=shoes, title="Кроссовки новые", orders_30d=0)

    assert [card.pk for card in selectors.home_sections()["popular"]] == [bought.pk]


def _expected_order(listings, sort):
    """The listings in a sort's order, computed here in Python from SORTS (the reference for the page's keys)."""
    from catalog.filters import SORTS

    def key(listing):
        parts = []
        for name in SORTS[sort][1]:
            value = getattr(listing, name.lstrip("-"))
            value = value.timestamp() if hasattr(value, "timestamp") else value
            parts.append(-value if name.startswith("-") else value)
        return parts

    return [listing.pk for listing in sorted(listings, key=key)]


@pytest.mark.parametrize("sort", ["popular", "rating", "price", "-price", "new", "discount"])
def test_every_sort_pages_through_facet_filtered_results_in_order(client, shoes, settings, sort):
    """The page's keys come from the facet pass: every page of every sort holds exactly the right listings."""
    from catalog.models import Listing

    settings.MARKETPLACE_CATALOG_PAGE_SIZE = 2
    seller = make_seller()
    for index in range(8):
        color = "Белый" if index % 3 else "Чёрный"
        make_listing(
            seller,
            category=shoes,
            title=f"Кеды {index}",
            price=str(100 + (index * 37) % 7 * 10),
            attributes={"color": color},
            orders_30d=index % 4,
        )
    make_listing(seller, category=shoes, title="Дорогие", price="99999", attributes={"color": "Белый"})
    for index, listing in enumerate(Listing.objects.order_by("pk")):
        Listing.objects.filter(pk=listing.pk).update(
            rating_avg=Decimal(index % 3), rating_count=index % 2, discount_percent=(index * 5) % 3 * 10
        )
    matching = [
        listing for listing in Listing.objects.all() if listing.attributes["color"] == "Белый" and listing.price < 1000
    ]
    expected = _expected_order(matching, sort)
    url = reverse("catalog:category", args=[shoes.slug])

    shown = []
    for page in (1, 2, 3):
        response = client.get(url, {"a_color": "Белый", "price_max": "1000", "sort": sort, "page": page})
        shown += [listing.pk for listing in response.context["listings"]]

    assert len(expected) == 5
    assert shown == expected
    assert response.context["result"].total == 5


def test_a_page_past_the_end_and_a_capped_count_still_show_the_right_listings(client, shoes, settings):
    """Past the last page the buyer gets the last one; when the facet pass stops at its row limit the page is
    read by its own query, in the same order."""
    settings.MARKETPLACE_CATALOG_PAGE_SIZE = 2
    seller = make_seller()
    listings = [
        make_listing(
            seller, category=shoes, title=f"Кеды {index}", price=str(100 + index), attributes={"color": "Белый"}
        )
        for index in range(5)
    ]
    url = reverse("catalog:category", args=[shoes.slug])

    past_the_end = client.get(url, {"sort": "price", "page": 9})
    settings.MARKETPLACE_CATALOG_COUNT_LIMIT = 4  # "more than 4": the pass stops after 5 rows, all matching
    with CaptureQueriesContext(connection) as queries:
        capped = client.get(url, {"sort": "price", "page": 2})
    settings.MARKETPLACE_CATALOG_COUNT_LIMIT = 5  # the pass reads all 5 rows: an exact count of 5
    exact = client.get(url, {"sort": "price", "page": 3})

    assert [listing.pk for listing in past_the_end.context["listings"]] == [listings[4].pk]
    assert past_the_end.context["result"].page == 3
    assert [listing.pk for listing in capped.context["listings"]] == [listings[2].pk, listings[3].pk]
    assert capped.context["result"].total == 4
    assert capped.context["result"].total_is_exact is False
    assert not [query for query in queries if query["sql"].startswith("SELECT COUNT(*)")]  # the pass proved it
    assert (exact.context["result"].total, exact.context["result"].total_is_exact) == (5, True)
    assert [listing.pk for listing in exact.context["listings"]] == [listings[4].pk]


def test_a_page_of_cards_is_read_in_the_order_asked_and_matches_the_card_of_the_listing(shoes):
    from catalog.models import Listing
    from catalog.selectors.listings import Card, card_queryset, cards_in_order

    seller = make_seller(name="Лавка кроссовок")
    with_photo = make_listing(seller, category=shoes, title="С фото", price="2490.00")
    without_photo = make_listing(seller, category=shoes, title="Без фото", photos=0, status=ListingStatus.DRAFT)
    Listing.objects.filter(pk=with_photo.pk).update(old_price=Decimal("2990.00"), discount_percent=17)

    cards = cards_in_order([without_photo.pk, 999_999_999, with_photo.pk])

    assert [card.pk for card in cards] == [without_photo.pk, with_photo.pk]  # a key no longer there is skipped
    loaded = card_queryset(Listing.objects.all()).in_bulk([without_photo.pk, with_photo.pk])
    assert cards == [Card.of(loaded[without_photo.pk]), Card.of(loaded[with_photo.pk])]
    assert cards[1].seller_name == "Лавка кроссовок"
    assert cards[1].old_price == Decimal("2990.00")
    assert cards[1].photo_url.startswith("/media/listings/")
    assert (cards[0].photo, cards[0].photo_url) == ("", "")
    assert cards_in_order([]) == []


def test_facet_checkboxes_are_labelled_escaped_and_keep_the_choice(client, shoes):
    seller = make_seller()
    make_listing(seller, category=shoes, title="Пара 1", brand="<b>Злой</b> & Co", attributes={"color": "Белый"})
    make_listing(seller, category=shoes, title="Пара 2", brand="Alfa", attributes={"color": "Белый"})
    make_listing(seller, category=shoes, title="Пара 3", brand="Alfa", attributes={"color": "Чёрный"})

    unfiltered = client.get(reverse("catalog:category", args=[shoes.slug])).content.decode()
    page = client.get(reverse("catalog:category", args=[shoes.slug]), {"a_color": "Чёрный"}).content.decode()

    assert "<b>Злой</b>" not in unfiltered
    assert "&lt;b&gt;Злой&lt;/b&gt; &amp; Co" in unfiltered
    # the colour facet: every value with its count, the chosen one checked, each input with its own label
    white = (
        '<input class="form-check-input" type="checkbox" id="f-color-1" name="a_color" value="Белый">'
        '<label class="form-check-label" for="f-color-1">Белый <span class="facet-count">2</span></label>'
    )
    black = (
        '<input class="form-check-input" type="checkbox" id="f-color-2" name="a_color" value="Чёрный" checked>'
        '<label class="form-check-label" for="f-color-2">Чёрный <span class="facet-count">1</span></label>'
    )
    assert white in page
    assert black in page
    # brands are counted under the colour filter: only Alfa's black pair is left
    assert (
        'name="brand" value="alfa"><label class="form-check-label" for="f-brand-1">Alfa <span class="facet-count">1'
        in page
    )
    assert "Злой" not in page


# The template the chip tags replaced, kept to show they give exactly its output.
CHIPS_AS_TEMPLATE = (
    "{% url 'catalog:search' as search_url %}{% with searched=query|urlencode %}"
    "{% for node, count in category_facet %}<li>{% if node.id == current_id %}"
    '<span class="chip chip--current" aria-current="true">{{ node.name }} <span class="facet-count">{{ count }}</span>'
    '</span>{% else %}<a class="chip" href="{{ search_url }}?q={{ searched }}&amp;category={{ node.slug }}">'
    '{{ node.name }} <span class="facet-count">{{ count }}</span></a>{% endif %}</li>{% endfor %}{% endwith %}|'
    '{% for slug, name, count in seller_facet %}<li><a class="chip" href="{% querystring seller=slug page=None %}">'
    '{{ name }} <span class="facet-count">{{ count }}</span></a></li>{% endfor %}'
)


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("кроссовки", {"q": "кроссовки"}),
        ('"<script>alert(1)</script>" & 10/20 %', {"q": "x&y", "page": "3", "brand": ["nike", "b&c"]}),
        ("a b", {"seller": "old-shop", "page": "2", "sort": "cheap", "q": "a b"}),
        ("", {}),
    ],
)
def test_search_chips_give_exactly_what_the_template_gave_escaped(rf, query, params):
    nodes = [
        SimpleNamespace(id=1, name="Обувь <b>&</b>", slug="obuv"),
        SimpleNamespace(id=2, name='Кеды "Лето"', slug="kedy-2"),
    ]
    category_facet = [(nodes[0], 12000), (nodes[1], 7)]
    seller_facet = [("shop-1", "Лавка <i>&</i>", 1500), ("shop-2", "Магазин №2", 3)]
    request = rf.get("/search/", params)
    for current_id in (None, 2):
        context = Context(
            {
                "request": request,
                "query": query,
                "current_id": current_id,
                "category_facet": category_facet,
                "seller_facet": seller_facet,
            }
        )
        context.request = request
        expected = Template("{% load l10n %}" + CHIPS_AS_TEMPLATE).render(context)
        got = f"{category_chips(category_facet, query, current_id)}|{seller_chips(context, seller_facet)}"
        assert got == expected
        for unsafe in ("<b>", "<i>", "<script>"):
            assert unsafe not in got
    assert "page=" not in got
    assert 'href="?' in got


def test_number_and_yes_no_attributes_get_their_own_inputs_in_the_sidebar(client, shoes):
    AttributeFactory(category=shoes, code="waterproof", name="Непромокаемые", type="boolean", is_filterable=True)
    make_listing(make_seller(), category=shoes, attributes={"color": "Белый", "size": 42, "waterproof": True})

    page = client.get(reverse("catalog:category", args=[shoes.slug]), {"a_size_min": "40", "a_waterproof": "true"})
    content = page.content.decode()

    assert 'type="number" step="any" id="id_a_size_min" name="a_size_min" value="40"' in content
    assert 'id="id_a_size_max" name="a_size_max" value=""' in content
    assert 'type="checkbox" id="id_a_waterproof" name="a_waterproof" value="true" checked' in content
    assert '<label class="form-check-label" for="id_a_waterproof">Непромокаемые</label>' in content
    assert [listing.title for listing in page.context["listings"]] == ["Кроссовки беговые"]


@pytest.mark.parametrize("seller_status", ["active", "warned", "restricted", "suspended", "terminated"])
@pytest.mark.parametrize("offer_paused", [False, True])
def test_the_listing_page_shows_exactly_what_the_catalogue_shows(client, shoes, seller_status, offer_paused):
    """The page reads visibility from the row and its seller; it must agree with Listing.objects.published()."""
    from catalog.models import Listing
    from sellers.models import Seller

    seller = make_seller()
    published = make_listing(seller, category=shoes, title="На продаже")
    paused = make_listing(seller, category=shoes, title="На паузе", status=ListingStatus.PAUSED)
    Seller.objects.filter(pk=seller.pk).update(status=seller_status, offer_paused=offer_paused)

    for listing in (published, paused):
        in_catalogue = Listing.objects.published().filter(pk=listing.pk).exists()
        status = client.get(listing.get_absolute_url()).status_code
        assert status == (200 if in_catalogue else 404), (listing.title, seller_status, offer_paused)
    assert Listing.objects.published().filter(pk=published.pk).exists() == (
        seller_status in ("active", "warned", "restricted") and not offer_paused
    )


def test_the_listing_page_reads_a_fixed_set_of_queries_and_no_field_it_left_out(client, shoes, user, settings):
    """Every query the anonymous listing page makes, by name: a deferred field read later would add one."""
    from catalog import services

    seller = make_seller(name="Обувь у дома")
    listing = make_listing(seller, category=shoes, photos=2)
    user.first_name = "Анна"
    user.save()
    question = services.ask_question(listing=listing, author=user, text="Какая длина стельки у 42 размера?")
    services.answer_question(question=question, actor=seller.user, text="27 сантиметров.")
    settings.MARKETPLACE_CATALOG_TREE_CHECK_SECONDS = 60  # as in production: the tree is not asked about every time
    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 60  # nor the category's "similar" shelf
    client.get(listing.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        content = client.get(listing.get_absolute_url()).content.decode()

    tables = [query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in queries.captured_queries]
    assert tables == [
        "catalog_listing",  # the listing with its seller, storefront and brand
        "catalog_variant",
        "catalog_listingphoto",
        "catalog_listingquestion",  # with the author's first name
        "reviews_sellerrating",
        "orders_deliverymethod",  # the seller's delivery methods, with cost and dates
        "orders_sellerreturnpolicy",
        "reviews_productreview",  # no rating aggregate: the listing counts no reviews yet
    ]
    assert "Обувь у дома" in content
    assert "Анна" in content
    assert "27 сантиметров." in content


def test_a_listing_for_its_page_comes_with_seller_storefront_brand_variants_and_photos_without_more_queries(shoes):
    from catalog import selectors

    seller = make_seller(name="Кеды и точка")
    listing = make_listing(seller, category=shoes, brand="Беговой", photos=2)

    with CaptureQueriesContext(connection) as queries:
        loaded = selectors.listing_for_page(pk=listing.pk)
        shown = (
            loaded.seller.storefront.name,
            loaded.brand.name,
            [variant.listing.pk for variant in loaded.page_variants],
            [photo.listing.pk for photo in loaded.live_photos],
        )
    assert len(queries) == 3  # the listing with its seller, storefront and brand; its variants; its photos
    assert shown[:2] == ("Кеды и точка", "Беговой")
    assert shown[2] == [listing.pk] * listing.variants.filter(is_active=True).count()
    assert len(shown[3]) == 2
    assert not hasattr(loaded, "is_preview")


def test_a_listing_without_a_brand_loads_for_its_page_with_none(shoes):
    from catalog import selectors

    listing = make_listing(make_seller(), category=shoes)
    assert selectors.listing_for_page(pk=listing.pk).brand is None
    assert selectors.listing_for_page(pk=10**12) is None


@pytest.mark.parametrize(
    "name",
    [
        "listings/12/grid/3f2a-b_c.webp",
        "listings/12/photo.jpg",
        "a",
        "listings/12/фото.webp",  # quoted by the storage
        "listings/12/my photo.webp",
        "listings/../secret.webp",
        "./listings/x.webp",
        "/listings/x.webp",
        "listings/x.webp?v=1",
        "http://example.com/x.webp",
    ],
)
def test_a_cards_photo_address_is_what_the_storage_gives(name, settings):
    from django.core.files.storage import default_storage

    from catalog.selectors.listings import stored_file_url

    settings.MEDIA_URL = "/media/"
    assert stored_file_url(default_storage, name) == default_storage.url(name)


def test_a_storage_with_its_own_addresses_is_asked_for_each_photo():
    from django.core.files.storage import FileSystemStorage

    from catalog.selectors.listings import stored_file_url

    class Signed(FileSystemStorage):
        def url(self, name):
            return f"https://cdn.example.com/{name}?signature=1"

    assert stored_file_url(Signed(), "listings/1/a.webp") == "https://cdn.example.com/listings/1/a.webp?signature=1"
