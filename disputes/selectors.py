"""Reads scoped to the actor: other people's disputes, evidence and conversations do not exist for them (404)."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet

from sellers import policies as seller_policies
from sellers import selectors as seller_selectors
from sellers.policies import Section

from .models import Conversation, Dispute, DisputeEvent, Evidence, Message, QuickReply


def seller_id_for(user) -> int | None:
    member = seller_selectors.membership_for(user=user)
    if member is None or not seller_policies.can_access_section(member, Section.ORDERS):
        return None
    return member.seller_id


def disputes_visible_to(*, user) -> QuerySet[Dispute]:
    """The buyer's own disputes and those on the orders of the seller the user works for (orders section)."""
    condition = Q(buyer=user)
    if (seller_id := seller_id_for(user)) is not None:
        condition |= Q(seller_id=seller_id)
    return (
        Dispute.objects.filter(condition)
        .select_related("order", "seller__storefront", "buyer")
        .order_by("-created_at", "-pk")
    )


def dispute_page(dispute: Dispute) -> dict:
    """What both parties see: history, evidence and executed decisions (never internal notes)."""
    return {
        "events": list(DisputeEvent.objects.filter(dispute=dispute).select_related("actor")),
        "evidence": list(Evidence.objects.filter(dispute=dispute).select_related("author")),
        "decisions": list(dispute.decisions.filter(status="executed")),
    }


def evidence_visible_to(*, user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(dispute__in=disputes_visible_to(user=user).values("pk"))


def conversations_for(*, user) -> QuerySet[Conversation]:
    """The user's conversations as a buyer and as the seller's team, newest activity first, with unread counts."""
    condition = Q(buyer=user)
    seller_id = seller_id_for(user)
    if seller_id is not None:
        condition |= Q(seller_id=seller_id)
    buyer_unread = Count(
        "messages",
        filter=Q(buyer=user, messages__from_seller=True)
        & (Q(buyer_read_at__isnull=True) | Q(messages__created_at__gt=F("buyer_read_at"))),
    )
    seller_unread = Count(
        "messages",
        filter=Q(seller_id=seller_id, messages__from_seller=False)
        & (Q(seller_read_at__isnull=True) | Q(messages__created_at__gt=F("seller_read_at"))),
    )
    return (
        Conversation.objects.filter(condition)
        .select_related("order", "listing", "seller__storefront", "buyer")
        .annotate(unread=buyer_unread + seller_unread)
        .order_by("-last_message_at", "-pk")
    )


def conversation_messages(conversation: Conversation, *, after_id: int = 0) -> QuerySet[Message]:
    return conversation.messages.filter(pk__gt=after_id).select_related("sender").order_by("created_at", "pk")


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Message.objects.filter(unread_filter_for(user)).count()


def buyer_unread_filter(buyer) -> Q:
    """Sellers' messages in the buyer's own conversations that the buyer has not read (`buyer`: a user, or an
    OuterRef to one)."""
    return Q(conversation__buyer=buyer, from_seller=True) & (
        Q(conversation__buyer_read_at__isnull=True) | Q(created_at__gt=F("conversation__buyer_read_at"))
    )


def unread_filter_for(user) -> Q:
    """Messages addressed to this user (as buyer or as the seller's team) that they have not read."""
    condition = buyer_unread_filter(user)
    if (seller_id := seller_id_for(user)) is not None:
        condition |= Q(conversation__seller_id=seller_id, from_seller=False) & (
            Q(conversation__seller_read_at__isnull=True) | Q(created_at__gt=F("conversation__seller_read_at"))
        )
    return condition


def quick_replies_for(*, seller_id: int) -> QuerySet[QuickReply]:
    return QuickReply.objects.filter(seller_id=seller_id)


def moderation_disputes() -> QuerySet[Dispute]:
    return Dispute.objects.filter(status__in=["escalated", "in_arbitration", "awaiting_approval"])


def flagged_messages() -> QuerySet[Message]:
    return Message.objects.filter(is_flagged=True, flag_reviewed=False)


def conversation_prefetch() -> Prefetch:
    return Prefetch("messages", queryset=Message.objects.select_related("sender"))
