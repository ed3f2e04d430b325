"""Who may: pure predicates over users and their buyer data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from buyers.models import Address
    from marketplace.accounts.models import User


def can_manage_address(user: User, address: Address) -> bool:
    """Only the owner of an address book edits, deletes or picks the default in it."""
    return user.is_authenticated and address.user_id == user.pk
