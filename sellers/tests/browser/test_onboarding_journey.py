"""Issue 3's journey in real Chromium: a buyer applies as ИП (wrong INN first), a moderator requests changes in
the admin, the applicant fixes them, the moderator approves, and the new seller opens the cabinet and storefront."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import totp_code
from sellers.models import ApplicationStatus, SellerApplication
from sellers.tests.factories import pdf_bytes, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()


def _save(page: Page) -> None:
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _admin_page(browser: Browser, browser_context_args: dict, base: str, moderator, password: str) -> Page:
    page = browser.new_context(**browser_context_args).new_page()
    _log_in(page, base, moderator.email, password, "/admin/")
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")
    return page


def test_buyer_applies_moderator_requests_changes_then_approves_and_the_seller_opens_the_cabinet(
    live_server, page: Page, browser: Browser, browser_context_args, user, moderator, password
):
    base = live_server.url

    # the buyer applies as ИП
    _log_in(page, base, user.email, password)
    page.goto(f"{base}/sell/")
    page.locator("main form[action='/sell/apply/'] button[type=submit]").first.click()
    page.wait_for_url(f"{base}/sell/apply/step/1/")
    page.locator("input[name=legal_form][value=ip]").check()
    page.locator("input[name=legal_name]").fill("ИП Иванова Алиса Сергеевна")
    page.locator("input[name=inn]").fill("500100732258")  # a typo in the last check digit
    page.locator("input[name=ogrn]").fill("304500116000157")
    page.locator("textarea[name=legal_address]").fill("Московская обл., г. Подольск, ул. Ленина, д. 1")
    _save(page)

    # the error is next to the field and in the summary; what was typed is still there
    expect(page.locator("#id_inn_error")).to_be_visible()
    expect(page.locator(".alert-danger a[href='#id_inn']")).to_be_visible()
    expect(page.locator("input[name=inn]")).to_have_value("500100732258")
    page.locator("input[name=inn]").fill("500100732259")
    _save(page)
    page.wait_for_url(f"{base}/sell/apply/step/2/")

    page.locator("input[name=bank_name]").fill("ПАО Сбербанк")
    page.locator("input[name=bik]").fill("044525225")
    page.locator("input[name=settlement_account]").fill("40802810400000000002")
    page.locator("input[name=correspondent_account]").fill("30101810400000000225")
    _save(page)
    page.wait_for_url(f"{base}/sell/apply/step/3/")

    page.locator("input[name=contact_name]").fill("Алиса Иванова")
    page.locator("input[name=contact_phone]").fill("+7 (912) 345-67-89")
    page.locator("input[name=store_name]").fill("Лавка Алисы")
    page.locator("input[name=store_slug]").fill("lavka-alisy")
    page.locator("input[name=planned_categories]").fill("Книги")
    _save(page)
    page.wait_for_url(f"{base}/sell/apply/step/4/")

    for kind, name, content, mime in (
        ("registration", "egrip.pdf", pdf_bytes(), "application/pdf"),
        ("passport", "passport.png", png_bytes((300, 200)), "image/png"),
    ):
        page.locator("select[name=kind]").select_option(kind)
        page.locator("input[name=file]").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])
        page.locator("button[name=action][value=upload]").click()
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text(name)
    page.locator("button[name=action][value=continue]").click()
    page.wait_for_url(f"{base}/sell/apply/step/5/")
    page.locator("input[name=accept_offer]").check()
    _save(page)
    page.wait_for_url(f"{base}/sell/application/")
    application = SellerApplication.objects.get(applicant=user)
    assert application.status == ApplicationStatus.SUBMITTED

    # the moderator opens the queue in the admin and asks for a change
    admin = _admin_page(browser, browser_context_args, base, moderator, password)
    admin.goto(f"{base}/admin/sellers/sellerapplication/")
    admin.locator(f"a[href$='/sellerapplication/{application.pk}/change/']").first.click()
    expect(admin.locator("#content")).to_contain_text("500100732259")
    expect(admin.locator("a[href='https://egrul.nalog.ru/']")).to_be_visible()
    admin.locator("form[action$='/review/'] button").click()
    admin.wait_for_load_state()
    admin.locator("a[href$='/request-changes/']").click()
    admin.locator("textarea[name=field_legal_address]").fill("Укажите адрес регистрации, как в ЕГРИП: с индексом.")
    admin.locator("#content-main input[type=submit]").click()
    admin.wait_for_url(f"**/sellerapplication/{application.pk}/change/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED

    # the applicant sees the reason, fixes the address and resubmits
    page.goto(f"{base}/sell/application/")
    expect(page.locator("main")).to_contain_text("с индексом")
    page.goto(f"{base}/sell/apply/step/1/")
    expect(page.locator("#id_legal_address_helptext")).to_contain_text("с индексом")
    page.locator("textarea[name=legal_address]").fill("142100, Московская обл., г. Подольск, ул. Ленина, д. 1")
    _save(page)
    page.goto(f"{base}/sell/apply/step/5/")
    page.locator("input[name=accept_offer]").check()
    _save(page)
    page.wait_for_url(f"{base}/sell/application/")

    # the moderator reviews again and approves
    admin.reload()
    admin.locator("form[action$='/review/'] button").click()
    admin.wait_for_load_state()
    admin.locator("a[href$='/approve/']").click()
    for check in admin.locator("input[name=checks]").all():
        check.check()
    admin.locator("#content-main input[type=submit]").click()
    admin.wait_for_url(f"**/sellerapplication/{application.pk}/change/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    # the new seller opens the cabinet and the storefront
    page.goto(f"{base}/seller/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".cabinet-store")).to_contain_text("Лавка Алисы")
    page.locator(".cabinet-store a[href='/s/lavka-alisy/']").click()
    page.wait_for_url(f"{base}/s/lavka-alisy/")
    expect(page.locator("h1")).to_have_text("Лавка Алисы")
    expect(page.locator("main")).to_contain_text("500100732259")
    expect(page.locator("main")).to_contain_text("304500116000157")
