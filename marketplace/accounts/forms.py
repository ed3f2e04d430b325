"""Account forms: signup with the consent 152-FZ requires, profile, account deletion, admin user forms."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminUserCreationForm as DjangoAdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from marketplace.legal import selectors as legal_selectors
from marketplace.legal import services as legal_services

from .models import TIME_ZONE_CHOICES, TIME_ZONE_LABELS, User
from .phone import format_phone, normalize_phone

EMAIL_TAKEN_MESSAGE = _("An account with this e-mail address already exists. Log in or reset your password.")


class SignupForm(AllauthSignupForm):
    field_order = ["email", "password1", "password2", "accept_terms", "marketing_opt_in"]

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and consent to the processing of my personal data under the privacy policy"),
        required=True,
        error_messages={"required": _("You must accept the terms of use and the privacy policy to sign up.")},
    )
    marketing_opt_in = forms.BooleanField(
        label=_("Send me news and offers by e-mail (you can unsubscribe at any time)"), required=False
    )

    def validate_unique_email(self, value: str) -> str:
        # allauth hides a taken address behind a "verification sent" page (enumeration prevention). The issue
        # asks for a clear error at signup instead; login and password reset still do not reveal accounts.
        email = super().validate_unique_email(value)
        if self.account_already_exists:
            raise forms.ValidationError(EMAIL_TAKEN_MESSAGE, code="email_taken")
        return email

    def save(self, request):
        user = super().save(request)
        documents = legal_selectors.documents_requiring_acceptance()
        legal_services.accept_documents(user=user, documents=documents, ip_address=client_ip(request), source="signup")
        if self.cleaned_data.get("marketing_opt_in"):
            from marketplace.notifications import services as notification_services

            notification_services.set_marketing_consent(user=user, consent=True, source="signup")
        return user


def client_ip(request) -> str | None:
    """The client's address as allauth sees it (honours ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def phone_field() -> forms.CharField:
    # Longer than the stored E.164 (16): people type spaces, brackets and hyphens; clean_phone normalises.
    return forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("For questions about deliveries, e.g. +7 912 345-67-89."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class ProfileForm(forms.Form):
    """What a buyer may keep on the account: name, phone for delivery questions, language and time zone."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = phone_field()
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, TIME_ZONE_LABELS.get(name, name)) for name, _label in TIME_ZONE_CHOICES]
    )

    @classmethod
    def for_user(cls, user: User, data=None) -> ProfileForm:
        initial = {field: getattr(user, field) for field in cls.base_fields}
        initial["phone"] = format_phone(user.phone) if user.phone else ""
        return cls(data, initial=initial)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Enter your password to confirm that you want to delete your account."),
    )

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="password_incorrect")
        return password


def _clean_unique_email(form: forms.ModelForm) -> str:
    email = User.objects.normalize_email(form.cleaned_data["email"]).lower()
    if User.objects.filter(email__iexact=email).exclude(pk=form.instance.pk).exists():
        raise forms.ValidationError(_("A user with this e-mail address already exists."), code="email_taken")
    return email


class AdminUserCreationForm(DjangoAdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        return _clean_unique_email(self)


class AdminUserChangeForm(DjangoUserChangeForm):
    phone = phone_field()

    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "first_name",
            "last_name",
            "phone",
            "language",
            "time_zone",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])
