"""Hooks for the personal-data export and account deletion (spec 161).

Accounts sits upstream of every domain app, so it cannot import them. An app that keeps personal data
registers, in its `AppConfig.ready()`, a function that exports its section and one that erases or
anonymises its rows when an account is deleted:

    from marketplace.accounts import personal_data
    personal_data.register(
        "orders", export=selectors.personal_data_for, erase=services.anonymise_orders_of
    )

`export(user) -> JSON-serialisable value`; `erase(user) -> None`, called inside the deletion transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Any], Any] | None
    erase: Callable[[Any], None] | None


_sections: dict[str, Section] = {}


def register(
    name: str, *, export: Callable[[Any], Any] | None = None, erase: Callable[[Any], None] | None = None
) -> None:
    """Register (or replace, so a reloaded app does not register twice) the hooks of one app."""
    _sections[name] = Section(name=name, export=export, erase=erase)


def unregister(name: str) -> None:
    _sections.pop(name, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: section.name)
