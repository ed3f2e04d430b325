"""Every non-trivial catalogue read: scoped, prefetched querysets and the cached category tree."""

from catalog.selectors.categories import (
    CategoryNode,
    CategoryTree,
    attribute_schema,
    category_tree,
    commission_rate,
    return_days,
)
from catalog.selectors.listings import (
    BrowseResult,
    browse,
    card_queryset,
    cards_in_order,
    home_sections,
    listing_for_page,
    listings_for_seller,
    moderation_queue,
    public_listings,
    public_questions,
    seller_categories,
    seller_listing,
    similar_listings,
    unanswered_questions_for_seller,
)
from catalog.selectors.search import SearchPlan, autocomplete, plan_search

__all__ = [
    "BrowseResult",
    "CategoryNode",
    "CategoryTree",
    "SearchPlan",
    "attribute_schema",
    "autocomplete",
    "browse",
    "card_queryset",
    "cards_in_order",
    "category_tree",
    "commission_rate",
    "home_sections",
    "listing_for_page",
    "listings_for_seller",
    "moderation_queue",
    "plan_search",
    "public_listings",
    "public_questions",
    "return_days",
    "seller_categories",
    "seller_listing",
    "similar_listings",
    "unanswered_questions_for_seller",
]
