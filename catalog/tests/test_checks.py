"""Stale-listing reminders (spec 30): a listing whose data was not confirmed for 180 days, or that buyers returned as
"not as described" three times, is to be checked by its seller; left unchecked for 30 days it loses quality score
until the seller confirms the data or edits the listing."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from catalog import services, tasks
from catalog.models import Listing
from catalog.services import checks, quality
from marketplace.notifications.models import Notification

from .factories import make_listing, make_seller
from .test_seller_pages import editor_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def confirmed_days_ago(listing: Listing, days: int) -> None:
    Listing.objects.filter(pk=listing.pk).update(content_confirmed_at=timezone.now() - days * DAY)


def fresh(listing: Listing) -> Listing:
    return Listing.objects.get(pk=listing.pk)


# --- asking -------------------------------------------------------------------------------------------------


def test_listings_not_confirmed_for_180_days_are_to_be_checked_with_one_notification_per_seller(seller, category):
    old = [make_listing(seller, category=category, title=f"Кроссовки {n}") for n in range(3)]
    recent = make_listing(seller, category=category, title="Кроссовки свежие")
    for listing in old:
        confirmed_days_ago(listing, 181)
    confirmed_days_ago(recent, 179)

    asked, overdue = checks.request_listing_checks()

    assert (asked, overdue) == (3, 0)
    assert all(fresh(listing).check_reason == "stale" for listing in old)
    assert fresh(recent).check_requested_at is None
    notification = Notification.objects.get(recipient=seller.user, kind="listings_to_check")
    assert notification.context["count"] == 3


def test_a_listing_not_on_sale_is_not_asked_about(seller, category):
    draft = make_listing(seller, category=category, status="draft")
    confirmed_days_ago(draft, 400)

    assert checks.request_listing_checks() == (0, 0)
    assert not Notification.objects.filter(kind="listings_to_check").exists()


def test_a_second_run_asks_nothing_more_and_sends_nothing_again(seller, category):
    confirmed_days_ago(make_listing(seller, category=category), 200)
    checks.request_listing_checks()

    assert checks.request_listing_checks() == (0, 0)
    assert Notification.objects.filter(kind="listings_to_check").count() == 1


def test_three_not_as_described_returns_ask_for_a_check_of_that_listing(seller, category):
    listing = make_listing(seller, category=category)

    services.note_description_complaint(listing_ids=[listing.pk])
    services.note_description_complaint(listing_ids=[listing.pk])
    assert fresh(listing).check_requested_at is None
    services.note_description_complaint(listing_ids=[listing.pk])

    checked = fresh(listing)
    assert (checked.description_complaints, checked.check_reason) == (3, "complaints")
    notification = Notification.objects.get(recipient=seller.user, kind="listing_check_requested")
    assert notification.context["complaints"] == 3


def test_the_rule_follows_the_settings(seller, category, settings):
    settings.MARKETPLACE_CATALOG_CONFIRM_DAYS = 30
    settings.MARKETPLACE_CATALOG_CHECK_COMPLAINTS = 1
    stale, returned = make_listing(seller, category=category), make_listing(seller, category=category)
    confirmed_days_ago(stale, 31)

    checks.request_listing_checks()
    services.note_description_complaint(listing_ids=[returned.pk])

    assert fresh(stale).check_reason == "stale"
    assert fresh(returned).check_reason == "complaints"


# --- the penalty --------------------------------------------------------------------------------------------


def test_a_check_left_undone_for_30_days_lowers_the_quality_score_and_confirming_restores_it(seller, category):
    listing = make_listing(seller, category=category)
    quality.refresh_quality(listing)
    before = fresh(listing).quality_score
    confirmed_days_ago(listing, 250)
    checks.request_listing_checks(now=timezone.now() - 31 * DAY)

    assert checks.request_listing_checks() == (0, 1)
    lowered = fresh(listing)
    assert lowered.check_overdue
    assert lowered.quality_score == max(before - settings.MARKETPLACE_CATALOG_CHECK_PENALTY, 0)

    services.confirm_listing_data(listing=lowered, actor=seller.user)

    restored = fresh(listing)
    assert (restored.quality_score, restored.check_requested_at, restored.check_overdue) == (before, None, False)
    assert restored.content_confirmed_at > timezone.now() - DAY


def test_a_check_still_within_its_30_days_does_not_lower_the_score(seller, category):
    listing = make_listing(seller, category=category)
    confirmed_days_ago(listing, 250)
    checks.request_listing_checks(now=timezone.now() - 29 * DAY)

    assert checks.request_listing_checks() == (0, 0)
    assert not fresh(listing).check_overdue


def test_beat_asks_for_checks_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["catalog-listing-checks"]

    assert entry["task"] == "catalog.tasks.request_listing_checks"
    assert entry["schedule"].hour == {7}
    assert tasks.request_listing_checks() == {"asked": 0, "overdue": 0}


# --- the seller ---------------------------------------------------------------------------------------------


def test_only_the_sellers_team_with_listings_rights_may_confirm(seller, category):
    from marketplace.accounts.models import User
    from sellers.models import TeamMember, TeamRole

    listing = make_listing(seller, category=category)
    other = make_seller(name="Чужой")
    worker = User.objects.create_user(email="stock@example.com", password="x-password-42")
    TeamMember.objects.create(seller=seller, user=worker, role=TeamRole.WAREHOUSE)

    for actor in (other.user, worker):
        with pytest.raises(PermissionDenied):
            services.confirm_listing_data(listing=listing, actor=actor)


def test_seller_sees_listings_to_check_and_confirms_one_from_the_list(client, seller, category):
    asked = make_listing(seller, category=category, title="Кроссовки старые")
    make_listing(seller, category=category, title="Кроссовки новые")
    confirmed_days_ago(asked, 200)
    checks.request_listing_checks()
    client.force_login(seller.user)

    dashboard = client.get(reverse("sellers:dashboard"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    page = client.get(reverse("catalog:seller-listing-list"), {"status": "to_check"}, HTTP_ACCEPT_LANGUAGE="ru")
    response = client.post(reverse("catalog:seller-listing-action", args=[asked.pk, "confirm"]), {"next": "to_check"})

    assert "1 товар на проверку: актуальны ли данные?" in dashboard
    assert [listing.title for listing in page.context["listings"]] == ["Кроссовки старые"]
    assert "Данные актуальны" in page.content.decode()
    assert response["Location"] == reverse("catalog:seller-listing-list") + "?status=to_check"
    assert fresh(asked).check_requested_at is None


def test_the_editor_says_why_a_check_is_asked_and_by_when(client, seller, category):
    listing = make_listing(seller, category=category)
    for _ in range(3):
        services.note_description_complaint(listing_ids=[listing.pk])
    due = fresh(listing).check_due_at
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-listing-edit", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="ru")

    html = page.content.decode()
    assert "3 покупателя вернули этот товар как не соответствующий описанию." in html
    assert f"Если не проверить товар до {timezone.localtime(due).day} " in html


def test_saving_the_listing_in_the_editor_counts_as_a_check(client, seller, category):
    client.force_login(seller.user)
    client.post(reverse("catalog:seller-listing-create"), editor_data(category))
    listing = Listing.objects.get(seller=seller)
    Listing.objects.filter(pk=listing.pk).update(status="published")
    confirmed_days_ago(listing, 200)
    checks.request_listing_checks()
    ids = list(listing.variants.order_by("position", "pk").values_list("pk", flat=True))
    data = editor_data(
        category, **{"variants-INITIAL_FORMS": "2", "variants-0-id": str(ids[0]), "variants-1-id": str(ids[1])}
    )

    response = client.post(reverse("catalog:seller-listing-edit", args=[listing.pk]), data)

    assert response.status_code == 302
    assert fresh(listing).check_requested_at is None


def test_confirming_another_sellers_listing_is_404_and_changes_nothing(client, seller, category):
    other = make_listing(make_seller(name="Чужой"), category=category)
    confirmed_days_ago(other, 200)
    checks.request_listing_checks()
    client.force_login(seller.user)

    response = client.post(reverse("catalog:seller-listing-action", args=[other.pk, "confirm"]))

    assert response.status_code == 404
    assert fresh(other).check_requested_at is not None
