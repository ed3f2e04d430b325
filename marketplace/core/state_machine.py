"""The one check every state machine (orders, returns, disputes, applications, listings) uses."""

from __future__ import annotations

from collections.abc import Mapping, Set

from .exceptions import InvalidTransition


def check_transition(table: Mapping[str, Set[str]], current: str, target: str) -> None:
    """Raise InvalidTransition unless `target` is reachable from `current` in one step of `table`."""
    if current not in table:
        raise InvalidTransition(current, target)
    if target not in table[current]:
        raise InvalidTransition(current, target)


def validate_table(table: Mapping[str, Set[str]], values: Set[str]) -> None:
    """Fail fast (at import / in tests) when a table names a state the enum does not have."""
    unknown = (set(table) | {state for targets in table.values() for state in targets}) - set(values)
    missing = set(values) - set(table)
    if unknown or missing:
        raise ValueError(f"transition table mismatch: unknown={sorted(unknown)} missing={sorted(missing)}")
