"""Channels behind one adapter interface, and rendering of a kind's templates in the recipient's language.

The in-app centre is written directly in the notify() transaction. Channels that talk to the outside
world (e-mail now; SMS, web push or a Telegram bot later) are adapters: `address_for(user)` picks the
address stored on the delivery row, `send(delivery)` sends or raises `DeliveryFailed`. A worker calls
`send` for a pending delivery; the adapter never touches the database.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import smtplib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import kinds, tokens
from .exceptions import DeliveryFailed, UnknownKind
from .models import Category, Channel

if TYPE_CHECKING:
    from marketplace.accounts.models import User

    from .models import Delivery, Notification


def absolute_url(path: str) -> str:
    """E-mails need absolute links; the site's public address comes from MARKETPLACE_SITE_URL."""
    if not path or urlsplit(path).scheme:
        return path
    return settings.SITE_URL.rstrip("/") + path


def template_context(notification: Notification, kind: kinds.Kind) -> dict[str, Any]:
    context: dict[str, Any] = dict(notification.context)
    context.update(
        recipient=notification.recipient,
        kind=kind,
        category=kind.category,
        link=absolute_url(kind.link_for(notification.context)),
        notification=notification,
        site_url=settings.SITE_URL.rstrip("/"),
        support_email=settings.MARKETPLACE_SUPPORT_EMAIL,
        settings_url=absolute_url(reverse("notifications:preferences")),
    )
    if kind.category == Category.MARKETING:
        context["unsubscribe_url"] = unsubscribe_url(notification.recipient)
    return context


@functools.cache
def _text_engine() -> DjangoTemplates:
    """The project's template engine without HTML escaping, for subjects, plain-text e-mail and in-app text."""
    config = settings.TEMPLATES[0]
    options = {key: value for key, value in config.get("OPTIONS", {}).items() if key != "context_processors"}
    return DjangoTemplates(
        {
            "NAME": "notifications-text",
            "DIRS": config.get("DIRS", []),
            "APP_DIRS": config.get("APP_DIRS", False),
            "OPTIONS": {**options, "autoescape": False},
        }
    )


def render_text(template_name: str, context: dict[str, Any]) -> str:
    return _text_engine().get_template(template_name).render(context).strip()


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return render_to_string(template_name, context).strip()


def render_subject(kind: kinds.Kind, context: dict[str, Any]) -> str:
    # A header must be one line, whatever the template's whitespace.
    return " ".join(render_text(kind.template("subject"), context).split())


@contextlib.contextmanager
def _in_recipients_locale(recipient: User) -> Iterator[None]:
    """Render in the recipient's language and time zone, whoever triggered the notification."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE), timezone.override(recipient.tzinfo):
        yield


def render_inbox(notification: Notification, kind: kinds.Kind) -> dict[str, str]:
    """Title, text and link of the in-app item, in the recipient's language."""
    with _in_recipients_locale(notification.recipient):
        context = template_context(notification, kind)
        return {
            "title": render_subject(kind, context)[:255],
            "body": render_text(kind.template("inapp"), context),
            "link": kind.link_for(notification.context)[:500],
        }


def unsubscribe_url(user: User) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[tokens.make_unsubscribe_token(user)]))


def new_message_id(notification: Notification) -> str:
    """Made once when the delivery row is written, so every retry sends the same Message-ID."""
    domain = urlsplit(settings.SITE_URL).hostname or "marketplace.local"
    # The random part keeps ids unique across databases (staging, a restored backup) sending for one domain.
    return f"<notification-{notification.pk}.{secrets.token_hex(6)}@{domain}>"


class ChannelAdapter(Protocol):
    channel: Channel
    respects_quiet_hours: bool

    def address_for(self, user: User) -> str: ...

    def send(self, delivery: Delivery) -> None: ...


class EmailAdapter:
    channel = Channel.EMAIL
    respects_quiet_hours = True

    def address_for(self, user: User) -> str:
        return user.email

    def build_message(self, delivery: Delivery) -> EmailMultiAlternatives:
        notification = delivery.notification
        kind = kinds.get(notification.kind)
        with _in_recipients_locale(notification.recipient):
            context = template_context(notification, kind)
            subject = render_subject(kind, context)
            text = render_text(kind.template("txt"), context)
            html = render_html(kind.template("html"), context)
        headers = {"Message-ID": delivery.message_id, "Auto-Submitted": "auto-generated"}
        if kind.category == Category.MARKETING:
            # RFC 8058 one-click unsubscribe: mail clients POST to the link without a login.
            headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(subject=subject, body=text, to=[delivery.to_address], headers=headers)
        message.attach_alternative(html, "text/html")
        return message

    def send(self, delivery: Delivery) -> None:
        try:
            message = self.build_message(delivery)
        except (TemplateDoesNotExist, TemplateSyntaxError, UnknownKind) as error:
            raise DeliveryFailed(f"cannot render: {error!r}", permanent=True) from error
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed(f"address refused: {error.recipients!r}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:  # refused connection, timeout, 4xx/5xx replies
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error


# Channels that deliver outside the database, by channel value.
ADAPTERS: dict[str, ChannelAdapter] = {Channel.EMAIL: EmailAdapter()}
