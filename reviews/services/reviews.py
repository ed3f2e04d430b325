"""Writing, editing and moderating reviews; replies, helpful votes, reports and contests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import images
from marketplace.core.exceptions import DomainError
from marketplace.notifications import services as notifications
from orders.models import Order, OrderLine
from reviews import policies, selectors
from reviews.exceptions import (
    AlreadyReplied,
    AlreadyReported,
    AlreadyReviewed,
    AlreadyVoted,
    EditWindowClosed,
    InvalidReview,
    LinkedToSeller,
    NotReviewable,
    OwnReview,
    ReviewWindowClosed,
)
from reviews.models import (
    AspectKind,
    ContestStatus,
    DisplayName,
    ProductReview,
    ReportReason,
    ReportStatus,
    ReviewAspect,
    ReviewAspectAnswer,
    ReviewPhoto,
    ReviewReport,
    ReviewStatus,
    ReviewVote,
    SellerReply,
    SellerReview,
)

from . import moderation, ratings

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, *, max_length: int, label: str) -> str:
    text = CONTROL_RE.sub("", str(value or "")).strip()
    if len(text) > max_length:
        raise InvalidReview(
            _("%(field)s: at most %(limit)s characters (you wrote %(count)s).")
            % {"field": label, "limit": max_length, "count": len(text)}
        )
    return text


def clean_stars(value, *, label: str) -> int:
    """Whole stars 1–5; anything else ("5abc", 0, 6, 4.5) is refused with a plain message."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise InvalidReview(_("%(field)s: choose from 1 to 5 stars.") % {"field": label})
    return int(text)


def _display_name(value) -> str:
    return value if value in DisplayName.values else DisplayName.NAME_INITIAL


def _clean_photos(uploads: Iterable) -> list[images.CleanImage]:
    uploads = [upload for upload in uploads if upload]
    limit = settings.MARKETPLACE_REVIEW_MAX_PHOTOS
    if len(uploads) > limit:
        raise InvalidReview(_("At most %(limit)s photos per review.") % {"limit": limit})
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(images.clean_image(upload, min_side=settings.MARKETPLACE_REVIEW_PHOTO_MIN_SIDE))
        except images.InvalidImage as error:
            raise InvalidReview(str(error)) from None
    return cleaned


def _save_photos(review: ProductReview, cleaned: list[images.CleanImage], start: int = 0) -> None:
    for position, image in enumerate(cleaned, start=start):
        photo = ReviewPhoto(review=review, width=image.width, height=image.height, position=position)
        photo.image.save("photo.jpg", ContentFile(image.content), save=False)
        photo.save()


YES_NO_VALUES = {"yes": 1, "no": 0}


def clean_aspects(*, category_id: int, answers: Mapping | None) -> list[tuple[ReviewAspect, int]]:
    """Answers to the aspects of the listing's category (keys: aspect ids). Each is optional; an answer must fit
    the aspect's kind ("yes"/"no", or 1–5), and an aspect the category does not ask is refused."""
    answers = {str(key): value for key, value in (answers or {}).items()}
    aspects = {str(aspect.pk): aspect for aspect in selectors.aspects_for_category(category_id=category_id)}
    if set(answers) - set(aspects):
        raise InvalidReview(_("The questions about this product have changed: reload the page and answer them again."))
    cleaned = []
    for key, aspect in aspects.items():
        raw = str(answers.get(key) or "").strip().casefold()
        if not raw:
            continue
        if aspect.kind == AspectKind.YES_NO:
            if raw not in YES_NO_VALUES:
                raise InvalidReview(_("%(aspect)s: answer yes or no.") % {"aspect": aspect.name})
            cleaned.append((aspect, YES_NO_VALUES[raw]))
        else:
            cleaned.append((aspect, clean_stars(raw, label=aspect.name)))
    return cleaned


def _save_aspects(review: ProductReview, cleaned: list[tuple[ReviewAspect, int]]) -> None:
    ReviewAspectAnswer.objects.filter(review=review).delete()
    ReviewAspectAnswer.objects.bulk_create(
        ReviewAspectAnswer(review=review, aspect=aspect, value=value) for aspect, value in cleaned
    )


def _publish_or_hold(review, *, actor, reasons: list[str]) -> None:
    """Passing reviews publish at once (post-moderation); held ones wait in the moderators' queue."""
    type(review).objects.filter(pk=review.pk).update(hold_reasons=reasons)
    review.hold_reasons = reasons
    if not reasons:
        moderation.change_review_status(review=review, to=ReviewStatus.PUBLISHED, actor=None, reason="checks passed")
    ratings.request_recompute(seller_id=review.seller_id, listing_id=getattr(review, "listing_id", None))


