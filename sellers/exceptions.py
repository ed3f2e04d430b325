"""Sellers' domain errors: business rules that said no, with a message safe to show."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class AlreadySelling(DomainError):
    default_message = _("You already sell on the platform or work in a seller's team.")


class ApplicationIncomplete(DomainError):
    """Submission refused; `errors` maps field names (or "__all__") to messages, for the form to show."""

    default_message = _("The application cannot be submitted yet: please fix the marked fields.")

    def __init__(self, errors: dict[str, list[str]], message: str | None = None) -> None:
        self.errors = errors
        super().__init__(message)


class NoSellerOffer(DomainError):
    default_message = _("The seller offer is not published yet, so applications cannot be submitted. Try later.")


class InvalidDocument(DomainError):
    default_message = _("This document cannot be accepted.")


class StoreAddressTaken(DomainError):
    default_message = _("This store address is already taken. Choose another one.")


class DuplicateSeller(DomainError):
    default_message = _("A seller with this INN already works on the platform.")


class ReasonRequired(DomainError):
    default_message = _("A reason is required.")


class InvitationUnavailable(DomainError):
    default_message = _("This invitation is no longer valid. Ask the store owner for a new one.")


class AppealExists(DomainError):
    default_message = _("This sanction has already been appealed. Follow the existing case.")


class CaseClosed(DomainError):
    default_message = _("This case is closed. Open a new case if you need to.")


class SecondApprovalRequired(DomainError):
    default_message = _(
        "A suspension or termination takes effect only after a second moderator approves it: send it for approval."
    )


class SanctionRequestPending(DomainError):
    default_message = _(
        "A suspension or termination of this seller is already waiting for a second moderator. "
        "Approve or decline it first."
    )


class FourEyesViolation(DomainError):
    default_message = _("A second moderator must decide this request; you cannot decide your own.")


class SanctionRequestDecided(DomainError):
    default_message = _("This request is no longer waiting for approval: another moderator has decided it.")
