"""The notification centre, the header bell, notification settings and one-click unsubscribe."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from marketplace.core.http import AuthenticatedRequest

from . import selectors, services
from .forms import PreferencesForm

PAGE_SIZE = 20
LIST_TEMPLATE = "notifications/notification_list.html"
LIST_PARTIAL = "notification-list"
# htmx stops polling when it gets this status (the visitor signed out in another tab).
HTMX_STOP_POLLING = 286


def _list_state(request: HttpRequest) -> tuple[bool, str]:
    """The filter and page shown, from the query string (GET) or the hidden fields of a form (POST)."""
    source = request.POST if request.method == "POST" else request.GET
    return source.get("filter") == "unread", source.get("page") or "1"


def _list_url(unread_only: bool, page: str) -> str:
    query = {}
    if unread_only:
        query["filter"] = "unread"
    if page != "1":
        query["page"] = page
    return reverse("notifications:list") + (f"?{urlencode(query)}" if query else "")


def _render_list(request: AuthenticatedRequest, *, unread_only: bool, page: str) -> HttpResponse:
    paginator = Paginator(selectors.inbox_for(user=request.user, unread_only=unread_only), PAGE_SIZE)
    page_obj = paginator.get_page(page)
    context = {
        "page_obj": page_obj,
        "items": page_obj.object_list,
        "unread_only": unread_only,
        "unread_count": selectors.unread_count(user=request.user),
        "oob_bell": request.method == "POST",  # an action changed the count: refresh the header badge too
    }
    return render_page_or_partial(request, LIST_TEMPLATE, context, partial=LIST_PARTIAL)


@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    unread_only, page = _list_state(request)
    return _render_list(request, unread_only=unread_only, page=page)


@require_POST
def mark_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.inbox_for(user=request.user), pk=pk)
    services.mark_read(actor=request.user, item=item)
    unread_only, page = _list_state(request)
    if request.htmx:
        return _render_list(request, unread_only=unread_only, page=page)
    return redirect(_list_url(unread_only, page))


@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    count = services.mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    unread_only, page = _list_state(request)
    if request.htmx:
        return _render_list(request, unread_only=unread_only, page=page)
    return redirect(_list_url(unread_only, page))


@require_GET
def open_notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    item = get_object_or_404(selectors.inbox_for(user=request.user), pk=pk)
    services.mark_read(actor=request.user, item=item)
    if item.link and url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()}):
        return redirect(item.link)
    return redirect("notifications:list")


@require_GET
@login_not_required
@never_cache
def bell(request: HttpRequest) -> HttpResponse:
    """The header bell alone, polled by htmx to refresh the unread badge."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    return TemplateResponse(request, "notifications/_bell.html", {})


@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    consent = selectors.marketing_consent_history(user=user).first()
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        choices=selectors.channel_choices_for(user=user),
        marketing_consent=bool(consent and consent.given),
        quiet_hours=selectors.quiet_hours_for(user=user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_preferences(
                actor=user,
                user=user,
                choices=form.channel_choices(),
                quiet_hours_enabled=form.cleaned_data["quiet_hours_enabled"],
                quiet_start_hour=form.cleaned_data["quiet_start_hour"],
                quiet_end_hour=form.cleaned_data["quiet_end_hour"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return TemplateResponse(request, "notifications/preferences.html", {"form": form, "marketing_consent": consent})


@csrf_exempt  # RFC 8058: mail clients POST the one-click unsubscribe without a session; the token authorises it
@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from news and offers, from the link in every marketing e-mail."""
    try:
        services.unsubscribe(token=token)
    except DomainError as error:
        return TemplateResponse(request, "notifications/unsubscribe.html", {"error": error.message}, status=400)
    return TemplateResponse(request, "notifications/unsubscribe.html", {"error": ""})
