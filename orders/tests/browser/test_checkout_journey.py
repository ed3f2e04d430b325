"""Issue 5's journey in real Chromium: a buyer fills a cart from two sellers, checks out and pays with the 3-D Secure
test card; each seller confirms and ships; the buyer confirms one delivery and returns an item from the other; the
seller approves, the refund appears; after the return window the first seller's balance shows the released amount
minus commission, and the seller requests a payout."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from catalog.tests.factories import make_seller
from marketplace.accounts.models import User
from marketplace.core.money import format_money
from marketplace.ledger.models import Payout, PayoutStatus, SandboxWebhook, WebhookDeliveryStatus
from marketplace.ledger.payments.sandbox import acquirer
from orders import tasks
from orders.models import Deadline, DeadlineKind, Order, OrderStatus, ReturnStatus
from orders.tests.factories import sellable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _account(email: str, password: str) -> User:
    from allauth.account.models import EmailAddress

    from marketplace.legal import selectors as legal_selectors
    from marketplace.legal import services as legal_services

    account = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=account, email=email, verified=True, primary=True)
    legal_services.accept_documents(
        user=account, documents=legal_selectors.documents_requiring_acceptance(), ip_address=None, source="test"
    )
    return account


def _seller_page(browser: Browser, browser_context_args: dict, base: str, user, password: str) -> Page:
    page = browser.new_context(**browser_context_args).new_page()
    _log_in(page, base, user.email, password)
    return page


def _deliver_sandbox_webhooks() -> None:
    """What the Celery worker does after the card step: POST each signed event to our webhook over HTTP."""
    for webhook_id in SandboxWebhook.objects.filter(status=WebhookDeliveryStatus.PENDING).values_list("pk", flat=True):
        acquirer.deliver_webhook(webhook_id=webhook_id)
    assert not SandboxWebhook.objects.exclude(status=WebhookDeliveryStatus.DELIVERED).exists()


def _submit(page: Page, action: str) -> None:
    page.locator(f"form[action='{action}'] button[type=submit]").first.click()
    page.wait_for_load_state()


def _rub(amount: Decimal) -> str:
    with translation.override("ru"):
        return format_money(amount)


def test_buyer_pays_two_sellers_with_3ds_returns_one_item_and_the_other_seller_is_paid_out(
    live_server, page: Page, browser: Browser, browser_context_args, settings, user, password
):
    base = live_server.url
    # The catalogue's seller factory, not the personas: it copes with a flush by an earlier transactional test.
    seller, other_seller = (
        make_seller(user=_account(email, password)) for email in ("s1@example.com", "s2@example.com")
    )
    settings.MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_URL = base + reverse("ledger:webhook", kwargs={"provider": "sandbox"})
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "500.00"
    kettle = sellable(seller, price="2000.00", title="Чайник электрический Bosch", commission="10.00")
    scarf = sellable(other_seller, price="1500.00", title="Шарф шерстяной", commission="15.00")

    # The buyer fills the cart from two sellers.
    _log_in(page, base, user.email, password)
    for variant in (kettle, scarf):
        page.goto(base + variant.listing.get_absolute_url())
        _submit(page, reverse("orders:cart-add"))
    page.goto(base + reverse("orders:cart"))
    expect(page.locator("main")).to_contain_text("Чайник электрический Bosch")
    expect(page.locator("main")).to_contain_text("Шарф шерстяной")

    # Checkout: a delivery address first, then one order per seller and one payment.
    page.goto(base + reverse("orders:checkout"))
    page.locator("#id_recipient_name").fill("Алиса Иванова")
    page.locator("#id_phone").fill("+79123456789")
    page.locator("#id_region").fill("Москва")
    page.locator("#id_city").fill("Москва")
    page.locator("#id_street").fill("ул. Тверская")
    page.locator("#id_house").fill("1")
    page.locator("#id_postcode").fill("125009")
    _submit(page, reverse("orders:address-add"))
    _submit(page, reverse("orders:checkout"))

    # The provider's hosted page: the 3-D Secure card, then its code.
    page.wait_for_url("**/sandbox-pay/**")
    page.locator("#id_number").fill("4000 0000 0000 3220")
    page.locator("#id_expiry").fill("12/39")
    page.locator("#id_cvc").fill("123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/3ds/**")
    page.locator("#id_code").fill("123456")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/payment/")
    expect(page.locator("#payment-status .alert-info")).to_be_visible()  # processing until the webhook lands
    _deliver_sandbox_webhooks()
    expect(page.locator("#payment-status .alert-success")).to_be_visible(timeout=10_000)  # htmx polling
    kettle_order = Order.objects.get(seller=seller)
    scarf_order = Order.objects.get(seller=other_seller)
    assert kettle_order.group_id == scarf_order.group_id
    assert {kettle_order.status, scarf_order.status} == {OrderStatus.PAID}

    # Each seller confirms and ships.
    seller_pages = {}
    for who, order, tracking in ((seller, kettle_order, "CDEK-1234567"), (other_seller, scarf_order, "RA123456789RU")):
        seller_page = seller_pages[who.pk] = _seller_page(browser, browser_context_args, base, who.user, password)
        seller_page.goto(base + reverse("orders:seller-detail", args=[order.pk]))
        _submit(seller_page, reverse("orders:seller-confirm", args=[order.pk]))
        seller_page.locator("#id_carrier").fill("СДЭК")
        seller_page.locator("#id_tracking_number").fill(tracking)
        _submit(seller_page, reverse("orders:seller-ship", args=[order.pk]))
        expect(seller_page.locator("main")).to_contain_text(tracking)
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED

    # The buyer confirms the kettle; the scarf's delivery is counted automatically N days after shipping.
    page.goto(base + reverse("orders:detail", args=[kettle_order.pk]))
    _submit(page, reverse("orders:confirm-delivery", args=[kettle_order.pk]))
    Deadline.objects.filter(order=scarf_order, kind=DeadlineKind.AUTO_DELIVER).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    tasks.process_due_deadlines()
    kettle_order.refresh_from_db()
    scarf_order.refresh_from_db()
    assert kettle_order.status == scarf_order.status == OrderStatus.DELIVERED

    # The buyer returns the scarf.
    page.goto(base + reverse("orders:detail", args=[scarf_order.pk]))
    page.locator(f"a[href='{reverse('orders:return-request', args=[scarf_order.pk])}']").click()
    page.wait_for_load_state()
    page.locator(f"#id_line_{scarf_order.lines.get().pk}").fill("1")
    page.locator("#id_reason").select_option("changed_mind")
    page.locator("#id_text").fill("Не подошёл цвет, бирки на месте.")
    page.locator("input[name=resolution][value=refund]").check()
    _submit(page, reverse("orders:return-request", args=[scarf_order.pk]))
    return_request = scarf_order.returns.get()
    assert return_request.status == ReturnStatus.REQUESTED

    # Its seller approves; the buyer sends it back; the seller receives it and the refund follows.
    scarf_seller = seller_pages[other_seller.pk]
    scarf_seller.goto(base + reverse("orders:seller-detail", args=[scarf_order.pk]))
    scarf_seller.locator("input[name=decision][value=approve]").check()
    _submit(scarf_seller, reverse("orders:seller-return-decide", args=[return_request.pk]))
    page.goto(base + reverse("orders:detail", args=[scarf_order.pk]))
    page.locator(f"#rt-{return_request.pk}").fill("RA987654321RU")
    _submit(page, reverse("orders:return-sent", args=[return_request.pk]))
    scarf_seller.goto(base + reverse("orders:seller-detail", args=[scarf_order.pk]))
    _submit(scarf_seller, reverse("orders:seller-return-receive", args=[return_request.pk]))
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED
    assert return_request.refund_amount == Decimal("1500.00")
    page.goto(base + reverse("orders:detail", args=[scarf_order.pk]))
    expect(page.locator(f"#return-{return_request.pk}")).to_be_visible()
    expect(page.locator("main")).to_contain_text(_rub(Decimal("1500.00")))

    # After the return window the kettle's money is released: (2000 + 300 delivery) minus 10 % commission.
    past = timezone.now() - timedelta(minutes=1)
    Order.objects.filter(pk=kettle_order.pk).update(delivered_at=past - timedelta(days=14), return_window_ends_at=past)
    Deadline.objects.filter(order=kettle_order, kind=DeadlineKind.COMPLETE).update(due_at=past)
    tasks.process_due_deadlines()
    kettle_order.refresh_from_db()
    assert kettle_order.status == OrderStatus.COMPLETED
    released = Decimal("2070.00")
    kettle_seller = seller_pages[seller.pk]
    kettle_seller.goto(base + reverse("orders:seller-money"))
    expect(kettle_seller.locator("#balance-available")).to_have_text(_rub(released))
    expect(kettle_seller.locator("#balance-held")).to_have_text(_rub(Decimal("0.00")))

    # The seller asks for the money.
    _submit(kettle_seller, reverse("orders:seller-money"))
    payout = Payout.objects.get()
    assert payout.amount == released
    assert payout.status == PayoutStatus.PENDING
    expect(kettle_seller.locator("#balance-available")).to_have_text(_rub(Decimal("0.00")))
