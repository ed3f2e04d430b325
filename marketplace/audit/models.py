"""The audit log (spec 162): who did what to which object, when, from where, with the values before and after.

Rows are append-only: PostgreSQL refuses UPDATE and DELETE (migration 0002), so not even a superuser with a
database shell through Django can rewrite history.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    ADD = "add", _("Added")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    ACTION = "action", _("Action")
    VIEW = "view", _("Viewed personal data")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # the trail keeps its people; accounts are anonymised, not deleted
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    actor_email = models.EmailField(_("staff e-mail"), blank=True)  # as it was then
    action = models.CharField(_("action"), max_length=16, choices=AuditAction)
    name = models.CharField(_("what"), max_length=100, blank=True)  # the admin action, page or service
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)  # changed fields only
    after = models.JSONField(_("after"), default=dict, blank=True)
    message = models.TextField(_("details"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        permissions = [("view_all_auditentries", _("Can see every staff member's audit entries"))]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=AuditAction.values), name="audit_action_valid")
        ]

    def __str__(self) -> str:
        return f"{self.actor_email or '—'} · {self.get_action_display()} · {self.object_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) rows for the fields that changed, in a stable order."""
        fields = sorted(set(self.before) | set(self.after))
        return [(field, self.before.get(field), self.after.get(field)) for field in fields]
