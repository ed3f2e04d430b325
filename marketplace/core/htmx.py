"""One helper renders a page or, for an htmx request aimed at one of its partials, just that partial."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe


def render_page_or_partial(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    partial: str,
    status: int = 200,
) -> TemplateResponse:
    """Render `template#partial` when htmx targets the partial's id, else the whole page.

    Flash messages reach htmx responses as an out-of-band fragment; `Vary: HX-Request` keeps
    caches from mixing the two answers.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == partial:
        context = {**context, "oob_messages": _oob_messages(request)}
        response = TemplateResponse(request, f"{template_name}#{partial}", context, status=status)
    else:
        response = TemplateResponse(request, template_name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _oob_messages(request: HttpRequest) -> str:
    if not list(get_messages(request)):
        return ""
    return mark_safe(render_to_string("components/_messages.html", {"oob": True}, request=request))  # noqa: S308
