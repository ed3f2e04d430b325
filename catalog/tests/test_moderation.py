from decimal import Decimal

import pytest

from catalog import selectors, services
from catalog.models import ForbiddenWord, Listing, ListingReport, ListingStatus
from catalog.services.moderation import text_flags
from marketplace.core.exceptions import DomainError

from .factories import make_listing, make_seller, photo_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    [
        "Звоните +7 (912) 345-67-89",
        "пишите 89123456789",
        "почта shop@example.ru",
        "заходите на www.shop.ru",
        "наш сайт shop.ru",
        "Телеграм @best_shop_msk",
        "пишите в WhatsApp",
        "https://t.me/shop",
    ],
)
def test_contacts_in_text_are_flagged(text):
    assert [flag["code"] for flag in text_flags(text, forbidden=[])] == ["contacts"]


@pytest.mark.parametrize("text", ["Размер 42, длина стельки 27 см", "Объём 1,7 л, мощность 2200 Вт", "Артикул 12345"])
def test_ordinary_product_text_is_not_flagged(text):
    assert text_flags(text, forbidden=[]) == []


def test_forbidden_words_that_managers_listed_are_flagged(db, seller, category):
    ForbiddenWord.objects.create(phrase="реплика")
    listing = make_listing(seller, category=category, title="Кроссовки реплика люкс", status=ListingStatus.PENDING)

    assert listing.moderation_flags[0]["code"] == "forbidden_word"
    assert "реплика" in listing.moderation_flags[0]["detail"]


def test_price_far_below_the_category_median_is_flagged(seller, category):
    other = make_seller()
    for price in ("1000", "1100", "1200", "1300", "1400"):
        make_listing(other, category=category, price=price)

    listing = make_listing(seller, category=category, price="100", status=ListingStatus.PENDING)

    assert [flag["code"] for flag in listing.moderation_flags] == ["price_outlier"]


def test_photo_copied_from_another_seller_is_flagged(seller, category):
    original = make_listing(make_seller(), category=category, photos=1)
    listing = make_listing(seller, category=category, photos=0, status="draft")
    with original.photos.get().image.open("rb") as source:
        copy = photo_upload()
        copy.file.seek(0)
        copy.file.truncate()
        copy.file.write(source.read())
        copy.size = copy.file.tell()
    services.add_photo(listing=listing, actor=seller.user, upload=copy)

    services.submit_for_moderation(listing=listing, actor=seller.user)

    listing.refresh_from_db()
    assert [flag["code"] for flag in listing.moderation_flags] == ["duplicate_photo"]


def test_a_resized_recompressed_and_retouched_copy_of_another_sellers_photo_is_flagged(seller, category):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageEnhance

    original = make_listing(make_seller(), category=category, photos=1)
    with original.photos.get().image.open("rb") as source:
        picture = Image.open(io.BytesIO(source.read())).convert("RGB")
    picture = ImageEnhance.Brightness(picture.resize((950, 950))).enhance(1.08)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=55)
    listing = make_listing(seller, category=category, photos=0, status="draft")
    services.add_photo(
        listing=listing,
        actor=seller.user,
        upload=SimpleUploadedFile("copy.jpg", buffer.getvalue(), content_type="image/jpeg"),
    )

    services.submit_for_moderation(listing=listing, actor=seller.user)

    listing.refresh_from_db()
    assert [flag["code"] for flag in listing.moderation_flags] == ["duplicate_photo"]


def test_photos_a_few_bits_apart_are_one_picture_and_many_bits_apart_are_not(seller, category):
    from catalog.models import PHASH_BAND_SHIFTS, phash_bands
    from catalog.services.moderation import PHOTO_COPY_MAX_BITS, copied_from

    original = make_listing(make_seller(), category=category, photos=1)
    phash = original.photos.get().phash

    def flipped(bits: list[int]) -> int:
        value = phash
        for bit in bits:
            value ^= 1 << bit
        return value - (1 << 64) if value >= (1 << 63) else value

    # Bits flipped across three bands; the fourth, kept intact, is one that is not plain (all zeros or ones, which
    # are not looked up: a plain strip says nothing about copying).
    bands = phash_bands(phash)
    kept = next(number for number, band in enumerate(bands) if band not in (0, 0xFFFF))
    others = [shift for number, shift in enumerate(PHASH_BAND_SHIFTS) if number != kept]
    spread = [others[0] + 3, others[1] + 1, others[1] + 6, others[2] + 8, others[2] + 9][:PHOTO_COPY_MAX_BITS]
    assert copied_from([flipped(spread)], seller_id=seller.pk) == [original.pk]
    assert copied_from([flipped(list(range(0, 64, 5)))], seller_id=seller.pk) == []  # 13 bits: another picture
    assert copied_from([phash], seller_id=original.seller_id) == []  # the seller's own photos are not copies


