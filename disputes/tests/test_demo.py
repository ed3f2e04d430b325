"""The demo disputes and conversations: every stage, a flagged message, a decision awaiting four eyes; safe twice."""

import pytest

from catalog.tests.factories import CategoryFactory, make_listing
from disputes.demo import seed_disputes
from disputes.models import (
    Conversation,
    Decision,
    DecisionStatus,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    Evidence,
    HandlingRating,
    InternalNote,
    Message,
)
from marketplace.devtools.demo import DEMO_SEEDERS, seed_accounts
from marketplace.ledger.models import LedgerEntry, PaymentRefund, RefundStatus
from orders.demo import seed_orders
from orders.models import Incident, Order
from orders.tests.test_demo import _small_catalogue
from sellers.demo import seed_sellers
from sellers.models import Seller

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = (
        Order, Dispute, DisputeEvent, Evidence, InternalNote, Decision, HandlingRating, Conversation, Message,
        LedgerEntry, PaymentRefund, Incident,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def _seed() -> list[str]:
    lines: list[str] = []
    seed_accounts(lines.append)
    seed_sellers(lines.append)
    _small_catalogue()
    main = Seller.objects.get(user__email="seller@marketplace.demo")
    make_listing(main, category=CategoryFactory(), price="30000.00", stock=5)
    seed_orders(lines.append)
    seed_disputes(lines.append)
    return lines


def test_demo_disputes_cover_every_stage_and_a_second_run_changes_nothing():
    lines = _seed()
    first = _counts()

    seed_disputes(lines.append)

    assert _counts() == first
    assert lines[-1] == "disputes: already seeded"
    statuses = sorted(Dispute.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            DisputeStatus.AWAITING_SELLER,
            DisputeStatus.AWAITING_BUYER,
            DisputeStatus.IN_ARBITRATION,
            DisputeStatus.DECIDED,
            DisputeStatus.AWAITING_APPROVAL,
        ]
    )
    waiting = Decision.objects.get(status=DecisionStatus.PENDING_APPROVAL)
    assert waiting.amount > 50000
    assert waiting.decided_by.email in ("moderator@marketplace.demo", "moderator2@marketplace.demo")
    assert waiting.approved_by is None
    assert Dispute.objects.get(status=DisputeStatus.IN_ARBITRATION).assigned_to is not None
    assert InternalNote.objects.count() == 1
    decided = Dispute.objects.get(status=DisputeStatus.DECIDED)
    assert decided.refunded_amount > 0
    assert decided.order.incidents.filter(kind="dispute_lost").exists()
    assert not PaymentRefund.objects.exclude(status=RefundStatus.SUCCEEDED).exists()
    assert Evidence.objects.exclude(image="").count() == 1


def test_demo_conversations_have_a_flagged_message_and_a_presale_question():
    _seed()

    flagged = Message.objects.get(is_flagged=True)
    assert "+7 (912) 555-44-33" in flagged.text
    assert flagged.conversation.order is not None
    assert flagged.conversation.has_flagged
    presale = Conversation.objects.get(order__isnull=True)
    assert presale.listing is not None
    assert presale.seller_first_reply_seconds is not None


def test_demo_disputes_seed_after_the_orders():
    assert DEMO_SEEDERS[-1] is seed_disputes
