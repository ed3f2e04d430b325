from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from disputes import services, tasks
from disputes.exceptions import (
    AlreadyDecided,
    DisputeAlreadyOpen,
    DisputeWindowClosed,
    FourEyesViolation,
    InvalidAmount,
)
from disputes.models import Decision, DecisionStatus, Dispute, DisputeStatus
from marketplace.core.exceptions import InvalidTransition
from orders import services as order_services
from orders.models import Order, OrderStatus

from .conftest import overdue

pytestmark = pytest.mark.django_db


def _open(order, buyer, **extra):
    fields = {
        "reason": "not_as_described",
        "description": "Пришли кроссовки другого цвета.",
        "desired_outcome": "full_refund",
    }
    fields.update(extra)
    return services.open_dispute(order=order, actor=buyer, **fields)


def _escalated(order, buyer, seller):
    dispute = _open(order, buyer)
    services.seller_reject(dispute=dispute, actor=seller.user, text="Цвет совпадает с фото.")
    return services.escalate(dispute=dispute, actor=buyer)


def test_buyer_opens_dispute_and_seller_has_three_days(delivered, buyer, seller):
    dispute = _open(delivered, buyer)

    assert dispute.status == DisputeStatus.AWAITING_SELLER
    assert dispute.whose_move == "seller"
    assert timedelta(days=2, hours=23) < dispute.deadline_at - timezone.now() <= timedelta(days=3)
    assert dispute.events.get().to_status == DisputeStatus.AWAITING_SELLER
    assert seller.user.notifications.filter(kind="dispute_updated_seller").exists()


def test_dispute_notifications_name_the_stage_the_dispute_moved_to(delivered, buyer, seller):
    from marketplace.notifications import kinds
    from marketplace.notifications.channels import render_inbox

    dispute = _open(delivered, buyer)
    services.seller_reject(dispute=dispute, actor=seller.user, text="Цвет совпадает с фото.")
    services.escalate(dispute=dispute, actor=buyer)

    buyer_texts = [
        render_inbox(note, kinds.get(note.kind))["body"]
        for note in buyer.notifications.filter(kind="dispute_updated").order_by("pk")
    ]
    seller_note = seller.user.notifications.filter(kind="dispute_updated_seller").order_by("pk").first()
    number, order_number = dispute.number, delivered.number
    assert buyer_texts == [  # in the recipient's language: Russian, the default
        f"Спор {number} по заказу {order_number} перешёл на этап «Продавец отклонил претензию». "
        "Откройте его, чтобы увидеть, чей сейчас ход и срок.",
        f"Спор {number} по заказу {order_number} перешёл на этап «Передан модератору маркетплейса». "
        "Откройте его, чтобы увидеть, чей сейчас ход и срок.",
    ]
    assert render_inbox(seller_note, kinds.get(seller_note.kind))["body"] == (
        f"Спор {number} по заказу {order_number} перешёл на этап «Ждёт ответа продавца». "
        "Откройте его, чтобы узнать, что от вас требуется и в какой срок."
    )


def test_an_older_dispute_notification_without_a_stage_keeps_its_general_text(delivered, buyer):
    from marketplace.notifications import kinds
    from marketplace.notifications.channels import render_inbox

    dispute = _open(delivered, buyer)
    note = dispute.seller.user.notifications.get(kind="dispute_updated_seller")
    note.context = {key: value for key, value in note.context.items() if key != "status"}

    body = render_inbox(note, kinds.get(note.kind))["body"]

    assert body.startswith(f"В споре {dispute.number} по заказу {delivered.number} есть новости.")


def test_silent_seller_is_escalated_by_the_beat_task_and_assigned_to_a_moderator(delivered, buyer, moderator):
    dispute = _open(delivered, buyer)
    overdue(dispute)

    tasks.process_due_disputes()

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_ARBITRATION
    assert dispute.assigned_to == moderator
    assert [e.to_status for e in dispute.events.all()] == ["awaiting_seller", "escalated", "in_arbitration"]


def test_full_lifecycle_escalated_by_beat_then_decided_refunds_and_records_incident(
    delivered, buyer, seller, moderator
):
    dispute = _open(delivered, buyer)
    overdue(dispute)
    tasks.process_due_disputes()
    dispute.refresh_from_db()

    services.decide(dispute=dispute, actor=moderator, kind="partial_refund", amount="500.00", reasoning="Брак.")

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DECIDED
    assert not dispute.is_open
    assert dispute.refunded_amount == Decimal("500.00")
    assert services.refundable_for(delivered) == Decimal("1800.00")
    assert delivered.incidents.filter(kind="dispute_lost").exists()
    services.rate_handling(dispute=dispute, actor=buyer, score=5, comment="Быстро")
    assert dispute.ratings.get(user=buyer).score == 5


