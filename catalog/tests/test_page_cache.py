"""The shared page cache (marketplace/core/pagecache.py) on the catalogue's public pages, against real Redis."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from catalog.models import Listing, ListingQuestion
from marketplace.core.pagecache import CSRF_PLACEHOLDER, NONCE_PLACEHOLDER

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(rb'nonce="([^"]+)"')


@pytest.fixture
def listing(db):
    category = CategoryFactory(name="Кроссовки")
    return make_listing(make_seller(), category=category, title="Кроссовки беговые")


def test_second_anonymous_visitor_gets_the_cached_listing_page(page_cache, listing):
    url = listing.get_absolute_url()
    first = Client().get(url)
    second = Client().get(url)
    assert first.status_code == second.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert "Кроссовки беговые" in second.content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_it_works(page_cache, listing):
    url = listing.get_absolute_url()
    Client().get(url)  # rendered and stored for someone else
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Page-Cache"] == "hit"
    tokens = set(TOKEN.findall(page.content))
    assert tokens
    assert CSRF_PLACEHOLDER.encode() not in page.content
    assert "csrftoken" in page.cookies
    variant = listing.variants.first()
    added = visitor.post(
        reverse("orders:cart-add"), {"variant": variant.pk, "csrfmiddlewaretoken": tokens.pop().decode()}
    )
    assert added.status_code in (200, 302)  # not 403: the token matches this visitor's cookie
    cart = visitor.get(reverse("orders:cart"))
    assert "Кроссовки беговые" in cart.content.decode()


def test_cached_page_carries_the_csp_nonce_of_the_request_that_reads_it(page_cache, listing):
    url = listing.get_absolute_url()
    Client().get(url)
    page = Client().get(url)
    assert page["X-Page-Cache"] == "hit"
    nonces = set(NONCE.findall(page.content))
    assert len(nonces) == 1
    assert NONCE_PLACEHOLDER.encode() not in page.content
    assert f"'nonce-{nonces.pop().decode()}'" in page["Content-Security-Policy"]


def _signed_in(user) -> Client:
    visitor = Client()
    visitor.force_login(user)
    visitor.get(reverse("home"))  # the first request after a login notes the accepted terms in the session
    return visitor


def test_signed_in_buyer_gets_the_shared_page_with_their_own_header(page_cache, listing, user):
    url = listing.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    page = _signed_in(user).get(url)
    assert page["X-Page-Cache"] == "hit"
    body = page.content.decode()
    assert user.email in body  # the account menu
    assert reverse("account_logout") in body
    assert reverse("catalog:question-ask", args=[listing.pk]) in body  # signed in: the question form
    assert "Кроссовки беговые" in body


def test_a_visitors_personal_parts_never_reach_the_next_visitor(page_cache, listing, user, other_user):
    from buyers import services as buyer_services

    buyer_services.add_favourite(user=user, listing_id=listing.pk)
    url = listing.get_absolute_url()
    first = _signed_in(user).get(url)
    assert first["X-Page-Cache"] == "miss"
    assert user.email in first.content.decode()
    assert 'name="action" value="remove"' in first.content.decode()  # in her favourites

    anonymous = Client().get(url)
    assert anonymous["X-Page-Cache"] == "hit"
    body = anonymous.content.decode()
    assert user.email not in body
    assert "Алиса" not in body
    assert reverse("account_login") in body
    assert reverse("catalog:question-ask", args=[listing.pk]) not in body
    assert 'name="action" value="remove"' not in body

    other = _signed_in(other_user).get(url)
    assert other["X-Page-Cache"] == "hit"
    body = other.content.decode()
    assert other_user.email in body
    assert user.email not in body
    assert 'name="action" value="add"' in body  # not in his favourites


def test_shared_page_holds_markers_not_anyones_parts(page_cache, listing, user):
    from django.core.cache import caches

    from marketplace.core.pagecache import _marker_prefix, cache_key

    page = _signed_in(user).get(listing.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    _status, _headers, body = caches["pages"].get(cache_key(page.wsgi_request))
    assert _marker_prefix().encode() in body
    assert user.email.encode() not in body
    assert _marker_prefix().encode() not in page.content


def test_text_that_looks_like_a_marker_is_shown_as_text(page_cache, user):
    title = "Кеды <!--mp-part:0123456789abcdef0123:W10=-->"
    listing = make_listing(make_seller(), category=CategoryFactory(), title=title)
    Client().get(listing.get_absolute_url())
    page = Client().get(listing.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    assert "Кеды &lt;!--mp-part:0123456789abcdef0123:W10=--&gt;" in page.content.decode()


def test_a_shared_listing_page_still_records_the_buyers_view(page_cache, listing, user):
    from buyers import selectors as buyer_selectors

    url = listing.get_absolute_url()
    Client().get(url)
    assert _signed_in(user).get(url)["X-Page-Cache"] == "hit"
    assert [item.pk for item in buyer_selectors.recently_viewed(user=user)] == [listing.pk]
    home = _signed_in(user).get(reverse("home"))
    assert "You viewed" in home.content.decode() or "Вы смотрели" in home.content.decode()


def test_back_in_stock_alert_is_personal_on_a_shared_page(page_cache, user):
    from buyers import services as buyer_services

    listing = make_listing(make_seller(), category=CategoryFactory(), stock=0)
    url = listing.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    buyer_services.subscribe_back_in_stock(user=user, variant_id=listing.variants.get().pk)
    page = _signed_in(user).get(url)
    assert page["X-Page-Cache"] == "hit"
    assert "Мы сообщим, когда товар снова появится в наличии." in page.content.decode()
    anonymous = Client().get(url).content.decode()
    assert reverse("buyers:stock-alert-subscribe", args=[listing.variants.get().pk]) not in anonymous
    assert reverse("account_login") + "?next=" in anonymous


def test_category_follow_button_is_personal(page_cache, listing, user):
    from buyers import services as buyer_services

    url = reverse("catalog:category", args=[listing.category.slug])
    assert Client().get(url)["X-Page-Cache"] == "miss"
    buyer_services.follow_category(user=user, category_id=listing.category_id)
    page = _signed_in(user).get(url)
    assert page["X-Page-Cache"] == "hit"
    assert 'name="action" value="unfollow"' in page.content.decode()
    assert 'value="unfollow"' not in Client().get(url).content.decode()


def test_seller_team_and_staff_get_live_pages(page_cache, listing, moderator):
    url = listing.get_absolute_url()
    Client().get(url)
    seller = _signed_in(listing.seller.user).get(url)
    assert "X-Page-Cache" not in seller
    assert reverse("orders:cart-add") not in seller.content.decode()  # the seller does not buy their own goods
    staff = _signed_in(moderator).get(url)
    assert "X-Page-Cache" not in staff


def test_a_team_member_without_a_seller_of_their_own_gets_live_pages(page_cache, listing, other_user):
    from sellers.models import TeamMember, TeamRole

    url = listing.get_absolute_url()
    Client().get(url)
    TeamMember.objects.create(seller=listing.seller, user=other_user, role=TeamRole.WAREHOUSE)

    assert "X-Page-Cache" not in _signed_in(other_user).get(url)


def test_a_signed_in_buyers_shared_page_asks_once_whether_they_work_for_a_seller(page_cache, listing, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = listing.get_absolute_url()
    Client().get(url)
    buyer = _signed_in(user)

    with CaptureQueriesContext(connection) as queries:
        page = buyer.get(url)

    assert page["X-Page-Cache"] == "hit"
    asked = [query["sql"] for query in queries if "sellers_teammember" in query["sql"]]
    assert len(asked) == 1  # the header's messages badge reuses the answer
    assert "sellers_seller" in asked[0]
    assert "LEFT OUTER JOIN" not in asked[0]  # two index probes: a join of sellers and teams read every seller


def test_visitor_with_a_cart_gets_the_shared_page_with_their_cart_count(page_cache, listing):
    url = listing.get_absolute_url()
    Client().get(url)
    visitor = Client()
    visitor.post(reverse("orders:cart-add"), {"variant": listing.variants.first().pk})
    assert django_settings.SESSION_COOKIE_NAME in visitor.cookies
    visitor.get(reverse("orders:cart"))  # the flash message of the addition is shown and gone
    page = visitor.get(url)
    assert page["X-Page-Cache"] == "hit"
    assert re.search(r'<span class="count-badge">1</span>', page.content.decode())


def test_visitor_with_a_flash_message_waiting_gets_a_fresh_page(page_cache, listing):
    url = listing.get_absolute_url()
    Client().get(url)
    visitor = Client()
    visitor.post(reverse("orders:cart-add"), {"variant": listing.variants.first().pk})
    page = visitor.get(url)  # the message of the addition is waiting for this page
    assert "X-Page-Cache" not in page


def test_languages_are_cached_separately(page_cache, listing):
    url = listing.get_absolute_url()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru").get(url)
    assert russian["X-Page-Cache"] == "miss"
    assert english.content != russian.content
    assert Client(HTTP_ACCEPT_LANGUAGE="ru").get(url)["X-Page-Cache"] == "hit"


def test_search_and_category_pages_are_cached_per_query(page_cache, listing):
    search = reverse("catalog:search")
    assert Client().get(search, {"q": "кроссовки"})["X-Page-Cache"] == "miss"
    assert Client().get(search, {"q": "кроссовки"})["X-Page-Cache"] == "hit"
    assert Client().get(search, {"q": "кеды"})["X-Page-Cache"] == "miss"
    category = reverse("catalog:category", args=[listing.category.slug])
    assert Client().get(category)["X-Page-Cache"] == "miss"
    assert Client().get(category, {"sort": "price_asc"})["X-Page-Cache"] == "miss"
    assert Client().get(category)["X-Page-Cache"] == "hit"


def test_missing_pages_and_redirects_are_not_stored(page_cache, listing):
    missing = Client().get(reverse("catalog:listing-detail", kwargs={"pk": 10**9, "slug": "none"}))
    assert missing.status_code == 404
    wrong_slug = reverse("catalog:listing-detail", kwargs={"pk": listing.pk, "slug": "old-slug"})
    assert Client().get(wrong_slug).status_code == 301
    again = Client().get(wrong_slug)
    assert again.status_code == 301
    assert "X-Page-Cache" not in again


def test_page_is_rendered_without_cache_when_redis_is_down(settings, listing, monkeypatch):
    from marketplace.core import pagecache

    monkeypatch.setattr(pagecache, "_paused_until", 0.0)
    settings.MARKETPLACE_PAGE_CACHE_SECONDS = 30
    dead = dict(django_settings.CACHES["pages"], LOCATION="redis://127.0.0.1:9/0")
    settings.CACHES = {**django_settings.CACHES, "pages": dead}
    page = Client().get(listing.get_absolute_url())
    assert page.status_code == 200
    assert "Кроссовки беговые" in page.content.decode()
    assert CSRF_PLACEHOLDER not in page.content.decode()
    # the process stops asking Redis for a while instead of paying a timeout on every page
    assert pagecache._paused_until > 0
    again = Client().get(listing.get_absolute_url())
    assert again.status_code == 200
    assert "X-Page-Cache" not in again


def test_cache_off_when_timeout_is_zero(settings, listing):
    settings.MARKETPLACE_PAGE_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in Client().get(listing.get_absolute_url())


def test_a_change_reaches_anonymous_visitors_after_the_timeout(page_cache, listing, settings):
    url = listing.get_absolute_url()
    Client().get(url)
    Listing.objects.filter(pk=listing.pk).update(title="Кроссовки обновлённые")
    assert "Кроссовки беговые" in Client().get(url).content.decode()  # within the timeout: the cached page
    settings.MARKETPLACE_PAGE_CACHE_SECONDS = 0
    assert "Кроссовки обновлённые" in Client().get(url).content.decode()


def test_storefront_is_cached_for_anonymous_visitors(page_cache, listing):
    url = reverse("sellers:storefront", args=[listing.seller.storefront.slug])
    first = Client().get(url)
    second = Client().get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert listing.title in second.content.decode()


def test_each_host_gets_its_own_cached_pages(page_cache, listing, settings):
    settings.ALLOWED_HOSTS = ["shop.example", "www.shop.example"]
    url = listing.get_absolute_url()
    first = Client(HTTP_HOST="shop.example").get(url)
    other = Client(HTTP_HOST="www.shop.example").get(url)
    assert first["X-Page-Cache"] == "miss"
    assert other["X-Page-Cache"] == "miss"
    assert "http://www.shop.example/" in other.content.decode()
    assert "http://shop.example/" not in other.content.decode()


def _header_renders(response) -> int:
    return sum(1 for template in response.templates if template.name == "components/_header_account.html")


def test_anonymous_header_is_rendered_once_per_sign_in_link_and_cart_count_then_reused(page_cache, listing):
    url = listing.get_absolute_url()
    first = Client().get(url)
    again = Client().get(url)
    elsewhere = Client().get(reverse("catalog:search") + "?q=krossovki")

    assert _header_renders(first) == 1
    assert _header_renders(again) == 0  # the process kept it: the same link and an empty cart
    assert f'href="/accounts/login/?next={url}"' in again.content.decode()
    assert _header_renders(elsewhere) == 1  # another page, another sign-in link
    assert 'href="/accounts/login/?next=/search/%3Fq%3Dkrossovki"' in elsewhere.content.decode()


def test_anonymous_visitors_with_and_without_a_cart_each_get_their_own_header(page_cache, listing):
    url = listing.get_absolute_url()
    buyer = Client()
    buyer.post(reverse("orders:cart-add"), {"variant": listing.variants.first().pk})
    buyer.get(reverse("orders:cart"))  # the flash message of the addition is shown and gone

    assert 'class="count-badge"' not in Client().get(url).content.decode()
    assert '<span class="count-badge">1</span>' in buyer.get(url).content.decode()
    assert 'class="count-badge"' not in Client().get(url).content.decode()


def test_signed_in_header_is_never_taken_from_the_anonymous_one(page_cache, listing, user):
    url = listing.get_absolute_url()
    Client().get(url)
    signed_in = _signed_in(user).get(url)

    html = signed_in.content.decode()
    assert user.email in html
    assert "/accounts/login/?next=" not in html


def test_signed_in_header_is_rendered_once_per_user_and_counts_then_reused(page_cache, listing, user, other_user):
    url = listing.get_absolute_url()
    visitor = _signed_in(user)  # its first page rendered the header
    again = visitor.get(url)
    assert _header_renders(again) == 0
    assert user.email in again.content.decode()

    visitor.post(reverse("orders:cart-add"), {"variant": listing.variants.first().pk})
    cart = visitor.get(reverse("orders:cart"))  # the flash message of the addition is shown and gone
    after_adding = visitor.get(url)

    assert _header_renders(cart) == 1  # a new cart count: a header of its own, then kept
    assert _header_renders(after_adding) == 0
    assert '<span class="count-badge">1</span>' in after_adding.content.decode()
    someone_else = _signed_in(other_user).get(url).content.decode()
    assert other_user.email in someone_else
    assert user.email not in someone_else


def test_a_kept_signed_in_header_carries_each_visitors_own_csrf_token(page_cache, listing, user):
    url = listing.get_absolute_url()
    _signed_in(user).get(url)  # the header kept, rendered for another session of the same buyer
    visitor = Client(enforce_csrf_checks=True)
    visitor.force_login(user)
    visitor.get(reverse("home"))
    page = visitor.get(url)

    assert _header_renders(page) == 0
    assert CSRF_PLACEHOLDER.encode() not in page.content
    logout = re.search(
        rb'action="/accounts/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', page.content
    )
    signed_out = visitor.post(reverse("account_logout"), {"csrfmiddlewaretoken": logout.group(1).decode()})
    assert signed_out.status_code == 302  # not 403: the token is this visitor's
    assert user.email not in visitor.get(url).content.decode()


def _question_form_renders(response) -> int:
    return sum(1 for template in response.templates if template.name == "catalog/parts/_ask_question.html")


def test_a_signed_in_buyers_empty_question_form_is_rendered_once_per_listing_then_reused(
    page_cache, listing, user, other_user
):
    url = listing.get_absolute_url()
    first = _signed_in(user).get(url)
    other = Client(enforce_csrf_checks=True)
    other.force_login(other_user)
    other.get(reverse("home"))
    page = other.get(url)

    assert _question_form_renders(first) == 1
    assert _question_form_renders(page) == 0  # kept: the same empty form for every signed-in buyer
    token = re.search(
        rb'action="/p/%d/questions/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"'
        % listing.pk,
        page.content,
    )
    asked = other.post(
        reverse("catalog:question-ask", args=[listing.pk]),
        {"text": "Какой размер у модели?", "csrfmiddlewaretoken": token.group(1).decode()},
    )
    assert asked.status_code in (200, 302)  # not 403: the kept form carries this visitor's own token
    assert ListingQuestion.objects.filter(listing=listing, author=other_user).exists()


def test_a_question_form_sent_back_with_errors_is_never_kept_for_others(page_cache, listing, user, other_user):
    visitor = _signed_in(user)
    refused = visitor.post(reverse("catalog:question-ask", args=[listing.pk]), {"text": "Секрет-ошибки " + "я" * 1000})
    assert refused.status_code == 200
    assert "Секрет-ошибки" in refused.content.decode()  # sent back to its author with the error

    html = _signed_in(other_user).get(listing.get_absolute_url()).content.decode()

    assert "Секрет-ошибки" not in html


def _part_renders(response, name: str) -> int:
    return sum(1 for template in response.templates if template.name == f"catalog/parts/{name}.html")


def test_kept_follow_and_favourite_buttons_show_each_buyer_their_own_state(page_cache, listing, user, other_user):
    from buyers import services as buyer_services
    from conftest import _accept_current_terms, _make_user

    third = _make_user("carol@example.com", "correct-horse-battery-42")
    _accept_current_terms(third)
    buyer_services.follow_seller(user=user, seller_id=listing.seller_id)
    buyer_services.add_favourite(user=user, listing_id=listing.pk)
    url = listing.get_absolute_url()

    follower = _signed_in(user).get(url)
    stranger = _signed_in(other_user).get(url)
    another_stranger = _signed_in(third).get(url)

    unfollow = '<input type="hidden" name="action" value="unfollow">'
    remove, add = (
        '<input type="hidden" name="action" value="remove">',
        '<input type="hidden" name="action" value="add">',
    )
    assert unfollow in follower.content.decode()
    assert remove in follower.content.decode()
    assert unfollow not in stranger.content.decode()
    assert add in stranger.content.decode()
    assert _part_renders(stranger, "_follow_seller") == 1  # not following: a part of its own
    assert _part_renders(another_stranger, "_follow_seller") == 0  # the same state on the same page: kept
    assert _part_renders(another_stranger, "_buyer_actions") == 0
    assert unfollow not in another_stranger.content.decode()
    assert add in another_stranger.content.decode()


def test_a_kept_follow_button_sends_the_buyer_back_to_the_page_they_were_on(page_cache, listing, user):
    leaf = listing.category
    visitor = _signed_in(user)

    first = visitor.get(leaf.get_absolute_url() + "?sort=new")
    second = visitor.get(leaf.get_absolute_url() + "?sort=price")

    page = leaf.get_absolute_url()
    assert f'name="next" value="{page}?sort=new"' in first.content.decode()
    assert f'name="next" value="{page}?sort=price"' in second.content.decode()
