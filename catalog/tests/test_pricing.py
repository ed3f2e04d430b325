"""Promo prices (spec 41) and the honest-discount rule (spec 120): a struck-through price was really charged for at
least 14 of the last 30 days; a promo that would break this is refused with the reason, and promos start and end on
time."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Listing, Variant, VariantPrice
from catalog.services import pricing
from catalog.services.listings import InvalidListing, OfferUpdate, bulk_update_offers
from marketplace.notifications.models import Notification

from .factories import make_listing

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def charged_since(variant: Variant, days: float) -> None:
    """History: the variant's current price has been in force for `days` days."""
    VariantPrice.objects.filter(variant=variant, valid_to__isnull=True).update(valid_from=timezone.now() - days * DAY)


def cut_price(seller, listing: Listing, *, price: str, old_price: str | None) -> Variant:
    variant = listing.variants.get()
    services.save_variants(
        listing=listing,
        actor=seller.user,
        variants=[
            services.VariantInput(
                id=variant.pk,
                sku=variant.sku,
                price=Decimal(price),
                old_price=Decimal(old_price) if old_price else None,
                on_hand=variant.on_hand,
            )
        ],
    )
    return Variant.objects.get(pk=variant.pk)


def promo(price: str, *, starts_in: float = 0, lasts: float = 7) -> pricing.PromoInput:
    starts_at = timezone.now() + starts_in * DAY
    return pricing.PromoInput(price=Decimal(price), starts_at=starts_at, ends_at=starts_at + lasts * DAY)


