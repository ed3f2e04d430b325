"""Four eyes on a suspension in real Chromium (issue 7): a moderator suspends a seller from the seller's admin page;
nothing happens until a second moderator finds it in the Moderation overview's queue and approves it; then the
store is suspended and its storefront says it takes no orders."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import totp_code
from sellers.models import SanctionRequest, SanctionRequestStatus, SellerStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _admin_page(browser: Browser, browser_context_args: dict, base: str, staff, password: str) -> Page:
    page = browser.new_context(**browser_context_args).new_page()
    page.goto(f"{base}/accounts/login/?next=/admin/")
    page.locator("input[name=login]").fill(staff.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")
    return page


def test_moderator_suspends_a_seller_and_it_takes_effect_only_when_a_second_moderator_approves(
    live_server, browser: Browser, browser_context_args, seller, moderator, other_moderator, password
):
    base = live_server.url

    # the first moderator applies a suspension from the seller's page: it is sent for approval
    first = _admin_page(browser, browser_context_args, base, moderator, password)
    first.goto(f"{base}/admin/sellers/seller/{seller.pk}/sanction/")
    first.locator("select[name=level]").select_option(SellerStatus.SUSPENDED)
    first.locator("input[name=rule]").fill("Продажа контрафакта")
    first.locator("textarea[name=reason]").fill("Три подтверждённые жалобы покупателей на подделки.")
    first.locator("input[name=expires_in_days]").fill("30")
    with first.expect_navigation():
        first.locator("input[type=submit]").click()
    sanction_request = SanctionRequest.objects.get(seller=seller)
    assert sanction_request.status == SanctionRequestStatus.PENDING
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    expect(first.locator(f"a[href$='/sanctionrequest/{sanction_request.pk}/change/']")).to_be_visible()

    # the proposer sees no approve button on the request
    first.goto(f"{base}/admin/sellers/sanctionrequest/{sanction_request.pk}/change/")
    expect(first.locator("form[action$='/approve/']")).to_have_count(0)

    # the second moderator finds it on the Moderation overview and approves it
    second = _admin_page(browser, browser_context_args, base, other_moderator, password)
    second.goto(f"{base}/admin/moderation/")
    with second.expect_navigation():
        second.locator("a[href*='/admin/sellers/sanctionrequest/']").first.click()
    with second.expect_navigation():
        second.locator(f"a[href$='/sanctionrequest/{sanction_request.pk}/change/']").first.click()
    with second.expect_navigation():
        second.locator("form[action$='/approve/'] button[type=submit]").click()

    sanction_request.refresh_from_db()
    seller.refresh_from_db()
    assert sanction_request.status == SanctionRequestStatus.APPROVED
    assert sanction_request.decided_by == other_moderator
    assert seller.status == SellerStatus.SUSPENDED
    expect(second.locator(".messagelist .success")).to_be_visible()

    # buyers see the store as suspended
    storefront = browser.new_context(**browser_context_args).new_page()
    storefront.goto(f"{base}{seller.storefront.get_absolute_url()}")
    expect(storefront.locator(".alert-warning[role=status]")).to_be_visible()
