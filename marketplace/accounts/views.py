"""Account pages beyond allauth's: language switch, profile, personal-data export, account deletion."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from marketplace.core.exceptions import DomainError
from marketplace.core.http import AuthenticatedRequest

from . import selectors, services
from .forms import DeleteAccountForm, ProfileForm


@require_POST
@login_not_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (cookie) and remember it on the account for e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        services.set_user_language(user=request.user, language=language)
    return response


@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm.for_user(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        # The language chosen here is the interface language too, not only the one of e-mails.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
    return TemplateResponse(request, "accounts/profile.html", {"form": form})


@require_GET
@never_cache
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    """Download everything the platform keeps about the signed-in user as one JSON file."""
    data = selectors.personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"marketplace-personal-data-{request.user.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@never_cache
def delete_account(request: AuthenticatedRequest) -> HttpResponse:
    """Ask for the password, then deactivate and anonymise the account and sign the user out."""
    user = request.user
    form = DeleteAccountForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user=user, actor=user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, _("Your account was deleted. We are sorry to see you go."))
            return redirect("home")
    is_staff = user.is_staff or user.is_superuser
    return TemplateResponse(request, "accounts/delete.html", {"form": form, "is_staff": is_staff})
