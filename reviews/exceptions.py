"""Domain errors of reviews: each message is shown to the user as is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class NotReviewable(DomainError):
    default_message = _("You can review only items delivered to you.")


class AlreadyReviewed(DomainError):
    default_message = _("You have already reviewed this purchase; you can edit your review instead.")


class ReviewWindowClosed(DomainError):
    default_message = _("Reviews can be written within 365 days of delivery.")


class EditWindowClosed(DomainError):
    default_message = _("A review can be edited within 30 days of writing it.")


class InvalidReview(DomainError):
    default_message = _("Check the review and try again.")


class LinkedToSeller(DomainError):
    default_message = _("Accounts linked to the seller cannot review the seller's goods.")


class AlreadyVoted(DomainError):
    default_message = _("You have already marked this review as helpful.")


class AlreadyReported(DomainError):
    default_message = _("You have already reported this review; moderators will look at it.")


class OwnReview(DomainError):
    default_message = _("You cannot do this with your own review.")


class AlreadyReplied(DomainError):
    default_message = _("The review already has your reply; edit it instead.")
