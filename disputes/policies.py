"""Who may: pure predicates over users, disputes and conversations. Views use them; services enforce them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders import policies as order_policies
from sellers.policies import Section

from .models import ARBITRATION_STATUSES, FINISHED_STATUSES, Dispute, DisputeStatus

if TYPE_CHECKING:
    from marketplace.accounts.models import User

    from .models import Conversation, Decision


def is_buyer(user: User, dispute: Dispute) -> bool:
    return user.is_authenticated and dispute.buyer_id == user.pk


def is_seller_side(user: User, dispute: Dispute) -> bool:
    """The seller's team members whose role opens orders (owner, manager, warehouse)."""
    return order_policies.works_for_seller(user, dispute.seller_id, Section.ORDERS)


def is_party(user: User, dispute: Dispute) -> bool:
    return is_buyer(user, dispute) or is_seller_side(user, dispute)


def can_seller_respond(user: User, dispute: Dispute) -> bool:
    return dispute.status == DisputeStatus.AWAITING_SELLER and is_seller_side(user, dispute)


def can_answer_proposal(user: User, dispute: Dispute) -> bool:
    return dispute.status == DisputeStatus.AWAITING_BUYER and is_buyer(user, dispute)


def can_escalate(user: User, dispute: Dispute) -> bool:
    return dispute.status in (DisputeStatus.AWAITING_BUYER, DisputeStatus.SELLER_REJECTED) and is_buyer(user, dispute)


def can_withdraw(user: User, dispute: Dispute) -> bool:
    return dispute.is_open and dispute.status != DisputeStatus.AWAITING_RETURN and is_buyer(user, dispute)


def can_add_evidence(user: User, dispute: Dispute) -> bool:
    return dispute.is_open and is_party(user, dispute)


def can_mark_return_sent(user: User, dispute: Dispute) -> bool:
    return dispute.status == DisputeStatus.AWAITING_RETURN and not dispute.return_sent_at and is_buyer(user, dispute)


def can_confirm_return(user: User, dispute: Dispute) -> bool:
    return dispute.status == DisputeStatus.AWAITING_RETURN and is_seller_side(user, dispute)


def can_rate_handling(user: User, dispute: Dispute) -> bool:
    return dispute.status in FINISHED_STATUSES and is_party(user, dispute)


def can_resolve_dispute(user: User, dispute: Dispute) -> bool:
    """Moderators with disputes.resolve_dispute; never a party to the dispute."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm("disputes.resolve_dispute")
        and user.pk not in dispute.party_user_ids
    )


def can_decide(user: User, dispute: Dispute) -> bool:
    return dispute.status in ARBITRATION_STATUSES - {DisputeStatus.AWAITING_APPROVAL} and can_resolve_dispute(
        user, dispute
    )


def can_approve_decision(user: User, decision: Decision) -> bool:
    """Four eyes: another moderator with the approval permission, never the one who proposed it."""
    return (
        decision.status == "pending_approval"
        and decision.decided_by_id != user.pk
        and user.has_perm("disputes.approve_dispute_decision")
        and can_resolve_dispute(user, decision.dispute)
    )


# Messaging ----------------------------------------------------------------------------------------------


def is_conversation_buyer(user: User, conversation: Conversation) -> bool:
    return user.is_authenticated and conversation.buyer_id == user.pk


def is_conversation_seller(user: User, conversation: Conversation) -> bool:
    return order_policies.works_for_seller(user, conversation.seller_id, Section.ORDERS)


def can_block_messaging(user: User) -> bool:
    return user.is_authenticated and user.has_perm("disputes.add_messagingblock")
