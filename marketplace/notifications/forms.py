"""The notification settings form: a channel choice per category, and quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import kinds
from .exceptions import InvalidQuietHours, TransactionalChannelRequired
from .models import Category, Channel, QuietHours

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


def field_name(category: str, channel: str) -> str:
    return f"{category}__{channel}"


@dataclass
class CategoryRow:
    category: str
    label: str | Promise
    description: str | Promise
    kinds: list[kinds.Kind]
    fields: list[forms.BoundField]


class PreferencesForm(forms.Form):
    quiet_hours_enabled = forms.BooleanField(
        label=_("Hold non-urgent e-mail during quiet hours"),
        help_text=_("Security alerts and other urgent messages still arrive at once. Times are in your time zone."),
        required=False,
    )
    quiet_start_hour = forms.TypedChoiceField(label=_("Quiet from"), choices=HOUR_CHOICES, coerce=int)
    quiet_end_hour = forms.TypedChoiceField(label=_("Quiet until"), choices=HOUR_CHOICES, coerce=int)

    def __init__(
        self,
        data: Any = None,
        *,
        choices: dict[tuple[str, str], bool],
        marketing_consent: bool,
        quiet_hours: QuietHours,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        for category in Category:
            for channel in Channel:
                shown_on = choices[(category, channel)] and (category != Category.MARKETING or marketing_consent)
                self.fields[field_name(category, channel)] = forms.BooleanField(
                    label=channel.label, required=False, initial=shown_on
                )
        self.fields["quiet_hours_enabled"].initial = quiet_hours.enabled
        self.fields["quiet_start_hour"].initial = quiet_hours.start_hour
        self.fields["quiet_end_hour"].initial = quiet_hours.end_hour

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any(cleaned.get(field_name(Category.TRANSACTIONAL, channel)) for channel in Channel):
            raise forms.ValidationError(TransactionalChannelRequired.default_message, code="transactional")
        start, end = cleaned.get("quiet_start_hour"), cleaned.get("quiet_end_hour")
        if start is not None and start == end:
            self.add_error("quiet_end_hour", InvalidQuietHours.default_message)
        return cleaned

    def channel_choices(self) -> dict[tuple[str, str], bool]:
        return {
            (category.value, channel.value): bool(self.cleaned_data.get(field_name(category, channel)))
            for category in Category
            for channel in Channel
        }

    def rows(self) -> list[CategoryRow]:
        return [
            CategoryRow(
                category=category,
                label=category.label,
                description=kinds.CATEGORY_DESCRIPTIONS[category],
                kinds=kinds.kinds_in(category),
                fields=[self[field_name(category, channel)] for channel in Channel],
            )
            for category in Category
        ]
