"""The competitive benchmark in the cabinet (spec 42): other sellers' offers of the same product (same barcode) or
of a similar one (same category, brand and key characteristics), their lowest and median price against the
seller's own, and the cheapest offers with promo, shipping time and rating."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import ListingStatus, Variant
from catalog.selectors.competitors import benchmark

from .factories import AttributeFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


def with_barcode(listing, barcode):
    Variant.objects.filter(listing=listing).update(barcode=barcode)
    return listing


@pytest.fixture
def rivals(category):
    return make_seller(name="Спорт"), make_seller(name="Бег"), make_seller(name="Обувь")


def test_offers_of_the_same_barcode_are_compared_with_the_sellers_price(seller, category, rivals):
    sport, run, shoes_shop = rivals
    own = with_barcode(make_listing(seller, category=category, price="1000"), "4601234567890")
    with_barcode(make_listing(sport, category=category, price="900"), "4601234567890")
    with_barcode(make_listing(run, category=category, price="1100"), "4601234567890")
    with_barcode(make_listing(shoes_shop, category=category, price="1300"), "4601234567890")
    with_barcode(make_listing(shoes_shop, category=category, price="10", status=ListingStatus.PAUSED), "4601234567890")
    with_barcode(make_listing(sport, category=category, price="50"), "4600000000000")  # another product
    with_barcode(make_listing(seller, category=category, price="20"), "4601234567890")  # the seller's own

    result = benchmark(own)

    assert result.basis == "barcode"
    assert (result.count, result.min_price, result.median_price, result.cheaper) == (
        3,
        Decimal("900"),
        Decimal("1100"),
        1,
    )
    assert [offer.seller.storefront.name for offer in result.offers] == ["Спорт", "Бег", "Обувь"]
    assert result.median_gap_percent == -9


def test_a_competitor_in_a_promo_is_marked(seller, category, rivals):
    from catalog.services import pricing
    from catalog.tests.test_pricing import charged_since

    own = with_barcode(make_listing(seller, category=category, price="1000"), "4601234567890")
    rival = with_barcode(make_listing(rivals[0], category=category, price="1000"), "4601234567890")
    variant = rival.variants.get()
    charged_since(variant, 20)
    from django.utils import timezone

    pricing.set_promo(
        seller=rivals[0],
        actor=rivals[0].user,
        variant_id=variant.pk,
        promo=pricing.PromoInput(
            price=Decimal("790"), starts_at=timezone.now(), ends_at=timezone.now() + timezone.timedelta(days=3)
        ),
    )

    result = benchmark(own)

    assert [(offer.price, offer.in_promo) for offer in result.offers] == [(Decimal("790"), True)]
    assert result.cheaper == 1


def test_without_a_barcode_similar_offers_share_category_brand_and_key_characteristics(seller, category, rivals):
    AttributeFactory(
        category=category, code="color", name="Цвет", type="choice", options=["Белый", "Чёрный"], is_filterable=True
    )
    AttributeFactory(category=category, code="note", name="Заметка", type="text", is_filterable=False)
    sport, run, _shop = rivals
    own = make_listing(seller, category=category, price="1000", brand="Nike", attributes={"color": "Белый"})
    make_listing(sport, category=category, price="950", brand="Nike", attributes={"color": "Белый", "note": "а"})
    make_listing(run, category=category, price="800", brand="Nike", attributes={"color": "Чёрный"})
    make_listing(run, category=category, price="700", brand="Adidas", attributes={"color": "Белый"})

    result = benchmark(own)

    assert result.basis == "similar"
    assert result.attributes == [("Цвет", "Белый")]
    assert [offer.price for offer in result.offers] == [Decimal("950")]


def test_a_listing_with_nothing_to_compare_by_gets_advice(client, seller, category):
    listing = make_listing(seller, category=category)
    client.force_login(seller.user)

    page = client.get(
        reverse("catalog:seller-listing-competitors", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    assert benchmark(listing).basis == ""
    assert "Нет похожих предложений" in page
    assert "штрихкод" in page


def test_the_cabinet_page_shows_the_figures_and_the_cheapest_offers(client, seller, category, rivals):
    from orders.models import DeliveryMethod

    own = with_barcode(make_listing(seller, category=category, price="1000"), "4601234567890")
    with_barcode(
        make_listing(rivals[0], category=category, price="1200", title="Кроссовки <b>Спорт</b>"), "4601234567890"
    )
    with_barcode(make_listing(rivals[1], category=category, price="1500"), "4601234567890")
    DeliveryMethod.objects.create(seller=rivals[0], kind="courier", name="Курьер", price="390", days_min=1, days_max=2)
    DeliveryMethod.objects.create(seller=rivals[0], kind="post", name="Почта", price="250", days_min=5, days_max=9)
    client.force_login(seller.user)

    response = client.get(reverse("catalog:seller-listing-competitors", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()

    assert response.status_code == 200
    assert "штрихкодом 4601234567890" in page
    assert "1\u202f200\xa0₽" in page
    assert "Кроссовки &lt;b&gt;Спорт&lt;/b&gt;" in page  # escaped
    assert "0 из 2 предложений" in page
    assert "от 250\xa0₽, привезут" in page  # the rival's cheapest delivery of the item
    assert page.count("<td>—</td>") == 1  # the other rival has not set up delivery
    assert (
        reverse("catalog:seller-listing-competitors", args=[own.pk])
        in client.get(reverse("catalog:seller-listing-list")).content.decode()
    )


def test_another_sellers_listing_is_404(client, seller, category, rivals):
    theirs = make_listing(rivals[0], category=category)
    client.force_login(seller.user)

    assert client.get(reverse("catalog:seller-listing-competitors", args=[theirs.pk])).status_code == 404


def test_the_benchmark_reads_a_fixed_number_of_queries(seller, category, rivals, django_assert_max_num_queries):
    own = with_barcode(make_listing(seller, category=category, price="1000"), "4601234567890")
    for rival in rivals:
        for _ in range(3):
            with_barcode(make_listing(rival, category=category, price="900"), "4601234567890")

    with django_assert_max_num_queries(4):  # barcodes, is there any, the figures, the cheapest offers
        result = benchmark(own)
        [offer.seller.storefront.name for offer in result.offers]


def test_the_demo_gives_the_same_product_to_sellers_of_the_same_brand(seller, category, rivals):
    import random

    from catalog.demo import _shared_barcodes, ean13

    own = make_listing(seller, category=category, brand="Nike")
    theirs = make_listing(rivals[0], category=category, brand="Nike")
    other_brand = make_listing(rivals[1], category=category, brand="Puma")

    _shared_barcodes(random.Random(1))

    assert ean13("460123456789") == "4601234567893"  # the check digit of EAN-13
    barcode = own.variants.get().barcode
    assert len(barcode) == 13
    assert theirs.variants.get().barcode == barcode
    assert other_brand.variants.get().barcode == ""
    assert benchmark(own).basis == "barcode"
