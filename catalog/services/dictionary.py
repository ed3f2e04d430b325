"""The search dictionary (SearchTerm): surface words of published titles, brands and categories.

Corrections of typos, keyboard layout and transliteration choose their words from it. It is rebuilt
set-based in SQL (nightly and after bulk loads) and topped up when a listing is approved.
"""

from __future__ import annotations

from django.db import connection, transaction

from catalog.models import Listing, ListingStatus
from catalog.text import words_of

MIN_WORD, MAX_WORD = 2, 40

_REBUILD_SQL = """
WITH words AS (
    SELECT w FROM (
        SELECT regexp_split_to_table(
            translate(lower(l.title || ' ' || coalesce(b.name, '')), 'ё', 'е'), '[^0-9a-zа-я]+'
        ) AS w
        FROM catalog_listing l LEFT JOIN catalog_brand b ON b.id = l.brand_id
        WHERE l.status = %(published)s
        UNION ALL
        SELECT regexp_split_to_table(translate(lower(c.name), 'ё', 'е'), '[^0-9a-zа-я]+')
        FROM catalog_category c WHERE c.is_active
    ) split
    WHERE length(w) BETWEEN %(min)s AND %(max)s AND w !~ '^[0-9]+$'
)
INSERT INTO catalog_searchterm (word, frequency)
SELECT w, count(*) FROM words GROUP BY w
"""


@transaction.atomic
def rebuild() -> int:
    """Recount every word from scratch; returns the dictionary size."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_searchterm")
        cursor.execute(_REBUILD_SQL, {"published": ListingStatus.PUBLISHED, "min": MIN_WORD, "max": MAX_WORD})
        cursor.execute("SELECT count(*) FROM catalog_searchterm")
        return cursor.fetchone()[0]


def add_words(words: list[str]) -> None:
    """Count words once more (a newly approved listing); the nightly rebuild keeps the counts exact."""
    words = sorted({word for word in words if MIN_WORD <= len(word) <= MAX_WORD and not word.isdigit()})
    if not words:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_searchterm (word, frequency) SELECT unnest(%s::text[]), 1 "
            "ON CONFLICT (word) DO UPDATE SET frequency = catalog_searchterm.frequency + 1",
            [words],
        )


def add_listing_words(listing: Listing) -> None:
    brand = listing.brand.name if listing.brand_id else ""
    add_words(words_of(f"{listing.title} {brand}"))


def add_category_words(name: str) -> None:
    add_words(words_of(name))
