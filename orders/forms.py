"""Input shapes of the orders pages. Prices, sellers and costs never come from a form."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from buyers.forms import AddressForm  # noqa: F401  (checkout adds addresses with the address book's form)
from buyers.models import Address

from .models import SELLER_RETURN_DAYS_MAX, SELLER_RETURN_DAYS_MIN, DeliveryMethod, ReturnReason, ReturnResolution


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", settings.MARKETPLACE_ORDER_MAX_QUANTITY)
        kwargs.setdefault("label", _("Quantity"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Enter a whole number of items."),
                "min_value": _("At least one item."),
                "max_value": _("At most %(limit_value)s items per product."),
            },
        )
        super().__init__(**kwargs)


class AddToCartForm(forms.Form):
    variant = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = QuantityField(initial=1, required=False)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1


class CartLineForm(forms.Form):
    quantity = QuantityField()


class CheckoutForm(forms.Form):
    """Address and one delivery method per seller; the hidden checkout key makes a replayed POST harmless."""

    checkout_key = forms.UUIDField(widget=forms.HiddenInput)
    address = forms.ModelChoiceField(
        queryset=Address.objects.none(), label=_("Delivery address"), empty_label=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, buyer, groups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = Address.objects.filter(user=buyer)
        if not self.is_bound:
            self.initial.setdefault("checkout_key", uuid.uuid4())
            default = self.fields["address"].queryset.first()
            if default:
                self.initial.setdefault("address", default.pk)
        self.groups = groups
        for group in groups:
            self.fields[f"delivery_{group.seller.pk}"] = forms.ModelChoiceField(
                queryset=DeliveryMethod.objects.filter(seller=group.seller, is_active=True),
                label=_("Delivery"),
                empty_label=None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of this seller's delivery methods.")},
            )
            if group.methods and not self.is_bound:
                self.initial.setdefault(f"delivery_{group.seller.pk}", group.methods[0].pk)

    def delivery_method_ids(self) -> dict[int, int]:
        return {group.seller.pk: self.cleaned_data[f"delivery_{group.seller.pk}"].pk for group in self.groups}


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SellerCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the buyer"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.RegexField(
        label=_("Tracking number"),
        regex=r"^[A-Za-z0-9-]{4,40}$",
        max_length=40,
        error_messages={"invalid": _("A tracking number has 4 to 40 Latin letters, digits and dashes.")},
    )


class ReturnRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    text = forms.CharField(
        label=_("What happened"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolution = forms.ChoiceField(
        label=_("What you want"),
        choices=ReturnResolution.choices,
        widget=forms.RadioSelect,
        initial=ReturnResolution.REFUND,
    )
    exchange_variant = forms.IntegerField(label=_("Variant for the exchange"), required=False, min_value=1)
    photos = forms.FileField(
        label=_("Photos (up to 5)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        for line in order.lines.all():
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=line.title,
                min_value=0,
                max_value=line.quantity,
                required=False,
                initial=0,
                error_messages={
                    "max_value": _("You bought %(limit_value)s of this item."),
                    "min_value": _("Enter zero or more."),
                    "invalid": _("Enter a whole number."),
                },
            )

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0 for line in self.order.lines.all()}


class ReturnDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject")), ("partial", _("Offer a partial refund"))]
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = forms.DecimalField(
        label=_("Partial refund, RUB"), max_digits=14, decimal_places=2, required=False, min_value=Decimal("0.01")
    )


class ReturnReceiptForm(forms.Form):
    resellable = forms.BooleanField(
        label=_("The items can be sold again (back to stock)"), required=False, initial=True
    )


class DeliveryMethodForm(forms.ModelForm):
    class Meta:
        model = DeliveryMethod
        fields = [
            "kind",
            "name",
            "price_rule",
            "price",
            "free_above",
            "price_per_kg",
            "regions",
            "days_min",
            "days_max",
            "is_active",
        ]
        widgets = {"regions": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if (
            data.get("days_min") is not None
            and data.get("days_max") is not None
            and data["days_max"] < data["days_min"]
        ):
            self.add_error("days_max", _("The longest delivery time cannot be shorter than the shortest."))
        return data


class PayoutForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount, RUB (empty: everything available)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
    )


class SellerReturnPolicyForm(forms.Form):
    """The seller's own return period; empty means the legal minimum."""

    return_days = forms.IntegerField(
        label=_("Return period for goods of proper quality, days"),
        required=False,
        min_value=SELLER_RETURN_DAYS_MIN,
        max_value=SELLER_RETURN_DAYS_MAX,
        help_text=_(
            "Leave empty for the legal minimum of 7 days. Buyers get the longest of the law, the category's period "
            "and yours; non-returnable categories stay non-returnable. Orders already placed keep their terms."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number of days."),
            "min_value": _("The law already gives buyers %(limit_value)s days: enter at least %(limit_value)s."),
            "max_value": _("At most %(limit_value)s days."),
        },
    )
