"""Every state machine of the sellers app follows its table, and every change leaves an event row."""

import itertools
from contextlib import nullcontext

import pytest

from marketplace.core.exceptions import InvalidTransition
from sellers import services
from sellers.models import (
    APPLICATION_TRANSITIONS,
    BANK_CHANGE_TRANSITIONS,
    CASE_TRANSITIONS,
    INVITATION_TRANSITIONS,
    SELLER_TRANSITIONS,
    ApplicationStatus,
    BankChangeStatus,
    BankDetailsChange,
    CaseStatus,
    CaseTopic,
    InvitationStatus,
    SellerCase,
    SellerStatus,
    TeamInvitation,
)

from .factories import TBANK, ApplicationFactory, make_seller

pytestmark = pytest.mark.django_db


def _expect(table, current, target):
    allowed = target in table[current] or target == current
    return nullcontext() if allowed else pytest.raises(InvalidTransition)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ApplicationStatus.values, repeat=2)))
def test_application_status_changes_follow_the_table(current, target, moderator):
    application = ApplicationFactory(status=current)

    with _expect(APPLICATION_TRANSITIONS, current, target):
        changed = services.change_application_status(application=application, to=target, actor=moderator, reason="t")
        application.refresh_from_db()
        assert application.status == target
        assert application.events.filter(from_status=current, to_status=target).exists() == changed
    if target not in APPLICATION_TRANSITIONS[current] and target != current:
        application.refresh_from_db()
        assert application.status == current
        assert not application.events.exists()


@pytest.mark.parametrize(("current", "target"), list(itertools.product(SellerStatus.values, repeat=2)))
def test_seller_status_changes_follow_the_table(current, target, moderator):
    seller = make_seller(status=current)

    with _expect(SELLER_TRANSITIONS, current, target):
        changed = services.change_seller_status(seller=seller, to=target, actor=moderator, reason="t")
        assert seller.events.filter(from_status=current, to_status=target).exists() == changed
    seller.refresh_from_db()
    assert seller.status == (target if target in SELLER_TRANSITIONS[current] else current)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(BankChangeStatus.values, repeat=2)))
def test_bank_change_status_changes_follow_the_table(current, target, moderator):
    seller = make_seller()
    change = BankDetailsChange.objects.create(seller=seller, status=current, requested_by=seller.user, **TBANK)

    with _expect(BANK_CHANGE_TRANSITIONS, current, target):
        services.change_bank_change_status(change=change, to=target, actor=moderator)
    change.refresh_from_db()
    assert change.status == (target if target in BANK_CHANGE_TRANSITIONS[current] else current)
    assert change.events.filter(to_status=target).exists() == (target in BANK_CHANGE_TRANSITIONS[current])


@pytest.mark.parametrize(("current", "target"), list(itertools.product(InvitationStatus.values, repeat=2)))
def test_invitation_status_changes_follow_the_table(current, target):
    from django.utils import timezone

    seller = make_seller()
    invitation = TeamInvitation.objects.create(
        seller=seller,
        email="new@example.com",
        role="manager",
        token=f"t-{current}-{target}",
        status=current,
        invited_by=seller.user,
        expires_at=timezone.now(),
    )

    with _expect(INVITATION_TRANSITIONS, current, target):
        services.change_invitation_status(invitation=invitation, to=target, actor=seller.user)
    invitation.refresh_from_db()
    assert invitation.status == (target if target in INVITATION_TRANSITIONS[current] else current)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(CaseStatus.values, repeat=2)))
def test_case_status_changes_follow_the_table(current, target, moderator):
    from django.utils import timezone

    seller = make_seller()
    case = SellerCase.objects.create(
        seller=seller,
        topic=CaseTopic.OTHER,
        subject="s",
        status=current,
        opened_by=seller.user,
        answer_due_at=timezone.now(),
    )

    with _expect(CASE_TRANSITIONS, current, target):
        services.change_case_status(case=case, to=target, actor=moderator)
    case.refresh_from_db()
    assert case.status == (target if target in CASE_TRANSITIONS[current] else current)
    assert case.events.filter(to_status=target).exists() == (target in CASE_TRANSITIONS[current])
