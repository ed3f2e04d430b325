"""A real Celery worker delivers the rating outbox: committed outbox row → recomputed rating row."""

import time

import pytest
from django.db import transaction

from reviews import services
from reviews.models import RatingRecompute, SellerRating, SellerRatingHistory

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Outside a test transaction (the worker sees only committed rows); the test deletes what it wrote."""
    with django_db_blocker.unblock():
        yield


def test_real_worker_recomputes_a_seller_from_the_outbox(committed_db, celery_worker_process):
    from sellers.tests.factories import make_seller

    seller = make_seller()
    application, user = seller.application, seller.user
    try:
        with transaction.atomic():
            services.request_recompute(seller_id=seller.pk)  # what every review change writes; the nudge follows commit

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not SellerRating.objects.filter(seller=seller).exists():
            time.sleep(0.3)

        rating = SellerRating.objects.get(seller=seller)
        assert rating.band == "new"
        assert not RatingRecompute.objects.filter(seller=seller, status="pending").exists()
        assert SellerRatingHistory.objects.filter(seller=seller).count() == 1
    finally:
        SellerRatingHistory.objects.filter(seller=seller).delete()
        SellerRating.objects.filter(seller=seller).delete()
        RatingRecompute.objects.filter(seller=seller).delete()
        seller.delete()
        application.delete()
        user.delete()
