"""The price and stock sync API for sellers' own systems (spec 37), documented in docs/api.md.

    GET  /api/v1/offers/?page=N   the seller's variants with price, old price, stock (500 a page)
    POST /api/v1/offers/          {"offers": [{"sku": "...", "price": "1990", "old_price": null, "stock": 5}, ...]}

Authentication: `Authorization: Bearer <key>` with a key the store's owner creates in the cabinet. Each key may
make MARKETPLACE_API_REQUESTS_PER_MINUTE requests a minute (429 with Retry-After beyond). Errors are JSON
`{"error": "..."}` with the matching status; a sync answers 200 with its row-by-row report.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Paginator
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from catalog.selectors import pricing as price_selectors
from catalog.services import sync
from sellers import selectors as seller_selectors
from sellers import services as seller_services

logger = logging.getLogger(__name__)

PAGE_SIZE = 500
WINDOW_SECONDS = 60


def _error(message: str, status: int, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name] = value
    return response


def _retry_after(token_id: int) -> int | None:
    """Seconds until the key may call again, or None while it is within its requests a minute.

    A counter per key and minute in Redis; if Redis is unreachable, calls are let through (and logged) rather
    than failing every seller's sync."""
    now = int(time.time())
    key = f"api-rate:{token_id}:{now // WINDOW_SECONDS}"
    cache = caches["pages"]
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        count = cache.incr(key)
    except Exception:
        logger.warning("api rate limit unavailable", exc_info=True)
        return None
    if count > settings.MARKETPLACE_API_REQUESTS_PER_MINUTE:
        return WINDOW_SECONDS - now % WINDOW_SECONDS
    return None


@csrf_exempt  # no cookies: the key in the Authorization header is the credential
@login_not_required
@require_http_methods(["GET", "POST"])
def offers(request: HttpRequest) -> JsonResponse:
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    token = seller_selectors.api_token_for_key(key.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return _error(_("Send a valid API key: Authorization: Bearer <key>."), 401, **{"WWW-Authenticate": "Bearer"})
    wait = _retry_after(token.pk)
    if wait is not None:
        return _error(_("Too many requests for this key; try again in %(seconds)s s.") % {"seconds": wait}, 429,
                      **{"Retry-After": str(wait)})  # fmt: skip
    seller_services.touch_api_token(token)
    if request.method == "GET":
        return _list(request, token)
    try:
        payload = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return _error(_("The request is too large: send fewer rows at a time."), 413)
    except (ValueError, UnicodeDecodeError):
        return _error(_("The body is not valid JSON."), 400)
    rows = payload.get("offers") if isinstance(payload, dict) else None
    try:
        done = sync.sync_offers(seller=token.seller, actor=token.created_by, token=token, rows=rows)
    except sync.InvalidSync as error:
        return _error(error.message, 400)
    except PermissionDenied:
        return _error(_("The person who created this key may no longer change prices or stock."), 403)
    return JsonResponse(
        {"sync": done.pk, "rows": done.rows, "updated": done.updated, "errors": done.errors},
        json_dumps_params={"ensure_ascii": False},
    )


def _list(request: HttpRequest, token) -> JsonResponse:
    page = Paginator(price_selectors.offers_for_sync(seller=token.seller), PAGE_SIZE).get_page(request.GET.get("page"))
    return JsonResponse(
        {
            "page": page.number,
            "pages": page.paginator.num_pages,
            "offers": [
                {
                    "sku": variant.sku,
                    "listing": variant.listing_id,
                    "price": str(variant.regular_price),
                    "promo_price": str(variant.price) if variant.promo_running else None,
                    "promo": {
                        "price": str(variant.promo_price),
                        "starts": variant.promo_starts_at.isoformat(),
                        "ends": variant.promo_ends_at.isoformat(),
                        "running": variant.promo_running,
                    }
                    if variant.promo_price is not None
                    else None,
                    "old_price": str(variant.old_price) if variant.old_price is not None else None,
                    "stock": variant.on_hand,
                    "reserved": variant.allocated,
                    "on_sale": variant.is_active,
                }
                for variant in page.object_list
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
