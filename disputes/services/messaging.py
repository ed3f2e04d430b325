"""Buyer–seller messaging: conversations per order or listing, contact-sharing flags, rate limit, blocks."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import images
from catalog.exceptions import InvalidImage
from marketplace.notifications import services as notifications
from orders import policies as order_policies
from sellers import selectors as seller_selectors

from .. import policies
from ..exceptions import InvalidMessage, MessageRateLimited, MessagingBlocked
from ..models import Conversation, Message, MessagingBlock, QuickReply

MAX_MESSAGE = 4000

# Contact sharing (spec 110): deals outside the platform lose the buyer's protection.
CONTACT_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("e-mail", re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)),
    ("phone", re.compile(r"(?:\+\s*7|\b8|\b7)?[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b")),
    ("link", re.compile(r"https?://|www\.|\b[\w-]+\.(?:ru|com|рф|net|org|me|io|su|info|shop|store)\b", re.IGNORECASE)),
    (
        "messenger",
        re.compile(
            r"(?<![\w.])@[A-Za-z][A-Za-z0-9_]{3,}|\b(?:t\.me|wa\.me|telegram|телеграм\w*|телега|tg|whats\s*app|"
            r"вотсап\w*|ватсап\w*|viber|вайбер\w*|skype|скайп\w*|vk\.com|вконтакте|max\s*мессенджер)\b",
            re.IGNORECASE,
        ),
    ),
]


def detect_contacts(text: str) -> list[str]:
    """Kinds of contact data found in the text (empty: none)."""
    return [kind for kind, pattern in CONTACT_PATTERNS if pattern.search(text or "")]


def is_blocked(user) -> bool:
    return MessagingBlock.objects.filter(user=user, lifted_at__isnull=True).exists()


@transaction.atomic
def conversation_for_order(*, order, actor) -> Conversation:
    """The order's conversation (created on first use); only the buyer and the seller's team may open it."""
    if not (order.buyer_id == actor.pk or order_policies.works_for_seller(actor, order.seller_id)):
        raise PermissionDenied
    try:
        with transaction.atomic():
            conversation, _created = Conversation.objects.get_or_create(
                order=order, defaults={"buyer_id": order.buyer_id, "seller_id": order.seller_id}
            )
    except IntegrityError:
        conversation = Conversation.objects.get(order=order)
    return conversation


@transaction.atomic
def conversation_for_listing(*, listing, actor) -> Conversation:
    """A pre-sale conversation between a buyer and the listing's seller (separate from public Q&A)."""
    member = seller_selectors.membership_for(user=actor)
    if member is not None and member.seller_id == listing.seller_id:
        raise PermissionDenied  # a seller does not ask themselves
    try:
        with transaction.atomic():
            conversation, _created = Conversation.objects.get_or_create(
                buyer=actor, listing=listing, order=None, defaults={"seller_id": listing.seller_id}
            )
    except IntegrityError:
        conversation = Conversation.objects.get(buyer=actor, listing=listing, order=None)
    return conversation


def _side(actor, conversation: Conversation) -> str:
    if policies.is_conversation_buyer(actor, conversation):
        return "buyer"
    if policies.is_conversation_seller(actor, conversation):
        return "seller"
    raise PermissionDenied


def _check_rate(actor, now) -> None:
    window = now - timedelta(seconds=settings.MARKETPLACE_MESSAGING_RATE_WINDOW_SECONDS)
    sent = Message.objects.filter(sender=actor, created_at__gte=window).count()
    if sent >= settings.MARKETPLACE_MESSAGING_RATE_LIMIT:
        raise MessageRateLimited()


