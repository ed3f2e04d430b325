"""API keys for sellers' own systems (spec 37): created by the owner, shown once, stored hashed, revocable."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError
from sellers.models import ApiToken, TeamMember, hash_key
from sellers.policies import Section

from .lifecycle import require_section

KEY_PREFIX = "mpk_"
MAX_ACTIVE_KEYS = 5


@transaction.atomic
def create_api_token(*, member: TeamMember, name: str) -> tuple[ApiToken, str]:
    """A new key for the seller's system; returns the token and the key itself, which is never shown again."""
    require_section(member, Section.TEAM)
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError(_("Name the key after the system that will use it, e.g. “1C” or “warehouse”."))
    if len(name) > 60:
        raise DomainError(_("Keep the name within 60 characters."))
    active = ApiToken.objects.select_for_update().filter(seller_id=member.seller_id, revoked_at__isnull=True)
    if len(active) >= MAX_ACTIVE_KEYS:
        raise DomainError(
            _("A store may have at most %(count)s active keys. Revoke one you no longer use.")
            % {"count": MAX_ACTIVE_KEYS}
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        seller_id=member.seller_id, name=name, prefix=key[:12], key_hash=hash_key(key), created_by=member.user
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, member: TeamMember, token: ApiToken) -> ApiToken:
    """The key stops working at once (a revoked key is kept, so past syncs still name it)."""
    require_section(member, Section.TEAM)
    if token.seller_id != member.seller_id:
        raise DomainError(_("This key belongs to another store."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def touch_api_token(token: ApiToken) -> None:
    """Remember when the key was last used (at most once a minute, so a busy sync does not write on every call)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
