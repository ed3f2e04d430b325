"""Two refunds racing for the last roubles of an order, each in its own thread and database connection."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Variant
from catalog.tests.factories import make_seller
from marketplace.accounts.models import User
from marketplace.core.exceptions import DomainError
from marketplace.ledger import selectors as ledger_selectors
from marketplace.ledger import services as ledger
from marketplace.ledger.exceptions import RefundExceedsPayment
from marketplace.ledger.models import LedgerReference, LedgerTransaction, PaymentRefund, TransactionKind
from orders import services
from orders.models import ReturnEvent, ReturnReason, ReturnRequest, ReturnStatus

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*targets) -> list:
    barrier = threading.Barrier(len(targets))
    outcomes: list = [None] * len(targets)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            targets[index]()
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error
        except Exception as error:  # anything else becomes the failure message
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_return_refunds_racing_for_the_last_roubles_one_wins_the_other_is_refused():
    # Not the personas: a transactional test elsewhere may have flushed the rows they need (catalog's factory copes).
    seller = make_seller()
    buyer = User.objects.create_user(email="racing.buyer@example.com", password="x-password-42")
    # given: 2 × 1000 ₽ + 300 ₽ delivery paid; 1300 ₽ already given back as compensation, 1000 ₽ left to refund
    variant = sellable(seller, price="1000.00", stock=5)
    group = pay(checkout(buyer, [(variant, 2)]))
    order = group.orders.get()
    services.ship_order(order=order, actor=seller.user, carrier="СДЭК", tracking_number="CDEK-0001")
    services.confirm_delivery(order=order, actor=buyer)
    ledger.refund(
        reference=order.ledger_reference,
        amount=Decimal("1300.00"),
        commission_rate=Decimal("0.10"),
        idempotency_key=f"compensation:{order.pk}",
        reason="compensation for a late delivery",
    )
    line = order.lines.get()
    returns = []
    for _ in range(2):
        return_request = services.request_return(
            order=order, actor=buyer, quantities={line.pk: 1}, reason=ReturnReason.CHANGED_MIND
        )
        returns.append(services.approve_return(return_request=return_request, actor=seller.user))
    refunds_before = LedgerTransaction.objects.filter(kind=TransactionKind.REFUND).count()
    on_hand_before = Variant.objects.get(pk=variant.pk).on_hand

    # when: the seller's two warehouse tabs mark both parcels received at once
    outcomes = _race(
        *(
            lambda return_request=return_request: services.receive_return(
                return_request=return_request, actor=seller.user
            )
            for return_request in returns
        )
    )

    # then: one refund of 1000 ₽; the other is refused with a clear error and changes nothing
    assert sorted(outcome == "ok" for outcome in outcomes) == [False, True], outcomes
    error = next(outcome for outcome in outcomes if outcome != "ok")
    assert isinstance(error, RefundExceedsPayment), error
    assert "0.00" in error.message
    winner, loser = (returns[0], returns[1]) if outcomes[0] == "ok" else (returns[1], returns[0])
    assert ReturnRequest.objects.get(pk=winner.pk).status == ReturnStatus.REFUNDED
    assert ReturnRequest.objects.get(pk=winner.pk).refund_amount == Decimal("1000.00")
    assert ReturnRequest.objects.get(pk=loser.pk).status == ReturnStatus.APPROVED
    assert ReturnRequest.objects.get(pk=loser.pk).refund_amount is None
    assert not ReturnEvent.objects.filter(return_request=loser, to_status=ReturnStatus.RECEIVED).exists()
    assert LedgerTransaction.objects.filter(kind=TransactionKind.REFUND).count() == refunds_before + 1
    assert Variant.objects.get(pk=variant.pk).on_hand == on_hand_before + 1
    totals = ledger_selectors.reference_totals(reference=LedgerReference.objects.get(key=order.ledger_reference))
    assert totals.refunded == totals.paid == Decimal("2300.00")
    assert totals.held == Decimal("0.00")
    assert sum(PaymentRefund.objects.values_list("amount", flat=True)) == Decimal("2300.00")
    assert ledger_selectors.ledger_violations() == []
