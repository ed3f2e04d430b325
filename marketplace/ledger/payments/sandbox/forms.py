from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cards import luhn_valid, normalise, test_card

_EXPIRY = re.compile(r"^(0[1-9]|1[0-2])\s*/?\s*(\d{2})$")


class CardForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "placeholder": "4242 4242 4242 4242"}
        ),
    )
    expiry = forms.CharField(
        label=_("Valid thru (MM/YY)"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "12/30"}),
    )
    cvc = forms.CharField(
        label=_("CVC"),
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "placeholder": "123"}),
    )
    holder = forms.CharField(
        label=_("Name on the card"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )

    def clean_number(self) -> str:
        number = normalise(self.cleaned_data["number"])
        if not luhn_valid(number):
            raise forms.ValidationError(_("This card number is not valid."), code="invalid")
        if test_card(number) is None:
            raise forms.ValidationError(
                _("This is a test payment page: use one of the test cards listed on the page."), code="not_test_card"
            )
        return number

    def clean_expiry(self) -> str:
        match = _EXPIRY.match(self.cleaned_data["expiry"].strip())
        if not match:
            raise forms.ValidationError(_("Enter the month and year as on the card, e.g. 12/30."), code="invalid")
        month, year = int(match.group(1)), 2000 + int(match.group(2))
        today = timezone.localdate()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("This card has expired."), code="expired")
        return f"{month:02d}/{year % 100:02d}"

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not cvc.isdigit() or len(cvc) not in (3, 4):
            raise forms.ValidationError(_("The CVC is the 3 digits on the back of the card."), code="invalid")
        return cvc


class ThreeDSForm(forms.Form):
    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."), code="invalid")
        return code
