"""Demo orders for `make run`: every order state, a late shipment, a return in progress, a confirmed payout and
seller balances, made through the real services (cart, checkout, the sandbox acquirer's card page and signed
webhook, fulfilment, returns, the ledger). Idempotent: a second run finds the first demo checkout and stops."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from buyers.models import Address
from catalog import selectors as catalog_selectors
from catalog.models import ListingStatus, Variant
from marketplace.accounts.models import User
from marketplace.ledger import services as ledger
from marketplace.ledger.models import PaymentRefund, Payout, RefundStatus, SandboxWebhook, WebhookDeliveryStatus
from marketplace.ledger.payments.sandbox import acquirer
from marketplace.ledger.payments.signing import signature_header
from sellers.models import Seller

from . import services
from .models import Deadline, DeadlineKind, DeliveryKind, DeliveryMethod, Order, OrderGroup, ReturnReason

DEMO_NAMESPACE = uuid.UUID("6f1c2a4e-0d6b-4a51-9d1e-5b7f3c2a9e10")
CARD_OK = "4242424242424242"
BUYERS = ("buyer@marketplace.demo", "buyer2@marketplace.demo")
SELLERS = ("seller@marketplace.demo", "seller2@marketplace.demo")
ADDRESSES = {
    "buyer@marketplace.demo": {
        "recipient_name": "Анна Смирнова",
        "phone": "+79123456789",
        "region": "Москва",
        "city": "Москва",
        "street": "ул. Тверская",
        "house": "12",
        "flat": "45",
        "postcode": "125009",
    },
    "buyer2@marketplace.demo": {
        "recipient_name": "Дмитрий Кузнецов",
        "phone": "+79031234567",
        "region": "Санкт-Петербург",
        "city": "Санкт-Петербург",
        "street": "Невский пр.",
        "house": "28",
        "flat": "7",
        "postcode": "191186",
    },
}
DELIVERY_METHODS = (
    {
        "kind": "courier",
        "name": "Курьер СДЭК",
        "price_rule": "free_above",
        "price": Decimal("350.00"),
        "free_above": Decimal("5000.00"),
        "days_min": 1,
        "days_max": 3,
    },
    {"kind": "pickup", "name": "Пункт выдачи СДЭК", "price": Decimal("199.00"), "days_min": 2, "days_max": 4},
    {
        "kind": "post",
        "name": "Почта России",
        "price_rule": "by_weight",
        "price": Decimal("150.00"),
        "price_per_kg": Decimal("60.00"),
        "days_min": 4,
        "days_max": 10,
    },
)


def demo_key(name: str) -> uuid.UUID:
    """A fixed checkout key per demo scenario, so a second run recognises the first one's orders."""
    return uuid.uuid5(DEMO_NAMESPACE, name)


