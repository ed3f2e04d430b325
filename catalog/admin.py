"""Moderator and manager tools in Django admin; every decision goes through catalogue services.

Managers keep the category tree (with attribute schemas), brands, forbidden words and reason templates.
Moderators work one queue, oldest first: new listings, edits of published ones (side by side with the
approved version) and listings buyers reported, with the automatic checks' flags on each.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import policies, selectors, services
from catalog.attributes import display_value
from catalog.forms import AttributeAdminForm, CategoryAdminForm, ModerationDecisionForm
from catalog.models import (
    Attribute,
    Brand,
    Category,
    ForbiddenWord,
    Listing,
    ListingEvent,
    ListingQuestion,
    ListingReport,
    ListingRevision,
    ListingStatus,
    ModerationItem,
    PackagingRequirement,
    QAStatus,
    RejectionReason,
    ReportStatus,
    RevisionStatus,
)
from catalog.services.moderation import FLAG_LABELS
from catalog.text import slugify_ru
from marketplace.core.exceptions import DomainError

ADMIN_MEDIA = admin.widgets.forms.Media(css={"all": ["catalog/admin.css"]})


def _run(request: HttpRequest, call, success: str) -> bool:
    """Run a service for an admin button; a refusal becomes an error message and changes nothing."""
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


def flag_badges(flags: list[dict]) -> str:
    if not flags:
        return format_html('<span class="mod-badge mod-badge--ok">{}</span>', _("no flags"))
    return format_html_join(
        " ",
        '<span class="mod-badge mod-badge--flag" title="{}">{}</span>',
        ((flag.get("detail", ""), FLAG_LABELS.get(flag.get("code"), flag.get("code"))) for flag in flags),
    )


# --- the category tree and vocabularies (managers) --------------------------------------------------


class AttributeInline(admin.TabularInline):
    model = Attribute
    form = AttributeAdminForm
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    inlines = [AttributeInline]
    list_display = ["indented_name", "slug", "commission_percent", "return_class", "is_active", "position"]
    list_filter = ["is_active", "depth", "return_class"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    ordering = ["path"]
    list_per_page = 100

    @admin.display(description=gettext_lazy("name"), ordering="path")
    def indented_name(self, obj: Category) -> str:
        return "\u2003" * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        services.save_category(category=obj, actor=request.user)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["slug"]

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            obj.slug = services.unique_slug(Brand, slugify_ru(obj.name))
        super().save_model(request, obj, form, change)


@admin.register(ForbiddenWord)
class ForbiddenWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["phrase"]


@admin.register(PackagingRequirement)
class PackagingRequirementAdmin(admin.ModelAdmin):
    list_display = ["flag", "text", "updated_at"]
    search_fields = ["text"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["title", "position"]
    search_fields = ["title", "text"]


# --- read-only records ------------------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Data changes only through the services behind the buttons, never by editing fields."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @property
    def media(self):
        return super().media + ADMIN_MEDIA


class ListingEventInline(admin.TabularInline):
    model = ListingEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ["title", "seller", "status", "price", "in_stock", "published_at"]
    list_filter = ["status", "in_stock"]
    search_fields = ["title", "=id", "variants__sku"]
    list_select_related = ["seller"]
    inlines = [ListingEventInline]
    show_full_result_count = False  # counting a million rows for every page is not worth it
    fields = [
        "seller",
        "category",
        "brand",
        "title",
        "description",
        "status",
        "rejection_reason",
        "price",
        "old_price",
        "discount_percent",
        "in_stock",
        "published_at",
        "moderation_flags",
    ]
    readonly_fields = fields


@admin.register(ListingReport)
class ListingReportAdmin(ReadOnlyAdmin):
    list_display = ["listing", "reason", "status", "reporter", "created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["listing", "reporter"]
    readonly_fields = ["listing", "reporter", "reason", "comment", "status", "created_at", "resolved_by", "resolved_at"]


@admin.register(ListingQuestion)
class ListingQuestionAdmin(ReadOnlyAdmin):
    """Questions and answers the automatic checks held back; publish or reject them."""

    list_display = ["short_text", "listing", "status", "answer_status", "question_flags", "created_at"]
    list_filter = ["status", "answer_status"]
    list_select_related = ["listing"]
    readonly_fields = ["listing", "author", "text", "status", "flags", "answer", "answer_status", "answer_flags"]
    actions = ["publish_questions", "reject_questions", "publish_answers", "reject_answers"]

    @admin.display(description=gettext_lazy("question"))
    def short_text(self, obj: ListingQuestion) -> str:
        return obj.text[:80]

    @admin.display(description=gettext_lazy("flags"))
    def question_flags(self, obj: ListingQuestion) -> str:
        return flag_badges([*obj.flags, *obj.answer_flags])

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("created_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return policies.can_moderate_listings(request.user)

    def _decide(self, request, queryset, *, answer: bool, approve: bool) -> None:
        decided = 0
        field = "answer_status" if answer else "status"
        for question in queryset.filter(**{field: QAStatus.PENDING}):
            function = services.moderate_answer if answer else services.moderate_question
            try:
                function(question=question, actor=request.user, approve=approve)
            except (PermissionDenied, DomainError):
                continue
            decided += 1
        self.message_user(request, _("Decided: %(count)s.") % {"count": decided})

    @admin.action(description=gettext_lazy("Publish the selected questions"))
    def publish_questions(self, request, queryset):
        self._decide(request, queryset, answer=False, approve=True)

    @admin.action(description=gettext_lazy("Reject the selected questions"))
    def reject_questions(self, request, queryset):
        self._decide(request, queryset, answer=False, approve=False)

    @admin.action(description=gettext_lazy("Publish the selected answers"))
    def publish_answers(self, request, queryset):
        self._decide(request, queryset, answer=True, approve=True)

    @admin.action(description=gettext_lazy("Reject the selected answers"))
    def reject_answers(self, request, queryset):
        self._decide(request, queryset, answer=True, approve=False)


# --- the moderation queue -----------------------------------------------------------------------------


@admin.register(ModerationItem)
class ModerationQueueAdmin(ReadOnlyAdmin):
    list_display = ["title", "seller", "kind", "flags", "waiting"]
    list_display_links = ["title"]
    list_filter = ["status"]
    search_fields = ["title", "=id"]
    actions = ["approve_selected"]
    change_form_template = "admin/catalog/moderationitem/change_form.html"
    show_full_result_count = False

    def get_queryset(self, request):
        return selectors.moderation_queue(model=ModerationItem)

    def get_ordering(self, request):
        return ["waiting_since", "pk"]

    def has_change_permission(self, request, obj=None) -> bool:
        return policies.can_moderate_listings(request.user)

    def get_list_display_links(self, request, list_display):
        # Managers see the queue (what waits, since when, flagged how) but do not open an item: only moderators do.
        return self.list_display_links if policies.can_moderate_listings(request.user) else None

    @admin.display(description=gettext_lazy("what"))
    def kind(self, obj: Listing) -> str:
        parts = []
        if obj.status == ListingStatus.PENDING:
            parts.append(_("held after reports") if obj.published_at else _("new listing"))
        if obj.edit_since:
            parts.append(_("edit of a published listing"))
        if obj.open_reports:
            parts.append(_("reports: %(count)s") % {"count": obj.open_reports})
        return ", ".join(parts)

    @admin.display(description=gettext_lazy("automatic checks"))
    def flags(self, obj: Listing) -> str:
        if obj.status == ListingStatus.PENDING:
            return flag_badges(obj.moderation_flags)
        revision = obj.revisions.filter(status=RevisionStatus.PENDING).first()
        return flag_badges(revision.flags if revision else [])

    @admin.display(description=gettext_lazy("waiting since"), ordering="waiting_since")
    def waiting(self, obj: Listing):
        return obj.waiting_since

    @admin.action(description=gettext_lazy("Approve the selected listings and edits"))
    def approve_selected(self, request, queryset):
        approved = 0
        for item in queryset.order_by("pk"):
            try:
                self._approve(item, request.user)
            except (PermissionDenied, DomainError) as error:
                refused = getattr(error, "message", None) or _("You may not do this.")
                messages.warning(request, f"#{item.pk}: {refused}")
                continue
            approved += 1
        self.message_user(request, _("Approved: %(count)s.") % {"count": approved})

    @staticmethod
    def _approve(item: Listing, actor) -> None:
        revision = item.revisions.filter(status=RevisionStatus.PENDING).first()
        if revision is not None:
            services.approve_revision(revision=revision, actor=actor)
        if Listing.objects.filter(pk=item.pk, status=ListingStatus.PENDING).exists():
            services.approve_listing(listing=item, actor=actor)
        elif revision is None and item.reports.filter(status=ReportStatus.OPEN).exists():
            services.dismiss_reports(listing=item, actor=actor)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="catalog_moderationitem_approve"),
            path("<int:pk>/reject/", wrap(self.reject_view), name="catalog_moderationitem_reject"),
            path("<int:pk>/block/", wrap(self.block_view), name="catalog_moderationitem_block"),
            *super().get_urls(),
        ]

    def _item(self, request, pk: int) -> Listing:
        if not policies.can_moderate_listings(request.user):
            raise PermissionDenied
        return get_object_or_404(Listing.objects.select_related("seller", "category", "brand"), pk=pk)

    def _back(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:catalog_moderationitem_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        listing = self._item(request, int(object_id)) if str(object_id).isdigit() else None
        if listing is None:
            raise Http404
        revision = listing.revisions.filter(status=RevisionStatus.PENDING).select_related("created_by").first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": listing,
            "title": _("Moderation: %(title)s") % {"title": listing.title},
            "listing": listing,
            "revision": revision,
            "comparison": self._comparison(listing, revision),
            "flags": flag_badges(revision.flags if revision else listing.moderation_flags),
            "reports": listing.reports.filter(status=ReportStatus.OPEN).select_related("reporter"),
            "events": listing.events.select_related("actor").order_by("-created_at")[:10],
            "variants": listing.variants.all(),
            "photos": self.photos_for(listing, revision),
            "decision_form": ModerationDecisionForm(),
            "is_new": listing.status == ListingStatus.PENDING and listing.published_at is None,
            "is_held": listing.status == ListingStatus.PENDING and listing.published_at is not None,
            "media": self.media,
        }
        return TemplateResponse(request, self.change_form_template, context)

    @staticmethod
    def _comparison(listing: Listing, revision: ListingRevision | None) -> list[tuple[str, str, str, bool]]:
        """(field, approved, proposed, changed) rows; without a revision both columns show the listing."""
        tree = selectors.category_tree()
        live = services.listings.content_of(listing)
        proposed = revision.data if revision else services.listings.working_content(listing)

        def attributes_text(data: dict) -> str:
            schema = {attribute.code: attribute for attribute in selectors.attribute_schema(int(data["category_id"]))}
            return "\n".join(
                f"{schema[code].name}: {display_value(schema[code], value)}"
                for code, value in (data.get("attributes") or {}).items()
                if code in schema
            )

        def category_text(data: dict) -> str:
            node = tree.by_id.get(int(data["category_id"]))
            return tree.full_name(node) if node else "?"

        rows = []
        for label, getter in (
            (_("Title"), lambda data: data["title"]),
            (_("Category"), category_text),
            (_("Brand"), lambda data: data.get("brand_name", "")),
            (_("Characteristics"), attributes_text),
            (_("Description"), lambda data: data.get("description", "")),
            (_("Package contents"), lambda data: data.get("package_contents", "")),
        ):
            before, after = getter(live), getter(proposed)
            rows.append((label, before, after, before != after))
        return rows

    def photos_for(self, listing: Listing, revision: ListingRevision | None) -> tuple[list, list]:
        live = list(listing.photos.filter(is_live=True))
        if revision is None:
            return live, list(listing.photos.all())
        by_id = {photo.pk: photo for photo in listing.photos.all()}
        return live, [by_id[int(item["id"])] for item in revision.data.get("photos", []) if int(item["id"]) in by_id]

    def approve_view(self, request, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        item = self._item(request, pk)
        _run(request, lambda: self._approve(item, request.user), _("Approved: buyers see it now."))
        return self._back()

    def _decision_view(self, request, pk: int, *, block: bool) -> HttpResponse:
        item = self._item(request, pk)
        form = ModerationDecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            revision = item.revisions.filter(status=RevisionStatus.PENDING).first()
            if block:
                call = lambda: services.block_listing(listing=item, actor=request.user, reason=text)  # noqa: E731
                success = _("Blocked. The seller is told why.")
            elif item.status == ListingStatus.PENDING and item.published_at is None:
                call = lambda: services.reject_listing(listing=item, actor=request.user, reason=text)  # noqa: E731
                success = _("Rejected. The seller is told why.")
            elif revision is not None:
                call = lambda: services.reject_revision(revision=revision, actor=request.user, reason=text)  # noqa: E731
                success = _("The edit is rejected; buyers keep seeing the approved version.")
            else:
                messages.error(request, _("Nothing to reject here: approve or block it."))
                return self._back()
            if _run(request, call, success):
                return self._back()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": item,
            "title": _("Block: %(title)s") % {"title": item.title}
            if block
            else _("Reject: %(title)s") % {"title": item.title},
            "form": form,
            "block": block,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/catalog/moderationitem/decision.html", context)

    def reject_view(self, request, pk: int) -> HttpResponse:
        return self._decision_view(request, pk, block=False)

    def block_view(self, request, pk: int) -> HttpResponse:
        return self._decision_view(request, pk, block=True)
