"""Domain errors: expected business-rule failures that views turn into form errors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule said no. `message` is safe and translated for the user."""

    default_message = _("This action is not possible.")

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = str(message or self.default_message)
        self.code = code or type(self).__name__
        super().__init__(self.message)


class InvalidTransition(DomainError):
    default_message = _("This change of status is not allowed now.")

    def __init__(self, current: str = "", target: str = "", message: str | None = None) -> None:
        self.current = current
        self.target = target
        super().__init__(message)