def test_seller_accepting_executes_the_full_refund(delivered, buyer, seller):
    dispute = _open(delivered, buyer)

    services.seller_accept(dispute=dispute, actor=seller.user)

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.refunded_amount == Decimal("2300.00")
    assert not delivered.incidents.filter(kind="dispute_lost").exists()


def test_buyer_accepting_a_partial_proposal_resolves_it(delivered, buyer, seller):
    dispute = _open(delivered, buyer)
    services.seller_propose(dispute=dispute, actor=seller.user, kind="partial_refund", amount="400", text="Скидка")

    services.answer_proposal(dispute=dispute, actor=buyer, accept=True)

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.refunded_amount == Decimal("400.00")


def test_return_then_refund_refunds_when_the_seller_receives_the_item(delivered, buyer, seller):
    dispute = _open(delivered, buyer)
    services.seller_propose(dispute=dispute, actor=seller.user, kind="return_then_refund", text="Верните товар")
    services.answer_proposal(dispute=dispute, actor=buyer, accept=True)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AWAITING_RETURN
    services.mark_return_sent(dispute=dispute, actor=buyer, tracking_number="RET-1")

    services.confirm_return_received(dispute=dispute, actor=seller.user)

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.refunded_amount == Decimal("2300.00")


def test_silent_buyer_after_rejection_is_closed_by_beat(delivered, buyer, seller):
    dispute = _open(delivered, buyer)
    services.seller_reject(dispute=dispute, actor=seller.user, text="Нет")
    overdue(dispute)

    services.process_due_disputes()

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.CLOSED


def test_payout_stays_held_while_a_dispute_is_open_and_is_released_after(delivered, buyer, seller, moderator):
    Order.objects.filter(pk=delivered.pk).update(return_window_ends_at=timezone.now() - timedelta(minutes=1))
    dispute = _escalated(delivered, buyer, seller)

    assert order_services.complete_order(order=delivered) is False
    assert order_services.held_for(delivered) == Decimal("2300.00")

    services.decide(dispute=dispute, actor=moderator, kind="partial_refund", amount="300.00", reasoning="Доставка")

    delivered.refresh_from_db()
    assert delivered.status == OrderStatus.COMPLETED
    assert order_services.held_for(delivered) == Decimal("0.00")


# Bad input -----------------------------------------------------------------------------------------------


def test_buyer_cannot_open_a_dispute_on_someone_elses_order(delivered, other_buyer):
    with pytest.raises(PermissionDenied):
        _open(delivered, other_buyer)

    assert not Dispute.objects.exists()


def test_buyer_cannot_open_a_dispute_outside_the_window(delivered, buyer):
    Order.objects.filter(pk=delivered.pk).update(delivered_at=timezone.now() - timedelta(days=31))
    delivered.refresh_from_db()

    with pytest.raises(DisputeWindowClosed):
        _open(delivered, buyer)

    assert not Dispute.objects.exists()


def test_buyer_can_open_a_dispute_when_the_expected_delivery_passed(buyer, seller):
    from orders.tests.factories import checkout, pay, sellable

    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    with pytest.raises(DisputeWindowClosed):
        _open(order, buyer, reason="not_received")
    Order.objects.filter(pk=order.pk).update(ship_by=timezone.now() - timedelta(days=20))
    order.refresh_from_db()

    dispute = _open(order, buyer, reason="not_received")

    assert dispute.is_open


def test_buyer_cannot_open_a_second_dispute_while_one_is_open(delivered, buyer):
    _open(delivered, buyer)

    with pytest.raises(DisputeAlreadyOpen):
        _open(delivered, buyer)

    assert Dispute.objects.count() == 1


def test_database_refuses_a_second_open_dispute_for_an_order(delivered, buyer, seller):
    _open(delivered, buyer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.create(
            order=delivered,
            buyer=buyer,
            seller=seller,
            reason="damaged",
            description="x",
            desired_outcome="full_refund",
        )


@pytest.mark.parametrize("amount", ["-100", "0", "2300.01", "abc"])
def test_partial_refund_must_be_positive_and_at_most_what_is_left(delivered, buyer, amount):
    with pytest.raises(InvalidAmount):
        _open(delivered, buyer, desired_outcome="partial_refund", desired_amount=amount)

    assert not Dispute.objects.exists()


@pytest.mark.parametrize("amount", ["-100", "0", "2300.01", "abc"])
def test_seller_cannot_propose_a_partial_refund_outside_what_was_paid(delivered, buyer, seller, amount):
    dispute = _open(delivered, buyer)

    with pytest.raises(InvalidAmount):
        services.seller_propose(dispute=dispute, actor=seller.user, kind="partial_refund", amount=amount, text="Скидка")

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AWAITING_SELLER
    assert dispute.proposal_amount is None
    assert services.refundable_for(delivered) == Decimal("2300.00")


@pytest.mark.parametrize("amount", ["-1.00", "2300.01"])
def test_moderator_posting_a_refund_outside_what_was_paid_in_the_admin_sees_an_error_and_nothing_moves(
    client, delivered, buyer, seller, moderator, amount
):
    dispute = _escalated(delivered, buyer, seller)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:disputes_dispute_decide", args=[dispute.pk]),
        {"kind": "partial_refund", "amount": amount, "reasoning": "Частично"},
        follow=True,
    )

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_ARBITRATION
    assert not dispute.decisions.exists()
    assert services.refundable_for(delivered) == Decimal("2300.00")


