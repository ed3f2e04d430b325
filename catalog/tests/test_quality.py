import pytest

from catalog import services
from catalog.models import ListingStatus
from catalog.services.quality import assess

from .factories import AttributeFactory, make_listing

pytestmark = pytest.mark.django_db


def test_a_bare_listing_scores_low_with_concrete_hints(seller, category):
    AttributeFactory(category=category, code="material", name="Материал")
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=1)

    quality = assess(listing)

    assert quality.score < 50
    assert any("«Материал»" in hint for hint in quality.hints)
    assert len(quality.hints) >= 5


def test_a_complete_listing_scores_full_and_is_stored(seller, category):
    AttributeFactory(category=category, code="material", name="Материал")
    listing = make_listing(
        seller,
        category=category,
        status=ListingStatus.DRAFT,
        photos=3,
        attributes={"material": "Кожа"},
        description="Удобные кроссовки. " * 20,
    )
    services.update_listing_content(
        listing=listing,
        actor=seller.user,
        content=services.ListingContent(
            title=listing.title,
            category_id=category.pk,
            description=listing.description,
            attributes={"material": "Кожа"},
            package_contents="Кроссовки\nКоробка",
        ),
    )
    services.update_listing_details(
        listing=listing,
        actor=seller.user,
        details={
            "video_url": "https://example.com/video",
            "weight_g": 900,
            "length_mm": 320,
            "width_mm": 200,
            "height_mm": 120,
            "meta_title": "Кроссовки",
        },
    )

    listing.refresh_from_db()
    assert listing.quality_score == 100
    assert assess(listing).hints == []


@pytest.mark.parametrize("title", ["КРОССОВКИ БЕГОВЫЕ", "кроссовки кроссовки кроссовки кроссовки"])
def test_title_hygiene_costs_points(seller, category, title):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, title=title, photos=0)
    clean = make_listing(seller, category=category, status=ListingStatus.DRAFT, title="Кроссовки беговые", photos=0)

    assert assess(listing).score == assess(clean).score - 5
