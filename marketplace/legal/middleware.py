"""After a new version of the terms takes effect, a signed-in user accepts it before going on."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import selectors

_EXEMPT_PREFIXES = ("/legal/", "/accounts/logout/", "/static/", "/media/", "/healthz", "/i18n/", "/dev/")
_SESSION_KEY = "legal_accepted_ids"


class TermsAcceptanceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_EXEMPT_PREFIXES):  # before touching the user: /healthz must not load a session
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            current_ids = selectors.document_ids_requiring_acceptance()
            if request.session.get(_SESSION_KEY) != current_ids:
                if selectors.pending_documents_for(user=user):
                    return redirect(f"{reverse('legal:accept')}?{urlencode({'next': request.get_full_path()})}")
                request.session[_SESSION_KEY] = current_ids
        return self.get_response(request)
