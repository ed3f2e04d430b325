"""A manager puts stricter seller standards in force in the admin; the seller's cabinet and the public formula
page follow them (real Chromium, live server)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from orders.models import IncidentKind
from reviews import services

from ..factories import bare_orders, incident
from .test_review_journey import _admin_page, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_tightens_the_cancellation_standard_and_the_seller_sees_the_breach(
    live_server, page: Page, browser: Browser, browser_context_args, user, manager, password
):
    from catalog.tests.factories import make_seller
    from orders.tests.browser.test_checkout_journey import _account

    base = live_server.url
    seller = make_seller(user=_account("shop@example.com", password))
    incident(bare_orders(seller, user, 100)[0], IncidentKind.SELLER_CANCELLATION)  # 1 % of the window
    services.recompute_sellers(seller_ids=[seller.pk])

    # The seller meets the published 2 % at first.
    _log_in(page, base, "shop@example.com", password, "/seller/")
    card = page.locator("section[aria-labelledby=card-standards]")
    expect(card).to_contain_text("не более 2 %")
    expect(card.locator("li", has_text="Отмены по вине продавца")).to_contain_text("Выполняется")

    # A manager allows at most 0 % in the admin (staff sign in with TOTP), saying why.
    admin = _admin_page(browser, browser_context_args, base, manager, password)
    admin.goto(f"{base}/admin/reviews/sellerstandards/add/")
    expect(admin.locator("input[name=cancellations_max]")).to_have_value("2")  # starts from those in force
    admin.locator("input[name=cancellations_max]").fill("0")
    admin.locator("textarea[name=reason]").fill("Отмены по вине продавца недопустимы с 1 января.")
    admin.locator("#content input[name=_save]").click()
    admin.wait_for_load_state()
    expect(admin.locator(".messagelist")).to_be_visible()
    services.relay_recomputes()  # what the worker does with the outbox rows the change wrote

    page.reload()
    expect(card.locator("li", has_text="Отмены по вине продавца")).to_contain_text("Нарушение")
    expect(card).to_contain_text("не более 0 %")
    page.goto(f"{base}/rating/formula/")
    expect(page.locator("main")).to_contain_text("Отмены по вине продавца недопустимы с 1 января.")
