"""Moderators' dispute workbench: one page with the whole case; every action calls a service."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.core.exceptions import DomainError
from marketplace.ledger.models import LedgerEntry

from . import policies, services
from .forms import DecisionForm
from .models import (
    Conversation,
    Decision,
    DecisionStatus,
    Dispute,
    DisputeEvent,
    Evidence,
    InternalNote,
    Message,
    MessagingBlock,
    QuickReply,
    RiskSignal,
    RiskSignalStatus,
)


def _decision_form() -> DecisionForm:
    """The decision fields live outside the change form (HTML has no nested forms): they name their own form."""
    form = DecisionForm()
    for field in form.fields.values():
        field.widget.attrs["form"] = "decide-form"
    return form


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = DisputeEvent
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields


def private_photo(url_name: str, pk: int, file_field) -> str:
    """A private photo (no public URL: admin's own file display would ask the storage for one) as a thumbnail
    linking to the view that serves it to moderators."""
    if not file_field:
        return "—"
    url = reverse(url_name, args=[pk])
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="120"></a>',
        url,
        url,
        gettext("Photo"),
    )


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("created_at", "author", "text", "photo")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def photo(self, evidence: Evidence) -> str:
        return private_photo("disputes:evidence-file", evidence.pk, evidence.image)


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("created_at", "kind", "amount", "reasoning", "status", "decided_by", "approved_by")
    readonly_fields = fields


class NoteInline(ReadOnlyInline):
    model = InternalNote
    fields = ("created_at", "author", "text")
    readonly_fields = fields


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ("number", "order", "status", "reason", "assigned_to", "deadline_at", "created_at")
    list_filter = ("status", "reason", "is_open", "assigned_to")
    search_fields = ("order__number", "buyer__email", "seller__storefront__name")
    list_select_related = ("order", "assigned_to")
    readonly_fields = (
        "order",
        "buyer",
        "seller",
        "status",
        "reason",
        "description",
        "desired_outcome",
        "desired_amount",
        "deadline_at",
        "assigned_to",
        "escalated_at",
        "closed_at",
        "proposal_kind",
        "proposal_amount",
        "proposal_text",
        "refunded_amount",
        "seller_lost",
    )
    fields = readonly_fields
    inlines = (EventInline, EvidenceInline, DecisionInline, NoteInline)
    change_form_template = "disputes/admin/dispute_change_form.html"
    ordering = ("deadline_at",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        # Every action URL carries the dispute as `pk`, so the audit log records it under the dispute with the
        # status before and after (marketplace.audit.admin_hooks).
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/decide/", wrap(require_POST(self.decide_view)), name="disputes_dispute_decide"),
            path(
                "<int:pk>/decisions/<int:decision_id>/approve/",
                wrap(require_POST(self.approve_view)),
                name="disputes_dispute_approve",
            ),
            path(
                "<int:pk>/decisions/<int:decision_id>/decline/",
                wrap(require_POST(self.decline_view)),
                name="disputes_dispute_decline",
            ),
            path("<int:pk>/note/", wrap(require_POST(self.note_view)), name="disputes_dispute_note"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        dispute = get_object_or_404(Dispute.objects.select_related("order", "buyer", "seller__user"), pk=object_id)
        order = dispute.order
        pending = dispute.decisions.filter(status=DecisionStatus.PENDING_APPROVAL).select_related("decided_by").first()
        conversation = Conversation.objects.filter(order=order).first()
        extra = {
            "case_order": order,
            "case_lines": list(order.lines.all()),
            "case_order_events": list(order.events.select_related("actor")),
            "case_returns": list(order.returns.prefetch_related("events")),
            "case_ledger": list(
                LedgerEntry.objects.filter(reference__key=order.ledger_reference)
                .select_related("transaction", "account")
                .order_by("transaction__created_at", "pk")
            ),
            "case_refundable": services.refundable_for(order),
            "case_messages": list(conversation.messages.select_related("sender")) if conversation else [],
            "case_buyer_disputes": Dispute.objects.filter(buyer=dispute.buyer).exclude(pk=dispute.pk).count(),
            "case_seller_disputes": Dispute.objects.filter(seller=dispute.seller).exclude(pk=dispute.pk).count(),
            "case_seller_lost": Dispute.objects.filter(seller=dispute.seller, seller_lost=True).count(),
            "case_risk_signals": list(
                RiskSignal.objects.filter(Q(subject_user=dispute.buyer) | Q(subject_seller=dispute.seller)).order_by(
                    "-computed_at", "-pk"
                )[:10]
            ),
            "decision_form": _decision_form() if policies.can_decide(request.user, dispute) else None,
            "pending_decision": pending,
            "can_approve": pending is not None and policies.can_approve_decision(request.user, pending),
            "can_note": policies.can_resolve_dispute(request.user, dispute),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _back(self, dispute_id: int) -> HttpResponse:
        return redirect(reverse("admin:disputes_dispute_change", args=[dispute_id]))

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = get_object_or_404(Dispute, pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Check the decision form: %(errors)s") % {"errors": form.errors.as_text()})
            return self._back(pk)
        try:
            decision = services.decide(
                dispute=dispute,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                amount=form.cleaned_data["amount"],
                reasoning=form.cleaned_data["reasoning"],
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if decision.status == DecisionStatus.PENDING_APPROVAL:
                messages.warning(request, gettext("The decision waits for a second moderator's approval."))
            else:
                messages.success(request, gettext("The decision was executed."))
        return self._back(pk)

    def approve_view(self, request: HttpRequest, pk: int, decision_id: int) -> HttpResponse:
        decision = get_object_or_404(Decision, pk=decision_id, dispute_id=pk)
        try:
            services.approve_decision(decision=decision, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Approved: the decision was executed."))
        return self._back(decision.dispute_id)

    def decline_view(self, request: HttpRequest, pk: int, decision_id: int) -> HttpResponse:
        decision = get_object_or_404(Decision, pk=decision_id, dispute_id=pk)
        try:
            services.decline_decision(decision=decision, actor=request.user, reason=request.POST.get("reason", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Declined: the dispute is back in arbitration."))
        return self._back(decision.dispute_id)

    def note_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = get_object_or_404(Dispute, pk=pk)
        try:
            services.add_internal_note(dispute=dispute, actor=request.user, text=request.POST.get("text", ""))
        except DomainError as error:
            messages.error(request, error.message)
        return self._back(pk)


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "sender", "from_seller", "text", "is_flagged", "flag_reason")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "order", "listing", "buyer", "seller", "has_flagged", "last_message_at")
    list_filter = ("has_flagged",)
    search_fields = ("order__number", "buyer__email")
    list_select_related = ("order", "listing", "buyer", "seller")
    readonly_fields = ("buyer", "seller", "order", "listing", "seller_first_reply_seconds", "has_flagged")
    fields = readonly_fields
    inlines = (MessageInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class FlaggedMessageAdmin(admin.ModelAdmin):
    """Flagged messages (contact sharing): review them, or block the sender from messaging."""

    list_display = ("created_at", "conversation", "sender", "text", "flag_reason", "flag_reviewed")
    list_filter = ("is_flagged", "flag_reviewed")
    search_fields = ("text", "sender__email")
    list_select_related = ("conversation", "sender")
    readonly_fields = ("conversation", "sender", "from_seller", "text", "photo", "is_flagged", "flag_reason")
    fields = readonly_fields
    actions = ("mark_reviewed", "block_senders")

    @admin.display(description=_("photo"))
    def photo(self, message: Message) -> str:
        return private_photo("disputes:message-image", message.pk, message.image)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Mark as reviewed"), permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.mark_flags_reviewed(messages=list(queryset), actor=request.user)
        self.message_user(request, gettext("%(count)d messages marked as reviewed.") % {"count": count})

    @admin.action(description=_("Block the senders from messaging"), permissions=["change"])
    def block_senders(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        reason = gettext("Contact details shared in messages")
        for sender in {message.sender for message in queryset.select_related("sender")}:
            try:
                services.block_messaging(user=sender, actor=request.user, reason=reason)
            except (DomainError, PermissionDenied):
                self.message_user(request, gettext("Could not block %(user)s.") % {"user": sender}, messages.ERROR)
        services.mark_flags_reviewed(messages=list(queryset), actor=request.user)


@admin.register(MessagingBlock)
class MessagingBlockAdmin(admin.ModelAdmin):
    list_display = ("user", "blocked_by", "reason", "created_at", "lifted_at")
    list_filter = ("lifted_at",)
    search_fields = ("user__email",)
    fields = ("user", "reason")
    raw_id_fields = ("user",)
    actions = ("lift",)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        block = services.block_messaging(user=obj.user, actor=request.user, reason=obj.reason)
        obj.pk = block.pk
        obj.blocked_by_id = block.blocked_by_id
        obj.created_at = block.created_at

    @admin.action(description=_("Lift the block"), permissions=["add"])
    def lift(self, request: HttpRequest, queryset: QuerySet[MessagingBlock]) -> None:
        for block in queryset.select_related("user"):
            services.lift_block(user=block.user, actor=request.user)


@admin.register(QuickReply)
class QuickReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "seller")
    search_fields = ("title",)


def _admin_link(model: str, pk: int, label: str) -> str:
    """A link to the object's admin page, or the bare label when that model has no admin page."""
    app_label, model_name = model.split(".", 1)
    try:
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    except NoReverseMatch:
        return format_html("{}", label)
    return format_html('<a href="{}">{}</a>', url, label)


@admin.register(RiskSignal)
class RiskSignalAdmin(admin.ModelAdmin):
    """Risk signals computed by the beat (spec 158): moderators read the evidence and dismiss what is benign."""

    list_display = ("kind", "subject_link", "summary", "score", "period", "computed_at", "status")
    list_filter = ("status", "kind")
    search_fields = ("subject_user__email", "subject_seller__legal_name", "subject_seller__user__email", "summary")
    list_select_related = ("subject_user", "subject_seller")
    ordering = ("-score", "-computed_at")
    fields = (
        "kind",
        "subject_link",
        "summary",
        "evidence_links",
        "score",
        "period",
        "created_at",
        "computed_at",
        "status",
        "dismissed_by",
        "dismissed_at",
    )
    readonly_fields = fields
    actions = ("dismiss", "reopen")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("subject"))
    def subject_link(self, signal: RiskSignal) -> str:
        if signal.subject_seller_id:
            return _admin_link("sellers.seller", signal.subject_seller_id, str(signal.subject_seller))
        return _admin_link("accounts.user", signal.subject_user_id, str(signal.subject_user))

    @admin.display(description=_("evidence"))
    def evidence_links(self, signal: RiskSignal) -> str:
        items = [
            (_admin_link(item["model"], item["id"], item.get("label") or item["id"]),)
            for item in signal.evidence
            if isinstance(item, dict) and "model" in item and "id" in item
        ]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items)) if items else "—"

    @admin.action(description=_("Dismiss: nothing to act on"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[RiskSignal]) -> None:
        count = 0
        for signal in queryset.filter(status=RiskSignalStatus.OPEN):
            services.dismiss_signal(signal=signal, actor=request.user)
            count += 1
        self.message_user(request, gettext("%(count)d signals dismissed.") % {"count": count})

    @admin.action(description=_("Reopen"), permissions=["change"])
    def reopen(self, request: HttpRequest, queryset: QuerySet[RiskSignal]) -> None:
        count = 0
        for signal in queryset.filter(status=RiskSignalStatus.DISMISSED):
            services.reopen_signal(signal=signal, actor=request.user)
            count += 1
        self.message_user(request, gettext("%(count)d signals reopened.") % {"count": count})
