"""Disputes and messaging in the seller cabinet (found by sellers.cabinet at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sellers.cabinet import DashboardCard, NavItem, register_card, register_nav
from sellers.policies import Section

from .models import Dispute, DisputeStatus

register_nav(NavItem("messages", Section.ORDERS, _("Messages from buyers"), "disputes:conversations", order=60))
register_nav(NavItem("disputes", Section.ORDERS, _("Disputes"), "disputes:list", order=61))
register_nav(NavItem("quick-replies", Section.ORDERS, _("Quick replies"), "disputes:quick-replies", order=62))


def disputes_card(member) -> dict | None:
    waiting = Dispute.objects.filter(seller_id=member.seller_id, status=DisputeStatus.AWAITING_SELLER).count()
    return {"waiting": waiting} if waiting else None


register_card(
    DashboardCard(
        key="disputes-waiting",
        section=Section.ORDERS,
        order=15,
        template="disputes/seller/_card_disputes.html",
        context=disputes_card,
    )
)
