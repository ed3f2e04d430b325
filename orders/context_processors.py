from django.http import HttpRequest

from . import selectors
from .cart_session import current_cart


def cart(request: HttpRequest) -> dict:
    """The header's cart badge: items in the cart (saved-for-later ones not counted)."""
    if not hasattr(request, "session"):
        return {}
    return {"cart_count": lambda: selectors.cart_count(current_cart(request, create=False))}
