import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Listing, ListingStatus

from .factories import AttributeFactory, make_listing, make_seller, photo_upload

pytestmark = pytest.mark.django_db


def editor_data(category, **overrides):
    data = {
        "title": "Кроссовки беговые",
        "category": category.pk,
        "brand": "Nike",
        "description": "Лёгкие.\n\n- сетка\n- пена",
        "package_contents": "Кроссовки\nКоробка",
        "handling_days": "2",
        "low_stock_threshold": "3",
        "option1_name": "Размер",
        "option2_name": "",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-sku": "RUN-42",
        "variants-0-option1": "42",
        "variants-0-price": "4990",
        "variants-0-on_hand": "3",
        "variants-0-is_active": "on",
        "variants-1-sku": "RUN-43",
        "variants-1-option1": "43",
        "variants-1-price": "4990",
        "variants-1-on_hand": "0",
        "variants-1-is_active": "on",
    }
    data.update(overrides)
    return data


def test_seller_creates_a_listing_with_variants_in_the_cabinet(client, seller, category):
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-listing-create"), editor_data(category))

    listing = Listing.objects.get(seller=seller)
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:seller-listing-edit", args=[listing.pk])
    assert listing.brand.name == "Nike"
    assert list(listing.variants.values_list("sku", "options")) == [
        ("RUN-42", {"Размер": "42"}),
        ("RUN-43", {"Размер": "43"}),
    ]
    assert listing.handling_days == 2


def test_new_listing_page_says_photos_come_after_the_draft_is_saved(client, seller, category):
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-listing-create")).content.decode()

    assert "Save the draft first: photos are added on the next page" in page
    assert 'enctype="multipart/form-data"' not in page  # no upload form before there is a listing to attach to


def test_editor_shows_errors_and_keeps_what_was_typed(client, seller, category):
    AttributeFactory(category=category, code="size", name="Размер стопы", type="number")
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-listing-create"),
        editor_data(category, **{"attr-size": "сорок", "variants-0-price": "-1", "title": "Кроссовки X"}),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Кроссовки X" in content
    assert 'aria-invalid="true"' in content
    assert not Listing.objects.exists()


