"""Platform pages that belong to no domain app: health and error pages."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .middleware import outage_response


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers; 503 naming the failing part otherwise."""
    checks = health.check_all()
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if not failing else "fail", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or the outage page when the database failed outside a view (session, user, middleware)."""
    if isinstance(sys.exc_info()[1], OperationalError):
        return outage_response(request)
    # No request context: the database may be the thing that failed.
    html = loader.get_template("500.html").render({"request_id": getattr(request, "request_id", "")})
    return HttpResponse(html, status=500)
