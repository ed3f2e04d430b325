"""Four eyes on suspensions and terminations (issue 7): one moderator proposes, a different one approves or declines.

Warnings and restrictions stay immediate. The proposer cannot approve their own request, neither through the
service nor by a direct POST to the admin; two moderators approving at once produce one transition.
"""

import threading

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from marketplace.audit.models import AuditEntry
from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.notifications.models import Notification
from sellers import services
from sellers.exceptions import (
    FourEyesViolation,
    ReasonRequired,
    SanctionRequestDecided,
    SanctionRequestPending,
    SecondApprovalRequired,
)
from sellers.models import Sanction, SanctionRequest, SanctionRequestStatus, SellerEvent, SellerStatus

from .factories import impose_sanction, make_seller

pytestmark = pytest.mark.django_db


def propose(seller, actor, level=SellerStatus.SUSPENDED, **extra):
    fields = {"rule": "Контрафакт", "reason": "Три подтверждённые жалобы на подделки", **extra}
    return services.request_sanction(seller=seller, level=level, actor=actor, **fields)


def assert_nothing_happened_to(seller):
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    assert not Sanction.objects.filter(seller=seller).exists()
    assert not SellerEvent.objects.filter(seller=seller).exclude(to_status=SellerStatus.ACTIVE).exists()
    assert not Notification.objects.filter(recipient=seller.user, kind="seller_sanction_applied").exists()


# The request and its approval ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [SellerStatus.SUSPENDED, SellerStatus.TERMINATED])
def test_moderator_suspending_or_terminating_only_records_a_request_until_a_second_moderator_approves(
    seller, moderator, level
):
    sanction_request = propose(seller, moderator, level=level, evidence="Жалобы №1–3")

    assert sanction_request.status == SanctionRequestStatus.PENDING
    assert sanction_request.requested_by == moderator
    assert sanction_request.created_at is not None
    assert sanction_request.level == level
    assert [(e.from_status, e.to_status, e.actor) for e in sanction_request.events.all()] == [
        ("", SanctionRequestStatus.PENDING, moderator)
    ]
    assert_nothing_happened_to(seller)


def test_second_moderator_approving_executes_the_transition_with_event_audit_and_notification(
    seller, moderator, other_moderator
):
    sanction_request = propose(seller, moderator, expires_in_days=30)

    services.approve_sanction_request(sanction_request=sanction_request, actor=other_moderator)

    seller.refresh_from_db()
    sanction_request.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED
    assert sanction_request.status == SanctionRequestStatus.APPROVED
    assert sanction_request.decided_by == other_moderator
    sanction = sanction_request.sanction
    assert (sanction.level, sanction.imposed_by, sanction.approved_by) == (
        SellerStatus.SUSPENDED,
        moderator,
        other_moderator,
    )
    assert 29 <= (sanction.expires_at - timezone.now()).days <= 30  # counted from the approval
    event = seller.events.get(to_status=SellerStatus.SUSPENDED)
    assert (event.from_status, event.actor) == (SellerStatus.ACTIVE, other_moderator)
    entry = AuditEntry.objects.get(object_id=str(seller.pk), content_type__model="seller")
    assert entry.actor == other_moderator
    assert (entry.before["status"], entry.after["status"]) == ("active", "suspended")
    assert Notification.objects.filter(recipient=seller.user, kind="seller_sanction_applied").count() == 1
    assert [e.to_status for e in sanction_request.events.all()] == ["pending", "approved"]


def test_moderator_cannot_approve_their_own_suspension(seller, moderator):
    sanction_request = propose(seller, moderator)

    with pytest.raises(FourEyesViolation):
        services.approve_sanction_request(sanction_request=sanction_request, actor=moderator)

    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.PENDING
    assert sanction_request.decided_by is None
    assert_nothing_happened_to(seller)


def test_superuser_cannot_approve_their_own_termination_either(seller, django_user_model):
    boss = django_user_model.objects.create_superuser(email="boss@example.com", password="x")
    sanction_request = propose(seller, boss, level=SellerStatus.TERMINATED)

    with pytest.raises(FourEyesViolation):
        services.approve_sanction_request(sanction_request=sanction_request, actor=boss)

    assert_nothing_happened_to(seller)


def test_moderator_cannot_decline_their_own_request(seller, moderator):
    sanction_request = propose(seller, moderator)

    with pytest.raises(FourEyesViolation):
        services.decline_sanction_request(sanction_request=sanction_request, actor=moderator, reason="Передумал")

    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.PENDING


def test_database_refuses_a_request_decided_by_its_proposer(seller, moderator):
    sanction_request = propose(seller, moderator)

    with pytest.raises(IntegrityError), transaction.atomic():
        SanctionRequest.objects.filter(pk=sanction_request.pk).update(decided_by=moderator)


