"""The demo reviews: photos and replies, one held, one contested, ratings with history; safe to run twice."""

import pytest

from marketplace.devtools.demo import seed_accounts
from orders.demo import seed_orders
from orders.tests.test_demo import _small_catalogue
from reviews.demo import HISTORY_DAYS, seed_reviews
from reviews.models import (
    ContestStatus,
    IncidentAppeal,
    ListingRating,
    ProductReview,
    RatingRecompute,
    ReviewEvent,
    ReviewPhoto,
    ReviewRequest,
    ReviewStatus,
    ReviewVote,
    SellerRating,
    SellerRatingHistory,
    SellerReply,
    SellerReview,
)
from sellers.demo import seed_sellers
from sellers.models import Seller

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = (
        ProductReview, ReviewPhoto, SellerReview, SellerReply, ReviewVote, ReviewEvent, IncidentAppeal,
        ReviewRequest, RatingRecompute, ListingRating, SellerRating, SellerRatingHistory,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_demo_reviews_cover_the_states_and_a_second_run_changes_nothing():
    lines: list[str] = []
    seed_accounts(lines.append)
    seed_sellers(lines.append)
    _small_catalogue()
    seed_orders(lines.append)

    seed_reviews(lines.append)
    first = _counts()
    ratings_before = list(SellerRating.objects.order_by("seller_id").values())
    seed_reviews(lines.append)

    assert _counts() == first
    assert list(SellerRating.objects.order_by("seller_id").values()) == ratings_before
    assert lines[-1] == "reviews: already seeded"
    published = ProductReview.objects.filter(status=ReviewStatus.PUBLISHED)
    assert published.filter(photos__isnull=False).distinct().count() == 3
    assert SellerReply.objects.count() == 3
    held = ProductReview.objects.get(status=ReviewStatus.PENDING)
    assert held.hold_reasons == ["contacts"]
    assert ProductReview.objects.get(contest_status=ContestStatus.OPEN).status == ReviewStatus.PUBLISHED
    assert IncidentAppeal.objects.get().struck_at is None
    assert not RatingRecompute.objects.filter(status="pending").exists()
    main = Seller.objects.get(user__email="seller@marketplace.demo")
    second = Seller.objects.get(user__email="seller2@marketplace.demo")
    for seller in (main, second):
        rating = SellerRating.objects.get(seller=seller)
        assert rating.count > 0
        assert rating.incidents_in_window == (2 if seller == second else 0)
        assert SellerRatingHistory.objects.filter(seller=seller).count() == HISTORY_DAYS + 1
    assert ListingRating.objects.filter(count__gt=0).count() == 4


def test_demo_reviews_are_skipped_with_a_log_line_without_orders():
    lines: list[str] = []
    seed_accounts(lines.append)

    seed_reviews(lines.append)

    assert "seed the orders first" in lines[-1]
    assert not ProductReview.objects.exists()


def test_demo_clothing_asks_review_aspects_and_the_demo_reviews_answer_them():
    from catalog.models import Category
    from reviews.models import ReviewAspect, ReviewAspectAnswer

    lines: list[str] = []
    seed_accounts(lines.append)
    seed_sellers(lines.append)
    _small_catalogue()
    Category.objects.update(name="Одежда и обувь")  # the small catalogue's one category is clothing here
    seed_orders(lines.append)

    seed_reviews(lines.append)

    assert sorted(ReviewAspect.objects.values_list("name", flat=True)) == ["Качество материала", "Размер соответствует"]
    assert ReviewAspectAnswer.objects.filter(aspect__name="Размер соответствует", value=1).exists()
    assert "2 review aspects for clothing and shoes" in lines[-1]
