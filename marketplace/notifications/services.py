"""Notification use cases: notify (the outbox), delivery, the in-app centre, preferences and consent."""

from __future__ import annotations

import datetime
import json
import logging
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from . import channels, kinds, selectors, tokens
from .exceptions import DeliveryFailed, InvalidQuietHours, InvalidUnsubscribeLink, TransactionalChannelRequired
from .models import (
    Category,
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    InboxItem,
    MarketingConsent,
    Notification,
    QuietHours,
    SkipReason,
)

if TYPE_CHECKING:
    from marketplace.accounts.models import User

logger = logging.getLogger(__name__)

MAX_BACKOFF = datetime.timedelta(hours=1)


# ------------------------------------------------------------------------------------------ notify


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    context: dict[str, Any] | None = None,
    dedupe_key: str = "",
    email: str | None = None,
) -> Notification:
    """Record an event for a recipient in the caller's transaction; channels are delivered after it commits.

    The same `dedupe_key` for the same recipient returns the first notification and sends nothing again
    (a retried request or task, an event reported twice). `email` overrides the address, e.g. to warn the
    old address that the account's e-mail was changed.
    """
    spec = kinds.get(kind)  # UnknownKind: a programming error, not a user error
    context = _json_context(context or {})
    if dedupe_key and (existing := Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()):
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate fails here, not the caller's transaction
            notification = Notification.objects.create(
                recipient=recipient, kind=spec.key, category=spec.category, context=context, dedupe_key=dedupe_key
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)

    now = timezone.now()
    decisions = _channel_decisions(recipient=recipient, spec=spec, now=now)
    deliveries = []
    for channel in sorted(spec.channels):
        skip_reason = decisions[channel]
        delivery = Delivery(notification=notification, channel=channel)
        if skip_reason:
            delivery.status, delivery.skip_reason = DeliveryStatus.SKIPPED, skip_reason
        elif channel == Channel.IN_APP:
            InboxItem.objects.create(
                notification=notification, recipient=recipient, **channels.render_inbox(notification, spec)
            )
            delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
        else:
            adapter = channels.ADAPTERS[channel]
            delivery.to_address = email if (email and channel == Channel.EMAIL) else adapter.address_for(recipient)
            delivery.next_attempt_at = _first_attempt_at(recipient=recipient, spec=spec, adapter=adapter, now=now)
            if channel == Channel.EMAIL:
                delivery.message_id = channels.new_message_id(notification)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at <= now:
            # The row is the guarantee; this message is only a nudge (the relay sends what it misses).
            transaction.on_commit(partial(_enqueue, delivery.pk))
    return notification


def _json_context(context: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(json.dumps(context))
    except TypeError as error:
        raise TypeError(f"notify() context must hold only JSON values (ids and strings): {error}") from None


def _channel_decisions(*, recipient: User, spec: kinds.Kind, now: datetime.datetime) -> dict[str, str]:
    """Channel → "" to send, or the SkipReason why not."""
    if not recipient.is_active:
        return dict.fromkeys(spec.channels, SkipReason.INACTIVE)
    choices = selectors.channel_choices_for(user=recipient)
    decisions: dict[str, str] = {}
    for channel in spec.channels:
        if channel in spec.forced_channels:
            decisions[channel] = ""
        elif not choices[(spec.category, channel)]:
            decisions[channel] = SkipReason.PREFERENCE
        else:
            decisions[channel] = ""
    if spec.category == Category.TRANSACTIONAL and all(decisions.values()):
        # Transactional messages cannot be switched off entirely: if the user's channel is one this kind
        # does not use, it goes to all of its channels.
        decisions = dict.fromkeys(spec.channels, "")
    if spec.category == Category.MARKETING:
        if not selectors.has_marketing_consent(user=recipient):
            decisions = dict.fromkeys(spec.channels, SkipReason.NO_CONSENT)
        elif not all(decisions.values()):
            week_ago = now - datetime.timedelta(days=7)
            if (
                selectors.marketing_received_since(user=recipient, since=week_ago)
                >= settings.MARKETPLACE_MARKETING_WEEKLY_CAP
            ):
                decisions = {ch: reason or SkipReason.FREQUENCY_CAP for ch, reason in decisions.items()}
    return decisions


def _first_attempt_at(
    *, recipient: User, spec: kinds.Kind, adapter: channels.ChannelAdapter, now: datetime.datetime
) -> datetime.datetime:
    if spec.urgent or not adapter.respects_quiet_hours:
        return now
    return quiet_hours_end(quiet=selectors.quiet_hours_for(user=recipient), tz=recipient.tzinfo, now=now) or now


def quiet_hours_end(*, quiet: QuietHours, tz: datetime.tzinfo, now: datetime.datetime) -> datetime.datetime | None:
    """When the quiet hours that `now` falls in end (aware datetime), or None if `now` is not quiet."""
    if not quiet.enabled or quiet.start_hour == quiet.end_hour:
        return None
    local = now.astimezone(tz)
    hour, start, end = local.hour, quiet.start_hour, quiet.end_hour
    if start < end:  # e.g. 13-15, within one day
        if not start <= hour < end:
            return None
        day = local.date()
    else:  # e.g. 22-09, across midnight
        if start > hour >= end:
            return None
        day = local.date() if hour < end else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(end), tzinfo=tz)


