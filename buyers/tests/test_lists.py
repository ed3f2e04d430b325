import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buyers import selectors, services
from buyers.models import Favourite, Follow, RecentlyViewed
from catalog.models import ListingStatus
from catalog.tests.factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(db):
    return make_listing(make_seller(), category=CategoryFactory(name="Чайники"), title="Чайник стеклянный")


def test_buyer_adds_and_removes_a_favourite_with_htmx(client, user, listing):
    client.force_login(user)
    url = reverse("buyers:favourite-toggle", args=[listing.pk])

    added = client.post(url, {"action": "add"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in added.content.decode()
    assert Favourite.objects.get(user=user).notified_price == listing.price

    removed = client.post(url, {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in removed.content.decode()
    assert not Favourite.objects.exists()


def test_favourite_without_javascript_redirects_back(client, user, listing):
    client.force_login(user)

    response = client.post(
        reverse("buyers:favourite-toggle", args=[listing.pk]), {"action": "add", "next": listing.get_absolute_url()}
    )

    assert response["Location"] == listing.get_absolute_url()


def test_next_parameter_cannot_send_the_buyer_to_another_site(client, user, listing):
    client.force_login(user)

    response = client.post(reverse("buyers:favourite-toggle", args=[listing.pk]), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("buyers:favourites")


def test_buyer_cannot_favourite_a_listing_that_is_not_on_sale(client, user):
    draft = make_listing(make_seller(), category=CategoryFactory(), status=ListingStatus.DRAFT)
    client.force_login(user)

    client.post(reverse("buyers:favourite-toggle", args=[draft.pk]), {"action": "add"})

    assert not Favourite.objects.exists()


def test_anonymous_visitor_is_asked_to_sign_in_for_favourites(client, listing):
    response = client.get(reverse("buyers:favourites"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_favourites_page_query_count_does_not_grow(client, user, listing):
    client.force_login(user)
    services.add_favourite(user=user, listing_id=listing.pk)
    url = reverse("buyers:favourites")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    seller = make_seller()
    for index in range(4):
        services.add_favourite(
            user=user, listing_id=make_listing(seller, category=CategoryFactory(), title=f"Товар {index}").pk
        )
    with CaptureQueriesContext(connection) as five:
        client.get(url)

    assert len(five) == len(one)


def test_recently_viewed_keeps_the_latest_ones(client, user, settings):
    settings.MARKETPLACE_CATALOG_RECENTLY_VIEWED = 3
    seller, category = make_seller(), CategoryFactory()
    listings = [make_listing(seller, category=category, title=f"Товар номер {index}") for index in range(5)]
    client.force_login(user)

    for listing in listings:
        client.get(listing.get_absolute_url())
    client.get(listings[1].get_absolute_url())

    assert [listing.pk for listing in selectors.recently_viewed(user=user)] == [
        listings[1].pk,
        listings[4].pk,
        listings[3].pk,
    ]
    assert RecentlyViewed.objects.count() == 3


def test_viewing_again_a_listing_on_a_full_list_moves_it_first_and_drops_nothing(user, settings):
    settings.MARKETPLACE_CATALOG_RECENTLY_VIEWED = 3
    seller, category = make_seller(), CategoryFactory()
    listings = [make_listing(seller, category=category, title=f"Товар номер {index}") for index in range(3)]
    for listing in listings:
        services.record_view(user=user, listing_id=listing.pk)

    services.record_view(user=user, listing_id=listings[0].pk)

    assert [listing.pk for listing in selectors.recently_viewed(user=user)] == [
        listings[0].pk,
        listings[2].pk,
        listings[1].pk,
    ]


def test_a_view_is_recorded_in_one_statement(user, django_assert_num_queries):
    listing = make_listing(make_seller(), category=CategoryFactory(), title="Товар")

    with django_assert_num_queries(1):
        services.record_view(user=user, listing_id=listing.pk)

    assert RecentlyViewed.objects.filter(user=user, listing=listing).exists()


def test_home_page_shelf_shows_the_buyers_latest_views_that_are_still_on_sale_in_a_fixed_number_of_queries(
    client, user
):
    seller, category = make_seller(), CategoryFactory()
    listings = [make_listing(seller, category=category, title=f"Товар номер {index}") for index in range(4)]
    client.force_login(user)
    client.get(listings[0].get_absolute_url())
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for listing in listings[1:]:
        client.get(listing.get_absolute_url())
    listings[2].status = ListingStatus.ARCHIVED
    listings[2].save(update_fields=["status"])

    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse("home")).content.decode()

    start = page.index('id="recent-title"')
    shelf = page[start : page.index("</section>", start)]
    shown = [title for title in (f"Товар номер {index}" for index in range(4)) if title in shelf]
    assert sorted(shown, key=shelf.index) == ["Товар номер 3", "Товар номер 1", "Товар номер 0"]
    assert len(three) == len(one)


def test_following_a_category_shows_its_new_listings(client, user):
    root = CategoryFactory(name="Кухня")
    leaf = CategoryFactory(name="Чайники", parent=root)
    new = make_listing(make_seller(), category=leaf, title="Чайник новый")
    client.force_login(user)

    client.post(reverse("buyers:follow", args=["category", root.pk]))
    page = client.get(reverse("buyers:following"))

    assert Follow.objects.filter(user=user, category=root).exists()
    assert new in page.context["listings"]


def test_following_twice_keeps_one_follow_and_unfollow_removes_it(client, user, listing):
    client.force_login(user)
    url = reverse("buyers:follow", args=["seller", listing.seller_id])

    client.post(url)
    client.post(url)
    assert Follow.objects.filter(user=user).count() == 1
    client.post(url, {"action": "unfollow"})

    assert not Follow.objects.exists()


def test_buyer_subscribes_to_back_in_stock_from_the_listing_page(client, user):
    listing = make_listing(make_seller(), category=CategoryFactory(), stock=0)
    client.force_login(user)

    page = client.get(listing.get_absolute_url()).content.decode()
    assert reverse("buyers:stock-alert-subscribe", args=[listing.variants.get().pk]) in page
    client.post(reverse("buyers:stock-alert-subscribe", args=[listing.variants.get().pk]))

    assert selectors.subscribed_variant_ids(user=user, listing_id=listing.pk) == {listing.variants.get().pk}


def test_back_in_stock_alerts_show_the_sellers_expected_restock_date(client, user):
    """Spec 40: the planned arrival date is shown in the buyer's back-in-stock subscriptions too."""
    listing = make_listing(make_seller(), category=CategoryFactory(), stock=0)
    arrival = timezone.localdate() + datetime.timedelta(days=5)
    listing.__class__.objects.filter(pk=listing.pk).update(restock_date=arrival)
    client.force_login(user)
    client.post(reverse("buyers:stock-alert-subscribe", args=[listing.variants.get().pk]))

    page = client.get(reverse("buyers:stock-alerts"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert f"Продавец ожидает поступление {arrival.day} " in page


# --- interest inferred from views (spec 23) ---------------------------------------------------------------


def _viewed(user, listings, *, days_ago: float = 0) -> None:
    from buyers.models import RecentlyViewed

    for listing in listings:
        services.record_view(user=user, listing_id=listing.pk)
    RecentlyViewed.objects.filter(user=user, listing__in=listings).update(
        viewed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_a_buyer_who_keeps_viewing_a_category_is_invited_to_follow_it(client, user):
    category, seller = CategoryFactory(name="Кроссовки"), make_seller()
    _viewed(user, [make_listing(seller, category=category, title=f"Кроссовки {n}") for n in range(3)])
    client.force_login(user)

    category_page = client.get(reverse("catalog:category", args=[category.slug]), HTTP_ACCEPT_LANGUAGE="ru")
    following = client.get(reverse("buyers:following"), HTTP_ACCEPT_LANGUAGE="ru")

    assert "Вы часто смотрите эту категорию" in category_page.content.decode()
    assert [suggested.pk for suggested in following.context["suggested"]] == [category.pk]
    assert "Категории, которые вы часто смотрите" in following.content.decode()


def test_few_or_old_views_and_a_followed_category_invite_nothing(client, user):
    seller = make_seller()
    glanced, long_ago, followed = (CategoryFactory(name=name) for name in ("Куртки", "Шапки", "Шарфы"))
    _viewed(user, [make_listing(seller, category=glanced, title=f"Куртка {n}") for n in range(2)])
    _viewed(user, [make_listing(seller, category=long_ago, title=f"Шапка {n}") for n in range(3)], days_ago=20)
    services.follow_category(user=user, category_id=followed.pk)
    _viewed(user, [make_listing(seller, category=followed, title=f"Шарф {n}") for n in range(3)])
    client.force_login(user)

    assert selectors.frequently_viewed_categories(user=user, followed=list(selectors.follows(user=user))) == []
    for category in (glanced, long_ago):
        page = client.get(reverse("catalog:category", args=[category.slug]), HTTP_ACCEPT_LANGUAGE="ru")
        assert "Вы часто смотрите эту категорию" not in page.content.decode()