def test_editor_lists_variant_errors_at_the_top_with_links_to_the_fields(client, seller, category):
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-listing-create"),
        editor_data(category, **{"variants-1-price": "abc"}),
        headers={"accept-language": "ru"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Исправьте ошибки в вариантах ниже." in content
    assert '<a href="#id_variants-1-price" class="alert-link">Вариант 2, Цена, ₽</a>: Введите число.' in content
    assert not Listing.objects.exists()


def test_editor_without_javascript_refreshes_the_category_fields(client, seller, category):
    AttributeFactory(category=category, code="material", name="Материал верха", type="text")
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-listing-create"), editor_data(category, refresh="1"))

    assert response.status_code == 200
    assert "Материал верха" in response.content.decode()
    assert not Listing.objects.exists()


def test_htmx_category_change_returns_its_characteristics(client, seller, category):
    AttributeFactory(category=category, code="material", name="Материал верха", type="text")
    client.force_login(seller.user)

    response = client.get(reverse("catalog:seller-listing-attributes"), {"category": category.pk})

    assert "Материал верха" in response.content.decode()


def test_seller_gets_404_for_another_sellers_listing(client, seller, category):
    other = make_listing(make_seller(), category=category)
    client.force_login(seller.user)

    assert client.get(reverse("catalog:seller-listing-edit", args=[other.pk])).status_code == 404
    response = client.post(reverse("catalog:seller-listing-edit", args=[other.pk]), editor_data(category, title="Моё"))
    assert response.status_code == 404
    assert client.post(reverse("catalog:seller-listing-action", args=[other.pk, "archive"])).status_code == 404
    other.refresh_from_db()
    assert other.title == "Кроссовки беговые"
    assert other.status == ListingStatus.PUBLISHED


def test_buyer_without_a_seller_account_does_not_find_the_cabinet(client, other_user):
    client.force_login(other_user)

    assert client.get(reverse("catalog:seller-listing-list")).status_code == 404


def test_seller_uploads_several_photos_and_sends_the_listing_to_moderation(client, seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)
    client.force_login(seller.user)

    client.post(
        reverse("catalog:seller-photos-upload", args=[listing.pk]),
        {"photos": [photo_upload(color=(10, 20, 30)), photo_upload(color=(200, 20, 30))]},
    )
    response = client.post(reverse("catalog:seller-listing-action", args=[listing.pk, "submit"]))

    listing.refresh_from_db()
    assert response.status_code == 302
    assert listing.photos.count() == 2
    assert listing.status == ListingStatus.PENDING


def test_bad_photo_upload_is_reported_by_file_name(client, seller, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-photos-upload", args=[listing.pk]),
        {"photos": [SimpleUploadedFile("notes.jpg", b"not an image")]},
        follow=True,
    )

    assert "notes.jpg" in response.content.decode()
    assert not listing.photos.exists()


def test_submitting_an_incomplete_listing_lists_what_is_missing(client, seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-listing-action", args=[listing.pk, "submit"]), follow=True)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT
    assert "photo" in response.content.decode().lower() or "фото" in response.content.decode().lower()


def test_bulk_price_and_stock_edit(client, seller, category):
    listing = make_listing(seller, category=category, price="1000", stock=1)
    variant = listing.variants.get()
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-offers"),
        {f"v{variant.pk}-price": "900", f"v{variant.pk}-old_price": "", f"v{variant.pk}-on_hand": "12"},
    )

    variant.refresh_from_db()
    assert response.status_code == 302
    assert (variant.price, variant.on_hand) == (Decimal("900"), 12)


def test_bulk_edit_rejects_a_bad_row_and_keeps_the_rest(client, seller, category):
    first = make_listing(seller, category=category, price="1000").variants.get()
    second = make_listing(seller, category=category, price="2000").variants.get()
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-offers"),
        {
            f"v{first.pk}-price": "-5",
            f"v{first.pk}-old_price": "",
            f"v{first.pk}-on_hand": "5",
            f"v{second.pk}-price": "1500",
            f"v{second.pk}-old_price": "",
            f"v{second.pk}-on_hand": "5",
        },
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert response.status_code == 200
    assert first.price == Decimal("1000")
    assert second.price == Decimal("1500")


def test_warehouse_role_changes_stock_but_not_prices(client, category):
    from marketplace.accounts.models import User
    from sellers.models import TeamMember, TeamRole

    seller = make_seller()
    variant = make_listing(seller, category=category, price="1000", stock=1).variants.get()
    from marketplace.legal import selectors as legal_selectors
    from marketplace.legal import services as legal_services

    worker = User.objects.create_user(email="warehouse@example.com", password="x-password-42")
    legal_services.accept_documents(
        user=worker, documents=legal_selectors.documents_requiring_acceptance(), ip_address=None, source="test"
    )
    TeamMember.objects.create(seller=seller, user=worker, role=TeamRole.WAREHOUSE)
    client.force_login(worker)

    client.post(
        reverse("catalog:seller-offers"),
        {f"v{variant.pk}-price": "1", f"v{variant.pk}-old_price": "", f"v{variant.pk}-on_hand": "7"},
    )
    client.post(
        reverse("catalog:seller-offers"),
        {f"v{variant.pk}-price": "1000", f"v{variant.pk}-old_price": "", f"v{variant.pk}-on_hand": "7"},
    )

    variant.refresh_from_db()
    assert (variant.price, variant.on_hand) == (Decimal("1000"), 7)
    assert client.get(reverse("catalog:seller-listing-list")).status_code == 403


def test_seller_listing_list_query_count_does_not_grow(client, seller, category):
    make_listing(seller, category=category)
    client.force_login(seller.user)
    url = reverse("catalog:seller-listing-list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index in range(5):
        make_listing(seller, category=category, title=f"Товар {index}", status=ListingStatus.DRAFT)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)

    assert len(response.context["listings"]) == 6
    assert len(six) == len(one)


def test_seller_duplicates_a_listing_from_the_cabinet(client, seller, category):
    listing = make_listing(seller, category=category)
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-listing-action", args=[listing.pk, "duplicate"]))

    copy = Listing.objects.exclude(pk=listing.pk).get()
    assert response["Location"] == reverse("catalog:seller-listing-edit", args=[copy.pk])
    assert copy.status == ListingStatus.DRAFT


def test_seller_answers_a_question_and_the_buyer_is_notified(client, seller, category, other_user):
    from catalog import services
    from marketplace.notifications.models import Notification

    listing = make_listing(seller, category=category)
    question = services.ask_question(listing=listing, author=other_user, text="Какая длина стельки у 42 размера?")
    assert Notification.objects.filter(recipient=seller.user, kind="question_asked").exists()
    client.force_login(seller.user)

    client.post(reverse("catalog:seller-question-answer", args=[question.pk]), {"text": "27 см"})

    question.refresh_from_db()
    assert question.answer == "27 см"
    assert question.answer_status == "published"
    assert Notification.objects.filter(recipient=other_user, kind="question_answered").exists()


def test_a_variant_created_already_low_is_on_every_restock_list(client, seller, category):
    """Restocking goes by the stock left against the listing's threshold, not by whether an alert went out: a
    variant created (or imported) with little stock never crossed the threshold, and still needs restocking."""
    from marketplace.notifications.models import Notification

    low = make_listing(seller, category=category, title="Почти кончились", stock=1)  # threshold 3
    make_listing(seller, category=category, title="Полно", stock=10)
    held = make_listing(seller, category=category, title="Всё отложено", stock=5)
    variant = held.variants.get()
    Listing.objects.filter(pk=held.pk).update(low_stock_threshold=0)
    variant.__class__.objects.filter(pk=variant.pk).update(allocated=5)  # none left to sell
    client.force_login(seller.user)

    offers = client.get(reverse("catalog:seller-offers"), {"low": "1"})
    listings = client.get(reverse("catalog:seller-listing-list"), {"status": "low_stock"})
    dashboard = client.get(reverse("sellers:dashboard"))

    assert not Notification.objects.filter(kind="low_stock").exists()  # no alert: created below the threshold
    assert [row.listing.title for row in offers.context["variants"]] == ["Всё отложено", "Почти кончились"]
    assert offers.content.decode().count('class="table-warning"') == 2
    assert {listing.title for listing in listings.context["listings"]} == {low.title, held.title}
    assert "2 products are running out." in dashboard.content.decode()


def test_restock_list_shows_how_many_days_the_stock_lasts_at_the_recent_rate_of_sale(client, seller, category):
    """Spec 38: the restock list estimates days of cover from the units sold in the last 30 days."""
    selling = make_listing(seller, category=category, title="Продаются", stock=2).variants.get()
    make_listing(seller, category=category, title="Не продаются", stock=1)
    selling.__class__.objects.filter(pk=selling.pk).update(sold_30d=15)  # half a unit a day: 2 left last 4 days
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-offers"), {"low": "1"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "≈ 4 дня" in page
    assert "нет продаж" in page


def test_seller_sets_an_expected_restock_date_and_buyers_see_it_while_out_of_stock(client, seller, category):
    """Spec 40: a planned arrival date on a listing with no stock shows on its page; once gone by, it does not."""
    arrival = timezone.localdate() + datetime.timedelta(days=10)
    client.force_login(seller.user)
    client.post(
        reverse("catalog:seller-listing-create"),
        editor_data(category, restock_date=arrival.isoformat(), **{"variants-0-on_hand": "0"}),
    )
    listing = Listing.objects.get(seller=seller)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
    client.logout()

    page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert listing.restock_date == arrival
    assert f"ожидается {arrival.day} " in page
    listing.restock_date = timezone.localdate() - datetime.timedelta(days=1)
    assert listing.expected_restock is None  # a date gone by promises buyers nothing


def test_an_expected_restock_date_in_the_past_is_refused_and_nothing_is_created(client, seller, category):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(seller.user)

    response = client.post(
        reverse("catalog:seller-listing-create"),
        editor_data(category, restock_date=yesterday.isoformat()),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.status_code == 200
    assert "не может быть в прошлом" in response.content.decode()
    assert not Listing.objects.filter(seller=seller).exists()


def test_a_restock_date_that_has_passed_does_not_block_other_edits(client, seller, category):
    client.force_login(seller.user)
    arrival = timezone.localdate() + datetime.timedelta(days=3)
    client.post(reverse("catalog:seller-listing-create"), editor_data(category, restock_date=arrival.isoformat()))
    listing = Listing.objects.get(seller=seller)
    passed = timezone.localdate() - datetime.timedelta(days=2)
    Listing.objects.filter(pk=listing.pk).update(restock_date=passed)
    ids = list(listing.variants.order_by("position", "pk").values_list("pk", flat=True))
    data = editor_data(
        category,
        title="Кроссовки беговые лёгкие",
        restock_date=passed.isoformat(),
        **{"variants-INITIAL_FORMS": "2", "variants-0-id": str(ids[0]), "variants-1-id": str(ids[1])},
    )

    response = client.post(reverse("catalog:seller-listing-edit", args=[listing.pk]), data)

    assert response.status_code == 302, [response.context["form"].errors, response.context["formset"].errors]
    listing.refresh_from_db()
    assert (listing.title, listing.restock_date) == ("Кроссовки беговые лёгкие", passed)
