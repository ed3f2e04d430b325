"""Write the audit log. `record` is the one entry point: the admin hooks call it for every staff action there,
and domain services call it for staff actions taken elsewhere."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest

from marketplace.core.logging import request_id_var

from .models import AuditAction, AuditEntry

# The admin request being handled (set by the admin hooks), so a service called from an admin page
# records the staff member's IP address without being handed the request.
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)

MASK = "***"  # secrets are never copied into the log, only the fact that they changed


def is_secret(field_name: str) -> bool:
    return field_name == "password" or "secret" in field_name or "token" in field_name


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, default=str))


def snapshot(obj: models.Model | None, *, many_to_many: bool = False) -> dict[str, Any]:
    """The object's stored field values as JSON (foreign keys as ids, files as names, secrets masked)."""
    if obj is None:
        return {}
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        if isinstance(value, models.fields.files.FieldFile):
            value = value.name or ""
        values[field.name] = MASK if is_secret(field.name) and value else value
    if many_to_many and obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return _json(values)


def fresh_snapshot(model: type[models.Model], pk: Any, *, many_to_many: bool = False) -> dict[str, Any]:
    """The stored state of a row (not the possibly edited instance in memory); {} if there is none."""
    if pk is None:
        return {}
    obj = model._base_manager.filter(pk=pk).first()
    return snapshot(obj, many_to_many=many_to_many)


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value differs, as (before, after)."""
    changed = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in changed if key in before}, {
        key: after.get(key) for key in changed if key in after
    }


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from marketplace.accounts.forms import client_ip as allauth_client_ip

    return allauth_client_ip(request)


@transaction.atomic
def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    name: str = "",
    message: str = "",
    request: HttpRequest | None = None,
    content_type: ContentType | None = None,
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry: actor, action, object, changed values before/after, IP address and request id."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    request = request if request is not None else current_request.get()
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj)  # the concrete model: proxies share a history
        object_id = str(obj.pk) if obj.pk is not None else object_id
        object_repr = object_repr or str(obj)
    changed_before, changed_after = diff(_json(before or {}), _json(after or {}))
    request_id = request_id_var.get()
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        name=name[:100],
        content_type=content_type,
        object_id=object_id[:64],
        object_repr=object_repr[:255],
        before=changed_before,
        after=changed_after,
        message=message,
        reason=reason,
        ip_address=client_ip(request),
        request_id="" if request_id == "-" else request_id[:64],
    )


def record_view(*, actor, obj: models.Model, request: HttpRequest | None = None, name: str = "") -> AuditEntry:
    """A staff member opened a page with this object's personal data (spec 161)."""
    return record(actor=actor, action=AuditAction.VIEW, obj=obj, request=request, name=name)


def entries_for(obj: models.Model) -> Iterable[AuditEntry]:
    content_type = ContentType.objects.get_for_model(obj)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).select_related("actor")
