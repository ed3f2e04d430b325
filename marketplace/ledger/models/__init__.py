"""Ledger models by sub-domain; import them from here (`from marketplace.ledger.models import Payment`)."""

from .ledger import (
    NON_NEGATIVE_KINDS,
    SELLER_KINDS,
    AccountKind,
    Currency,
    LedgerAccount,
    LedgerEntry,
    LedgerReference,
    LedgerTransaction,
    Owner,
    TransactionKind,
)
from .payments import (
    PAYMENT_TRANSITIONS,
    Payment,
    PaymentEvent,
    PaymentRefund,
    PaymentStatus,
    PaymentStatusChange,
    RefundStatus,
)
from .payouts import PAYOUT_TRANSITIONS, Payout, PayoutEvent, PayoutStatus
from .sandbox import (
    SANDBOX_PAYMENT_TRANSITIONS,
    SandboxPayment,
    SandboxPaymentStatus,
    SandboxRefund,
    SandboxWebhook,
    WebhookDeliveryStatus,
)

__all__ = [
    "NON_NEGATIVE_KINDS",
    "PAYMENT_TRANSITIONS",
    "PAYOUT_TRANSITIONS",
    "SANDBOX_PAYMENT_TRANSITIONS",
    "SELLER_KINDS",
    "AccountKind",
    "Currency",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerReference",
    "LedgerTransaction",
    "Owner",
    "Payment",
    "PaymentEvent",
    "PaymentRefund",
    "PaymentStatus",
    "PaymentStatusChange",
    "Payout",
    "PayoutEvent",
    "PayoutStatus",
    "RefundStatus",
    "SandboxPayment",
    "SandboxPaymentStatus",
    "SandboxRefund",
    "SandboxWebhook",
    "TransactionKind",
    "WebhookDeliveryStatus",
]
