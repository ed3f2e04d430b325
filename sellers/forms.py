"""Input shapes for the seller pages. Rules live in validators/services; forms show their errors by field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import validators
from .models import (
    REQUIRED_DOCUMENTS,
    CaseTopic,
    DocumentKind,
    LegalForm,
    Sanction,
    SellerApplication,
    TeamRole,
)

DIGITS = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}


def add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Domain errors by field name onto the form; names the form lacks become general errors."""
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class ApplicationStepForm(forms.Form):
    """A wizard step. Checks the step's fields with the same rules the submission uses."""

    step_fields: tuple[str, ...] = ()

    def __init__(self, *args, application: SellerApplication, change_requests=(), **kwargs):
        self.application = application
        initial = {field: getattr(application, field) for field in self.step_fields}
        super().__init__(*args, initial=initial, **kwargs)
        for request in change_requests:
            if request.field in self.fields and request.resolved_at is None:
                note = _("Moderator's note: %(message)s") % {"message": request.message}
                help_text = self.fields[request.field].help_text
                self.fields[request.field].help_text = f"{note} {help_text}" if help_text else note

    def clean(self):
        cleaned = super().clean()
        context = {"legal_form": self.application.legal_form, "bik": self.application.bik, **cleaned}
        values, errors = validators.clean_application_values(context, self.step_fields)
        for field, messages in errors.items():
            if field in self.fields and field not in self.errors:
                for message in messages:
                    self.add_error(field, message)
        cleaned.update({field: value for field, value in values.items() if field not in errors})
        return cleaned


class LegalStepForm(ApplicationStepForm):
    step_fields = ("legal_form", "legal_name", "inn", "ogrn", "kpp", "legal_address")

    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices, widget=forms.RadioSelect)
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=255,
        required=False,
        help_text=_(
            "As in the registry: ООО «Ромашка», ИП Иванов Иван Иванович, or the full name of a self-employed person."
        ),
    )
    inn = forms.CharField(
        label=_("INN"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=DIGITS),
        help_text=_("10 digits for an ООО, 12 digits for an ИП or a self-employed person."),
    )
    ogrn = forms.CharField(
        label=_("OGRN / OGRNIP"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=DIGITS),
        help_text=_("OGRN (13 digits) for an ООО, OGRNIP (15 digits) for an ИП; empty for the self-employed."),
    )
    kpp = forms.CharField(
        label=_("KPP"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("9 characters, only for an ООО."),
    )
    legal_address = forms.CharField(
        label=_("Legal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text=_("Region, city, street, house, office, postcode."),
    )

    def clean(self):
        # The legal form chosen on this page decides which numbers are required.
        self.application.legal_form = self.cleaned_data.get("legal_form") or self.application.legal_form
        return super().clean()


class BankStepForm(ApplicationStepForm):
    step_fields = ("bank_name", "bik", "settlement_account", "correspondent_account")

    bank_name = forms.CharField(label=_("Bank name"), max_length=255, required=False)
    bik = forms.CharField(
        label=_("BIK"),
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs=DIGITS),
        help_text=_("9 digits, starts with 04."),
    )
    settlement_account = forms.CharField(
        label=_("Settlement account"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=DIGITS),
        help_text=_("20 digits. We check it against the BIK with the Central Bank control key."),
    )
    correspondent_account = forms.CharField(
        label=_("Correspondent account"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=DIGITS),
        help_text=_("20 digits, starts with 301."),
    )

    def clean(self):
        self.application.bik = validators.digits(self.cleaned_data.get("bik", ""))
        return super().clean()


class ContactStepForm(ApplicationStepForm):
    step_fields = (
        "contact_name",
        "contact_phone",
        "contact_email",
        "store_name",
        "store_slug",
        "planned_categories",
        "business_description",
    )

    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("A Russian number, e.g. +7 912 345-67-89."),
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    store_name = forms.CharField(
        label=_("Store name"),
        max_length=80,
        required=False,
        help_text=_("Buyers see it on the storefront and listings."),
    )
    store_slug = forms.CharField(
        label=_("Store address"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Latin letters, digits and hyphens: your storefront will be at /s/<address>/."),
    )
    planned_categories = forms.CharField(
        label=_("Planned categories"),
        max_length=500,
        required=False,
        help_text=_("For example: Электроника, Дом и сад."),
    )
    business_description = forms.CharField(
        label=_("About the business and products"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, legal_form: str, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [*REQUIRED_DOCUMENTS.get(legal_form, ()), DocumentKind.OTHER]
        labels = dict(DocumentKind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]


class SubmitApplicationForm(forms.Form):
    accept_offer = forms.BooleanField(label=_("I accept the seller offer"), required=False)


class StorefrontForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    return_policy = forms.CharField(
        label=_("Return policy"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At least what the law requires: 7 days for goods of proper quality bought online."),
    )
    shipping_policy = forms.CharField(
        label=_("Shipping policy"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPEG or PNG; square works best."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    banner = forms.FileField(
        label=_("Banner"),
        required=False,
        help_text=_("JPEG or PNG, wide (e.g. 1600 × 400)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove_banner = forms.BooleanField(label=_("Remove the banner"), required=False)


class VacationForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))


class BankChangeForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank name"), max_length=255, required=False)
    bik = forms.CharField(label=_("BIK"), max_length=15, widget=forms.TextInput(attrs=DIGITS))
    settlement_account = forms.CharField(
        label=_("Settlement account"), max_length=30, widget=forms.TextInput(attrs=DIGITS)
    )
    correspondent_account = forms.CharField(
        label=_("Correspondent account"), max_length=30, widget=forms.TextInput(attrs=DIGITS)
    )
    comment = forms.CharField(
        label=_("Comment for the moderator"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (TeamRole.MANAGER.value, TeamRole.MANAGER.label),
            (TeamRole.WAREHOUSE.value, TeamRole.WAREHOUSE.label),
        ],
        widget=forms.RadioSelect,
        initial=TeamRole.MANAGER,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (TeamRole.MANAGER.value, TeamRole.MANAGER.label),
            (TeamRole.WAREHOUSE.value, TeamRole.WAREHOUSE.label),
        ],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CaseForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=CaseTopic.choices)
    sanction = forms.ModelChoiceField(
        label=_("Sanction you appeal"),
        queryset=Sanction.objects.none(),
        required=False,
        help_text=_("For a case about a sanction. Each sanction can be appealed once."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("What happened and what you ask for"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(
        label=_("Files"), required=False, help_text=_("Up to 5 files: PDF, JPEG or PNG up to 10 MB each.")
    )

    def __init__(self, *args, sanctions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sanction"].queryset = sanctions
        self.fields["sanction"].label_from_instance = lambda sanction: (
            f"{sanction.get_level_display()} — {sanction.rule} ({sanction.imposed_at:%d.%m.%Y})"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("topic") == CaseTopic.SANCTION and not cleaned.get("sanction"):
            self.add_error("sanction", _("Choose the sanction you appeal."))
        if cleaned.get("sanction") and cleaned.get("topic") != CaseTopic.SANCTION:
            self.add_error("topic", _("A sanction can be attached only to a case about a sanction."))
        return cleaned


class CaseReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("Files"), required=False, help_text=_("Up to 5 files: PDF, JPEG or PNG up to 10 MB each.")
    )


class CaseCloseForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how the case was handled?"),
        choices=[("", _("Rather not say")), *[(str(n), str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