def seed_orders(log: Callable[[str], None]) -> None:
    if OrderGroup.objects.filter(checkout_key=demo_key("completed-1")).exists():
        log("orders: already seeded")
        return
    buyers = {user.email: user for user in User.objects.filter(email__in=BUYERS)}
    sellers = {seller.user.email: seller for seller in Seller.objects.filter(user__email__in=SELLERS)}
    if len(buyers) < len(BUYERS) or len(sellers) < len(SELLERS):
        log("orders: no demo buyers or sellers, orders skipped")
        return
    buyer, buyer2 = (buyers[email] for email in BUYERS)
    main, second = (sellers[email] for email in SELLERS)
    if not all(seller.accepts_new_orders for seller in (main, second)):
        log("orders: the demo sellers do not take orders, orders skipped")
        return
    stock = {seller.pk: _variants(seller) for seller in (main, second)}
    if min(len(variants) for variants in stock.values()) < 8:
        log("orders: the demo sellers have too few listings in stock (seed the catalogue first), orders skipped")
        return
    for user in (buyer, buyer2):
        address, _created = Address.objects.get_or_create(
            user=user, postcode=ADDRESSES[user.email]["postcode"], defaults=ADDRESSES[user.email]
        )
        if not Address.objects.filter(user=user, is_default=True).exists():
            Address.objects.filter(pk=address.pk).update(is_default=True)
    for seller in (main, second):
        for fields in DELIVERY_METHODS:
            DeliveryMethod.objects.get_or_create(seller=seller, name=fields["name"], defaults=fields)

    def item(seller: Seller) -> Variant:
        return stock[seller.pk].pop(0)

    # Completed before the payout: the money went escrow → seller minus commission → bank.
    for name, who in (("completed-1", buyer), ("completed-2", buyer2)):
        _complete(_deliver(_ship(_checkout(name, who, [(item(main), 1)])[0])), days_ago=20)
    payout = services.request_seller_payout(seller=main, actor=main.user, idempotency_key=str(demo_key("payout-1")))
    ledger.dispatch_payout(payout_id=payout.pk)
    ledger.poll_sent_payouts()
    # Completed after it: the seller's available balance; the second seller's too (no payout yet).
    _complete(_deliver(_ship(_checkout("completed-3", buyer, [(item(main), 1)])[0])), days_ago=10)
    _complete(_deliver(_ship(_checkout("completed-4", buyer, [(item(second), 2)])[0])), days_ago=10)

    # One checkout from both sellers: delivered (return window running) and shipped.
    delivered, shipped = _checkout("two-sellers", buyer, [(item(main), 1), (item(second), 1)])
    _deliver(_ship(delivered))
    _ship(shipped)

    # A return in progress: approved by the seller, the buyer has sent the parcel back.
    returned = _deliver(_ship(_checkout("return", buyer2, [(item(main), 1), (_returnable(stock[main.pk]), 1)])[0]))
    line = returned.lines.filter(return_days__gt=0).first() or returned.lines.first()
    return_request = services.request_return(
        order=returned,
        actor=buyer2,
        quantities={line.pk: 1},
        reason=ReturnReason.CHANGED_MIND,
        text="Не подошёл размер, упаковка целая.",
    )
    services.approve_return(return_request=return_request, actor=main.user)
    services.mark_return_sent(return_request=return_request, actor=buyer2, tracking_number="RA123456789RU")

    # Waiting for the seller: paid, and confirmed.
    _checkout("paid", buyer2, [(item(second), 1)])
    services.confirm_order(order=_checkout("confirmed", buyer, [(item(second), 1)])[0], actor=second.user)

    # A late shipment: confirmed, the ship-by date passed, the buyer was told a new date.
    late = _checkout("late", buyer2, [(item(second), 1)])[0]
    services.confirm_order(order=late, actor=second.user)
    past = timezone.now() - timedelta(days=1)
    Order.objects.filter(pk=late.pk).update(ship_by=past)
    ship_deadline = Deadline.objects.get(order=late, kind=DeadlineKind.SHIP)
    Deadline.objects.filter(pk=ship_deadline.pk).update(due_at=past)
    services.process_deadline(deadline_id=ship_deadline.pk)

    # Cancelled: by the buyer after paying (refunded), and by the seller with a reason (an incident).
    services.cancel_order(
        order=_checkout("cancelled-buyer", buyer2, [(item(main), 1)])[0], actor=buyer2, reason="Передумал."
    )
    services.cancel_order(
        order=_checkout("cancelled-seller", buyer, [(item(second), 1)])[0],
        actor=second.user,
        reason="Последний экземпляр оказался с браком на складе.",
    )
    _submit_card_refunds()
    _deliver_sandbox_events()  # the card refunds' own webhooks

    # Awaiting payment: the buyer left the card page. Real groups expire after 15 minutes; the demo one waits a day.
    unpaid = _checkout("unpaid", buyer, [(item(main), 1)], pay=False)[0].group
    OrderGroup.objects.filter(pk=unpaid.pk).update(expires_at=timezone.now() + timedelta(days=1))

    # The popular shelf and sort from these orders at once, rather than at beat's next hourly recount.
    popular = services.refresh_listing_popularity()
    orders = Order.objects.filter(group__checkout_key__in=[demo_key(name) for name in SCENARIOS]).count()
    balance = ledger.seller_balance(seller=main)
    log(
        f"orders: {orders} orders in every state, a return in progress, payout {payout.amount} ₽ "
        f"({Payout.objects.get(pk=payout.pk).status}); «{main}» holds {balance.held} ₽, {balance.available} ₽ "
        f"available; {popular} listings bought in the last 30 days"
    )


SCENARIOS = (
    "completed-1",
    "completed-2",
    "completed-3",
    "completed-4",
    "two-sellers",
    "return",
    "paid",
    "confirmed",
    "late",
    "cancelled-buyer",
    "cancelled-seller",
    "unpaid",
)


