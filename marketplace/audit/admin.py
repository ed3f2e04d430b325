"""The audit log in admin: read-only for everyone, superusers included (rows are append-only in PostgreSQL).

Who sees what: superusers and holders of "view all audit entries" (Managers) read every entry; anyone else
with "view audit entry" (Moderators) reads only their own actions.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEntry


def can_view_all_entries(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("audit.view_all_auditentries"))


def _value(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "…"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_email",
        "action",
        "name",
        "content_type",
        "object_link",
        "changed",
        "ip_address",
    ]
    list_filter = [
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["actor_email", "object_repr", "=object_id", "=request_id", "name"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]
    list_per_page = 50
    show_full_result_count = False
    fields = [
        "created_at",
        "actor",
        "actor_email",
        "action",
        "name",
        "content_type",
        "object_id",
        "object_repr",
        "diff",
        "message",
        "reason",
        "ip_address",
        "request_id",
    ]
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if can_view_all_entries(request.user):
            return queryset
        return queryset.filter(actor=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("object"), ordering="object_repr")
    def object_link(self, obj: AuditEntry) -> str:
        label = obj.object_repr or (f"#{obj.object_id}" if obj.object_id else "—")
        if obj.content_type is None or not obj.object_id or obj.action == AuditAction.DELETE:
            return label
        try:
            url = reverse(f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("changed fields"))
    def changed(self, obj: AuditEntry) -> str:
        return ", ".join(field for field, _before, _after in obj.changes) or "—"

    @admin.display(description=_("before → after"))
    def diff(self, obj: AuditEntry) -> str:
        if not obj.changes:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            ((field, _value(before), _value(after)) for field, before, after in obj.changes),
        )
        return format_html(
            "<table class='audit-diff'><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            rows,
        )
