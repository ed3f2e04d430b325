"""Provider webhooks: verified before anything is written, deduplicated by event id, cross-checked, applied once."""

from __future__ import annotations

import json
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import InvalidWebhook
from marketplace.ledger.models import (
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentEvent,
    PaymentStatus,
    PaymentStatusChange,
    TransactionKind,
)
from marketplace.ledger.payments import hooks
from marketplace.ledger.payments.sandbox import acquirer
from marketplace.ledger.payments.signing import compute_signature, signature_header, verify_signature

pytestmark = pytest.mark.django_db

URL = reverse("ledger:webhook", kwargs={"provider": "sandbox"})


@pytest.fixture
def payment() -> Payment:
    payment = ledger.create_payment(
        reference="test:group-1",
        amount=Decimal("1234.50"),
        description="Order R1001",
        return_url="/orders/R1001/",
        idempotency_key=f"checkout-{uuid.uuid4()}",
    )
    ledger.redirect_url_for_payment(payment=payment)
    payment.refresh_from_db()
    return payment


def event_body(payment: Payment, *, event_id: str = "evt_1", type_: str = "payment.succeeded", **data) -> bytes:
    payload = {
        "id": event_id,
        "type": type_,
        "created": int(time.time()),
        "data": {"payment_id": payment.provider_payment_id, "amount": "1234.50", "currency": "RUB", **data},
    }
    return json.dumps(payload).encode()


def send(client: Client, body: bytes, *, header: str | None = None, secret: str | None = None, timestamp=None):
    header = (
        header
        if header is not None
        else signature_header(secret or acquirer.webhook_secret(), body, timestamp=timestamp)
    )
    return client.post(URL, data=body, content_type="application/json", headers={"Sandbox-Signature": header})


def nothing_written(payment: Payment) -> bool:
    payment.refresh_from_db()
    return (
        payment.status == PaymentStatus.PENDING
        and not PaymentEvent.objects.exists()
        and not LedgerTransaction.objects.exists()
        and not PaymentStatusChange.objects.exclude(reason="created").exists()
    )


# ---- signatures (pure) ----------------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"a":1}'

    assert (
        compute_signature("s3cret", 1700000000, body)
        == hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    )
    assert signature_header("s3cret", body, timestamp=1700000000).startswith("t=1700000000,v1=")


def test_a_signature_from_any_current_secret_is_accepted_while_rotating():
    body = b"{}"
    header = signature_header("old", body, timestamp=1000)

    assert verify_signature(secrets=["new", "old"], header=header, raw_body=body, tolerance=300, now=1100) == 1000


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=1000", "t=soon,v1=abc", "nonsense", "t=1000,v1=" + "0" * 64])
def test_missing_malformed_or_wrong_signature_headers_are_rejected(header):
    with pytest.raises(InvalidWebhook):
        verify_signature(secrets=["s"], header=header, raw_body=b"{}", tolerance=300, now=1000)


@pytest.mark.parametrize("skew", [-301, 301])
def test_timestamps_outside_the_tolerance_are_rejected(skew):
    header = signature_header("s", b"{}", timestamp=1000)

    with pytest.raises(InvalidWebhook, match="tolerance"):
        verify_signature(secrets=["s"], header=header, raw_body=b"{}", tolerance=300, now=1000 + skew)


# ---- the endpoint ---------------------------------------------------------------------------------------------


