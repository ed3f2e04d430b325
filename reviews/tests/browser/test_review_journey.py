"""Issue 6's journey in real Chromium: after delivery the buyer follows the review request and writes a review with
a photo; the seller replies; a moderator rejects another (held) review in the admin; the seller sees an incident
from a late shipment on the rating page and appeals it; a moderator upholds the appeal and the quality index moves
back on the storefront."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from conftest import totp_code
from orders.models import IncidentKind
from reviews import services
from reviews.models import IncidentAppeal, ProductReview, ReviewStatus, SellerReply
from sellers.models import SellerCase

from ..factories import bare_orders, delivered_order, incident, line_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _new_page(browser: Browser, browser_context_args: dict) -> Page:
    return browser.new_context(**browser_context_args).new_page()


def _admin_page(browser: Browser, browser_context_args: dict, base: str, staff, password: str) -> Page:
    """A new browser page signed in to the admin as `staff` (staff sign in with TOTP)."""
    admin = _new_page(browser, browser_context_args)
    _log_in(admin, base, staff.email, password, "/admin/")
    admin.locator("input[name=code]").fill(totp_code())
    admin.locator("main form button[type=submit]").first.click()
    admin.wait_for_url(f"{base}/admin/")
    return admin


def _jpeg() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (480, 480), (40, 120, 200)).save(buffer, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_buyer_reviews_with_photo_seller_replies_moderator_rejects_and_upholds_an_appeal_and_the_rating_recovers(
    live_server, page: Page, browser: Browser, browser_context_args, user, other_user, moderator, password
):
    from catalog.tests.factories import make_seller
    from orders.tests.browser.test_checkout_journey import _account

    base = live_server.url
    seller = make_seller(user=_account("shop@example.com", password))
    storefront = seller.storefront
    order = delivered_order(user, seller, days_ago=4)
    other = delivered_order(other_user, seller, title="Кеды")
    made = bare_orders(seller, other_user, 8)  # 10 paid orders in the window

    # The beat makes the request row and sends it; the buyer follows it from the notifications.
    services.schedule_review_requests()
    assert services.send_due_review_requests() == 1
    _log_in(page, base, user.email, password, "/notifications/")
    page.locator("main a[href*='/open/']").first.click()
    page.wait_for_load_state()
    page.locator(f"a[href='/reviews/line/{line_of(order).pk}/']").click()
    page.locator("input[name=stars][value='5']").check(force=True)
    page.locator("textarea[name=text]").fill("Отличные кроссовки, сели по ноге, бегаю каждый день.")
    page.locator("input[name=photos]").set_input_files([_jpeg()])
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    review = ProductReview.objects.get(order=order)
    assert review.status == ReviewStatus.PUBLISHED
    assert review.photos.count() == 1

    # Another buyer's review is held by the checks (a contact in the text).
    held = services.write_product_review(
        order_line=line_of(other), actor=other_user, stars=1, text="Пишите в телеграм @kedy_deshevo_msk, продам дешевле"
    )
    assert held.status == ReviewStatus.PENDING

    # The seller replies from the cabinet.
    seller_page = _new_page(browser, browser_context_args)
    _log_in(seller_page, base, seller.user.email, password, "/seller/reviews/")
    seller_page.locator(f"#reply-{review.pk}").fill("Спасибо за отзыв! Хороших тренировок.")
    seller_page.locator(f"form[action='/seller/reviews/{review.pk}/reply/'] button[type=submit]").click()
    seller_page.wait_for_load_state()
    assert SellerReply.objects.get(review=review).text.startswith("Спасибо")

    # A moderator rejects the held review in the admin (staff sign in with TOTP).
    admin = _admin_page(browser, browser_context_args, base, moderator, password)
    admin.goto(f"{base}/admin/reviews/productreview/{held.pk}/reject/")
    admin.locator("textarea[name=reason]").fill("Контакты и реклама в отзыве запрещены.")
    admin.locator("#content input[type=submit]").click()
    admin.wait_for_load_state()
    held.refresh_from_db()
    assert held.status == ReviewStatus.REJECTED

    # A late shipment is counted: the worker recomputes; the storefront shows the lower index.
    late = incident(made[0], IncidentKind.LATE_SHIPMENT)
    services.request_recompute(seller_id=seller.pk)
    services.relay_recomputes()
    page.goto(f"{base}/s/{storefront.slug}/")
    expect(page.locator("main")).to_contain_text(re.compile(r"\b50\D{1,12}100\b"))

    # The seller sees the incident and appeals it.
    seller_page.goto(f"{base}/seller/rating/")
    seller_page.locator(f"a[href='/seller/rating/incidents/{late.pk}/appeal/']").click()
    seller_page.locator("textarea[name=body]").fill("Передали посылку в СДЭК вовремя, задержала служба доставки.")
    seller_page.locator("main form button[type=submit]").last.click()
    seller_page.wait_for_load_state()
    case = SellerCase.objects.get(incident_appeal__incident=late)

    # A moderator upholds the appeal; the incident is struck and the rating recomputed.
    admin.goto(f"{base}/admin/sellers/sellercase/{case.pk}/decide/")
    admin.locator("input[name=outcome][value='resolved']").check()
    admin.locator("textarea[name=decision]").fill("Подтверждено: задержка на стороне службы доставки.")
    admin.locator("#content input[type=submit]").click()
    admin.wait_for_load_state()
    assert IncidentAppeal.objects.get(incident=late).struck_at is not None
    services.relay_recomputes()  # what the worker does with the outbox row the decision wrote

    page.goto(f"{base}/s/{storefront.slug}/")
    expect(page.locator("main")).to_contain_text(re.compile(r"\b100\D{1,12}100\b"))
