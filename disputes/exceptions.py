"""Domain errors of disputes and messaging (translated messages shown on forms)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class DisputeNotAllowed(DomainError):
    default_message = _("A dispute cannot be opened on this order now.")


class DisputeWindowClosed(DisputeNotAllowed):
    default_message = _("The period for opening a dispute on this order is over.")


class DisputeAlreadyOpen(DisputeNotAllowed):
    default_message = _("This order already has an open dispute.")


class InvalidAmount(DomainError):
    default_message = _("Enter an amount above zero and not more than what can still be refunded.")


class AlreadyDecided(DomainError):
    default_message = _("Another moderator has already decided this dispute.")


class FourEyesViolation(DomainError):
    default_message = _("A second moderator must approve this decision; you cannot approve your own.")


class InvalidEvidence(DomainError):
    default_message = _("Add a text or a photo.")


class MessagingBlocked(DomainError):
    default_message = _("You cannot send messages: a moderator has blocked messaging for your account.")


class MessageRateLimited(DomainError):
    default_message = _("You are sending messages too fast. Wait a minute and try again.")


class InvalidMessage(DomainError):
    default_message = _("Write a message or attach a photo.")
