"""The registry of notification kinds: what each event is, who may switch it off, how it is written.

An app adds its kinds in a `notification_kinds.py` module (found automatically at start-up, like
`admin.py`), and keeps their templates in its own template folder:

    # orders/notification_kinds.py
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from marketplace.notifications.kinds import Kind, register
    from marketplace.notifications.models import Category

    register(
        Kind(
            key="order_shipped",
            category=Category.TRANSACTIONAL,
            verbose_name=_("Order shipped"),
            template_dir="orders/notifications",
            link=lambda context: reverse("orders:detail", args=[context["order_id"]]),
        )
    )

Templates of a kind `<key>` under `<template_dir>/`:
    email/<key>.subject.txt   subject line, also the title in the notification centre
    email/<key>.txt           plain-text e-mail (extends "notifications/email/base.txt")
    email/<key>.html          HTML e-mail with the same content (extends "notifications/email/base.html")
    inapp/<key>.txt           one or two sentences for the notification centre
Each template gets the notification's context plus `recipient`, `link` (absolute), `site_url`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .exceptions import UnknownKind
from .models import Category, Channel


@dataclass(frozen=True)
class Kind:
    key: str
    category: Category
    verbose_name: str | Promise
    # Urgent e-mail ignores quiet hours (security alerts, a deadline today).
    urgent: bool = False
    # Channels this kind uses at all; the recipient's preferences pick among them.
    channels: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.IN_APP})
    # Channels used whatever the preferences say (a security alert always reaches the mailbox).
    forced_channels: frozenset[Channel] = frozenset()
    template_dir: str = "notifications"
    # Path (not absolute URL) the notification leads to, built from its context; None: no link.
    link: Callable[[dict[str, Any]], str] | None = None

    def __post_init__(self) -> None:
        if not self.forced_channels <= self.channels:
            raise ValueError(f"Kind {self.key!r}: forced channels must be among its channels.")

    def template(self, part: str) -> str:
        """`subject`, `txt`, `html` or `inapp` → template name."""
        if part == "inapp":
            return f"{self.template_dir}/inapp/{self.key}.txt"
        suffix = {"subject": "subject.txt", "txt": "txt", "html": "html"}[part]
        return f"{self.template_dir}/email/{self.key}.{suffix}"

    def link_for(self, context: dict[str, Any]) -> str:
        return self.link(context) if self.link else ""


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (registering the same key again replaces it, so a reloaded module does no harm)."""
    _registry[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: str) -> Kind:
    try:
        return _registry[key]
    except KeyError:
        raise UnknownKind(key) from None


def all_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda kind: kind.key)


def kinds_in(category: str) -> list[Kind]:
    return [kind for kind in all_kinds() if kind.category == category]


# ------------------------------------------------------------------------------------------ platform kinds


def _security_link(event: str) -> str:
    """Where the user reviews what changed: e-mail addresses, two-factor methods, or the password."""
    if event.startswith("email_"):
        return reverse("account_email")
    if event.startswith(("totp_", "recovery_codes_", "webauthn_")):
        return reverse("mfa_index")
    return reverse("account_change_password")


ACCOUNT_SECURITY = register(
    Kind(
        key="account_security",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Account security: password, e-mail address, two-factor authentication"),
        urgent=True,
        forced_channels=frozenset({Channel.EMAIL}),
        link=lambda context: _security_link(context.get("event", "")),
    )
)

WELCOME = register(
    Kind(
        key="welcome",
        category=Category.SERVICE,
        verbose_name=_("Welcome message after signing up"),
        link=lambda context: reverse("accounts:profile"),
    )
)

TERMS_UPDATED = register(
    Kind(
        key="terms_updated",
        category=Category.TRANSACTIONAL,
        verbose_name=_("New versions of the terms of use and privacy policy"),
        link=lambda context: reverse("legal:document", args=[context.get("document", "terms")]),
    )
)

MARKETING_NEWS = register(
    Kind(
        key="marketing_news",
        category=Category.MARKETING,
        verbose_name=_("News, offers and discounts"),
        link=lambda context: context.get("path", "") if str(context.get("path", "")).startswith("/") else "",
    )
)

CATEGORY_DESCRIPTIONS: dict[str, str | Promise] = {
    Category.TRANSACTIONAL: _(
        "Orders, payments, returns, disputes and account security. These cannot be turned off completely: "
        "keep at least one channel."
    ),
    Category.SERVICE: _("Tips about your account and changes to the marketplace's services."),
    Category.MARKETING: _("Discounts, sales and news. Sent only with your consent; you can unsubscribe at any time."),
    Category.SURVEY: _("Requests to rate a purchase or the service."),
}

# Defaults when the user has chosen nothing. Marketing also needs consent, which nobody has by default.
DEFAULT_ENABLED: dict[tuple[str, str], bool] = {
    (category, channel): True for category in Category.values for channel in Channel.values
}
