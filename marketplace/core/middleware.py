"""Request id + access log, and the friendly 503 when PostgreSQL is unreachable."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.functional import SimpleLazyObject, empty

from .logging import request_id_var

logger = logging.getLogger("marketplace.requests")
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # safe in a header and a log line; fullmatch


class RequestLogMiddleware:
    """Give every request an id (X-Request-ID from a trusted proxy, else a new one) and log one line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _loaded_user_id(request),
                },
            )
        finally:
            request_id_var.reset(token)  # log lines of this request (the access line too) carry its id
        return response


def _loaded_user_id(request: HttpRequest) -> int | None:
    """The user id if the request already loaded its user; never a query of its own (the database may be down)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class DatabaseOutageMiddleware:
    """Answer a styled 503 (rendered without touching the database) while PostgreSQL is down.

    A view's OperationalError arrives here; one raised in a middleware (loading the session or the user)
    reaches the 500 handler, which answers the same page (core.views.server_error). CONN_HEALTH_CHECKS and
    Django's end-of-request clean-up drop the broken connection, so the site recovers by itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError):
            logger.error("database unavailable: %s", exception.__class__.__name__, exc_info=exception)
            return outage_response(request)
        return None


def outage_response(request: HttpRequest) -> HttpResponse:
    html = loader.get_template("503.html").render({"request_id": getattr(request, "request_id", "")})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response
