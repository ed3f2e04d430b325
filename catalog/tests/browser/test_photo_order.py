"""Spec 27 in real Chromium: a seller orders a listing's photos by dragging them, or with the arrow buttons from
the keyboard, and the first one becomes the main photo."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from catalog.tests.factories import make_listing

from .test_journeys import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_order(listing) -> list[int]:
    return list(listing.photos.order_by("position", "pk").values_list("pk", flat=True))


def test_seller_reorders_photos_by_dragging_and_with_the_keyboard(live_server, page: Page, seller, category, password):
    listing = make_listing(seller, category=category, photos=3, status="draft")  # a published one: a revision
    first, second, third = photo_order(listing)
    _log_in(page, live_server.url, seller.user.email, password, f"/seller/listings/{listing.pk}/")
    cards = page.locator(".photo-editor__item")
    expect(cards).to_have_count(3)

    # the keyboard: the first photo one place later
    cards.nth(0).locator("[data-move=later]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#photo-editor-status")).to_contain_text("2")
    with page.expect_navigation():
        page.locator(".photo-editor__save").click()
    assert photo_order(listing) == [second, first, third]

    # the mouse: the last photo dragged onto the first place
    cards = page.locator(".photo-editor__item")
    cards.nth(2).locator("img").drag_to(cards.nth(0), target_position={"x": 5, "y": 40})
    with page.expect_navigation():
        page.locator(".photo-editor__save").click()
    assert photo_order(listing) == [third, second, first]
    expect(page.locator(".photo-editor__item").first.locator(".photo-editor__main")).to_be_visible()