def test_provider_confirms_a_payment_and_the_money_goes_into_escrow_once(client, payment, escrow_on_success):
    body = event_body(payment)

    response = send(client, body)

    assert response.status_code == 200
    assert response.json() == {"status": "processed"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    event = PaymentEvent.objects.get()
    assert (event.provider, event.event_id, event.raw_body, event.payment) == (
        "sandbox",
        "evt_1",
        body.decode(),
        payment,
    )
    txn = LedgerTransaction.objects.get(kind=TransactionKind.PAYMENT)
    assert txn.payment == payment
    assert list(payment.status_changes.values_list("from_status", "to_status")) == [
        ("", PaymentStatus.PENDING),
        (PaymentStatus.PENDING, PaymentStatus.SUCCEEDED),
    ]


def test_a_replayed_event_is_acknowledged_and_changes_nothing(client, payment, escrow_on_success):
    body = event_body(payment)
    send(client, body)

    response = send(client, body)

    assert response.json() == {"status": "duplicate"}
    assert PaymentEvent.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1


def test_a_second_success_event_with_a_new_id_is_stored_but_posts_nothing(client, payment, escrow_on_success):
    send(client, event_body(payment, event_id="evt_1"))

    response = send(client, event_body(payment, event_id="evt_2"))

    assert response.json() == {"status": "processed"}
    assert PaymentEvent.objects.count() == 2
    assert LedgerTransaction.objects.count() == 1


def test_forged_signature_is_rejected_and_nothing_written(client, payment, escrow_on_success):
    response = send(client, event_body(payment), secret="attacker-guess")

    assert response.status_code == 400
    assert response.json()["status"] == "rejected"
    assert nothing_written(payment)


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_stale_or_future_timestamp_is_rejected_and_nothing_written(client, payment, escrow_on_success, age):
    response = send(client, event_body(payment), timestamp=int(time.time()) - age)

    assert response.status_code == 400
    assert nothing_written(payment)


def test_mutated_body_is_rejected_and_nothing_written(client, payment, escrow_on_success):
    signed = event_body(payment)
    header = signature_header(acquirer.webhook_secret(), signed)
    mutated = signed.replace(b"1234.50", b"1.00")

    response = send(client, mutated, header=header)

    assert response.status_code == 400
    assert nothing_written(payment)


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "1.00"},
        {"amount": "1234.51"},
        {"amount": "12345.00"},
        {"currency": "USD"},
        {"payment_id": str(uuid.uuid4())},
    ],
)
def test_properly_signed_event_that_disagrees_with_the_payment_is_rejected_and_nothing_written(
    client, payment, escrow_on_success, data
):
    response = send(client, event_body(payment, **data))

    assert response.status_code == 400
    assert response.json()["error"] == "WebhookMismatch"
    assert nothing_written(payment)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"id": "x"}', b'{"id":"x","type":"t","data":{"amount":"NaN"}}'])
def test_properly_signed_but_unreadable_body_is_rejected(client, payment, body):
    response = send(client, body)

    assert response.status_code == 400
    assert nothing_written(payment)


def test_missing_signature_header_is_rejected(client, payment):
    response = client.post(URL, data=event_body(payment), content_type="application/json")

    assert response.status_code == 400
    assert nothing_written(payment)


def test_unknown_provider_is_not_found(client, payment):
    body = event_body(payment)
    response = client.post(
        reverse("ledger:webhook", kwargs={"provider": "acme"}),
        data=body,
        content_type="application/json",
        headers={"Sandbox-Signature": signature_header(acquirer.webhook_secret(), body)},
    )

    assert response.status_code == 404
    assert nothing_written(payment)


def test_webhook_accepts_only_post(client):
    assert client.get(URL).status_code == 405


def test_without_a_registered_hook_the_event_is_refused_for_a_later_retry(client, payment):
    body = event_body(payment)

    response = send(client, body)

    assert response.status_code == 503
    assert nothing_written(payment)


def test_a_failing_hook_rolls_back_the_whole_event(client, payment):
    def broken(payment):
        raise RuntimeError("orders crashed")

    with hooks.registered("test", on_succeeded=broken), pytest.raises(RuntimeError):
        send(client, event_body(payment))

    assert nothing_written(payment)


def test_payment_failed_event_marks_the_payment_failed_and_tells_the_owner(client, payment, escrow_on_success):
    response = send(client, event_body(payment, type_="payment.failed"))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert escrow_on_success == [payment]
    assert not LedgerTransaction.objects.exists()


def test_late_failure_notice_after_success_is_stored_but_the_success_stands(client, payment, escrow_on_success):
    send(client, event_body(payment, event_id="evt_ok"))

    send(client, event_body(payment, event_id="evt_late", type_="payment.failed"))

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert escrow_on_success == []


def test_unknown_event_types_are_stored_and_ignored(client, payment, escrow_on_success):
    response = send(client, event_body(payment, type_="payment.waiting_for_capture"))

    assert response.json() == {"status": "processed"}
    assert PaymentEvent.objects.count() == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_webhook_replayed_100_times_20_at_once_posts_to_the_ledger_once(payment, escrow_on_success):
    body = event_body(payment)
    header = signature_header(acquirer.webhook_secret(), body)
    rounds, workers = 5, 20
    statuses: list[int] = []
    lock = threading.Lock()

    def replay(barrier: threading.Barrier) -> None:
        client = Client()  # each thread has its own database connection
        try:
            barrier.wait()
            response = client.post(
                URL, data=body, content_type="application/json", headers={"Sandbox-Signature": header}
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    for _round in range(rounds):
        barrier = threading.Barrier(workers)
        threads = [threading.Thread(target=replay, args=(barrier,)) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert statuses == [200] * rounds * workers
    assert PaymentEvent.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT).count() == 1
    assert LedgerEntry.objects.count() == 2
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.status_changes.filter(to_status=PaymentStatus.SUCCEEDED).count() == 1
