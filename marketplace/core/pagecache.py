"""A short-lived cache of public pages for anonymous visitors (home, category, search and listing pages).

Most catalogue traffic is anonymous and identical for everyone who speaks the same language, so the HTML is
rendered once and kept in Redis for `MARKETPLACE_PAGE_CACHE_SECONDS` (0 turns the cache off). What differs
per visitor is put back on every hit:

- the CSRF token: pages are rendered with a placeholder instead of the token (see `context_processor`), and each
  visitor gets their own token (and CSRF cookie) when the page is served;
- the CSP nonce: the nonce of the rendering request is replaced by the serving request's nonce.

Only anonymous GET/HEAD requests without a session or a messages cookie use the cache: a visitor with a cart, a
flash message or an account always gets a freshly rendered page. Responses that set cookies, touch the session or
are not 200 are never stored. If Redis is unavailable the page is rendered as if there were no cache.

Staleness is bounded by the timeout: a new price or an approved listing reaches anonymous visitors within that
many seconds (signed-in buyers, the cart and checkout always read live data).
"""

from __future__ import annotations

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "mp-page-cache-csrf-7c1e0b"
NONCE_PLACEHOLDER = "mp-page-cache-nonce-7c1e0b"
_RENDERING = "_page_cache_rendering"
_SKIPPED_HEADERS = {"content-length", "set-cookie"}
OUTAGE_PAUSE_SECONDS = 30  # after a Redis error, each process renders without the cache this long
_paused_until = 0.0


def context_processor(request: HttpRequest) -> dict:
    """While a page is rendered for the cache, `{% csrf_token %}` and `{{ csrf_token }}` print a placeholder."""
    if getattr(request, _RENDERING, False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _timeout() -> int:
    return int(getattr(settings, "MARKETPLACE_PAGE_CACHE_SECONDS", 0) or 0)


def is_cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or _timeout() <= 0 or time.monotonic() < _paused_until:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not request.user.is_authenticated


def cache_key(request: HttpRequest) -> str:
    headers = request.headers
    parts = [
        # Pages carry absolute addresses (canonical links, Open Graph), so the host and scheme are part of the key.
        request.scheme,
        request.get_host(),
        getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        headers.get("HX-Request", ""),
        headers.get("HX-Target", ""),
        headers.get("HX-Boosted", ""),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def _personalise(body: bytes, request: HttpRequest) -> bytes:
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER.encode() in body:
        body = body.replace(NONCE_PLACEHOLDER.encode(), str(request.csp_nonce).encode())
    return body


def _pause(what: str) -> None:
    global _paused_until
    _paused_until = time.monotonic() + OUTAGE_PAUSE_SECONDS
    logger.warning("page cache %s failed; rendering without it for %s s", what, OUTAGE_PAUSE_SECONDS, exc_info=True)


def _read(key: str):
    try:
        return caches["pages"].get(key)
    except Exception:  # Redis down or unreadable entry: serve the page without the cache
        _pause("read")
        return None


def _write(key: str, entry) -> None:
    try:
        caches["pages"].set(key, entry, _timeout())
    except Exception:
        _pause("write")


def anonymous_page_cache(view):
    """Decorate a public GET view whose output depends only on the URL, the language and the catalogue."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_cacheable(request):
            return view(request, *args, **kwargs)
        key = cache_key(request)
        entry = _read(key)
        if entry is not None:
            status, headers, body = entry
            response = HttpResponse(_personalise(body, request), status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        setattr(request, _RENDERING, True)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        finally:
            setattr(request, _RENDERING, False)
        if getattr(response, "streaming", False):
            return response
        body = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:
            body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER.encode())
        session = getattr(request, "session", None)
        if response.status_code == 200 and not response.cookies and not (session is not None and session.modified):
            headers = [(name, value) for name, value in response.items() if name.lower() not in _SKIPPED_HEADERS]
            _write(key, (response.status_code, headers, body))
            response["X-Page-Cache"] = "miss"
        response.content = _personalise(body, request)
        return response

    return wrapper
