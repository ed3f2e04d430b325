"""Webhook signatures: HMAC-SHA256 over `timestamp + "." + raw body`, sent as `t=<unix>,v1=<hex>`.

The receiver recomputes the MAC over the exact bytes it got, compares in constant time and refuses
timestamps outside the tolerance, so a captured request cannot be replayed later or altered.
Several `v1=` values may be sent while a secret is rotated; one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

from django.utils.translation import gettext as _

from ..exceptions import InvalidWebhook


def compute_signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    message = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, raw_body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute_signature(secret, timestamp, raw_body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidWebhook(_("The signature header is malformed."))
    return timestamp, signatures


def verify_signature(
    *, secrets: Iterable[str], header: str | None, raw_body: bytes, tolerance: int, now: float | None = None
) -> int:
    """Return the signed timestamp, or raise InvalidWebhook. Pure: reads and writes nothing."""
    if not header:
        raise InvalidWebhook(_("The signature header is missing."))
    timestamp, signatures = _parse(header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise InvalidWebhook(_("The signature timestamp is outside the tolerance."))
    for secret in secrets:
        expected = compute_signature(secret, timestamp, raw_body)
        # Compare against every candidate so timing does not reveal which one (if any) matched.
        if any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            return timestamp
    raise InvalidWebhook(_("The signature does not match."))
