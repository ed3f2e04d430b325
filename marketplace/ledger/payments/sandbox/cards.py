"""Test cards the sandbox understands. Any expiry date in the future and any three-digit CVC work."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class CardOutcome(StrEnum):
    SUCCEED = "succeed"
    DECLINE = "decline"
    THREE_DS = "three_ds"


@dataclass(frozen=True)
class TestCard:
    number: str
    outcome: CardOutcome
    description: str

    @property
    def display_number(self) -> str:
        return " ".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))


THREE_DS_CODE = "123456"

TEST_CARDS = (
    TestCard("4242424242424242", CardOutcome.SUCCEED, _("Payment succeeds")),
    TestCard("4000000000000002", CardOutcome.DECLINE, _("Declined by the card issuer")),
    TestCard("4000000000003220", CardOutcome.THREE_DS, _("Asks for a 3-D Secure code: 123456 succeeds")),
)
_BY_NUMBER = {card.number: card for card in TEST_CARDS}


def normalise(number: str) -> str:
    return "".join(number.split()).replace("-", "")


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def test_card(number: str) -> TestCard | None:
    return _BY_NUMBER.get(normalise(number))
