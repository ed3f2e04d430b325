from django import forms
from django.utils.translation import gettext_lazy as _


class AcceptTermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and accept the new versions of these documents"),
        required=True,
        error_messages={"required": _("Please accept the new versions to continue using the marketplace.")},
    )
