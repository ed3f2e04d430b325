"""The sandbox acquirer: hosted page journeys, signed webhooks delivered by the task, refunds to the card."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.ledger import selectors, tasks
from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import IdempotencyConflict, ProviderRejected, UnknownProvider
from marketplace.ledger.models import (
    LedgerTransaction,
    Payment,
    PaymentRefund,
    PaymentStatus,
    RefundStatus,
    SandboxPayment,
    SandboxPaymentStatus,
    SandboxWebhook,
    TransactionKind,
    WebhookDeliveryStatus,
)
from marketplace.ledger.payments.sandbox import acquirer

pytestmark = pytest.mark.django_db

RETURN_URL = "/orders/R1001/paid/"
CARD = {"expiry": "12/39", "cvc": "123", "holder": "IVAN IVANOV"}


@pytest.fixture
def payment() -> Payment:
    return ledger.create_payment(
        reference="test:group-1",
        amount=Decimal("2500.00"),
        description="Order R1001",
        return_url=RETURN_URL,
        idempotency_key=f"checkout-{uuid.uuid4()}",
    )


@pytest.fixture
def page(payment) -> str:
    return ledger.redirect_url_for_payment(payment=payment)


@pytest.fixture
def webhook_transport(monkeypatch, settings):
    """Deliver the acquirer's HTTP POSTs to our webhook through the test client (the full view, no network)."""
    settings.MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_URL = "http://testserver" + reverse(
        "ledger:webhook", kwargs={"provider": "sandbox"}
    )
    client = Client()
    sent: list[int] = []

    def post(url, body, headers, timeout=10):
        response = client.post(
            url.removeprefix("http://testserver"), data=body, content_type=headers["Content-Type"], headers=headers
        )
        sent.append(response.status_code)
        return response.status_code

    monkeypatch.setattr(acquirer, "post_webhook", post)
    return sent


def deliver_all() -> None:
    for webhook in SandboxWebhook.objects.filter(status=WebhookDeliveryStatus.PENDING).order_by("pk"):
        tasks.deliver_sandbox_webhook(webhook.pk)


# ---- creating the payment -------------------------------------------------------------------------------------


def test_payment_row_with_its_key_exists_before_the_provider_is_asked(payment):
    assert payment.status == PaymentStatus.PENDING
    assert payment.provider_payment_id == ""
    assert not SandboxPayment.objects.exists()


def test_provider_gives_a_hosted_page_under_the_sandbox_prefix(payment, page):
    payment.refresh_from_db()
    assert page == f"/sandbox-pay/{payment.provider_payment_id}/"
    assert SandboxPayment.objects.get().idempotency_key == payment.idempotency_key


def test_asking_for_the_page_again_reuses_the_first_answer(payment, page):
    again = ledger.redirect_url_for_payment(payment=payment)

    assert again == page
    assert SandboxPayment.objects.count() == 1


def test_the_same_checkout_key_returns_the_same_payment(payment):
    again = ledger.create_payment(
        reference=payment.reference,
        amount=payment.amount,
        description="Order R1001",
        return_url=RETURN_URL,
        idempotency_key=payment.idempotency_key,
    )

    assert again == payment


def test_the_same_key_for_another_amount_is_a_conflict(payment):
    with pytest.raises(IdempotencyConflict):
        ledger.create_payment(
            reference=payment.reference,
            amount=Decimal("1.00"),
            description="x",
            return_url=RETURN_URL,
            idempotency_key=payment.idempotency_key,
        )


def test_unknown_provider_is_refused_before_anything_is_written():
    with pytest.raises(UnknownProvider):
        ledger.create_payment(
            reference="test:1",
            amount=Decimal("1.00"),
            description="x",
            return_url=RETURN_URL,
            idempotency_key="k",
            provider="acme",
        )

    assert not Payment.objects.exists()


def test_sandbox_refuses_a_return_address_on_another_site():
    with pytest.raises(ProviderRejected):
        acquirer.open_payment(
            idempotency_key="k",
            amount=Decimal("1.00"),
            currency="RUB",
            description="x",
            return_url="https://evil.example/phish",
        )


# ---- hosted page journeys -------------------------------------------------------------------------------------


def test_buyer_sees_amount_description_and_the_test_cards(english_client, page):
    response = english_client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Order R1001" in html
    assert "Test mode." in html
    for number in ("4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 3220", "123456"):
        assert number in html


@pytest.mark.parametrize("language", ["ru", "en"])
def test_hosted_pages_are_labelled_and_without_inline_code(page, language):
    from marketplace.core.tests.test_pages import assert_page_is_accessible

    client = Client(headers={"accept-language": language})
    assert_page_is_accessible(client.get(page).content.decode(), language=language)
    assert_page_is_accessible(client.post(page, {**CARD, "number": "1234"}).content.decode(), language=language)
    challenge = client.post(page, {"number": "4000000000003220", **CARD})["Location"]
    assert_page_is_accessible(client.get(challenge).content.decode(), language=language)
    client.post(challenge, {"code": "000000"})
    assert_page_is_accessible(client.get(page).content.decode(), language=language)


