"""The payment provider interface. A real acquirer (e.g. YooKassa) is one module implementing it.

See docs/payments.md for the contract in prose and how to add a provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable


class EventType(StrEnum):
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    REFUND_SUCCEEDED = "refund.succeeded"
    REFUND_FAILED = "refund.failed"


@dataclass(frozen=True)
class CreatedPayment:
    provider_payment_id: str
    redirect_url: str  # where to send the buyer: the provider's hosted payment page


class RefundStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"  # the outcome arrives later as a refund.succeeded / refund.failed webhook


@dataclass(frozen=True)
class CreatedRefund:
    provider_refund_id: str
    status: RefundStatus


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook event, translated to our vocabulary."""

    event_id: str  # the provider's unique id of this event: duplicates are dropped by it
    type: str  # an EventType value; anything else is stored and ignored
    provider_payment_id: str
    amount: Decimal
    currency: str
    provider_refund_id: str = ""


@runtime_checkable
class PaymentProvider(Protocol):
    """What the ledger needs from an acquirer.

    Errors: raise `ProviderUnavailable` for anything worth retrying (network, 5xx), `ProviderRejected`
    for a final refusal, `InvalidWebhook` from verify_webhook for a bad signature, a stale timestamp or
    a body that cannot be read. Every call that creates something takes our idempotency key, and the
    provider must answer a repeated key with the first result instead of creating a second one.
    """

    name: str

    def create_payment(
        self, *, idempotency_key: str, amount: Decimal, currency: str, description: str, return_url: str
    ) -> CreatedPayment: ...

    def refund(
        self, *, idempotency_key: str, provider_payment_id: str, amount: Decimal, currency: str
    ) -> CreatedRefund: ...

    def verify_webhook(self, *, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        """Check signature and timestamp BEFORE anything is written, then parse. Must not touch the database."""
        ...
