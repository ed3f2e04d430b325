from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from disputes import selectors, services, tasks
from disputes.exceptions import InvalidMessage, MessageRateLimited, MessagingBlocked
from disputes.models import Conversation, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(delivered, buyer):
    return services.conversation_for_order(order=delivered, actor=buyer)


@pytest.mark.parametrize(
    "text",
    [
        "Позвоните мне: +7 (912) 345-67-89",
        "пишите на anna.smirnova@example.com",
        "мой телеграм @anna_shop",
        "Есть дешевле на https://example.org/item",
        "напишите в вотсап",
    ],
)
def test_contact_sharing_is_flagged_for_moderators(conversation, buyer, text):
    message = services.send_message(conversation=conversation, actor=buyer, text=text)

    assert message.is_flagged
    conversation.refresh_from_db()
    assert conversation.has_flagged
    assert selectors.flagged_messages().filter(pk=message.pk).exists()


def test_ordinary_message_is_not_flagged(conversation, buyer):
    message = services.send_message(conversation=conversation, actor=buyer, text="Когда отправите? Размер 42.")

    assert not message.is_flagged


def test_sender_is_warned_about_contact_sharing_on_the_page(client, conversation, buyer):
    client.force_login(buyer)

    response = client.post(
        reverse("disputes:conversation", args=[conversation.pk]), {"text": "звоните 89123456789"}, follow=True
    )

    assert "contact details" in response.content.decode() or "контакт" in response.content.decode()


def test_message_of_100000_characters_is_refused(conversation, buyer):
    with pytest.raises(InvalidMessage):
        services.send_message(conversation=conversation, actor=buyer, text="а" * 100_000)

    assert not Message.objects.exists()


def test_messages_faster_than_the_limit_are_refused(conversation, buyer, settings):
    settings.MARKETPLACE_MESSAGING_RATE_LIMIT = 3
    for number in range(3):
        services.send_message(conversation=conversation, actor=buyer, text=f"Вопрос {number}")

    with pytest.raises(MessageRateLimited):
        services.send_message(conversation=conversation, actor=buyer, text="Ещё один")

    assert Message.objects.count() == 3


def test_blocked_user_cannot_send_messages(conversation, buyer, moderator):
    services.block_messaging(user=buyer, actor=moderator, reason="Контакты в сообщениях")

    with pytest.raises(MessagingBlocked):
        services.send_message(conversation=conversation, actor=buyer, text="Привет")

    assert not Message.objects.exists()


def test_buyer_cannot_block_anyone(buyer, other_buyer):
    with pytest.raises(PermissionDenied):
        services.block_messaging(user=other_buyer, actor=buyer, reason="x")


def test_seller_first_reply_time_is_recorded_once(conversation, buyer, seller):
    services.send_message(conversation=conversation, actor=buyer, text="Здравствуйте")
    Conversation.objects.filter(pk=conversation.pk).update(
        first_buyer_message_at=timezone.now() - timedelta(minutes=30)
    )

    services.send_message(conversation=conversation, actor=seller.user, text="Добрый день")
    services.send_message(conversation=conversation, actor=seller.user, text="Ещё")

    conversation.refresh_from_db()
    assert 1790 <= conversation.seller_first_reply_seconds <= 1810


def test_unread_counts_and_reading(conversation, buyer, seller):
    services.send_message(conversation=conversation, actor=buyer, text="Вопрос 1")
    services.send_message(conversation=conversation, actor=buyer, text="Вопрос 2")

    assert selectors.unread_count(user=seller.user) == 2
    assert selectors.unread_count(user=buyer) == 0
    services.mark_read(conversation=conversation, actor=seller.user)
    assert selectors.unread_count(user=seller.user) == 0


def test_seller_sees_the_unread_count_in_the_header_of_every_page(conversation, buyer, seller, client):
    services.send_message(conversation=conversation, actor=buyer, text="Вопрос 1")
    services.send_message(conversation=conversation, actor=buyer, text="Вопрос 2")
    client.force_login(seller.user)

    page = client.get(reverse("notifications:list")).content.decode()
    badge = client.get(reverse("disputes:unread-badge")).content.decode()

    for html in (page, badge):
        assert 'id="messages-badge"' in html
        assert '<span class="count-badge">2<span class="visually-hidden"> unread messages</span></span>' in html


def test_buyer_without_unread_messages_sees_the_messages_link_without_a_count(conversation, buyer, client):
    client.force_login(buyer)

    page = client.get(reverse("notifications:list")).content.decode()

    assert 'id="messages-badge"' in page
    assert "unread message" not in page


def test_unread_message_is_emailed_once_by_the_beat_task(conversation, buyer, seller):
    message = services.send_message(conversation=conversation, actor=buyer, text="Ответьте, пожалуйста")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=2))

    tasks.notify_unread_messages()
    tasks.notify_unread_messages()

    assert seller.user.notifications.filter(kind="message_unread").count() == 1


def test_other_buyer_cannot_read_or_write_the_order_conversation(client, conversation, buyer, other_buyer):
    services.send_message(conversation=conversation, actor=buyer, text="Личное")
    client.force_login(other_buyer)

    assert client.get(reverse("disputes:conversation", args=[conversation.pk])).status_code == 404
    assert client.post(reverse("disputes:conversation", args=[conversation.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("disputes:conversation-poll", args=[conversation.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.send_message(conversation=conversation, actor=other_buyer, text="x")
    assert Message.objects.count() == 1


def test_script_in_messages_is_escaped_and_polling_returns_new_messages(client, conversation, buyer, seller):
    first = services.send_message(conversation=conversation, actor=buyer, text="Привет")
    services.send_message(conversation=conversation, actor=seller.user, text="<script>alert(1)</script>")
    client.force_login(buyer)

    body = client.get(
        reverse("disputes:conversation-poll", args=[conversation.pk]), {"after": first.pk}
    ).content.decode()

    assert "&lt;script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert "Привет" not in body


def test_buyer_starts_a_presale_conversation_from_a_listing(client, buyer, seller):
    from orders.tests.factories import sellable

    listing = sellable(seller).listing
    client.force_login(buyer)

    response = client.post(reverse("disputes:listing-conversation", args=[listing.pk]))

    conversation = Conversation.objects.get()
    assert response["Location"] == conversation.get_absolute_url()
    assert conversation.listing == listing
    assert conversation.order is None


def test_seller_quick_reply_fills_the_message_box(client, conversation, seller):
    reply = services.save_quick_reply(seller=seller, actor=seller.user, title="Сроки", text="Отправим завтра")
    client.force_login(seller.user)

    body = client.get(reverse("disputes:conversation", args=[conversation.pk]), {"reply": reply.pk}).content.decode()

    assert "Отправим завтра" in body


def test_order_page_offers_messaging_the_seller_and_opening_a_dispute(client, delivered, buyer):
    client.force_login(buyer)

    body = client.get(reverse("orders:detail", args=[delivered.pk])).content.decode()

    assert reverse("disputes:order-conversation", args=[delivered.pk]) in body
    assert reverse("disputes:open", args=[delivered.pk]) in body
