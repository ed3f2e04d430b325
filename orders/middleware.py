"""After login, the anonymous cart joins the account's (the session keeps its id across the login)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from . import services
from .cart_session import SESSION_KEY
from .models import Cart


class CartMergeMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_KEY in request.session:
            cart_id = request.session.pop(SESSION_KEY)
            anonymous = Cart.objects.filter(pk=cart_id, user=None).first()
            if anonymous is not None:
                services.merge_carts(source=anonymous, target=services.cart_for_user(user=user))
        return self.get_response(request)
