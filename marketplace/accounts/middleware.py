"""Staff must use MFA: a staff user without an authenticator is sent to set one up before anything else."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/legal/")


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.MARKETPLACE_STAFF_MFA_REQUIRED
            and user.is_authenticated
            and user.is_staff
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and not request.session.get("staff_mfa_ok")
        ):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                request.session["staff_mfa_ok"] = True
            else:
                messages.warning(request, _("Staff accounts must turn on two-factor authentication before continuing."))
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
