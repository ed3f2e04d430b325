"""Demo disputes and conversations for `make run`, made through the real services on delivered demo orders.

Conversations: one per order (with a message flagged for sharing a phone number) and one pre-sale question.
Disputes: waiting for the seller, a seller's proposal waiting for the buyer, escalated and assigned to a moderator,
decided with a partial refund (the seller's incident), and a full refund above the four-eyes amount waiting for the
second demo moderator's approval. Extra delivered orders are bought through the orders services (the orders demo
keeps its own scenarios). Idempotent: a second run finds the first dispute order and stops.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db.models import F

from catalog.demo import _photo
from catalog.models import ListingStatus, Variant
from marketplace.accounts.models import User
from orders.demo import _checkout, _deliver, _deliver_sandbox_events, _ship, _submit_card_refunds, demo_key
from orders.models import Order, OrderGroup
from sellers.models import Seller

from . import services
from .models import DecisionKind, DesiredOutcome, DisputeReason

BUYERS = ("buyer@marketplace.demo", "buyer2@marketplace.demo")
SELLERS = ("seller@marketplace.demo", "seller2@marketplace.demo")
MODERATORS = ("moderator@marketplace.demo", "moderator2@marketplace.demo")
FIRST_ORDER = "disputes-waiting-seller"


def seed_disputes(log: Callable[[str], None]) -> None:
    if OrderGroup.objects.filter(checkout_key=demo_key(FIRST_ORDER)).exists():
        log("disputes: already seeded")
        return
    buyers = {user.email: user for user in User.objects.filter(email__in=BUYERS)}
    sellers = {seller.user.email: seller for seller in Seller.objects.filter(user__email__in=SELLERS)}
    moderators = {user.email: user for user in User.objects.filter(email__in=MODERATORS, is_staff=True)}
    if len(buyers) < len(BUYERS) or len(sellers) < len(SELLERS) or len(moderators) < len(MODERATORS):
        log("disputes: no demo buyers, sellers or moderators, disputes skipped")
        return
    buyer, buyer2 = (buyers[email] for email in BUYERS)
    main, second = (sellers[email] for email in SELLERS)
    first_moderator, second_moderator = (moderators[email] for email in MODERATORS)
    if not all(seller.accepts_new_orders for seller in (main, second)):
        log("disputes: the demo sellers do not take orders, disputes skipped")
        return
    stock = {seller.pk: _variants(seller) for seller in (main, second)}
    if len(stock[main.pk]) < 4 or len(stock[second.pk]) < 3:
        log("disputes: the demo sellers have too few listings in stock, disputes skipped")
        return
    expensive = _items_above(stock[main.pk], settings.MARKETPLACE_FOUR_EYES_AMOUNT)
    if expensive is None:
        log("disputes: no demo listings add up to the four-eyes amount, disputes skipped")
        return
    conversations = _conversations(buyer, buyer2, main, second, stock[second.pk][-1])

    # Mediation: the seller has three days to answer.
    waiting = _delivered(FIRST_ORDER, buyer, [(stock[main.pk].pop(0), 1)])
    services.open_dispute(
        order=waiting,
        actor=buyer,
        reason=DisputeReason.DAMAGED,
        description="Коробка пришла смятой, на корпусе глубокая царапина. Фото прилагаю.",
        desired_outcome=DesiredOutcome.PARTIAL_REFUND,
        desired_amount=_share(waiting, "0.3"),
        photos=[_photo(901)],
    )

    # Mediation: the seller proposed a partial refund; the buyer decides.
    proposed = _delivered("disputes-proposal", buyer2, [(stock[second.pk].pop(0), 1)])
    dispute = services.open_dispute(
        order=proposed,
        actor=buyer2,
        reason=DisputeReason.NOT_AS_DESCRIBED,
        description="Цвет заметно отличается от фотографий в карточке товара.",
        desired_outcome=DesiredOutcome.FULL_REFUND,
    )
    services.seller_propose(
        dispute=dispute,
        actor=second.user,
        kind=DecisionKind.PARTIAL_REFUND,
        amount=_share(proposed, "0.2"),
        text="Оттенок на фото действительно светлее. Предлагаем вернуть 20% стоимости, товар оставьте себе.",
    )

    # Escalated: the seller rejected, the buyer escalated, round robin assigned a moderator who left a note.
    rejected = _delivered("disputes-escalated", buyer2, [(stock[main.pk].pop(0), 1)])
    dispute = services.open_dispute(
        order=rejected,
        actor=buyer2,
        reason=DisputeReason.NOT_RECEIVED,
        description="Трек-номер показывает вручение, но посылку я не получал: в пункте выдачи её не нашли.",
        desired_outcome=DesiredOutcome.FULL_REFUND,
    )
    services.seller_reject(
        dispute=dispute,
        actor=main.user,
        text="Служба доставки подтвердила вручение по паспорту, акт вручения приложим по запросу.",
    )
    dispute = services.escalate(dispute=dispute, actor=buyer2)
    dispute.refresh_from_db()
    if dispute.assigned_to is not None:
        services.add_internal_note(
            dispute=dispute,
            actor=dispute.assigned_to,
            text="Запросить у СДЭК скан подписи получателя.",
        )

    # Decided: a partial refund by a moderator (below four eyes), the seller's incident, the buyer rated the handling.
    decided_order = _delivered("disputes-decided", buyer, [(stock[second.pk].pop(0), 1)])
    dispute = services.open_dispute(
        order=decided_order,
        actor=buyer,
        reason=DisputeReason.NOT_AS_DESCRIBED,
        description="В карточке указано 256 ГБ памяти, в настройках телефона — 128 ГБ.",
        desired_outcome=DesiredOutcome.FULL_REFUND,
    )
    services.seller_reject(
        dispute=dispute, actor=second.user, text="Объём памяти соответствует описанию производителя."
    )
    dispute = services.escalate(dispute=dispute, actor=buyer)
    decider = _decider(dispute, first_moderator)
    services.decide(
        dispute=dispute,
        actor=decider,
        kind=DecisionKind.PARTIAL_REFUND,
        amount=_share(decided_order, "0.5"),
        reasoning="Снимок настроек на фото покупателя расходится с описанием; телефон исправен. "
        "Возвращаем половину стоимости.",
    )
    dispute.refresh_from_db()
    services.rate_handling(dispute=dispute, actor=buyer, score=5, comment="Разобрались быстро.")

    # Waiting for the second moderator: a full refund above the four-eyes amount.
    approval_order = _delivered("disputes-four-eyes", buyer2, expensive)
    dispute = services.open_dispute(
        order=approval_order,
        actor=buyer2,
        reason=DisputeReason.COUNTERFEIT,
        description="Серийный номер не проходит проверку на сайте производителя.",
        desired_outcome=DesiredOutcome.FULL_REFUND,
    )
    services.seller_reject(dispute=dispute, actor=main.user, text="Товар закуплен у официального дистрибьютора.")
    dispute = services.escalate(dispute=dispute, actor=buyer2)
    services.decide(
        dispute=dispute,
        actor=_decider(dispute, first_moderator),
        kind=DecisionKind.FULL_REFUND,
        reasoning="Производитель подтвердил, что серийный номер не выпускался. Полный возврат.",
    )

    _submit_card_refunds()
    _deliver_sandbox_events()
    log(
        f"disputes: 5 disputes (waiting for the seller, a proposal, escalated, decided, awaiting a second approval "
        f"by {second_moderator.email}); {conversations} conversations, one message flagged for a phone number"
    )


def _conversations(buyer: User, buyer2: User, main: Seller, second: Seller, variant: Variant) -> int:
    """The delivered two-seller demo order's conversation (a flagged message) and a pre-sale question."""
    order = (
        Order.objects.filter(group__checkout_key=demo_key("two-sellers"), seller=main, buyer=buyer)
        .order_by("pk")
        .first()
    )
    count = 0
    if order is not None:
        conversation = services.conversation_for_order(order=order, actor=buyer)
        services.send_message(conversation=conversation, actor=buyer, text="Здравствуйте! Есть ли у товара гарантия?")
        services.send_message(
            conversation=conversation,
            actor=main.user,
            text="Добрый день! Гарантия 12 месяцев, талон лежит в коробке.",
        )
        services.send_message(
            conversation=conversation,
            actor=main.user,
            text="Если будут вопросы, звоните напрямую: +7 (912) 555-44-33",
        )
        count += 1
    presale = services.conversation_for_listing(listing=variant.listing, actor=buyer2)
    services.send_message(
        conversation=presale, actor=buyer2, text="Подскажите, успеете отправить до пятницы, если закажу сегодня?"
    )
    services.send_message(conversation=presale, actor=second.user, text="Да, отправим завтра утром.")
    return count + 1


