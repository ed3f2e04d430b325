"""The orders app's parts of the seller cabinet: dashboard cards and menu links."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.ledger import services as ledger
from sellers.cabinet import DashboardCard, NavItem, register_card, register_nav
from sellers.models import TeamMember
from sellers.policies import Section

from .models import Deadline, Order, OrderStatus, ReturnRequest, ReturnStatus


def orders_card(member: TeamMember) -> dict:
    counts = Order.objects.filter(seller_id=member.seller_id).aggregate(
        to_confirm=Count("pk", filter=Q(status=OrderStatus.PAID)),
        to_ship=Count("pk", filter=Q(status=OrderStatus.CONFIRMED)),
        late=Count("pk", filter=Q(is_late=True, status__in=[OrderStatus.PAID, OrderStatus.CONFIRMED])),
    )
    counts["next_deadline"] = Deadline.objects.filter(
        order__seller_id=member.seller_id,
        done_at__isnull=True,
        kind__in=["confirm", "ship"],
        due_at__gte=timezone.now() - timedelta(days=30),
    ).aggregate(soonest=Min("due_at"))["soonest"]
    return counts


def returns_card(member: TeamMember) -> dict:
    return ReturnRequest.objects.filter(order__seller_id=member.seller_id).aggregate(
        to_answer=Count("pk", filter=Q(status=ReturnStatus.REQUESTED)),
        to_receive=Count("pk", filter=Q(status=ReturnStatus.APPROVED)),
    )


def balance_card(member: TeamMember) -> dict:
    return {"balance": ledger.seller_balance(seller=member.seller)}


register_card(
    DashboardCard(
        key="orders", section=Section.ORDERS, order=10, template="orders/seller/_card_orders.html", context=orders_card
    )
)
register_card(
    DashboardCard(
        key="returns",
        section=Section.ORDERS,
        order=11,
        template="orders/seller/_card_returns.html",
        context=returns_card,
    )
)
register_card(
    DashboardCard(
        key="balance",
        section=Section.FINANCE,
        order=12,
        template="orders/seller/_card_balance.html",
        context=balance_card,
    )
)
for nav_item in (
    NavItem("orders", Section.ORDERS, _("Orders"), "orders:seller-list", order=5),
    NavItem("returns", Section.ORDERS, _("Returns"), "orders:seller-returns", order=6),
    NavItem("delivery", Section.STORE, _("Delivery methods"), "orders:seller-delivery", order=71),
    NavItem("return-policy", Section.STORE, _("Return policy"), "orders:seller-return-policy", order=72),
    NavItem("money", Section.FINANCE, _("Balance and payouts"), "orders:seller-money", order=79),
):
    register_nav(nav_item)