@pytest.mark.parametrize("level", [SellerStatus.SUSPENDED, SellerStatus.TERMINATED])
def test_moderator_cannot_impose_a_suspension_or_termination_directly(seller, moderator, level):
    with pytest.raises(SecondApprovalRequired):
        services.apply_sanction(seller=seller, level=level, actor=moderator, rule="Контрафакт", reason="Жалобы")

    assert_nothing_happened_to(seller)
    assert not SanctionRequest.objects.exists()


@pytest.mark.parametrize("level", [SellerStatus.WARNED, SellerStatus.RESTRICTED])
def test_moderator_warning_or_restricting_acts_at_once_without_a_second_approval(seller, moderator, level):
    services.apply_sanction(seller=seller, level=level, actor=moderator, rule="Сроки", reason="Просрочки")

    seller.refresh_from_db()
    assert seller.status == level
    assert seller.sanctions.get().approved_by is None
    assert not SanctionRequest.objects.exists()


@pytest.mark.parametrize("level", [SellerStatus.WARNED, SellerStatus.RESTRICTED, SellerStatus.ACTIVE, "banned"])
def test_moderator_cannot_send_a_lighter_sanction_or_a_made_up_one_for_approval(seller, moderator, level):
    with pytest.raises(InvalidTransition):
        propose(seller, moderator, level=level)

    assert not SanctionRequest.objects.exists()


@pytest.mark.parametrize(("rule", "reason"), [("", "Жалобы"), ("Контрафакт", "   ")])
def test_moderator_cannot_propose_a_suspension_without_rule_and_reason(seller, moderator, rule, reason):
    with pytest.raises(ReasonRequired):
        propose(seller, moderator, rule=rule, reason=reason)

    assert not SanctionRequest.objects.exists()


@pytest.mark.parametrize("days", [0, 3651])
def test_moderator_cannot_propose_a_duration_outside_one_day_to_ten_years(seller, moderator, days):
    with pytest.raises(DomainError):
        propose(seller, moderator, expires_in_days=days)

    assert not SanctionRequest.objects.exists()


def test_pending_request_blocks_a_second_one_for_the_same_seller(seller, moderator, other_moderator):
    first = propose(seller, moderator)

    with pytest.raises(SanctionRequestPending):
        propose(seller, other_moderator, level=SellerStatus.TERMINATED)

    assert list(SanctionRequest.objects.values_list("pk", flat=True)) == [first.pk]


def test_database_refuses_two_pending_requests_for_one_seller(seller, moderator):
    first = propose(seller, moderator)

    with pytest.raises(IntegrityError), transaction.atomic():
        SanctionRequest.objects.create(
            seller=seller, level=SellerStatus.TERMINATED, rule="r", reason="x", requested_by=first.requested_by
        )


def test_other_sellers_requests_do_not_block_each_other(seller, other_seller, moderator):
    propose(seller, moderator)

    propose(other_seller, moderator)

    assert SanctionRequest.objects.pending().count() == 2


def test_second_moderator_declining_with_a_reason_changes_nothing_for_the_seller(seller, moderator, other_moderator):
    sanction_request = propose(seller, moderator)

    services.decline_sanction_request(
        sanction_request=sanction_request, actor=other_moderator, reason="Жалобы не подтверждены экспертизой"
    )

    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.DECLINED
    assert sanction_request.decided_by == other_moderator
    assert sanction_request.decision_reason == "Жалобы не подтверждены экспертизой"
    assert sanction_request.events.last().reason == "Жалобы не подтверждены экспертизой"
    assert_nothing_happened_to(seller)
    propose(seller, moderator, reason="Новые жалобы")  # a declined request no longer blocks a new one


def test_second_moderator_cannot_decline_without_a_reason(seller, moderator, other_moderator):
    sanction_request = propose(seller, moderator)

    with pytest.raises(ReasonRequired):
        services.decline_sanction_request(sanction_request=sanction_request, actor=other_moderator, reason="  ")

    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.PENDING


def test_decided_request_cannot_be_approved_or_declined_again(seller, moderator, other_moderator, django_user_model):
    third = django_user_model.objects.create_superuser(email="third@example.com", password="x")
    sanction_request = propose(seller, moderator)
    services.approve_sanction_request(sanction_request=sanction_request, actor=other_moderator)

    with pytest.raises(SanctionRequestDecided):
        services.approve_sanction_request(sanction_request=sanction_request, actor=third)
    with pytest.raises(SanctionRequestDecided):
        services.decline_sanction_request(sanction_request=sanction_request, actor=third, reason="Поздно")

    assert Sanction.objects.filter(seller=seller).count() == 1
    assert seller.events.filter(to_status=SellerStatus.SUSPENDED).count() == 1


