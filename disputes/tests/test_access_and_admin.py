import io
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from PIL import Image

from disputes import services
from disputes.exceptions import InvalidEvidence
from disputes.models import Decision, DecisionStatus, Dispute, DisputeStatus, Evidence
from marketplace.ledger.models import PaymentRefund

from .conftest import make_delivered_order

pytestmark = pytest.mark.django_db


def _open(order, buyer, **extra):
    fields = {"reason": "damaged", "description": "Коробка смята", "desired_outcome": "full_refund", **extra}
    return services.open_dispute(order=order, actor=buyer, **fields)


def _escalated(order, buyer, seller):
    dispute = _open(order, buyer)
    services.seller_reject(dispute=dispute, actor=seller.user, text="Упаковано хорошо")
    return services.escalate(dispute=dispute, actor=buyer)


def _png(size=(400, 400)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(data, format="PNG")
    data.seek(0)
    data.name = "photo.png"
    return data


# Scoping ---------------------------------------------------------------------------------------------------


def test_other_buyer_gets_404_for_the_dispute_its_evidence_and_the_order_conversation(
    client, delivered, buyer, other_buyer, seller
):
    dispute = _open(delivered, buyer, photos=[_png()])
    evidence = dispute.evidence.get()
    conversation = services.conversation_for_order(order=delivered, actor=buyer)
    client.force_login(other_buyer)

    assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 404
    assert client.get(reverse("disputes:evidence-file", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("disputes:conversation", args=[conversation.pk])).status_code == 404
    assert client.post(reverse("disputes:answer", args=[dispute.pk]), {"action": "withdraw"}).status_code == 404
    assert client.get(reverse("disputes:open", args=[delivered.pk])).status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AWAITING_SELLER


def test_other_seller_gets_404_for_the_dispute(client, delivered, buyer, other_seller):
    dispute = _open(delivered, buyer)
    client.force_login(other_seller.user)

    response = client.post(reverse("disputes:respond", args=[dispute.pk]), {"action": "accept"})

    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AWAITING_SELLER


def test_parties_see_the_dispute_but_never_internal_notes(client, delivered, buyer, seller, moderator):
    dispute = _escalated(delivered, buyer, seller)
    services.add_internal_note(dispute=dispute, actor=moderator, text="СЕКРЕТНАЯ ЗАМЕТКА")

    for party in (buyer, seller.user):
        client.force_login(party)
        response = client.get(reverse("disputes:detail", args=[dispute.pk]))
        assert response.status_code == 200
        assert "СЕКРЕТНАЯ ЗАМЕТКА" not in response.content.decode()


def test_script_in_dispute_text_is_escaped(client, delivered, buyer):
    dispute = _open(delivered, buyer, description="<script>alert(1)</script>")
    client.force_login(buyer)

    body = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_buyer_opens_a_dispute_through_the_page_and_the_seller_rejects_it(client, delivered, buyer, seller):
    client.force_login(buyer)
    response = client.post(
        reverse("disputes:open", args=[delivered.pk]),
        {"reason": "damaged", "description": "Разбито", "desired_outcome": "full_refund", "photos": [_png()]},
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert dispute.evidence.filter(image__gt="").count() == 1
    client.force_login(seller.user)

    client.post(reverse("disputes:respond", args=[dispute.pk]), {"action": "reject", "text": "Целое"})

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.SELLER_REJECTED


# Evidence files ---------------------------------------------------------------------------------------------


def test_evidence_that_is_not_an_image_is_refused_and_nothing_is_saved(delivered, buyer):
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "photo.jpg"

    with pytest.raises(InvalidEvidence, match="JPEG"):
        _open(delivered, buyer, photos=[fake])

    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()


def test_evidence_decompression_bomb_is_refused(delivered, buyer, settings):
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, format="PNG")  # tiny file, 144 megapixels
    bomb.seek(0)
    bomb.name = "bomb.png"
    dispute = _open(delivered, buyer)

    with pytest.raises(InvalidEvidence):
        services.add_evidence(dispute=dispute, actor=buyer, photos=[bomb])

    assert dispute.evidence.count() == 0


# Admin: decisions and four eyes ------------------------------------------------------------------------------------


def test_moderator_decides_in_admin_and_the_refund_is_executed(client, delivered, buyer, seller, moderator):
    dispute = _escalated(delivered, buyer, seller)
    client.force_login(moderator)
    page = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    assert page.status_code == 200

    client.post(
        reverse("admin:disputes_dispute_decide", args=[dispute.pk]),
        {"kind": "partial_refund", "amount": "700.00", "reasoning": "Повреждение подтверждено"},
    )

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DECIDED
    assert dispute.refunded_amount == Decimal("700.00")


def test_moderator_sees_evidence_photos_in_admin_through_the_authorising_view(client, delivered, buyer, moderator):
    dispute = _open(delivered, buyer, photos=[_png()])
    evidence = dispute.evidence.exclude(image="").get()
    client.force_login(moderator)

    page = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))

    photo_url = reverse("disputes:evidence-file", args=[evidence.pk])
    assert page.status_code == 200
    assert f'<a href="{photo_url}"' in page.content.decode()
    photo = client.get(photo_url)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("object_id", ["1/change/widgets.css", "abc", "999999"])