@transaction.atomic
def write_product_review(
    *,
    order_line: OrderLine,
    actor,
    stars,
    text: str = "",
    pros: str = "",
    cons: str = "",
    display_name: str = DisplayName.NAME_INITIAL,
    photos: Iterable = (),
    aspects: Mapping | None = None,
) -> ProductReview:
    """Only the buyer of a delivered line, once per line, within 365 days of delivery."""
    line = OrderLine.objects.select_related("order", "listing").get(pk=order_line.pk)
    order = Order.objects.select_for_update(no_key=True).get(pk=line.order_id)
    if not actor.is_authenticated or order.buyer_id != actor.pk:
        raise PermissionDenied
    if order.status not in policies.REVIEWABLE_STATUSES or order.delivered_at is None:
        raise NotReviewable()
    if timezone.now() - order.delivered_at > timedelta(days=settings.MARKETPLACE_REVIEW_WINDOW_DAYS):
        raise ReviewWindowClosed()
    if policies.is_linked_to_seller(actor, order.seller_id):
        raise LinkedToSeller()
    if ProductReview.objects.filter(order_line=line).exists():
        raise AlreadyReviewed()
    stars = clean_stars(stars, label=_("Rating"))
    text = clean_text(text, max_length=5000, label=_("Review"))
    pros = clean_text(pros, max_length=1000, label=_("Pros"))
    cons = clean_text(cons, max_length=1000, label=_("Cons"))
    answers = clean_aspects(category_id=line.listing.category_id, answers=aspects)
    cleaned = _clean_photos(photos)
    try:
        with transaction.atomic():
            review = ProductReview.objects.create(
                order_line=line,
                order=order,
                listing_id=line.listing_id,
                seller_id=order.seller_id,
                author=actor,
                variant_name=line.variant_name,
                stars=stars,
                text=text,
                pros=pros,
                cons=cons,
                display_name=_display_name(display_name),
            )
    except IntegrityError:
        raise AlreadyReviewed() from None  # a concurrent double submit: the constraint decided
    moderation.record_initial_event(review, actor=actor, reason="written")
    _save_aspects(review, answers)
    _save_photos(review, cleaned)
    reasons = moderation.review_checks(
        author=actor, seller_id=order.seller_id, text=" ".join([text, pros, cons]), exclude_pk=review.pk
    )
    _publish_or_hold(review, actor=actor, reasons=reasons)
    return review


@transaction.atomic
def edit_product_review(
    *,
    review: ProductReview,
    actor,
    stars,
    text: str = "",
    pros: str = "",
    cons: str = "",
    display_name: str = DisplayName.NAME_INITIAL,
    photos: Iterable = (),
    remove_photo_ids: Iterable[int] = (),
    aspects: Mapping | None = None,
) -> ProductReview:
    """The author edits within 30 days; the edit goes through the automatic checks again. `aspects` None keeps
    the aspect answers as they are; a mapping replaces them."""
    review = ProductReview.objects.select_for_update(of=("self",)).select_related("author", "listing").get(pk=review.pk)
    if review.author_id != actor.pk:
        raise PermissionDenied
    if not policies.can_edit_review(actor, review):
        raise EditWindowClosed()
    stars = clean_stars(stars, label=_("Rating"))
    text = clean_text(text, max_length=5000, label=_("Review"))
    pros = clean_text(pros, max_length=1000, label=_("Pros"))
    cons = clean_text(cons, max_length=1000, label=_("Cons"))
    answers = None if aspects is None else clean_aspects(category_id=review.listing.category_id, answers=aspects)
    remove = {int(pk) for pk in remove_photo_ids}
    kept = review.photos.exclude(pk__in=remove).count()
    cleaned = _clean_photos(photos)
    if kept + len(cleaned) > settings.MARKETPLACE_REVIEW_MAX_PHOTOS:
        raise InvalidReview(
            _("At most %(limit)s photos per review.") % {"limit": settings.MARKETPLACE_REVIEW_MAX_PHOTOS}
        )
    for photo in review.photos.filter(pk__in=remove):
        photo.image.delete(save=False)
        photo.delete()
    ProductReview.objects.filter(pk=review.pk).update(
        stars=stars, text=text, pros=pros, cons=cons, display_name=_display_name(display_name)
    )
    review.stars, review.text, review.pros, review.cons = stars, text, pros, cons
    if answers is not None:
        _save_aspects(review, answers)
    _save_photos(review, cleaned, start=kept)
    reasons = moderation.review_checks(
        author=actor, seller_id=review.seller_id, text=" ".join([text, pros, cons]), exclude_pk=review.pk
    )
    if reasons and review.status == ReviewStatus.PUBLISHED:
        moderation.change_review_status(review=review, to=ReviewStatus.PENDING, actor=actor, reason="edit held")
    elif review.status == ReviewStatus.REJECTED:
        moderation.change_review_status(review=review, to=ReviewStatus.PENDING, actor=actor, reason="edited")
    if review.status == ReviewStatus.PENDING:
        _publish_or_hold(review, actor=actor, reasons=reasons)
    else:
        ProductReview.objects.filter(pk=review.pk).update(hold_reasons=reasons)
        ratings.request_recompute(seller_id=review.seller_id, listing_id=review.listing_id)
    return review