def test_moderator_partial_refund_is_bounded_by_paid_minus_already_refunded(delivered, buyer, seller, moderator):
    dispute = _open(delivered, buyer)
    services.seller_propose(dispute=dispute, actor=seller.user, kind="partial_refund", amount="2000", text="Скидка")
    services.answer_proposal(dispute=dispute, actor=buyer, accept=True)
    second = _escalated(delivered, buyer, seller)

    with pytest.raises(InvalidAmount):
        services.decide(dispute=second, actor=moderator, kind="partial_refund", amount="300.01", reasoning="x")
    with pytest.raises(InvalidAmount):
        services.decide(dispute=second, actor=moderator, kind="partial_refund", amount="-1", reasoning="x")

    second.refresh_from_db()
    assert second.status == DisputeStatus.IN_ARBITRATION
    assert not second.decisions.exists()
    services.decide(dispute=second, actor=moderator, kind="partial_refund", amount="300.00", reasoning="Остаток")
    assert services.refundable_for(delivered) == Decimal("0.00")


def test_a_party_cannot_decide_and_a_decided_dispute_cannot_be_decided_again(
    delivered, buyer, seller, moderator, other_moderator
):
    dispute = _escalated(delivered, buyer, seller)
    with pytest.raises(PermissionDenied):
        services.decide(dispute=dispute, actor=buyer, kind="full_refund", reasoning="x")
    services.decide(dispute=dispute, actor=moderator, kind="reject", reasoning="Не подтверждено")

    with pytest.raises(AlreadyDecided):
        services.decide(dispute=dispute, actor=other_moderator, kind="full_refund", reasoning="x")

    assert services.refundable_for(delivered) == Decimal("2300.00")
    assert not delivered.incidents.exists()


# Four eyes ------------------------------------------------------------------------------------------------


def test_refund_above_the_four_eyes_amount_waits_for_a_second_moderator(
    expensive, buyer, seller, moderator, other_moderator
):
    dispute = _escalated(expensive, buyer, seller)

    decision = services.decide(
        dispute=dispute, actor=moderator, kind="partial_refund", amount="60000.00", reasoning="Дефект"
    )

    dispute.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING_APPROVAL
    assert dispute.status == DisputeStatus.AWAITING_APPROVAL
    assert services.refundable_for(expensive) == Decimal("80300.00")

    services.approve_decision(decision=decision, actor=other_moderator)

    dispute.refresh_from_db()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.EXECUTED
    assert decision.approved_by == other_moderator
    assert dispute.status == DisputeStatus.DECIDED
    assert services.refundable_for(expensive) == Decimal("20300.00")
    assert expensive.incidents.filter(kind="dispute_lost").exists()


def test_moderator_cannot_approve_their_own_decision(expensive, buyer, seller, moderator):
    dispute = _escalated(expensive, buyer, seller)
    decision = services.decide(dispute=dispute, actor=moderator, kind="full_refund", reasoning="Дефект")

    with pytest.raises(FourEyesViolation):
        services.approve_decision(decision=decision, actor=moderator)

    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING_APPROVAL
    assert services.refundable_for(expensive) == Decimal("80300.00")


def test_database_refuses_a_decision_approved_by_its_author(expensive, buyer, seller, moderator):
    dispute = _escalated(expensive, buyer, seller)
    decision = services.decide(dispute=dispute, actor=moderator, kind="full_refund", reasoning="Дефект")

    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(approved_by=moderator)


def test_second_moderator_declining_sends_the_case_back_to_arbitration(
    expensive, buyer, seller, moderator, other_moderator
):
    dispute = _escalated(expensive, buyer, seller)
    decision = services.decide(dispute=dispute, actor=moderator, kind="full_refund", reasoning="Дефект")

    services.decline_decision(decision=decision, actor=other_moderator, reason="Мало доказательств")

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_ARBITRATION
    assert services.refundable_for(expensive) == Decimal("80300.00")


def test_state_changes_follow_the_table(delivered, buyer):
    dispute = _open(delivered, buyer)

    with pytest.raises(InvalidTransition):
        services.change_dispute_status(dispute=dispute, to=DisputeStatus.DECIDED)

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AWAITING_SELLER
