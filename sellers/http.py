"""Typed seller requests and the cabinet guard every seller page uses (this app's and other apps')."""

from __future__ import annotations

import functools
from collections.abc import Callable

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from marketplace.core.http import AuthenticatedRequest

from . import policies, selectors
from .models import Seller, TeamMember


class SellerRequest(AuthenticatedRequest):
    seller: Seller
    seller_member: TeamMember


def seller_section_required(section: str) -> Callable:
    """Only members of a seller's team whose role opens `section`.

    Not in any team (a buyer, another seller's stranger): 404, the cabinet "does not exist" for them.
    In the team but the role does not open the section (warehouse on finance): 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            member = selectors.membership_for(user=request.user)
            if member is None:
                raise Http404
            if not policies.can_access_section(member, section):
                raise PermissionDenied
            request.seller_member = member
            request.seller = member.seller
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def client_ip(request) -> str | None:
    """The client's address as allauth sees it (honours ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None