def test_buyer_pays_with_the_success_card_returns_to_the_store_and_the_webhook_pays_the_order(
    english_client, payment, page, webhook_transport, escrow_on_success
):
    response = english_client.post(page, {"number": "4242 4242 4242 4242", **CARD})

    assert response.status_code == 302
    assert response["Location"] == RETURN_URL
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING  # "processing" until the webhook lands

    deliver_all()

    assert webhook_transport == [200]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT, payment=payment).count() == 1
    assert SandboxWebhook.objects.get().status == WebhookDeliveryStatus.DELIVERED


def test_card_payment_enqueues_the_webhook_delivery_after_commit(
    english_client, page, django_capture_on_commit_callbacks, enqueued
):
    with django_capture_on_commit_callbacks(execute=True):
        english_client.post(page, {"number": "4242424242424242", **CARD})

    assert enqueued == [("deliver_sandbox_webhook", (SandboxWebhook.objects.get().pk,))]


def test_declined_card_shows_the_decline_and_the_webhook_fails_the_payment(
    english_client, payment, page, webhook_transport, escrow_on_success
):
    response = english_client.post(page, {"number": "4000 0000 0000 0002", **CARD}, follow=True)

    assert response.status_code == 200
    assert "Payment declined" in response.content.decode()
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert escrow_on_success == [payment]
    assert not LedgerTransaction.objects.exists()


def test_three_d_secure_with_the_right_code_pays(
    english_client, payment, page, webhook_transport, escrow_on_success, merchant
):
    response = english_client.post(page, {"number": "4000 0000 0000 3220", **CARD})
    challenge = response["Location"]
    assert challenge.endswith("/3ds/")
    assert "ending in 3220" in english_client.get(challenge).content.decode()
    assert not SandboxWebhook.objects.exists()  # nothing happens before the code

    response = english_client.post(challenge, {"code": "123456"})

    assert response["Location"] == RETURN_URL
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert selectors.seller_balance(seller=merchant).held == Decimal("2500.00")


def test_three_d_secure_with_a_wrong_code_declines(english_client, payment, page, webhook_transport, escrow_on_success):
    challenge = english_client.post(page, {"number": "4000000000003220", **CARD})["Location"]

    response = english_client.post(challenge, {"code": "654321"}, follow=True)

    assert "Payment declined" in response.content.decode()
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert not LedgerTransaction.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "4242 4242 4242 4241"}, "This card number is not valid."),
        ({"number": "5555 5555 5555 4444"}, "use one of the test cards"),
        ({"number": "4242 4242 4242 4242", "expiry": "01/20"}, "This card has expired."),
        ({"number": "4242 4242 4242 4242", "expiry": "13/30"}, "Enter the month and year"),
        ({"number": "4242 4242 4242 4242", "cvc": "12a"}, "The CVC is the 3 digits"),
        ({"number": ""}, "This field is required."),
    ],
)
def test_bad_card_details_are_shown_on_the_form_and_nothing_is_charged(english_client, page, fields, message):
    response = english_client.post(page, {**CARD, **fields})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    session = SandboxPayment.objects.get()
    assert (session.status, session.card_last4) == (SandboxPaymentStatus.OPEN, "")
    assert not SandboxWebhook.objects.exists()


def test_wrong_format_three_d_secure_code_is_a_form_error(english_client, page):
    challenge = english_client.post(page, {"number": "4000000000003220", **CARD})["Location"]

    response = english_client.post(challenge, {"code": "12"})

    assert response.status_code == 200
    assert SandboxPayment.objects.get().status == SandboxPaymentStatus.CHALLENGE


def test_paying_a_completed_session_again_charges_nothing(english_client, page):
    english_client.post(page, {"number": "4242424242424242", **CARD})

    response = english_client.post(page, {"number": "4242424242424242", **CARD})

    assert response.status_code == 200
    assert "Payment complete" in response.content.decode()
    assert SandboxWebhook.objects.count() == 1


def test_unknown_session_is_not_found(english_client):
    assert english_client.get(reverse("sandbox:pay", kwargs={"token": uuid.uuid4()})).status_code == 404


# ---- webhook delivery -----------------------------------------------------------------------------------------


def test_delivery_retries_with_back_off_and_gives_up_visibly(english_client, page, monkeypatch, settings):
    settings.MARKETPLACE_PAYMENT_WEBHOOK_MAX_ATTEMPTS = 2
    monkeypatch.setattr(acquirer, "post_webhook", lambda *args, **kwargs: 503)
    english_client.post(page, {"number": "4242424242424242", **CARD})
    webhook = SandboxWebhook.objects.get()

    with pytest.raises(acquirer.WebhookDeliveryFailed):
        acquirer.deliver_webhook(webhook_id=webhook.pk)

    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts, webhook.last_error) == ("pending", 1, "HTTP 503")
    assert webhook.next_attempt_at > timezone.now()

    acquirer.deliver_webhook(webhook_id=webhook.pk)

    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts) == (WebhookDeliveryStatus.FAILED, 2)


