"""Input shapes for the catalogue: admin forms for the category tree, seller and buyer forms."""

from __future__ import annotations

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _

from catalog.models import CHOICE_TYPES, Attribute, Category


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "name",
            "slug",
            "parent",
            "position",
            "is_active",
            "description",
            "commission_percent",
            "return_class",
            "return_days",
            "meta_title",
            "meta_description",
        ]

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        if parent and self.instance.pk and self.instance.pk in parent.ancestor_ids:
            self.add_error("parent", _("A category cannot be moved inside itself or its own subcategory."))
        if cleaned.get("return_class") == "custom" and not cleaned.get("return_days"):
            self.add_error("return_days", _("Enter the return period in days for a custom return class."))
        return cleaned


class AttributeAdminForm(forms.ModelForm):
    options = SimpleArrayField(
        forms.CharField(max_length=100),
        delimiter="\n",
        required=False,
        label=_("allowed values"),
        help_text=_("For choice types: one value per line."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
    )

    class Meta:
        model = Attribute
        fields = ["name", "code", "type", "unit", "options", "is_required", "is_filterable", "position", "help_text"]

    def clean_options(self):
        values = [" ".join(value.split()) for value in self.cleaned_data.get("options") or []]
        values = [value for value in values if value]
        lowered = [value.lower() for value in values]
        if len(set(lowered)) != len(lowered):
            raise forms.ValidationError(_("Each allowed value must appear once."))
        return values

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") in CHOICE_TYPES and not cleaned.get("options"):
            self.add_error("options", _("A choice attribute needs at least one allowed value."))
        return cleaned
