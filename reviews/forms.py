"""Input shapes for reviews: the service re-validates everything (stars as whole 1–5, lengths, photos)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AspectKind, DisplayName, ReportReason, ReviewAspect

STAR_CHOICES = [(str(value), str(value)) for value in range(5, 0, -1)]
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ProductReviewForm(forms.Form):
    stars = forms.ChoiceField(label=_("Rating"), choices=STAR_CHOICES, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Review"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    pros = forms.CharField(label=_("Pros"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    cons = forms.CharField(label=_("Cons"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    display_name = forms.ChoiceField(
        label=_("Show me as"), choices=DisplayName.choices, initial=DisplayName.NAME_INITIAL
    )
    photos = MultipleFileField(label=_("Photos"), required=False, help_text=_("Up to 5 photos: JPEG, PNG or WebP."))

    def __init__(self, *args, aspects: list[ReviewAspect] = (), **kwargs):
        """`aspects`: the questions of the listing's category, each an optional radio group."""
        super().__init__(*args, **kwargs)
        self.aspects = list(aspects)
        for aspect in self.aspects:
            choices = YES_NO_CHOICES if aspect.kind == AspectKind.YES_NO else STAR_CHOICES
            self.fields[self.aspect_field(aspect)] = forms.ChoiceField(
                label=aspect.name, choices=choices, required=False, widget=forms.RadioSelect
            )

    @staticmethod
    def aspect_field(aspect: ReviewAspect) -> str:
        return f"aspect_{aspect.pk}"

    def aspect_fields(self) -> list[forms.BoundField]:
        return [self[self.aspect_field(aspect)] for aspect in self.aspects]

    def aspect_answers(self) -> dict[int, str]:
        return {aspect.pk: self.cleaned_data.get(self.aspect_field(aspect), "") for aspect in self.aspects}

    @classmethod
    def aspect_initial(cls, answers) -> dict[str, str]:
        """Form initial values from saved answers (yes/no stored as 1/0)."""
        return {
            f"aspect_{answer.aspect_id}": (
                ("yes" if answer.value else "no") if answer.aspect.kind == AspectKind.YES_NO else str(answer.value)
            )
            for answer in answers
        }


class SellerReviewForm(forms.Form):
    service_stars = forms.ChoiceField(label=_("Seller's service"), choices=STAR_CHOICES, widget=forms.RadioSelect)
    delivery_stars = forms.ChoiceField(label=_("Delivery"), choices=STAR_CHOICES, widget=forms.RadioSelect)
    packaging_stars = forms.ChoiceField(label=_("Packaging"), choices=STAR_CHOICES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    display_name = forms.ChoiceField(
        label=_("Show me as"), choices=DisplayName.choices, initial=DisplayName.NAME_INITIAL
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong"), choices=ReportReason.choices)
    text = forms.CharField(
        label=_("Details"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the review is not about the product"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(forms.Form):
    body = forms.CharField(
        label=_("Why this incident is not your fault"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
