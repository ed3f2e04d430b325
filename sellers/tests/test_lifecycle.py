"""Seller lifecycle: sanctions ladder and registry, reinstatement, vacation, offer versions, bank details."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.legal.models import DocumentKind as LegalDocumentKind
from marketplace.legal.models import PlatformTerms
from marketplace.notifications.models import Notification
from sellers import services
from sellers.exceptions import ApplicationIncomplete, ReasonRequired
from sellers.models import BankChangeStatus, Sanction, Seller, SellerStatus

from .factories import TBANK, impose_sanction

pytestmark = pytest.mark.django_db


def sanction(seller, moderator, level=SellerStatus.WARNED, **extra):
    """In force now: a suspension or termination is proposed by `moderator` and approved by a second one."""
    return impose_sanction(
        seller, level, actor=moderator, rule="Сроки отгрузки", reason="Две недели просрочек", **extra
    )


def test_moderator_warning_a_seller_records_the_sanction_and_notifies(seller, moderator):
    record = sanction(seller, moderator, evidence="Заказы №1, №2")

    seller.refresh_from_db()
    assert seller.status == SellerStatus.WARNED
    assert record.previous_status == SellerStatus.ACTIVE
    assert record.is_in_force
    assert seller.events.filter(to_status=SellerStatus.WARNED, actor=moderator).exists()
    assert Notification.objects.filter(recipient=seller.user, kind="seller_sanction_applied").exists()


@pytest.mark.parametrize(
    ("level", "can_create", "visible"),
    [
        (SellerStatus.WARNED, True, True),
        (SellerStatus.RESTRICTED, False, True),
        (SellerStatus.SUSPENDED, False, False),
        (SellerStatus.TERMINATED, False, False),
    ],
)
def test_each_sanction_level_limits_what_the_seller_may_do(seller, moderator, level, can_create, visible):
    sanction(seller, moderator, level=level)

    seller.refresh_from_db()
    assert seller.can_create_listings is can_create
    assert seller.listings_visible is visible
    assert Seller.objects.with_visible_listings().filter(pk=seller.pk).exists() is visible


def test_moderator_cannot_sanction_without_rule_and_reason(seller, moderator):
    with pytest.raises(ReasonRequired):
        services.apply_sanction(seller=seller, level=SellerStatus.WARNED, actor=moderator, rule="", reason="x")

    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    assert not Sanction.objects.exists()


def test_moderator_cannot_sanction_with_a_status_that_is_not_a_sanction(seller, moderator):
    with pytest.raises(InvalidTransition):
        services.apply_sanction(seller=seller, level=SellerStatus.ACTIVE, actor=moderator, rule="r", reason="x")

    assert not Sanction.objects.exists()


def test_buyer_cannot_sanction_a_seller(seller, user):
    with pytest.raises(PermissionDenied):
        sanction(seller, user)

    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE


def test_lighter_sanction_does_not_lift_a_heavier_one(seller, moderator):
    sanction(seller, moderator, level=SellerStatus.SUSPENDED)

    sanction(seller, moderator, level=SellerStatus.WARNED)

    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED
    assert seller.sanctions.in_force().count() == 2


def test_lifting_a_sanction_returns_the_seller_to_the_heaviest_one_in_force(seller, moderator):
    warning = sanction(seller, moderator, level=SellerStatus.WARNED)
    suspension = sanction(seller, moderator, level=SellerStatus.SUSPENDED)

    services.lift_sanction(sanction=suspension, actor=moderator, reason="Исправлено")

    seller.refresh_from_db()
    assert seller.status == SellerStatus.WARNED
    services.lift_sanction(sanction=warning, actor=moderator, reason="Срок истёк")
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    assert Notification.objects.filter(recipient=seller.user, kind="seller_sanction_lifted").count() == 2


def test_expired_sanctions_are_lifted_by_the_nightly_job_once(seller, moderator):
    record = sanction(seller, moderator, expires_at=timezone.now() + datetime.timedelta(days=7))
    later = timezone.now() + datetime.timedelta(days=8)

    assert services.lift_expired_sanctions(now=later) == 1
    assert services.lift_expired_sanctions(now=later) == 0

    record.refresh_from_db()
    seller.refresh_from_db()
    assert record.lifted_at is not None
    assert record.lifted_by is None
    assert seller.status == SellerStatus.ACTIVE


def test_sanction_expiry_must_be_in_the_future(seller, moderator):
    with pytest.raises(DomainError):
        sanction(seller, moderator, expires_at=timezone.now() - datetime.timedelta(hours=1))

    assert not Sanction.objects.exists()


def test_reinstating_lifts_every_sanction(seller, moderator):
    sanction(seller, moderator, level=SellerStatus.WARNED)
    sanction(seller, moderator, level=SellerStatus.TERMINATED)

    services.reinstate_seller(seller=seller, actor=moderator, reason="Апелляция удовлетворена")

    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    assert not seller.sanctions.in_force().exists()


# Vacation ------------------------------------------------------------------------------------------------


def test_owner_sets_vacation_and_the_store_stops_taking_orders(seller, owner_member):
    today = timezone.localdate()

    services.set_vacation(member=owner_member, start=today, end=today + datetime.timedelta(days=10))

    seller.refresh_from_db()
    assert seller.is_on_vacation
    assert not seller.accepts_new_orders
    assert seller.listings_visible
    assert not Seller.objects.accepting_orders().filter(pk=seller.pk).exists()
    services.end_vacation(member=owner_member)
    assert Seller.objects.accepting_orders().filter(pk=seller.pk).exists()


@pytest.mark.parametrize(("start_days", "end_days"), [(-1, 3), (5, 2), (0, 120)])
def test_seller_cannot_set_impossible_vacation_dates(seller, owner_member, start_days, end_days):
    today = timezone.localdate()

    with pytest.raises(DomainError):
        services.set_vacation(
            member=owner_member,
            start=today + datetime.timedelta(days=start_days),
            end=today + datetime.timedelta(days=end_days),
        )

    seller.refresh_from_db()
    assert seller.vacation_from is None


def test_warehouse_member_cannot_set_vacation(seller, warehouse_member):
    today = timezone.localdate()

    with pytest.raises(PermissionDenied):
        services.set_vacation(member=warehouse_member, start=today, end=today)


# Seller offer -------------------------------------------------------------------------------------------


def new_offer(effective_at, version="2.0"):
    return PlatformTerms.objects.create(
        kind=LegalDocumentKind.SELLER_OFFER,
        version=version,
        effective_at=effective_at,
        title_ru="Оферта",
        title_en="Offer",
        body_ru="Текст",
        body_en="Text",
    )


def test_seller_who_did_not_accept_a_new_offer_in_force_has_listings_paused(seller, other_seller, owner_member):
    offer = new_offer(timezone.now() + datetime.timedelta(days=30))
    services.accept_seller_offer(member=owner_member, offer=offer, ip_address="198.51.100.7")
    PlatformTerms.objects.filter(pk=offer.pk).update(effective_at=timezone.now() - datetime.timedelta(minutes=1))

    paused = services.pause_sellers_without_current_offer()

    assert paused == 1
    seller.refresh_from_db()
    other_seller.refresh_from_db()
    assert not seller.offer_paused
    assert other_seller.offer_paused
    assert not other_seller.listings_visible
    assert Notification.objects.filter(recipient=other_seller.user, kind="seller_offer_paused").exists()
    assert services.pause_sellers_without_current_offer() == 0


def test_accepting_the_current_offer_unpauses_listings(other_seller):
    offer = new_offer(timezone.now() - datetime.timedelta(minutes=1))
    services.pause_sellers_without_current_offer()
    member = other_seller.user.seller_membership

    services.accept_seller_offer(member=member, offer=offer, ip_address=None)

    other_seller.refresh_from_db()
    assert other_seller.offer_terms == offer
    assert not other_seller.offer_paused


def test_seller_cannot_accept_an_outdated_offer(seller, owner_member):
    old = seller.offer_terms
    new_offer(timezone.now() + datetime.timedelta(days=1))

    with pytest.raises(DomainError):
        services.accept_seller_offer(member=owner_member, offer=old, ip_address=None)


def test_manager_cannot_accept_the_offer_for_the_owner(seller, manager_member):
    offer = new_offer(timezone.now() + datetime.timedelta(days=1))

    with pytest.raises(PermissionDenied):
        services.accept_seller_offer(member=manager_member, offer=offer, ip_address=None)


# Bank details -------------------------------------------------------------------------------------------


def request_tbank(member):
    return services.request_bank_details_change(member=member, **TBANK, comment="Сменили банк")


def test_new_bank_details_are_used_only_after_a_moderator_approves(seller, owner_member, moderator):
    change = request_tbank(owner_member)

    seller.refresh_from_db()
    assert seller.bik == "044525225"

    services.approve_bank_details_change(change=change, actor=moderator)

    seller.refresh_from_db()
    assert (seller.bik, seller.settlement_account) == (TBANK["bik"], TBANK["settlement_account"])
    assert change.events.filter(to_status=BankChangeStatus.APPROVED, actor=moderator).exists()


def test_rejected_bank_details_leave_payout_details_unchanged(seller, owner_member, moderator):
    change = request_tbank(owner_member)

    services.reject_bank_details_change(change=change, actor=moderator, reason="Счёт открыт на другое лицо")

    seller.refresh_from_db()
    change.refresh_from_db()
    assert seller.bik == "044525225"
    assert change.status == BankChangeStatus.REJECTED
    assert change.decision_reason


def test_seller_cannot_request_bank_details_with_a_wrong_control_key(seller, owner_member):
    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.request_bank_details_change(
            member=owner_member, **{**TBANK, "settlement_account": "40702810610000000002"}
        )

    assert "settlement_account" in excinfo.value.errors
    assert not seller.bank_changes.exists()


def test_seller_cannot_have_two_pending_bank_changes(seller, owner_member):
    request_tbank(owner_member)

    with pytest.raises(DomainError):
        request_tbank(owner_member)

    assert seller.bank_changes.count() == 1


def test_manager_cannot_change_bank_details(seller, manager_member):
    with pytest.raises(PermissionDenied):
        request_tbank(manager_member)

    assert not seller.bank_changes.exists()


def test_moderator_in_the_sellers_team_cannot_approve_its_bank_change(seller, owner_member, moderator):
    from sellers.models import TeamMember, TeamRole

    TeamMember.objects.create(seller=seller, user=moderator, role=TeamRole.MANAGER)
    change = request_tbank(owner_member)

    with pytest.raises(PermissionDenied):
        services.approve_bank_details_change(change=change, actor=moderator)

    change.refresh_from_db()
    assert change.status == BankChangeStatus.PENDING
