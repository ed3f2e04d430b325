"""Orders business-rule errors; views show `message` next to the form."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class EmptyCart(DomainError):
    default_message = _("Your cart is empty.")


class OutOfStock(DomainError):
    default_message = _("Not enough items in stock.")


class NotForSale(DomainError):
    default_message = _("This product cannot be bought now.")


class InvalidQuantity(DomainError):
    default_message = _("Enter a whole number of items from 1 to %(max)s.")


class DeliveryNotAvailable(DomainError):
    default_message = _("Choose a delivery method for every seller.")


class CheckoutChanged(DomainError):
    default_message = _("Your cart changed while you were checking out. Please check it and try again.")


class InvalidTracking(DomainError):
    default_message = _("A tracking number has 4 to 40 Latin letters, digits and dashes.")


class ReturnNotAllowed(DomainError):
    default_message = _("This item cannot be returned now.")


class ReturnWindowClosed(ReturnNotAllowed):
    default_message = _("The return period for this order has ended.")


class ReturnQuantityExceeded(ReturnNotAllowed):
    default_message = _("You cannot return more items than you bought.")


class InvalidRefund(DomainError):
    default_message = _("This refund amount is not possible.")


class InvalidReturnPolicy(DomainError):
    default_message = _(
        "Enter the return period as a whole number of days from %(min)s to %(max)s, "
        "or leave it empty for the legal minimum."
    )

    def __init__(self, message: str | None = None, **kwargs) -> None:
        from .models import SELLER_RETURN_DAYS_MAX, SELLER_RETURN_DAYS_MIN

        limits = {"min": SELLER_RETURN_DAYS_MIN, "max": SELLER_RETURN_DAYS_MAX}
        super().__init__(message or str(self.default_message) % limits, **kwargs)


class InvalidTrackingEvent(DomainError):
    default_message = _("This tracking event cannot be recorded: check its status and time.")
