"""Ledger views for managers: read-only. Money moves only through services, never through admin forms."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    LedgerAccount,
    LedgerEntry,
    LedgerReference,
    LedgerTransaction,
    Payment,
    PaymentEvent,
    PaymentRefund,
    PaymentStatusChange,
    Payout,
    PayoutEvent,
    SandboxPayment,
    SandboxWebhook,
)


class ReadOnlyMixin:
    """No add, change or delete for anyone (superusers included): the ledger is append-only by design."""

    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_per_page = 50


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "owner_type", "owner_id", "balance", "currency"]
    list_filter = ["kind", "currency"]
    search_fields = ["owner_type", "owner_id"]


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ["account", "amount", "currency", "reference"]
    readonly_fields = fields


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "created_at", "external_reference", "memo", "created_by"]
    list_filter = ["kind", "created_at"]
    search_fields = ["idempotency_key", "external_reference", "memo"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "transaction", "account", "amount", "currency", "reference"]
    list_filter = ["account__kind", "currency"]
    search_fields = ["reference__key", "reference__label", "account__owner_id"]
    list_select_related = ["transaction", "account", "reference"]


@admin.register(LedgerReference)
class LedgerReferenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "label", "owner_type", "owner_id", "payment", "created_at"]
    search_fields = ["key", "label", "owner_id"]
    list_select_related = ["payment"]


class PaymentStatusChangeInline(ReadOnlyInline):
    model = PaymentStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class PaymentRefundInline(ReadOnlyInline):
    model = PaymentRefund
    fields = ["created_at", "amount", "status", "provider_refund_id", "attempts", "last_error"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "reference", "amount", "currency", "status", "provider", "created_at"]
    list_filter = ["status", "provider", "created_at"]
    search_fields = ["reference", "provider_payment_id", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [PaymentStatusChangeInline, PaymentRefundInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "event_type", "payment", "received_at"]
    list_filter = ["provider", "event_type"]
    search_fields = ["event_id"]
    list_select_related = ["payment"]


@admin.register(PaymentRefund)
class PaymentRefundAdmin(ReadOnlyAdmin):
    list_display = ["pk", "payment", "amount", "status", "attempts", "last_error", "created_at"]
    list_filter = ["status"]
    search_fields = ["provider_refund_id", "idempotency_key"]
    list_select_related = ["payment"]


class PayoutEventInline(ReadOnlyInline):
    model = PayoutEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["pk", "owner_type", "owner_id", "amount", "status", "bank_reference", "attempts", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["owner_id", "bank_reference", "idempotency_key"]
    inlines = [PayoutEventInline]


@admin.register(SandboxPayment)
class SandboxPaymentAdmin(ReadOnlyAdmin):
    list_display = ["token", "amount", "status", "card_last4", "refunded_amount", "created_at"]
    list_filter = ["status"]


@admin.register(SandboxWebhook)
class SandboxWebhookAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "event_type", "status", "attempts", "last_error", "created_at"]
    list_filter = ["status", "event_type"]
