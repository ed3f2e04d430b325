"""bench/checkout.py in miniature (not timed), so the benchmark cannot rot: the same seeding and the same clients
against a live server on the test database — 5 buyers checking out, then 20 buyers fighting for 3 units."""

import argparse
import urllib.parse

import pytest
from django.conf import settings

from bench import checkout as bench
from bench import common
from orders.models import Order, OrderGroup


def _seller_offer_in_force() -> None:
    """bench/sql/sellers.sql points applications at the seller offer a data migration makes; a reused test
    database that an earlier transactional test flushed no longer has it."""
    from django.utils import timezone

    from marketplace.legal.models import DocumentKind, PlatformTerms

    if not PlatformTerms.objects.filter(kind=DocumentKind.SELLER_OFFER).exists():
        PlatformTerms.objects.create(
            kind=DocumentKind.SELLER_OFFER,
            version="1.0",
            effective_at=timezone.now() - timezone.timedelta(days=1),
            title_ru="Оферта",
            title_en="Offer",
            body_ru="Оферта",
            body_en="Offer",
        )


@pytest.mark.django_db(transaction=True)
def test_checkout_benchmark_places_orders_and_sells_exactly_the_hot_units_without_error_pages(live_server):
    _seller_offer_in_force()
    data = bench.seed(variants=20, sellers=2, categories=40, buyers=5, hot_buyers=20, hot_units=3, stock=1000)
    url = urllib.parse.urlsplit(live_server.url)
    server = {"host": url.hostname, "port": url.port, "seed": data, "session_cookie": settings.SESSION_COOKIE_NAME}

    throughput = bench.run_throughput(**server, duration=0, per_client=2)
    hot = bench.run_hot(**server, csrf_cookie=settings.CSRF_COOKIE_NAME, clients=5)

    assert throughput["orders"] == 10
    assert throughput["tally"].count("place order (POST)", 302) == 10
    assert throughput["tally"].server_errors() == 0
    assert OrderGroup.objects.filter(buyer_id__in=[buyer.user_id for buyer in data.buyers]).count() == 10
    posts = hot["tally"].statuses["place order (POST)"]
    assert (posts[302], posts[200], sum(posts.values())) == (3, 17, 20)  # 3 sold, 17 "out of stock" pages
    outcome = bench.hot_outcome(data)
    assert outcome == {"units": 3, "orders": 3, "buyers": 3, "on_hand": 3, "allocated": 3}
    assert hot["lowest_available"] == 0
    assert Order.objects.filter(lines__variant_id=data.hot_variant_id).count() == 3
    args = argparse.Namespace(clients=5, workers=1, hot_units=3)
    markdown = bench.report(
        args=args,
        seed=data,
        throughput=throughput,
        hot=hot,
        outcome=outcome,
        load=(0.0, 0.0, 0.0, 0.0),
        pg="PostgreSQL",
    )
    assert "as required (3 sold, stock never below zero, no error pages)" in markdown


def test_checkout_benchmark_uses_its_own_database_next_to_the_configured_one():
    url = "postgresql://postgres@/marketplace_bench?host=/work/main/.var/pgdata"

    own = common.with_database(url, bench.DB_NAME)

    assert own == "postgresql://postgres@/marketplace_checkout_bench?host=/work/main/.var/pgdata"
    assert common.with_redis_db("redis://127.0.0.1:6379/0", bench.REDIS_DB) == "redis://127.0.0.1:6379/14"


def test_checkout_benchmark_reads_the_form_a_browser_would_submit():
    html = (
        '<input type="hidden" name="csrfmiddlewaretoken" value="tok">'
        '<input type="hidden" name="checkout_key" value="8c1d5a9e-0000-4000-8000-000000000001" id="id_checkout_key">'
        '<input type="radio" name="address" value="7" id="a1"><input type="radio" name="address" value="9" checked>'
        '<input class="form-check-input" type="radio" name="delivery_3" id="delivery-4" value="4" checked required>'
        '<input class="form-check-input" type="radio" name="delivery_3" id="delivery-5" value="5" required>'
    )

    assert bench.checkout_form(html) == {
        "csrfmiddlewaretoken": "tok",
        "checkout_key": "8c1d5a9e-0000-4000-8000-000000000001",
        "address": "9",
        "delivery_3": "4",
    }
    assert bench.checkout_form("<p>Your cart is empty.</p>") is None
