"""A short-lived cache of public pages (home, category, search and listing pages), shared by every buyer.

Catalogue pages are the same for everyone who speaks the same language, except a few personal parts (the
header's account menu and cart, "add to favourites", "follow", the question form…). So the HTML is rendered
once and kept in Redis for `MARKETPLACE_PAGE_CACHE_SECONDS` (0 turns the cache off), with each personal part
left as a marker (`{% personal "template.html" key=value %}`, marketplace/core/templatetags/page_parts.py).
Every answer, cached or not, then gets the visitor's own parts rendered into it, and:

- the CSRF token: pages are rendered with a placeholder instead of the token (see `context_processor`), and each
  visitor gets their own token (and CSRF cookie) when the page is served;
- the CSP nonce: the nonce of the rendering request is replaced by the serving request's nonce.

Who shares pages: anonymous visitors and signed-in buyers, with or without a session or a cart. Who does not:
staff and members of a seller's team (they see their own tools on the pages: `LIVE_VIEWER_CHECKS`), a visitor
with a flash message waiting, and any request but GET/HEAD. Responses that set cookies, touch the session or
are not 200 are never stored. If Redis is unavailable the page is rendered as if there were no cache.

Staleness is bounded by the timeout: a new price or an approved listing reaches the pages within that many
seconds; the cart, the checkout and the personal parts always read live data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "mp-page-cache-csrf-7c1e0b"
NONCE_PLACEHOLDER = "mp-page-cache-nonce-7c1e0b"
_RENDERING = "_page_cache_rendering"
_SKIPPED_HEADERS = {"content-length", "set-cookie"}
_SESSION_MESSAGES = "_messages"  # django.contrib.messages' session storage key
OUTAGE_PAUSE_SECONDS = 30  # after a Redis error, each process renders without the cache this long
_paused_until = 0.0

# Personal parts: template name → a function (request, page, **kwargs) → the part's context. `page` is the
# page's template context when the part is rendered inline (no cache), None when it fills a marker.
PARTS: dict[str, Callable[..., dict[str, Any]]] = {}
# Signed-in users for whom these return True always get live pages (apps add theirs in AppConfig.ready).
LIVE_VIEWER_CHECKS: list[Callable[[Any], bool]] = [lambda user: user.is_staff or user.is_superuser]


# Parts whose HTML is fixed by a key: template name → (request, context) → key, for visitors who are not signed in
# and for signed-in ones (a key that holds the user and everything of theirs the part shows).
PartKey = Callable[[HttpRequest, dict[str, Any]], tuple]
ANONYMOUS_KEYS: dict[str, PartKey] = {}
SIGNED_IN_KEYS: dict[str, PartKey] = {}
PARTS_KEPT = 2000  # parts' HTML each process keeps, the least recently used dropped first
_kept_html: OrderedDict[tuple, str] = OrderedDict()


def personal_part(template_name: str, *, anonymous_key: PartKey | None = None, signed_in_key: PartKey | None = None):
    """Register the context builder of a personal part (a template rendered for each visitor).

    With `anonymous_key(request, context)` (context: the builder's), the part's HTML for a visitor who is not
    signed in is the same for every request with the same key in the same language; `signed_in_key` does the same
    for a signed-in visitor, and must hold the user's key and every value of theirs the template shows (a key of
    None: render this one for the visitor and keep nothing). Each
    process renders such a part once per key and keeps it (PARTS_KEPT), the CSRF token left as a placeholder that
    each answer fills with the visitor's own: the header's account menu cost a signed-in buyer's page as much as
    the page itself (2.9 of 8.2 ms of CPU on a stored category page).
    """

    def register(builder: Callable[..., dict[str, Any]]):
        PARTS[template_name] = builder
        if anonymous_key is not None:
            ANONYMOUS_KEYS[template_name] = anonymous_key
        if signed_in_key is not None:
            SIGNED_IN_KEYS[template_name] = signed_in_key
        return builder

    return register


@receiver(setting_changed)
def _forget_kept_parts(**kwargs) -> None:
    _kept_html.clear()  # tests change languages, templates and addresses


def context_processor(request: HttpRequest) -> dict:
    """While a page is rendered for the cache, `{% csrf_token %}` and `{{ csrf_token }}` print a placeholder."""
    if getattr(request, _RENDERING, False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _timeout() -> int:
    return int(getattr(settings, "MARKETPLACE_PAGE_CACHE_SECONDS", 0) or 0)


def _sees_live_pages(user) -> bool:
    cached = getattr(user, "_sees_live_pages", None)
    if cached is None:
        cached = any(check(user) for check in LIVE_VIEWER_CHECKS)
        user._sees_live_pages = cached
    return cached


def is_cacheable(request: HttpRequest, *, buyers: bool = True) -> bool:
    """May this request get (and leave) a shared page? `buyers=False`: only visitors without a session."""
    if request.method not in ("GET", "HEAD") or _timeout() <= 0 or time.monotonic() < _paused_until:
        return False
    cookies = request.COOKIES
    if cookies.get("messages"):  # a flash message waits in its cookie (an emptied cookie holds nothing)
        return False
    has_session = settings.SESSION_COOKIE_NAME in cookies
    if not buyers:
        return not has_session and not request.user.is_authenticated
    session = getattr(request, "session", None)
    if has_session and session is not None and session.get(_SESSION_MESSAGES):
        return False
    user = request.user
    return not (user.is_authenticated and _sees_live_pages(user))


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


@cache
def _marker_prefix() -> str:
    # A secret in the marker: no text a user typed can pass for one (it is also escaped, never raw HTML).
    secret = hashlib.sha256(f"page-parts:{settings.SECRET_KEY}".encode()).hexdigest()[:20]
    return f"<!--mp-part:{secret}:"


def part_marker(template_name: str, kwargs: dict[str, Any]) -> SafeString:
    """What a shared page holds in place of a personal part (kwargs: JSON values only)."""
    payload = base64.urlsafe_b64encode(json.dumps([template_name, kwargs], separators=(",", ":")).encode())
    return mark_safe(f"{_marker_prefix()}{payload.decode()}-->")  # noqa: S308 - base64 and a hex secret only


def render_part(request: HttpRequest | None, template_name: str, kwargs: dict[str, Any], page=None) -> str:
    """One personal part for this visitor: its builder's context (plus the kwargs) through its template."""
    builder = PARTS.get(template_name)
    context = dict(kwargs)
    if builder is not None:
        context.update(builder(request, page, **kwargs))
    user = getattr(request, "user", None)
    if user is None or settings.DEBUG:
        return render_to_string(template_name, context, request=request)
    signed_in = user.is_authenticated
    key_of = (SIGNED_IN_KEYS if signed_in else ANONYMOUS_KEYS).get(template_name)
    if key_of is None:
        return render_to_string(template_name, context, request=request)
    part_key = key_of(request, context)
    if part_key is None:  # this one is not to be kept (a form sent back with its errors, say)
        return render_to_string(template_name, context, request=request)
    key = (template_name, signed_in, get_language(), part_key)
    html = _kept_html.get(key)
    if html is None:
        html = _kept_html[key] = _render_with_placeholders(request, template_name, context)
        if len(_kept_html) > PARTS_KEPT:
            with suppress(KeyError):  # another thread of the process emptied it first
                _kept_html.popitem(last=False)
    else:
        with suppress(KeyError):
            _kept_html.move_to_end(key)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        html = html.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
    return html