def test_network_errors_count_as_failed_attempts(english_client, page, monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(acquirer, "post_webhook", refused)
    english_client.post(page, {"number": "4242424242424242", **CARD})

    with pytest.raises(acquirer.WebhookDeliveryFailed):
        acquirer.deliver_webhook(webhook_id=SandboxWebhook.objects.get().pk)

    assert SandboxWebhook.objects.get().last_error == "connection refused"


def test_relay_re_enqueues_only_overdue_deliveries(english_client, page, enqueued):
    english_client.post(page, {"number": "4242424242424242", **CARD})
    webhook = SandboxWebhook.objects.get()
    enqueued.clear()

    tasks.relay_sandbox_webhooks()
    assert enqueued == []  # just created: the task sent on commit gets there first

    SandboxWebhook.objects.filter(pk=webhook.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    tasks.relay_sandbox_webhooks()
    assert enqueued == [("deliver_sandbox_webhook", (webhook.pk,))]


def test_redelivering_a_delivered_event_does_nothing(english_client, page, webhook_transport, escrow_on_success):
    english_client.post(page, {"number": "4242424242424242", **CARD})
    deliver_all()
    webhook = SandboxWebhook.objects.get()

    tasks.deliver_sandbox_webhook(webhook.pk)

    assert webhook_transport == [200]


@pytest.mark.django_db(transaction=True)
def test_webhook_reaches_the_running_site_over_http(live_server, settings, merchant):
    from marketplace.ledger.payments import hooks

    settings.MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_URL = live_server.url + reverse(
        "ledger:webhook", kwargs={"provider": "sandbox"}
    )
    payment = ledger.create_payment(
        reference="test:live",
        amount=Decimal("100.00"),
        description="Live",
        return_url=RETURN_URL,
        idempotency_key="live",
    )
    page = ledger.redirect_url_for_payment(payment=payment)
    Client().post(page, {"number": "4242424242424242", **CARD})

    def on_succeeded(paid):
        ledger.record_payment(
            payment=paid, allocations=[ledger.Allocation(reference="order:live", seller=merchant, amount=paid.amount)]
        )

    with hooks.registered("test", on_succeeded=on_succeeded):
        tasks.deliver_sandbox_webhook(SandboxWebhook.objects.get().pk)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert SandboxWebhook.objects.get().status == WebhookDeliveryStatus.DELIVERED
    assert selectors.seller_balance(seller=merchant).held == Decimal("100.00")


# ---- refunds to the card --------------------------------------------------------------------------------------


@pytest.fixture
def paid(english_client, payment, page, webhook_transport, escrow_on_success) -> Payment:
    english_client.post(page, {"number": "4242424242424242", **CARD})
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment


def test_partial_refund_reaches_the_card_and_the_payment_is_partially_refunded(paid, webhook_transport):
    reference = paid.ledger_references.get().key
    ledger.refund(reference=reference, amount=Decimal("1000.00"), commission_rate=Decimal("0.1"), idempotency_key="r1")
    card_refund = PaymentRefund.objects.get()

    tasks.submit_refund(card_refund.pk)

    card_refund.refresh_from_db()
    paid.refresh_from_db()
    assert card_refund.status == RefundStatus.SUCCEEDED
    assert paid.status == PaymentStatus.PARTIALLY_REFUNDED
    assert SandboxPayment.objects.get().refunded_amount == Decimal("1000.00")

    deliver_all()  # the acquirer's refund.succeeded webhook: already known, changes nothing

    assert webhook_transport[-1] == 200
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.PARTIALLY_REFUNDED


def test_refunding_the_rest_makes_the_payment_refunded(paid):
    reference = paid.ledger_references.get().key
    for key, amount in (("r1", "1000.00"), ("r2", "1500.00")):
        ledger.refund(reference=reference, amount=Decimal(amount), commission_rate=Decimal("0"), idempotency_key=key)
    for card_refund in PaymentRefund.objects.order_by("pk"):
        tasks.submit_refund(card_refund.pk)

    paid.refresh_from_db()
    assert paid.status == PaymentStatus.REFUNDED
    assert selectors.ledger_violations() == []


def test_submitting_a_refund_twice_refunds_the_card_once(paid):
    reference = paid.ledger_references.get().key
    ledger.refund(reference=reference, amount=Decimal("100.00"), commission_rate=Decimal("0"), idempotency_key="r")
    card_refund = PaymentRefund.objects.get()

    tasks.submit_refund(card_refund.pk)
    tasks.submit_refund(card_refund.pk)

    assert SandboxPayment.objects.get().refunded_amount == Decimal("100.00")


def test_refund_the_provider_refuses_for_good_is_marked_failed_for_staff(paid):
    reference = paid.ledger_references.get().key
    ledger.refund(reference=reference, amount=Decimal("100.00"), commission_rate=Decimal("0"), idempotency_key="r")
    SandboxPayment.objects.update(refunded_amount=Decimal("2500.00"))  # the acquirer thinks nothing is left

    tasks.submit_refund(PaymentRefund.objects.get().pk)

    card_refund = PaymentRefund.objects.get()
    assert card_refund.status == RefundStatus.FAILED
    assert list(selectors.failed_refunds()) == [card_refund]