def test_manager_may_propose_but_only_a_moderator_approves(seller, manager, moderator):
    sanction_request = propose(seller, manager)
    other_manager = type(manager).objects.create_user(email="manager2@example.com", is_staff=True)
    other_manager.groups.set(manager.groups.all())

    with pytest.raises(PermissionDenied):
        services.approve_sanction_request(sanction_request=sanction_request, actor=other_manager)
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE

    services.approve_sanction_request(sanction_request=sanction_request, actor=moderator)
    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED


def test_buyer_can_neither_propose_nor_approve(seller, user, moderator):
    with pytest.raises(PermissionDenied):
        propose(seller, user)
    sanction_request = propose(seller, moderator)

    with pytest.raises(PermissionDenied):
        services.approve_sanction_request(sanction_request=sanction_request, actor=user)

    assert_nothing_happened_to(seller)


def test_moderator_in_the_sellers_team_cannot_approve_its_suspension(seller, moderator, other_moderator):
    from sellers.models import TeamMember, TeamRole

    TeamMember.objects.create(seller=seller, user=other_moderator, role=TeamRole.MANAGER)
    sanction_request = propose(seller, moderator)

    with pytest.raises(PermissionDenied):
        services.approve_sanction_request(sanction_request=sanction_request, actor=other_moderator)

    assert_nothing_happened_to(seller)


def test_the_moderator_who_approved_a_suspension_cannot_decide_its_appeal(seller, moderator):
    from sellers.models import CaseStatus, CaseTopic

    from .factories import approving_moderator

    sanction = impose_sanction(seller, SellerStatus.SUSPENDED, actor=moderator)
    case = services.open_case(
        member=seller.user.seller_membership, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction
    )

    with pytest.raises(PermissionDenied):
        services.decide_case(case=case, actor=approving_moderator(), outcome=CaseStatus.RESOLVED, decision="ok")

    sanction.refresh_from_db()
    assert sanction.is_in_force


# Races --------------------------------------------------------------------------------------------------------------


def _race(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_moderators_approving_at_once_make_one_transition(moderator, other_moderator, django_user_model):
    seller = make_seller()
    third = django_user_model.objects.create_superuser(email="third@example.com", password="x")
    pk = propose(seller, moderator).pk

    outcomes = _race(
        [
            lambda actor=actor: services.approve_sanction_request(sanction_request=SanctionRequest(pk=pk), actor=actor)
            for actor in (other_moderator, third)
        ]
    )

    assert outcomes == ["SanctionRequestDecided", "done"]
    assert Sanction.objects.filter(seller=seller).count() == 1
    assert SellerEvent.objects.filter(seller=seller, to_status=SellerStatus.SUSPENDED).count() == 1
    assert Notification.objects.filter(recipient=seller.user, kind="seller_sanction_applied").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_moderators_proposing_at_once_leave_one_pending_request(moderator, other_moderator):
    seller = make_seller()

    outcomes = _race([lambda actor=actor: propose(seller, actor) for actor in (moderator, other_moderator)])

    assert outcomes == ["SanctionRequestPending", "done"]
    assert SanctionRequest.objects.pending().filter(seller=seller).count() == 1


# Admin: the queue, the buttons, and no way around the service ----------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_moderator_suspending_from_the_seller_page_sends_it_for_approval(client, seller, moderator):
    client.force_login(moderator)

    response = client.post(
        reverse("admin:sellers_seller_sanction", args=[seller.pk]),
        {"level": SellerStatus.SUSPENDED, "rule": "Контрафакт", "reason": "Жалобы", "expires_in_days": "14"},
    )

    assert response.status_code == 302
    sanction_request = SanctionRequest.objects.get()
    assert (sanction_request.requested_by, sanction_request.expires_in_days) == (moderator, 14)
    assert_nothing_happened_to(seller)
    page = client.get(reverse("admin:sellers_seller_change", args=[seller.pk])).content.decode()
    assert reverse("admin:sellers_sanctionrequest_change", args=[sanction_request.pk]) in page


def test_second_request_from_the_seller_page_shows_an_error_and_changes_nothing(
    client, seller, moderator, other_moderator
):
    first = propose(seller, moderator)
    client.force_login(other_moderator)

    response = client.post(
        reverse("admin:sellers_seller_sanction", args=[seller.pk]),
        {"level": SellerStatus.TERMINATED, "rule": "Контрафакт", "reason": "Жалобы"},
    )

    assert response.status_code == 200
    assert any("already waiting" in message for message in _messages(response))
    assert list(SanctionRequest.objects.values_list("pk", flat=True)) == [first.pk]


def test_proposer_direct_post_to_approve_is_refused_and_changes_nothing(client, seller, moderator):
    sanction_request = propose(seller, moderator)
    client.force_login(moderator)
    page = client.get(reverse("admin:sellers_sanctionrequest_change", args=[sanction_request.pk]))
    assert reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]) not in page.content.decode()

    response = client.post(reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]))

    assert response.status_code == 302
    assert any("cannot decide your own" in message for message in _messages(response))
    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.PENDING
    assert_nothing_happened_to(seller)


