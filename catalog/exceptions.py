"""Catalogue business-rule errors; views show `message` next to the form."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class CategoryCycle(DomainError):
    default_message = _("A category cannot be moved inside itself or its own subcategory.")


class InvalidAttributes(DomainError):
    """Attribute values that do not fit the category's schema; `errors` maps attribute code → message."""

    default_message = _("Some characteristics are filled in incorrectly.")

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        self.errors = errors
        super().__init__(message)


class InvalidImage(DomainError):
    default_message = _("This file is not a photo we can accept.")


class TooManyPhotos(DomainError):
    default_message = _("A listing can have at most %(limit)s photos.")


class NotReadyForModeration(DomainError):
    """The listing misses something a published listing needs; `problems` lists each in plain words."""

    default_message = _("The listing is not ready to be sent to moderation.")

    def __init__(self, problems: list[str], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or "; ".join(str(problem) for problem in problems))


class SellerCannotSell(DomainError):
    default_message = _("Your seller account cannot publish listings now.")


class DuplicateSku(DomainError):
    default_message = _("You already have a product with this SKU.")


class OutOfStock(DomainError):
    default_message = _("Not enough items in stock.")


class ImportFileInvalid(DomainError):
    default_message = _("The file cannot be read.")
