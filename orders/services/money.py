"""Seller money: payout requests from the cabinet and weekly automatic payouts to the verified bank account."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from marketplace.core.exceptions import DomainError
from marketplace.ledger import selectors as ledger_selectors
from marketplace.ledger import services as ledger
from sellers.models import Seller
from sellers.policies import Section

from .. import policies


def bank_destination(seller: Seller) -> str:
    """The seller's verified bank account (it changes only through an approved bank-detail change)."""
    if not seller.settlement_account or not seller.bik:
        return ""
    return f"{seller.settlement_account} БИК {seller.bik}"


@transaction.atomic
def request_seller_payout(*, seller: Seller, actor, idempotency_key: str, amount: Decimal | None = None):
    """The owner asks for the available balance (or part of it) to be paid to the verified account."""
    if actor is not None and not policies.works_for_seller(actor, seller.pk, Section.FINANCE):
        raise PermissionDenied
    return ledger.request_payout(
        seller=seller,
        destination=bank_destination(seller),
        idempotency_key=idempotency_key,
        actor=actor,
        amount=amount,
    )


def weekly_payouts() -> int:
    """Beat (weekly): every seller whose available balance reaches the minimum; one payout per seller and week."""
    year, week, _day = timezone.localdate().isocalendar()
    count = 0
    for account in ledger_selectors.payout_candidates(minimum=ledger.payout_minimum()):
        if account.owner_type != "sellers.seller":
            continue
        seller = Seller.objects.filter(pk=int(account.owner_id)).first()
        if seller is None or not bank_destination(seller):
            continue
        try:
            request_seller_payout(seller=seller, actor=None, idempotency_key=f"weekly:{seller.pk}:{year}-W{week:02d}")
        except DomainError:
            continue  # balance moved below the minimum meanwhile (a refund): next week
        count += 1
    return count
