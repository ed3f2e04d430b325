"""The dashboard cards the sellers app provides itself (other apps add theirs the same way)."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .cabinet import DashboardCard, NavItem, register_card, register_nav
from .models import AnnouncementReceipt, CaseStatus, SellerCase, TeamMember
from .policies import Section


def store_status(member: TeamMember) -> dict:
    seller = member.seller
    latest_offer = services.latest_seller_offer()
    sanctions = seller.sanctions.in_force().aggregate(count=Count("pk"), soonest_expiry=Min("expires_at"))
    return {
        "seller": seller,
        "sanctions_in_force": sanctions["count"],
        "offer_to_accept": latest_offer if latest_offer and latest_offer.pk != seller.offer_terms_id else None,
        "can_accept_offer": member.role == "owner",
    }


def getting_started(member: TeamMember) -> dict | None:
    storefront = member.seller.storefront
    steps = [
        {"done": True, "label": "profile"},
        {"done": bool(storefront.return_policy and storefront.shipping_policy), "label": "policies"},
        {"done": bool(storefront.logo and storefront.description), "label": "branding"},
        {"done": member.seller.offer_terms_id is not None and not member.seller.offer_paused, "label": "offer"},
    ]
    if all(step["done"] for step in steps):
        return None  # a finished checklist is noise
    return {"steps": steps, "done": sum(step["done"] for step in steps), "total": len(steps)}


def announcements(member: TeamMember) -> dict:
    counts = AnnouncementReceipt.objects.filter(
        seller_id=member.seller_id, announcement__published_at__isnull=False
    ).aggregate(
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        to_acknowledge=Count("pk", filter=Q(announcement__requires_acknowledgement=True, acknowledged_at__isnull=True)),
    )
    return counts


def cases(member: TeamMember) -> dict:
    counts = SellerCase.objects.filter(seller_id=member.seller_id).aggregate(
        waiting=Count("pk", filter=Q(status=CaseStatus.OPEN)),
        answered=Count("pk", filter=Q(status=CaseStatus.ANSWERED)),
        decided=Count("pk", filter=Q(status__in=[CaseStatus.RESOLVED, CaseStatus.REJECTED])),
        next_deadline=Min("answer_due_at", filter=Q(status=CaseStatus.OPEN, answer_due_at__gte=timezone.now())),
    )
    return counts


register_card(
    DashboardCard(
        key="store-status",
        section=Section.DASHBOARD,
        order=1,
        template="sellers/cabinet/_card_status.html",
        context=store_status,
    )
)
register_card(
    DashboardCard(
        key="getting-started",
        section=Section.STORE,
        order=5,
        template="sellers/cabinet/_card_getting_started.html",
        context=getting_started,
    )
)
register_card(
    DashboardCard(
        key="announcements",
        section=Section.ANNOUNCEMENTS,
        order=50,
        template="sellers/cabinet/_card_announcements.html",
        context=announcements,
    )
)
register_card(
    DashboardCard(
        key="cases", section=Section.CASES, order=60, template="sellers/cabinet/_card_cases.html", context=cases
    )
)

for nav_item in (
    NavItem("dashboard", Section.DASHBOARD, _("Dashboard"), "sellers:dashboard", order=1),
    NavItem("store", Section.STORE, _("Store settings"), "sellers:store-settings", order=70),
    NavItem("legal", Section.FINANCE, _("Legal and bank data"), "sellers:legal", order=80),
    NavItem("team", Section.TEAM, _("Team"), "sellers:team", order=85),
    NavItem("api", Section.TEAM, _("API keys"), "sellers:api-keys", order=86),
    NavItem("announcements", Section.ANNOUNCEMENTS, _("Announcements"), "sellers:announcements", order=90),
    NavItem("cases", Section.CASES, _("Cases and appeals"), "sellers:cases", order=95),
    NavItem("sanctions", Section.CASES, _("Sanctions"), "sellers:sanctions", order=96),
):
    register_nav(nav_item)
