"""The seller's own terms for buyers: the return period on top of the law's minimum."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from sellers.policies import Section

from .. import policies
from ..exceptions import InvalidReturnPolicy
from ..models import SELLER_RETURN_DAYS_MAX, SELLER_RETURN_DAYS_MIN, SellerReturnPolicy


def _clean_days(value) -> int | None:
    """None or "" → no own period; a whole number of days in range, else InvalidReturnPolicy."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidReturnPolicy()
    if isinstance(value, str):
        value = value.strip()
        if not value.isdecimal() or len(value) > 3:
            raise InvalidReturnPolicy()
        value = int(value)
    if not isinstance(value, int) or not SELLER_RETURN_DAYS_MIN <= value <= SELLER_RETURN_DAYS_MAX:
        raise InvalidReturnPolicy()
    return value


@transaction.atomic
def set_seller_return_policy(*, seller, actor, return_days: int | str | None) -> SellerReturnPolicy:
    """The seller's return period for goods of proper quality (7–365 days, None: the legal minimum).

    Orders already placed keep the period frozen on their lines at purchase; only new checkouts see the change.
    """
    if not policies.works_for_seller(actor, seller.pk, Section.STORE):
        raise PermissionDenied
    days = _clean_days(return_days)
    policy, _created = SellerReturnPolicy.objects.update_or_create(
        seller=seller, defaults={"return_days": days, "updated_by": actor}
    )
    return policy
