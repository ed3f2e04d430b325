"""Signup with the consent that 152-FZ requires: the current terms and privacy policy, stored with time and IP."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.legal import selectors as legal_selectors
from marketplace.legal import services as legal_services


class SignupForm(AllauthSignupForm):
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and consent to the processing of my personal data under the privacy policy"),
        required=True,
        error_messages={"required": _("You must accept the terms of use and the privacy policy to sign up.")},
    )
    marketing_opt_in = forms.BooleanField(
        label=_("Send me news and offers by e-mail (you can unsubscribe at any time)"), required=False
    )

    def save(self, request):
        user = super().save(request)
        documents = legal_selectors.documents_requiring_acceptance()
        legal_services.accept_documents(user=user, documents=documents, ip_address=_client_ip(request), source="signup")
        if self.cleaned_data.get("marketing_opt_in"):
            from marketplace.notifications import services as notification_services

            notification_services.set_marketing_consent(user=user, consent=True, source="signup")
        return user


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class ProfileForm(forms.ModelForm):
    class Meta:
        from .models import User

        model = User
        fields = ["first_name", "last_name", "phone", "language", "time_zone"]
