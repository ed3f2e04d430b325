"""Ledger and payment errors. DomainError subclasses carry a translated message safe to show."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class LedgerError(DomainError):
    default_message = _("This money movement is not possible.")


class UnbalancedTransaction(LedgerError):
    default_message = _("The entries of a ledger transaction must sum to zero in each currency.")


class IdempotencyConflict(LedgerError):
    default_message = _("This request was already made with different details.")


class InsufficientFunds(LedgerError):
    default_message = _("There is not enough money on the account for this movement.")


class NotPaid(LedgerError):
    default_message = _("Nothing has been paid for this yet.")


class AlreadyPaid(LedgerError):
    default_message = _("This has already been paid with another payment.")


class RefundExceedsPayment(LedgerError):
    default_message = _("The refund is larger than what is left of the payment.")


class CannotReverse(LedgerError):
    default_message = _("This transaction cannot be reversed.")


class PayoutBelowMinimum(LedgerError):
    default_message = _("The payout is below the minimum amount.")


class InsufficientBalance(LedgerError):
    default_message = _("The payout is larger than the available balance.")


class PaymentError(DomainError):
    default_message = _("The payment could not be processed.")


class UnknownProvider(PaymentError):
    default_message = _("Unknown payment provider.")


class InvalidWebhook(PaymentError):
    """Signature, timestamp or body of a webhook is not acceptable. Nothing was written."""

    default_message = _("The webhook could not be verified.")


class WebhookMismatch(PaymentError):
    """A verified webhook disagrees with our records (amount, currency, unknown payment). Nothing was written."""

    default_message = _("The webhook does not match our records.")


class ProviderUnavailable(PaymentError):
    """A temporary failure talking to a provider or bank: try again later."""

    default_message = _("The payment provider is not available right now. Please try again.")


class ProviderRejected(PaymentError):
    """The provider or bank said no for good (bad amount, closed account): do not retry."""

    default_message = _("The payment provider refused the request.")


class NoPaymentHook(Exception):
    """No app registered to handle payments for this kind of reference: a configuration error, retried later."""
