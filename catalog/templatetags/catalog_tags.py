"""Catalogue template helpers: the listing card, delivery wording, listing descriptions as safe HTML.

{% load catalog_tags %}
{% listing_card listing %}                 the one card (card_html) for a Card or Listing
{% listing_cards listings %}               every card of a grid or shelf, in order
{% category_chips facet query current_id %} a search's "Found in categories" chips
{% seller_chips facet %}                   a search's "Sold by" chips
{{ listing.description|listing_text }}    paragraphs and "- " lists, every piece escaped
{{ listing.handling_days|ship_text }}      «Отправка завтра» / «Отправка 25 ноября»
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.template import defaultfilters
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Listing
from catalog.selectors.listings import Card, Facet
from marketplace.core.money import format_money
from marketplace.core.templatetags.ui import whole_number

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


CARD_CACHE_SIZE = 5000
_card_cache: OrderedDict[tuple, str] = OrderedDict()


TENTH = Decimal("0.1")
_delivery_texts: dict[tuple, str] = {}


def _delivery_text(handling_days: int, language: str, today: date) -> str:
    """ship_text, worked out once per language, day and handling time (a grid repeats a few of them)."""
    key = (language, today, handling_days)
    text = _delivery_texts.get(key)
    if text is None:
        if len(_delivery_texts) > 1000:
            _delivery_texts.clear()
        text = _delivery_texts[key] = ship_text(handling_days)
    return text


def card_html(
    card: Card, photo_size: int = 400, actions: str = "", *, language: str | None = None, today: date | None = None
) -> SafeString:
    """The one listing card (home, category, search, storefront, favourites, similar, recently viewed).

    Square WebP photo of a fixed size so nothing jumps, the price large, the old price struck through with the
    discount, rating, delivery, seller. The whole card is one link (the title's ::after covers it); `actions`
    (e.g. a favourite button, safe HTML) stay clickable. Written here rather than as a template: a grid of 24
    cards took the template engine 4-5 ms on a page whose cards were not cached yet; every value is escaped.
    `language` and `today` are the active language and the local date (a grid works them out once).
    """
    title = escape(card.title)
    if card.photo:
        photo = (
            f'<img class="listing-card__photo" src="{escape(card.photo_url)}" alt="{escape(card.photo_alt) or title}"'
            f' width="{photo_size:d}" height="{photo_size:d}" loading="lazy" decoding="async">'
        )
    else:
        no_photo = escape(_("No photo"))
        photo = f'<div class="listing-card__photo" role="img" aria-label="{no_photo}"></div>'
    old_price = card.old_price if card.discount_percent else None
    if old_price:
        # gettext calls stay outside the f-strings: makemessages does not find them inside one
        price_label, old_price_label = escape(_("Price:")), escape(_("Old price:"))
        prices = (
            f'<span class="listing-card__price listing-card__price--sale"><span class="visually-hidden">'
            f"{price_label} </span>{escape(format_money(card.price))}</span>\n"
            f'    <s class="listing-card__old-price"><span class="visually-hidden">{old_price_label} </span>'
            f"{escape(format_money(old_price))}</s>"
        )
    else:
        prices = f'<span class="listing-card__price">{escape(format_money(card.price))}</span>'
    if card.discount_percent:
        prices += f'\n    <span class="listing-card__discount">−{card.discount_percent:d}%</span>'
    parts = [
        f'<article class="listing-card">\n  {photo}\n  <div class="listing-card__prices">\n    {prices}\n  </div>\n'
        f'  <h3 class="listing-card__title"><a href="{escape(card.get_absolute_url())}">{title}</a></h3>\n'
    ]
    if card.rating_count:
        average = formats.number_format(Decimal(card.rating_avg).quantize(TENTH, ROUND_HALF_UP), 1)
        rating = ngettext(
            "%(rating)s out of 5, %(count)s review", "%(rating)s out of 5, %(count)s reviews", card.rating_count
        ) % {"rating": average, "count": card.rating_count}
        parts.append(
            '  <p class="listing-card__rating mb-0"><span class="listing-card__stars" aria-hidden="true">★</span>'
            f"<span>{escape(rating)}</span></p>\n"
        )
    if card.in_stock:
        delivery = _delivery_text(
            card.handling_days, language or translation.get_language(), today or timezone.localdate()
        )
    else:
        delivery = _("Out of stock")
    parts.append(f'  <p class="listing-card__delivery mb-0">{escape(delivery)}</p>\n')
    if card.seller_name:
        parts.append(f'  <p class="listing-card__seller mb-0">{escape(card.seller_name)}</p>\n')
    if actions:
        parts.append(f'  <div class="listing-card__actions">{conditional_escape(actions)}</div>\n')
    parts.append("</article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _card(listing: Card | Listing, photo_size: int, actions: str, language: str, today: date) -> SafeString:
    """A card's HTML from the process's cache of recent cards, or written and kept.

    The key holds every value the card shows (the Card itself, and the language and day), so a changed price or
    stock renders afresh.
    """
    card = listing if isinstance(listing, Card) else Card.of(listing)
    key = (language, today, card, photo_size, actions)
    html = _card_cache.get(key)
    if html is None:
        html = card_html(card, photo_size, actions, language=language, today=today)
        _card_cache[key] = html
        if len(_card_cache) > CARD_CACHE_SIZE:
            _card_cache.popitem(last=False)
    return html


@register.simple_tag
def listing_card(listing: Card | Listing, photo_size: int = 400, actions: str = "") -> SafeString:
    """The one card (card_html) for a Card, or a Listing fetched with card_queryset."""
    return _card(listing, photo_size, actions, translation.get_language(), timezone.localdate())


@register.simple_tag
def listing_cards(listings, photo_size: int = 400) -> SafeString:
    """Every card of a grid or shelf, in order: listing_card for each, the language and day worked out once."""
    language, today = translation.get_language(), timezone.localdate()
    return mark_safe("".join(_card(listing, photo_size, "", language, today) for listing in listings))  # noqa: S308 - cards are built escaped


FACET_CHECKBOX = (
    '<div class="form-check"><input class="form-check-input" type="checkbox" id="f-{0}-{1}" name="{2}" value="{3}"{4}>'
    '<label class="form-check-label" for="f-{0}-{1}">{5}{6}</label></div>'
)


@register.simple_tag
def facet_checkboxes(facet: Facet) -> SafeString:
    """A facet's checkboxes in the filter sidebar: the value, its label and how many listings have it.

    A category page shows dozens of them; the template engine took longer over them than the query that counted
    them, and format_html's lazy-aware escaping half as long again, so they are written here with plain
    escaping: every value, label and the facet's names escaped as the template would.
    """
    code, param = escape(facet.code), escape(facet.param)
    return mark_safe(  # noqa: S308 - every value below is escaped
        "\n".join(
            FACET_CHECKBOX.format(
                code,
                number,
                param,
                escape(str(value)),
                " checked" if selected else "",
                escape(str(label)),
                f' <span class="facet-count">{escape(whole_number(count))}</span>' if count is not None else "",
            )
            for number, (value, label, count, selected) in enumerate(facet.values, start=1)
        )
    )


CATEGORY_CHIP_LINK = (
    '<li><a class="chip" href="{0}?q={1}&amp;category={2}">{3} <span class="facet-count">{4}</span></a></li>'
)
CATEGORY_CHIP_CURRENT = (
    '<li><span class="chip chip--current" aria-current="true">{0} <span class="facet-count">{1}</span></span></li>'
)
SELLER_CHIP = '<li><a class="chip" href="{0}">{1} <span class="facet-count">{2}</span></a></li>'


@register.simple_tag
def category_chips(facet: list, query: str, current_id: int | None = None) -> SafeString:
    """A search's "Found in categories" chips: each category with its count, a link to the search in it (the one
    searched in already, `current_id`, marked instead).

    Written here with plain escaping like facet_checkboxes: the template engine spent about as long over these
    eight chips as over the whole grid of cards. Every value is escaped and localised as the template would.
    """
    search_url, searched = escape(reverse("catalog:search")), escape(defaultfilters.urlencode(query))
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(
            CATEGORY_CHIP_CURRENT.format(escape(str(node.name)), escape(str(formats.localize(count))))
            if node.id == current_id
            else CATEGORY_CHIP_LINK.format(
                search_url,
                searched,
                escape(str(node.slug)),
                escape(str(node.name)),
                escape(str(formats.localize(count))),
            )
            for node, count in facet
        )
    )


@register.simple_tag(takes_context=True)
def seller_chips(context, facet: list) -> SafeString:
    """A search's "Sold by" chips: each seller with its count, a link to this page narrowed to that seller (the
    address as `{% querystring seller=slug page=None %}` gives it: the other parameters kept, the page dropped)."""
    params = context.request.GET.copy()  # one copy for every chip; "seller" keeps its place or goes last
    params.pop("page", None)
    chips = []
    for slug, name, count in facet:
        params["seller"] = slug
        chips.append(
            SELLER_CHIP.format(
                escape(f"?{params.urlencode()}"), escape(str(name)), escape(str(formats.localize(count)))
            )
        )
    return mark_safe("".join(chips))  # noqa: S308 - every value above is escaped


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
