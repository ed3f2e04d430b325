"""The seller cabinet's section menu in real Chromium: a column beside the page on a desktop, one row that
scrolls sideways on a phone with the current section in view (the wrapped pills used to fill a phone's first
screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cabinet_page(browser: Browser, browser_context_args: dict, base: str, seller, password: str, width: int):
    page = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 800}}).new_page()
    page.goto(f"{base}/accounts/login/?next=/seller/prices-and-stock/")
    page.locator("input[name=login]").fill(seller.user.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/seller/prices-and-stock/")
    return page


def test_on_a_phone_the_cabinet_menu_is_one_sideways_row_showing_the_current_section(
    live_server, browser: Browser, browser_context_args, seller, password
):
    page = _cabinet_page(browser, browser_context_args, live_server.url, seller, password, width=375)

    menu = page.locator(".cabinet-nav .nav").bounding_box()
    current = page.locator(".cabinet-nav .nav-link.active").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert menu["height"] < 70  # one row
    assert menu["x"] <= current["x"]
    assert current["x"] + current["width"] <= menu["x"] + menu["width"]  # scrolled into view
    assert heading["y"] < 400  # the page itself starts on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") == 375  # only the menu scrolls sideways


def test_on_a_desktop_the_cabinet_menu_is_a_column_beside_the_page(
    live_server, browser: Browser, browser_context_args, seller, password
):
    page = _cabinet_page(browser, browser_context_args, live_server.url, seller, password, width=1280)

    menu = page.locator(".cabinet-nav .nav").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert menu["height"] > 400
    assert heading["x"] > menu["x"] + menu["width"]
