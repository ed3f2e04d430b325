"""Record every staff action in Django admin, for every registered ModelAdmin, without touching their code.

`install(site)` runs once at start-up (AuditConfig.ready, after admin autodiscovery) and wraps, on each
ModelAdmin *instance* (so subclasses that override a method without calling super are covered too):

- `save_model` takes the stored state before the save; `log_addition`/`log_change` (called by Django after
  the related objects and many-to-many fields are saved) record the entry with the changed fields;
- `delete_model`/`delete_queryset` record each deleted object with its last values;
- `response_action` records an admin action with the before/after of every selected object;
- the app's own URLs (approve/reject/sanction pages from `get_urls`) record a POST that changed the object
  or succeeded (a redirect), unless something inside already recorded an entry;
- `change_view` of a model holding personal data records a "view" entry (spec 161).

The site's `admin_view` is wrapped too, so `services.record` finds the request (IP address) when a service
is called from an admin page, and `get_urls` gains the Moderation page.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from . import services
from .models import AuditAction

# Models whose admin change page shows personal data: opening one is recorded (spec 161/162). A ModelAdmin
# may also say so itself with `audit_views = True` (or opt out with False).
PERSONAL_DATA_MODELS = {
    "accounts.user",
    "sellers.sellerapplication",
    "sellers.applicationdocument",
    "sellers.seller",
    "sellers.bankdetailschange",
}
ACTION_ENTRY_LIMIT = 500  # "select all N" over a huge changelist: the first 500 objects get an entry each
REASON_FIELDS = ("reason", "decision", "text", "comment", "body")
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")


def install(site: admin.AdminSite) -> None:
    if getattr(site, "_audit_installed", False):
        return
    site._audit_installed = True
    _wrap_site(site)
    for model_admin in list(site._registry.values()):
        hook(model_admin)


def _wrap_site(site: admin.AdminSite) -> None:
    admin_view = site.admin_view
    get_urls = site.get_urls
    register = site.register

    def audited_admin_view(view, cacheable=False):
        inner = admin_view(view, cacheable)

        @functools.wraps(inner)
        def wrapper(request, *args, **kwargs):
            token = services.current_request.set(request)
            try:
                return inner(request, *args, **kwargs)
            finally:
                services.current_request.reset(token)

        return wrapper

    def get_urls_with_moderation():
        from . import views

        return [path("moderation/", site.admin_view(views.moderation_overview), name="moderation"), *get_urls()]

    def register_and_hook(model_or_iterable, admin_class=None, **options):
        register(model_or_iterable, admin_class, **options)
        models_ = [model_or_iterable] if isinstance(model_or_iterable, models.base.ModelBase) else model_or_iterable
        for model in models_:
            hook(site._registry[model])

    site.admin_view = audited_admin_view
    site.get_urls = get_urls_with_moderation
    site.register = register_and_hook


def _text(message: Any) -> str:
    """Django's change message (a list of dicts or a string) as the readable sentence the history page shows."""
    if not message:
        return ""
    raw = json.dumps(message) if isinstance(message, list) else str(message)
    return LogEntry(change_message=raw).get_change_message()


def _stash(request: HttpRequest) -> dict[int, dict]:
    if not hasattr(request, "_audit_before"):
        request._audit_before = {}
    return request._audit_before


def _entries_so_far(request: HttpRequest) -> int:
    return getattr(request, "_audit_entries", 0)


def _record(request: HttpRequest, **kwargs) -> None:
    services.record(actor=request.user, request=request, **kwargs)
    request._audit_entries = _entries_so_far(request) + 1


def _reason(request: HttpRequest) -> str:
    for field in REASON_FIELDS:
        if value := request.POST.get(field, "").strip():
            return value[:2000]
    return ""


