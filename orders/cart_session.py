"""Which cart a request uses: the account's, or an anonymous one keyed by the session."""

from __future__ import annotations

from django.http import HttpRequest

from . import services
from .models import Cart

SESSION_KEY = "orders_anonymous_cart"


def current_cart(request: HttpRequest, *, create: bool = True) -> Cart | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if create:
            return services.cart_for_user(user=user)
        return Cart.objects.filter(user=user).first()
    if not request.session.session_key:
        if not create:
            return None
        request.session.save()
    if not create:
        return Cart.objects.filter(user=None, session_key=request.session.session_key).first()
    cart = services.cart_for_session(session_key=request.session.session_key)
    request.session[SESSION_KEY] = cart.pk
    return cart