def _variants(seller: Seller) -> list[Variant]:
    """The seller's published, active variants with a few units free, in a fixed order."""
    return list(
        Variant.objects.filter(
            listing__seller=seller,
            listing__status=ListingStatus.PUBLISHED,
            is_active=True,
            on_hand__gte=F("allocated") + 3,
        )
        .select_related("listing")
        .order_by("listing_id", "pk")[:40]
    )


def _returnable(variants: list[Variant]) -> Variant:
    """A variant in a category that may be returned without a defect."""
    for index, variant in enumerate(variants):
        if catalog_selectors.return_days(variant.listing.category_id) > 0:
            return variants.pop(index)
    return variants.pop(0)


def _checkout(name: str, buyer: User, items: list[tuple[Variant, int]], *, pay: bool = True) -> list[Order]:
    """Cart → checkout → the sandbox card page → the signed webhook, as a buyer's browser and the provider do."""
    cart = services.cart_for_user(user=buyer)
    for variant, quantity in items:
        services.add_to_cart(cart=cart, variant_id=variant.pk, quantity=quantity)
    sellers = {variant.seller_id for variant, _quantity in items}
    methods = {
        seller_id: DeliveryMethod.objects.filter(seller_id=seller_id, is_active=True).order_by("price", "pk").first().pk
        for seller_id in sellers
    }
    group = services.place_order(
        buyer=buyer,
        checkout_key=demo_key(name),
        address=Address.objects.filter(user=buyer, is_default=True).first(),
        delivery_method_ids=methods,
    )
    if pay:
        ledger.redirect_url_for_payment(payment=group.payment)  # opens the hosted session
        group.payment.refresh_from_db()
        acquirer.submit_card(token=uuid.UUID(group.payment.provider_payment_id), card_number=CARD_OK)
        _deliver_sandbox_events()
    return list(group.orders.order_by("pk"))


def _deliver_sandbox_events() -> None:
    """Hand the acquirer's pending webhooks to our endpoint's service in-process (no web server runs while seeding)."""
    for webhook in SandboxWebhook.objects.filter(status=WebhookDeliveryStatus.PENDING).order_by("pk"):
        body = json.dumps(webhook.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {acquirer.SIGNATURE_HEADER: signature_header(acquirer.webhook_secret(), body)}
        ledger.receive_webhook(provider_name="sandbox", headers=headers, raw_body=body)
        SandboxWebhook.objects.filter(pk=webhook.pk).update(
            status=WebhookDeliveryStatus.DELIVERED, attempts=F("attempts") + 1, delivered_at=timezone.now()
        )


def _submit_card_refunds() -> None:
    """Send the queued card refunds now, as the worker would."""
    for refund_id in PaymentRefund.objects.filter(status=RefundStatus.PENDING, provider_refund_id="").values_list(
        "pk", flat=True
    ):
        ledger.submit_refund(refund_id=refund_id)


def _ship(order: Order) -> Order:
    """Shipped with the carrier of the delivery the buyer chose: Russian Post's tracking number, or CDEK's."""
    order.refresh_from_db()
    if order.delivery_method is not None and order.delivery_method.kind == DeliveryKind.POST:
        carrier, number = "Почта России", f"RA{order.pk:09d}RU"
    else:
        carrier, number = "СДЭК", f"CDEK{order.pk:010d}"
    return services.ship_order(order=order, actor=order.seller.user, carrier=carrier, tracking_number=number)


def _deliver(order: Order) -> Order:
    return services.confirm_delivery(order=order, actor=order.buyer)


def _complete(order: Order, *, days_ago: int) -> Order:
    """Move the clock: delivered `days_ago` days back, the return window over; the beat's deadline completes it."""
    order.refresh_from_db()
    delivered_at = timezone.now() - timedelta(days=days_ago)
    window = order.return_window_ends_at - order.delivered_at
    ends = min(delivered_at + window, timezone.now() - timedelta(minutes=1))
    Order.objects.filter(pk=order.pk).update(delivered_at=delivered_at, return_window_ends_at=ends)
    deadline = Deadline.objects.get(order=order, kind=DeadlineKind.COMPLETE)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=ends)
    services.process_deadline(deadline_id=deadline.pk)
    order.refresh_from_db()
    return order
