"""Every write of the ledger app. Other apps import this module: `from marketplace.ledger import services as ledger`.

Split by sub-domain (postings, movements, payouts, payments) and re-exported here, so call sites read
`ledger.refund(...)`, `ledger.record_payment(...)`, `ledger.balance_of(account)`.
"""

from ..selectors import SellerBalance, balance_of, reference_totals, seller_balance, statement_for
from .movements import Allocation, commission_for, record_payment, refund, refund_unallocated_payment, release_to_seller
from .payments import (
    WebhookOutcome,
    change_payment_status,
    create_payment,
    receive_webhook,
    redirect_url_for_payment,
    relay_refunds,
    submit_refund,
)
from .payouts import (
    change_payout_status,
    confirm_payout,
    dispatch_payout,
    fail_payout,
    payout_minimum,
    poll_sent_payouts,
    relay_payouts,
    request_payout,
)
from .postings import Line, lock_accounts, platform_account, post_transaction, reverse_transaction, seller_account

__all__ = [
    "Allocation",
    "Line",
    "SellerBalance",
    "WebhookOutcome",
    "balance_of",
    "change_payment_status",
    "change_payout_status",
    "commission_for",
    "confirm_payout",
    "create_payment",
    "dispatch_payout",
    "fail_payout",
    "lock_accounts",
    "payout_minimum",
    "platform_account",
    "poll_sent_payouts",
    "post_transaction",
    "receive_webhook",
    "record_payment",
    "redirect_url_for_payment",
    "reference_totals",
    "refund",
    "refund_unallocated_payment",
    "relay_payouts",
    "relay_refunds",
    "release_to_seller",
    "request_payout",
    "reverse_transaction",
    "seller_account",
    "seller_balance",
    "statement_for",
    "submit_refund",
]