def test_a_dispute_admin_address_that_is_no_dispute_is_not_found_not_a_server_error(client, moderator, object_id):
    client.force_login(moderator)

    response = client.get(f"/admin/disputes/dispute/{object_id}/change/")

    assert response.status_code == 404


def test_moderator_sees_a_flagged_message_photo_in_admin(client, delivered, buyer, moderator):
    conversation = services.conversation_for_order(order=delivered, actor=buyer)
    message = services.send_message(
        conversation=conversation, actor=buyer, text="Пишите: +7 900 123-45-67", image=_png()
    )
    client.force_login(moderator)

    page = client.get(reverse("admin:disputes_message_change", args=[message.pk]))

    photo_url = reverse("disputes:message-image", args=[message.pk])
    assert page.status_code == 200
    assert f'<a href="{photo_url}"' in page.content.decode()
    assert client.get(photo_url).status_code == 200


def test_four_eyes_cannot_be_bypassed_by_a_direct_post_of_the_same_moderator(
    client, expensive, buyer, seller, moderator
):
    dispute = _escalated(expensive, buyer, seller)
    decision = services.decide(dispute=dispute, actor=moderator, kind="full_refund", reasoning="Дефект")
    client.force_login(moderator)

    client.post(reverse("admin:disputes_dispute_approve", args=[dispute.pk, decision.pk]))

    decision.refresh_from_db()
    dispute.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING_APPROVAL
    assert dispute.status == DisputeStatus.AWAITING_APPROVAL
    assert services.refundable_for(expensive) == Decimal("80300.00")


def test_a_party_cannot_post_a_decision(client, delivered, buyer, seller):
    dispute = _escalated(delivered, buyer, seller)
    client.force_login(buyer)

    response = client.post(
        reverse("admin:disputes_dispute_decide", args=[dispute.pk]),
        {"kind": "full_refund", "reasoning": "Мне так хочется"},
    )

    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert not Decision.objects.exists()


# Concurrency ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_make_one_decision_one_error_one_refund(
    buyer, seller, moderator, other_moderator
):
    order = make_delivered_order(buyer, seller)
    dispute = _escalated(order, buyer, seller)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor):
        try:
            barrier.wait()
            services.decide(dispute=Dispute(pk=dispute.pk), actor=actor, kind="full_refund", reasoning="Дефект")
            outcomes.append("decided")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(actor,)) for actor in (moderator, other_moderator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["AlreadyDecided", "decided"]
    assert Decision.objects.filter(dispute=dispute).count() == 1
    assert PaymentRefund.objects.filter(ledger_transaction__external_reference=order.ledger_reference).count() == 1
    assert services.refundable_for(order) == Decimal("0.00")
