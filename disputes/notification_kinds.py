"""Notification kinds of disputes and messaging."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.kinds import Kind, register
from marketplace.notifications.models import Category


def _dispute_page(context: dict) -> str:
    return reverse("disputes:detail", args=[context["dispute_id"]])


def _conversation_page(context: dict) -> str:
    return reverse("disputes:conversation", args=[context["conversation_id"]])


for key, name, link, urgent in (
    ("dispute_updated", _("News about your dispute"), _dispute_page, False),
    ("dispute_updated_seller", _("A dispute about your order needs attention"), _dispute_page, True),
    ("message_unread", _("An unread message from a buyer or seller"), _conversation_page, False),
):
    register(
        Kind(
            key=key,
            category=Category.TRANSACTIONAL,
            verbose_name=name,
            urgent=urgent,
            template_dir="disputes/notifications",
            link=link,
        )
    )
