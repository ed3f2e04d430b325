"""The sandbox bank for payouts. Settles at once, except test account numbers that end in 0002
(rejected when sent: the account is closed) or 0003 (returned by the bank after sending)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ...exceptions import ProviderRejected
from ..payouts import BankStatus


def _digits(destination: str) -> str:
    return "".join(char for char in destination if char.isdigit())


class SandboxPayoutGateway:
    def send(self, payout) -> str:
        if _digits(payout.destination).endswith("0002"):
            raise ProviderRejected(_("The bank account is closed."))
        return f"SBX-PO-{payout.pk:08d}"

    def status(self, payout) -> BankStatus:
        if _digits(payout.destination).endswith("0003"):
            return BankStatus.FAILED
        return BankStatus.CONFIRMED
