"""Outbox tools for staff: what was sent to whom, what failed and why, and "retry now"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Delivery, InboxItem, MarketingConsent, Notification


class ReadOnlyAdminMixin:
    """The outbox is written only by services: staff look, filter and retry, never edit."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("channel", "status", "skip_reason", "to_address", "attempts", "next_attempt_at", "sent_at", "last_error")
    readonly_fields = fields
    can_delete = False


class InboxItemInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = InboxItem
    extra = 0
    fields = ("title", "body", "link", "read_at")
    readonly_fields = fields
    can_delete = False


@admin.action(description=_("Retry now (failed or waiting e-mails, fresh count of attempts)"), permissions=["retry"])
def retry_now(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    deliveries = queryset if queryset.model is Delivery else Delivery.objects.filter(notification__in=queryset)
    count = services.retry_deliveries(deliveries=deliveries, actor=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count) % {"count": count},
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "category", "dedupe_key")
    list_filter = ("category", "kind", "deliveries__status", "deliveries__channel", "created_at")
    search_fields = ("recipient__email", "kind", "dedupe_key")
    list_select_related = ("recipient",)
    readonly_fields = ("recipient", "kind", "category", "context", "dedupe_key", "created_at")
    fields = readonly_fields
    inlines = [DeliveryInline, InboxItemInline]
    actions = [retry_now]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_delivery")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        # Filtering by delivery status joins deliveries; distinct keeps one line per notification.
        return super().get_queryset(request).distinct()


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "notification_id",
        "created_at",
        "recipient",
        "kind",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "skip_reason", "notification__kind", "notification__category")
    search_fields = ("to_address", "notification__recipient__email", "message_id")
    list_select_related = ("notification__recipient",)
    readonly_fields = (
        "notification",
        "channel",
        "status",
        "skip_reason",
        "to_address",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "message_id",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = [retry_now]
    show_full_result_count = False
    list_per_page = 50

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_delivery")

    @admin.display(description=_("recipient"), ordering="notification__recipient__email")
    def recipient(self, delivery: Delivery) -> str:
        return delivery.notification.recipient.email

    @admin.display(description=_("kind"), ordering="notification__kind")
    def kind(self, delivery: Delivery) -> str:
        return delivery.notification.kind


@admin.register(MarketingConsent)
class MarketingConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "given", "source")
    list_filter = ("given", "source")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    readonly_fields = ("user", "given", "source", "created_at")
    fields = readonly_fields