@pytest.fixture
def listing(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    charged_since(listing.variants.get(), 20)
    return listing


# --- the honest-discount rule ---------------------------------------------------------------------------------


def test_old_price_charged_for_at_least_14_of_the_last_30_days_is_shown(seller, listing):
    variant = cut_price(seller, listing, price="800", old_price="1000")

    listing.refresh_from_db()
    assert variant.shown_old_price == Decimal("1000")
    assert (listing.price, listing.old_price, listing.discount_percent) == (Decimal("800"), Decimal("1000"), 20)


def test_old_price_charged_for_fewer_than_14_days_is_not_shown(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    charged_since(listing.variants.get(), 10)

    variant = cut_price(seller, listing, price="800", old_price="1000")

    listing.refresh_from_db()
    assert variant.shown_old_price is None
    assert (listing.old_price, listing.discount_percent) == (None, 0)
    assert variant.old_price == Decimal("1000")  # the seller's entry is kept, only not shown


def test_old_price_never_charged_is_not_shown(seller, listing):
    variant = cut_price(seller, listing, price="1000", old_price="1500")

    listing.refresh_from_db()
    assert variant.shown_old_price is None
    assert listing.old_price is None


def test_days_at_or_above_the_old_price_add_up_over_several_prices(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    now = timezone.now()
    VariantPrice.objects.filter(variant=variant).update(valid_from=now - 16 * DAY, valid_to=now - 8 * DAY)
    VariantPrice.objects.create(variant=variant, price=Decimal("900"), valid_from=now - 8 * DAY, valid_to=now - 7 * DAY)
    VariantPrice.objects.create(variant=variant, price=Decimal("1100"), valid_from=now - 7 * DAY)

    variant = cut_price(seller, listing, price="800", old_price="1000")

    assert variant.shown_old_price == Decimal("1000")  # 8 days at 1000 + 7 at 1100; the day at 900 does not count


def test_old_price_stops_being_shown_once_it_leaves_the_window(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    charged_since(variant, 40)
    variant = cut_price(seller, listing, price="800", old_price="1000")
    assert variant.shown_old_price == Decimal("1000")
    now = timezone.now()
    # Time passes: the cut was 20 days ago, so 1000 was charged for only 10 of the last 30 days.
    VariantPrice.objects.filter(variant=variant, price=Decimal("1000")).update(
        valid_from=now - 60 * DAY, valid_to=now - 20 * DAY
    )
    VariantPrice.objects.filter(variant=variant, price=Decimal("800")).update(valid_from=now - 20 * DAY)

    assert pricing.refresh_honest_old_prices() == 1
    assert pricing.refresh_honest_old_prices() == 0  # a second run finds nothing to change

    listing.refresh_from_db()
    assert Variant.objects.get(pk=variant.pk).shown_old_price is None
    assert (listing.old_price, listing.discount_percent) == (None, 0)


def test_the_rule_follows_the_settings(seller, category, settings):
    settings.MARKETPLACE_CATALOG_HONEST_DISCOUNT_MIN_DAYS = 7
    listing = make_listing(seller, category=category, price="1000")
    charged_since(listing.variants.get(), 10)

    variant = cut_price(seller, listing, price="800", old_price="1000")

    assert variant.shown_old_price == Decimal("1000")


def test_seller_is_told_why_an_old_price_is_not_shown(client, seller, category):
    listing = make_listing(seller, category=category, price="1000")
    charged_since(listing.variants.get(), 10.5)
    variant = cut_price(seller, listing, price="800", old_price="1000")
    client.force_login(seller.user)

    offers = client.get(reverse("catalog:seller-offers"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    page = client.get(reverse("catalog:seller-variant-price", args=[variant.pk]), HTTP_ACCEPT_LANGUAGE="ru")

    assert "Не видна покупателям: по этой цене 10 дн. из 30, нужно 14" in offers
    assert f'aria-describedby="v{variant.pk}-old_price-hidden"' in offers
    assert (
        "Покупатели не видят вашу старую цену: по ней товар продавался 10 дн. из последних 30" in page.content.decode()
    )


# --- promo prices -------------------------------------------------------------------------------------------------


def test_promo_starting_now_is_the_price_buyers_pay_with_the_regular_price_struck_through(client, seller, listing):
    variant = listing.variants.get()

    variant = pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850"))

    variant.refresh_from_db()
    listing.refresh_from_db()
    assert (variant.price, variant.regular_price, variant.shown_old_price) == (
        Decimal("850"),
        Decimal("1000"),
        Decimal("1000"),
    )
    assert (listing.price, listing.old_price, listing.discount_percent) == (Decimal("850"), Decimal("1000"), 15)
    current = VariantPrice.objects.get(variant=variant, valid_to__isnull=True)
    assert (current.price, current.is_promo) == (Decimal("850"), True)
    page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Цена по акции до" in page
    assert "−15%" in page


def test_promo_is_refused_when_the_regular_price_was_charged_too_briefly(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    charged_since(variant, 5)

    with pytest.raises(pricing.InvalidPromo) as error:
        pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850"))

    assert "5 of the last 30 days" in error.value.errors["price"]
    assert "at least 14" in error.value.errors["price"]
    variant.refresh_from_db()
    assert (variant.price, variant.promo_price, variant.promo_base_price) == (Decimal("1000"), None, None)


def test_promo_starting_later_counts_the_days_until_it_starts(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    charged_since(variant, 5)

    pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850", starts_in=10))

    variant.refresh_from_db()
    assert (variant.price, variant.promo_price, variant.promo_running) == (Decimal("1000"), Decimal("850"), False)
    assert pricing.apply_due_promos() == 0  # not yet
    assert pricing.apply_due_promos(now=timezone.now() + 10 * DAY + datetime.timedelta(minutes=1)) == 1
    variant.refresh_from_db()
    assert (variant.price, variant.promo_running) == (Decimal("850"), True)


def test_scheduled_promo_starts_and_ends_on_time_and_the_regular_price_returns(seller, listing):
    variant = listing.variants.get()
    pricing.set_promo(
        seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850", starts_in=1 / 24, lasts=3)
    )
    # The promo's start comes: move the schedule to the past rather than the clock to the future.
    Variant.objects.filter(pk=variant.pk).update(
        promo_starts_at=timezone.now() - datetime.timedelta(minutes=1), promo_ends_at=timezone.now() + 3 * DAY
    )

    assert pricing.apply_due_promos() == 1
    assert pricing.apply_due_promos() == 0  # idempotent: nothing left to do
    variant.refresh_from_db()
    assert (variant.price, variant.promo_running) == (Decimal("850"), True)
    assert Listing.objects.get(pk=listing.pk).price == Decimal("850")

    Variant.objects.filter(pk=variant.pk).update(promo_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    assert pricing.apply_due_promos() == 1
    variant.refresh_from_db()
    listing.refresh_from_db()
    assert (variant.price, variant.promo_price, variant.promo_running) == (Decimal("1000"), None, False)
    assert (listing.price, listing.old_price, listing.discount_percent) == (Decimal("1000"), None, 0)
    assert list(
        VariantPrice.objects.filter(variant=variant).order_by("valid_from").values_list("price", "is_promo")
    ) == [
        (Decimal("1000"), False),
        (Decimal("850"), True),
        (Decimal("1000"), False),
    ]


def test_promo_is_checked_again_when_it_starts_and_the_seller_is_told_if_it_cannot(seller, category):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    charged_since(variant, 5)
    pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850", starts_in=10))
    # The seller raises the regular price meanwhile: 1200 will have been charged for days, not weeks.
    bulk_update_offers(
        seller=seller, actor=seller.user, updates=[OfferUpdate(variant_id=variant.pk, price=Decimal("1200"))]
    )
    Variant.objects.filter(pk=variant.pk).update(promo_starts_at=timezone.now() - datetime.timedelta(minutes=1))

    assert pricing.apply_due_promos() == 1

    variant.refresh_from_db()
    assert (variant.price, variant.promo_price, variant.promo_running) == (Decimal("1200"), None, False)
    notice = Notification.objects.get(recipient=seller.user, kind="promo_refused")
    assert notice.context["days"] == 0
    assert notice.context["min_days"] == 14


def test_ending_a_promo_brings_the_regular_price_back_at_once(seller, listing):
    variant = listing.variants.get()
    pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850"))

    pricing.end_promo(seller=seller, actor=seller.user, variant_id=variant.pk)

    variant.refresh_from_db()
    assert (variant.price, variant.promo_price, variant.shown_old_price) == (Decimal("1000"), None, None)
    assert Listing.objects.get(pk=listing.pk).price == Decimal("1000")


def test_a_price_edit_during_a_promo_changes_the_regular_price_only(seller, listing):
    variant = listing.variants.get()
    pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850"))

    errors = bulk_update_offers(
        seller=seller, actor=seller.user, updates=[OfferUpdate(variant_id=variant.pk, price=Decimal("1100"))]
    )

    variant.refresh_from_db()
    assert errors == {}
    assert (variant.price, variant.regular_price) == (Decimal("850"), Decimal("1100"))
    assert variant.shown_old_price is None  # 1100 was never charged, so it is not struck through
    pricing.end_promo(seller=seller, actor=seller.user, variant_id=variant.pk)
    variant.refresh_from_db()
    assert variant.price == Decimal("1100")


def test_a_price_edit_to_or_below_the_promo_price_is_refused(seller, listing):
    variant = listing.variants.get()
    pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850"))

    errors = bulk_update_offers(
        seller=seller, actor=seller.user, updates=[OfferUpdate(variant_id=variant.pk, price=Decimal("850"))]
    )

    assert "must stay above it" in errors[variant.pk]
    variant.refresh_from_db()
    assert (variant.price, variant.regular_price) == (Decimal("850"), Decimal("1000"))
    with pytest.raises(InvalidListing):
        services.save_variants(
            listing=listing,
            actor=seller.user,
            variants=[services.VariantInput(id=variant.pk, sku=variant.sku, price=Decimal("700"), on_hand=5)],
        )


@pytest.mark.parametrize(
    ("price", "starts_in", "lasts", "field", "message"),
    [
        ("1000", 0, 7, "price", "below the regular price"),
        ("1200", 0, 7, "price", "below the regular price"),
        ("0", 0, 7, "price", "above zero"),
        ("-5", 0, 7, "price", "above zero"),
        ("850.555", 0, 7, "price", "two decimal places"),
        ("850", 0, -1, "ends_at", "in the future"),
        ("850", 5, -1, "ends_at", "after the start"),
    ],
)
def test_bad_promo_is_refused_with_a_clear_error_and_nothing_changes(
    seller, listing, price, starts_in, lasts, field, message
):
    variant = listing.variants.get()

    with pytest.raises(pricing.InvalidPromo) as error:
        pricing.set_promo(
            seller=seller,
            actor=seller.user,
            variant_id=variant.pk,
            promo=promo(price, starts_in=starts_in, lasts=lasts),
        )

    assert message in error.value.errors[field]
    variant.refresh_from_db()
    assert (variant.price, variant.promo_price) == (Decimal("1000"), None)


def test_a_second_promo_cannot_be_set_while_one_runs(seller, listing):
    variant = listing.variants.get()
    pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("850"))

    with pytest.raises(pricing.InvalidPromo, match="A promo is running"):
        pricing.set_promo(seller=seller, actor=seller.user, variant_id=variant.pk, promo=promo("700"))

    assert Variant.objects.get(pk=variant.pk).price == Decimal("850")


def test_another_sellers_variant_and_the_warehouse_role_are_refused(seller, other_seller, listing):
    from marketplace.accounts.models import User
    from sellers.models import TeamMember, TeamRole

    variant = listing.variants.get()
    with pytest.raises(Variant.DoesNotExist):
        pricing.set_promo(seller=other_seller, actor=other_seller.user, variant_id=variant.pk, promo=promo("850"))
    worker = User.objects.create_user(email="stock@example.com", password="x-password-42")
    TeamMember.objects.create(seller=seller, user=worker, role=TeamRole.WAREHOUSE)
    with pytest.raises(PermissionDenied):
        pricing.set_promo(seller=seller, actor=worker, variant_id=variant.pk, promo=promo("850"))
    assert Variant.objects.get(pk=variant.pk).promo_price is None


# --- the seller's page ----------------------------------------------------------------------------------------


def test_seller_sets_and_ends_a_promo_on_the_price_page(client, seller, listing):
    variant = listing.variants.get()
    url = reverse("catalog:seller-variant-price", args=[variant.pk])
    client.force_login(seller.user)
    start = timezone.localtime() - datetime.timedelta(minutes=1)

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    response = client.post(
        url,
        {
            "action": "set",
            "price": "850,50",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + 5 * DAY).strftime("%Y-%m-%dT%H:%M"),
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert page.status_code == 200
    assert "Цена и акция" in page.content.decode()
    assert response.status_code == 302
    variant.refresh_from_db()
    assert (variant.price, variant.promo_running) == (Decimal("850.50"), True)
    running = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Завершить акцию" in running
    assert "акция" in running  # the history marks the promo period

    client.post(url, {"action": "end"})
    variant.refresh_from_db()
    assert (variant.price, variant.promo_price) == (Decimal("1000"), None)


def test_price_page_shows_a_refused_promo_next_to_the_form(client, seller, category):
    listing = make_listing(seller, category=category, price="1000")
    variant = listing.variants.get()
    client.force_login(seller.user)
    start = timezone.localtime()

    response = client.post(
        reverse("catalog:seller-variant-price", args=[variant.pk]),
        {
            "action": "set",
            "price": "850",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + 5 * DAY).strftime("%Y-%m-%dT%H:%M"),
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Акция не принята" in body
    assert Variant.objects.get(pk=variant.pk).promo_price is None


@pytest.mark.parametrize(
    "data",
    [
        {"action": "set"},
        {"action": "set", "price": "abc", "starts_at": "завтра", "ends_at": "x" * 10_000},
        {"action": "set", "price": "850", "starts_at": "2026-13-45T99:99", "ends_at": "2026-01-01T00:00"},
    ],
)
def test_price_page_rejects_bad_input_without_changing_anything(client, seller, listing, data):
    variant = listing.variants.get()
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-variant-price", args=[variant.pk]), data)

    assert response.status_code == 200
    variant.refresh_from_db()
    assert (variant.price, variant.promo_price) == (Decimal("1000"), None)


def test_ending_a_promo_that_does_not_exist_says_so(client, seller, listing):
    variant = listing.variants.get()
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-variant-price", args=[variant.pk]), {"action": "end"}, follow=True)

    assert "There is no promo to end." in response.content.decode()
    assert Variant.objects.get(pk=variant.pk).price == Decimal("1000")


def test_price_page_of_another_sellers_variant_is_404(client, other_seller, listing):
    client.force_login(other_seller.user)

    response = client.get(reverse("catalog:seller-variant-price", args=[listing.variants.get().pk]))

    assert response.status_code == 404


def test_listing_editor_links_each_saved_variant_to_its_price_page_and_states_the_rule(client, seller, listing):
    variant = listing.variants.get()
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-listing-edit", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="ru")

    html = page.content.decode()
    assert reverse("catalog:seller-variant-price", args=[variant.pk]) in html
    assert "не меньше 14 дн. из последних 30" in html
