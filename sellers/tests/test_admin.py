"""Moderators' and managers' tools in the admin: the queue, one page with everything, decisions through services."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sellers import services
from sellers.models import (
    Announcement,
    AnnouncementReceipt,
    ApplicationStatus,
    BankChangeStatus,
    CaseStatus,
    CaseTopic,
    LegalForm,
    ReviewCheck,
    Seller,
    SellerStatus,
)

from .factories import TBANK, ApplicationFactory
from .test_applications import in_review_application, submitted_application

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:sellers_{obj._meta.model_name}_change", args=[obj.pk])


def test_queue_lists_oldest_submission_first_and_flags_the_sla(client, moderator, user, other_user):
    old = ApplicationFactory(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(hours=60)
    )
    new = ApplicationFactory(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(hours=2)
    )
    ApplicationFactory(status=ApplicationStatus.DRAFT)
    client.force_login(moderator)

    response = client.get(reverse("admin:sellers_sellerapplication_changelist"))

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [old, new]  # drafts are not in the queue
    html = response.content.decode()
    assert "seller-badge--danger" in html  # 60 h is past the 48 h SLA


def test_queue_filters_by_legal_form(client, moderator):
    llc = ApplicationFactory(status=ApplicationStatus.SUBMITTED, legal_form=LegalForm.LLC)
    ApplicationFactory(status=ApplicationStatus.SUBMITTED, legal_form=LegalForm.SOLE_TRADER)
    client.force_login(moderator)

    response = client.get(reverse("admin:sellers_sellerapplication_changelist"), {"legal_form__exact": "ooo"})

    assert list(response.context["cl"].result_list) == [llc]


def test_application_page_has_data_checks_documents_history_and_a_registry_link(client, moderator, user):
    application = submitted_application(user)
    client.force_login(moderator)

    response = client.get(change_url(application))

    html = response.content.decode()
    assert response.status_code == 200
    assert application.inn in html
    assert "https://egrul.nalog.ru/" in html
    assert "did not query any registry" in html or "не запрашивала" in html
    assert application.documents.first().get_absolute_url() in html
    assert "seller-checks" in html
    assert reverse("admin:sellers_sellerapplication_review", args=[application.pk]) in html


def test_manager_sees_which_documents_an_application_has_but_no_link_to_them(client, manager, user):
    application = submitted_application(user)
    document = application.documents.first()
    client.force_login(manager)

    response = client.get(change_url(application))

    html = response.content.decode()
    assert response.status_code == 200
    assert document.original_name in html
    assert document.get_absolute_url() not in html  # the document view answers 404 to managers
    assert client.get(document.get_absolute_url()).status_code == 404


def test_moderator_reviews_and_approves_from_the_admin(client, moderator, user):
    application = submitted_application(user)
    client.force_login(moderator)

    client.post(reverse("admin:sellers_sellerapplication_review", args=[application.pk]))
    approve_url = reverse("admin:sellers_sellerapplication_approve", args=[application.pk])
    assert client.get(approve_url).status_code == 200
    response = client.post(approve_url, {"checks": ReviewCheck.values})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert Seller.objects.get(user=user).storefront.slug == application.store_slug


def test_approving_from_the_admin_an_application_not_in_review_shows_an_error(client, moderator, user):
    application = submitted_application(user)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_sellerapplication_approve", args=[application.pk]),
        {"checks": ReviewCheck.values},
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert any("in review" in message or "на проверке" in message for message in messages)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Seller.objects.filter(user=user).exists()


def test_moderator_cannot_approve_without_confirming_every_manual_check(client, moderator, user):
    application = in_review_application(user, moderator)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_sellerapplication_approve", args=[application.pk]),
        {"checks": [ReviewCheck.IDENTITY, ReviewCheck.BANK]},
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any(str(ReviewCheck.REGISTRY.label) in message for message in messages)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert not Seller.objects.filter(user=user).exists()


def test_moderator_requests_changes_with_a_reason_per_field(client, moderator, user):
    application = in_review_application(user, moderator)
    client.force_login(moderator)
    url = reverse("admin:sellers_sellerapplication_request_changes", args=[application.pk])

    assert client.get(url).status_code == 200
    response = client.post(
        url, {"field_inn": "Не совпадает с ЕГРИП", "field_documents": "Паспорт нечитаем", "comment": ""}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED
    assert dict(application.change_requests.values_list("field", "message")) == {
        "inn": "Не совпадает с ЕГРИП",
        "documents": "Паспорт нечитаем",
    }


def test_requesting_changes_without_any_field_reason_changes_nothing(client, moderator, user):
    application = in_review_application(user, moderator)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_sellerapplication_request_changes", args=[application.pk]), {"comment": "x"}
    )

    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def test_moderator_rejects_with_a_reason(client, moderator, user):
    application = in_review_application(user, moderator)
    client.force_login(moderator)

    client.post(reverse("admin:sellers_sellerapplication_reject", args=[application.pk]), {"reason": "Нет в ЕГРИП"})

    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Нет в ЕГРИП"


def test_moderator_cannot_decide_own_application_in_the_admin(client, moderator):
    application = ApplicationFactory(applicant=moderator, status=ApplicationStatus.IN_REVIEW)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_sellerapplication_approve", args=[application.pk]), {"checks": ReviewCheck.values}
    )

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def test_manager_cannot_review_applications(client, manager, user):
    application = submitted_application(user)
    client.force_login(manager)

    response = client.post(reverse("admin:sellers_sellerapplication_review", args=[application.pk]))

    assert response.status_code == 403


def test_buyer_is_sent_away_from_the_admin(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:sellers_sellerapplication_changelist"))

    assert response.status_code == 302


# Sanctions, bank details -------------------------------------------------------------------------------------


def test_moderator_applies_a_sanction_from_the_seller_page(client, moderator, seller):
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_seller_sanction", args=[seller.pk]),
        {
            "level": SellerStatus.RESTRICTED,
            "rule": "Сроки",
            "reason": "Просрочки",
            "evidence": "",
            "expires_in_days": "30",
        },
    )

    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.status == SellerStatus.RESTRICTED
    sanction = seller.sanctions.get()
    assert sanction.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert client.get(change_url(seller)).status_code == 200


def test_moderator_approves_new_bank_details(client, moderator, seller):
    change = services.request_bank_details_change(member=seller.user.seller_membership, **TBANK)
    client.force_login(moderator)

    assert client.get(change_url(change)).status_code == 200
    client.post(reverse("admin:sellers_bankdetailschange_approve", args=[change.pk]))

    change.refresh_from_db()
    seller.refresh_from_db()
    assert change.status == BankChangeStatus.APPROVED
    assert seller.bik == TBANK["bik"]


# Announcements ---------------------------------------------------------------------------------------------


def test_manager_writes_and_publishes_an_announcement_and_sees_the_rates(client, manager, seller, other_seller):
    client.force_login(manager)
    client.post(
        reverse("admin:sellers_announcement_add"),
        {"title": "Новая оферта", "body": "Текст", "topic": "rule_change", "requires_acknowledgement": "on"},
    )
    announcement = Announcement.objects.get()
    assert announcement.created_by == manager

    client.post(
        reverse("admin:sellers_announcement_changelist"),
        {"action": "publish_action", "_selected_action": [announcement.pk]},
    )
    AnnouncementReceipt.objects.filter(seller=seller).update(read_at=timezone.now())

    response = client.get(reverse("admin:sellers_announcement_changelist"))
    announcement.refresh_from_db()
    assert announcement.is_published
    assert "1 (50 %)" in response.content.decode()


def test_moderator_cannot_publish_announcements(client, moderator, seller):
    announcement = Announcement.objects.create(title="t", body="b", created_by=moderator)
    client.force_login(moderator)

    client.post(
        reverse("admin:sellers_announcement_changelist"),
        {"action": "publish_action", "_selected_action": [announcement.pk]},
    )

    announcement.refresh_from_db()
    assert not announcement.is_published


# Cases -----------------------------------------------------------------------------------------------------


def test_case_queue_lists_the_nearest_deadline_first(client, moderator, seller, other_seller):
    first = services.open_case(member=seller.user.seller_membership, topic=CaseTopic.OTHER, subject="a", body="b")
    second = services.open_case(
        member=other_seller.user.seller_membership, topic=CaseTopic.OTHER, subject="c", body="d"
    )
    client.force_login(moderator)

    response = client.get(reverse("admin:sellers_sellercase_changelist"))

    assert list(response.context["cl"].result_list) == [first, second]


def test_case_queue_shows_open_cases_by_default_and_every_case_on_request(client, moderator, seller, other_seller):
    waiting = services.open_case(member=seller.user.seller_membership, topic=CaseTopic.OTHER, subject="a", body="b")
    decided = services.open_case(
        member=other_seller.user.seller_membership, topic=CaseTopic.OTHER, subject="c", body="d"
    )
    client.force_login(moderator)
    client.post(
        reverse("admin:sellers_sellercase_decide", args=[decided.pk]),
        {"outcome": CaseStatus.RESOLVED, "decision": "Решено"},
    )

    default = client.get(reverse("admin:sellers_sellercase_changelist"))
    everything = client.get(reverse("admin:sellers_sellercase_changelist"), {"queue": "all"})

    assert list(default.context["cl"].result_list) == [waiting]
    assert set(everything.context["cl"].result_list) == {waiting, decided}


def test_moderator_answers_and_decides_a_case_in_the_admin(client, moderator, seller):
    case = services.open_case(member=seller.user.seller_membership, topic=CaseTopic.PAYOUT, subject="s", body="b")
    client.force_login(moderator)

    assert client.get(change_url(case)).status_code == 200
    client.post(reverse("admin:sellers_sellercase_answer", args=[case.pk]), {"body": "Проверяем"})
    client.post(
        reverse("admin:sellers_sellercase_decide", args=[case.pk]),
        {"outcome": CaseStatus.RESOLVED, "decision": "Выплата отправлена повторно"},
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.decision == "Выплата отправлена повторно"


def test_imposer_of_a_sanction_cannot_decide_its_appeal_in_the_admin(client, moderator, seller):
    sanction = services.apply_sanction(seller=seller, level=SellerStatus.WARNED, actor=moderator, rule="r", reason="x")
    case = services.open_case(
        member=seller.user.seller_membership, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction
    )
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_sellercase_decide", args=[case.pk]),
        {"outcome": CaseStatus.RESOLVED, "decision": "ok"},
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
