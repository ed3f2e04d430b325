"""The notification outbox and the in-app notification centre.

`Notification` is the outbox row, written in the business transaction by `services.notify`. Each
channel gets one `Delivery` row (the record of every send: recipient, event, channel, status); the
in-app channel also gets one `InboxItem` (its primary key is the notification, so there can never be
two). E-mail deliveries are pending until a Celery worker sends them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel


class Category(models.TextChoices):
    """What a notification is about; preferences and consent are per category and channel."""

    TRANSACTIONAL = "transactional", _("Orders and account")
    SERVICE = "service", _("Service messages")
    MARKETING = "marketing", _("News and offers")
    SURVEY = "survey", _("Surveys and feedback requests")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("On the site")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class SkipReason(models.TextChoices):
    PREFERENCE = "preference", _("Turned off in the recipient's settings")
    NO_CONSENT = "no_consent", _("No consent to news and offers")
    FREQUENCY_CAP = "frequency_cap", _("Weekly limit of news and offers reached")
    INACTIVE = "inactive", _("Account is deactivated")


class Notification(models.Model):
    """One event for one recipient (the outbox row). Context holds only JSON values: ids and strings."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    category = models.CharField(_("category"), max_length=16, choices=Category)
    context = models.JSONField(_("context"), default=dict, blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=200,
        blank=True,
        help_text=_("The same event notified twice with the same key for the same recipient is stored once."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_dedupe_unique"
            ),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="notification_category_valid"),
        ]
        indexes = [models.Index(fields=["recipient", "category", "created_at"], name="notification_cap_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} #{self.pk}"


class Delivery(TimeStampedModel):
    """One channel of one notification: its status, attempts and, for e-mail, the stable Message-ID."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus, default=DeliveryStatus.PENDING, editable=False
    )
    skip_reason = models.CharField(_("reason not sent"), max_length=16, choices=SkipReason, blank=True)
    to_address = models.CharField(_("address"), max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["notification_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_one_per_channel"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="delivery_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.PENDING) | Q(next_attempt_at__isnull=False),
                name="delivery_pending_has_next_attempt",
            ),
        ]
        indexes = [
            # The relay scans due pending rows every minute; the partial index keeps that cheap.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status=DeliveryStatus.PENDING), name="delivery_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()} (#{self.notification_id})"


class InboxItem(models.Model):
    """The notification as shown in the in-app centre, rendered once in the recipient's language."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, primary_key=True, related_name="inbox_item"
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items")
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        ordering = ["-created_at", "-notification_id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inboxitem_list_idx"),
            # The header badge counts unread items on every page.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="inboxitem_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class ChannelPreference(models.Model):
    """A user's choice for one category on one channel. No row means the category's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences")
    category = models.CharField(_("category"), max_length=16, choices=Category)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "channel"], name="channelpreference_unique"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="channelpreference_category_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="channelpreference_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.category}/{self.channel}={'on' if self.enabled else 'off'}"


class QuietHours(models.Model):
    """Hours (in the user's time zone) when non-urgent e-mail waits; off unless the user turns it on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="quiet_hours"
    )
    enabled = models.BooleanField(_("quiet hours"), default=False)
    start_hour = models.PositiveSmallIntegerField(_("from"), default=settings.MARKETPLACE_QUIET_HOURS_DEFAULT[0])
    end_hour = models.PositiveSmallIntegerField(_("until"), default=settings.MARKETPLACE_QUIET_HOURS_DEFAULT[1])

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_hour__lte=23, end_hour__lte=23) & ~Q(start_hour=models.F("end_hour")),
                name="quiethours_valid_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_hour:02d}:00–{self.end_hour:02d}:00"


class MarketingConsent(models.Model):
    """Append-only record of consent to news and offers (38-FZ «О рекламе», art. 18): the latest row wins."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_consents")
    given = models.BooleanField(_("consent given"))
    source = models.CharField(_("source"), max_length=32, help_text=_("signup, preferences, unsubscribe, admin"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("marketing consent")
        verbose_name_plural = _("marketing consents")
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {'yes' if self.given else 'no'} ({self.source})"
