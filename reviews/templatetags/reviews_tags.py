"""The listing page's reviews block (catalog's template includes it): constant queries per page, all prepared."""

from __future__ import annotations

from django import template

from reviews import selectors

register = template.Library()


@register.inclusion_tag("reviews/_listing_block.html", takes_context=True)
def listing_reviews(context, listing, limit: int = 5) -> dict:
    request = context.get("request")
    # The visitor's own votes are a personal part of each review (reviews/parts.py), not part of this query.
    reviews = selectors.top_reviews(listing_id=listing.pk, limit=limit)
    return {
        "listing": listing,
        "reviews": reviews,
        # written together with the listing's rating_count (services.ratings): a listing counting none has none
        "aggregate": selectors.listing_rating(listing_id=listing.pk) if listing.rating_count else None,
        # Aspects summarise published reviews: a listing without any (most of them) needs no query for them.
        "aspects": selectors.aspect_summaries(listing_id=listing.pk) if reviews else [],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reviews/_seller_badge.html")
def seller_rating_badge(seller) -> dict:
    return {"rating": selectors.seller_rating(seller_id=seller.pk)}


@register.simple_tag
def seller_standards():
    """The seller standards in force, for pages that publish them ("Sell with us")."""
    return selectors.seller_standards()
