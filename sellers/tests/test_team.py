"""Team: the owner invites by e-mail with a role; only the invited address can join; roles limit the cabinet."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from marketplace.core.exceptions import DomainError
from marketplace.notifications.models import Delivery, Notification
from sellers import services
from sellers.exceptions import AlreadySelling, InvitationUnavailable
from sellers.models import InvitationStatus, TeamInvitation, TeamMember, TeamRole
from sellers.policies import Section, can_access_section

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "section", "allowed"),
    [
        (TeamRole.OWNER, Section.FINANCE, True),
        (TeamRole.OWNER, Section.TEAM, True),
        (TeamRole.MANAGER, Section.FINANCE, False),
        (TeamRole.MANAGER, Section.TEAM, False),
        (TeamRole.MANAGER, Section.STORE, True),
        (TeamRole.MANAGER, Section.CASES, True),
        (TeamRole.MANAGER, Section.LISTINGS, True),
        (TeamRole.WAREHOUSE, Section.ORDERS, True),
        (TeamRole.WAREHOUSE, Section.STOCK, True),
        (TeamRole.WAREHOUSE, Section.FINANCE, False),
        (TeamRole.WAREHOUSE, Section.TEAM, False),
        (TeamRole.WAREHOUSE, Section.STORE, False),
        (TeamRole.WAREHOUSE, Section.LISTINGS, False),
        (TeamRole.WAREHOUSE, Section.CASES, False),
    ],
)
def test_team_roles_open_only_their_cabinet_sections(seller, role, section, allowed):
    member = TeamMember(seller=seller, role=role)

    assert can_access_section(member, section) is allowed


def test_nobody_outside_a_team_has_any_section():
    assert not can_access_section(None, Section.DASHBOARD)


def test_owner_invites_by_email_and_the_invitee_joins_with_the_role(seller, owner_member, other_user):
    invitation = services.invite_team_member(member=owner_member, email=" BOB@example.com ", role=TeamRole.WAREHOUSE)

    assert invitation.email == "bob@example.com"
    notification = Notification.objects.get(kind="seller_team_invitation")
    assert Delivery.objects.get(notification=notification).to_address == "bob@example.com"

    member = services.accept_invitation(invitation=invitation, actor=other_user)

    invitation.refresh_from_db()
    assert member.seller == seller
    assert member.role == TeamRole.WAREHOUSE
    assert invitation.status == InvitationStatus.ACCEPTED


def test_only_the_invited_address_can_accept(seller, owner_member, user):
    invitation = services.invite_team_member(member=owner_member, email="someone@example.com", role=TeamRole.MANAGER)

    with pytest.raises(InvitationUnavailable):
        services.accept_invitation(invitation=invitation, actor=user)

    assert not TeamMember.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_expired_invitation_cannot_be_accepted(seller, owner_member, other_user):
    invitation = services.invite_team_member(member=owner_member, email=other_user.email, role=TeamRole.MANAGER)
    TeamInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    with pytest.raises(InvitationUnavailable):
        services.accept_invitation(invitation=invitation, actor=other_user)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert not TeamMember.objects.filter(user=other_user).exists()


def test_member_of_another_team_cannot_join_a_second_one(seller, other_seller, owner_member):
    invitation = services.invite_team_member(member=owner_member, email="fresh@example.com", role=TeamRole.MANAGER)
    invitee = UserFactory(email="fresh@example.com")
    TeamMember.objects.create(seller=other_seller, user=invitee, role=TeamRole.MANAGER)

    with pytest.raises(AlreadySelling):
        services.accept_invitation(invitation=invitation, actor=invitee)


def test_owner_cannot_invite_someone_already_in_a_team(seller, other_seller, owner_member):
    with pytest.raises(DomainError):
        services.invite_team_member(member=owner_member, email=other_seller.user.email, role=TeamRole.MANAGER)

    assert not TeamInvitation.objects.exists()


def test_owner_cannot_send_two_pending_invitations_to_one_address(seller, owner_member):
    services.invite_team_member(member=owner_member, email="x@example.com", role=TeamRole.MANAGER)

    with pytest.raises(DomainError):
        services.invite_team_member(member=owner_member, email="X@example.com", role=TeamRole.WAREHOUSE)

    assert TeamInvitation.objects.count() == 1


def test_owner_cannot_invite_another_owner(seller, owner_member):
    with pytest.raises(DomainError):
        services.invite_team_member(member=owner_member, email="x@example.com", role=TeamRole.OWNER)


def test_manager_cannot_invite_or_remove_members(seller, manager_member, warehouse_member):
    with pytest.raises(PermissionDenied):
        services.invite_team_member(member=manager_member, email="x@example.com", role=TeamRole.WAREHOUSE)
    with pytest.raises(PermissionDenied):
        services.remove_team_member(member=manager_member, target=warehouse_member)

    assert TeamMember.objects.filter(pk=warehouse_member.pk).exists()


def test_owner_cannot_be_removed_or_demoted(seller, owner_member):
    with pytest.raises(DomainError):
        services.remove_team_member(member=owner_member, target=owner_member)
    with pytest.raises(DomainError):
        services.change_member_role(member=owner_member, target=owner_member, role=TeamRole.WAREHOUSE)

    owner_member.refresh_from_db()
    assert owner_member.role == TeamRole.OWNER


def test_owner_cannot_manage_another_sellers_team(seller, other_seller, owner_member):
    stranger = other_seller.user.seller_membership
    target = TeamMember.objects.create(seller=other_seller, user=UserFactory(), role=TeamRole.MANAGER)

    with pytest.raises(PermissionDenied):
        services.remove_team_member(member=owner_member, target=target)

    assert TeamMember.objects.filter(pk=target.pk).exists()
    assert stranger.role == TeamRole.OWNER


def test_owner_changes_a_role_and_removes_a_member(seller, owner_member, manager_member):
    services.change_member_role(member=owner_member, target=manager_member, role=TeamRole.WAREHOUSE)
    manager_member.refresh_from_db()
    assert manager_member.role == TeamRole.WAREHOUSE

    services.remove_team_member(member=owner_member, target=manager_member)

    assert not TeamMember.objects.filter(pk=manager_member.pk).exists()


def test_expiry_job_marks_old_invitations(seller, owner_member):
    invitation = services.invite_team_member(member=owner_member, email="late@example.com", role=TeamRole.MANAGER)

    assert services.expire_invitations(now=timezone.now() + datetime.timedelta(days=30)) == 1

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
