"""Account pages beyond allauth's: language switch, profile settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from marketplace.core.http import AuthenticatedRequest

from . import services
from .forms import ProfileForm


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
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return TemplateResponse(request, "accounts/profile.html", {"form": form})
