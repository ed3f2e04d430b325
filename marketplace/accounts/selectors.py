"""Reads about accounts: the header's counts, the personal-data export (spec 161)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketplace.core.db import KeyedQuery

from . import personal_data
from .models import User


@dataclass(frozen=True)
class HeaderCounts:
    cart: int  # units in the cart, saved-for-later lines left out
    unread_notifications: int
    unread_messages: int
    works_for_a_seller: bool = False  # owns a seller or sits in a seller's team


def _scalar(rows, function: str, column: str = "pk") -> Subquery:
    """One aggregate over `rows` as a scalar subquery (an aggregate without GROUP BY: always one row)."""
    total = Func(column, function=function, output_field=IntegerField())
    return Subquery(rows.order_by().annotate(_total=total).values("_total")[:1], output_field=IntegerField())


def _header_counts_query(user_id):
    # the rules stay with their apps' selectors; imported here, as those apps import accounts
    from disputes.models import Message
    from disputes.selectors import buyer_unread_filter
    from marketplace.notifications.selectors import unread_items
    from orders.selectors import counted_lines

    user = OuterRef("pk")
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            _cart=Coalesce(_scalar(counted_lines(user=user), "SUM", "quantity"), 0),
            _notifications=_scalar(unread_items(user=user), "COUNT"),
            _messages=_scalar(Message.objects.filter(buyer_unread_filter(user)), "COUNT"),
        )
        .values_list("_cart", "_notifications", "_messages")
    )


_HEADER_COUNTS = KeyedQuery(_header_counts_query)


def header_counts(*, user) -> HeaderCounts:
    """What the signed-in header's badges show: the cart's units, unread notifications and unread messages.

    One prepared statement of three index probes (asked on every signed-in page, where three ORM queries cost
    more than the rest of a shared page's personal parts). A member of a seller's team also gets the team's
    unread messages, counted by the messages' own selector.
    """
    from disputes.selectors import unread_count
    from sellers.selectors import works_for_a_seller

    rows = _HEADER_COUNTS.rows(user.pk)
    cart, notifications, messages = rows[0] if rows else (0, 0, 0)
    seller_side = works_for_a_seller(user)
    if seller_side:
        messages = unread_count(user=user)
    return HeaderCounts(
        cart=int(cart),
        unread_notifications=int(notifications),
        unread_messages=int(messages),
        works_for_a_seller=seller_side,
    )


EXPORT_FORMAT = "marketplace-personal-data/1"


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform keeps about the user, as JSON-ready data; registered apps add sections."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": address.email, "primary": address.primary, "verified": address.verified}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        # Which kinds of second factor exist, never their secrets.
        "two_factor_methods": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        "terms_acceptances": [
            {
                "document": acceptance.terms.kind,
                "version": acceptance.terms.version,
                "accepted_at": acceptance.accepted_at.isoformat(),
                "ip_address": acceptance.ip_address,
                "source": acceptance.source,
            }
            for acceptance in user.terms_acceptances.select_related("terms").order_by("accepted_at", "terms_id")
        ],
    }
    for section in personal_data.sections():
        if section.export is not None:
            data[section.name] = section.export(user)
    return data
