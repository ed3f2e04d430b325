"""Automatic checks that hold a review for a moderator, and the review state machine."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.state_machine import check_transition
from reviews.models import REVIEW_TRANSITIONS, ProductReview, ReviewEvent, ReviewStatus, SellerReview

# Stems, matched at the start of a word so inflected forms are caught ("дурак", "дураки"), ru and en.
PROFANITY_STEMS = (
    "хуй", "хуе", "хуё", "пизд", "еба", "ёба", "ебл", "ебу", "бля", "сука", "суки", "мудак", "мудил", "гандон",
    "пидор", "пидар", "залуп", "дерьм", "говн", "шлюх", "fuck", "shit", "bitch", "asshole", "cunt", "dick",
    "bastard", "motherf",
)  # fmt: skip
PROFANITY_RE = re.compile(r"(?<![\w])(" + "|".join(PROFANITY_STEMS) + r")", re.IGNORECASE)
CONTACT_RES = (
    re.compile(r"https?://|www\.|\b[\w-]+\.(ru|com|net|org|рф|su|io|me)\b", re.IGNORECASE),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b"),
    re.compile(r"(?:^|\s)@[A-Za-z0-9_]{4,}|\b(telegram|whatsapp|viber|телеграм|ватсап|вайбер|tg)\b", re.IGNORECASE),
)

CHECK_LABELS = {
    "profanity": _("Profanity"),
    "contacts": _("Contacts or links"),
    "duplicate": _("Same text as another review"),
    "all_caps": _("Written in capitals"),
    "burst_new_accounts": _("Many reviews of this seller from new accounts"),
    "premoderation": _("Pre-moderation is on"),
}


def _letters_upper_share(text: str) -> float:
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 20:
        return 0.0
    return sum(char.isupper() for char in letters) / len(letters)


def _normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def text_checks(text: str) -> list[str]:
    reasons = []
    if PROFANITY_RE.search(text):
        reasons.append("profanity")
    if any(pattern.search(text) for pattern in CONTACT_RES):
        reasons.append("contacts")
    if _letters_upper_share(text) > 0.7:
        reasons.append("all_caps")
    return reasons


def review_checks(*, author, seller_id: int, text: str, exclude_pk: int | None = None) -> list[str]:
    """Codes of the checks this text fails; an empty list publishes at once under post-moderation."""
    reasons = text_checks(text)
    normalised = _normalised(text)
    if len(normalised) >= 30:
        since = timezone.now() - timedelta(days=90)
        others = ProductReview.objects.filter(created_at__gte=since).exclude(pk=exclude_pk)
        # Candidates by a cheap prefix filter, the comparison on normalised text.
        for other in others.filter(text__istartswith=text.strip()[:20]).values_list("text", flat=True)[:50]:
            if _normalised(other) == normalised:
                reasons.append("duplicate")
                break
    new_since = timezone.now() - timedelta(days=settings.MARKETPLACE_REVIEW_NEW_ACCOUNT_DAYS)
    if author.date_joined >= new_since:
        recent = (
            ProductReview.objects.filter(
                seller_id=seller_id,
                created_at__gte=timezone.now() - timedelta(hours=24),
                author__date_joined__gte=new_since,
            )
            .exclude(pk=exclude_pk)
            .values("author")
            .distinct()
            .count()
        )
        if recent + 1 >= settings.MARKETPLACE_REVIEW_BURST_THRESHOLD:
            reasons.append("burst_new_accounts")
    if settings.MARKETPLACE_REVIEW_PREMODERATION and not reasons:
        reasons.append("premoderation")
    return reasons


def _event_target(review) -> dict:
    return {"product_review": review} if isinstance(review, ProductReview) else {"seller_review": review}


@transaction.atomic
def change_review_status(*, review: ProductReview | SellerReview, to: str, actor, reason: str = "") -> bool:
    """The only way a review's status changes. False, changing nothing, when it already has `to`."""
    model = type(review)
    current = model.objects.select_for_update(no_key=True).only("status").get(pk=review.pk).status
    if current == to:
        return False
    check_transition(REVIEW_TRANSITIONS, current, to)
    ReviewEvent.objects.create(**_event_target(review), from_status=current, to_status=to, actor=actor, reason=reason)
    fields = {"status": to, "updated_at": timezone.now()}
    if to == ReviewStatus.PUBLISHED:
        fields["published_at"] = timezone.now()
    model.objects.filter(pk=review.pk).update(**fields)
    for name, value in fields.items():
        setattr(review, name, value)
    return True


def record_initial_event(review, *, actor, reason: str = "") -> None:
    ReviewEvent.objects.create(
        **_event_target(review), from_status="", to_status=review.status, actor=actor, reason=reason
    )
