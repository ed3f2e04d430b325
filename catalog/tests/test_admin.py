import pytest
from django.urls import reverse

from catalog import services
from catalog.models import ListingStatus, RejectionReason

from .factories import make_listing, make_seller

pytestmark = pytest.mark.django_db


def test_moderator_sees_the_queue_oldest_first_with_flags(client, moderator, seller, category):
    first = make_listing(seller, category=category, title="Первая карточка", status=ListingStatus.PENDING)
    second = make_listing(seller, category=category, title="Звоните 89123456789", status=ListingStatus.PENDING)
    client.force_login(moderator)

    response = client.get(reverse("admin:catalog_moderationitem_changelist"))

    assert response.status_code == 200
    assert [item.pk for item in response.context["cl"].result_list] == [first.pk, second.pk]
    assert "mod-badge--flag" in response.content.decode()


def test_manager_sees_the_queue_without_links_to_items_only_moderators_open(
    client, manager, moderator, seller, category
):
    listing = make_listing(seller, category=category, title="Первая карточка", status=ListingStatus.PENDING)
    item_url = reverse("admin:catalog_moderationitem_change", args=[listing.pk])
    client.force_login(manager)

    response = client.get(reverse("admin:catalog_moderationitem_changelist"))

    assert response.status_code == 200
    assert "Первая карточка" in response.content.decode()
    assert item_url not in response.content.decode()
    assert client.get(item_url).status_code == 403
    client.force_login(moderator)
    assert item_url in client.get(reverse("admin:catalog_moderationitem_changelist")).content.decode()


def test_moderator_approves_from_the_item_page(client, moderator, seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)
    client.force_login(moderator)
    assert client.get(reverse("admin:catalog_moderationitem_change", args=[listing.pk])).status_code == 200

    client.post(reverse("admin:catalog_moderationitem_approve", args=[listing.pk]))

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED


def test_moderator_rejects_with_a_reason_template(client, moderator, seller, category):
    reason = RejectionReason.objects.create(title="Фото", text="Добавьте фото товара на белом фоне.")
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)
    client.force_login(moderator)

    client.post(
        reverse("admin:catalog_moderationitem_reject", args=[listing.pk]), {"template": reason.pk, "reason": ""}
    )

    listing.refresh_from_db()
    assert listing.status == ListingStatus.REJECTED
    assert listing.rejection_reason == "Добавьте фото товара на белом фоне."


def test_rejection_without_any_reason_changes_nothing(client, moderator, seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)
    client.force_login(moderator)

    response = client.post(reverse("admin:catalog_moderationitem_reject", args=[listing.pk]), {"reason": "  "})

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


def test_edit_page_shows_the_revision_side_by_side(client, moderator, seller, category):
    listing = make_listing(seller, category=category, title="Старое название")
    services.update_listing_content(
        listing=listing,
        actor=seller.user,
        content=services.ListingContent(title="Новое название", category_id=category.pk),
    )
    client.force_login(moderator)

    content = client.get(reverse("admin:catalog_moderationitem_change", args=[listing.pk])).content.decode()

    assert "Старое название" in content
    assert "Новое название" in content
    assert "mod-diff__changed" in content


def test_bulk_approve_publishes_new_listings_and_edits(client, moderator, seller, category):
    new = make_listing(seller, category=category, status=ListingStatus.PENDING)
    edited = make_listing(seller, category=category, title="Было")
    services.update_listing_content(
        listing=edited, actor=seller.user, content=services.ListingContent(title="Стало", category_id=category.pk)
    )
    client.force_login(moderator)

    client.post(
        reverse("admin:catalog_moderationitem_changelist"),
        {"action": "approve_selected", "_selected_action": [new.pk, edited.pk]},
    )

    new.refresh_from_db()
    edited.refresh_from_db()
    assert new.status == ListingStatus.PUBLISHED
    assert edited.title == "Стало"


def test_moderator_blocks_a_reported_listing(client, moderator, category, user):
    listing = make_listing(make_seller(), category=category)
    services.report_listing(listing=listing, reporter=user, reason="prohibited")
    client.force_login(moderator)

    client.post(reverse("admin:catalog_moderationitem_block", args=[listing.pk]), {"reason": "Запрещённый товар"})

    listing.refresh_from_db()
    assert listing.status == ListingStatus.BLOCKED


def test_buyer_cannot_open_the_moderation_queue(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:catalog_moderationitem_changelist"))

    assert response.status_code == 302


def test_manager_cannot_decide_listings(client, manager, seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.PENDING)
    client.force_login(manager)

    response = client.post(reverse("admin:catalog_moderationitem_approve", args=[listing.pk]))

    assert response.status_code == 403
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


def test_moderator_publishes_a_held_question(client, moderator, seller, category, user):
    listing = make_listing(seller, category=category)
    question = services.ask_question(listing=listing, author=user, text="Дайте ваш телеграм @seller_chat")
    assert question.status == "pending"
    client.force_login(moderator)

    client.post(
        reverse("admin:catalog_listingquestion_changelist"),
        {"action": "reject_questions", "_selected_action": [question.pk]},
    )

    question.refresh_from_db()
    assert question.status == "rejected"


def test_manager_edits_the_category_tree(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("admin:catalog_category_add"),
        {
            "name": "Садовая техника",
            "slug": "",
            "position": 0,
            "is_active": "on",
            "commission_percent": "12.5",
            "return_class": "days_15",
            "attributes-TOTAL_FORMS": "1",
            "attributes-INITIAL_FORMS": "0",
            "attributes-MIN_NUM_FORMS": "0",
            "attributes-MAX_NUM_FORMS": "1000",
            "attributes-0-name": "Мощность",
            "attributes-0-code": "power",
            "attributes-0-type": "number",
            "attributes-0-unit": "Вт",
            "attributes-0-options": "",
            "attributes-0-position": "0",
        },
    )

    from catalog.models import Category

    category = Category.objects.get(name="Садовая техника")
    assert response.status_code == 302
    assert category.slug == "sadovaya-tekhnika"
    assert category.path == f"/{category.pk}/"
    assert category.attributes.get().unit == "Вт"
