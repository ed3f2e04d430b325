"""The shared UI pieces every app uses: form fields, error summary, countdown, status badge, pagination, messages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from marketplace.core.templatetags.ui import status_tone, time_left

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


class DeliveryForm(forms.Form):
    email = forms.EmailField(label="E-mail", help_text="We send the receipt here.")
    agree = forms.BooleanField(label="I agree")
    method = forms.ChoiceField(label="Delivery", choices=[("courier", "Courier"), ("pickup", "Pickup point")])
    speed = forms.ChoiceField(
        label="Speed", choices=[("fast", "Fast"), ("slow", "Slow")], widget=forms.RadioSelect, required=False
    )


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


# ------------------------------------------------------------------------------------------ form fields


def test_field_has_a_label_bootstrap_class_and_described_help():
    html = render("{% field form.email %}", form=DeliveryForm())

    assert '<label class="form-label" for="id_email">E-mail' in html
    assert 'class="form-control"' in html
    assert 'aria-describedby="id_email_helptext"' in html
    assert '<div class="form-text" id="id_email_helptext">We send the receipt here.</div>' in html


def test_field_with_an_error_is_marked_invalid_and_points_at_the_error():
    form = DeliveryForm(data={"email": "not-an-address"})
    form.is_valid()

    html = render("{% field form.email %}", form=form)

    assert "is-invalid" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_error"' in html


def test_field_keeps_what_the_user_typed_after_an_error():
    form = DeliveryForm(data={"email": "not-an-address"})
    form.is_valid()

    html = render("{% field form.email %}", form=form)

    assert 'value="not-an-address"' in html


def test_checkbox_and_select_get_their_own_bootstrap_classes():
    html = render("{% field form.agree %}{% field form.method %}", form=DeliveryForm())

    assert 'class="form-check-input"' in html
    assert '<label class="form-check-label" for="id_agree">I agree' in html
    assert 'class="form-select"' in html


def test_radio_group_is_a_fieldset_with_a_legend_and_labelled_choices():
    html = render("{% field form.speed %}", form=DeliveryForm())

    assert "<fieldset" in html
    assert "Speed</legend>" in html
    assert '<label class="form-check-label" for="id_speed_0">Fast</label>' in html
    assert 'class="form-check-input"' in html


def test_error_summary_lists_each_field_error_with_a_link_to_the_field():
    form = DeliveryForm(data={"email": "x"})
    form.is_valid()

    html = render('{% include "components/_form_errors.html" with form=form %}', form=form)

    assert 'role="alert"' in html
    assert '<a href="#id_email" class="alert-link">E-mail</a>' in html
    assert '<a href="#id_agree" class="alert-link">I agree</a>' in html


def test_error_summary_shows_a_single_general_error_as_a_sentence():
    form = DeliveryForm(data={})
    form.is_valid()
    form.errors.clear()
    form.add_error(None, "The e-mail address and/or password you specified are not correct.")

    html = render('{% include "components/_form_errors.html" with form=form %}', form=form)

    assert '<p class="mb-0">The e-mail address and/or password you specified are not correct.</p>' in html
    assert "<ul" not in html


def test_valid_form_shows_no_error_summary():
    form = DeliveryForm(data={"email": "a@example.com", "agree": "on", "method": "courier"})
    assert form.is_valid()

    assert render('{% include "components/_form_errors.html" with form=form %}', form=form).strip() == ""


# ------------------------------------------------------------------------------------------ countdown


@pytest.mark.parametrize(
    ("delta", "text", "state"),
    [
        (datetime.timedelta(days=2, hours=4), "2 days 4 hours left", "ok"),
        (datetime.timedelta(days=1), "1 day left", "ok"),
        (datetime.timedelta(hours=5, minutes=30), "5 hours 30 minutes left", "soon"),
        (datetime.timedelta(hours=1), "1 hour left", "soon"),
        (datetime.timedelta(minutes=1, seconds=5), "2 minutes left", "soon"),
        (datetime.timedelta(seconds=20), "1 minute left", "soon"),
        (datetime.timedelta(0), "time is up", "overdue"),
        (-datetime.timedelta(days=3), "time is up", "overdue"),
    ],
)
def test_time_left_counts_down_in_words(delta, text, state):
    with translation.override("en"):
        left = time_left(NOW + delta, now=NOW)

    assert left.text == text
    assert left.state == state


def test_countdown_shows_the_exact_deadline_for_hover_focus_and_machines():
    deadline = timezone.now() + datetime.timedelta(days=2, hours=4, minutes=30)

    with translation.override("en"), timezone.override("Europe/Moscow"):
        html = render_to_string("components/_countdown.html", {"deadline": deadline})
        local = timezone.localtime(deadline)

    assert "2 days 4 hours left" in html
    assert f'datetime="{local.isoformat()}"' in html
    assert f'title="{local:%-d} {local:%B} {local:%Y}, {local:%H:%M}"' in html
    assert 'tabindex="0"' in html


def test_countdown_without_a_deadline_renders_nothing():
    assert render_to_string("components/_countdown.html", {"deadline": None}).strip() == ""


# ------------------------------------------------------------------------------------------ status badge


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("delivered", "success"),
        ("awaiting_payment", "warning"),
        ("cancelled", "danger"),
        ("shipped", "info"),
        ("x", "neutral"),
    ],
)
def test_status_tone_maps_common_statuses(status, tone):
    assert status_tone(status) == tone


def test_status_badge_always_carries_its_text():
    html = render_to_string("components/_status_badge.html", {"status": "cancelled", "label": "Отменён"})

    assert html.strip() == '<span class="status-badge status-badge--danger">Отменён</span>'


def test_status_badge_tone_can_be_given_explicitly():
    html = render_to_string("components/_status_badge.html", {"label": "Hidden", "tone": "warning"})

    assert "status-badge--warning" in html
    assert ">Hidden<" in html


# ------------------------------------------------------------------------------------------ pagination, empty state, messages


def test_pagination_keeps_the_other_query_parameters():
    request = RequestFactory().get("/search/", {"q": "кроссовки", "page": "3"})
    page_obj = Paginator(list(range(100)), 10).page(3)

    with translation.override("en"):
        html = Template("{% load ui %}{% pagination page_obj %}").render(
            RequestContext(request, {"page_obj": page_obj})
        )

    assert 'aria-label="Pages"' in html
    assert 'href="?q=%D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8&amp;page=2" rel="prev"' in html
    assert 'href="?q=%D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8&amp;page=4" rel="next"' in html
    assert '<li class="page-item active" aria-current="page"><span class="page-link">3</span></li>' in html
    assert "…" in html


@pytest.mark.parametrize(
    "query",
    [
        "a_color=Чёрный&page=3&a_color=Белый&price_max=20000",  # "page" in the middle, a repeated key
        "q=a+b%26c&sort=price",  # no page yet: it goes last
        "page=3",
        "page=1&page=3&q=x",
    ],
)
def test_pagination_links_are_the_querystring_tags_links(query):
    """Each link keeps every other parameter in its place, exactly as {% querystring page=n %} writes it."""
    request = RequestFactory().get(f"/c/shoes/?{query}")
    page_obj = Paginator(list(range(100)), 10).page(3)
    context = RequestContext(request, {"page_obj": page_obj})

    html = Template("{% load ui %}{% pagination page_obj %}").render(context)

    for number in (2, 4, 10):
        expected = Template(f"{{% querystring page={number} %}}").render(RequestContext(request, {}))
        assert f'href="{expected}"' in html


def test_single_page_shows_no_pagination():
    page_obj = Paginator([1, 2], 10).page(1)

    assert Template("{% load ui %}{% pagination page_obj %}").render(Context({"page_obj": page_obj})) == ""


def test_pagination_of_many_pages_elides_the_middle_and_says_which_page_this_is():
    request = RequestFactory().get("/orders/", {"page": "50"})
    page_obj = Paginator(list(range(2000)), 10).page(50)

    with translation.override("ru"):
        html = Template("{% load ui %}{% pagination page_obj %}").render(
            RequestContext(request, {"page_obj": page_obj})
        )

    assert '<p class="visually-hidden">Страница 50 из 200</p>' in html
    numbers = re.findall(r'class="page-link"[^>]*>([^<]+)<', html)
    assert numbers == ["Предыдущая", "1", "…", "49", "50", "51", "…", "200", "Следующая"]
    assert '<li class="page-item active" aria-current="page"><span class="page-link">50</span></li>' in html


def test_pagination_escapes_the_query_it_keeps():
    request = RequestFactory().get("/search/", {"q": '"><script>', "page": "1"})
    page_obj = Paginator(list(range(30)), 10).page(1)

    html = Template("{% load ui %}{% pagination page_obj %}").render(RequestContext(request, {"page_obj": page_obj}))

    assert "<script>" not in html
    assert 'href="?q=%22%3E%3Cscript%3E&amp;page=2"' in html


def test_empty_state_says_what_to_do_next():
    html = render_to_string(
        "components/_empty_state.html",
        {"title": "No orders yet", "text": "Find something you like.", "action_url": "/", "action_label": "Shop"},
    )

    assert "<h2>No orders yet</h2>" in html
    assert '<a class="btn btn-primary" href="/">Shop</a>' in html


def _request_with_messages(*texts):
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    for text in texts:
        request._messages.add(25, text)
    return request


def test_messages_are_dismissible_and_announced():
    request = _request_with_messages("Saved.")

    with translation.override("en"):
        html = render_to_string("components/_messages.html", {"messages": request._messages})

    assert 'id="messages"' in html
    assert 'aria-live="polite"' in html
    assert "alert-success" in html
    assert "Saved." in html
    assert 'data-bs-dismiss="alert"' in html
    assert "hx-swap-oob" not in html


def test_messages_out_of_band_variant_swaps_into_the_page():
    request = _request_with_messages("Saved.")

    html = render_to_string("components/_messages.html", {"messages": request._messages, "oob": True})

    assert 'id="messages"' in html
    assert 'hx-swap-oob="true"' in html


def card(**fields):
    """A listing card (a plain value) with plain defaults for whatever a test does not set."""
    from catalog.selectors.listings import Card

    defaults = {
        "pk": 1,
        "slug": "item",
        "title": "Товар",
        "price": Decimal("100"),
        "old_price": None,
        "discount_percent": 0,
        "in_stock": True,
        "rating_avg": Decimal("0"),
        "rating_count": 0,
        "handling_days": 1,
        "seller_id": 1,
        "seller_name": "",
        "photo": "",
        "photo_alt": "",
    }
    return Card(**{**defaults, **fields})


def test_listing_card_shows_price_old_price_discount_and_a_lazy_square_photo():
    from catalog.templatetags.catalog_tags import card_html

    shown = card(
        pk=7,
        slug="krossovki",
        title="Кроссовки",
        price=Decimal("1990"),
        old_price=Decimal("2490.50"),
        discount_percent=20,
        rating_avg=Decimal("4.65"),
        rating_count=12,
        seller_name="ООО «Шаг»",
        photo="listings/k.webp",
    )

    with translation.override("ru"):
        html = card_html(shown, photo_size=320)

    assert f'<a href="{shown.get_absolute_url()}">Кроссовки</a>' in html
    assert 'alt="Кроссовки"' in html  # no alt text of its own: the title
    assert 'loading="lazy"' in html
    assert 'width="320" height="320"' in html
    assert "1\u202f990\u00a0₽" in html
    assert "2\u202f490,50\u00a0₽</s>" in html
    assert "−20%" in html
    assert "4,7 из 5, 12 отзывов" in html  # rounded half up, Russian plural
    assert "Отправка завтра" in html
    assert "ООО «Шаг»" in html


def test_listing_card_escapes_every_value_and_shows_a_placeholder_without_a_photo():
    from catalog.templatetags.catalog_tags import card_html

    escaped = card(title='<script>alert(1)</script> "q"', in_stock=False, seller_name="A&B <b>")

    with translation.override("ru"):
        html = card_html(escaped, actions="<b>x</b>")

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot;" in html
    assert "A&amp;B &lt;b&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # actions that are not marked safe are escaped too
    assert 'role="img" aria-label="Нет фото"' in html
    assert "Нет в наличии" in html
    assert "listing-card__rating" not in html  # no reviews: no rating line
    assert "listing-card__old-price" not in html


def test_a_grid_of_cards_is_each_card_in_order():
    from catalog.templatetags.catalog_tags import listing_card, listing_cards

    cards = [
        card(pk=pk, slug=f"item-{pk}", title=f"Товар {pk}", in_stock=pk != 2, rating_count=pk, handling_days=pk)
        for pk in (3, 1, 2)
    ]

    with translation.override("ru"):
        grid = listing_cards(cards)
        assert grid == "".join(listing_card(each) for each in cards)
    assert grid.index("Товар 3") < grid.index("Товар 1") < grid.index("Товар 2")
    assert listing_cards([]) == ""


# ------------------------------------------------------------------------------------------------- icons


def test_icon_is_a_decorative_inline_svg_with_its_own_drawing():
    html = Template('{% load ui %}{% icon "cart" %}').render(Context())

    assert html.startswith('<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">')
    assert '<circle cx="9" cy="20" r="1.5"/>' in html
    assert html.endswith("</svg>\n")  # a space before text that follows inline, as the include had


def test_icon_takes_extra_classes_escaped_and_draws_a_circle_for_an_unknown_name():
    html = Template("{% load ui %}{% icon name class=extra %}").render(
        Context({"name": "no-such-icon", "extra": 'd-none"><script>'})
    )

    assert 'class="icon d-none&quot;&gt;&lt;script&gt;"' in html
    assert "<script>" not in html
    assert '<circle cx="12" cy="12" r="9"/></svg>' in html
