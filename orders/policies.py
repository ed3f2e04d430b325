"""Who may: pure predicates over users, team members and orders. Views use them; services enforce them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sellers import policies as seller_policies
from sellers import selectors as seller_selectors
from sellers.policies import Section

from .models import CANCELLABLE, OPEN_RETURN_STATUSES, OrderStatus, ReturnRequest, ReturnStatus

if TYPE_CHECKING:
    from marketplace.accounts.models import User

    from .models import Order


def works_for_seller(user: User, seller_id: int, section: str = Section.ORDERS) -> bool:
    """A member of the seller's team whose role opens `section` (orders: owner, manager, warehouse)."""
    if not user.is_authenticated:
        return False
    member = seller_selectors.membership_for(user=user)
    return member is not None and member.seller_id == seller_id and seller_policies.can_access_section(member, section)


def is_buyer(user: User, order: Order) -> bool:
    return user.is_authenticated and order.buyer_id == user.pk


def can_cancel_order(user: User, order: Order) -> bool:
    """The buyer before shipping; the seller's team before shipping once paid."""
    if order.status not in CANCELLABLE:
        return False
    if is_buyer(user, order):
        return True
    return order.status != OrderStatus.AWAITING_PAYMENT and works_for_seller(user, order.seller_id)


def is_confirmable(order: Order) -> bool:
    """Whether the seller can still confirm the order (it is paid and not yet confirmed), whoever asks."""
    return order.status == OrderStatus.PAID


def can_confirm_order(user: User, order: Order) -> bool:
    return is_confirmable(order) and works_for_seller(user, order.seller_id)


def can_ship_order(user: User, order: Order) -> bool:
    return order.status == OrderStatus.CONFIRMED and works_for_seller(user, order.seller_id)


def can_confirm_delivery(user: User, order: Order) -> bool:
    return order.status == OrderStatus.SHIPPED and is_buyer(user, order)


def can_request_return(user: User, order: Order) -> bool:
    """The buyer, once the order arrived (the window and quantities are checked by the service)."""
    return order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED) and is_buyer(user, order)


def can_see_buyer_contact(user: User, order: Order) -> bool:
    """The seller's team sees the phone and address only while the order needs them (spec 161)."""
    return order.needs_contact and works_for_seller(user, order.seller_id)


def can_decide_return(user: User, return_request: ReturnRequest) -> bool:
    return return_request.status == ReturnStatus.REQUESTED and works_for_seller(user, return_request.order.seller_id)


def can_receive_return(user: User, return_request: ReturnRequest) -> bool:
    return return_request.status == ReturnStatus.APPROVED and works_for_seller(user, return_request.order.seller_id)


def can_answer_partial_offer(user: User, return_request: ReturnRequest) -> bool:
    return return_request.status == ReturnStatus.PARTIAL_OFFERED and return_request.buyer_id == user.pk


def is_return_open(return_request: ReturnRequest) -> bool:
    return return_request.status in OPEN_RETURN_STATUSES
