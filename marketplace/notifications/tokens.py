"""Signed one-click unsubscribe tokens: they work without a login and cannot be forged or altered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import signing

if TYPE_CHECKING:
    from marketplace.accounts.models import User

_SALT = "marketplace.notifications.unsubscribe"


def make_unsubscribe_token(user: User) -> str:
    # No expiry: a link in an old newsletter must still unsubscribe (RFC 8058 and plain decency).
    return signing.dumps({"u": user.pk}, salt=_SALT, compress=True)


def user_id_from_unsubscribe_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None
