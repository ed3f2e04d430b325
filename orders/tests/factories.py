"""Order test helpers: sellable listings with delivery, an address, checkout through the real services, payment."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction

from buyers.models import Address
from catalog.tests.factories import CategoryFactory, make_listing
from marketplace.ledger import services as ledger
from marketplace.ledger.models import PaymentStatus
from marketplace.ledger.payments import hooks
from orders import services
from orders.models import DeliveryMethod, OrderGroup


def sellable(seller, *, price="1000.00", stock=5, title="Кроссовки беговые", category=None, commission="10.00"):
    """A published listing with one variant, and a flat 300 ₽ courier delivery for its seller."""
    category = category or CategoryFactory(commission_percent=Decimal(commission))
    listing = make_listing(seller, category=category, price=price, stock=stock, title=title)
    if not DeliveryMethod.objects.filter(seller=seller).exists():
        DeliveryMethod.objects.create(seller=seller, kind="courier", name="Курьер", price=Decimal("300.00"))
    return listing.variants.get()


def address_for(user, region="Москва") -> Address:
    return Address.objects.create(
        user=user,
        recipient_name="Анна Смирнова",
        phone="+79123456789",
        region=region,
        city="Москва",
        street="Тверская",
        house="1",
        postcode="125009",
        is_default=not Address.objects.filter(user=user).exists(),
    )


def checkout(buyer, variants_and_quantities, *, key=None) -> OrderGroup:
    cart = services.cart_for_user(user=buyer)
    for variant, quantity in variants_and_quantities:
        services.add_to_cart(cart=cart, variant_id=variant.pk, quantity=quantity)
    address = Address.objects.filter(user=buyer).first() or address_for(buyer)
    sellers = {variant.seller_id for variant, _quantity in variants_and_quantities}
    methods = {seller_id: DeliveryMethod.objects.filter(seller_id=seller_id).first().pk for seller_id in sellers}
    return services.place_order(
        buyer=buyer, checkout_key=key or uuid.uuid4(), address=address, delivery_method_ids=methods
    )


def pay(group: OrderGroup) -> OrderGroup:
    """What the webhook does once the provider confirms: status succeeded, then the registered hook."""
    with transaction.atomic():
        payment = group.payment
        ledger.change_payment_status(payment=payment, to=PaymentStatus.SUCCEEDED, reason="test")
        hooks.payment_succeeded(payment)
    group.refresh_from_db()
    return group
