"""Who may do what with reviews: pure predicates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from orders.models import Order, OrderStatus
from sellers import policies as seller_policies
from sellers import selectors as seller_selectors
from sellers.policies import Section

from .models import ProductReview, ReviewStatus

REVIEWABLE_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETED})


def is_linked_to_seller(user, seller_id: int) -> bool:
    """The seller's own team, or an account sharing the seller's contact phone or e-mail."""
    member = seller_selectors.membership_for(user=user)
    if member is not None and member.seller_id == seller_id:
        return True
    from sellers.models import Seller

    seller = Seller.objects.only("contact_phone", "contact_email").get(pk=seller_id)
    return (
        bool(user.phone and user.phone == seller.contact_phone)
        or user.email.lower() == (seller.contact_email or "").lower()
    )


def can_review_order(user, order: Order) -> bool:
    if not user.is_authenticated or order.buyer_id != user.pk or order.status not in REVIEWABLE_STATUSES:
        return False
    if order.delivered_at is None:
        return False
    return timezone.now() - order.delivered_at <= timedelta(days=settings.MARKETPLACE_REVIEW_WINDOW_DAYS)


def can_edit_review(user, review) -> bool:
    return (
        user.is_authenticated
        and review.author_id == user.pk
        and timezone.now() - review.created_at <= timedelta(days=settings.MARKETPLACE_REVIEW_EDIT_DAYS)
    )


def can_vote(user, review: ProductReview) -> bool:
    return user.is_authenticated and review.author_id != user.pk and review.status == ReviewStatus.PUBLISHED


def can_report(user, review: ProductReview) -> bool:
    return user.is_authenticated and review.author_id != user.pk and review.status == ReviewStatus.PUBLISHED


def works_on_reviews(user, seller_id: int) -> bool:
    member = seller_selectors.membership_for(user=user)
    return (
        member is not None
        and member.seller_id == seller_id
        and seller_policies.can_access_section(member, Section.REVIEWS)
    )


def can_reply(user, review: ProductReview) -> bool:
    return review.status == ReviewStatus.PUBLISHED and works_on_reviews(user, review.seller_id)


def can_contest(user, review: ProductReview) -> bool:
    return can_reply(user, review) and not review.contest_status


def can_moderate_reviews(user) -> bool:
    return user.is_authenticated and user.has_perm("reviews.change_productreview")
