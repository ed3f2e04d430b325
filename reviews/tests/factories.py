"""Reviews test helpers: delivered orders through the real order services, photos, incidents."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from orders import services as order_services
from orders.models import Incident, Order, OrderStatus
from orders.tests.factories import checkout, pay, sellable


def paid_order(buyer, seller, *, title="Кроссовки беговые") -> Order:
    variant = sellable(seller, title=title)
    group = pay(checkout(buyer, [(variant, 1)]))
    return group.orders.get()


def delivered_order(buyer, seller, *, title="Кроссовки беговые", days_ago: int = 0) -> Order:
    order = paid_order(buyer, seller, title=title)
    order_services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="1234567890")
    order_services.confirm_delivery(order=order, actor=buyer)
    order.refresh_from_db()
    if days_ago:
        delivered_at = timezone.now() - timedelta(days=days_ago)
        Order.objects.filter(pk=order.pk).update(delivered_at=delivered_at)
        order.delivered_at = delivered_at
    return order


def line_of(order: Order):
    return order.lines.get()


def photo_upload(name="photo.jpg", size=(400, 400), color=(200, 30, 30), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def incident(order: Order, kind: str) -> Incident:
    return Incident.objects.create(order=order, seller=order.seller, kind=kind)


def bare_orders(seller, buyer, count: int, *, paid_days_ago: int = 1, status=OrderStatus.COMPLETED) -> list[Order]:
    """Orders straight in the table (no checkout), enough for quality-window arithmetic."""
    from orders.models import OrderGroup

    now = timezone.now()
    orders = []
    for index in range(count):
        group = OrderGroup.objects.create(
            buyer=buyer, checkout_key=__import__("uuid").uuid4(), total=100, expires_at=now,
            recipient_name="А", recipient_phone="+79123456789", region="Москва", address="—",
        )  # fmt: skip
        orders.append(
            Order.objects.create(
                group=group, seller=seller, buyer=buyer, number=f"T{seller.pk}-{group.pk}-{index}",
                subtotal=100, total=100, paid_at=now - timedelta(days=paid_days_ago, minutes=index),
            )
        )  # fmt: skip
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(status=status)
    return orders


def conversation(order: Order, *, asked_hours_ago: float, reply_hours: float | None = None):
    """A buyer's question on an order, answered by the seller after `reply_hours` (None: not answered yet)."""
    from disputes.models import Conversation

    asked = timezone.now() - timedelta(hours=asked_hours_ago)
    return Conversation.objects.create(
        buyer=order.buyer, seller=order.seller, order=order, first_buyer_message_at=asked, last_message_at=asked,
        seller_first_reply_seconds=None if reply_hours is None else round(reply_hours * 3600),
    )  # fmt: skip
