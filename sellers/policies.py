"""Who may: pure predicates over users, team members and objects. Views use them; services enforce them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import (
    DECIDED_CASE_STATUSES,
    ApplicationDocument,
    BankDetailsChange,
    CaseStatus,
    SanctionRequest,
    Seller,
    SellerApplication,
    SellerCase,
    TeamMember,
    TeamRole,
)

if TYPE_CHECKING:
    from marketplace.accounts.models import User


class Section:
    """Cabinet sections. Other apps' seller pages name theirs here too (orders, stock, listings, finance)."""

    DASHBOARD = "dashboard"
    STORE = "store"  # storefront settings, vacation, offer
    FINANCE = "finance"  # legal and bank data, payouts, balance
    TEAM = "team"
    ANNOUNCEMENTS = "announcements"
    CASES = "cases"
    LISTINGS = "listings"
    ORDERS = "orders"
    STOCK = "stock"
    REVIEWS = "reviews"


ALL_SECTIONS = frozenset(value for name, value in vars(Section).items() if name.isupper())
# Manager: everything but finance and team. Warehouse: orders and stock only (and the dashboard that lists them).
ROLE_SECTIONS: dict[str, frozenset[str]] = {
    TeamRole.OWNER: ALL_SECTIONS,
    TeamRole.MANAGER: ALL_SECTIONS - {Section.FINANCE, Section.TEAM},
    TeamRole.WAREHOUSE: frozenset({Section.DASHBOARD, Section.ORDERS, Section.STOCK}),
}


def can_access_section(member: TeamMember | None, section: str) -> bool:
    return member is not None and section in ROLE_SECTIONS.get(member.role, frozenset())


# Applications --------------------------------------------------------------------------------------


def can_edit_application(user: User, application: SellerApplication) -> bool:
    """The applicant, while the application is a draft or has changes requested."""
    return application.applicant_id == user.pk and application.is_editable


def can_review_application(user: User, application: SellerApplication) -> bool:
    """Moderators with the review permission, never on their own application."""
    return user.is_active and user.has_perm("sellers.review_sellerapplication") and application.applicant_id != user.pk


def can_view_document(user: User, document: ApplicationDocument) -> bool:
    """The applicant and reviewing moderators; nobody else, not even the seller's team."""
    application = document.application
    return application.applicant_id == user.pk or can_review_application(user, application)


# Sellers ------------------------------------------------------------------------------------------


def is_in_team(user: User, seller: Seller) -> bool:
    membership = getattr(user, "seller_membership", None)
    return user.pk == seller.user_id or (membership is not None and membership.seller_id == seller.pk)


def can_sanction_seller(user: User, seller: Seller) -> bool:
    return user.is_active and user.has_perm("sellers.sanction_seller") and not is_in_team(user, seller)


def can_approve_sanction_request(user: User, sanction_request: SanctionRequest) -> bool:
    """Four eyes: a moderator with the approval permission other than the proposer (and outside the seller's team)."""
    return (
        user.is_active
        and user.has_perm("sellers.approve_sanction_request")
        and sanction_request.requested_by_id != user.pk
        and not is_in_team(user, sanction_request.seller)
    )


def can_review_bank_change(user: User, change: BankDetailsChange) -> bool:
    return (
        user.is_active
        and user.has_perm("sellers.review_bankdetailschange")
        and change.requested_by_id != user.pk
        and not is_in_team(user, change.seller)
    )


def can_publish_announcement(user: User) -> bool:
    return user.is_active and user.has_perm("sellers.publish_announcement")


# Cases --------------------------------------------------------------------------------------------


def can_open_case(member: TeamMember | None) -> bool:
    return can_access_section(member, Section.CASES)


def can_decide_case(user: User, case: SellerCase) -> bool:
    """Moderators with the permission, not in the seller's team, and not one who imposed or approved an appealed
    sanction."""
    if not (user.is_active and user.has_perm("sellers.decide_sellercase")) or is_in_team(user, case.seller):
        return False
    return not (case.sanction_id and user.pk in (case.sanction.imposed_by_id, case.sanction.approved_by_id))


def can_answer_case(user: User, case: SellerCase) -> bool:
    return can_decide_case(user, case) and case.status not in DECIDED_CASE_STATUSES


def can_close_case(member: TeamMember | None, case: SellerCase) -> bool:
    return (
        member is not None
        and member.seller_id == case.seller_id
        and can_open_case(member)
        and case.status in (CaseStatus.RESOLVED, CaseStatus.REJECTED)
    )
