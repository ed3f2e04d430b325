"""Issue 4's journeys in real Chromium: a buyer searches (typo, wrong layout), filters, sorts, opens a listing,
picks a variant and asks a question; a seller creates a listing with photos and variants, a moderator approves
it in the admin, and it appears in search; a seller sets a promo price and buyers see an honest discount; a
seller compares a listing with competitors' offers; a seller's large YML file is saved in the background."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from catalog import services
from catalog.models import Listing, ListingQuestion, ListingStatus, VariantPrice
from catalog.services import dictionary
from catalog.tests.factories import AttributeFactory, CategoryFactory, make_listing, make_seller
from conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _jpeg(color: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (960, 960), color)
    ImageDraw.Draw(image).ellipse((200, 200, 700, 760), fill=(250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def shoes(db):
    root = CategoryFactory(name="Обувь")
    category = CategoryFactory(name="Кроссовки", parent=root)
    AttributeFactory(
        category=category, code="color", name="Цвет", type="choice", options=["Белый", "Чёрный"], is_filterable=True
    )
    return category


def test_buyer_searches_with_a_typo_and_the_wrong_layout_filters_sorts_picks_a_variant_and_asks(
    live_server, page: Page, shoes, user, password
):
    base = live_server.url
    seller = make_seller(name="Беговой Мир")
    sizes = [
        services.VariantInput(sku="RUN-42", price=Decimal("5990"), on_hand=3, options={"Размер": "42"}),
        services.VariantInput(sku="RUN-43", price=Decimal("5990"), on_hand=0, options={"Размер": "43"}),
    ]
    make_listing(
        seller, category=shoes, title="Кроссовки беговые Nike Air", attributes={"color": "Белый"}, variants=sizes
    )
    make_listing(seller, category=shoes, title="Кроссовки зимние Demix", attributes={"color": "Чёрный"}, price="3990")
    make_listing(seller, category=shoes, title="Кроссовки детские Kapika", attributes={"color": "Чёрный"}, price="1990")
    dictionary.rebuild()
    _log_in(page, base, user.email, password)

    # suggestions under the header search box while typing: the arrow keys walk them, Escape closes them and
    # gives the box its focus back
    page.locator("#site-search-q").fill("кроссовки")
    expect(page.locator("#site-suggest .suggest__item").first).to_be_visible()
    expect(page.locator("#site-suggest")).to_contain_text("Кроссовки")
    page.locator("#site-search-q").press("ArrowDown")
    expect(page.locator("#site-suggest .suggest__item").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#site-suggest .suggest__item").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#site-search-q")).to_be_focused()
    page.locator("#site-search-q").press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator("#site-suggest .suggest__item")).to_have_count(0)
    expect(page.locator("#site-search-q")).to_be_focused()

    # a typo in the header search box
    page.locator("#site-search-q").fill("кросовки")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**/search/?q=*")
    expect(page.locator("#results .listing-card")).to_have_count(3)
    expect(page.locator(".search-note")).to_contain_text("кроссовки")

    # the wrong keyboard layout
    page.locator("#site-search-q").fill("rhjccjdrb")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**q=rhjccjdrb*")
    expect(page.locator("#results .listing-card")).to_have_count(3)

    # the category page: a facet filter and a sort, with the state in the URL
    page.goto(f"{base}/c/{shoes.slug}/")
    page.get_by_label("Чёрный").check()
    page.wait_for_url("**a_color=*")
    expect(page.locator("#results .listing-card")).to_have_count(2)
    page.locator("#f-sort").select_option("price")
    page.wait_for_url("**sort=price*")
    expect(page.locator("#results .listing-card__title").first).to_have_text("Кроссовки детские Kapika")
    page.go_back()
    page.wait_for_url(lambda url: "sort=price" not in url)

    # the listing page and its variant picker
    page.goto(f"{base}/c/{shoes.slug}/")
    page.get_by_role("link", name="Кроссовки беговые Nike Air").click()
    page.wait_for_url("**/p/**")
    expect(page.locator("h1")).to_have_text("Кроссовки беговые Nike Air")
    page.locator(".variant-chip", has_text="43").click()
    page.wait_for_url("**variant=*")
    expect(page.locator("#buy-box .buy-box__stock--out")).to_be_visible()
    page.locator(".variant-chip", has_text="42").click()
    expect(page.locator("#buy-box .buy-box__stock--in")).to_be_visible()

    # a public question
    page.locator("#questions textarea[name=text]").fill("Подойдут ли для бега по асфальту зимой?")
    page.locator("#questions button[type=submit]").click()
    expect(page.locator("#questions")).to_contain_text("Подойдут ли для бега по асфальту зимой?")
    assert ListingQuestion.objects.get().status == "published"

    # the seller's storefront: a search among the seller's products, then all of them cheapest first
    page.locator(".seller-card a", has_text="Беговой Мир").click()
    page.wait_for_url("**/s/**")
    page.locator("#store-q").fill("зимние")
    page.locator("#store-q").press("Enter")
    page.wait_for_url("**q=*")
    expect(page.locator(".listing-grid .listing-card__title")).to_have_text(["Кроссовки зимние Demix"])
    page.get_by_role("link", name="Показать все товары").click()
    page.locator("#store-sort").select_option("price")
    page.get_by_role("button", name="Показать", exact=True).click()
    page.wait_for_url("**sort=price*")
    expect(page.locator(".listing-grid .listing-card__title")).to_have_text(
        ["Кроссовки детские Kapika", "Кроссовки зимние Demix", "Кроссовки беговые Nike Air"]
    )


def test_seller_creates_a_listing_with_photos_and_variants_moderator_approves_it_and_buyers_find_it(
    live_server, page: Page, browser: Browser, browser_context_args, shoes, seller, moderator, password
):
    base = live_server.url
    _log_in(page, base, seller.user.email, password, "/seller/listings/new/")
    page.wait_for_url("**/seller/listings/new/")

    page.locator("#id_title").fill("Кроссовки трейловые Salomon Speedcross")
    page.locator("#id_category").select_option(label="Обувь › Кроссовки")
    expect(page.locator("#attributes")).to_contain_text("Цвет")  # swapped in by htmx
    page.locator("#id_attr-color").select_option("Чёрный")
    page.locator("#id_brand").fill("Salomon")
    page.locator("#id_description").fill("Цепкая подошва для грязи и снега.\n\n- мембрана\n- быстрая шнуровка")
    page.locator("#id_option1_name").fill("Размер")
    page.locator("#id_variants-0-sku").fill("SPEED-42")
    page.locator("#id_variants-0-option1").fill("42")
    page.locator("#id_variants-0-price").fill("12990")
    page.locator("#id_variants-0-on_hand").fill("4")
    page.locator(".editor-submit button").click()
    page.wait_for_url("**/seller/listings/*/**")
    listing = Listing.objects.get(title="Кроссовки трейловые Salomon Speedcross")

    # a second size, then two photos
    page.locator("#id_variants-1-sku").fill("SPEED-43")
    page.locator("#id_variants-1-option1").fill("43")
    page.locator("#id_variants-1-price").fill("12990")
    page.locator("#id_variants-1-on_hand").fill("2")
    page.locator("#id_variants-1-is_active").check()
    page.locator(".editor-submit button").click()
    page.wait_for_load_state()
    assert listing.variants.count() == 2
    page.locator("input[name=photos]").set_input_files(
        files=[
            {"name": "side.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((20, 60, 140))},
            {"name": "sole.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((140, 60, 20))},
        ]
    )
    page.locator(".photo-upload button[type=submit]").click()
    expect(page.locator(".photo-editor__item")).to_have_count(2)
    page.get_by_role("button", name="Send to moderation").or_(
        page.get_by_role("button", name="Отправить на модерацию")
    ).click()
    page.wait_for_load_state()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING

    # the moderator approves it in the admin queue
    admin = browser.new_context(**browser_context_args).new_page()
    _log_in(admin, base, moderator.email, password, "/admin/")
    admin.locator("input[name=code]").fill(totp_code())
    admin.locator("main form button[type=submit]").first.click()
    admin.wait_for_url(f"{base}/admin/")
    admin.goto(f"{base}/admin/catalog/moderationitem/")
    admin.get_by_role("link", name="Кроссовки трейловые Salomon Speedcross").click()
    expect(admin.locator("#content-main")).to_contain_text("SPEED-43")
    admin.locator(".mod-actions form button").click()
    admin.wait_for_url("**/admin/catalog/moderationitem/")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED

    # a buyer finds it in search
    buyer = browser.new_context(**browser_context_args).new_page()
    buyer.goto(f"{base}/search/?q=salomon")
    expect(buyer.locator("#results .listing-card")).to_have_count(1)
    buyer.get_by_role("link", name="Кроссовки трейловые Salomon Speedcross").click()
    expect(buyer.locator(".variant-chip")).to_have_count(2)


def test_seller_sets_a_promo_price_and_buyers_see_it_with_the_regular_price_struck_through(
    live_server, page: Page, browser: Browser, browser_context_args, shoes, seller, password
):
    """Spec 41 and 120: from Prices and stock the seller opens a variant's price page, sets a promo that starts
    now, and a buyer sees the promo price with the regular price struck through (charged for 20 of 30 days)."""
    base = live_server.url
    listing = make_listing(seller, category=shoes, title="Кроссовки городские Puma", price="8000")
    variant = listing.variants.get()
    VariantPrice.objects.filter(variant=variant).update(valid_from=timezone.now() - datetime.timedelta(days=20))

    _log_in(page, base, seller.user.email, password, "/seller/prices-and-stock/")
    page.locator(f"a[href='/seller/prices-and-stock/{variant.pk}/']").click()
    page.wait_for_url(f"**/seller/prices-and-stock/{variant.pk}/")
    page.locator("#id_price").fill("6990")
    end = timezone.localtime() + datetime.timedelta(days=7)
    page.locator("#id_ends_at").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.locator("button[name=action][value=set]").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success").first).to_be_visible()
    variant.refresh_from_db()
    assert (variant.price, variant.promo_base_price, variant.shown_old_price) == (
        Decimal("6990"),
        Decimal("8000"),
        Decimal("8000"),
    )

    buyer = browser.new_context(**browser_context_args).new_page()
    buyer.goto(f"{base}{listing.get_absolute_url()}")
    expect(buyer.locator(".buy-box__amount")).to_contain_text("6 990")
    expect(buyer.locator(".buy-box__old")).to_contain_text("8 000")
    expect(buyer.locator(".buy-box__promo")).to_be_visible()


def test_seller_compares_a_listing_with_other_sellers_offers_of_the_same_barcode(
    live_server, page: Page, shoes, seller, password
):
    """Spec 42: from the listing list the seller opens Competitors and sees the lowest and median price, how many
    are cheaper, and the cheapest offers with their promo, shipping time and rating."""
    from catalog.models import Variant

    base = live_server.url
    own = make_listing(seller, category=shoes, title="Кроссовки Asics Gel", price="9000")
    rival = make_listing(make_seller(name="Спортмастерская"), category=shoes, title="Asics Gel-Kayano", price="8500")
    Variant.objects.filter(listing__in=[own, rival]).update(barcode="4601234567893")

    _log_in(page, base, seller.user.email, password, "/seller/listings/")
    page.get_by_role("link", name=re.compile(r"^Конкуренты\s*:\s*Кроссовки Asics Gel$")).click()
    page.wait_for_url(f"**/seller/listings/{own.pk}/competitors/")

    expect(page.get_by_role("heading", name="Конкуренты")).to_be_visible()
    expect(page.locator("main")).to_contain_text("штрихкодом 4601234567893")
    expect(page.locator(".competitor-figures")).to_contain_text("8 500")
    expect(page.locator(".competitor-figures")).to_contain_text("1 из 1 предложения")
    expect(page.get_by_role("link", name="Asics Gel-Kayano")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Спортмастерская")


def test_seller_uploads_a_large_yml_file_and_watches_it_saved_in_the_background(
    live_server, page: Page, shoes, seller, password, settings, enqueued
):
    """Spec 37: a file larger than one sync request is kept and applied by a worker in parts; the page polls its
    progress and shows the report when it is done (the worker's run is the service's, called here: the task is
    recorded, not sent, so the session's Celery worker does not finish it before the page is looked at)."""
    from catalog.models import OfferSync, Variant
    from catalog.services import sync

    settings.MARKETPLACE_API_MAX_ROWS = 2
    variants = [make_listing(seller, category=shoes, title=f"Кеды {n}", price="3000").variants.get() for n in range(3)]
    offers = "".join(f'<offer id="{variant.sku}"><count>{7 + n}</count></offer>' for n, variant in enumerate(variants))
    feed = f"<yml_catalog><shop><offers>{offers}</offers></shop></yml_catalog>".encode()

    _log_in(page, base := live_server.url, seller.user.email, password, "/seller/prices-and-stock/")
    page.locator("#yml-file").set_input_files({"name": "feed.yml", "mimeType": "application/xml", "buffer": feed})
    page.get_by_role("button", name="Загрузить и синхронизировать").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success").first).to_contain_text("сохраняются в фоне")
    expect(page.locator("#syncs progress")).to_be_visible()

    queued = OfferSync.objects.get()
    assert ("run_offer_sync", (queued.pk,)) in enqueued
    sync.run_file_sync(sync_id=queued.pk)

    expect(page.locator("#syncs")).to_contain_text("3 строки, сохранено 3", timeout=10_000)  # the poll's answer
    expect(page.locator("#syncs progress")).to_have_count(0)
    assert page.url.startswith(base)
    assert [Variant.objects.get(pk=variant.pk).on_hand for variant in variants] == [7, 8, 9]
