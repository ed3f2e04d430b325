"""Moderator and manager tools. Read-only data pages; every decision is a button that calls a service."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.core.exceptions import DomainError

from . import policies, selectors, services
from .models import (
    FOUR_EYES_SANCTIONS,
    SANCTION_STATUSES,
    Announcement,
    ApplicationEvent,
    ApplicationStatus,
    BankChangeEvent,
    BankChangeStatus,
    BankDetailsChange,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    FieldChangeRequest,
    ReviewCheck,
    Sanction,
    SanctionRequest,
    SanctionRequestEvent,
    SanctionRequestStatus,
    Seller,
    SellerApplication,
    SellerCase,
    SellerEvent,
    Storefront,
    TeamMember,
    application_field_choices,
)

ADMIN_MEDIA = forms.Media(css={"all": ["sellers/admin.css"]})


def badge(text, tone: str = "") -> str:
    return format_html('<span class="seller-badge seller-badge--{}">{}</span>', tone or "neutral", text)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Data is changed only by the services behind the buttons, never by editing fields."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @property
    def media(self):
        return super().media + ADMIN_MEDIA


def _run(request: HttpRequest, call, success: str) -> bool:
    """Run a service for an admin button; domain errors become an error message and change nothing."""
    try:
        call()
    except PermissionDenied:
        messages.error(request, _("You may not do this."))
        return False
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def action_form_page(model_admin, request, obj, form, title: str, help_text: str = "") -> TemplateResponse:
    """The intermediate page of a decision that needs input (reasons per field, a written decision)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": obj,
        "title": title,
        "help_text": help_text,
        "form": form,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/sellers/action_form.html", context)


# Verification queue ------------------------------------------------------------------------------------


class WaitingQueueFilter(admin.SimpleListFilter):
    """A queue that opens on what waits for staff ("waiting", the default) and can show everything ("all")."""

    title = gettext_lazy("queue")
    parameter_name = "queue"
    # Each queue sets its two labels and the statuses that wait for staff.
    waiting_label: str
    all_label: str
    waiting_statuses: tuple[str, ...]

    def lookups(self, request, model_admin):
        return [("waiting", self.waiting_label), ("all", self.all_label)]

    def queryset(self, request, queryset):
        if self.value() in (None, "waiting"):
            return queryset.filter(status__in=self.waiting_statuses)
        return queryset

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "waiting") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class QueueFilter(WaitingQueueFilter):
    waiting_label = gettext_lazy("Waiting for a moderator")
    all_label = gettext_lazy("All applications")
    waiting_statuses = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("history")


class FieldChangeRequestInline(ReadOnlyInline):
    model = FieldChangeRequest
    fields = ["created_at", "field", "message", "requested_by", "resolved_at"]
    readonly_fields = fields


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("General comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in application_field_choices():
            self.fields[f"field_{field}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 1})
            )

    def field_messages(self) -> dict[str, str]:
        return {name[len("field_") :]: value for name, value in self.cleaned_data.items() if name.startswith("field_")}


class ApproveForm(forms.Form):
    checks = forms.MultipleChoiceField(
        label=gettext_lazy("Checked by hand"),
        choices=ReviewCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Every item must be confirmed."),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the seller sees it)"), widget=forms.Textarea(attrs={"rows": 4})
    )


