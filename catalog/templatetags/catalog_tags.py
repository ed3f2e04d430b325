"""Catalogue template helpers: the listing card, delivery wording, listing descriptions as safe HTML.

{% load catalog_tags %}
{% listing_card listing %}                 the one card (components/_listing_card.html) for a Card or Listing
{{ listing.description|listing_text }}    paragraphs and "- " lists, every piece escaped
{{ listing.handling_days|ship_text }}      «Отправка завтра» / «Отправка 25 ноября»
"""

from __future__ import annotations

from collections import OrderedDict

from django import template
from django.template.loader import render_to_string
from django.utils import dateformat, formats, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.models import Listing
from catalog.selectors.listings import Card, Facet

register = template.Library()

LIST_MARKERS = ("- ", "• ", "* ", "— ")
STATUS_TONES = {
    "draft": "neutral",
    "pending_moderation": "warning",
    "published": "success",
    "rejected": "danger",
    "paused": "neutral",
    "blocked": "danger",
    "archived": "neutral",
}


@register.filter
def ship_text(handling_days: int | None) -> str:
    days = handling_days or 0
    if days == 0:
        return _("Ships today")
    if days == 1:
        return _("Ships tomorrow")
    date = timezone.localdate() + timezone.timedelta(days=days)
    return _("Ships by %(date)s") % {"date": dateformat.format(date, "j E")}


CARD_TEMPLATE = "components/_listing_card.html"
CARD_CACHE_SIZE = 5000
_card_cache: OrderedDict[tuple, str] = OrderedDict()


def card_context(card: Card, photo_size: int = 400, actions: str = "") -> dict:
    """The shared card's fields for a Card (no query here)."""
    return {
        "url": card.get_absolute_url(),
        "title": card.title,
        "photo_url": card.photo_url,
        "photo_alt": card.photo_alt or card.title,
        "photo_size": photo_size,
        "price": card.price,
        "old_price": card.old_price if card.discount_percent else None,
        "discount_percent": card.discount_percent,
        "rating": card.rating_avg,
        "reviews_count": card.rating_count,
        "delivery_text": ship_text(card.handling_days) if card.in_stock else _("Out of stock"),
        "seller_name": card.seller_name,
        "actions": actions,
    }


@register.simple_tag
def listing_card(listing: Card | Listing, photo_size: int = 400, actions: str = "") -> SafeString:
    """The one card (components/_listing_card.html) for a Card, or a Listing fetched with card_queryset.

    Grids render dozens of cards, so each process keeps the HTML of recent cards; the key holds every
    value the card shows (the Card itself, and the language and day), so a changed price or stock renders afresh.
    """
    card = listing if isinstance(listing, Card) else Card.of(listing)
    key = (translation.get_language(), timezone.localdate(), card, photo_size, actions)
    html = _card_cache.get(key)
    if html is None:
        html = mark_safe(render_to_string(CARD_TEMPLATE, card_context(card, photo_size, actions)))  # noqa: S308 - the template escapes
        _card_cache[key] = html
        if len(_card_cache) > CARD_CACHE_SIZE:
            _card_cache.popitem(last=False)
    return html


FACET_CHECKBOX = (
    '<div class="form-check"><input class="form-check-input" type="checkbox" id="f-{0}-{1}" name="{2}" value="{3}"{4}>'
    '<label class="form-check-label" for="f-{0}-{1}">{5}{6}</label></div>'
)


@register.simple_tag
def facet_checkboxes(facet: Facet) -> SafeString:
    """A facet's checkboxes in the filter sidebar: the value, its label and how many listings have it.

    A category page shows dozens of them; the template engine took longer over them than the query that counted
    them, so they are written here, every value escaped as the template would.
    """
    return format_html_join(
        "\n",
        FACET_CHECKBOX,
        (
            (
                facet.code,
                number,
                facet.param,
                value,
                mark_safe(" checked") if selected else "",
                label,
                format_html(' <span class="facet-count">{}</span>', formats.localize(count))
                if count is not None
                else "",
            )
            for number, (value, label, count, selected) in enumerate(facet.values, start=1)
        ),
    )


@register.filter
def listing_text(text: str) -> SafeString:
    """Plain text to HTML: blank lines separate paragraphs, lines starting with "- " make a list."""
    blocks = [block.strip("\n") for block in (text or "").replace("\r\n", "\n").split("\n\n") if block.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if all(line.startswith(LIST_MARKERS) for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:].strip(),) for line in lines))
            html.append(format_html("<ul>{}</ul>", items))
        else:
            html.append(format_html("<p>{}</p>", mark_safe("<br>".join(format_html("{}", line) for line in lines))))  # noqa: S308 - each line escaped
    return mark_safe("".join(html))  # noqa: S308 - built from escaped parts


@register.filter
def listing_status_tone(status: str) -> str:
    return STATUS_TONES.get(str(status), "neutral")


@register.filter
def photo_for(photos: dict, photo_id) -> object:
    return photos.get(int(photo_id)) if photos else None
