"""Input shapes of the buyers' pages."""

from __future__ import annotations

import re

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from buyers.models import Address


class AddressForm(forms.ModelForm):
    """An address with its recipient; the phone may be typed as people write it and is stored as +7 and ten digits (+79123456789)."""

    # Longer than the stored 16 characters: "+7 (912) 345-67-89" is accepted and normalised.
    phone = forms.CharField(
        label=capfirst(Address._meta.get_field("phone").verbose_name),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "+79123456789"}),
    )

    class Meta:
        model = Address
        fields = ["recipient_name", "phone", "region", "city", "street", "house", "flat", "postcode", "is_default"]
        widgets = {
            "recipient_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        }

    def clean_phone(self) -> str:
        """+7 912 345-67-89, 8 (912) 345-67-89 and 79123456789 all mean +79123456789."""
        phone = self.cleaned_data["phone"]
        digits = re.sub(r"[\s()\-]", "", phone)
        if re.fullmatch(r"8\d{10}", digits):
            digits = "+7" + digits[1:]
        elif re.fullmatch(r"7\d{10}", digits):
            digits = "+" + digits
        if not re.fullmatch(r"\+7\d{10}", digits):
            raise forms.ValidationError(_("Enter the phone as +7 and ten digits, e.g. +79123456789."))
        return digits

    def clean_postcode(self) -> str:
        return self.cleaned_data["postcode"].strip()
