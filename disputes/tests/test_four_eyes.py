"""Four eyes on large refunds cannot be bypassed (issue 7): not by the same moderator, not by a direct POST to the
admin, not by someone without the approval permission, not by two approvals at once; and the audit log records it.
"""

import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from disputes import services
from disputes.models import Decision, DecisionStatus, Dispute, DisputeStatus
from marketplace.audit.models import AuditEntry
from marketplace.ledger.models import PaymentRefund

from .conftest import make_delivered_order

pytestmark = pytest.mark.django_db

PAID = Decimal("80300.00")  # the `expensive` order: one item at 80,000 ₽ plus delivery


def _escalated(order, buyer, seller):
    dispute = services.open_dispute(
        order=order, actor=buyer, reason="damaged", description="Экран разбит", desired_outcome="full_refund"
    )
    services.seller_reject(dispute=dispute, actor=seller.user, text="Упаковано хорошо")
    return services.escalate(dispute=dispute, actor=buyer)


def _proposed(order, buyer, seller, moderator) -> Decision:
    dispute = _escalated(order, buyer, seller)
    return services.decide(dispute=dispute, actor=moderator, kind="full_refund", reasoning="Дефект подтверждён")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_still_waiting(decision, order):
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING_APPROVAL
    assert decision.approved_by is None
    assert Dispute.objects.get(pk=decision.dispute_id).status == DisputeStatus.AWAITING_APPROVAL
    assert services.refundable_for(order) == PAID


@pytest.mark.parametrize(
    ("amount", "waits"),
    [("50000.00", False), ("50000.01", True)],
)
def test_moderator_refund_waits_for_a_second_moderator_only_above_the_configured_amount(
    expensive, buyer, seller, moderator, amount, waits
):
    dispute = _escalated(expensive, buyer, seller)

    decision = services.decide(
        dispute=dispute, actor=moderator, kind="partial_refund", amount=amount, reasoning="Частичный брак"
    )

    assert (decision.status == DecisionStatus.PENDING_APPROVAL) is waits
    refunded = Decimal("0.00") if waits else Decimal(amount)
    assert services.refundable_for(expensive) == PAID - refunded


def test_four_eyes_amount_is_a_setting(expensive, buyer, seller, moderator, settings):
    settings.MARKETPLACE_FOUR_EYES_AMOUNT = Decimal("100000.00")
    dispute = _escalated(expensive, buyer, seller)

    decision = services.decide(dispute=dispute, actor=moderator, kind="full_refund", reasoning="Брак")

    assert decision.status == DecisionStatus.EXECUTED
    assert services.refundable_for(expensive) == Decimal("0.00")


def test_moderator_direct_post_of_a_large_refund_to_the_admin_only_proposes_it(
    client, expensive, buyer, seller, moderator
):
    dispute = _escalated(expensive, buyer, seller)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:disputes_dispute_decide", args=[dispute.pk]),
        {"kind": "full_refund", "reasoning": "Дефект подтверждён"},
    )

    assert response.status_code == 302
    assert any("second moderator" in message for message in _messages(response))
    assert_still_waiting(Decision.objects.get(dispute=dispute), expensive)


def test_proposer_direct_post_to_decline_their_own_decision_is_refused(client, expensive, buyer, seller, moderator):
    decision = _proposed(expensive, buyer, seller, moderator)
    client.force_login(moderator)

    response = client.post(
        reverse("admin:disputes_dispute_decline", args=[decision.dispute_id, decision.pk]), {"reason": "Передумал"}
    )

    assert response.status_code == 302
    assert any("cannot approve your own" in message for message in _messages(response))
    assert_still_waiting(decision, expensive)


def test_proposer_does_not_get_the_approve_button_on_the_case_page(client, expensive, buyer, seller, moderator):
    decision = _proposed(expensive, buyer, seller, moderator)
    client.force_login(moderator)

    page = client.get(reverse("admin:disputes_dispute_change", args=[decision.dispute_id]))

    assert page.context["can_approve"] is False
    assert (
        reverse("admin:disputes_dispute_approve", args=[decision.dispute_id, decision.pk]) not in page.content.decode()
    )


def test_manager_direct_post_to_approve_a_decision_is_refused(client, expensive, buyer, seller, moderator, manager):
    decision = _proposed(expensive, buyer, seller, moderator)
    client.force_login(manager)

    response = client.post(reverse("admin:disputes_dispute_approve", args=[decision.dispute_id, decision.pk]))

    assert response.status_code in (302, 403)
    assert_still_waiting(decision, expensive)


