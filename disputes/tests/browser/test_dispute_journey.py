"""Issue 7's journey in real Chromium: a buyer opens a dispute on an 80,300 ₽ order; the seller rejects it; the buyer
escalates; a moderator proposes a 60,000 ₽ refund in the admin (above the four-eyes amount, so it waits) and a second
moderator approves it; the buyer sees the refund, the seller sees the incident and the held payout released for the
rest (minus commission)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import totp_code
from disputes.models import Decision, DecisionStatus, Dispute, DisputeStatus
from marketplace.core.money import format_money
from marketplace.ledger import services as ledger
from orders.models import Order, OrderStatus

from ..conftest import make_delivered_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _new_page(browser: Browser, browser_context_args: dict) -> Page:
    return browser.new_context(**browser_context_args).new_page()


def _admin_page(browser: Browser, browser_context_args: dict, base: str, moderator, password: str) -> Page:
    page = _new_page(browser, browser_context_args)
    _log_in(page, base, moderator.email, password, "/admin/")
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")
    return page


def _money(amount: Decimal) -> str:
    return format_money(amount, language="ru")


def test_buyer_disputes_seller_rejects_moderators_refund_60000_with_four_eyes_and_the_rest_is_released(
    live_server, page: Page, browser: Browser, browser_context_args, user, seller, moderator, other_moderator, password
):
    base = live_server.url
    buyer = user
    order = make_delivered_order(buyer, seller, price="80000.00", quantity=1)  # 80,300 ₽ with delivery, in escrow
    assert order.total == Decimal("80300.00")

    # the buyer opens a dispute from the order
    _log_in(page, base, buyer.email, password)
    page.goto(f"{base}/orders/{order.pk}/dispute/")
    page.locator("select[name=reason]").select_option("damaged")
    page.locator("textarea[name=description]").fill("Экран разбит, коробка целая. Прошу вернуть деньги.")
    page.locator("input[name=desired_outcome][value=full_refund]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/disputes/*/")
    dispute = Dispute.objects.get(order=order)
    assert dispute.status == DisputeStatus.AWAITING_SELLER

    # the seller rejects it with a statement
    seller_page = _new_page(browser, browser_context_args)
    _log_in(seller_page, base, seller.user.email, password)
    seller_page.goto(f"{base}/disputes/{dispute.pk}/")
    seller_page.locator("input[name=action][value=reject]").check()
    seller_page.locator("form[action$='/respond/'] textarea[name=text]").fill("Отправили целым, есть фото упаковки.")
    with seller_page.expect_navigation():
        seller_page.locator("form[action$='/respond/'] button[type=submit]").click()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.SELLER_REJECTED

    # the buyer escalates: round robin assigns a moderator
    page.goto(f"{base}/disputes/{dispute.pk}/")
    with page.expect_navigation():
        page.locator("form:has(input[name=action][value=escalate]) button[type=submit]").click()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_ARBITRATION
    assert dispute.assigned_to_id in (moderator.pk, other_moderator.pk)

    # the return window ends while the case is open: the payout stays held because of the dispute
    Order.objects.filter(pk=order.pk).update(return_window_ends_at=timezone.now() - timedelta(minutes=1))
    assert ledger.seller_balance(seller=seller).available == 0

    # the first moderator proposes a 60,000 ₽ refund in the admin; above 50,000 ₽ it waits for a second moderator
    first = _admin_page(browser, browser_context_args, base, moderator, password)
    first.goto(f"{base}/admin/disputes/dispute/{dispute.pk}/change/")
    first.locator("#id_kind").select_option("partial_refund")
    first.locator("#id_amount").fill("60000")
    first.locator("#id_reasoning").fill("Повреждение подтверждено фотографиями; возвращаем 60 000 ₽.")
    with first.expect_navigation():
        first.locator("button[form=decide-form]").click()
    decision = Decision.objects.get(dispute=dispute)
    assert decision.status == DecisionStatus.PENDING_APPROVAL
    assert decision.amount == Decimal("60000.00")
    expect(first.locator("button[form=approve-form]")).to_have_count(0)  # not their own

    # the second moderator approves: the refund executes and the order completes
    second = _admin_page(browser, browser_context_args, base, other_moderator, password)
    second.goto(f"{base}/admin/disputes/dispute/{dispute.pk}/change/")
    with second.expect_navigation():
        second.locator("button[form=approve-form]").click()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DECIDED
    assert dispute.refunded_amount == Decimal("60000.00")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED

    # the buyer sees the decision and the refund; the messages link sits in the header row next to the bell
    page.goto(f"{base}/disputes/{dispute.pk}/")
    bell, badge = (page.locator(selector).bounding_box() for selector in ("#notification-bell", "#messages-badge"))
    assert abs(bell["y"] - badge["y"]) < 2
    expect(page.locator(f"#decision-{decision.pk}")).to_be_visible()
    expect(page.locator("main")).to_contain_text(_money(Decimal("60000.00")))

    # the seller sees the lost dispute among the incidents, and the rest released (minus commission)
    balance = ledger.seller_balance(seller=seller)
    assert Decimal(0) < balance.available < Decimal("20300.00")
    assert balance.held == 0
    seller_page.goto(f"{base}/seller/rating/")
    expect(seller_page.locator("main tr", has_text=order.number)).to_be_visible()
    seller_page.goto(f"{base}/seller/money/")
    expect(seller_page.locator("#balance-available")).to_have_text(_money(balance.available))
    expect(seller_page.locator("#balance-held")).to_have_text(_money(Decimal(0)))