@transaction.atomic
def write_seller_review(
    *,
    order: Order,
    actor,
    service_stars,
    delivery_stars,
    packaging_stars,
    comment: str = "",
    display_name: str = DisplayName.NAME_INITIAL,
) -> SellerReview:
    """The buyer rates the seller's service, delivery and packaging once per delivered order."""
    order = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
    if not actor.is_authenticated or order.buyer_id != actor.pk:
        raise PermissionDenied
    if not policies.can_review_order(actor, order):
        if order.status in policies.REVIEWABLE_STATUSES:
            raise ReviewWindowClosed()
        raise NotReviewable()
    if policies.is_linked_to_seller(actor, order.seller_id):
        raise LinkedToSeller()
    if SellerReview.objects.filter(order=order).exists():
        raise AlreadyReviewed()
    marks = {
        "service_stars": clean_stars(service_stars, label=_("Seller's service")),
        "delivery_stars": clean_stars(delivery_stars, label=_("Delivery")),
        "packaging_stars": clean_stars(packaging_stars, label=_("Packaging")),
    }
    comment = clean_text(comment, max_length=2000, label=_("Comment"))
    review = SellerReview.objects.create(
        order=order,
        seller_id=order.seller_id,
        author=actor,
        comment=comment,
        display_name=_display_name(display_name),
        **marks,
    )
    moderation.record_initial_event(review, actor=actor, reason="written")
    reasons = moderation.text_checks(comment)
    if settings.MARKETPLACE_REVIEW_PREMODERATION and not reasons:
        reasons.append("premoderation")
    _publish_or_hold(review, actor=actor, reasons=reasons)
    return review


# Moderation -------------------------------------------------------------------------------------------------------


def _notify_author(review, kind: str, **context) -> None:
    listing_id = getattr(review, "listing_id", None)
    notifications.notify(
        recipient=review.author,
        kind=kind,
        context={"review_id": review.pk, "listing_id": listing_id, **context},
        dedupe_key=f"{kind}:{type(review).__name__}:{review.pk}:{context.get('key', '')}",
    )


@transaction.atomic
def approve_review(*, review: ProductReview | SellerReview, actor, reason: str = "") -> ProductReview | SellerReview:
    """A moderator publishes a held review; the author hears about it."""
    if not policies.can_moderate_reviews(actor):
        raise PermissionDenied
    if moderation.change_review_status(
        review=review, to=ReviewStatus.PUBLISHED, actor=actor, reason=reason or "approved"
    ):
        ratings.request_recompute(seller_id=review.seller_id, listing_id=getattr(review, "listing_id", None))
        _notify_author(review, "review_published")
    return review


