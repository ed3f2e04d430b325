"""Prepared reads by key (marketplace/core/db.py): prepared once per connection, turned off by a setting."""

from __future__ import annotations

from enum import Enum

import pytest
from django.db import connection, models

from catalog.models import Listing, ListingStatus
from catalog.tests.factories import CategoryFactory, make_listing, make_seller
from marketplace.core.db import KeyedQuery, RowShape, prepared_cursor, prepared_rows, with_literals

pytestmark = pytest.mark.django_db

PROBE = "SELECT id, title FROM catalog_listing WHERE id = %s"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _probe(pk: int) -> list:
    with prepared_cursor() as cursor:
        cursor.execute(PROBE, [pk])
        return cursor.fetchall()


def test_a_prepared_read_is_prepared_once_on_the_connection_and_answers_like_a_plain_one():
    before = _prepared_statements()
    assert _probe(-1) == []
    assert _probe(-2) == []
    prepared = [statement for statement in _prepared_statements() if statement not in before]
    assert prepared == ["SELECT id, title FROM catalog_listing WHERE id = $1"]


def test_orm_queries_stay_unprepared_however_often_they_run():
    _probe(-1)  # the connection now has a prepare threshold
    before = _prepared_statements()
    for _ in range(10):
        list(Listing.objects.filter(pk=-1))
    assert _prepared_statements() == before


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(settings):
    settings.DB_PREPARED_STATEMENTS = False
    before = _prepared_statements()
    assert _probe(-1) == []
    assert _prepared_statements() == before


def test_a_prepared_read_is_in_the_query_log_with_its_text(django_assert_num_queries):
    with django_assert_num_queries(1) as queries:
        _probe(-3)
    assert queries.captured_queries[0]["sql"].startswith("SELECT id, title FROM catalog_listing")


def test_a_row_shape_defers_the_columns_it_leaves_out_and_decodes_json():
    shape = RowShape.of(Listing, only=("title", "attributes"))
    assert shape.columns == ("id", "title", "attributes")
    listing = shape.build([7, "Кеды", '{"color": "Чёрный"}'])
    assert (listing.pk, listing.title, listing.attributes) == (7, "Кеды", {"color": "Чёрный"})
    assert listing.get_deferred_fields() >= {"description", "seller_id", "price"}
    assert shape.build_or_none([None, None, None]) is None


def test_a_keyed_query_is_compiled_once_and_answers_for_each_key():
    compiled = []

    def build(key):
        compiled.append(key)
        return Listing.objects.filter(pk=key).values_list("pk")

    query = KeyedQuery(build)
    assert query.rows(-1) == []
    assert query.rows(-2) == []
    assert compiled == [KeyedQuery.STAND_INS[0]]  # built and compiled the first time only
    before = _prepared_statements()
    query.rows(-3)
    assert _prepared_statements() == before  # prepared on its first run on this connection


def test_a_keyed_query_that_ignores_its_key_is_refused():
    query = KeyedQuery(lambda key: Listing.objects.filter(pk=1).values_list("pk"))

    with pytest.raises(ValueError, match="does not use each of its keys"):
        query.rows(5)


def test_a_keyed_query_puts_each_key_in_its_place():
    query = KeyedQuery(lambda first, second: Listing.objects.filter(pk__in=[second, first]).values_list("pk"), keys=2)
    seller, category = make_seller(), CategoryFactory()
    listing_keys = sorted(make_listing(seller, category=category, title=f"Товар {index}").pk for index in range(2))

    assert query.rows(-1, -2) == []
    with pytest.raises(TypeError):
        query.rows(1)
    assert sorted(row[0] for row in query.rows(*listing_keys)) == listing_keys


def test_a_keyed_querys_other_values_are_literals_in_the_prepared_statement():
    seller, category = make_seller(), CategoryFactory()
    sale = make_listing(seller, category=category, title="Скидка 50% на кеды")
    make_listing(seller, category=category, title="Кеды без скидки")
    query = KeyedQuery(
        lambda seller_id: Listing.objects.filter(seller_id=seller_id, title__contains="50%").values_list("pk"), keys=1
    )

    assert query.rows(seller.pk) == [(sale.pk,)]
    assert query.rows(-1) == []
    statement = next(text for text in _prepared_statements() if "catalog_listing" in text and "50" in text)
    assert "$1" in statement  # the key is bound…
    assert "$2" not in statement  # …and nothing else: the planner sees the rest
    assert "LIKE  E'%50" in statement  # the pattern as a literal, its own % escaped


def test_a_keyed_query_runs_unprepared_when_prepared_statements_are_off(settings):
    settings.DB_PREPARED_STATEMENTS = False
    listing = make_listing(make_seller(), category=CategoryFactory(), title="Кеды")
    query = KeyedQuery(lambda key: Listing.objects.filter(pk=key, status=listing.status).values_list("title"))
    before = _prepared_statements()

    assert query.rows(listing.pk) == [("Кеды",)]
    assert _prepared_statements() == before


def test_prepared_rows_write_choices_in_and_bind_every_other_value():
    seller, category = make_seller(), CategoryFactory()
    listing = make_listing(seller, category=category, title="Кеды 50%", price="990")
    sql, params = (
        Listing.objects.filter(
            status=ListingStatus.PUBLISHED, category_id=category.pk, price__lte=1000, title__contains="50%"
        )
        .values_list("pk")
        .query.sql_with_params()
    )

    assert prepared_rows(sql, params) == [(listing.pk,)]
    statement = next(text for text in _prepared_statements() if '"catalog_listing"."price" <=' in text)
    assert "= 'published'" in statement  # a choice: a partial index's condition the planner must see
    assert all(f"${number}" in statement for number in (1, 2, 3))  # category, price, the pattern
    assert "$4" not in statement


def test_prepared_rows_keep_a_percent_sign_in_a_written_in_choice():
    with prepared_cursor() as cursor:
        statement, kept = with_literals("SELECT %s, %s, '100%%'", [Percent.ALL, 7], cursor.connection, keep=bound)

    assert statement == "SELECT '100%%', %s, '100%%'"
    assert kept == [7]


def test_with_literals_refuses_more_parameters_than_placeholders():
    with prepared_cursor() as cursor, pytest.raises(ValueError, match="more parameters"):
        with_literals("SELECT %s", [1, 2], cursor.connection, keep=bound)


def test_prepared_rows_run_unprepared_when_prepared_statements_are_off(settings):
    settings.DB_PREPARED_STATEMENTS = False
    before = _prepared_statements()

    assert prepared_rows("SELECT %s::int + 1", [41]) == [(42,)]
    assert _prepared_statements() == before


class Percent(models.TextChoices):
    ALL = "100%", "Everything"


def bound(value) -> bool:
    return not isinstance(value, Enum)
