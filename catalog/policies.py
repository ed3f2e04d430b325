"""Who may do what with listings, questions and reports: pure predicates, enforced again in services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from catalog.exceptions import SellerCannotSell
from sellers.models import SellerStatus, TeamRole

if TYPE_CHECKING:
    from catalog.models import Listing, ListingQuestion
    from marketplace.accounts.models import User
    from sellers.models import Seller

LISTING_ROLES = frozenset({TeamRole.OWNER, TeamRole.MANAGER})
STOCK_ROLES = frozenset({TeamRole.OWNER, TeamRole.MANAGER, TeamRole.WAREHOUSE})


def seller_role(user: User | None, seller: Seller) -> str | None:
    """The user's role in the seller's team (the owner account is always "owner"), or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if seller.user_id == user.pk:
        return TeamRole.OWNER
    membership = getattr(user, "seller_membership", None)
    if membership is not None and membership.seller_id == seller.pk:
        return membership.role
    return None


def can_manage_listings(user: User | None, seller: Seller) -> bool:
    """Owners and managers edit listings; the warehouse role only changes stock."""
    return seller_role(user, seller) in LISTING_ROLES


def can_edit_stock(user: User | None, seller: Seller) -> bool:
    return seller_role(user, seller) in STOCK_ROLES


def seller_can_create_listings(seller: Seller) -> bool:
    """Active (or only warned) sellers with the current offer accepted may add and submit listings."""
    return seller.can_create_listings


def seller_cannot_sell_error(seller: Seller) -> SellerCannotSell:
    if seller.offer_paused:
        return SellerCannotSell(_("Accept the current seller offer to add or publish listings."))
    if seller.status == SellerStatus.RESTRICTED:
        return SellerCannotSell(_("Your account is restricted: new listings cannot be added now."))
    return SellerCannotSell()


def can_moderate_listings(user: User | None) -> bool:
    return bool(user and user.is_active and user.is_staff and user.has_perm("catalog.moderate_listing"))


def can_ask_question(user: User | None, listing: Listing) -> bool:
    """Any signed-in buyer, but not the listing's own seller team."""
    return bool(user and user.is_authenticated) and seller_role(user, listing.seller) is None


def can_answer_question(user: User | None, question: ListingQuestion) -> bool:
    return can_manage_listings(user, question.listing.seller)


def can_report_listing(user: User | None, listing: Listing) -> bool:
    return bool(user and user.is_authenticated) and seller_role(user, listing.seller) is None