# After the broker failed, this process stops trying for a while: each attempt while Redis is down costs
# seconds of connection retries in the request, and the relay sends the waiting rows anyway.
BROKER_BACKOFF_SECONDS = 60.0
_broker_down_until = 0.0


def _enqueue(delivery_id: int) -> None:
    global _broker_down_until
    from . import tasks

    if time.monotonic() < _broker_down_until:
        return
    try:
        tasks.deliver.apply_async(args=[delivery_id], retry=False)
    except Exception:  # broker down: the business transaction is committed; the relay sends the row later
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("could not enqueue delivery %s; the relay will send it", delivery_id, exc_info=True)


# ------------------------------------------------------------------------------------------ delivery


def deliver(*, delivery_id: int) -> str | None:
    """Send one due pending delivery. A second run finds it sent (or held by another worker) and does nothing.

    Returns the new status, or None if there was nothing to do. A failure is counted on the row, which
    waits with exponential back-off and ends `failed` after MARKETPLACE_NOTIFICATION_MAX_ATTEMPTS.
    """
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__recipient")
            .filter(
                pk=delivery_id,
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
                channel__in=list(channels.ADAPTERS),
            )
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        try:
            channels.ADAPTERS[delivery.channel].send(delivery)
        except DeliveryFailed as error:
            delivery.last_error = str(error)[:2000]
            if error.permanent or delivery.attempts >= settings.MARKETPLACE_NOTIFICATION_MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
                logger.error("delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts, error)
            else:
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
                logger.warning("delivery %s failed (attempt %s), retrying: %s", delivery.pk, delivery.attempts, error)
        else:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
        delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error", "updated_at"])
    return delivery.status


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most an hour."""
    return min(datetime.timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def relay_pending_deliveries() -> int:
    """Nudge every due pending delivery: lost messages, crashed workers, back-off or quiet hours over.

    Not atomic on purpose: it only reads ids and sends messages; `deliver` locks each row.
    """
    ids = selectors.due_delivery_ids()
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)


@transaction.atomic
def retry_deliveries(*, deliveries: QuerySet[Delivery], actor: User) -> int:
    """Staff: send failed or waiting deliveries now, with a fresh count of attempts."""
    rows = list(
        deliveries.select_for_update(of=("self",))
        .filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING], channel__in=list(channels.ADAPTERS))
        .order_by("pk")
    )
    now = timezone.now()
    for delivery in rows:
        delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, now
        delivery.last_error = f"{delivery.last_error}\n[retried by {actor.email} at {now.isoformat()}]".strip()[-2000:]
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "updated_at"])
        transaction.on_commit(partial(_enqueue, delivery.pk))
    return len(rows)


def purge_old_notifications() -> int:
    """Delete notifications past the retention period whose in-app item is read and that wait for nothing.

    In batches, each its own transaction, so a large purge never holds long locks.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.MARKETPLACE_NOTIFICATION_RETENTION_DAYS)
    unread = InboxItem.objects.filter(notification=OuterRef("pk"), read_at__isnull=True)
    waiting = Delivery.objects.filter(notification=OuterRef("pk"), status=DeliveryStatus.PENDING)
    old = Notification.objects.filter(created_at__lt=cutoff).filter(~Exists(unread), ~Exists(waiting))
    deleted = 0
    while ids := list(old.order_by("pk").values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            Notification.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


# ------------------------------------------------------------------------------------------ notification centre


@transaction.atomic
def mark_read(*, actor: User, item: InboxItem) -> InboxItem:
    """Mark one of the actor's own notifications read (reading it twice keeps the first time)."""
    if item.recipient_id != actor.pk:
        raise PermissionDenied
    if item.read_at is None:
        now = timezone.now()
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=now)
        item.read_at = now
    return item


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    return InboxItem.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


