"""Our client for the sandbox acquirer: the PaymentProvider a real acquirer module would mirror.

A real module (e.g. `payments/yookassa.py`) makes HTTP calls where this one calls `acquirer` directly;
everything else — signature check, event parsing, error mapping — has the same shape.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse
from django.utils.datastructures import CaseInsensitiveMapping
from django.utils.translation import gettext as _

from ...exceptions import InvalidWebhook, ProviderRejected
from ...models import SandboxPayment
from ..base import CreatedPayment, CreatedRefund, RefundStatus, WebhookEvent
from ..signing import verify_signature
from . import acquirer


def _token(provider_payment_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(provider_payment_id)
    except ValueError as exc:
        raise ProviderRejected(_("Unknown payment.")) from exc


class SandboxProvider:
    name = "sandbox"

    def create_payment(
        self, *, idempotency_key: str, amount: Decimal, currency: str, description: str, return_url: str
    ) -> CreatedPayment:
        session = acquirer.open_payment(
            idempotency_key=idempotency_key,
            amount=amount,
            currency=currency,
            description=description,
            return_url=return_url,
        )
        return CreatedPayment(
            provider_payment_id=str(session.token),
            redirect_url=reverse("sandbox:pay", kwargs={"token": session.token}),
        )

    def refund(
        self, *, idempotency_key: str, provider_payment_id: str, amount: Decimal, currency: str
    ) -> CreatedRefund:
        try:
            refund = acquirer.refund_payment(
                idempotency_key=idempotency_key, token=_token(provider_payment_id), amount=amount, currency=currency
            )
        except SandboxPayment.DoesNotExist as exc:
            raise ProviderRejected(_("Unknown payment.")) from exc
        return CreatedRefund(provider_refund_id=str(refund.token), status=RefundStatus.SUCCEEDED)

    def verify_webhook(self, *, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        verify_signature(
            secrets=[acquirer.webhook_secret()],
            header=CaseInsensitiveMapping(headers).get(acquirer.SIGNATURE_HEADER),
            raw_body=raw_body,
            tolerance=settings.MARKETPLACE_PAYMENT_WEBHOOK_TOLERANCE,
        )
        try:
            payload = json.loads(raw_body.decode("utf-8"), parse_float=Decimal)
            data = payload["data"]
            amount = Decimal(data["amount"])
            if not amount.is_finite():
                raise InvalidOperation
            return WebhookEvent(
                event_id=str(payload["id"]),
                type=str(payload["type"]),
                provider_payment_id=str(data["payment_id"]),
                amount=amount,
                currency=str(data["currency"]),
                provider_refund_id=str(data.get("refund_id") or ""),
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise InvalidWebhook(_("The webhook body cannot be read.")) from exc
