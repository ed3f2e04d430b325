"""Announcements to segments with read/acknowledge tracking; seller cases with deadlines, decisions and appeals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.notifications.models import Notification
from sellers import selectors, services
from sellers.exceptions import AppealExists, CaseClosed, InvalidDocument, ReasonRequired
from sellers.models import Announcement, AnnouncementReceipt, CaseStatus, CaseTopic, LegalForm, SellerStatus
from sellers.services.common import add_working_days

from .factories import impose_sanction, make_seller, upload

pytestmark = pytest.mark.django_db


def announcement(manager, **fields):
    return Announcement.objects.create(title="Новые правила", body="Текст", created_by=manager, **fields)


def test_manager_publishes_to_a_segment_only(seller, other_seller, manager):
    # seller is an ИП, other_seller an ООО
    item = announcement(manager, segment_legal_form=LegalForm.LLC, requires_acknowledgement=True)

    count = services.publish_announcement(announcement=item, actor=manager)

    assert count == 1
    assert list(AnnouncementReceipt.objects.values_list("seller", flat=True)) == [other_seller.pk]
    assert Notification.objects.filter(recipient=other_seller.user, kind="seller_announcement").exists()
    assert not Notification.objects.filter(recipient=seller.user, kind="seller_announcement").exists()


def test_publishing_twice_sends_nothing_new(seller, manager):
    item = announcement(manager)
    services.publish_announcement(announcement=item, actor=manager)

    assert services.publish_announcement(announcement=item, actor=manager) == 0
    assert AnnouncementReceipt.objects.count() == 1


def test_terminated_sellers_get_no_announcements(seller, manager, moderator):
    terminated = make_seller(status=SellerStatus.TERMINATED)

    services.publish_announcement(announcement=announcement(manager), actor=manager)

    assert not AnnouncementReceipt.objects.filter(seller=terminated).exists()


def test_segment_by_category_matches_the_sellers_categories(seller, manager):
    make_seller(categories="Одежда")

    services.publish_announcement(announcement=announcement(manager, segment_category="электроника"), actor=manager)

    assert list(AnnouncementReceipt.objects.values_list("seller", flat=True)) == [seller.pk]


def test_buyer_and_moderator_cannot_publish(seller, user, moderator):
    item = announcement(user)

    for actor in (user, moderator):
        with pytest.raises(PermissionDenied):
            services.publish_announcement(announcement=item, actor=actor)

    item.refresh_from_db()
    assert not item.is_published
    assert not AnnouncementReceipt.objects.exists()


def test_reading_and_acknowledging_are_tracked_for_the_manager(seller, manager, manager_member):
    item = announcement(manager, requires_acknowledgement=True)
    services.publish_announcement(announcement=item, actor=manager)
    receipt = AnnouncementReceipt.objects.get()
    assert selectors.unread_announcement_count(seller=seller) == 1

    services.mark_announcement_read(receipt=receipt, member=manager_member)
    services.acknowledge_announcement(receipt=receipt, member=manager_member)

    receipt.refresh_from_db()
    assert receipt.read_at
    assert receipt.acknowledged_by == manager_member.user
    assert selectors.unread_announcement_count(seller=seller) == 0
    rates = selectors.announcements_with_rates().get(pk=item.pk)
    assert (rates.recipients, rates.reads, rates.acknowledgements) == (1, 1, 1)


def test_warehouse_member_cannot_acknowledge(seller, manager, warehouse_member):
    services.publish_announcement(announcement=announcement(manager, requires_acknowledgement=True), actor=manager)
    receipt = AnnouncementReceipt.objects.get()

    with pytest.raises(PermissionDenied):
        services.acknowledge_announcement(receipt=receipt, member=warehouse_member)

    receipt.refresh_from_db()
    assert receipt.acknowledged_at is None


def test_acknowledging_an_ordinary_announcement_is_refused(seller, manager, owner_member):
    services.publish_announcement(announcement=announcement(manager), actor=manager)

    with pytest.raises(DomainError):
        services.acknowledge_announcement(receipt=AnnouncementReceipt.objects.get(), member=owner_member)


def test_seller_cannot_mark_another_sellers_receipt(seller, other_seller, manager, owner_member):
    services.publish_announcement(announcement=announcement(manager, segment_legal_form=LegalForm.LLC), actor=manager)

    with pytest.raises(PermissionDenied):
        services.mark_announcement_read(receipt=AnnouncementReceipt.objects.get(), member=owner_member)


# Cases ---------------------------------------------------------------------------------------------------


def test_working_days_skip_weekends_and_holidays():
    friday = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))  # 2026-11-20 is a Friday

    assert add_working_days(friday, 1).date() == datetime.date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 5).date() == datetime.date(2026, 11, 27)
    before_new_year = timezone.make_aware(datetime.datetime(2026, 12, 30, 10, 0))
    assert add_working_days(before_new_year, 1).date() == datetime.date(2027, 1, 1)  # 2027 calendar not listed


def test_seller_opens_a_case_with_a_deadline_in_working_days(seller, owner_member):
    case = services.open_case(
        member=owner_member,
        topic=CaseTopic.PAYOUT,
        subject="Выплата не пришла",
        body="Ждём с понедельника",
        attachments=[upload("выписка.pdf")],
    )

    assert case.status == CaseStatus.OPEN
    assert abs(case.answer_due_at - add_working_days(case.created_at, 5)) < datetime.timedelta(seconds=5)
    message = case.messages.get()
    assert message.attachments.get().content_type == "application/pdf"
    assert case.events.get().to_status == CaseStatus.OPEN


def test_case_with_a_bad_attachment_is_not_opened(seller, owner_member):
    from sellers.models import SellerCase

    with pytest.raises(InvalidDocument):
        services.open_case(
            member=owner_member,
            topic=CaseTopic.OTHER,
            subject="s",
            body="b",
            attachments=[upload("ok.pdf"), upload("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)],
        )

    assert not SellerCase.objects.exists()


def test_case_needs_a_subject_and_a_description(seller, owner_member):
    with pytest.raises(ReasonRequired):
        services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject=" ", body="")


def test_warehouse_member_cannot_open_cases(seller, warehouse_member):
    with pytest.raises(PermissionDenied):
        services.open_case(member=warehouse_member, topic=CaseTopic.OTHER, subject="s", body="b")


def sanctioned(seller, moderator):
    """A suspension `moderator` proposed and a second moderator approved (four eyes)."""
    return impose_sanction(
        seller, SellerStatus.SUSPENDED, actor=moderator, rule="Подделки", reason="Жалобы покупателей"
    )


def test_upheld_appeal_lifts_the_sanction(seller, owner_member, moderator, other_moderator):
    sanction = sanctioned(seller, moderator)
    case = services.open_case(
        member=owner_member,
        topic=CaseTopic.SANCTION,
        subject="Не согласны",
        body="Товар оригинальный",
        sanction=sanction,
    )

    services.answer_case(case=case, actor=other_moderator, body="Проверяем сертификаты, ответим до пятницы")
    services.decide_case(
        case=case, actor=other_moderator, outcome=CaseStatus.RESOLVED, decision="Сертификаты подлинные"
    )

    case.refresh_from_db()
    sanction.refresh_from_db()
    seller.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.decision == "Сертификаты подлинные"
    assert sanction.lifted_by == other_moderator
    assert seller.status == SellerStatus.ACTIVE
    kinds = set(Notification.objects.filter(recipient=seller.user).values_list("kind", flat=True))
    assert {"seller_case_answered", "seller_case_decided"} <= kinds


def test_the_moderator_who_imposed_a_sanction_cannot_decide_its_appeal(seller, owner_member, moderator):
    sanction = sanctioned(seller, moderator)
    case = services.open_case(member=owner_member, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction)

    with pytest.raises(PermissionDenied):
        services.decide_case(case=case, actor=moderator, outcome=CaseStatus.RESOLVED, decision="ok")

    sanction.refresh_from_db()
    assert sanction.is_in_force


def test_rejected_appeal_keeps_the_sanction(seller, owner_member, moderator, other_moderator):
    sanction = sanctioned(seller, moderator)
    case = services.open_case(member=owner_member, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction)

    services.decide_case(
        case=case, actor=other_moderator, outcome=CaseStatus.REJECTED, decision="Нарушение подтверждено"
    )

    sanction.refresh_from_db()
    seller.refresh_from_db()
    assert sanction.is_in_force
    assert seller.status == SellerStatus.SUSPENDED


def test_a_sanction_can_be_appealed_once(seller, owner_member, moderator):
    sanction = sanctioned(seller, moderator)
    services.open_case(member=owner_member, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction)

    with pytest.raises(AppealExists):
        services.open_case(member=owner_member, topic=CaseTopic.SANCTION, subject="s2", body="b2", sanction=sanction)

    assert sanction.appeals.count() == 1


def test_seller_cannot_appeal_another_sellers_sanction(seller, other_seller, owner_member, moderator):
    sanction = sanctioned(other_seller, moderator)

    with pytest.raises(PermissionDenied):
        services.open_case(member=owner_member, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction)


def test_decision_needs_written_reasons(seller, owner_member, moderator):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")

    with pytest.raises(ReasonRequired):
        services.decide_case(case=case, actor=moderator, outcome=CaseStatus.REJECTED, decision="  ")

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_sellers_reply_to_an_answer_reopens_the_case_with_a_new_deadline(seller, owner_member, moderator):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")
    services.answer_case(case=case, actor=moderator, body="Уточните номер заказа")
    old_due = case.answer_due_at

    services.post_seller_message(case=case, member=owner_member, body="Заказ №15")

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.answer_due_at >= old_due


def test_seller_closes_a_decided_case_with_a_rating(seller, owner_member, moderator):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")
    services.decide_case(case=case, actor=moderator, outcome=CaseStatus.RESOLVED, decision="Готово")

    services.close_case(case=case, member=owner_member, satisfaction=5)

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.satisfaction == 5
    with pytest.raises(CaseClosed):
        services.post_seller_message(case=case, member=owner_member, body="ещё")


def test_open_case_cannot_be_closed_by_the_seller(seller, owner_member):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")

    with pytest.raises(PermissionDenied):
        services.close_case(case=case, member=owner_member)

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_satisfaction_outside_one_to_five_is_refused(seller, owner_member, moderator):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")
    services.decide_case(case=case, actor=moderator, outcome=CaseStatus.RESOLVED, decision="ok")

    with pytest.raises(DomainError):
        services.close_case(case=case, member=owner_member, satisfaction=9)

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_stale_decided_cases_are_closed_by_the_job(seller, owner_member, moderator):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")
    services.decide_case(case=case, actor=moderator, outcome=CaseStatus.REJECTED, decision="нет")

    assert services.close_stale_cases(now=timezone.now() + datetime.timedelta(days=30)) == 1

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_moderator_cannot_decide_twice_in_different_ways(seller, owner_member, moderator):
    case = services.open_case(member=owner_member, topic=CaseTopic.OTHER, subject="s", body="b")
    services.decide_case(case=case, actor=moderator, outcome=CaseStatus.REJECTED, decision="нет")

    with pytest.raises(InvalidTransition):
        services.decide_case(case=case, actor=moderator, outcome=CaseStatus.RESOLVED, decision="да")

    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED


# A new seller offer version -------------------------------------------------------------------------------


def test_new_seller_offer_is_announced_once_to_sellers_who_must_accept_it(seller, other_seller):
    from marketplace.legal.models import DocumentKind as LegalDocumentKind
    from marketplace.legal.models import PlatformTerms

    assert services.announce_new_seller_offer() is None  # version 1.0: everyone accepted it at onboarding
    offer = PlatformTerms.objects.create(
        kind=LegalDocumentKind.SELLER_OFFER,
        version="2.0",
        effective_at=timezone.now() + datetime.timedelta(days=30),
        title_ru="Оферта",
        title_en="Offer",
        summary_ru="Новые сроки выплат.",
        body_ru="Текст",
        body_en="Text",
    )
    services.accept_seller_offer(member=seller.user.seller_membership, offer=offer, ip_address=None)

    announcement = services.announce_new_seller_offer()

    assert announcement.offer_terms == offer
    assert announcement.topic == "rule_change"
    assert "Новые сроки выплат." in announcement.body
    assert list(announcement.receipts.values_list("seller", flat=True)) == [other_seller.pk]
    assert Notification.objects.filter(recipient=other_seller.user, kind="seller_announcement").exists()
    assert services.announce_new_seller_offer() is None