# ------------------------------------------------------------------------------------------ preferences and consent


@transaction.atomic
def set_marketing_consent(*, user: User, consent: bool, source: str) -> MarketingConsent | None:
    """Record giving or withdrawing consent to news and offers, with time and source; no change, no record."""
    if selectors.has_marketing_consent(user=user) == consent:
        return None
    return MarketingConsent.objects.create(user=user, given=consent, source=source[:32])


@transaction.atomic
def update_preferences(
    *,
    actor: User,
    user: User,
    choices: dict[tuple[str, str], bool],
    quiet_hours_enabled: bool,
    quiet_start_hour: int,
    quiet_end_hour: int,
) -> None:
    """Save channel choices per category and quiet hours.

    Transactional messages keep at least one channel; ticking any marketing channel gives consent and
    clearing them all withdraws it.
    """
    if actor.pk != user.pk:
        raise PermissionDenied
    full = {key: bool(choices.get(key, default)) for key, default in kinds.DEFAULT_ENABLED.items()}
    if not any(full[(Category.TRANSACTIONAL, channel)] for channel in Channel.values):
        raise TransactionalChannelRequired()
    if not (0 <= quiet_start_hour <= 23 and 0 <= quiet_end_hour <= 23) or quiet_start_hour == quiet_end_hour:
        raise InvalidQuietHours()
    wants_marketing = any(full[(Category.MARKETING, channel)] for channel in Channel.values)
    ChannelPreference.objects.bulk_create(
        [
            ChannelPreference(user=user, category=category, channel=channel, enabled=enabled)
            for (category, channel), enabled in full.items()
            # "No news at all" is the withdrawn consent; the channels chosen last time stay for a later opt-in.
            if wants_marketing or category != Category.MARKETING
        ],
        update_conflicts=True,
        unique_fields=["user", "category", "channel"],
        update_fields=["enabled", "updated_at"],
    )
    set_marketing_consent(user=user, consent=wants_marketing, source="preferences")
    QuietHours.objects.update_or_create(
        user=user,
        defaults={"enabled": quiet_hours_enabled, "start_hour": quiet_start_hour, "end_hour": quiet_end_hour},
    )


@transaction.atomic
def unsubscribe(*, token: str) -> User:
    """One-click unsubscribe from news and offers (withdraws consent); works without signing in."""
    from marketplace.accounts.models import User

    user_id = tokens.user_id_from_unsubscribe_token(token)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise InvalidUnsubscribeLink()
    set_marketing_consent(user=user, consent=False, source="unsubscribe")
    return user


@transaction.atomic
def erase_personal_data(user: User) -> None:
    """Account deletion (spec 161): drop the user's notifications (nothing more is sent) and settings.

    The consent history stays, ending with a withdrawal: proof that news stopped, tied to an anonymised row.
    """
    Notification.objects.filter(recipient=user).delete()
    ChannelPreference.objects.filter(user=user).delete()
    QuietHours.objects.filter(user=user).delete()
    set_marketing_consent(user=user, consent=False, source="account_deleted")
