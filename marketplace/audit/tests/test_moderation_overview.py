"""The Moderation overview: each queue's size and oldest item, SLA badges, only the queues one may work."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import ListingQuestion, ListingReport, QAStatus
from catalog.tests.factories import make_listing
from catalog.tests.factories import make_seller as make_catalog_seller
from marketplace.audit import moderation
from sellers.models import ApplicationStatus, SellerApplication
from sellers.tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/moderation/"


def by_key(response) -> dict[str, moderation.QueueStatus]:
    return {status.queue.key: status for status in response.context["queues"]}


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def submitted(hours: float) -> SellerApplication:
    return ApplicationFactory(status=ApplicationStatus.SUBMITTED, submitted_at=hours_ago(hours))


def test_the_moderation_page_lives_in_the_admin_namespace():
    assert reverse("admin:moderation") == URL


def test_moderator_sees_each_queue_with_its_count_and_oldest_item(client, moderator):
    submitted(5)
    oldest = submitted(30)
    ApplicationFactory(status=ApplicationStatus.DRAFT)  # not waiting for anyone
    client.force_login(moderator)

    response = client.get(URL)

    assert response.status_code == 200
    queues = by_key(response)
    assert {
        "seller-applications",
        "listings",
        "listing-reports",
        "questions",
        "answers",
        "seller-cases",
        "bank-detail-changes",
    } <= queues.keys()
    applications = queues["seller-applications"]
    assert applications.count == 2
    assert applications.oldest == oldest.submitted_at
    assert not applications.overdue  # 30 h is within the 48 h SLA
    assert queues["bank-detail-changes"].count == 0
    assert queues["bank-detail-changes"].oldest is None
    html = response.content.decode()
    assert reverse("admin:sellers_sellerapplication_changelist") + "?queue=waiting" in html


def test_a_queue_past_its_sla_gets_a_badge(client, moderator):
    submitted(60)
    client.force_login(moderator)

    response = client.get(URL)

    assert by_key(response)["seller-applications"].overdue
    assert "moderation-badge--overdue" in response.content.decode()


def test_listing_reports_and_questions_are_counted_with_their_oldest_item(client, moderator):
    seller = make_catalog_seller()
    listing = make_listing(seller)
    reporters = [UserFactory() for _ in range(2)]
    for index, reporter in enumerate(reporters):
        report = ListingReport.objects.create(listing=listing, reporter=reporter, reason="counterfeit")
        ListingReport.objects.filter(pk=report.pk).update(created_at=hours_ago(10 * (index + 1)))
    question = ListingQuestion.objects.create(listing=listing, author=reporters[0], text="Оригинал?")
    ListingQuestion.objects.filter(pk=question.pk).update(created_at=hours_ago(30))
    ListingQuestion.objects.create(
        listing=listing,
        author=reporters[1],
        text="Размер?",
        status=QAStatus.PUBLISHED,
        answer="Да",
        answer_status=QAStatus.PENDING,
        answered_at=hours_ago(2),
    )
    client.force_login(moderator)

    queues = by_key(client.get(URL))

    assert queues["listing-reports"].count == 2
    assert queues["listing-reports"].oldest == ListingReport.objects.earliest("created_at").created_at
    assert queues["questions"].count == 1
    assert queues["questions"].overdue  # 30 h past the 24 h target
    assert queues["answers"].count == 1
    assert not queues["answers"].overdue
    assert queues["listings"].count == 1  # the reported listing waits in the moderation queue too


def test_the_overview_costs_the_same_queries_however_many_items_wait(client, moderator):
    submitted(1)
    client.force_login(moderator)
    client.get(URL)  # warm per-process caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for hours in range(2, 12):
        submitted(hours)

    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many) == len(few)


def test_each_queue_costs_one_query(moderator):
    queues = moderation.visible_queues(moderator)  # loads the permissions once
    with CaptureQueriesContext(connection) as queries:
        moderation.queue_statuses(moderator)
    assert len(queries) == len(queues)


def test_staff_without_a_queues_permission_do_not_see_that_queue(client, moderator):
    submitted(5)
    review = Permission.objects.get(codename="review_sellerapplication")
    limited = Group.objects.create(name="Content moderators")
    limited.permissions.set(Group.objects.get(name="Moderators").permissions.exclude(pk=review.pk))
    moderator.groups.set([limited])
    client.force_login(moderator)

    queues = by_key(client.get(URL))

    assert "seller-applications" not in queues
    assert "listings" in queues


def test_manager_sees_no_moderation_queues(client, manager):
    client.force_login(manager)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["queues"] == []
    assert "You have no moderation queues." in response.content.decode()


def test_admin_index_shows_the_queues_and_links_to_the_overview(client, moderator):
    submitted(5)
    client.force_login(moderator)

    html = client.get(reverse("admin:index")).content.decode()

    assert 'href="/admin/moderation/"' in html
    assert 'data-queue="seller-applications"' in html


def test_plain_user_cannot_open_the_overview(client, user):
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_app_registers_a_queue_through_the_registry(moderator):
    registry = moderation.QueueRegistry()
    registry.register(
        moderation.Queue(
            key="test-applications",
            label="Test",
            queryset=lambda: SellerApplication.objects.all(),
            age_field="created_at",
            url=lambda: "/x/",
            permissions=("sellers.view_sellerapplication",),
            sla_hours=1,
        )
    )
    registry.register(
        moderation.Queue(
            key="secret",
            label="Secret",
            queryset=lambda: SellerApplication.objects.all(),
            age_field="created_at",
            url=lambda: "/y/",
            permissions=("audit.view_all_auditentries",),
        )
    )
    ApplicationFactory()

    [status] = moderation.queue_statuses(moderator, queues=registry)

    assert (status.queue.key, status.count, status.url) == ("test-applications", 1, "/x/")
