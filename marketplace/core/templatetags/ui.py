"""Small template helpers for the shared UI components (no crispy-forms: Bootstrap classes are added here).

{% load ui %}
{% field form.email %}                          label, input with classes, help text, errors
{% time_left order.deadline as left %}          {{ left.text }} → «осталось 2 дня 4 часа»
{{ order.status|status_tone }}                  success / warning / danger / info / neutral
{% pagination page_obj %}                       page links keeping the other query parameters
{{ user.time_zone|time_zone_name }}             «Москва (МСК, UTC+3)» rather than Europe/Moscow
{% barcode order.number label %}                Code 128 as inline SVG (marketplace.core.barcodes)
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms, template
from django.conf import settings
from django.core.paginator import Page
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from marketplace.core.barcodes import code128_svg
from marketplace.core.icons import FALLBACK, ICONS

register = template.Library()


@register.simple_tag
def icon(name: str, **attributes: str) -> SafeString:
    """An inline SVG icon, decorative (the text beside it carries the meaning): `{% icon "cart" %}`,
    `{% icon "login" class="d-none d-sm-inline-block" %}`. An unknown name draws a circle."""
    extra = attributes.get("class")
    css = f"icon {escape(extra)}" if extra else "icon"
    return mark_safe(  # noqa: S308 - fixed markup; the class is escaped
        f'<svg class="{css}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">{ICONS.get(name, FALLBACK)}</svg>'
        "\n"  # a space before text that follows inline, as the include it replaced had
    )


# ------------------------------------------------------------------------------------------ form fields


def field_kind(widget: forms.Widget) -> str:
    """How a widget is laid out: hidden, checkbox, choices (radios / checkbox list), select, input."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is a RadioSelect too
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


_CLASS_FOR_KIND = {"checkbox": "form-check-input", "choices": "form-check-input", "select": "form-select"}


@register.inclusion_tag("components/_form_field.html")
def field(bound_field: forms.BoundField, label_html: str = "", hide_label: bool = False) -> dict:
    """Render one form field the Bootstrap way, labelled and with its help and errors wired by aria-describedby.

    `label_html` replaces the label text (e.g. a checkbox label with links, already escaped by the caller);
    `hide_label` keeps the label for screen readers only.
    """
    widget = bound_field.field.widget
    kind = field_kind(widget)
    auto_id = bound_field.auto_id or f"id_{bound_field.html_name}"
    help_id = f"{auto_id}_helptext"
    error_id = f"{auto_id}_error"
    css = [widget.attrs.get("class", ""), _CLASS_FOR_KIND.get(kind, "form-control")]
    if bound_field.errors:
        css.append("is-invalid")
    attrs: dict[str, str] = {"class": " ".join(c for c in css if c)}
    described_by = [part for part in widget.attrs.get("aria-describedby", "").split() if part]
    if bound_field.help_text:
        described_by.append(help_id)
    if bound_field.errors:
        described_by.append(error_id)
        attrs["aria-invalid"] = "true"
    if kind == "choices":
        # Each radio/checkbox of the group gets the class; the group's <fieldset> carries the description.
        widget.attrs = {**widget.attrs, "class": attrs["class"]}
        rendered = ""
    else:
        if described_by:
            attrs["aria-describedby"] = " ".join(dict.fromkeys(described_by))
        rendered = bound_field.as_widget(attrs=attrs) if kind != "hidden" else bound_field.as_widget()
    return {
        "field": bound_field,
        "kind": kind,
        "widget": rendered,
        "id": auto_id,
        "help_id": help_id,
        "error_id": error_id,
        "described_by": " ".join(dict.fromkeys(described_by)),
        "label_html": label_html,
        "hide_label": hide_label,
    }


# ------------------------------------------------------------------------------------------ countdown


@dataclass(frozen=True)
class TimeLeft:
    deadline: datetime.datetime
    text: str
    state: str  # "ok", "soon" (under a day) or "overdue"


