import itertools
from contextlib import nullcontext
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from catalog import services
from catalog.exceptions import NotReadyForModeration, SellerCannotSell
from catalog.models import LISTING_TRANSITIONS, Listing, ListingEvent, ListingStatus
from catalog.services.listings import InvalidListing
from marketplace.core.exceptions import DomainError, InvalidTransition

from .factories import AttributeFactory, CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


def content(category, **extra):
    return services.ListingContent(title=extra.pop("title", "Кроссовки беговые"), category_id=category.pk, **extra)


def variant(**extra):
    return services.VariantInput(sku=extra.pop("sku", "SKU-1"), price=Decimal(extra.pop("price", "1990")), **extra)


def test_seller_creates_a_draft_with_transliterated_slug_and_an_event(seller, category):
    listing = services.create_listing(seller=seller, actor=seller.user, content=content(category), variants=[variant()])

    assert listing.status == ListingStatus.DRAFT
    assert listing.slug == "krossovki-begovye"
    assert listing.events.get().to_status == ListingStatus.DRAFT
    assert listing.variants.get().sku == "SKU-1"


def test_listing_needs_a_photo_and_required_attributes_before_moderation(seller, category):
    AttributeFactory(category=category, code="size", name="Размер", type="number", is_required=True)
    listing = services.create_listing(seller=seller, actor=seller.user, content=content(category), variants=[variant()])

    with pytest.raises(NotReadyForModeration) as error:
        services.submit_for_moderation(listing=listing, actor=seller.user)

    assert len(error.value.problems) == 2
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


def test_moderator_approval_publishes_listing_and_makes_photos_public(seller, moderator, category):
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)
    assert not listing.photos.filter(is_live=True).exists()

    services.approve_listing(listing=listing, actor=moderator)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.published_at is not None
    assert listing.photos.filter(is_live=True).count() == 1
    assert listing.cover_photo is not None
    assert Listing.objects.published().filter(pk=listing.pk).exists()


def test_rejection_needs_a_reason_and_the_seller_sees_it(seller, moderator, category):
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)

    with pytest.raises(DomainError):
        services.reject_listing(listing=listing, actor=moderator, reason="   ")
    services.reject_listing(listing=listing, actor=moderator, reason="Нет фото товара целиком")

    listing.refresh_from_db()
    assert listing.status == ListingStatus.REJECTED
    assert listing.rejection_reason == "Нет фото товара целиком"
    assert listing.events.last().reason == "Нет фото товара целиком"


def test_buyer_cannot_approve_listings(seller, other_user, category):
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)

    with pytest.raises(PermissionDenied):
        services.approve_listing(listing=listing, actor=other_user)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


def test_seller_cannot_edit_another_sellers_listing(seller, other_seller, category):
    listing = make_listing(other_seller, category=category, status=ListingStatus.DRAFT)

    with pytest.raises(PermissionDenied):
        services.update_listing_content(listing=listing, actor=seller.user, content=content(category, title="Чужой"))

    listing.refresh_from_db()
    assert listing.title == "Кроссовки беговые"


def test_restricted_seller_cannot_create_listings(db, category):
    seller = make_seller(status="restricted")

    with pytest.raises(SellerCannotSell):
        services.create_listing(seller=seller, actor=seller.user, content=content(category), variants=[variant()])

    assert not Listing.objects.filter(seller=seller).exists()


def test_suspended_sellers_listings_are_hidden_from_buyers(db, category):
    seller = make_seller()
    listing = make_listing(seller, category=category)
    assert Listing.objects.published().filter(pk=listing.pk).exists()

    type(seller).objects.filter(pk=seller.pk).update(status="suspended")

    assert not Listing.objects.published().filter(pk=listing.pk).exists()


def test_listings_of_a_seller_with_a_paused_offer_are_hidden_from_buyers(db, category):
    seller = make_seller()
    listing = make_listing(seller, category=category)

    type(seller).objects.filter(pk=seller.pk).update(offer_paused=True)

    assert not Listing.objects.published().filter(pk=listing.pk).exists()


def test_the_hidden_seller_check_is_answered_by_the_partial_index(db, category):
    """The anti-join's condition must stay the index's predicate, or every catalogue query scans all sellers."""
    make_listing(make_seller(), category=category)
    queryset = Listing.objects.published().filter(category_id=category.pk).values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "seller_hides_listings" in plan


def test_editing_a_published_listing_creates_a_revision_and_buyers_keep_the_approved_version(
    seller, moderator, category
):
    listing = make_listing(seller, category=category, title="Кроссовки беговые")

    revision = services.update_listing_content(
        listing=listing, actor=seller.user, content=content(category, title="Кроссовки для бега, новинка")
    )

    listing.refresh_from_db()
    assert listing.title == "Кроссовки беговые"
    assert revision.data["title"] == "Кроссовки для бега, новинка"
    services.approve_revision(revision=revision, actor=moderator)
    listing.refresh_from_db()
    assert listing.title == "Кроссовки для бега, новинка"
    assert listing.slug == "krossovki-dlya-bega-novinka"