def test_clean_listing_of_a_seller_in_good_standing_is_auto_approved(seller, category, settings):
    settings.MARKETPLACE_CATALOG_AUTO_APPROVE = True
    for index in range(3):
        make_listing(seller, category=category, title=f"Кроссовки модель {index}")

    listing = make_listing(seller, category=category, title="Кроссовки новинка", status=ListingStatus.PENDING)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.events.last().actor is None


def test_new_seller_listing_waits_for_a_moderator_even_with_auto_approval(seller, category, settings):
    settings.MARKETPLACE_CATALOG_AUTO_APPROVE = True

    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)

    assert listing.status == ListingStatus.PENDING


def test_moderation_queue_is_oldest_first_with_new_edited_and_reported_listings(
    seller, moderator, category, other_user
):
    new = make_listing(seller, category=category, title="Новая карточка", status=ListingStatus.PENDING)
    edited = make_listing(seller, category=category, title="Отредактированная")
    services.update_listing_content(
        listing=edited,
        actor=seller.user,
        content=services.ListingContent(title="Отредактированная заново", category_id=category.pk),
    )
    reported = make_listing(seller, category=category, title="С жалобой")
    services.report_listing(listing=reported, reporter=other_user, reason="counterfeit")
    make_listing(seller, category=category, title="Спокойная")

    queue = list(selectors.moderation_queue())

    assert [listing.pk for listing in queue] == [new.pk, edited.pk, reported.pk]


def test_enough_reports_hold_a_listing_for_review(category, settings, user, other_user):
    settings.MARKETPLACE_CATALOG_REPORTS_TO_HOLD = 2
    listing = make_listing(make_seller(), category=category)

    services.report_listing(listing=listing, reporter=user, reason="counterfeit", comment="Подделка")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    services.report_listing(listing=listing, reporter=other_user, reason="misleading")

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING
    assert not Listing.objects.published().filter(pk=listing.pk).exists()


def test_buyer_reports_a_listing_only_once_while_open(category, user):
    listing = make_listing(make_seller(), category=category)
    services.report_listing(listing=listing, reporter=user, reason="other")

    with pytest.raises(DomainError):
        services.report_listing(listing=listing, reporter=user, reason="other")

    assert ListingReport.objects.count() == 1


def test_seller_cannot_report_own_listing(seller, category):
    from django.core.exceptions import PermissionDenied

    listing = make_listing(seller, category=category)

    with pytest.raises(PermissionDenied):
        services.report_listing(listing=listing, reporter=seller.user, reason="other")


def test_blocking_upholds_reports_and_hides_the_listing(moderator, category, user):
    listing = make_listing(make_seller(), category=category)
    services.report_listing(listing=listing, reporter=user, reason="prohibited")

    services.block_listing(listing=listing, actor=moderator, reason="Запрещённый товар")

    listing.refresh_from_db()
    assert listing.status == ListingStatus.BLOCKED
    assert listing.reports.get().status == "upheld"
    assert not Listing.objects.published().filter(pk=listing.pk).exists()


@pytest.mark.parametrize(
    ("price", "old_price", "percent"),
    [
        ("790", "1000", 21),
        ("999.99", "1000", 0),
        ("1", "1000", 99),
        ("10", "1000", 99),
        ("1000", None, 0),
        ("1000", "900", 0),
    ],
)
def test_discount_percent_is_rounded_down_and_below_100(price, old_price, percent):
    from catalog.models import discount_percent

    assert discount_percent(Decimal(price), Decimal(old_price) if old_price else None) == percent
