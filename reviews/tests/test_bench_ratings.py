"""bench/ratings.py at a tiny size, so the benchmark's generator and timed paths cannot rot unnoticed."""

import pytest
from django.db import connection
from django.db.models import F

from bench import common
from bench import ratings as bench
from orders.models import Incident, Order
from reviews import services
from reviews.models import Band, ListingRating, ProductReview, SellerRating, SellerRatingHistory, SellerReview

pytestmark = pytest.mark.django_db

TINY = bench.Sizes(sellers=20, orders=600, reviews=300, listings_per_seller=4, days=60)


def test_benchmark_generator_fills_a_consistent_marketplace_and_the_nightly_recompute_rates_every_seller():
    with connection.cursor() as cursor:
        bench.fill(cursor, TINY)

    services.recompute_all()

    assert Order.objects.count() == 600
    assert ProductReview.objects.count() + SellerReview.objects.count() == 300
    assert not ProductReview.objects.exclude(seller_id=F("order__seller_id")).exists()
    assert not ProductReview.objects.exclude(listing_id=F("order_line__listing_id")).exists()
    assert Incident.objects.exists()
    assert SellerRating.objects.count() == 20
    assert SellerRatingHistory.objects.count() == 20
    assert SellerRating.objects.filter(band=Band.NEW).count() == 2  # the last tenth of the sellers has no orders
    assert ListingRating.objects.filter(count__gt=0).exists()


def test_benchmark_times_one_seller_through_the_outbox_and_reports_against_the_targets():
    with connection.cursor() as cursor:
        bench.fill(cursor, TINY)
    services.recompute_all()
    sellers = bench.sample_sellers(5)

    timings = bench.time_single(sellers)
    seconds, delivered = bench.time_standards_change()
    markdown = bench.report(
        data=bench.counts(),
        full={"first": 1.0, "again": 0.5, "next": 1.2},
        single=timings,
        biggest=sellers[0][1],
        load=(1.0, 1.5),
        version="PostgreSQL",
        bands={"excellent": 3, "new": 2},
        flagged=1,
        standards=(seconds, delivered),
    )

    assert len(timings) == 5
    assert delivered == 20  # one outbox row per seller
    assert SellerRating.objects.filter(band=Band.GOOD, quality_index__lt=80).count() == 0  # the new good band
    assert sellers[0][1] == max(count for _seller, count in sellers)
    assert "| < 60 s |" in markdown
    assert 'make bench BENCH_ARGS="--only ratings"' in markdown
    assert "excellent 3" in markdown
    assert "a change of the seller standards" in markdown


def test_benchmark_uses_its_own_database_next_to_the_configured_one():
    url = "postgresql://postgres@/marketplace_bench?host=/work/main/.var/pgdata"

    own = common.with_database(url, bench.DB_NAME)

    assert own == "postgresql://postgres@/marketplace_bench_ratings?host=/work/main/.var/pgdata"
    assert common.with_redis_db("redis://127.0.0.1:6390/0", bench.REDIS_DB) == "redis://127.0.0.1:6390/15"


def test_percentile_is_the_nearest_rank():
    values = [float(value) for value in range(1, 101)]

    assert common.percentile(values, 0.95) == 95.0
    assert common.percentile(values, 0.5) == 50.0
    assert common.percentile([7.0], 0.99) == 7.0
    assert common.percentile([], 0.95) == 0.0
