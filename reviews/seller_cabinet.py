"""The reviews app's parts of the seller cabinet and storefront: dashboard card, menu links, storefront slots."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sellers.cabinet import (
    DashboardCard,
    NavItem,
    StorefrontSlot,
    register_card,
    register_nav,
    register_storefront_slot,
)
from sellers.models import Storefront, TeamMember
from sellers.policies import Section

from . import selectors
from .models import ProductReview, ReviewStatus


def reviews_card(member: TeamMember) -> dict:
    return {
        "unanswered": ProductReview.objects.filter(
            seller_id=member.seller_id, status=ReviewStatus.PUBLISHED, reply__isnull=True
        ).count(),
        "rating": selectors.seller_rating(seller_id=member.seller_id),
    }


def standards_card(member: TeamMember) -> dict:
    rating = selectors.seller_rating(seller_id=member.seller_id)
    standards = selectors.seller_standards()
    return {
        "rating": rating,
        "standards": standards,
        "standing": selectors.standards_standing(rating=rating, standards=standards),
        "upcoming": selectors.upcoming_standards(),
    }


def rating_slot(storefront: Storefront, request) -> dict:
    return {"rating": selectors.seller_rating(seller_id=storefront.seller_id)}


def reviews_slot(storefront: Storefront, request) -> dict:
    reviews = list(selectors.published_reviews(seller_id=storefront.seller_id, sort="helpful")[:5])
    return {"reviews": reviews, "storefront": storefront}


register_card(
    DashboardCard(
        key="reviews",
        section=Section.REVIEWS,
        order=30,
        template="reviews/seller/_card_reviews.html",
        context=reviews_card,
    )
)
register_card(
    DashboardCard(
        key="standards",
        section=Section.REVIEWS,
        order=31,
        template="reviews/seller/_card_standards.html",
        context=standards_card,
    )
)
register_storefront_slot(StorefrontSlot(key="rating", template="reviews/_slot_rating.html", context=rating_slot))
register_storefront_slot(StorefrontSlot(key="reviews", template="reviews/_slot_reviews.html", context=reviews_slot))
for nav_item in (
    NavItem("reviews", Section.REVIEWS, _("Reviews"), "reviews:seller-list", order=40),
    NavItem("rating", Section.REVIEWS, _("Rating and incidents"), "reviews:seller-rating", order=41),
):
    register_nav(nav_item)