@register.simple_tag
def time_left(deadline: datetime.datetime | None, now: datetime.datetime | None = None) -> TimeLeft | None:
    """«осталось 2 дня 4 часа» / "2 days 4 hours left"; the phrase agrees with its leading number."""
    if deadline is None:
        return None
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return TimeLeft(deadline, pgettext("deadline", "time is up"), "overdue")
    minutes_total = max(1, (seconds + 59) // 60)
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [ngettext("%(count)d day", "%(count)d days", days) % {"count": days}]
        if hours:
            parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
        text = npgettext("time left, counted in days", "%(duration)s left", "%(duration)s left", days)
    elif hours:
        parts = [ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}]
        if minutes:
            parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
        text = npgettext("time left, counted in hours", "%(duration)s left", "%(duration)s left", hours)
    else:
        parts = [ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}]
        text = npgettext("time left, counted in minutes", "%(duration)s left", "%(duration)s left", minutes)
    state = "soon" if days == 0 else "ok"
    return TimeLeft(deadline, text % {"duration": " ".join(parts)}, state)


# ------------------------------------------------------------------------------------------ status badges

_TONES = {
    "success": {
        "active",
        "approved",
        "completed",
        "delivered",
        "paid",
        "published",
        "received",
        "resolved",
        "verified",
    },
    "warning": {"awaiting_payment", "draft", "on_review", "pending", "pending_review", "review", "waiting"},
    "danger": {"banned", "blocked", "cancelled", "canceled", "disputed", "expired", "failed", "overdue", "rejected"},
    "info": {"in_transit", "new", "open", "processing", "shipped"},
}
_TONE_OF = {status: tone for tone, statuses in _TONES.items() for status in statuses}


@register.filter
def status_tone(status: object) -> str:
    """The badge colour for a status value; anything unknown is neutral (the text always says the status)."""
    return _TONE_OF.get(str(status).lower(), "neutral")


# ------------------------------------------------------------------------------------------ pagination


@register.filter
def time_zone_name(name: str) -> str:
    from marketplace.accounts.models import time_zone_label  # imported here: core loads before accounts

    return time_zone_label(name)


def whole_number(number: int) -> str:
    """An int as `localize` writes it, without its per-call lookups (a category page writes dozens of counts)."""
    return localize(number) if settings.USE_THOUSAND_SEPARATOR else str(number)


