"""Staff must use MFA: a staff user without TOTP is sent to set it up before any other page, admin included."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# What a staff user without TOTP may still open: the two-factor pages themselves (activation asks to
# re-enter the password after a while), logging out, and what every page needs (static files, language,
# health checks, the legal documents they are asked to accept).
EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/static/",
    "/media/",
    "/healthz",
    "/i18n/",
    "/legal/",
)


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MARKETPLACE_STAFF_MFA_REQUIRED
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.user.is_authenticated
            and request.user.is_staff
            # Checked on every staff request (one indexed query): staff cannot remove TOTP (see accounts.mfa),
            # but a flag cached in the session would outlive an authenticator deleted in the admin.
            and not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(request, _("Staff accounts must turn on two-factor authentication before continuing."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
