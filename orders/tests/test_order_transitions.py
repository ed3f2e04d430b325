import itertools
from contextlib import nullcontext

import pytest

from marketplace.core.exceptions import InvalidTransition
from orders import services
from orders.models import ORDER_TRANSITIONS, RETURN_TRANSITIONS, Order, OrderStatus, ReturnStatus

from .factories import checkout, sellable

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, seller):
    return checkout(buyer, [(sellable(seller), 1)]).orders.get()


@pytest.mark.parametrize(("current", "target"), list(itertools.product(OrderStatus.values, repeat=2)))
def test_order_status_changes_follow_the_table(current, target, order):
    Order.objects.filter(pk=order.pk).update(status=current)
    order.refresh_from_db()
    allowed = target in ORDER_TRANSITIONS[current] or target == current

    with nullcontext() if allowed else pytest.raises(InvalidTransition):
        services.change_order_status(order=order, to=target, actor=None, reason="test")

    order.refresh_from_db()
    assert order.status == (target if allowed else current)
    assert order.events.filter(to_status=target, from_status=current).exists() == (allowed and target != current)


def test_status_change_to_the_current_status_is_a_no_op(order):
    events = order.events.count()

    assert services.change_order_status(order=order, to=order.status, actor=None) is False

    assert order.events.count() == events


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ReturnStatus.values, repeat=2)))
def test_return_transition_table_names_only_known_statuses(current, target):
    assert current in RETURN_TRANSITIONS
    assert all(state in ReturnStatus.values for state in RETURN_TRANSITIONS[current])