@transaction.atomic
def reject_review(*, review: ProductReview | SellerReview, actor, reason: str) -> ProductReview | SellerReview:
    """A moderator rejects a held review with a reason the author reads."""
    if not policies.can_moderate_reviews(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write the reason: the author reads it."))
    if moderation.change_review_status(review=review, to=ReviewStatus.REJECTED, actor=actor, reason=reason):
        type(review).objects.filter(pk=review.pk).update(moderation_reason=reason)
        review.moderation_reason = reason
        ratings.request_recompute(seller_id=review.seller_id, listing_id=getattr(review, "listing_id", None))
        _notify_author(review, "review_rejected", reason=reason)
    return review


@transaction.atomic
def restore_review(*, review: ProductReview, actor, reason: str) -> ProductReview:
    """A moderator puts a hidden review back."""
    if not policies.can_moderate_reviews(actor):
        raise PermissionDenied
    if moderation.change_review_status(review=review, to=ReviewStatus.PUBLISHED, actor=actor, reason=reason):
        ratings.request_recompute(seller_id=review.seller_id, listing_id=review.listing_id)
    return review


# Replies, votes, reports, contests --------------------------------------------------------------------------------


@transaction.atomic
def reply_to_review(*, review: ProductReview, actor, text: str) -> SellerReply:
    """The seller's one public reply; the buyer is notified."""
    review = ProductReview.objects.select_for_update(of=("self",)).select_related("author").get(pk=review.pk)
    if not policies.can_reply(actor, review):
        raise PermissionDenied
    text = clean_text(text, max_length=2000, label=_("Reply"))
    if not text:
        raise InvalidReview(_("Write the reply."))
    if SellerReply.objects.filter(review=review).exists():
        raise AlreadyReplied()
    reply = SellerReply.objects.create(review=review, author=actor, text=text)
    _notify_author(review, "review_replied")
    return reply


@transaction.atomic
def edit_reply(*, reply: SellerReply, actor, text: str) -> SellerReply:
    reply = SellerReply.objects.select_for_update(of=("self",)).select_related("review").get(pk=reply.pk)
    if not policies.works_on_reviews(actor, reply.review.seller_id):
        raise PermissionDenied
    text = clean_text(text, max_length=2000, label=_("Reply"))
    if not text:
        raise InvalidReview(_("Write the reply."))
    SellerReply.objects.filter(pk=reply.pk).update(text=text, updated_at=timezone.now())
    reply.text = text
    return reply


@transaction.atomic
def vote_helpful(*, review: ProductReview, actor) -> ProductReview:
    """One "helpful" per user, never on one's own review; the count is recounted from the votes."""
    if review.author_id == actor.pk:
        raise OwnReview()
    if not policies.can_vote(actor, review):
        raise PermissionDenied
    try:
        with transaction.atomic():
            ReviewVote.objects.create(review=review, user=actor)
    except IntegrityError:
        raise AlreadyVoted() from None
    count = ReviewVote.objects.filter(review=review).count()
    ProductReview.objects.filter(pk=review.pk).update(helpful_count=count)
    review.helpful_count = count
    return review


@transaction.atomic
def report_review(*, review: ProductReview, actor, reason: str, text: str = "") -> ReviewReport:
    """A report with a reason goes to the moderators' queue; one per user, not on one's own review."""
    if review.author_id == actor.pk:
        raise OwnReview()
    if not policies.can_report(actor, review):
        raise PermissionDenied
    if reason not in ReportReason.values:
        raise InvalidReview(_("Choose a reason."))
    text = clean_text(text, max_length=1000, label=_("Details"))
    try:
        with transaction.atomic():
            return ReviewReport.objects.create(review=review, reporter=actor, reason=reason, text=text)
    except IntegrityError:
        raise AlreadyReported() from None


@transaction.atomic
def decide_report(*, report: ReviewReport, actor, uphold: bool) -> ReviewReport:
    """Upholding hides the review (and closes the other open reports on it); dismissing leaves it published."""
    if not policies.can_moderate_reviews(actor):
        raise PermissionDenied
    report = ReviewReport.objects.select_for_update(of=("self",)).select_related("review").get(pk=report.pk)
    if report.status != ReportStatus.OPEN:
        return report
    status = ReportStatus.UPHELD if uphold else ReportStatus.DISMISSED
    now = timezone.now()
    if uphold:
        review = report.review
        moderation.change_review_status(
            review=review, to=ReviewStatus.HIDDEN, actor=actor, reason=f"report: {report.get_reason_display()}"
        )
        ReviewReport.objects.filter(review=review, status=ReportStatus.OPEN).update(
            status=status, decided_by=actor, decided_at=now
        )
        ratings.request_recompute(seller_id=review.seller_id, listing_id=review.listing_id)
    else:
        ReviewReport.objects.filter(pk=report.pk).update(status=status, decided_by=actor, decided_at=now)
    report.refresh_from_db()
    return report


@transaction.atomic
def contest_review(*, review: ProductReview, actor, reason: str) -> ProductReview:
    """The seller says the review is not about the product (e.g. only the delivery service); a moderator decides."""
    review = ProductReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    if not policies.can_contest(actor, review):
        raise PermissionDenied
    reason = clean_text(reason, max_length=1000, label=_("Reason"))
    if not reason:
        raise InvalidReview(_("Explain why the review is not about the product."))
    ProductReview.objects.filter(pk=review.pk).update(contest_status=ContestStatus.OPEN, contest_reason=reason)
    review.contest_status, review.contest_reason = ContestStatus.OPEN, reason
    return review


@transaction.atomic
def decide_contest(*, review: ProductReview, actor, uphold: bool, reason: str = "") -> ProductReview:
    if not policies.can_moderate_reviews(actor):
        raise PermissionDenied
    review = ProductReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    if review.contest_status != ContestStatus.OPEN:
        return review
    status = ContestStatus.UPHELD if uphold else ContestStatus.DISMISSED
    ProductReview.objects.filter(pk=review.pk).update(contest_status=status)
    review.contest_status = status
    if uphold:
        moderation.change_review_status(
            review=review, to=ReviewStatus.HIDDEN, actor=actor, reason=reason or "contest upheld: not about the product"
        )
        ratings.request_recompute(seller_id=review.seller_id, listing_id=review.listing_id)
    return review
