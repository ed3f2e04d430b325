"""Who handles a payment once its provider confirms it: an explicit registry, not signals.

An app owning a kind of reference (the part before ":" in `Payment.reference`) registers callables,
typically in its AppConfig.ready():

    from marketplace.ledger.payments import hooks
    hooks.register("order_group", on_succeeded=services.mark_group_paid, on_failed=services.payment_failed)

`on_succeeded(payment)` runs inside the webhook's transaction, right after the payment became
succeeded, exactly once per payment; it should put the money into escrow with
`ledger.record_payment(...)`. If it raises, the whole webhook is rolled back (event not stored) and the
provider retries it later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..exceptions import NoPaymentHook

if TYPE_CHECKING:
    from ..models import Payment

PaymentCallback = Callable[["Payment"], None]


@dataclass(frozen=True)
class PaymentHooks:
    on_succeeded: PaymentCallback
    on_failed: PaymentCallback | None = None


_registry: dict[str, PaymentHooks] = {}


def reference_kind(reference: str) -> str:
    return reference.partition(":")[0]


def register(kind: str, *, on_succeeded: PaymentCallback, on_failed: PaymentCallback | None = None) -> None:
    if not kind or ":" in kind:
        raise ValueError("a reference kind is the text before ':' in Payment.reference")
    existing = _registry.get(kind)
    hooks = PaymentHooks(on_succeeded=on_succeeded, on_failed=on_failed)
    if existing is not None and existing != hooks:
        raise ValueError(f"payment hooks for {kind!r} are already registered")
    _registry[kind] = hooks


def unregister(kind: str) -> None:
    _registry.pop(kind, None)


@contextmanager
def registered(kind: str, *, on_succeeded: PaymentCallback, on_failed: PaymentCallback | None = None) -> Iterator[None]:
    """Register for the duration of a block (tests)."""
    register(kind, on_succeeded=on_succeeded, on_failed=on_failed)
    try:
        yield
    finally:
        unregister(kind)


def hooks_for(reference: str) -> PaymentHooks:
    hooks = _registry.get(reference_kind(reference))
    if hooks is None:
        raise NoPaymentHook(f"no payment hooks registered for references like {reference!r}")
    return hooks


def payment_succeeded(payment: Payment) -> None:
    hooks_for(payment.reference).on_succeeded(payment)


def payment_failed(payment: Payment) -> None:
    on_failed = hooks_for(payment.reference).on_failed
    if on_failed is not None:
        on_failed(payment)
