"""The seller's team: invitations by e-mail with a role, accepting them, changing roles, removing members."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError
from sellers.exceptions import AlreadySelling, InvitationUnavailable
from sellers.models import (
    INVITATION_TRANSITIONS,
    InvitationStatus,
    SellerApplication,
    TeamInvitation,
    TeamInvitationEvent,
    TeamMember,
    TeamRole,
)
from sellers.policies import Section

from . import notify
from .common import record_initial_event, transition
from .lifecycle import require_section


@transaction.atomic
def change_invitation_status(*, invitation: TeamInvitation, to: str, actor, reason: str = "") -> bool:
    """The only way an invitation's status changes."""
    return transition(
        obj=invitation,
        table=INVITATION_TRANSITIONS,
        to=to,
        actor=actor,
        reason=reason,
        event_model=TeamInvitationEvent,
        event_field="invitation",
    )


@transaction.atomic
def invite_team_member(*, member: TeamMember, email: str, role: str) -> TeamInvitation:
    """The owner invites someone by e-mail as a manager or warehouse worker; the link works for a few days."""
    require_section(member, Section.TEAM)
    email = (email or "").strip().lower()
    if role not in (TeamRole.MANAGER, TeamRole.WAREHOUSE):
        raise DomainError(_("Choose the manager or warehouse role."))
    if not email:
        raise DomainError(_("Enter the e-mail address to invite."))
    if TeamMember.objects.filter(user__email__iexact=email).exists():
        raise DomainError(_("This person already works in a seller's team."))
    invitation = TeamInvitation(
        seller_id=member.seller_id,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=member.user,
        expires_at=timezone.now() + datetime.timedelta(days=settings.MARKETPLACE_SELLER_INVITATION_TTL_DAYS),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise DomainError(_("An invitation to this address is already pending. Revoke it to send a new one.")) from None
    record_initial_event(obj=invitation, event_model=TeamInvitationEvent, event_field="invitation", actor=member.user)
    notify.team_invitation(invitation)
    return invitation


def accept_invitation(*, invitation: TeamInvitation, actor) -> TeamMember:
    """The invited person (signed in with the invited e-mail) joins the team with the role offered."""
    invitation = TeamInvitation.objects.get(pk=invitation.pk)
    if invitation.status == InvitationStatus.PENDING and invitation.expires_at <= timezone.now():
        # Recorded in its own transaction: the refusal below must not roll the expiry back.
        with transaction.atomic():
            locked = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
            change_invitation_status(invitation=locked, to=InvitationStatus.EXPIRED, actor=None)
        raise InvitationUnavailable()
    return _join_team(invitation=invitation, actor=actor)


@transaction.atomic
def _join_team(*, invitation: TeamInvitation, actor) -> TeamMember:
    invitation = TeamInvitation.objects.select_for_update().select_related("seller").get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING or invitation.expires_at <= timezone.now():
        raise InvitationUnavailable()
    if actor.email.lower() != invitation.email.lower():
        raise InvitationUnavailable(
            _("This invitation was sent to another e-mail address. Sign in with %(email)s to accept it.")
            % {"email": invitation.email}
        )
    if TeamMember.objects.filter(user=actor).exists():
        raise AlreadySelling()
    if SellerApplication.objects.filter(applicant=actor).open().exclude(status="draft").exists():
        raise DomainError(_("You have a seller application in progress; you cannot join another team meanwhile."))
    member = TeamMember.objects.create(
        seller=invitation.seller, user=actor, role=invitation.role, added_by=invitation.invited_by
    )
    change_invitation_status(invitation=invitation, to=InvitationStatus.ACCEPTED, actor=actor)
    return member


@transaction.atomic
def revoke_invitation(*, invitation: TeamInvitation, member: TeamMember) -> TeamInvitation:
    require_section(member, Section.TEAM)
    if invitation.seller_id != member.seller_id:
        raise PermissionDenied
    change_invitation_status(invitation=invitation, to=InvitationStatus.REVOKED, actor=member.user)
    return invitation


def expire_invitations(*, now: datetime.datetime | None = None) -> int:
    """Beat: mark pending invitations past their date as expired (each in its own transaction)."""
    now = now or timezone.now()
    due = list(
        TeamInvitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            invitation = TeamInvitation.objects.select_for_update().get(pk=pk)
            if invitation.status == InvitationStatus.PENDING:
                change_invitation_status(invitation=invitation, to=InvitationStatus.EXPIRED, actor=None)
    return len(due)


@transaction.atomic
def change_member_role(*, member: TeamMember, target: TeamMember, role: str) -> TeamMember:
    """The owner switches a member between manager and warehouse; the owner's seat does not change."""
    require_section(member, Section.TEAM)
    if target.seller_id != member.seller_id:
        raise PermissionDenied
    if target.role == TeamRole.OWNER or role not in (TeamRole.MANAGER, TeamRole.WAREHOUSE):
        raise DomainError(_("The owner's role cannot be changed, and members can be managers or warehouse workers."))
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def remove_team_member(*, member: TeamMember, target: TeamMember) -> None:
    """The owner removes a member; they lose access to the cabinet at once."""
    require_section(member, Section.TEAM)
    if target.seller_id != member.seller_id:
        raise PermissionDenied
    if target.role == TeamRole.OWNER:
        raise DomainError(_("The owner cannot be removed from the team."))
    target.delete()