def _variants(seller: Seller) -> list[Variant]:
    """The seller's published, active variants with a few units free, in a fixed order."""
    return list(
        Variant.objects.filter(
            listing__seller=seller,
            listing__status=ListingStatus.PUBLISHED,
            is_active=True,
            on_hand__gte=F("allocated") + 3,
        )
        .select_related("listing")
        .order_by("listing_id", "pk")[:40]
    )


def _items_above(variants: list[Variant], amount: Decimal) -> list[tuple[Variant, int]] | None:
    """The fewest of the dearest variants (up to 3 units each) whose total exceeds the amount; taken off the list."""
    items: list[tuple[Variant, int]] = []
    total = Decimal(0)
    for variant in sorted(variants, key=lambda variant: (-variant.price, variant.pk)):
        if total > amount:
            break
        quantity = min(3, int((amount - total) // variant.price) + 1)
        items.append((variant, quantity))
        total += variant.price * quantity
    if total <= amount:
        return None
    for variant, _quantity in items:
        variants.remove(variant)
    return items


def _delivered(name: str, buyer: User, items: list[tuple[Variant, int]]) -> Order:
    order = _checkout(name, buyer, items)[0]
    delivered = _deliver(_ship(order))
    delivered.refresh_from_db()
    return delivered


def _share(order: Order, fraction: str) -> Decimal:
    return (services.refundable_for(order) * Decimal(fraction)).quantize(Decimal("1"))


def _decider(dispute, first: User) -> User:
    """The moderator the round robin assigned (or the first demo moderator if none was)."""
    dispute.refresh_from_db()
    return dispute.assigned_to or first
