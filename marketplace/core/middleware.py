"""Request id + access log, and the friendly 503 when PostgreSQL is unreachable."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader

from .logging import request_id_var

logger = logging.getLogger("marketplace.requests")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """Give every request an id (X-Request-ID from a trusted proxy, else a new one) and log one line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None) if user is not None and user.is_authenticated else None,
            },
        )
        return response


class DatabaseOutageMiddleware:
    """Answer a styled 503 (rendered without touching the database) while PostgreSQL is down.

    CONN_HEALTH_CHECKS makes the next request reconnect, so the site recovers by itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except OperationalError:
            logger.exception("database unavailable")
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
            return outage_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError):
            logger.exception("database unavailable")
            return outage_response(request)
        return None


def outage_response(request: HttpRequest) -> HttpResponse:
    html = loader.get_template("503.html").render({"request_id": getattr(request, "request_id", "")})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response