@transaction.atomic
def send_message(*, conversation: Conversation, actor, text: str = "", image=None) -> Message:
    """Post a message. Contact data is allowed through but flagged for moderators (the view warns the sender)."""
    side = _side(actor, conversation)
    if is_blocked(actor):
        raise MessagingBlocked()
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE:
        raise InvalidMessage(_("The message is too long: at most 4,000 characters."))
    if not text and not image:
        raise InvalidMessage()
    conversation = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
    now = timezone.now()
    _check_rate(actor, now)
    found = detect_contacts(text)
    message = Message(
        conversation=conversation,
        sender=actor,
        from_seller=side == "seller",
        text=text,
        is_flagged=bool(found),
        flag_reason=", ".join(found),
    )
    if image:
        try:
            cleaned = images.clean_image(image, min_side=1)  # the catalogue's pipeline: limits, re-encode, no EXIF
        except InvalidImage as error:
            raise InvalidMessage(error.message) from None
        message.image.save("photo.jpg", ContentFile(cleaned.content), save=False)
    message.save()
    fields: dict = {"last_message_at": now, f"{side}_read_at": now}
    if side == "buyer" and conversation.first_buyer_message_at is None:
        fields["first_buyer_message_at"] = now
    if side == "seller" and conversation.seller_first_reply_seconds is None and conversation.first_buyer_message_at:
        fields["seller_first_reply_seconds"] = int((now - conversation.first_buyer_message_at).total_seconds())
    if found:
        fields["has_flagged"] = True
    Conversation.objects.filter(pk=conversation.pk).update(**fields, updated_at=now)
    return message


@transaction.atomic
def mark_read(*, conversation: Conversation, actor) -> None:
    side = _side(actor, conversation)
    Conversation.objects.filter(pk=conversation.pk).update(**{f"{side}_read_at": timezone.now()})


@transaction.atomic
def block_messaging(*, user, actor, reason: str) -> MessagingBlock:
    """A moderator stops a user from sending messages (they still read theirs)."""
    if not policies.can_block_messaging(actor) or actor.pk == user.pk:
        raise PermissionDenied
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise InvalidMessage(_("Give the reason for the block."))
    block = MessagingBlock.objects.filter(user=user, lifted_at__isnull=True).first()
    return block or MessagingBlock.objects.create(user=user, blocked_by=actor, reason=reason)


@transaction.atomic
def lift_block(*, user, actor) -> int:
    if not policies.can_block_messaging(actor):
        raise PermissionDenied
    return MessagingBlock.objects.filter(user=user, lifted_at__isnull=True).update(lifted_at=timezone.now())


@transaction.atomic
def mark_flags_reviewed(*, messages, actor) -> int:
    if not actor.has_perm("disputes.change_message"):
        raise PermissionDenied
    return Message.objects.filter(pk__in=[m.pk for m in messages], is_flagged=True).update(flag_reviewed=True)


@transaction.atomic
def save_quick_reply(*, seller, actor, title: str, text: str) -> QuickReply:
    if not order_policies.works_for_seller(actor, seller.pk):
        raise PermissionDenied
    title, text = (title or "").strip()[:80], (text or "").strip()[:2000]
    if not title or not text:
        raise InvalidMessage(_("A quick reply needs a title and a text."))
    return QuickReply.objects.create(seller=seller, title=title, text=text)


@transaction.atomic
def delete_quick_reply(*, reply: QuickReply, actor) -> None:
    if not order_policies.works_for_seller(actor, reply.seller_id):
        raise PermissionDenied
    reply.delete()


def notify_unread_messages(*, limit: int = 500) -> int:
    """Beat: e-mail the recipient of a message still unread after N minutes (once per message)."""
    cutoff = timezone.now() - timedelta(minutes=settings.MARKETPLACE_MESSAGING_UNREAD_EMAIL_MINUTES)
    pending = list(
        Message.objects.filter(unread_notified=False, created_at__lte=cutoff)
        .select_related("conversation__seller__user", "conversation__buyer")
        .order_by("pk")[:limit]
    )
    sent = 0
    for message in pending:
        with transaction.atomic():
            if not Message.objects.filter(pk=message.pk, unread_notified=False).update(unread_notified=True):
                continue
            conversation = message.conversation
            read_at = conversation.buyer_read_at if message.from_seller else conversation.seller_read_at
            if read_at is not None and read_at >= message.created_at:
                continue
            recipient = conversation.buyer if message.from_seller else conversation.seller.user
            notifications.notify(
                recipient=recipient,
                kind="message_unread",
                context={"conversation_id": conversation.pk},
                dedupe_key=f"message_unread:{conversation.pk}:{message.pk}",
            )
            sent += 1
    return sent
