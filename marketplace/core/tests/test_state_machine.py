"""check_transition: one step of a transition table, or InvalidTransition (a DomainError)."""

from __future__ import annotations

import pytest

from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.core.state_machine import check_transition, validate_table

TABLE = {
    "draft": frozenset({"published", "archived"}),
    "published": frozenset({"archived"}),
    "archived": frozenset(),
}


@pytest.mark.parametrize(
    ("current", "target"), [("draft", "published"), ("draft", "archived"), ("published", "archived")]
)
def test_a_step_in_the_table_is_allowed(current, target):
    check_transition(TABLE, current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [("published", "draft"), ("archived", "published"), ("draft", "draft"), ("draft", "deleted"), ("ghost", "draft")],
)
def test_a_step_outside_the_table_raises_invalid_transition(current, target):
    with pytest.raises(InvalidTransition) as error:
        check_transition(TABLE, current, target)

    assert (error.value.current, error.value.target) == (current, target)
    assert isinstance(error.value, DomainError)
    assert error.value.message == "This change of status is not allowed now."
    assert error.value.code == "InvalidTransition"


def test_validate_table_accepts_a_table_covering_exactly_the_states():
    validate_table(TABLE, {"draft", "published", "archived"})


@pytest.mark.parametrize(
    ("states", "problem"),
    [
        ({"draft", "published"}, "unknown=['archived']"),
        ({"draft", "published", "archived", "sold"}, "missing=['sold']"),
    ],
)
def test_validate_table_fails_fast_on_a_mismatch(states, problem):
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        validate_table(TABLE, states)
