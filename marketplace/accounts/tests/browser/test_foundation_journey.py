"""Issue 2's journey in real Chromium: sign up, verify by the mailed link, log in, switch language, see a notification."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from marketplace.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "new.buyer@example.com"
PASSWORD = "Grey-otter-walks-91"
NEW_PASSWORD = "Blue-heron-flies-37"


def _link_in_last_mail(pattern: str) -> str:
    body = mail.outbox[-1].body
    match = re.search(pattern, body)
    assert match, body
    return match.group(0)


def _log_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()


def test_visitor_signs_up_verifies_logs_in_switches_language_and_sees_a_notification(live_server, page: Page):
    base = live_server.url
    mail.outbox.clear()

    # sign up
    page.goto(f"{base}/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=accept_terms]").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/confirm-email/**")
    user = User.objects.get(email=EMAIL)
    assert user.terms_acceptances.count() == 2

    # the account cannot be used before the e-mail is verified
    page.context.clear_cookies()
    _log_in(page, base, EMAIL, PASSWORD)
    page.wait_for_url("**/accounts/confirm-email/**")

    # open the verification link from the sent mail and confirm
    link = _link_in_last_mail(r"http://[^\s]+/accounts/confirm-email/[^\s/]+/")
    page.goto(link.replace("http://testserver", base))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    # log in for real
    page.context.clear_cookies()
    _log_in(page, base, EMAIL, PASSWORD)
    page.wait_for_url(f"{base}/")
    expect(page.locator("header")).to_contain_text(EMAIL.split("@")[0])

    # switch to English and back
    page.locator("form.language-switch button[value=en]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form.language-switch button[value=en]")).to_have_attribute("aria-pressed", "true")
    user.refresh_from_db()
    assert user.language == "en"
    page.locator("form.language-switch button[value=ru]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    # an action (changing the password) sends a security notification that shows in the header bell
    unread_before = user.inbox_items.filter(read_at__isnull=True).count()
    page.goto(f"{base}/accounts/password/change/")
    page.locator("input[name=oldpassword]").fill(PASSWORD)
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base}/")
    badge = page.locator("#notification-bell .count-badge")
    expect(badge).to_contain_text(str(unread_before + 1))
    page.locator("#notification-bell").click()
    page.wait_for_url("**/notifications/**")
    expect(page.locator("main")).to_contain_text(re.compile("парол|password", re.IGNORECASE))
