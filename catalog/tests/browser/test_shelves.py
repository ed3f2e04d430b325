"""Shelves in real Chromium: whole rows only at every width (no orphan card under a full row)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from catalog.tests.factories import CategoryFactory, make_listing, make_seller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "columns", "shown"), [(1280, 5, 5), (900, 3, 6), (400, 2, 6)])
def test_similar_products_shelf_shows_whole_rows_at_every_width(live_server, page: Page, width, columns, shown):
    seller = make_seller()
    category = CategoryFactory(name="Чайники")
    listing = make_listing(seller, category=category, title="Чайник основной")
    for index in range(8):
        make_listing(seller, category=category, title=f"Чайник {index}", orders_30d=index)

    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{listing.get_absolute_url()}")

    cards = page.locator("#similar-title ~ .listing-grid .listing-card")
    visible = [card for card in cards.all() if card.is_visible()]
    tops = {round(card.bounding_box()["y"]) for card in visible}
    assert cards.count() == 6
    assert len(visible) == shown
    assert len(visible) % columns == 0
    assert len(tops) == shown // columns  # every shown row is full
