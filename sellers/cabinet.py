"""Extension points other apps fill without sellers importing them (dependencies point one way, R2).

An app declares its parts in a `seller_cabinet.py` module, found at start-up like `admin.py`:

    # orders/seller_cabinet.py
    from sellers.cabinet import DashboardCard, register_card
    from sellers.policies import Section

    register_card(DashboardCard(key="orders-to-ship", section=Section.ORDERS, order=10,
                                template="orders/seller/_card_to_ship.html", context=to_ship_context))

- dashboard cards: `context(member) -> dict | None` (None hides the card); the card shows only to roles
  whose section it belongs to;
- storefront slots ("rating", "listings", "reviews"): `context(storefront, request) -> dict`; until an app
  fills a slot the storefront shows the honest "new seller" state;
- the commission table of the "Sell with us" page: `rows() -> list[(category name, percent)]`.
Each provider is responsible for keeping its own query count constant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import policies
from .models import Storefront, TeamMember


@dataclass(frozen=True)
class DashboardCard:
    key: str
    section: str
    template: str
    context: Callable[[TeamMember], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class StorefrontSlot:
    key: str  # "rating" | "listings" | "reviews"
    template: str
    context: Callable[[Storefront, Any], dict[str, Any]]


STOREFRONT_SLOT_KEYS = ("rating", "listings", "reviews")
_cards: dict[str, DashboardCard] = {}
_slots: dict[str, StorefrontSlot] = {}
_commission_rows: list[Callable[[], list[tuple[str, Decimal]]]] = []


def register_card(card: DashboardCard) -> DashboardCard:
    _cards[card.key] = card
    return card


def register_storefront_slot(slot: StorefrontSlot) -> StorefrontSlot:
    if slot.key not in STOREFRONT_SLOT_KEYS:
        raise ValueError(f"unknown storefront slot {slot.key!r}")
    _slots[slot.key] = slot
    return slot


def register_commission_rows(provider: Callable[[], list[tuple[str, Decimal]]]) -> None:
    _commission_rows[:] = [provider]


def cards_for(member: TeamMember) -> list[dict[str, Any]]:
    """The cards this member's role may see, each as {"template", "context"}, in order."""
    rendered = []
    for card in sorted(_cards.values(), key=lambda card: (card.order, card.key)):
        if not policies.can_access_section(member, card.section):
            continue
        context = card.context(member)
        if context is not None:
            rendered.append({"key": card.key, "template": card.template, "context": context})
    return rendered


def storefront_slots(storefront: Storefront, request) -> dict[str, dict[str, Any] | None]:
    """slot key → {"template", "context"} when an app fills it, else None (the page shows the new-seller state)."""
    slots: dict[str, dict[str, Any] | None] = dict.fromkeys(STOREFRONT_SLOT_KEYS)
    for key, slot in _slots.items():
        slots[key] = {"template": slot.template, "context": slot.context(storefront, request)}
    return slots


def commission_rows() -> list[tuple[str, Decimal]] | None:
    return _commission_rows[0]() if _commission_rows else None


@dataclass(frozen=True)
class NavItem:
    key: str
    section: str
    label: Any  # a lazy translation
    url_name: str
    order: int = 100


_nav: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> NavItem:
    """A link in the cabinet's menu, shown to roles whose section it belongs to."""
    _nav[item.key] = item
    return item


def nav_for(member: TeamMember) -> list[NavItem]:
    return [
        item
        for item in sorted(_nav.values(), key=lambda item: (item.order, item.key))
        if policies.can_access_section(member, item.section)
    ]