def hook(model_admin: admin.ModelAdmin) -> None:
    if getattr(model_admin, "_audit_hooked", False):
        return
    model_admin._audit_hooked = True
    model = model_admin.model
    concrete = model._meta.concrete_model

    save_model = model_admin.save_model
    log_addition = model_admin.log_addition
    log_change = model_admin.log_change
    delete_model = model_admin.delete_model
    delete_queryset = model_admin.delete_queryset
    response_action = model_admin.response_action
    change_view = model_admin.change_view
    get_urls = model_admin.get_urls

    def audited_save_model(request, obj, form, change):
        if change:
            _stash(request)[id(obj)] = services.fresh_snapshot(concrete, obj.pk, many_to_many=True)
        return save_model(request, obj, form, change)

    def audited_log_addition(request, obj, message):
        result = log_addition(request, obj, message)
        after = services.fresh_snapshot(concrete, obj.pk, many_to_many=True)
        _record(request, action=AuditAction.ADD, obj=obj, after=after, name="add", message=_text(message))
        return result

    def audited_log_change(request, obj, message):
        result = log_change(request, obj, message)
        before = _stash(request).pop(id(obj), None)
        # Without a stored "before" (a page that saves by itself, like the password form) only the message tells.
        after = services.fresh_snapshot(concrete, obj.pk, many_to_many=True) if before is not None else {}
        _record(
            request,
            action=AuditAction.CHANGE,
            obj=obj,
            before=before or {},
            after=after,
            name="change",
            message=_text(message),
        )
        return result

    def audited_delete_model(request, obj):
        before, pk, label = services.snapshot(obj, many_to_many=True), obj.pk, str(obj)
        result = delete_model(request, obj)
        _record(
            request,
            action=AuditAction.DELETE,
            content_type=_content_type(concrete),
            object_id=str(pk),
            object_repr=label,
            before=before,
            name="delete",
        )
        return result

    def audited_delete_queryset(request, queryset):
        gone = [(obj.pk, str(obj), services.snapshot(obj, many_to_many=True)) for obj in queryset]
        result = delete_queryset(request, queryset)
        for pk, label, before in gone:
            _record(
                request,
                action=AuditAction.DELETE,
                content_type=_content_type(concrete),
                object_id=str(pk),
                object_repr=label,
                before=before,
                name="delete_selected",
            )
        return result

    def audited_response_action(request, queryset):
        name = request.POST.get("action", "")
        if name in ("", "delete_selected"):  # deletions are recorded by delete_queryset, after the confirmation
            return response_action(request, queryset)
        if request.POST.get("select_across") == "1":
            pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:ACTION_ENTRY_LIMIT])
        else:
            pks = request.POST.getlist(ACTION_CHECKBOX_NAME)[:ACTION_ENTRY_LIMIT]
        before = _snapshots(concrete, pks)
        response = response_action(request, queryset)
        after = _snapshots(concrete, pks)
        changed = [
            pk for pk in after.keys() | before.keys() if before.get(pk, (None, {}))[1] != after.get(pk, (None, {}))[1]
        ]
        finished = response is not None and 300 <= response.status_code < 400
        if not changed and not finished:
            return response  # an intermediate page, or an unknown action: nothing happened yet
        description = _action_description(model_admin, request, name)
        for pk in sorted(changed if changed else after.keys() | before.keys(), key=str):
            label, old = before.get(pk, ("", {}))
            label, new = after.get(pk, (label, {}))
            _record(
                request,
                action=AuditAction.ACTION,
                content_type=_content_type(concrete),
                object_id=str(pk),
                object_repr=label,
                before=old,
                after=new,
                name=name,
                message=description,
            )
        return response

    def audited_change_view(request, object_id, form_url="", extra_context=None):
        response = change_view(request, object_id, form_url, extra_context)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original") or _get(concrete, unquote(object_id))
            if obj is not None:
                _record(request, action=AuditAction.VIEW, obj=obj, name="change_view")
        return response

    def audited_get_urls():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        standard = {f"{info}_{view}" for view in STANDARD_VIEWS}
        return [
            URLPattern(
                pattern.pattern,
                _audited_custom_view(pattern.callback, concrete, pattern.name.removeprefix(f"{info}_")),
                pattern.default_args,
                pattern.name,
            )
            if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in standard
            else pattern
            for pattern in get_urls()
        ]

    model_admin.save_model = audited_save_model
    model_admin.log_addition = audited_log_addition
    model_admin.log_change = audited_log_change
    model_admin.delete_model = audited_delete_model
    model_admin.delete_queryset = audited_delete_queryset
    model_admin.response_action = audited_response_action
    model_admin.get_urls = audited_get_urls
    if getattr(model_admin, "audit_views", model._meta.label_lower in PERSONAL_DATA_MODELS):
        model_admin.change_view = audited_change_view


def _audited_custom_view(view, model: type[models.Model], name: str):
    """An app's own admin page (approve, reject, sanction…): a POST that changed the object or succeeded."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        pk = next((kwargs[key] for key in ("pk", "object_id", "id") if key in kwargs), None)
        before = services.fresh_snapshot(model, pk) if pk is not None else {}
        entries = _entries_so_far(request)
        response = view(request, *args, **kwargs)
        if response.status_code >= 400 or _entries_so_far(request) > entries:
            return response
        obj = _get(model, pk) if pk is not None else None
        after = services.snapshot(obj)
        if before != after or 300 <= response.status_code < 400:
            _record(
                request,
                action=AuditAction.ACTION,
                obj=obj,
                content_type=_content_type(model),
                object_id="" if pk is None else str(pk),
                before=before,
                after=after,
                name=name,
                reason=_reason(request),
            )
        return response

    return wrapper


def _content_type(model: type[models.Model]):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)


def _get(model: type[models.Model], pk: Any) -> models.Model | None:
    try:
        return model._base_manager.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None


def _snapshots(model: type[models.Model], pks: list) -> dict[str, tuple[str, dict]]:
    if not pks:
        return {}
    try:
        objects = list(model._base_manager.filter(pk__in=pks))
    except (ValueError, TypeError, ValidationError):
        return {}
    return {str(obj.pk): (str(obj), services.snapshot(obj)) for obj in objects}


def _action_description(model_admin: admin.ModelAdmin, request: HttpRequest, name: str) -> str:
    action = model_admin.get_actions(request).get(name)
    return str(action[2]) if action else name