@admin.register(SellerApplication)
class SellerApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "legal_name",
        "legal_form",
        "inn",
        "store_name",
        "status_badge",
        "submitted_at",
        "age",
        "reviewer",
    ]
    list_display_links = ["number", "legal_name"]
    list_filter = [QueueFilter, "status", "legal_form"]
    search_fields = ["inn", "legal_name", "store_name", "applicant__email", "ogrn"]
    list_select_related = ["reviewer", "applicant"]
    ordering = ["submitted_at", "pk"]
    inlines = [FieldChangeRequestInline, ApplicationEventInline]
    actions = ["start_review_action"]
    readonly_fields = ["registry_check", "automatic_checks", "document_previews", "offer", "decision_reason"]
    fieldsets = [
        (gettext_lazy("Applicant"), {"fields": ["applicant", "status", "submitted_at", "reviewer"]}),
        (
            gettext_lazy("Legal entity"),
            {"fields": ["legal_form", "legal_name", "inn", "ogrn", "kpp", "legal_address", "registry_check"]},
        ),
        (
            gettext_lazy("Bank details"),
            {"fields": ["bank_name", "bik", "settlement_account", "correspondent_account"]},
        ),
        (
            gettext_lazy("Contacts and store"),
            {
                "fields": [
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                    "store_name",
                    "store_slug",
                    "planned_categories",
                    "business_description",
                ]
            },
        ),
        (gettext_lazy("Automatic offline checks"), {"fields": ["automatic_checks"]}),
        (gettext_lazy("Documents"), {"fields": ["document_previews"]}),
        (gettext_lazy("Offer and decision"), {"fields": ["offer", "decision_reason"]}),
    ]
    change_form_template = "admin/sellers/sellerapplication/change_form.html"
    view_on_site = False  # the public URL is the applicant's own status page

    def get_readonly_fields(self, request, obj=None):
        names = [field for _, options in self.get_fieldsets(request, obj) for field in options["fields"]]
        return list(dict.fromkeys([*names, *self.readonly_fields]))

    def get_fieldsets(self, request, obj=None):
        """Only reviewers open the documents (sellers:application-document answers 404 to anyone else): others
        (managers) see which files there are, without links or previews."""
        if request.user.has_perm("sellers.review_sellerapplication"):
            return self.fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "document_names" if field == "document_previews" else field for field in options["fields"]
                    ],
                },
            )
            for name, options in self.fieldsets
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("documents")

    @admin.display(description=gettext_lazy("No."), ordering="pk")
    def number(self, obj: SellerApplication) -> str:
        return f"#{obj.pk}"

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj: SellerApplication) -> str:
        tone = {
            "submitted": "info",
            "in_review": "info",
            "changes_requested": "warning",
            "approved": "success",
            "rejected": "danger",
        }
        return badge(obj.get_status_display(), tone.get(obj.status, ""))

    @admin.display(description=gettext_lazy("waiting"), ordering="submitted_at")
    def age(self, obj: SellerApplication) -> str:
        if not obj.submitted_at or obj.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
            return "—"
        hours = int((timezone.now() - obj.submitted_at).total_seconds() // 3600)
        text = _("%(hours)s h") % {"hours": hours}
        if hours >= settings.MARKETPLACE_SELLER_REVIEW_SLA_HOURS:
            return badge(_("%(age)s — past the SLA") % {"age": text}, "danger")
        return badge(text, "warning" if hours >= settings.MARKETPLACE_SELLER_REVIEW_SLA_HOURS * 3 // 4 else "")

    @admin.display(description=gettext_lazy("registry"))
    def registry_check(self, obj: SellerApplication) -> str:
        if not obj.inn:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a><br><span class="help">{}</span>',
            obj.registry_search_url,
            _("Open the ЕГРЮЛ/ЕГРИП search of the Federal Tax Service and search for INN %(inn)s") % {"inn": obj.inn},
            _(
                "The platform did not query any registry: compare the name, OGRN, address and status there by hand "
                "before approving."
            ),
        )

    @admin.display(description=gettext_lazy("check results"))
    def automatic_checks(self, obj: SellerApplication) -> str:
        if not obj.check_results:
            return _("Not run yet: checks run when the applicant submits.")
        tones = {"passed": "success", "warning": "warning", "error": "danger"}
        labels = {"passed": _("passed"), "warning": _("warning"), "error": _("failed")}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    result.get("label", result["code"]),
                    badge(labels.get(result["level"], result["level"]), tones.get(result["level"], "")),
                    result.get("message", ""),
                )
                for result in obj.check_results
            ),
        )
        checked = timezone.localtime(obj.checked_at).strftime("%d.%m.%Y %H:%M") if obj.checked_at else ""
        return format_html(
            '<table class="seller-checks"><tbody>{}</tbody></table><p class="help">{} {}</p>',
            rows,
            _("Offline checks (lengths, check digits, consistency); run at"),
            checked,
        )

    @admin.display(description=gettext_lazy("files"))
    def document_previews(self, obj: SellerApplication) -> str:
        documents = list(obj.documents.all())
        if not documents:
            return _("No documents.")
        items = []
        for document in documents:
            url = document.get_absolute_url()
            preview = (
                format_html('<img class="seller-doc-preview" src="{}?inline=1" alt="{}">', url, document.original_name)
                if document.is_image
                else ""
            )
            items.append(
                format_html(
                    '<li><strong>{}</strong>: <a href="{}">{}</a> ({} KB){}</li>',
                    document.get_kind_display(),
                    url,
                    document.original_name,
                    document.size // 1024,
                    preview,
                )
            )
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((item,) for item in items)))

    @admin.display(description=gettext_lazy("files"))
    def document_names(self, obj: SellerApplication) -> str:
        documents = list(obj.documents.all())
        if not documents:
            return _("No documents.")
        return format_html(
            '<ul>{}</ul><p class="help">{}</p>',
            format_html_join(
                "",
                "<li><strong>{}</strong>: {} ({} KB)</li>",
                (
                    (document.get_kind_display(), document.original_name, document.size // 1024)
                    for document in documents
                ),
            ),
            _("Only the moderators who review applications open the documents."),
        )

    @admin.display(description=gettext_lazy("seller offer"))
    def offer(self, obj: SellerApplication) -> str:
        if not obj.offer_terms:
            return "—"
        return _("Version %(version)s accepted at %(when)s from %(ip)s") % {
            "version": obj.offer_terms.version,
            "when": timezone.localtime(obj.offer_accepted_at).strftime("%d.%m.%Y %H:%M")
            if obj.offer_accepted_at
            else "—",
            "ip": obj.offer_accepted_ip or "—",
        }

    @admin.action(description=gettext_lazy("Start review of the selected applications"))
    def start_review_action(self, request, queryset):
        started = 0
        for application in queryset.filter(status=ApplicationStatus.SUBMITTED):
            try:
                services.start_review(application=application, actor=request.user)
                started += 1
            except (PermissionDenied, DomainError):
                continue
        self.message_user(request, _("Review started for %(count)s applications.") % {"count": started})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/review/", wrap(self.review_view), name="sellers_sellerapplication_review"),
            path("<int:pk>/approve/", wrap(self.approve_view), name="sellers_sellerapplication_approve"),
            path(
                "<int:pk>/request-changes/",
                wrap(self.request_changes_view),
                name="sellers_sellerapplication_request_changes",
            ),
            path("<int:pk>/reject/", wrap(self.reject_view), name="sellers_sellerapplication_reject"),
            *super().get_urls(),
        ]

    def _application(self, request, pk: int) -> SellerApplication:
        application = get_object_or_404(SellerApplication, pk=pk)
        if not policies.can_review_application(request.user, application):
            raise PermissionDenied
        return application

    def _back(self, application: SellerApplication) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:sellers_sellerapplication_change", args=[application.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra = extra_context or {}
        if application is not None:
            extra.update(
                can_review=policies.can_review_application(request.user, application),
                is_submitted=application.status == ApplicationStatus.SUBMITTED,
                is_in_review=application.status == ApplicationStatus.IN_REVIEW,
                sla_hours=settings.MARKETPLACE_SELLER_REVIEW_SLA_HOURS,
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @staticmethod
    def _post_only(request):
        if request.method != "POST":
            raise Http404

    def review_view(self, request, pk: int) -> HttpResponse:
        self._post_only(request)
        application = self._application(request, pk)
        _run(request, lambda: services.start_review(application=application, actor=request.user), _("Review started."))
        return self._back(application)

    def approve_view(self, request, pk: int) -> HttpResponse:
        application = self._application(request, pk)
        form = ApproveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            done = _run(
                request,
                lambda: services.approve_application(
                    application=application,
                    actor=request.user,
                    confirmed_checks=form.cleaned_data["checks"],
                    comment=form.cleaned_data["comment"],
                ),
                _("Approved: the seller, the storefront and the cabinet are created."),
            )
            if done or application.status != ApplicationStatus.IN_REVIEW:
                return self._back(application)
        return action_form_page(
            self,
            request,
            application,
            form,
            _("Approve the application"),
            _("The platform did not query any registry. Confirm what you checked by hand."),
        )

    def request_changes_view(self, request, pk: int) -> HttpResponse:
        application = self._application(request, pk)
        form = RequestChangesForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            done = _run(
                request,
                lambda: services.request_changes(
                    application=application,
                    actor=request.user,
                    field_messages=form.field_messages(),
                    comment=form.cleaned_data["comment"],
                ),
                _("Changes requested: the applicant is notified."),
            )
            if done:
                return self._back(application)
        return action_form_page(
            self,
            request,
            application,
            form,
            _("Request changes"),
            _("Write what to change next to each field concerned; leave the others empty."),
        )

    def reject_view(self, request, pk: int) -> HttpResponse:
        application = self._application(request, pk)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            done = _run(
                request,
                lambda: services.reject_application(
                    application=application, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                _("Rejected: the applicant is notified with the reason."),
            )
            if done:
                return self._back(application)
        return action_form_page(self, request, application, form, _("Reject the application"), "")


# Sellers and sanctions ---------------------------------------------------------------------------------


class SellerEventInline(ReadOnlyInline):
    model = SellerEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class SanctionInline(ReadOnlyInline):
    model = Sanction
    fields = [
        "imposed_at",
        "level",
        "rule",
        "reason",
        "imposed_by",
        "approved_by",
        "expires_at",
        "lifted_at",
        "lift_reason",
    ]
    readonly_fields = fields


class TeamMemberInline(ReadOnlyInline):
    model = TeamMember
    fields = ["user", "role", "added_at"]
    readonly_fields = fields
    fk_name = "seller"


class SanctionForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Sanction"), choices=[(s.value, s.label) for s in SANCTION_STATUSES])
    rule = forms.CharField(label=gettext_lazy("Rule broken"), max_length=255)
    reason = forms.CharField(label=gettext_lazy("Explanation for the seller"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=gettext_lazy("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires in (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=gettext_lazy("Empty: until lifted by hand."),
    )


@admin.register(Seller)
class SellerAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "storefront_link", "legal_form", "inn", "status_badge", "offer_paused", "approved_at"]
    list_filter = ["status", "legal_form", "offer_paused"]
    search_fields = ["legal_name", "inn", "ogrn", "user__email", "storefront__name", "storefront__slug"]
    list_select_related = ["storefront"]
    inlines = [SanctionInline, SellerEventInline, TeamMemberInline]
    change_form_template = "admin/sellers/seller/change_form.html"
    exclude = ["application"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Seller._meta.concrete_fields if field.name != "application"]

    @admin.display(description=gettext_lazy("storefront"))
    def storefront_link(self, obj: Seller) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.storefront.get_absolute_url(), obj.storefront.name
        )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj: Seller) -> str:
        tone = {
            "active": "success",
            "warned": "warning",
            "restricted": "warning",
            "suspended": "danger",
            "terminated": "danger",
        }
        return badge(obj.get_status_display(), tone.get(obj.status, ""))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/sanction/", wrap(self.sanction_view), name="sellers_seller_sanction"),
            path("<int:pk>/reinstate/", wrap(self.reinstate_view), name="sellers_seller_reinstate"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        seller = self.get_object(request, object_id)
        extra = extra_context or {}
        if seller is not None:
            extra["can_sanction"] = policies.can_sanction_seller(request.user, seller)
            extra["pending_sanction_request"] = SanctionRequest.objects.pending().filter(seller=seller).first()
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _seller(self, request, pk) -> Seller:
        seller = get_object_or_404(Seller, pk=pk)
        if not policies.can_sanction_seller(request.user, seller):
            raise PermissionDenied
        return seller

    def _back(self, seller) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:sellers_seller_change", args=[seller.pk]))

    def sanction_view(self, request, pk: int) -> HttpResponse:
        seller = self._seller(request, pk)
        form = SanctionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if data["level"] in FOUR_EYES_SANCTIONS:
                # Four eyes: the service records a request; nothing happens to the seller until another approves.
                done = _run(
                    request,
                    lambda: services.request_sanction(
                        seller=seller,
                        level=data["level"],
                        actor=request.user,
                        rule=data["rule"],
                        reason=data["reason"],
                        evidence=data["evidence"],
                        expires_in_days=data["expires_in_days"],
                    ),
                    _("Sent for approval: the sanction takes effect once a second moderator approves it."),
                )
            else:
                expires_at = (
                    timezone.now() + datetime.timedelta(days=data["expires_in_days"])
                    if data["expires_in_days"]
                    else None
                )
                done = _run(
                    request,
                    lambda: services.apply_sanction(
                        seller=seller,
                        level=data["level"],
                        actor=request.user,
                        rule=data["rule"],
                        reason=data["reason"],
                        evidence=data["evidence"],
                        expires_at=expires_at,
                    ),
                    _("Sanction applied and recorded; the seller is notified."),
                )
            if done:
                return self._back(seller)
        return action_form_page(
            self,
            request,
            seller,
            form,
            _("Apply a sanction"),
            _("A suspension or termination takes effect only after a second moderator approves it."),
        )

    def reinstate_view(self, request, pk: int) -> HttpResponse:
        seller = self._seller(request, pk)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            done = _run(
                request,
                lambda: services.reinstate_seller(
                    seller=seller, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                _("Seller reinstated: every sanction in force is lifted."),
            )
            if done:
                return self._back(seller)
        return action_form_page(self, request, seller, form, _("Reinstate the seller"), "")


class SanctionInForceFilter(admin.SimpleListFilter):
    title = gettext_lazy("in force")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Lifted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["seller", "level", "rule", "imposed_by", "approved_by", "imposed_at", "expires_at", "lifted_at"]
    list_filter = [SanctionInForceFilter, "level"]
    search_fields = ["seller__legal_name", "seller__inn", "rule"]
    list_select_related = ["seller", "imposed_by", "approved_by"]
    actions = ["lift_action"]

    @admin.action(description=gettext_lazy("Lift the selected sanctions (reason: decided by a moderator)"))
    def lift_action(self, request, queryset):
        lifted = 0
        for sanction in queryset.filter(lifted_at__isnull=True).select_related("seller"):
            if _run(
                request,
                lambda sanction=sanction: services.lift_sanction(
                    sanction=sanction, actor=request.user, reason=_("Lifted by a moderator's decision.")
                ),
                _("Sanction lifted: %(sanction)s") % {"sanction": sanction},
            ):
                lifted += 1
        if not lifted:
            self.message_user(request, _("Nothing was lifted."), messages.WARNING)


# Four eyes: suspensions and terminations waiting for a second moderator ------------------------------------


class SanctionRequestEventInline(ReadOnlyInline):
    model = SanctionRequestEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class SanctionRequestQueueFilter(WaitingQueueFilter):
    waiting_label = gettext_lazy("Waiting for a second moderator")
    all_label = gettext_lazy("All requests")
    waiting_statuses = (SanctionRequestStatus.PENDING,)


class DeclineRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why you decline (the proposing moderator sees it)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@admin.register(SanctionRequest)
class SanctionRequestAdmin(ReadOnlyAdmin):
    list_display = ["seller", "level_badge", "rule", "requested_by", "created_at", "status", "decided_by"]
    list_filter = [SanctionRequestQueueFilter, "level", "status"]
    search_fields = ["seller__legal_name", "seller__inn", "rule"]
    list_select_related = ["seller", "requested_by", "decided_by"]
    ordering = ["created_at", "pk"]
    readonly_fields = [
        "seller",
        "seller_status",
        "level",
        "rule",
        "reason",
        "evidence",
        "expires_in_days",
        "requested_by",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
        "sanction",
    ]
    fields = readonly_fields
    inlines = [SanctionRequestEventInline]
    change_form_template = "admin/sellers/sanctionrequest/change_form.html"

    @admin.display(description=gettext_lazy("sanction"), ordering="level")
    def level_badge(self, obj: SanctionRequest) -> str:
        return badge(obj.get_level_display(), "danger")

    @admin.display(description=gettext_lazy("seller's status now"))
    def seller_status(self, obj: SanctionRequest) -> str:
        return obj.seller.get_status_display()

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="sellers_sanctionrequest_approve"),
            path("<int:pk>/decline/", wrap(self.decline_view), name="sellers_sanctionrequest_decline"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sanction_request = self.get_object(request, object_id)
        extra = extra_context or {}
        if sanction_request is not None:
            pending = sanction_request.status == SanctionRequestStatus.PENDING
            extra["can_decide"] = pending and policies.can_approve_sanction_request(request.user, sanction_request)
            extra["is_own_request"] = pending and sanction_request.requested_by_id == request.user.pk
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _back(self, sanction_request: SanctionRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:sellers_sanctionrequest_change", args=[sanction_request.pk]))

    def approve_view(self, request, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        # No policy check here on purpose: the service checks four eyes itself and says why it refused.
        sanction_request = get_object_or_404(SanctionRequest.objects.select_related("seller"), pk=pk)
        _run(
            request,
            lambda: services.approve_sanction_request(sanction_request=sanction_request, actor=request.user),
            _("Approved: the sanction is in force and the seller is notified."),
        )
        return self._back(sanction_request)

    def decline_view(self, request, pk: int) -> HttpResponse:
        sanction_request = get_object_or_404(SanctionRequest.objects.select_related("seller"), pk=pk)
        form = DeclineRequestForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            # Refused (own request, already decided, no permission): the message says why, nothing changes.
            _run(
                request,
                lambda: services.decline_sanction_request(
                    sanction_request=sanction_request, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                _("Declined: nothing changes for the seller."),
            )
            return self._back(sanction_request)
        return action_form_page(
            self,
            request,
            sanction_request,
            form,
            _("Decline the request"),
            _("The seller is not told about the request; the proposing moderator sees your reason."),
        )


@admin.register(Storefront)
class StorefrontAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "seller"]
    search_fields = ["name", "slug", "seller__inn"]
    list_select_related = ["seller"]


# Bank-detail changes -------------------------------------------------------------------------------------


class BankChangeEventInline(ReadOnlyInline):
    model = BankChangeEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


@admin.register(BankDetailsChange)
class BankDetailsChangeAdmin(ReadOnlyAdmin):
    list_display = ["seller", "created_at", "status", "bik", "settlement_account"]
    list_filter = ["status"]
    ordering = ["created_at"]
    list_select_related = ["seller"]
    readonly_fields = [
        "seller",
        "current_details",
        "bank_name",
        "bik",
        "settlement_account",
        "correspondent_account",
        "comment",
        "requested_by",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
    ]
    inlines = [BankChangeEventInline]
    change_form_template = "admin/sellers/bankdetailschange/change_form.html"

    @admin.display(description=gettext_lazy("details in use now"))
    def current_details(self, obj: BankDetailsChange) -> str:
        seller = obj.seller
        return format_html(
            "{}<br>{} {}<br>{} {}", seller.bank_name, _("BIK"), seller.bik, _("account"), seller.settlement_account
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="sellers_bankdetailschange_approve"),
            path("<int:pk>/reject/", wrap(self.reject_view), name="sellers_bankdetailschange_reject"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        extra = extra_context or {}
        if change is not None:
            extra["can_decide"] = change.status == BankChangeStatus.PENDING and policies.can_review_bank_change(
                request.user, change
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _change(self, request, pk) -> BankDetailsChange:
        change = get_object_or_404(BankDetailsChange.objects.select_related("seller"), pk=pk)
        if not policies.can_review_bank_change(request.user, change):
            raise PermissionDenied
        return change

    def approve_view(self, request, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        change = self._change(request, pk)
        _run(
            request,
            lambda: services.approve_bank_details_change(change=change, actor=request.user),
            _("Approved: payouts use the new details."),
        )
        return HttpResponseRedirect(reverse("admin:sellers_bankdetailschange_change", args=[change.pk]))

    def reject_view(self, request, pk: int) -> HttpResponse:
        change = self._change(request, pk)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if (
            request.method == "POST"
            and form.is_valid()
            and _run(
                request,
                lambda: services.reject_bank_details_change(
                    change=change, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                _("Rejected: the seller is notified."),
            )
        ):
            return HttpResponseRedirect(reverse("admin:sellers_bankdetailschange_change", args=[change.pk]))
        return action_form_page(self, request, change, form, _("Reject the new bank details"), "")


# Announcements -------------------------------------------------------------------------------------------


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = [
            "title",
            "body",
            "topic",
            "requires_acknowledgement",
            "segment_legal_form",
            "segment_status",
            "segment_category",
        ]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    form = AnnouncementForm
    list_display = [
        "title",
        "topic",
        "segment",
        "requires_acknowledgement",
        "published_at",
        "recipients",
        "read_rate",
        "ack_rate",
    ]
    list_filter = ["topic", "requires_acknowledgement"]
    search_fields = ["title", "body"]
    actions = ["publish_action"]

    @property
    def media(self):
        return super().media + ADMIN_MEDIA

    def get_queryset(self, request):
        return selectors.announcements_with_rates()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [*AnnouncementForm.Meta.fields, "published_at", "published_by"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or not obj.is_published) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.is_published:
            return  # the text sellers were sent is the record; publish a new announcement to correct it
        if not change:
            obj.created_by = request.user
        obj.save()

    @admin.display(description=gettext_lazy("segment"))
    def segment(self, obj: Announcement) -> str:
        parts = [
            obj.get_segment_legal_form_display() if obj.segment_legal_form else "",
            obj.get_segment_status_display() if obj.segment_status else "",
            obj.segment_category,
        ]
        return ", ".join(part for part in parts if part) or _("all sellers")

    @admin.display(description=gettext_lazy("recipients"), ordering="recipients")
    def recipients(self, obj) -> int:
        return obj.recipients

    @staticmethod
    def _rate(part: int, whole: int) -> str:
        return f"{part} ({round(100 * part / whole)} %)" if whole else "—"

    @admin.display(description=gettext_lazy("read"))
    def read_rate(self, obj) -> str:
        return self._rate(obj.reads, obj.recipients)

    @admin.display(description=gettext_lazy("acknowledged"))
    def ack_rate(self, obj) -> str:
        return self._rate(obj.acknowledgements, obj.recipients) if obj.requires_acknowledgement else "—"

    @admin.action(description=gettext_lazy("Publish the selected announcements to their sellers"))
    def publish_action(self, request, queryset):
        for announcement in queryset.filter(published_at__isnull=True):
            _run(
                request,
                lambda announcement=announcement: services.publish_announcement(
                    announcement=announcement, actor=request.user
                ),
                _("Published: %(title)s") % {"title": announcement.title},
            )


# Cases ---------------------------------------------------------------------------------------------------


class CaseMessageInline(ReadOnlyInline):
    model = CaseMessage
    fields = ["created_at", "author", "from_platform", "body", "files"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("files"))
    def files(self, obj: CaseMessage) -> str:
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((file.get_absolute_url(), file.original_name) for file in obj.attachments.all()),
            )
            or "—"
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("attachments")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class CaseQueueFilter(WaitingQueueFilter):
    waiting_label = gettext_lazy("Waiting for the platform")
    all_label = gettext_lazy("All cases")
    waiting_statuses = (CaseStatus.OPEN,)


class AnswerForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Answer to the seller"), widget=forms.Textarea(attrs={"rows": 5}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (CaseStatus.RESOLVED.value, CaseStatus.RESOLVED.label),
            (CaseStatus.REJECTED.value, CaseStatus.REJECTED.label),
        ],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label=gettext_lazy("Written decision and reasons"), widget=forms.Textarea(attrs={"rows": 5})
    )
    reverse_sanction = forms.BooleanField(
        label=gettext_lazy("If resolved: reverse the appealed sanction"), required=False, initial=True
    )


@admin.register(SellerCase)
class SellerCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "seller", "topic", "status", "created_at", "deadline"]
    list_filter = [CaseQueueFilter, "status", "topic"]
    search_fields = ["subject", "seller__legal_name", "seller__inn"]
    ordering = ["answer_due_at", "pk"]
    list_select_related = ["seller"]
    readonly_fields = [
        "seller",
        "topic",
        "subject",
        "sanction",
        "status",
        "opened_by",
        "answer_due_at",
        "decision",
        "decided_by",
        "decided_at",
        "satisfaction",
    ]
    inlines = [CaseMessageInline, CaseEventInline]
    change_form_template = "admin/sellers/sellercase/change_form.html"

    @admin.display(description=gettext_lazy("No."), ordering="pk")
    def number(self, obj: SellerCase) -> str:
        return f"#{obj.pk}"

    @admin.display(description=gettext_lazy("answer due"), ordering="answer_due_at")
    def deadline(self, obj: SellerCase) -> str:
        if obj.status != CaseStatus.OPEN:
            return "—"
        when = timezone.localtime(obj.answer_due_at).strftime("%d.%m.%Y %H:%M")
        if obj.is_overdue:
            return badge(_("%(when)s — overdue") % {"when": when}, "danger")
        return badge(when, "warning" if obj.answer_due_at - timezone.now() < datetime.timedelta(days=1) else "")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/answer/", wrap(self.answer_view), name="sellers_sellercase_answer"),
            path("<int:pk>/decide/", wrap(self.decide_view), name="sellers_sellercase_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        extra = extra_context or {}
        if case is not None:
            extra["can_answer"] = policies.can_answer_case(request.user, case)
            extra["is_imposer"] = bool(case.sanction_id and case.sanction.imposed_by_id == request.user.pk)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _case(self, request, pk) -> SellerCase:
        case = get_object_or_404(SellerCase.objects.select_related("sanction", "seller"), pk=pk)
        if not policies.can_decide_case(request.user, case):
            raise PermissionDenied
        return case

    def answer_view(self, request, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        form = AnswerForm(request.POST if request.method == "POST" else None)
        if (
            request.method == "POST"
            and form.is_valid()
            and _run(
                request,
                lambda: services.answer_case(case=case, actor=request.user, body=form.cleaned_data["body"]),
                _("Answer sent."),
            )
        ):
            return HttpResponseRedirect(reverse("admin:sellers_sellercase_change", args=[case.pk]))
        return action_form_page(self, request, case, form, _("Answer the case"), "")

    def decide_view(self, request, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: services.decide_case(
                    case=case,
                    actor=request.user,
                    outcome=data["outcome"],
                    decision=data["decision"],
                    reverse_sanction=data["reverse_sanction"],
                ),
                _("Decision recorded; the seller is notified."),
            ):
                return HttpResponseRedirect(reverse("admin:sellers_sellercase_change", args=[case.pk]))
        return action_form_page(self, request, case, form, _("Decide the case"), "")
