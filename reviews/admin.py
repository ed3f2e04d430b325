"""Moderator tools: the held-review queue (approve / reject with a reason), reports, contests, critical flags;
managers' category review aspects."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError

from . import selectors, services
from .models import (
    ContestStatus,
    IncidentAppeal,
    ProductReview,
    RatingFlag,
    RatingRecompute,
    ReportStatus,
    ReviewAspect,
    ReviewEvent,
    ReviewReport,
    ReviewStatus,
    SellerRating,
    SellerReview,
    SellerStandards,
)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the author reads it)"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    fk_name = "product_review"
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReportInline(admin.TabularInline):
    model = ReviewReport
    extra = 0
    can_delete = False
    readonly_fields = ["reporter", "reason", "text", "status", "decided_by", "decided_at", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("held", _("Held for moderation")),
            ("reported", _("Reported")),
            ("contested", _("Contested by the seller")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "held":
            return queryset.filter(status=ReviewStatus.PENDING)
        if self.value() == "reported":
            return queryset.filter(reports__status=ReportStatus.OPEN).distinct()
        if self.value() == "contested":
            return queryset.filter(contest_status=ContestStatus.OPEN)
        return queryset


@admin.register(ProductReview)
class ProductReviewAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "listing",
        "stars",
        "author",
        "status",
        "hold_reasons",
        "open_reports",
        "contest_status",
        "created_at",
    ]
    list_filter = [QueueFilter, "status", "stars"]
    search_fields = ["text", "pros", "cons", "author__email", "listing__title"]
    readonly_fields = [
        "order_line", "order", "listing", "seller", "author", "variant_name", "stars", "text", "pros", "cons",
        "display_name", "status", "hold_reasons", "moderation_reason", "contest_status", "contest_reason",
        "helpful_count", "published_at", "created_at",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [ReportInline, ReviewEventInline]
    actions = ["approve_selected", "dismiss_reports", "uphold_reports", "uphold_contest", "dismiss_contest"]
    ordering = ["created_at"]
    change_form_template = "reviews/admin/review_change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("listing", "author")
            .annotate(open_report_count=Count("reports", filter=Q(reports__status=ReportStatus.OPEN)))
        )

    @admin.display(description=_("open reports"), ordering="open_report_count")
    def open_reports(self, obj) -> int:
        return obj.open_report_count

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path("<int:pk>/reject/", self.admin_site.admin_view(self.reject_view), name="reviews_productreview_reject"),
            *super().get_urls(),
        ]

    def reject_view(self, request, pk: int):
        review = ProductReview.objects.get(pk=pk)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.reject_review(review=review, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error("reason", error.message)
            else:
                self.message_user(request, _("The review was rejected; the author is notified."))
                return HttpResponseRedirect(reverse("admin:reviews_productreview_changelist") + "?queue=held")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "review": review,
            "title": _("Reject the review"),
        }
        return TemplateResponse(request, "reviews/admin/reject.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if str(object_id).isdigit():  # anything else is no review: Django's own view answers that
            extra_context["reject_url"] = reverse("admin:reviews_productreview_reject", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Approve and publish the selected held reviews"))
    def approve_selected(self, request, queryset):
        count = 0
        for review in queryset.filter(status=ReviewStatus.PENDING):
            services.approve_review(review=review, actor=request.user)
            count += 1
        self.message_user(request, _("Published: %(count)s.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Reports: uphold (hide the review)"))
    def uphold_reports(self, request, queryset):
        for report in ReviewReport.objects.filter(review__in=queryset, status=ReportStatus.OPEN):
            services.decide_report(report=report, actor=request.user, uphold=True)

    @admin.action(description=_("Reports: dismiss (keep the review)"))
    def dismiss_reports(self, request, queryset):
        for report in ReviewReport.objects.filter(review__in=queryset, status=ReportStatus.OPEN):
            services.decide_report(report=report, actor=request.user, uphold=False)

    @admin.action(description=_("Seller's contest: uphold (hide the review)"))
    def uphold_contest(self, request, queryset):
        for review in queryset.filter(contest_status=ContestStatus.OPEN):
            services.decide_contest(review=review, actor=request.user, uphold=True)

    @admin.action(description=_("Seller's contest: dismiss"))
    def dismiss_contest(self, request, queryset):
        for review in queryset.filter(contest_status=ContestStatus.OPEN):
            services.decide_contest(review=review, actor=request.user, uphold=False)


@admin.register(SellerReview)
class SellerReviewAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "seller",
        "service_stars",
        "delivery_stars",
        "packaging_stars",
        "status",
        "hold_reasons",
        "created_at",
    ]
    list_filter = ["status"]
    readonly_fields = [
        "order",
        "seller",
        "author",
        "service_stars",
        "delivery_stars",
        "packaging_stars",
        "comment",
        "status",
        "hold_reasons",
    ]
    fields = readonly_fields
    actions = ["approve_selected"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Approve and publish the selected held reviews"))
    def approve_selected(self, request, queryset):
        for review in queryset.filter(status=ReviewStatus.PENDING):
            services.approve_review(review=review, actor=request.user)


@admin.register(SellerRating)
class SellerRatingAdmin(admin.ModelAdmin):
    list_display = [
        "seller",
        "band",
        "quality_index",
        "customer_score",
        "count",
        "on_time_percent",
        "is_reliable",
        "formula_version",
        "computed_at",
    ]
    list_filter = ["band", "is_reliable"]
    readonly_fields = [field.name for field in SellerRating._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class RatingFlagForm(forms.ModelForm):
    class Meta:
        model = RatingFlag
        fields = ["decision"]

    def clean_decision(self) -> str:
        decision = self.cleaned_data["decision"].strip()
        if not decision:
            raise forms.ValidationError(_("Write what was decided."))
        return decision


@admin.register(RatingFlag)
class RatingFlagAdmin(admin.ModelAdmin):
    """A moderator writes the decision; who decided and when are recorded by the service, not typed in."""

    form = RatingFlagForm
    list_display = ["seller", "quality_index", "proposed_sanction", "created_at", "decided_at", "decided_by"]
    list_filter = [("decided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["seller", "decided_by"]
    fields = ["seller", "quality_index", "proposed_sanction", "created_at", "decision", "decided_by", "decided_at"]
    readonly_fields = ["seller", "quality_index", "proposed_sanction", "created_at", "decided_by", "decided_at"]

    def has_add_permission(self, request) -> bool:
        return False  # flags come from the rating recompute

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.decided_at is None)

    def save_model(self, request, obj: RatingFlag, form, change: bool) -> None:
        try:
            decided = services.decide_rating_flag(flag=obj, actor=request.user, decision=form.cleaned_data["decision"])
        except DomainError as error:
            raise PermissionDenied(error.message) from None  # only a decided flag gets here (a second tab)
        obj.decided_by, obj.decided_at = decided.decided_by, decided.decided_at


@admin.register(IncidentAppeal)
class IncidentAppealAdmin(admin.ModelAdmin):
    list_display = ["incident", "case", "struck_at", "struck_by", "created_at"]
    readonly_fields = ["incident", "case", "struck_at", "struck_by", "created_at"]


@admin.register(RatingRecompute)
class RatingRecomputeAdmin(admin.ModelAdmin):
    list_display = ["pk", "seller", "listing", "status", "attempts", "created_at", "done_at"]
    list_filter = ["status"]
    readonly_fields = ["seller", "listing", "status", "attempts", "last_error", "created_at", "done_at"]


@admin.register(ReviewAspect)
class ReviewAspectAdmin(admin.ModelAdmin):
    """Managers define the questions a category's reviews ask (subcategories inherit them)."""

    list_display = ["name", "category", "kind", "position", "is_active", "answer_count"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["category"]
    search_fields = ["name", "category__name"]
    autocomplete_fields = ["category"]
    fields = ["category", "name", "kind", "position", "is_active"]
    ordering = ["category__path", "position", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_total=Count("answers"))

    @admin.display(description=_("answers"), ordering="answer_total")
    def answer_count(self, aspect: ReviewAspect) -> int:
        return aspect.answer_total

    def get_readonly_fields(self, request, obj=None):
        # Buyers answered this question as asked: its kind and category stay; rename or stop asking it instead.
        if obj is not None and obj.answers.exists():
            return ["category", "kind"]
        return []


class SellerStandardsForm(forms.ModelForm):
    """New thresholds: the model's rules (bands in order, reply thresholds in order) and a real change."""

    # one labelled input with the browser's own picker (the admin's split date and time inputs had no labels)
    effective_at = forms.DateTimeField(
        label=capfirst(SellerStandards._meta.get_field("effective_at").verbose_name),
        help_text=SellerStandards._meta.get_field("effective_at").help_text,
        initial=timezone.now,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = SellerStandards
        fields = [*SellerStandards.THRESHOLDS, "effective_at", "reason"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_effective_at(self):
        effective_at = self.cleaned_data["effective_at"]
        if services.standards.in_the_past(effective_at):
            raise forms.ValidationError(_("Standards cannot take effect in the past: choose now or a later date."))
        return max(effective_at, timezone.now())

    def clean(self):
        cleaned = super().clean()
        if not self.errors and services.standards.unchanged(cleaned, effective_at=cleaned["effective_at"]):
            raise forms.ValidationError(
                _("These are the standards in force at that date: change at least one threshold.")
            )
        return cleaned


@admin.register(SellerStandards)
class SellerStandardsAdmin(admin.ModelAdmin):
    """Managers set the seller standards' thresholds (spec 163). Each change is a new row with who, when and why;
    the rows already written are the history and stay as they are."""

    form = SellerStandardsForm
    list_display = [
        "effective_at", "excellent_from", "good_from", "at_risk_from", "reply_hours", "applied_at", "created_by",
        "created_at", "reason",
    ]  # fmt: skip
    list_select_related = ["created_by"]
    fieldsets = [
        (_("Bands by quality index"), {"fields": ["excellent_from", "good_from", "at_risk_from"]}),
        (_("Reliable seller"), {"fields": ["reliable_min_score", "reliable_min_reviews", "reliable_min_orders"]}),
        (
            _("Reply time to buyers"),
            {"fields": ["reply_hours", "reply_points", "reply_late_hours", "reply_late_points"]},
        ),
        (_("Published targets"), {"fields": ["on_time_target", "cancellations_max"]}),
        (None, {"fields": ["effective_at", "reason"]}),
    ]

    def get_changeform_initial_data(self, request):
        """A new row starts from the standards in force: a manager changes only what changes."""
        return selectors.seller_standards().thresholds()

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SellerStandards.THRESHOLDS}
        saved = services.change_standards(
            actor=request.user,
            reason=form.cleaned_data["reason"],
            values=values,
            effective_at=form.cleaned_data["effective_at"],
        )
        obj.pk, obj.created_at, obj.created_by = saved.pk, saved.created_at, saved.created_by
