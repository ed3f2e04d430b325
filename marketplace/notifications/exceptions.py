"""Errors of the notification service."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class UnknownKind(LookupError):
    """A programming error: notify() was called with a kind nobody registered."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Unknown notification kind {key!r}; register it in a notification_kinds.py module.")


class TransactionalChannelRequired(DomainError):
    default_message = _(
        "Messages about orders and account security cannot be turned off: keep at least one channel for them."
    )


class InvalidQuietHours(DomainError):
    default_message = _("Quiet hours must start and end at different hours between 0 and 23.")


class InvalidUnsubscribeLink(DomainError):
    default_message = _("This unsubscribe link is not valid. Open the notification settings to unsubscribe.")


class DeliveryFailed(Exception):
    """Sending through a channel failed; `permanent` means retrying cannot help (rejected address, bad template)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
