from __future__ import annotations

from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.core.http import AuthenticatedRequest

from . import selectors, services
from .forms import AcceptTermsForm
from .models import DocumentKind, PlatformTerms


def _kind_from_slug(slug: str) -> str:
    kind = slug.replace("-", "_")
    if kind not in DocumentKind.values:
        raise Http404
    return kind


@require_GET
@login_not_required
def document(request: HttpRequest, kind: str) -> HttpResponse:
    """The version of a platform document in force now, with links to earlier versions."""
    kind = _kind_from_slug(kind)
    current = selectors.current_document(kind=kind)
    if current is None:
        raise Http404
    return _render_document(request, current)


@require_GET
@login_not_required
def version(request: HttpRequest, kind: str, version: str) -> HttpResponse:
    kind = _kind_from_slug(kind)
    doc = get_object_or_404(selectors.versions_of(kind=kind), version=version)
    return _render_document(request, doc)


def _render_document(request: HttpRequest, doc: PlatformTerms) -> HttpResponse:
    language = translation.get_language() or "ru"
    context = {
        "doc": doc,
        "title": doc.title(language),
        "body": doc.body(language),
        "summary": doc.summary(language),
        "versions": selectors.versions_of(kind=doc.kind),
        "current": selectors.current_document(kind=doc.kind),
    }
    return TemplateResponse(request, "legal/document.html", context)


@require_http_methods(["GET", "POST"])
def accept(request: AuthenticatedRequest) -> HttpResponse:
    """Ask a signed-in user to accept new versions of the terms before going on."""
    pending = selectors.pending_documents_for(user=request.user)
    next_url = unquote(request.POST.get("next") or request.GET.get("next") or "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not pending:
        return redirect(next_url)
    form = AcceptTermsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_documents(
            user=request.user, documents=pending, ip_address=request.META.get("REMOTE_ADDR"), source="reaccept"
        )
        messages.success(request, _("Thank you. The new terms are accepted."))
        return redirect(next_url)
    language = translation.get_language() or "ru"
    docs = [{"doc": doc, "title": doc.title(language), "summary": doc.summary(language)} for doc in pending]
    return TemplateResponse(request, "legal/accept.html", {"form": form, "documents": docs, "next": next_url})