@pytest.mark.parametrize("party", ["buyer", "seller"])
def test_party_post_to_approve_a_decision_is_sent_to_the_login(client, expensive, buyer, seller, moderator, party):
    decision = _proposed(expensive, buyer, seller, moderator)
    client.force_login(buyer if party == "buyer" else seller.user)

    response = client.post(reverse("admin:disputes_dispute_approve", args=[decision.dispute_id, decision.pk]))

    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert_still_waiting(decision, expensive)


def test_approve_url_refuses_get(client, expensive, buyer, seller, moderator, other_moderator):
    decision = _proposed(expensive, buyer, seller, moderator)
    client.force_login(other_moderator)

    response = client.get(reverse("admin:disputes_dispute_approve", args=[decision.dispute_id, decision.pk]))

    assert response.status_code == 405
    assert_still_waiting(decision, expensive)


def test_approving_a_decision_under_another_disputes_address_is_404(
    client, expensive, delivered, buyer, seller, moderator, other_moderator
):
    decision = _proposed(expensive, buyer, seller, moderator)
    other = _escalated(delivered, buyer, seller)
    client.force_login(other_moderator)

    response = client.post(reverse("admin:disputes_dispute_approve", args=[other.pk, decision.pk]))

    assert response.status_code == 404
    assert_still_waiting(decision, expensive)


def test_second_moderator_approving_in_the_admin_refunds_and_the_audit_log_records_both_moderators(
    client, expensive, buyer, seller, moderator, other_moderator
):
    dispute = _escalated(expensive, buyer, seller)
    client.force_login(moderator)
    client.post(
        reverse("admin:disputes_dispute_decide", args=[dispute.pk]),
        {"kind": "full_refund", "reasoning": "Дефект подтверждён"},
    )
    decision = Decision.objects.get(dispute=dispute)
    client.force_login(other_moderator)

    response = client.post(reverse("admin:disputes_dispute_approve", args=[decision.dispute_id, decision.pk]))

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.decided_by, decision.approved_by) == (
        DecisionStatus.EXECUTED,
        moderator,
        other_moderator,
    )
    assert services.refundable_for(expensive) == Decimal("0.00")
    entries = AuditEntry.objects.filter(content_type__model="dispute", object_id=str(dispute.pk))
    proposal = entries.get(actor=moderator, name="decide")
    approval = entries.get(actor=other_moderator, name="approve")
    assert proposal.after["status"] == DisputeStatus.AWAITING_APPROVAL
    assert approval.after["status"] == DisputeStatus.DECIDED


@pytest.mark.django_db(transaction=True)
def test_two_moderators_approving_the_same_decision_at_once_refund_once(
    buyer, seller, moderator, other_moderator, django_user_model
):
    order = make_delivered_order(buyer, seller, price="80000.00", quantity=1)
    third = django_user_model.objects.create_superuser(email="third@example.com", password="x")
    decision = _proposed(order, buyer, seller, moderator)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor):
        try:
            barrier.wait()
            services.approve_decision(decision=Decision(pk=decision.pk, dispute_id=decision.dispute_id), actor=actor)
            outcomes.append("approved")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(actor,)) for actor in (other_moderator, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["AlreadyDecided", "approved"]
    assert PaymentRefund.objects.filter(ledger_transaction__external_reference=order.ledger_reference).count() == 1
    assert services.refundable_for(order) == Decimal("0.00")


# Scoping: the other seller -----------------------------------------------------------------------------------------


def test_other_seller_gets_404_for_the_dispute_page_its_evidence_and_the_order_conversation(
    client, delivered, buyer, seller, other_seller
):
    import io

    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (200, 200), (10, 120, 10)).save(photo, format="PNG")
    photo.seek(0)
    photo.name = "photo.png"
    dispute = services.open_dispute(
        order=delivered,
        actor=buyer,
        reason="damaged",
        description="Разбито",
        desired_outcome="full_refund",
        photos=[photo],
    )
    conversation = services.conversation_for_order(order=delivered, actor=buyer)
    client.force_login(other_seller.user)

    assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 404
    assert client.get(reverse("disputes:evidence-file", args=[dispute.evidence.get().pk])).status_code == 404
    assert client.get(reverse("disputes:conversation", args=[conversation.pk])).status_code == 404
    assert client.post(reverse("disputes:order-conversation", args=[delivered.pk])).status_code == 404
    admin_page = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    assert admin_page.status_code == 302  # internal notes live in the admin, which sends non-staff to the login
    assert "/login" in admin_page["Location"]
