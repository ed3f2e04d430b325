"""The cart: add, change, save for later, remove, and merge an anonymous cart into the account at login."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import ListingStatus, Variant

from ..exceptions import InvalidQuantity, NotForSale, OutOfStock
from ..models import Cart, CartLine


def _check_quantity(quantity) -> int:
    limit = settings.MARKETPLACE_ORDER_MAX_QUANTITY
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= limit:
        raise InvalidQuantity(_("Enter a whole number of items from 1 to %(max)s.") % {"max": limit})
    return quantity


def _sellable_variant(variant_id: int) -> Variant:
    variant = (
        Variant.objects.select_related("listing__seller")
        .filter(pk=variant_id, is_active=True, listing__status=ListingStatus.PUBLISHED)
        .first()
    )
    if variant is None or not variant.listing.seller.accepts_new_orders:
        raise NotForSale()
    return variant


@transaction.atomic
def add_to_cart(*, cart: Cart, variant_id: int, quantity: int = 1) -> tuple[CartLine, bool]:
    """Add items; the line never holds more than is in stock. Returns (line, capped) — capped: fewer than asked."""
    quantity = _check_quantity(quantity)
    variant = _sellable_variant(variant_id)
    if variant.available <= 0:
        raise OutOfStock(_("«%(title)s» is out of stock.") % {"title": variant.listing.title})
    line, created = CartLine.objects.select_for_update().get_or_create(
        cart=cart, variant=variant, defaults={"quantity": 1, "price_when_added": variant.price}
    )
    wanted = quantity if created else line.quantity + quantity
    limit = min(variant.available, settings.MARKETPLACE_ORDER_MAX_QUANTITY)
    line.quantity = min(wanted, limit)
    line.saved_for_later = False
    if created:
        line.price_when_added = variant.price
    line.save()
    return line, line.quantity < wanted


@transaction.atomic
def update_cart_line(*, cart: Cart, line_id: int, quantity: int) -> tuple[CartLine, bool]:
    """Set a line's quantity, bounded by stock. Returns (line, capped)."""
    quantity = _check_quantity(quantity)
    line = CartLine.objects.select_for_update().select_related("variant").get(cart=cart, pk=line_id)
    limit = min(line.variant.available, settings.MARKETPLACE_ORDER_MAX_QUANTITY)
    line.quantity = max(1, min(quantity, limit))
    line.save(update_fields=["quantity"])
    return line, line.quantity < quantity


@transaction.atomic
def remove_cart_line(*, cart: Cart, line_id: int) -> None:
    CartLine.objects.filter(cart=cart, pk=line_id).delete()


@transaction.atomic
def save_for_later(*, cart: Cart, line_id: int, saved: bool = True) -> CartLine:
    """Move a line out of (or back into) the order; saved lines stay in the cart but are not bought."""
    line = CartLine.objects.select_related("variant").get(cart=cart, pk=line_id)
    line.saved_for_later = saved
    if not saved:
        # The current price becomes the one the buyer has seen.
        line.price_when_added = line.variant.price
    line.save(update_fields=["saved_for_later", "price_when_added"])
    return line


@transaction.atomic
def acknowledge_prices(*, cart: Cart) -> None:
    """The buyer has seen the changed prices: they are now the ones to compare with."""
    for line in CartLine.objects.filter(cart=cart).select_related("variant"):
        if line.price_when_added != line.variant.price:
            line.price_when_added = line.variant.price
            line.save(update_fields=["price_when_added"])


@transaction.atomic
def merge_carts(*, source: Cart, target: Cart) -> None:
    """Move an anonymous cart into the account's: quantities add up, still bounded by stock."""
    if source.pk == target.pk:
        return
    for line in source.lines.select_related("variant").order_by("pk"):
        existing = CartLine.objects.select_for_update().filter(cart=target, variant_id=line.variant_id).first()
        limit = min(line.variant.available, settings.MARKETPLACE_ORDER_MAX_QUANTITY)
        if existing is None:
            line.cart = target
            line.quantity = max(1, min(line.quantity, limit))
            line.save(update_fields=["cart", "quantity"])
        else:
            existing.quantity = max(1, min(existing.quantity + line.quantity, limit))
            existing.saved_for_later = existing.saved_for_later and line.saved_for_later
            existing.save(update_fields=["quantity", "saved_for_later"])
    source.delete()


def cart_for_user(*, user) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user)
    return cart


def cart_for_session(*, session_key: str) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=None, session_key=session_key)
    return cart
