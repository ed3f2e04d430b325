"""Input shape of dispute and messaging forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DecisionKind, DesiredOutcome, DisputeReason

PHOTO_ACCEPT = {"accept": "image/jpeg,image/png,image/webp"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs=dict(PHOTO_ACCEPT)))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class OpenDisputeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DisputeReason.choices)
    description = forms.CharField(label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    desired_outcome = forms.ChoiceField(
        label=_("What you want"), choices=DesiredOutcome.choices, widget=forms.RadioSelect, initial="full_refund"
    )
    desired_amount = forms.DecimalField(
        label=_("Amount for a partial refund, ₽"), required=False, min_value=0.01, max_digits=14, decimal_places=2
    )
    photos = MultiplePhotoField(label=_("Photos (up to 5)"))


class EvidenceForm(forms.Form):
    text = forms.CharField(
        label=_("Statement"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photos (up to 5)"))


class SellerResponseForm(forms.Form):
    ACTIONS = [
        ("accept", _("Accept the buyer's claim")),
        ("partial_refund", _("Propose a partial refund")),
        ("return_then_refund", _("Propose a return with a refund")),
        ("reject", _("Reject the claim")),
    ]
    action = forms.ChoiceField(label=_("Your answer"), choices=ACTIONS, widget=forms.RadioSelect)
    amount = forms.DecimalField(label=_("Amount, ₽"), required=False, min_value=0.01, max_digits=14, decimal_places=2)
    text = forms.CharField(
        label=_("Message to the buyer"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photos (up to 5)"))


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    amount = forms.DecimalField(
        label=_("Refund amount, ₽ (partial refund or return)"), required=False, max_digits=14, decimal_places=2
    )
    reasoning = forms.CharField(label=_("Reasoning (both parties see it)"), max_length=5000, widget=forms.Textarea)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How was the dispute handled?"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)]
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    image = forms.FileField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs=dict(PHOTO_ACCEPT)))


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    text = forms.CharField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