def test_rejected_revision_keeps_the_approved_content(seller, moderator, category):
    listing = make_listing(seller, category=category, title="Кроссовки беговые")
    revision = services.update_listing_content(
        listing=listing, actor=seller.user, content=content(category, title="Пишите в телеграм @shop")
    )
    assert revision.flags

    services.reject_revision(revision=revision, actor=moderator, reason="Контакты в названии")

    listing.refresh_from_db()
    assert listing.title == "Кроссовки беговые"


def test_price_and_stock_of_a_published_listing_change_at_once(seller, category):
    listing = make_listing(seller, category=category, price="1990", stock=5)
    current = listing.variants.get()

    services.save_variants(
        listing=listing,
        actor=seller.user,
        variants=[services.VariantInput(id=current.pk, sku=current.sku, price=Decimal("1490"), on_hand=9)],
    )

    listing.refresh_from_db()
    assert listing.price == Decimal("1490")
    assert listing.variants.get().on_hand == 9


def test_seller_sku_must_be_unique_among_their_listings(seller, category):
    make_listing(seller, category=category, variants=[variant(sku="ABC")])

    with pytest.raises(InvalidListing):
        services.create_listing(
            seller=seller, actor=seller.user, content=content(category), variants=[variant(sku="ABC")]
        )

    assert Listing.objects.filter(seller=seller).count() == 1


def test_two_sellers_may_use_the_same_sku(seller, other_seller, category):
    make_listing(seller, category=category, variants=[variant(sku="ABC")])

    make_listing(other_seller, category=category, variants=[variant(sku="ABC")])

    assert Listing.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", Decimal("0")), ("price", Decimal("-5")), ("price", Decimal("10.001")), ("on_hand", -1)],
)
def test_bad_variant_values_are_refused_and_nothing_is_created(seller, category, field, value):
    item = variant()
    setattr(item, field, value)

    with pytest.raises(InvalidListing):
        services.create_listing(seller=seller, actor=seller.user, content=content(category), variants=[item])

    assert not Listing.objects.exists()


def test_attribute_values_of_the_wrong_type_are_refused(seller, category):
    AttributeFactory(category=category, code="size", name="Размер", type="number")

    with pytest.raises(InvalidListing) as error:
        services.create_listing(
            seller=seller,
            actor=seller.user,
            content=content(category, attributes={"size": "большой"}),
            variants=[variant()],
        )

    assert "attr:size" in error.value.errors
    assert not Listing.objects.exists()


def test_listing_goes_only_into_a_leaf_category(seller):
    parent = CategoryFactory()
    CategoryFactory(parent=parent)

    with pytest.raises(InvalidListing) as error:
        services.create_listing(seller=seller, actor=seller.user, content=content(parent), variants=[variant()])

    assert "category" in error.value.errors


def test_script_in_title_is_stored_as_text(seller, category):
    listing = services.create_listing(
        seller=seller,
        actor=seller.user,
        content=content(category, title="<script>alert(1)</script> Кеды"),
        variants=[variant()],
    )

    assert listing.title == "<script>alert(1)</script> Кеды"


def test_duplicate_creates_a_draft_copy_with_new_skus_and_photos(seller, category):
    listing = make_listing(seller, category=category, variants=[variant(sku="ABC")], photos=2)

    copy = services.duplicate_listing(listing=listing, actor=seller.user)

    assert copy.status == ListingStatus.DRAFT
    assert list(copy.variants.values_list("sku", flat=True)) == ["ABC-2"]
    assert copy.photos.count() == 2
    assert copy.variants.get().on_hand == 0


def test_archive_and_restore_sends_the_listing_back_through_moderation(seller, category):
    listing = make_listing(seller, category=category)

    services.archive_listing(listing=listing, actor=seller.user)
    services.restore_listing(listing=listing, actor=seller.user)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT
    assert listing.published_at is None
    assert list(listing.events.values_list("to_status", flat=True))[-2:] == ["archived", "draft"]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ListingStatus.values, repeat=2)))
def test_listing_status_changes_follow_the_table(seller, category, current, target):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)
    Listing.objects.filter(pk=listing.pk).update(status=current)
    allowed = target in LISTING_TRANSITIONS[current] or target == current

    with nullcontext() if allowed else pytest.raises(InvalidTransition):
        services.change_listing_status(listing=listing, to=target, actor=None)

    listing.refresh_from_db()
    assert listing.status == (target if allowed else current)
    moved = ListingEvent.objects.filter(listing=listing, from_status=current, to_status=target).exists()
    assert moved == (allowed and target != current)
