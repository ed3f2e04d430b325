"""Payment providers by name, from settings.MARKETPLACE_PAYMENT_PROVIDERS (name → dotted class path)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from ..exceptions import UnknownProvider
from .base import CreatedPayment, CreatedRefund, EventType, PaymentProvider, RefundStatus, WebhookEvent

__all__ = [
    "CreatedPayment",
    "CreatedRefund",
    "EventType",
    "PaymentProvider",
    "RefundStatus",
    "WebhookEvent",
    "default_provider_name",
    "get_provider",
]


def default_provider_name() -> str:
    return settings.MARKETPLACE_PAYMENT_PROVIDER


def get_provider(name: str) -> PaymentProvider:
    """The configured provider called `name`; UnknownProvider if none is."""
    path = settings.MARKETPLACE_PAYMENT_PROVIDERS.get(name)
    if path is None:
        raise UnknownProvider()
    return _instantiate(name, path)


@cache
def _instantiate(name: str, path: str) -> PaymentProvider:
    provider = import_string(path)()
    if provider.name != name:
        raise ValueError(f"provider {path} calls itself {provider.name!r}, configured as {name!r}")
    return provider
