"""The signed-in header's badges are counted in one statement (marketplace.accounts.selectors.header_counts) that
counts what each badge's own selector counts: the cart's units, unread notifications, unread messages."""

from __future__ import annotations

import pytest

from disputes import selectors as dispute_selectors
from disputes import services
from marketplace.accounts.selectors import HeaderCounts, header_counts
from marketplace.notifications import selectors as notification_selectors
from marketplace.notifications import services as notification_services
from orders import selectors as order_selectors
from orders import services as order_services
from orders.tests.factories import sellable

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(delivered, buyer):
    return services.conversation_for_order(order=delivered, actor=buyer)


def _fresh(user):
    """The user as a new request loads it (nothing the last request learnt about them kept on the object)."""
    return type(user).objects.get(pk=user.pk)


def test_a_new_buyer_has_nothing_to_count(other_user):
    assert header_counts(user=_fresh(other_user)) == HeaderCounts(cart=0, unread_notifications=0, unread_messages=0)


def test_header_counts_are_what_each_badge_counts_for_itself(buyer, seller, conversation):
    cart = order_services.cart_for_user(user=buyer)
    order_services.add_to_cart(cart=cart, variant_id=sellable(seller, title="Чайник").pk, quantity=2)
    later, _ = order_services.add_to_cart(cart=cart, variant_id=sellable(seller, title="Термос").pk, quantity=3)
    order_services.save_for_later(cart=cart, line_id=later.pk)
    notification_services.mark_all_read(actor=buyer)  # what the order's progress sent so far
    read = notification_services.notify(recipient=buyer, kind="welcome", dedupe_key="one")
    notification_services.notify(recipient=buyer, kind="welcome", dedupe_key="two")
    notification_services.mark_read(actor=buyer, item=read.inbox_item)
    services.send_message(conversation=conversation, actor=buyer, text="Когда отправите?")  # the buyer's own
    services.send_message(conversation=conversation, actor=seller.user, text="Отправили вчера.")
    services.send_message(conversation=conversation, actor=seller.user, text="Трек-номер в заказе.")

    counts = header_counts(user=_fresh(buyer))

    assert counts == HeaderCounts(cart=2, unread_notifications=1, unread_messages=2)
    assert counts.cart == order_selectors.cart_count(cart)
    assert counts.unread_notifications == notification_selectors.unread_count(user=buyer)
    assert counts.unread_messages == dispute_selectors.unread_count(user=_fresh(buyer))


def test_messages_the_buyer_has_read_are_not_counted_until_a_new_one_comes(buyer, seller, conversation):
    services.send_message(conversation=conversation, actor=seller.user, text="Отправили вчера.")
    services.mark_read(conversation=conversation, actor=buyer)
    assert header_counts(user=_fresh(buyer)).unread_messages == 0

    services.send_message(conversation=conversation, actor=seller.user, text="Посылка в пункте выдачи.")

    assert header_counts(user=_fresh(buyer)).unread_messages == 1


def test_a_seller_counts_the_buyers_messages_to_the_team_too(buyer, seller, conversation):
    services.send_message(conversation=conversation, actor=buyer, text="Где мой заказ?")

    counts = header_counts(user=_fresh(seller.user))

    assert counts.unread_messages == 1 == dispute_selectors.unread_count(user=_fresh(seller.user))


def test_a_buyers_header_counts_take_one_query(buyer, django_assert_num_queries):
    user = _fresh(buyer)
    user._works_for_a_seller = False  # as the shared page cache has already asked on a signed-in page

    with django_assert_num_queries(1):
        header_counts(user=user)
