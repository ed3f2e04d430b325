"""Reads for the notification centre, preferences and the delivery relay."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import kinds
from .channels import ADAPTERS
from .models import (
    Category,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    InboxItem,
    MarketingConsent,
    Notification,
    QuietHours,
)

if TYPE_CHECKING:
    from marketplace.accounts.models import User

# A new delivery is nudged by its own on-commit message; the relay leaves it alone for this long.
RELAY_GRACE = datetime.timedelta(seconds=60)


def inbox_for(*, user: User, unread_only: bool = False) -> QuerySet[InboxItem]:
    """The user's in-app notifications, newest first (everything the list renders is on the row)."""
    items = InboxItem.objects.filter(recipient=user).order_by("-created_at", "-notification_id")
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items


def unread_items(*, user) -> QuerySet[InboxItem]:
    """The user's unread inbox items (`user`: a user, or an OuterRef to one)."""
    return InboxItem.objects.filter(recipient=user, read_at__isnull=True)


def unread_count(*, user: User) -> int:
    return unread_items(user=user).count()


def channel_choices_for(*, user: User) -> dict[tuple[str, str], bool]:
    """(category, channel) → on/off as the user chose, or the default where they chose nothing."""
    choices = dict(kinds.DEFAULT_ENABLED)
    for category, channel, enabled in ChannelPreference.objects.filter(user=user).values_list(
        "category", "channel", "enabled"
    ):
        choices[(category, channel)] = enabled
    return choices


def has_marketing_consent(*, user: User) -> bool:
    latest = MarketingConsent.objects.filter(user=user).order_by("-created_at", "-pk").values_list("given", flat=True)
    return bool(latest.first())


def quiet_hours_for(*, user: User) -> QuietHours:
    """The saved quiet hours, or the (switched-off) defaults."""
    return QuietHours.objects.filter(user=user).first() or QuietHours(user=user)


def marketing_received_since(*, user: User, since: datetime.datetime) -> int:
    """Marketing notifications that reached the user on any channel since `since` (for the weekly cap)."""
    reached = Delivery.objects.filter(notification=OuterRef("pk")).exclude(status=DeliveryStatus.SKIPPED)
    return (
        Notification.objects.filter(recipient=user, category=Category.MARKETING, created_at__gte=since)
        .filter(Exists(reached))
        .count()
    )


def due_delivery_ids(*, limit: int = 1000) -> list[int]:
    """Pending deliveries to external channels that are due and not just created (their nudge is on its way)."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, channel__in=list(ADAPTERS))
        .filter(Q(attempts__gt=0) | Q(created_at__lte=now - RELAY_GRACE))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def marketing_consent_history(*, user: User) -> QuerySet[MarketingConsent]:
    return MarketingConsent.objects.filter(user=user).order_by("-created_at", "-pk")


def personal_data_for(user: User) -> dict[str, Any]:
    """The user's notifications, their delivery record, preferences and consent history (spec 161 export)."""
    notifications = (
        Notification.objects.filter(recipient=user)
        .select_related("inbox_item")
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )
    quiet = quiet_hours_for(user=user)
    return {
        "notifications": [
            {
                "kind": notification.kind,
                "created_at": notification.created_at.isoformat(),
                "title": getattr(getattr(notification, "inbox_item", None), "title", ""),
                "deliveries": [
                    {
                        "channel": delivery.channel,
                        "status": delivery.status,
                        "address": delivery.to_address,
                        "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
                    }
                    for delivery in notification.deliveries.all()
                ],
            }
            for notification in notifications
        ],
        "channels": {
            f"{category}/{channel}": enabled for (category, channel), enabled in channel_choices_for(user=user).items()
        },
        "quiet_hours": {"enabled": quiet.enabled, "start_hour": quiet.start_hour, "end_hour": quiet.end_hour},
        "marketing_consents": [
            {"given": consent.given, "source": consent.source, "at": consent.created_at.isoformat()}
            for consent in marketing_consent_history(user=user)
        ],
    }
