"""Personal parts of reviews on shared pages (see marketplace/core/pagecache.py): the visitor's "helpful" vote."""

from __future__ import annotations

from marketplace.core.pagecache import personal_part
from reviews.models import ReviewVote


def _voted_on_listing(request, listing_id: int) -> set[int]:
    """The reviews of this listing the visitor found helpful (one query per listing and request)."""
    kept = request.__dict__.setdefault("_reviews_voted", {})
    if listing_id not in kept:
        kept[listing_id] = set(
            ReviewVote.objects.filter(user=request.user, review__listing_id=listing_id).values_list(
                "review_id", flat=True
            )
        )
    return kept[listing_id]


@personal_part("reviews/parts/_review_actions.html")
def review_actions(request, page, *, review_id: int, author_id: int, helpful_count: int, listing_id: int) -> dict:
    user = getattr(request, "user", None)
    voted = bool(user and user.is_authenticated) and review_id in _voted_on_listing(request, listing_id)
    review = {"pk": review_id, "author_id": author_id, "helpful_count": helpful_count}
    return {"review": review, "voted": voted}
