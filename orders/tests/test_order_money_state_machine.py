"""Hypothesis drives random sequences of checkout, pay, confirm, ship, deliver, cancel, return, refund, complete and
payout over a few orders of two sellers, and checks the books after every step: each transaction sums to zero,
escrow never goes negative, seller balances equal the sum of their entries, and finished orders hold nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from marketplace.core.exceptions import DomainError
from marketplace.ledger import selectors as ledger_selectors
from marketplace.ledger import services as ledger
from marketplace.ledger.models import (
    NON_NEGATIVE_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Owner,
    Payout,
    PayoutStatus,
)
from orders import services
from orders.models import Order, OrderGroup, OrderStatus, ReturnReason, ReturnRequest, ReturnStatus

from .factories import checkout, pay, sellable

pytestmark = pytest.mark.django_db

FINISHED = {OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.COMPLETED}


def ledger_state() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        tuple(LedgerAccount.objects.order_by("pk").values_list("pk", "balance")),
    )


class OrderMoneyMachine(RuleBasedStateMachine):
    buyer = None
    sellers: list = []
    variants: list = []

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint of the test's transaction and is rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.keys = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _key(self) -> str:
        self.keys += 1
        return f"machine-{id(self)}-{self.keys}"

    def _order(self, data) -> Order:
        pk = data.draw(st.sampled_from(sorted(Order.objects.values_list("pk", flat=True))))
        return Order.objects.select_related("seller__user", "buyer").get(pk=pk)

    def _attempt(self, order: Order | None, action) -> None:
        """Run one use case; a refusal must leave the ledger and the order exactly as they were."""
        before = ledger_state(), order and Order.objects.values_list("status", flat=True).get(pk=order.pk)
        try:
            action()
        except (DomainError, PermissionDenied):
            after = ledger_state(), order and Order.objects.values_list("status", flat=True).get(pk=order.pk)
            assert after == before

    @precondition(lambda self: OrderGroup.objects.count() < 6)
    @rule(both_sellers=st.booleans(), quantity=st.integers(min_value=1, max_value=3))
    def place_order(self, both_sellers: bool, quantity: int) -> None:
        chosen = self.variants if both_sellers else self.variants[:1]
        checkout(self.buyer, [(variant, quantity) for variant in chosen])

    @precondition(lambda self: OrderGroup.objects.filter(paid_at__isnull=True, expired_at__isnull=True).exists())
    @rule(data=st.data())
    def pay(self, data) -> None:
        pks = sorted(
            OrderGroup.objects.filter(paid_at__isnull=True, expired_at__isnull=True).values_list("pk", flat=True)
        )
        pay(OrderGroup.objects.get(pk=data.draw(st.sampled_from(pks))))

    @precondition(lambda self: OrderGroup.objects.filter(paid_at__isnull=True, expired_at__isnull=True).exists())
    @rule()
    def unpaid_groups_expire(self) -> None:
        OrderGroup.objects.filter(paid_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
        services.expire_unpaid_groups()

    @precondition(lambda self: Order.objects.exists())
    @rule(data=st.data())
    def confirm(self, data) -> None:
        order = self._order(data)
        self._attempt(order, lambda: services.confirm_order(order=order, actor=order.seller.user))

    @precondition(lambda self: Order.objects.exists())
    @rule(data=st.data())
    def ship(self, data) -> None:
        order = self._order(data)
        self._attempt(
            order,
            lambda: services.ship_order(
                order=order, actor=order.seller.user, carrier="СДЭК", tracking_number=f"TRK{order.pk:06d}"
            ),
        )

    @precondition(lambda self: Order.objects.exists())
    @rule(data=st.data())
    def deliver(self, data) -> None:
        order = self._order(data)
        self._attempt(order, lambda: services.confirm_delivery(order=order, actor=order.buyer))

    @precondition(lambda self: Order.objects.exists())
    @rule(data=st.data(), by_seller=st.booleans())
    def cancel(self, data, by_seller: bool) -> None:
        order = self._order(data)
        actor = order.seller.user if by_seller else order.buyer
        self._attempt(order, lambda: services.cancel_order(order=order, actor=actor, reason="Нет в наличии"))

    @precondition(lambda self: Order.objects.exists())
    @rule(
        data=st.data(),
        reason=st.sampled_from([ReturnReason.CHANGED_MIND, ReturnReason.DEFECT]),
        quantity=st.integers(min_value=1, max_value=4),
    )
    def request_return(self, data, reason: str, quantity: int) -> None:
        order = self._order(data)
        line = order.lines.first()

        def request_and_approve() -> None:
            return_request = services.request_return(
                order=order, actor=order.buyer, quantities={line.pk: quantity}, reason=reason
            )
            services.approve_return(return_request=return_request, actor=order.seller.user)

        self._attempt(order, request_and_approve)

    @precondition(lambda self: ReturnRequest.objects.filter(status=ReturnStatus.APPROVED).exists())
    @rule(data=st.data(), resellable=st.booleans())
    def refund_return(self, data, resellable: bool) -> None:
        pks = sorted(ReturnRequest.objects.filter(status=ReturnStatus.APPROVED).values_list("pk", flat=True))
        return_request = ReturnRequest.objects.select_related("order__seller__user").get(
            pk=data.draw(st.sampled_from(pks))
        )
        services.receive_return(
            return_request=return_request, actor=return_request.order.seller.user, resellable=resellable
        )
        assert ReturnRequest.objects.get(pk=return_request.pk).status == ReturnStatus.REFUNDED

    @precondition(lambda self: Order.objects.filter(status=OrderStatus.DELIVERED).exists())
    @rule(data=st.data())
    def return_window_ends(self, data) -> None:
        pks = sorted(Order.objects.filter(status=OrderStatus.DELIVERED).values_list("pk", flat=True))
        order = Order.objects.get(pk=data.draw(st.sampled_from(pks)))
        Order.objects.filter(pk=order.pk).update(return_window_ends_at=timezone.now() - timedelta(seconds=1))
        services.complete_order(order=order)

    @rule(seller_index=st.sampled_from([0, 1]), bank_settles=st.booleans())
    def payout(self, seller_index: int, bank_settles: bool) -> None:
        seller = self.sellers[seller_index]
        self._attempt(
            None, lambda: services.request_seller_payout(seller=seller, actor=seller.user, idempotency_key=self._key())
        )
        if bank_settles:
            for payout_id in Payout.objects.filter(status=PayoutStatus.PENDING).values_list("pk", flat=True):
                ledger.dispatch_payout(payout_id=payout_id)
            ledger.poll_sent_payouts()

    @invariant()
    def books_balance(self) -> None:
        with connection.cursor() as cursor:  # fire the deferred "sums to zero" triggers now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        assert not LedgerEntry.objects.values("transaction_id", "currency").annotate(t=Sum("amount")).exclude(t=0)
        assert not LedgerTransaction.objects.annotate(n=Count("entries")).filter(n__lt=2).exists()
        for account in LedgerAccount.objects.filter(kind__in=NON_NEGATIVE_KINDS):
            assert account.balance >= 0, account
        assert ledger_selectors.ledger_violations() == []

    @invariant()
    def seller_balances_are_the_sum_of_their_entries(self) -> None:
        for seller in self.sellers:
            owner = Owner.of(seller)
            sums = dict(
                LedgerEntry.objects.filter(account__owner_type=owner.type, account__owner_id=owner.id)
                .values_list("account__kind")
                .annotate(total=Sum("amount"))
            )
            balance = ledger_selectors.seller_balance(seller=seller)
            payable = sums.get(AccountKind.SELLER_PAYABLE, Decimal("0"))
            assert balance.held == sums.get(AccountKind.ESCROW, Decimal("0"))
            assert balance.available == max(payable, Decimal("0"))
            assert balance.debt == max(-payable, Decimal("0"))

    @invariant()
    def finished_orders_hold_nothing_in_escrow(self) -> None:
        held = dict(
            LedgerEntry.objects.filter(account__kind=AccountKind.ESCROW, reference__isnull=False)
            .values_list("reference__key")
            .annotate(total=Sum("amount"))
        )
        for pk, status in Order.objects.values_list("pk", "status"):
            amount = held.get(f"order:{pk}", Decimal("0"))
            assert amount >= 0, (pk, amount)
            if status in FINISHED:
                assert amount == 0, (pk, status, amount)


def test_random_order_lifecycles_keep_the_books_balanced(buyer, seller, other_seller, settings):
    settings.MARKETPLACE_LEDGER_PAYOUT_MINIMUM = "1.00"
    OrderMoneyMachine.buyer = buyer
    OrderMoneyMachine.sellers = [seller, other_seller]
    OrderMoneyMachine.variants = [
        sellable(seller, price="1000.00", stock=1000, commission="10.00"),
        sellable(other_seller, price="777.77", stock=1000, commission="15.00", title="Шарф шерстяной"),
    ]

    run_state_machine_as_test(
        OrderMoneyMachine,
        settings=hypothesis_settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
