"""Input shapes for the catalogue: admin forms for the category tree, seller and buyer forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    CHOICE_TYPES,
    Attribute,
    AttributeType,
    Category,
    HandlingFlag,
    ImportMode,
    RejectionReason,
    ReportReason,
)


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


# --- buyers -------------------------------------------------------------------------------------------


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=1000,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Questions and answers are public. Do not share phone numbers or addresses."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), max_length=2000, min_length=2, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- sellers ------------------------------------------------------------------------------------------


class CategoryChoiceField(forms.TypedChoiceField):
    """Leaf categories only, labelled with their full path ("Одежда › Обувь › Кроссовки")."""

    def __init__(self, **kwargs):
        super().__init__(choices=_leaf_choices, coerce=int, empty_value=None, **kwargs)


def _leaf_choices() -> list[tuple[object, str]]:
    """Read when a form is built, not at import (the tree lives in the database)."""
    from catalog.selectors import category_tree

    tree = category_tree()
    return [("", "—")] + [(node.id, tree.full_name(node)) for node in tree.leaves()]


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, min_length=3)
    category = CategoryChoiceField(label=_("Category"))
    brand = forms.CharField(label=_("Brand"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text. Separate paragraphs with an empty line; start list items with “- ”."),
    )
    package_contents = forms.CharField(
        label=_("Package contents"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item per line: the product, manual, warranty card, accessories."),
    )
    handling_days = forms.IntegerField(
        label=_("Handling time, days"),
        min_value=0,
        max_value=30,
        initial=1,
        help_text=_("Days to hand an order over for delivery."),
    )
    weight_g = forms.IntegerField(label=_("Weight, g"), min_value=1, max_value=1_000_000, required=False)
    length_mm = forms.IntegerField(label=_("Length, mm"), min_value=1, max_value=100_000, required=False)
    width_mm = forms.IntegerField(label=_("Width, mm"), min_value=1, max_value=100_000, required=False)
    height_mm = forms.IntegerField(label=_("Height, mm"), min_value=1, max_value=100_000, required=False)
    handling_flags = forms.MultipleChoiceField(
        label=_("Handling"), choices=HandlingFlag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("A link to a short video review."),
    )
    meta_title = forms.CharField(label=_("Title for search engines"), max_length=160, required=False)
    meta_description = forms.CharField(
        label=_("Description for search engines"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    low_stock_threshold = forms.IntegerField(
        label=_("Warn me when stock falls to"), min_value=0, max_value=100_000, initial=3
    )
    restock_date = forms.DateField(
        label=_("Expected restock date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    DETAIL_FIELDS = (
        "handling_days",
        "weight_g",
        "length_mm",
        "width_mm",
        "height_mm",
        "handling_flags",
        "video_url",
        "meta_title",
        "meta_description",
        "low_stock_threshold",
        "restock_date",
    )

    def clean_restock_date(self):
        date = self.cleaned_data["restock_date"]
        if date and date < timezone.localdate() and date != self.initial.get("restock_date"):
            raise forms.ValidationError(_("The expected restock date cannot be in the past."))
        return date

    def clean_video_url(self):
        url = self.cleaned_data["video_url"]
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(_("Use an https:// link."))
        return url

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.DETAIL_FIELDS} | {
            "video_url": self.cleaned_data.get("video_url") or "",
            "meta_title": self.cleaned_data.get("meta_title") or "",
            "meta_description": self.cleaned_data.get("meta_description") or "",
            "handling_flags": self.cleaned_data.get("handling_flags") or [],
        }


BOOLEAN_CHOICES = [("", _("Not specified")), ("yes", _("Yes")), ("no", _("No"))]


class AttributesForm(forms.Form):
    """One field per attribute of the category's schema; values are checked again by the service."""

    prefix = "attr"

    def __init__(self, *args, schema=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = list(schema)
        for attribute in self.schema:
            label = f"{attribute.name}, {attribute.unit}" if attribute.unit else attribute.name
            common = {"label": label, "required": False, "help_text": attribute.help_text}
            if attribute.type == AttributeType.NUMBER:
                field = forms.DecimalField(max_digits=14, decimal_places=4, localize=True, **common)
            elif attribute.type == AttributeType.CHOICE:
                field = forms.ChoiceField(choices=[("", "—"), *[(o, o) for o in attribute.options]], **common)
            elif attribute.type == AttributeType.MULTI_CHOICE:
                field = forms.MultipleChoiceField(
                    choices=[(o, o) for o in attribute.options], widget=forms.CheckboxSelectMultiple, **common
                )
            elif attribute.type == AttributeType.BOOLEAN:
                field = forms.ChoiceField(choices=BOOLEAN_CHOICES, widget=forms.RadioSelect, **common)
            else:
                field = forms.CharField(max_length=200, **common)
            if attribute.is_required:
                field.label = f"{label} *"
            self.fields[attribute.code] = field

    @staticmethod
    def initial_from(schema, values: dict) -> dict:
        initial = {}
        for attribute in schema:
            if attribute.code not in values:
                continue
            value = values[attribute.code]
            if attribute.type == AttributeType.BOOLEAN:
                value = "yes" if value else "no"
            initial[attribute.code] = value
        return initial

    def values(self) -> dict:
        result = {}
        for attribute in self.schema:
            value = self.cleaned_data.get(attribute.code)
            if attribute.type == AttributeType.BOOLEAN:
                value = {"yes": True, "no": False}.get(value)
            if value in (None, "", []):
                continue
            result[attribute.code] = str(value) if attribute.type == AttributeType.NUMBER else value
        return result


class VariantForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    sku = forms.CharField(label=_("SKU"), max_length=64)
    option1 = forms.CharField(label=_("Option 1"), max_length=60, required=False)
    option2 = forms.CharField(label=_("Option 2"), max_length=60, required=False)
    price = forms.DecimalField(
        label=_("Price, ₽"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2, localize=True
    )
    old_price = forms.DecimalField(
        label=_("Old price, ₽"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        required=False,
        localize=True,
    )
    on_hand = forms.IntegerField(label=_("In stock"), min_value=0, max_value=1_000_000, initial=0)
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        price, old_price = cleaned.get("price"), cleaned.get("old_price")
        if price and old_price and old_price <= price:
            self.add_error("old_price", _("The old price must be higher than the price."))
        return cleaned


class BaseVariantFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        skus = [form.cleaned_data["sku"].strip().lower() for form in self.forms if self._kept(form)]
        if not skus:
            raise forms.ValidationError(_("Add at least one variant with a price."))
        if len(set(skus)) != len(skus):
            raise forms.ValidationError(_("Each variant needs its own SKU."))

    def _kept(self, form) -> bool:
        return bool(form.cleaned_data) and form.cleaned_data.get("sku") and not form.cleaned_data.get("DELETE")

    def kept_forms(self):
        return [form for form in self.forms if self._kept(form)]


VariantFormSet = forms.formset_factory(
    VariantForm, formset=BaseVariantFormSet, extra=1, can_delete=True, max_num=100, validate_max=True
)


class OptionNamesForm(forms.Form):
    option1_name = forms.CharField(label=_("Name of option 1"), max_length=40, required=False, help_text=_("E.g. Size"))
    option2_name = forms.CharField(
        label=_("Name of option 2"), max_length=40, required=False, help_text=_("E.g. Colour")
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked on its own later (catalog.images)."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at least 900 px on the short side, up to 10 MB each."),
    )


class PhotoArrangeForm(forms.Form):
    """Alt texts and order as posted: photo-<id>-alt, photo-<id>-position."""

    def __init__(self, *args, photo_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.photo_ids = list(photo_ids)
        for photo_id in self.photo_ids:
            self.fields[f"photo-{photo_id}-alt"] = forms.CharField(max_length=200, required=False)
            self.fields[f"photo-{photo_id}-position"] = forms.IntegerField(min_value=0, max_value=100, required=False)

    def arrangement(self) -> list[dict]:
        items = [(self.cleaned_data.get(f"photo-{pk}-position"), index, pk) for index, pk in enumerate(self.photo_ids)]
        items.sort(key=lambda item: (item[0] if item[0] is not None else item[1], item[1]))
        return [{"id": pk, "alt": self.cleaned_data.get(f"photo-{pk}-alt", "")} for _position, _index, pk in items]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("XLSX or CSV, UTF-8, with the columns of the template."))
    mode = forms.ChoiceField(
        label=_("If some rows have errors"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): show every row's errors, write nothing"), required=False, initial=True
    )

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > settings.MARKETPLACE_CATALOG_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.MARKETPLACE_CATALOG_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ModerationDecisionForm(forms.Form):
    """A rejection or block reason: a manager's template, the moderator's own words, or both."""

    template = forms.ModelChoiceField(
        label=_("Reason template"), queryset=RejectionReason.objects.all(), required=False, empty_label=_("— none —")
    )
    reason = forms.CharField(
        label=_("Reason for the seller"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get("template").text if cleaned.get("template") else "", cleaned.get("reason", "")]
        text = "\n\n".join(part.strip() for part in parts if part and part.strip())
        if not text:
            raise forms.ValidationError(_("Pick a reason template or write the reason."))
        cleaned["text"] = text
        return cleaned


class PromoForm(forms.Form):
    """A promo price for one variant, for a period (the service checks it against the honest-discount rule)."""

    _widget = {"type": "datetime-local"}
    _formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]

    price = forms.DecimalField(
        label=_("Promo price, ₽"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2, localize=True
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=_formats,
        widget=forms.DateTimeInput(attrs=_widget, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        input_formats=_formats,
        widget=forms.DateTimeInput(attrs=_widget, format="%Y-%m-%dT%H:%M"),
    )