def test_proposer_direct_post_to_decline_is_refused(client, seller, moderator):
    sanction_request = propose(seller, moderator)
    client.force_login(moderator)

    client.post(reverse("admin:sellers_sanctionrequest_decline", args=[sanction_request.pk]), {"reason": "Отмена"})

    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.PENDING


def test_manager_direct_post_to_approve_is_refused(client, seller, moderator, manager):
    sanction_request = propose(seller, moderator)
    client.force_login(manager)

    client.post(reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]))

    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.PENDING
    assert_nothing_happened_to(seller)


def test_buyer_post_to_approve_is_sent_to_the_login(client, seller, moderator, user):
    sanction_request = propose(seller, moderator)
    client.force_login(user)

    response = client.post(reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]))

    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert_nothing_happened_to(seller)


def test_approve_page_answers_get_with_404(client, seller, moderator, other_moderator):
    sanction_request = propose(seller, moderator)
    client.force_login(other_moderator)

    response = client.get(reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]))

    assert response.status_code == 404
    assert_nothing_happened_to(seller)


def test_second_moderator_approves_from_the_queue_and_the_audit_log_records_it(
    client, seller, other_seller, moderator, other_moderator
):
    sanction_request = propose(seller, moderator)
    approved = propose(other_seller, moderator)
    services.approve_sanction_request(sanction_request=approved, actor=other_moderator)
    client.force_login(other_moderator)

    queue = client.get(reverse("admin:sellers_sanctionrequest_changelist"))
    page = client.get(reverse("admin:sellers_sanctionrequest_change", args=[sanction_request.pk]))
    response = client.post(reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]))

    assert list(queue.context["cl"].result_list) == [sanction_request]  # the queue: pending only
    assert reverse("admin:sellers_sanctionrequest_approve", args=[sanction_request.pk]) in page.content.decode()
    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED
    entries = AuditEntry.objects.filter(actor=other_moderator, object_id=str(sanction_request.pk))
    assert entries.filter(content_type__model="sanctionrequest", name="approve").exists()
    assert AuditEntry.objects.filter(actor=other_moderator, content_type__model="seller", object_id=str(seller.pk))
    all_requests = client.get(reverse("admin:sellers_sanctionrequest_changelist") + "?queue=all")
    assert set(all_requests.context["cl"].result_list) == {sanction_request, approved}


def test_second_moderator_declines_with_a_reason_in_the_admin(client, seller, moderator, other_moderator):
    sanction_request = propose(seller, moderator)
    client.force_login(other_moderator)
    url = reverse("admin:sellers_sanctionrequest_decline", args=[sanction_request.pk])
    assert client.get(url).status_code == 200

    empty = client.post(url, {"reason": ""})
    response = client.post(url, {"reason": "Недостаточно доказательств"})

    assert empty.status_code == 200  # the form asks for the reason
    assert response.status_code == 302
    sanction_request.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.DECLINED
    assert sanction_request.decision_reason == "Недостаточно доказательств"
    assert_nothing_happened_to(seller)


def test_pending_requests_are_a_moderation_queue_for_moderators_only(client, seller, moderator, manager):
    propose(seller, manager)

    client.force_login(moderator)
    queues = {status.queue.key: status for status in client.get("/admin/moderation/").context["queues"]}
    client.force_login(manager)
    manager_queues = {status.queue.key: status for status in client.get("/admin/moderation/").context["queues"]}

    assert queues["sanction-approvals"].count == 1
    assert queues["sanction-approvals"].oldest is not None
    assert "queue=waiting" in queues["sanction-approvals"].url
    assert "sanction-approvals" not in manager_queues


def test_moderator_cannot_edit_a_sanction_request_in_the_admin(client, seller, moderator, other_moderator):
    sanction_request = propose(seller, moderator)
    client.force_login(other_moderator)

    response = client.post(
        reverse("admin:sellers_sanctionrequest_change", args=[sanction_request.pk]),
        {"level": SellerStatus.TERMINATED, "rule": "Другое"},
    )

    assert response.status_code == 403
    sanction_request.refresh_from_db()
    assert (sanction_request.level, sanction_request.rule) == (SellerStatus.SUSPENDED, "Контрафакт")
