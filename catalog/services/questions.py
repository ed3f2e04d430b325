"""Public questions and answers on listings: both pass the automatic text checks before anyone sees them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import policies
from catalog.models import Listing, ListingQuestion, ListingStatus, QAStatus
from catalog.services import notify
from catalog.services.listings import clean_text
from catalog.services.moderation import text_flags
from marketplace.core.exceptions import DomainError

if TYPE_CHECKING:
    from marketplace.accounts.models import User

MAX_QUESTIONS_PER_DAY = 10


@transaction.atomic
def ask_question(*, listing: Listing, author: User, text: str) -> ListingQuestion:
    """A signed-in buyer asks; a clean question is public at once, a flagged one waits for a moderator."""
    if not policies.can_ask_question(author, listing):
        raise PermissionDenied
    if listing.status != ListingStatus.PUBLISHED:
        raise DomainError(_("Questions can be asked only about listings on sale."))
    text = clean_text(text, max_length=1000, multiline=True)
    if len(text) < 5:
        raise DomainError(_("Write a question of at least 5 characters."))
    day_ago = timezone.now() - timezone.timedelta(days=1)
    if ListingQuestion.objects.filter(author=author, created_at__gte=day_ago).count() >= MAX_QUESTIONS_PER_DAY:
        raise DomainError(_("You have asked many questions today. Please try again tomorrow."))
    flags = text_flags(text)
    question = ListingQuestion.objects.create(
        listing=listing,
        author=author,
        text=text,
        flags=flags,
        status=QAStatus.PENDING if flags else QAStatus.PUBLISHED,
    )
    if question.status == QAStatus.PUBLISHED:
        notify.question_asked(question=question)
    return question


@transaction.atomic
def answer_question(*, question: ListingQuestion, actor: User, text: str) -> ListingQuestion:
    """The seller answers under the question for everyone; a flagged answer waits for a moderator."""
    question = (
        ListingQuestion.objects.select_for_update(of=("self",)).select_related("listing__seller").get(pk=question.pk)
    )
    if not policies.can_answer_question(actor, question):
        raise PermissionDenied
    if question.status != QAStatus.PUBLISHED:
        raise DomainError(_("This question is not public, so it cannot be answered."))
    text = clean_text(text, max_length=2000, multiline=True)
    if len(text) < 2:
        raise DomainError(_("Write an answer."))
    flags = text_flags(text)
    question.answer = text
    question.answer_flags = flags
    question.answer_status = QAStatus.PENDING if flags else QAStatus.PUBLISHED
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save()
    if question.answer_status == QAStatus.PUBLISHED:
        notify.question_answered(question=question)
    return question


def _require_moderator(actor: User) -> None:
    if not policies.can_moderate_listings(actor):
        raise PermissionDenied


@transaction.atomic
def moderate_question(*, question: ListingQuestion, actor: User, approve: bool) -> ListingQuestion:
    """Publish or reject a flagged question (the seller is told about a published one)."""
    _require_moderator(actor)
    question = (
        ListingQuestion.objects.select_for_update(of=("self",))
        .select_related("listing__seller__user")
        .get(pk=question.pk)
    )
    if question.status != QAStatus.PENDING:
        raise DomainError(_("This question was already decided."))
    question.status = QAStatus.PUBLISHED if approve else QAStatus.REJECTED
    question.save(update_fields=["status", "updated_at"])
    if approve:
        notify.question_asked(question=question)
    return question


@transaction.atomic
def moderate_answer(*, question: ListingQuestion, actor: User, approve: bool) -> ListingQuestion:
    """Publish or reject a flagged answer (the buyer is told about a published one)."""
    _require_moderator(actor)
    question = (
        ListingQuestion.objects.select_for_update(of=("self",))
        .select_related("listing__seller__user")
        .get(pk=question.pk)
    )
    if question.answer_status != QAStatus.PENDING:
        raise DomainError(_("This answer was already decided."))
    question.answer_status = QAStatus.PUBLISHED if approve else QAStatus.REJECTED
    question.save(update_fields=["answer_status", "updated_at"])
    if approve:
        notify.question_answered(question=question)
    return question
