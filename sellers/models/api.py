"""Keys for a seller's own systems (spec 37): the price and stock sync API authenticates with them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    """A key a seller's system sends as `Authorization: Bearer …`. Only its SHA-256 is stored: the key is shown
    once, when it is created. It acts with the rights of the team member who created it, while they have them."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("key starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller"], condition=Q(revoked_at__isnull=True), name="apitoken_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def hash_key(key: str) -> str:
    """What is stored of a key, and how a presented key is looked up."""
    return hashlib.sha256(key.encode()).hexdigest()