def _render_with_placeholders(request: HttpRequest, template_name: str, context: dict[str, Any]) -> str:
    """The part's HTML with placeholders (as in a shared page) instead of this visitor's CSRF token and nonce."""
    rendering = getattr(request, _RENDERING, False)
    setattr(request, _RENDERING, True)
    try:
        html = render_to_string(template_name, context, request=request)
    finally:
        setattr(request, _RENDERING, rendering)
    nonce = getattr(request, "_csp_nonce", None)
    return html.replace(str(nonce), NONCE_PLACEHOLDER) if nonce else html


def _fill_parts(body: bytes, request: HttpRequest) -> bytes:
    prefix = _marker_prefix().encode()
    if prefix not in body:
        return body
    pattern = re.compile(re.escape(prefix) + rb"([A-Za-z0-9_=-]+)-->")

    def fill(match: re.Match) -> bytes:
        template_name, kwargs = json.loads(base64.urlsafe_b64decode(match.group(1)))
        return render_part(request, template_name, kwargs).encode()

    return pattern.sub(fill, body)


def _personalise(body: bytes, request: HttpRequest) -> bytes:
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER.encode() in body:
        body = body.replace(NONCE_PLACEHOLDER.encode(), str(request.csp_nonce).encode())
    return _fill_parts(body, request)


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


def shared_page_cache(view=None, *, buyers: bool = True, on_hit: Callable[..., None] | None = None):
    """Decorate a public GET view whose output, but for its personal parts, depends only on the URL, the language
    and the catalogue.

    `buyers=False` shares the page only among visitors without a session (for pages with personal content
    outside `{% personal %}` parts). `on_hit(request, *args, **kwargs)` runs when a stored page answers, for
    what the view does besides rendering (e.g. recording a signed-in buyer's view of a listing).
    """
    if view is None:
        return lambda view: shared_page_cache(view, buyers=buyers, on_hit=on_hit)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_cacheable(request, buyers=buyers):
            return view(request, *args, **kwargs)
        key = cache_key(request)
        entry = _read(key)
        if entry is not None:
            status, headers, body = entry
            if on_hit is not None:
                on_hit(request, *args, **kwargs)
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


def anonymous_page_cache(view):
    """A page shared only among visitors without a session (see `shared_page_cache`)."""
    return shared_page_cache(view, buyers=False)