def page_range(page_obj: Page) -> list:
    """Page numbers around the current one, with Paginator.ELLIPSIS where pages are left out."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1))


@register.simple_tag(takes_context=True)
def pagination(context: template.Context, page_obj: Page | None) -> SafeString:
    """Page links that keep the other query parameters (filters, search): `{% pagination page_obj %}`.

    Nothing when everything fits on one page. Written here rather than as an included template: the include cost
    every catalogue page about half a millisecond, as much as its 24 cards.
    """
    if not isinstance(page_obj, Page) or not page_obj.has_other_pages():
        return mark_safe("")
    request = context.get("request")
    # The other parameters are encoded once, as QueryDict.urlencode does, and "page" goes where the address had
    # it (else last): each link as {% querystring page=number %} gives it, without encoding the query per link.
    query = request.GET if request is not None else QueryDict()
    pieces: list[str] = []
    page_at = None
    for name, values in query.lists():
        if name == "page":
            page_at = len(pieces)
            continue
        key = name.encode(query.encoding)
        pieces.extend(urlencode({key: str(value).encode(query.encoding)}) for value in values)
    if page_at is None:
        page_at = len(pieces)
    before, after = pieces[:page_at], pieces[page_at:]

    def href(number: int) -> str:
        return escape("?" + "&".join([*before, f"page={number}", *after]))

    def edge(label: str, number: int | None, rel: str) -> str:
        """The "Previous" or "Next" item: a link to page `number`, or greyed out at either end (None)."""
        if number is None:
            return f'<li class="page-item disabled"><span class="page-link">{escape(label)}</span></li>'
        return f'<li class="page-item"><a class="page-link" href="{href(number)}" rel="{rel}">{escape(label)}</a></li>'

    previous = page_obj.previous_page_number() if page_obj.has_previous() else None
    items = [edge(gettext("Previous"), previous, "prev")]
    ellipsis = page_obj.paginator.ELLIPSIS
    for number in page_range(page_obj):
        if number == ellipsis:
            items.append(
                f'<li class="page-item disabled d-none d-sm-block"><span class="page-link">{escape(number)}</span></li>'
            )
        elif number == page_obj.number:
            items.append(
                '<li class="page-item active" aria-current="page">'
                f'<span class="page-link">{escape(whole_number(number))}</span></li>'
            )
        else:
            items.append(
                f'<li class="page-item d-none d-sm-block"><a class="page-link" href="{href(number)}">'
                f"{escape(whole_number(number))}</a></li>"
            )
    items.append(edge(gettext("Next"), page_obj.next_page_number() if page_obj.has_next() else None, "next"))
    where = gettext("Page %(number)s of %(total)s") % {
        "number": whole_number(page_obj.number),
        "total": whole_number(page_obj.paginator.num_pages),
    }
    label = escape(gettext("Pages"))  # outside the f-string: makemessages does not find a call inside one
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<nav class="my-4" aria-label="{label}">\n'
        f'  <p class="visually-hidden">{escape(where)}</p>\n'
        '  <ul class="pagination flex-wrap justify-content-center">\n    '
        + "\n    ".join(items)
        + "\n  </ul>\n</nav>\n"
    )


# ------------------------------------------------------------------------------------------ error summary


@register.simple_tag
def error_summary(form: forms.BaseForm) -> dict:
    """Errors for the summary at the top of a form: general ones, then one line per field linking to it."""
    general = list(form.non_field_errors())
    fields = []
    for bound in form:
        if not bound.errors:
            continue
        if bound.is_hidden:
            general.extend(bound.errors)
            continue
        target = bound.auto_id or bound.html_name
        if field_kind(bound.field.widget) == "choices" and bound.subwidgets:
            target = bound.subwidgets[0].id_for_label
        fields.extend({"id": target, "label": bound.label, "message": message} for message in bound.errors)
    return {"general": general, "fields": fields, "count": len(general) + len(fields)}


@register.simple_tag
def formset_error_summary(formset: forms.BaseFormSet, row_label: str) -> dict:
    """The same for a formset's rows: its own errors, then one line per field naming the row ("Variant 2, Price")."""
    general = list(formset.non_form_errors())
    fields = []
    for number, form in enumerate(formset, start=1):
        summary = error_summary(form)
        general.extend(summary["general"])
        fields.extend({**item, "label": f"{row_label} {number}, {item['label']}"} for item in summary["fields"])
    return {"general": general, "fields": fields, "count": len(general) + len(fields)}


# ------------------------------------------------------------------------------------------ long texts

_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.\s+(\S.{0,120})$")


def _text_blocks(text: str) -> list[dict]:
    blocks = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        heading = _HEADING.match(chunk)
        if heading and "\n" not in chunk and not chunk.endswith((".", ";", ":")):
            blocks.append({"heading": True, "number": heading.group(1), "text": chunk})
        else:
            blocks.append({"heading": False, "text": chunk})
    return blocks


@register.filter
def document_sections(text: str) -> list[dict]:
    """A plain-text document as blocks: short numbered lines ("3. Returns") become headings, the rest paragraphs."""
    return _text_blocks(text)


@register.filter
def document_headings(text: str) -> list[dict]:
    """Only the numbered headings of a document, for its table of contents."""
    return [block for block in _text_blocks(text) if block["heading"]]


@register.simple_tag
def barcode(text: object, label: str) -> SafeString:
    """`text` as a Code 128 barcode in inline SVG, named `label` for screen readers."""
    return code128_svg(str(text), label=label)
