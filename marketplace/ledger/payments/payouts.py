"""The payout gateway interface: how a seller's payout reaches their bank.

The gateway class is settings.MARKETPLACE_LEDGER_PAYOUT_GATEWAY. `send` must be idempotent on the
payout's idempotency key (a retried send returns the first bank reference). Raise ProviderUnavailable
to be retried with back-off, ProviderRejected to fail the payout (the money returns to the seller).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from ..models import Payout


class BankStatus(StrEnum):
    SENT = "sent"  # still on its way
    CONFIRMED = "confirmed"
    FAILED = "failed"


class PayoutGateway(Protocol):
    def send(self, payout: Payout) -> str:
        """Send the money; return the bank's reference for it."""
        ...

    def status(self, payout: Payout) -> BankStatus:
        """Where a sent payout is now."""
        ...


def get_payout_gateway() -> PayoutGateway:
    return _instantiate(settings.MARKETPLACE_LEDGER_PAYOUT_GATEWAY)


@cache
def _instantiate(path: str) -> PayoutGateway:
    return import_string(path)()
