"""Reads of listings: buyers' browse and search with facets, the listing page, the seller cabinet, moderation."""

from __future__ import annotations

import json
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Least
from django.http import QueryDict

from catalog.filters import (
    DISPATCH_VALUES,
    RELEVANCE,
    ListingFilter,
    attribute_param,
    choice_condition,
    order_by,
    sort_choices,
)
from catalog.models import (
    NEEDS_RESTOCK,
    Attribute,
    AttributeType,
    Brand,
    Listing,
    ListingPhoto,
    ListingQuestion,
    ListingReport,
    ListingRevision,
    ListingStatus,
    QAStatus,
    ReportStatus,
    RevisionStatus,
    Variant,
    listing_url,
)
from catalog.selectors.categories import CategoryNode, attribute_schema, category_tree
from catalog.selectors.search import (
    SearchPlan,
    apply_search,
    compiled_once,
    kept_plan,
    plan_search,
    rank,
    seller_weights,
    tsquery_text,
)
from marketplace.core.db import RowShape, prepared_cursor, prepared_rows
from sellers.models import Seller, Storefront

# What the seller cabinet's listing table leaves out (the vector and the description are the big ones).
CABINET_DEFERRED = ("search_vector", "description", "attributes", "package_contents", "moderation_flags")
# Exactly the columns a listing card shows (catalog_tags.listing_card): loading whole listings, sellers and
# photos for a grid of 24 costs more than the query itself.
CARD_FIELDS = (
    "slug",
    "title",
    "price",
    "old_price",
    "discount_percent",
    "in_stock",
    "rating_avg",
    "rating_count",
    "handling_days",
    "seller__storefront__name",
    "cover_photo__image",
    "cover_photo__grid",
    "cover_photo__alt",
)
BRAND_FACET_LIMIT = 30
SELLER_FACET_SIZE = 8  # seller chips a search shows
SEARCH_WINDOW = 500  # relevance ranks at most this many matches (the most popular ones)


def card_queryset(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    """What a listing card renders, in one query: seller's storefront and the cover photo."""
    return queryset.select_related("seller__storefront", "cover_photo").only(*CARD_FIELDS)


@dataclass(frozen=True, slots=True)
class Card:
    """What a listing card shows (catalog_tags.listing_card), and nothing else: a plain value.

    Being hashable, it is its own key in the card HTML cache; a changed price, stock or photo is another card.
    """

    pk: int
    slug: str
    title: str
    price: Decimal
    old_price: Decimal | None
    discount_percent: int
    in_stock: bool
    rating_avg: Decimal
    rating_count: int
    handling_days: int
    seller_id: int
    seller_name: str  # the storefront's name ("" before the seller has one)
    photo: str  # the cover's grid thumbnail, else its original ("" without a cover)
    photo_alt: str

    @classmethod
    def of(cls, listing: Listing) -> Card:
        """The card of a Listing fetched with card_queryset (no query here)."""
        cover = listing.cover_photo if listing.cover_photo_id else None
        storefront = getattr(listing.seller, "storefront", None)
        return cls(
            pk=listing.pk,
            slug=listing.slug,
            title=listing.title,
            price=listing.price,
            old_price=listing.old_price,
            discount_percent=listing.discount_percent,
            in_stock=listing.in_stock,
            rating_avg=listing.rating_avg,
            rating_count=listing.rating_count,
            handling_days=listing.handling_days,
            seller_id=listing.seller_id,
            seller_name=storefront.name if storefront else "",
            photo=(cover.grid.name or cover.image.name) if cover else "",
            photo_alt=cover.alt if cover else "",
        )

    def get_absolute_url(self) -> str:
        return listing_url(self.pk, self.slug)

    @property
    def photo_url(self) -> str:
        return stored_file_url(ListingPhoto._meta.get_field("grid").storage, self.photo) if self.photo else ""


# A stored file's name as our uploads make them: path segments of letters, digits, "_", "-" and "." (none starting
# with a dot), each of which URL quoting leaves as it is.
_PLAIN_FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def stored_file_url(storage, name: str) -> str:
    """`storage.url(name)`. For the file system storage and a plain name, its base URL (which always ends with a
    slash) and the name joined by hand, which is what quoting and urljoin give: they cost 20 µs a card, a
    tenth of a grid of new cards. Any other storage or name goes to the storage."""
    if storage.__class__.url is FileSystemStorage.url and _PLAIN_FILE_NAME.fullmatch(name):
        return storage.base_url + name
    return storage.url(name)


# One statement for a page of cards, in the order of Card's fields: the ORM compiled the same three-table join and
# built four model instances per card on every page, which took longer than running it.
CARDS_SQL = (
    "SELECT l.id, l.slug, l.title, l.price, l.old_price, l.discount_percent, l.in_stock, l.rating_avg, "
    "l.rating_count, l.handling_days, l.seller_id, COALESCE(s.name, ''), COALESCE(NULLIF(p.grid, ''), p.image, ''), "
    "COALESCE(p.alt, '') "
    "FROM catalog_listing l "
    "LEFT JOIN sellers_storefront s ON s.seller_id = l.seller_id "
    "LEFT JOIN catalog_listingphoto p ON p.id = l.cover_photo_id "
    "WHERE l.id = ANY(%s)"
)


def cards_in_order(keys: list[int]) -> list[Card]:
    """The cards of these listings, in the order given (one query; keys no longer there are skipped)."""
    if not keys:
        return []
    with prepared_cursor() as cursor:  # parsed and planned once per connection
        cursor.execute(CARDS_SQL, [list(keys)])
        found = {row[0]: Card(*row) for row in cursor.fetchall()}
    return [found[key] for key in keys if key in found]


@cache
def _published() -> QuerySet[Listing]:
    return Listing.objects.published()  # never evaluated itself: only its clones are


def public_listings() -> QuerySet[Listing]:
    """What buyers may see (Listing.objects.published()). Built once per process and cloned: building its filter
    and anti-join subquery took half a millisecond on every page."""
    return _published().all()


def seller_categories(seller_id: int, *, limit: int = 50) -> list[tuple[CategoryNode, int]]:
    """The categories a seller has products on sale in, most products first: a storefront's category choice."""
    tree = category_tree()
    rows = (
        public_listings()
        .filter(seller_id=seller_id)
        .order_by()
        .values_list("category_id")
        .annotate(count=Count("id"))
        .order_by("-count", "category_id")
    )
    return [
        (tree.by_id[pk], count) for pk, count in rows[:limit] if pk in tree.by_id and tree.is_visible(tree.by_id[pk])
    ]


@dataclass
class Facet:
    code: str
    param: str
    name: str
    values: list[tuple[str, str, int | None, bool]] = field(default_factory=list)  # value, label, count, selected


@dataclass
class BrowseResult:
    listings: list[Card]
    total: int
    total_is_exact: bool
    page: int
    pages: int
    filterset: ListingFilter
    facets: list[Facet]
    brand_facet: Facet | None
    category_facet: list[tuple[CategoryNode, int]]
    sort: str
    plan: SearchPlan | None
    # a search's sellers with their counts (exact totals only), or the one seller it is narrowed to
    seller_facet: list[tuple[str, str, int]] = field(default_factory=list)
    chosen_seller: tuple[str, str] | None = None
    main_category_id: int | None = None  # of a relevance-ordered page: the category most of its listings are in

    @property
    def sort_choices(self) -> list[tuple[str, str]]:
        """The sorts a page offers: a search's results by relevance too."""
        return sort_choices(with_relevance=self.plan is not None)

    @property
    def shown_sort(self) -> str:
        """The sort the page is in: the one asked for, else relevance for a search and popularity otherwise."""
        return self.sort or (RELEVANCE if self.plan is not None else "popular")


def _page_number(params: QueryDict) -> int:
    try:
        return max(1, min(int(params.get("page", "1")), 10_000))
    except (TypeError, ValueError):
        return 1


def _capped_count(queryset: QuerySet, limit: int) -> tuple[int, bool]:
    count = queryset.order_by()[: limit + 1].count()
    return min(count, limit), count <= limit


@dataclass
class FacetScan:
    """What one pass over the candidate rows gives: value counts per facet, brand counts and the total."""

    values: dict[str, dict[str, int]]
    brands: list[tuple[str, str, int]]  # slug, name, count
    total: int | None  # rows matching every filter; None when the pass stopped at its row limit
    keys: list[int] | None = None  # the asked-for page's keys in order; None when the pass could not give them
    seen: int = 0  # rows matching every filter among those the pass read (all of them when total is not None)
    categories: list[tuple[int, int]] = field(default_factory=list)  # (category id, rows matching every filter)
    # the sellers with the most rows matching every filter (slug, name, count), ties at the cut included
    sellers: list[tuple[str, str, int]] = field(default_factory=list)


def _facet_scan(
    candidates: QuerySet[Listing],
    *,
    codes: list[str],
    multi: frozenset[str] = frozenset(),
    disjunctive: dict[str, Q],
    limit: int,
    order: list[str] | None = None,
    window: tuple[int, int] = (0, 0),
    by_category: bool = False,
    prepared: bool = False,
    compiled_as: tuple[tuple, str] | None = None,
) -> FacetScan:
    """Facet counts in one pass over the rows that match every filter but the facet filters ("disjunctive" facets).

    `codes` are the facets' attribute codes (`multi`: those holding lists). `disjunctive` maps an attribute code
    (or "#brand") to its active condition. A facet's own condition is left
    out of its counts, so a buyer who ticked "black" still sees how many white ones there are; every other
    condition applies. Rows that fail two or more facet conditions count nowhere and are skipped first.

    With `order` (field names, "-" for descending, as in SORTS) the same pass also gives one page of keys:
    `window` is (offset, size) among the rows matching every filter. Reading them here saves a second pass
    over the same rows; when the pass stops at its row limit the keys are None and the caller reads them.
    With `by_category` it also counts the rows matching every filter per category (a search's "found in
    categories"), most first, and per seller (a search's seller chips: only the SELLER_FACET_SIZE + 1 most
    frequent, ties included, are joined for their storefronts). `prepared` runs the pass as a prepared
    statement (prepared_rows): only for candidates whose best plan does not depend on the values (a category's,
    not a search's). `compiled_as` (a key and the search's tsquery text) has the candidates compiled once per
    process (search.compiled_once).
    """
    names = list(disjunctive)
    flags = {
        f"_d{index}": ExpressionWrapper(disjunctive[name], output_field=BooleanField())
        for index, name in enumerate(names)
    }
    sort_fields = [name.lstrip("-") for name in order or []]
    columns = list(
        dict.fromkeys(
            [
                "attributes",
                "brand_id",
                *(["id", *sort_fields] if order else []),
                *(["category_id", "seller_id"] if by_category else []),
            ]
        )
    )
    key, text = compiled_as if compiled_as is not None else (None, "")
    try:
        sql, params = compiled_once(
            key and (*key, tuple(columns)),
            text,
            lambda: candidates.order_by().annotate(**flags).values(*columns, *flags).query.sql_with_params(),
        )
    except EmptyResultSet:  # e.g. a search with no usable words: nothing to count
        return FacetScan(values={}, brands=[], total=0)
    flag_of = {name: f"rows._d{index}" for index, name in enumerate(names)}
    every = " AND ".join(flag_of.values()) or "TRUE"
    keep = (
        f"WHERE ({' + '.join(f'coalesce(candidates._d{index}, false)::int' for index in range(len(names)))}) "
        f">= {len(names) - 1}"
        if len(names) > 1
        else ""
    )
    # One branch per facet: a row counts for a facet when it passes every facet condition but that facet's own.
    # A single-choice value is read as text straight from the row; only multi-choice values are unnested.
    branches, branch_params = [], []
    for code in codes:
        others = " AND ".join(flag for name, flag in flag_of.items() if name != code) or "TRUE"
        if code in multi:
            branches.append(
                "SELECT 'a', %s, v.value, count(*) FROM rows CROSS JOIN LATERAL jsonb_array_elements_text("  # noqa: S608 - internal flag names; values are parameters
                "CASE jsonb_typeof(rows.attributes -> %s) WHEN 'array' THEN rows.attributes -> %s "
                "ELSE jsonb_build_array(rows.attributes -> %s) END) AS v(value) "
                f"WHERE rows.attributes ? %s AND {others} GROUP BY 3"
            )
            branch_params += [code] * 5
        else:
            branches.append(
                "SELECT 'a', %s, rows.attributes ->> %s, count(*) FROM rows "  # noqa: S608 - internal flag names; values are parameters
                f"WHERE rows.attributes ->> %s IS NOT NULL AND {others} GROUP BY 3"
            )
            branch_params += [code] * 3
    brand_where = " AND ".join(flag for name, flag in flag_of.items() if name != "#brand") or "TRUE"
    row_limit = limit * (len(names) + 1) + 1  # one more: a pass that stops can prove "more than `limit`"
    query = (
        f"WITH rows AS MATERIALIZED (SELECT * FROM ({sql}) AS candidates {keep} LIMIT %s) "  # noqa: S608 - compiled ORM SQL; values are parameters
        + "".join(f"{branch} UNION ALL " for branch in branches)
        # Brands are counted by key and only the most frequent (ties at the cut included: the cut is by name) are
        # joined for their names: joining before counting hashed the whole brand table on every page.
        + "SELECT 'b', b.slug, b.name, top.n FROM (SELECT rows.brand_id, count(*) AS n FROM rows "  # noqa: S608 - internal flag names
        f"WHERE {brand_where} AND rows.brand_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC "
        "FETCH FIRST %s ROWS WITH TIES) AS top JOIN catalog_brand b ON b.id = top.brand_id "
        f"UNION ALL SELECT 't', NULL, NULL, count(*) FILTER (WHERE {every}) FROM rows "
        "UNION ALL SELECT 'n', NULL, NULL, count(*) FROM rows"
    )
    seller_params: list[int] = []
    if by_category:
        query += (
            f" UNION ALL SELECT 'c', NULL, rows.category_id::text, count(*) FROM rows WHERE {every} GROUP BY 3"  # noqa: S608 - internal flag names
            " UNION ALL SELECT 's', st.slug, st.name, top.n FROM (SELECT rows.seller_id, count(*) AS n FROM rows "
            f"WHERE {every} GROUP BY 1 ORDER BY 2 DESC FETCH FIRST %s ROWS WITH TIES) AS top "
            "JOIN sellers_storefront st ON st.seller_id = top.seller_id"
        )
        seller_params = [SELLER_FACET_SIZE + 1]
    key_params: list[int] = []
    if order:
        # the page's keys, numbered in order: a UNION's rows come in no particular order
        if not set(sort_fields) <= {field.attname for field in Listing._meta.concrete_fields}:
            raise ValueError(f"not a listing column: {order}")  # SORTS names columns; nothing else gets here
        sorting = ", ".join(f'rows."{name.lstrip("-")}" {"DESC" if name.startswith("-") else "ASC"}' for name in order)
        query += (
            " UNION ALL SELECT 'k', NULL, page.id::text, page.n FROM (SELECT rows.id, "  # noqa: S608 - column names checked above
            f"row_number() OVER (ORDER BY {sorting}) AS n FROM rows "
            # a pass stopped at its row limit gives no keys: the one-time filter skips the sort
            f"WHERE {every} AND (SELECT count(*) FROM rows) < %s ORDER BY {sorting} LIMIT %s OFFSET %s) AS page"
        )
        key_params = [row_limit, window[1], window[0]]
    values: dict[str, dict[str, int]] = {}
    brands: list[tuple[str, str, int]] = []
    page: list[tuple[int, int]] = []
    categories: list[tuple[int, int]] = []
    sellers: list[tuple[str, str, int]] = []
    total = scanned = 0
    all_params = [*params, row_limit, *branch_params, BRAND_FACET_LIMIT, *seller_params, *key_params]
    if prepared:
        found = prepared_rows(query, all_params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(query, all_params)
            found = cursor.fetchall()
    for kind, key, value, count in found:
        if kind == "a":
            values.setdefault(key, {})[value] = count
        elif kind == "b":
            brands.append((key, value, count))
        elif kind == "t":
            total = count
        elif kind == "k":
            page.append((count, int(value)))
        elif kind == "c":
            categories.append((int(value), count))
        elif kind == "s":
            sellers.append((key, value, count))
        else:
            scanned = count
    brands.sort(key=lambda brand: (-brand[2], brand[1]))
    complete = scanned < row_limit
    return FacetScan(
        values=values,
        brands=brands[:BRAND_FACET_LIMIT],
        total=total if complete else None,
        keys=[key for _, key in sorted(page)] if order and complete else None,
        seen=total,
        categories=sorted(categories, key=lambda row: (-row[1], row[0])),
        sellers=sorted(sellers, key=lambda row: (-row[2], row[1]))[: SELLER_FACET_SIZE + 1],
    )


# Where the window's keys go in the outer query that ranks them (popular_matches): compiled once around this.
WINDOW_KEYS = "/* window keys */"
_PLACEHOLDER = re.compile(r"%%|%s")

# A search's window comes from the listings above the popularity floor (the POPULARITY_WALK most popular) when
# that holds enough of its matches; a search with more than MANY_MATCHES (planner's estimate) walks them in
# order instead of intersecting index bitmaps (see popular_matches).
POPULARITY_WALK = 50_000
MANY_MATCHES = 100_000
# Below this estimate the matches are read at once: a look above the floor costs a range of the popularity index
# (~4 ms whatever the word) and would rarely fill the window, so it was paid and then the full read on top.
FEW_MATCHES = 2_000
SERIAL_MATCHES = 10_000  # a search reading all of more matches than this does it in one process (no parallel scan)
POPULARITY_FLOOR_SECONDS = 300
_floor_cache: dict[str, object] = {"at": -1e9, "floor": None}


def _popularity_floor() -> int | None:
    """orders_30d of the POPULARITY_WALK-th most popular published listing (None in a smaller catalogue).

    Kept in each process for a few minutes: it only bounds how far a search walks, never what it finds.
    """
    now = time.monotonic()
    if now - _floor_cache["at"] > POPULARITY_FLOOR_SECONDS:  # type: ignore[operator]
        rows = Listing.objects.filter(status=ListingStatus.PUBLISHED).order_by("-orders_30d", "-id")
        floor = rows.values_list("orders_30d", flat=True)[POPULARITY_WALK : POPULARITY_WALK + 1].first()
        _floor_cache.update(at=now, floor=floor)
    return _floor_cache["floor"]  # type: ignore[return-value]


ESTIMATES_KEPT = 2000
_estimate_cache: OrderedDict[tuple, _Estimate] = OrderedDict()


@dataclass
class _Estimate:
    at: float
    rows: int  # the planner's estimate of the statement's rows
    short: set[int] = field(default_factory=set)  # windows the look above the popularity floor did not fill


def _estimated(sql: str, params) -> _Estimate:
    """The planner's estimate of how many rows the compiled statement `sql` gives (planning only, nothing is read).

    Kept in each process for POPULARITY_FLOOR_SECONDS per statement, with the windows whose look above the floor
    came up short (a word of new listings without orders: the next search goes straight to the full read). Like
    the floor, both only choose how a search reads its matches, never what it finds.
    """
    key = (sql, repr(params))  # parameters may be lists (unhashable)
    now = time.monotonic()
    kept = _estimate_cache.get(key)
    if kept is not None and now - kept.at <= POPULARITY_FLOOR_SECONDS:
        _estimate_cache.move_to_end(key)
        return kept
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    kept = _estimate_cache[key] = _Estimate(at=now, rows=int(plan[0]["Plan"]["Plan Rows"]))
    if len(_estimate_cache) > ESTIMATES_KEPT:
        _estimate_cache.popitem(last=False)
    return kept


def _rows_with_setting(sql: str, params: list, setting: tuple[str, str] | None) -> list[tuple]:
    """The rows of `sql`; with `setting` (a planner setting's name and value) planned under it alone.

    One round trip: the setting is made local, the statement runs, the setting is put back (in the implicit
    transaction of a multi-statement query it would lapse by itself; inside a transaction it must be put back).
    Before, the same took five (BEGIN, set, read, set back, COMMIT). Several statements in one execute need
    psycopg's client-side binding, Django's default for PostgreSQL (the `server_side_binding` option turns it off).
    """
    with connection.cursor() as cursor:
        if setting is None:
            cursor.execute(sql, params)
            return cursor.fetchall()
        name, value = setting
        cursor.execute(
            "SELECT set_config('marketplace.kept_setting', current_setting(%s), true), set_config(%s, %s, true); "
            f"{sql}; "
            "SELECT set_config(%s, current_setting('marketplace.kept_setting'), true)",
            [name, name, value, *params, name],
        )
        cursor.nextset()
        return cursor.fetchall()


def popular_matches(
    matches: QuerySet[Listing],
    limit: int,
    *,
    fields: tuple[str, ...] = (),
    annotate: Callable[[QuerySet[Listing]], QuerySet[Listing]] | None = None,
    compiled_as: tuple[tuple, str] | None = None,
) -> list:
    """Keys of the `limit` most popular listings in `matches` (by orders in 30 days, then newest key); with
    `fields` (columns and annotations of `matches`, or those `annotate` adds), a tuple of those values for each
    instead. `annotate`'s expressions are worked out for the window's rows only, so an expensive one such as the
    text rank costs `limit` rows rather than every match (41 666 of them for "мужские": 30 of 84 ms).

    Left to itself, PostgreSQL walks the popularity index and tests every row against the search: quick when
    matches are spread over the order, a read of the whole table when they all sit at its tail (a word used
    only in new listings without orders: 1.5 s at a million listings). So the search first looks only above
    the popularity floor: the planner intersects the full-text and popularity index bitmaps, or, for a word
    with very many matches, walks the popularity index in order (it stops at `limit` hits, ~3 ms for
    "кроссовки" where the intersection costs ~30 ms). Only if that does not fill the window are all matches
    read through the full-text index and sorted (and for a few minutes the process skips the look for that
    statement: a word found only in listings without orders paid for it on every search). A word the planner
    expects in fewer than FEW_MATCHES listings (a model number, a rare word) is read that way at once: the look
    above the floor would cost more than reading them all (4.4 against 1.8 ms for a 40-match word at a million
    listings) and would rarely fill the window.
    Every way gives exactly the same keys; only the cost differs.

    `matches` (with `annotate`'s expressions) is compiled once; the estimate and each read wrap that statement
    (compiling the search's filters took about as long as running them, and was done twice for a walk). A
    statement that reads only the keys leaves the expressions out: PostgreSQL works out no column nobody reads.
    `compiled_as` (a key and the search's tsquery text) has it compiled once per process (search.compiled_once).
    """
    shown = fields or ("pk",)

    def compile_rows() -> tuple[str, tuple]:
        rows = annotate(matches) if annotate is not None else matches
        return rows.order_by().values(*dict.fromkeys(("pk", "orders_30d", *shown))).query.sql_with_params()

    key, text = compiled_as if compiled_as is not None else (None, "")
    try:
        sql, params = compiled_once(key and (*key, shown), text, compile_rows)
    except EmptyResultSet:
        return []
    columns = ", ".join(f"m.{connection.ops.quote_name(name)}" for name in shown)

    def read(tail: str, tail_params: list, setting: tuple[str, str] | None = None, *, inline: bool = False) -> list:
        """The window: the rows of `sql` (as m) that `tail` (WHERE, ORDER BY, LIMIT) picks.

        `annotate`'s expressions are worked out in the same statement when the read stops after `limit` hits
        (a walk in order projects only those), else in an outer query over the window's keys.
        """
        if annotate is None or inline:
            statement, statement_params = f"SELECT {columns} FROM ({sql}) m {tail}", [*params, *tail_params]  # noqa: S608 - compiled ORM SQL; values are parameters
        else:
            # the outer query is compiled around a marker where the window's keys go (once per process with
            # compiled_as), then the keys' statement is put in its place
            def compile_outer() -> tuple[str, tuple]:
                marked = RawSQL(WINDOW_KEYS, [])  # noqa: S611 - a constant marker, replaced below
                window = annotate(Listing.objects.all()).filter(pk__in=marked).order_by("-orders_30d", "-id")
                return window.values_list(*shown).query.sql_with_params()

            frame, frame_params = compiled_once(key and (*key, shown, "outer"), text, compile_outer)
            head, rest = frame.split(WINDOW_KEYS)
            split = sum(1 for found in _PLACEHOLDER.finditer(head) if found.group() == "%s")
            statement = f"{head}SELECT m.pk FROM ({sql}) m {tail}{rest}"  # noqa: S608 - compiled ORM SQL; values are parameters
            statement_params = [*frame_params[:split], *params, *tail_params, *frame_params[split:]]
        found = _rows_with_setting(statement, list(statement_params), setting)
        return [tuple(row) for row in found] if fields else [row[0] for row in found]

    floor = _popularity_floor()
    estimate = None
    if floor is not None:
        kept = _estimated(sql, params)
        estimate = kept.rows
        if estimate >= FEW_MATCHES and limit not in kept.short:
            walk = (
                estimate >= MANY_MATCHES
            )  # very many matches: walk the popularity index rather than intersect bitmaps
            found = read(
                "WHERE m.orders_30d > %s ORDER BY m.orders_30d DESC, m.pk DESC LIMIT %s",
                [floor, limit],
                ("enable_bitmapscan", "off") if walk else None,
                inline=walk,
            )
            if len(found) == limit:
                return found
            kept.short.add(limit)  # a word of new listings: the next search skips this look (~8 ms)
    # "+ 0" keeps the popularity index out of the order: the matches come from the full-text index. Past
    # SERIAL_MATCHES PostgreSQL would read them with two helper processes, finishing sooner on an idle server but
    # at half as much CPU again (101 against 66-75 ms for a 41 000-match word at a million listings), which a
    # busy web server pays for in every other request: one process reads them.
    return read(
        "ORDER BY m.orders_30d + 0 DESC, m.pk DESC LIMIT %s",
        [limit],
        ("max_parallel_workers_per_gather", "0") if estimate is not None and estimate >= SERIAL_MATCHES else None,
    )


def _relevance_window(
    filtered: QuerySet[Listing], plan, *, plain: bool = False
) -> tuple[list[int], int, bool, dict[int, int]]:
    """The keys of the matches in relevance order (at most SEARCH_WINDOW), their capped count, whether it is
    exact, and each key's category. The window gives the candidates, each with its relevance (see
    popular_matches), which the seller's standing then weighs (seller_weights). `plain`: a full-text search of
    the whole catalogue without filters, whose statement is compiled once (search.compiled_once)."""
    window = popular_matches(
        filtered,
        SEARCH_WINDOW + 1,
        fields=("pk", "orders_30d", "relevance", "seller_id", "category_id"),
        annotate=lambda rows: rank(rows, plan),
        compiled_as=(("window",), tsquery_text(plan.tokens)) if plain else None,
    )
    weights = seller_weights()
    # relevance × the seller's weight (missing relevance last), then orders_30d, then key, all descending
    rows = sorted(
        window[:SEARCH_WINDOW],
        key=lambda row: (row[2] is None, -(row[2] or 0.0) * weights.get(row[3], 1.0), -row[1], -row[0]),
    )
    categories = {row[0]: row[4] for row in rows}
    return [row[0] for row in rows], min(len(window), SEARCH_WINDOW), len(window) <= SEARCH_WINDOW, categories


def search_ranking(query: str) -> list[int]:
    """The listings a search of the whole catalogue shows for `query`, in its order (at most SEARCH_WINDOW)."""
    base = public_listings()
    plan = plan_search(query, base)
    if not plan.tokens:
        return []
    return _relevance_window(apply_search(base, plan), plan)[0]


def browse(
    *,
    params: QueryDict,
    category: CategoryNode | None = None,
    query: object = None,
    base: QuerySet[Listing] | None = None,
) -> BrowseResult:
    """One page of listings for a category page, a search or a storefront, with facets and a capped total.

    Query count depends on how many attribute filters are active, never on page size or data size.
    """
    tree = category_tree()
    default_base = base is None
    base = base if base is not None else public_listings()
    schema: list[Attribute] = []
    if category is not None:
        base = base.filter(category_id__in=tree.subtree_ids(category))
        schema = attribute_schema(category.id)
    plan = None
    searching = query is not None
    if searching:
        # the plan of a search in the whole public catalogue or one category is kept a minute (kept_plan)
        plan = (
            kept_plan(query, base, scope=category.id if category else None, plain=category is None)
            if default_base
            else plan_search(query, base)
        )
        base = apply_search(base, plan)
    # Two plain narrowings (spec 32), after the search plan (kept per scope, so it must not see them).
    dispatch = params.get("dispatch", "")
    if dispatch in DISPATCH_VALUES:
        base = base.filter(handling_days__lte=int(dispatch))
    chosen_seller = str(params.get("seller", ""))[:80]
    if chosen_seller:
        base = base.filter(seller__storefront__slug=chosen_seller)
    wanted_brands = params.getlist("brand")[:50]
    brand_choices = (
        list(Brand.objects.filter(slug__in=wanted_brands).values_list("slug", "name")) if wanted_brands else []
    )
    filterset = ListingFilter(params, queryset=base, attributes=schema, brands=brand_choices)
    valid = filterset.is_valid()
    filtered = filterset.qs if valid else base
    sort = params.get("sort", "")
    by_relevance = searching and sort in ("", RELEVANCE)

    # Facets: every filter applies to the counts except a facet's own ("disjunctive" facets), in one pass.
    filterable = [attribute for attribute in schema if attribute.is_filterable and attribute.is_choice]
    cleaned = filterset.form.cleaned_data if valid else {}
    disjunctive: dict[str, Q] = {}
    for attribute in filterable:
        chosen_values = cleaned.get(attribute_param(attribute))
        if chosen_values:
            disjunctive[attribute.code] = choice_condition(attribute, chosen_values)
    if cleaned.get("brand"):
        disjunctive["#brand"] = Q(brand__slug__in=cleaned["brand"])
    candidates = base
    if valid and disjunctive:
        left_out = [attribute_param(attribute) for attribute in filterable if attribute.code in disjunctive]
        candidates = filterset.queryset_without({*left_out, "brand"})
    elif valid:
        candidates = filtered
    limit = settings.MARKETPLACE_CATALOG_COUNT_LIMIT
    codes = [attribute.code for attribute in filterable]
    # A full-text search of the whole catalogue without filters (the header's search box): its statements differ
    # only by the query text, so each is compiled once per process (search.compiled_once).
    plain = (
        plan is not None
        and plan.mode == "fts"
        and default_base
        and category is None
        and dispatch not in DISPATCH_VALUES
        and not chosen_seller
        and valid
        and not any(cleaned.values())
    )
    text = tsquery_text(plan.tokens) if plain else ""

    # Ranking every match of a common word would read them all: relevance orders the most popular matches.
    if by_relevance:
        ranked, total, exact, category_of = _relevance_window(filtered, plan, plain=plain)
    # Brand counts are only shown for exact totals: a search for a common word needs no pass at all.
    needs_scan = bool(codes) or not by_relevance or exact
    page_size = settings.MARKETPLACE_CATALOG_PAGE_SIZE
    asked_page = _page_number(params)
    ordering = order_by(sort, searching=searching)
    scan = (
        _facet_scan(
            candidates,
            codes=codes,
            multi=frozenset(attribute.code for attribute in filterable if attribute.type == AttributeType.MULTI_CHOICE),
            disjunctive=disjunctive,
            limit=limit,
            # the same pass gives the page's keys when the order is plain columns (every sort but relevance)
            order=None if by_relevance else ordering,
            window=((asked_page - 1) * page_size, page_size),
            by_category=searching,
            # a category page's pass is planned once per connection and shape; a search's plan depends on its
            # words, and another base (a seller's listings) was never measured with a generic plan
            prepared=category is not None and not searching and default_base,
            compiled_as=(("facets",), text) if plain else None,
        )
        if needs_scan
        else FacetScan(values={}, brands=[], total=None)
    )
    if not by_relevance:
        if scan.total is not None:
            total, exact = min(scan.total, limit), scan.total <= limit
        elif scan.seen > limit:  # the pass stopped, but had already seen more matches than are ever counted
            total, exact = limit, False
        else:
            total, exact = _capped_count(filtered, limit)
    pages = max(1, -(-total // page_size))
    page = min(asked_page, pages)
    main_category = None
    if by_relevance:
        keys = ranked[(page - 1) * page_size : page * page_size]
        # the category most of the page is in (where a broad query leads: search_log), ties to the first made
        counted = Counter(category_of[key] for key in keys)
        main_category = min(counted, key=lambda pk: (-counted[pk], pk)) if counted else None
    elif scan.keys is not None and page == asked_page:
        keys = scan.keys
    else:
        # The page's keys come from a narrow ordered query; only those rows are joined for their cards (joining
        # seller, storefront and cover photo before the sort would do it for every candidate).
        keys = list(
            filtered.order_by(*ordering).values_list("pk", flat=True)[(page - 1) * page_size : page * page_size]
        )
    listings = cards_in_order(keys)

    facets: list[Facet] = []
    selected_params = {name: params.getlist(name) for name in params}
    for attribute in filterable:
        param = attribute_param(attribute)
        values = scan.values.get(attribute.code, {})
        chosen = set(selected_params.get(param, []))
        facet = Facet(code=attribute.code, param=param, name=attribute.name)
        for option in attribute.options:
            if option in values or option in chosen:
                facet.values.append((option, option, values.get(option, 0) if exact else None, option in chosen))
        if facet.values:
            facets.append(facet)

    brand_facet = None
    brand_rows = scan.brands if exact else []
    chosen_brands = set(params.getlist("brand"))
    if brand_rows or chosen_brands:
        brand_facet = Facet(code="brand", param="brand", name="brand")
        listed = set()
        for slug, name, count in brand_rows:
            listed.add(slug)
            brand_facet.values.append((slug, name, count, slug in chosen_brands))
        for slug, name in brand_choices:
            if slug not in listed:
                brand_facet.values.append((slug, name, 0 if exact else None, True))

    category_facet: list[tuple[CategoryNode, int]] = []
    if searching and exact and total:
        if scan.total is not None:  # the scan read every candidate: its counts are exact
            counted = scan.categories
        else:
            rows = (
                filtered.order_by()
                .values_list("category_id")
                .annotate(count=Count("id"))
                .order_by("-count", "category_id")
            )
            counted = list(rows[:8])
        category_facet = [(tree.by_id[pk], count) for pk, count in counted if pk in tree.by_id][:8]

    return BrowseResult(
        listings=listings,
        total=total,
        total_is_exact=exact,
        page=page,
        pages=pages,
        filterset=filterset,
        facets=facets,
        brand_facet=brand_facet,
        category_facet=category_facet,
        sort=sort,
        plan=plan,
        main_category_id=main_category,
        **_seller_facet(
            filtered,
            chosen_seller,
            show=searching and exact and bool(total),
            counted=scan.sellers if scan.total is not None else None,
        ),
    )


def _seller_facet(
    filtered: QuerySet[Listing], chosen: str, *, show: bool, counted: list[tuple[str, str, int]] | None
) -> dict:
    """A search's sellers with how many of the results each has, or, when the search is narrowed to one seller,
    that seller's name for the chip that undoes it. `counted` is what the facet pass counted when it read every
    result; without it (the pass stopped early) a GROUP BY over the exact, small set counts them."""
    if chosen:
        name = Storefront.objects.filter(slug=chosen).values_list("name", flat=True).first()
        return {"chosen_seller": (chosen, name or chosen)}
    if not show:
        return {}
    if counted is None:
        counted = list(
            filtered.order_by()
            .values_list("seller__storefront__slug", "seller__storefront__name")
            .annotate(count=Count("id"))
            .order_by("-count", "seller__storefront__name")[: SELLER_FACET_SIZE + 1]
        )
    facet = [(slug, name, count) for slug, name, count in counted if slug]
    return {"seller_facet": facet[:SELLER_FACET_SIZE] if len(facet) > 1 else []}


SHELF_CACHE_SIZE = 2000  # shelves each process keeps (the front page's, and one "similar" shelf per category)
_shelves: OrderedDict[tuple, tuple[float, object]] = OrderedDict()


def _kept_shelf(key: tuple, build):
    """`build()`'s result, kept in this process for MARKETPLACE_CATALOG_HOME_CACHE_SECONDS (0: built every time).

    Shelves are the same for every visitor and may be a minute old; the least recently used go first.
    """
    ttl = settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS
    now = time.monotonic()
    cached = _shelves.get(key)
    if ttl and cached is not None and now - cached[0] < ttl:
        _shelves.move_to_end(key)
        return cached[1]
    value = build()
    if ttl:
        _shelves[key] = (now, value)
        _shelves.move_to_end(key)
        if len(_shelves) > SHELF_CACHE_SIZE:
            _shelves.popitem(last=False)
    return value


def home_sections(*, limit: int = 12) -> dict[str, list[Card]]:
    """The front page's shelves: new, popular, top rated and discounted (one query each).

    Kept in each process (`_kept_shelf`), as Cards: the busiest page need not hit the database, nor turn listings
    into cards, on every visit.
    """
    return _kept_shelf(("home", limit), lambda: _home_sections(limit=limit))


def _home_sections(*, limit: int) -> dict[str, list[Card]]:
    base = card_queryset(public_listings())
    shelves = {
        "new": base.order_by("-published_at", "-id"),
        "popular": base.filter(orders_30d__gt=0).order_by("-orders_30d", "-id"),  # bought in the last 30 days
        "top_rated": base.filter(rating_count__gt=0).order_by("-rating_avg", "-rating_count", "-id"),
        "discounted": base.filter(discount_percent__gt=0).order_by("-discount_percent", "-id"),
    }
    return {name: [Card.of(listing) for listing in shelf[:limit]] for name, shelf in shelves.items()}


# What a listing page never shows of its seller: the legal and bank details (but the legal name, JSON-LD's fallback)
# and the storefront's long texts and images. Fewer columns to compile and load on the busiest page.
PAGE_SELLER_DEFERRED = (
    "created_at", "updated_at", "application", "legal_form", "inn", "ogrn", "kpp", "legal_address", "bank_name", "bik",
    "settlement_account", "correspondent_account", "contact_name", "contact_phone", "contact_email", "categories",
    "approved_at", "offer_terms",
)  # fmt: skip
PAGE_STOREFRONT_DEFERRED = (
    "created_at",
    "updated_at",
    "description",
    "logo",
    "banner",
    "return_policy",
    "shipping_policy",
)


# The listing page's rows, read by key through prepared statements into model instances (marketplace/core/db.py):
# compiling these queries through the ORM cost more than everything PostgreSQL did for the page.
PAGE_LISTING = RowShape.of(Listing, exclude=("search_vector", "moderation_flags"))
PAGE_SELLER = RowShape.of(Seller, exclude=PAGE_SELLER_DEFERRED)
PAGE_STOREFRONT = RowShape.of(Storefront, exclude=PAGE_STOREFRONT_DEFERRED)
PAGE_BRAND = RowShape.of(Brand)
PAGE_VARIANT = RowShape.of(Variant)
PAGE_PHOTO = RowShape.of(ListingPhoto)
LISTING_PAGE_SQL = (
    f"SELECT {PAGE_LISTING.select('l')}, {PAGE_SELLER.select('s')}, {PAGE_STOREFRONT.select('f')}, "  # noqa: S608 - column names from the models
    f"{PAGE_BRAND.select('b')} "
    "FROM catalog_listing l "
    "JOIN sellers_seller s ON s.id = l.seller_id "
    "LEFT JOIN sellers_storefront f ON f.seller_id = l.seller_id "
    "LEFT JOIN catalog_brand b ON b.id = l.brand_id "
    "WHERE l.id = %s"
)
PAGE_VARIANTS_SQL = (
    f"SELECT {PAGE_VARIANT.select('v')} FROM catalog_variant v "  # noqa: S608 - column names from the models
    "WHERE v.listing_id = %s AND v.is_active ORDER BY v.position, v.id"
)
PAGE_PHOTOS_SQL = (
    f"SELECT {PAGE_PHOTO.select('p')} FROM catalog_listingphoto p "  # noqa: S608 - column names from the models
    "WHERE p.listing_id = %s AND p.is_live ORDER BY p.position, p.id"
)


def listing_for_page(*, pk: int, viewer=None) -> Listing | None:
    """A listing with everything its page shows; others' unpublished listings do not exist (404).

    The listing comes with its seller (what the page shows of it), the storefront and the brand cached as if
    `select_related`, its active variants as `page_variants` and its live photos as `live_photos`.
    """
    from catalog import policies

    with prepared_cursor() as cursor:
        cursor.execute(LISTING_PAGE_SQL, [pk])
        row = cursor.fetchone()
        if row is None:
            return None
        listing, seller = _listing_page_row(row)
        # what Listing.objects.published() asks in SQL, read from the row and its seller
        visible = listing.status == ListingStatus.PUBLISHED and seller.listings_visible
        if not visible and not (
            viewer is not None
            and (policies.can_manage_listings(viewer, seller) or policies.can_moderate_listings(viewer))
        ):
            return None
        cursor.execute(PAGE_VARIANTS_SQL, [pk])
        listing.page_variants = [_child(PAGE_VARIANT, values, listing) for values in cursor.fetchall()]
        cursor.execute(PAGE_PHOTOS_SQL, [pk])
        listing.live_photos = [_child(PAGE_PHOTO, values, listing) for values in cursor.fetchall()]
    if not visible:  # a preview for the seller's team or a moderator
        if not listing.live_photos:
            listing.live_photos = list(listing.photos.order_by("position", "pk"))
        listing.is_preview = True
    return listing


# where each model's columns end in a LISTING_PAGE_SQL row
_SELLER_AT = len(PAGE_LISTING)
_STOREFRONT_AT = _SELLER_AT + len(PAGE_SELLER)
_BRAND_AT = _STOREFRONT_AT + len(PAGE_STOREFRONT)


def _listing_page_row(row) -> tuple[Listing, Seller]:
    listing = PAGE_LISTING.build(row[:_SELLER_AT])
    seller = PAGE_SELLER.build(row[_SELLER_AT:_STOREFRONT_AT])
    storefront = PAGE_STOREFRONT.build_or_none(row[_STOREFRONT_AT:_BRAND_AT])
    brand = PAGE_BRAND.build_or_none(row[_BRAND_AT:])
    Listing._meta.get_field("seller").set_cached_value(listing, seller)
    Listing._meta.get_field("brand").set_cached_value(listing, brand)
    Seller._meta.get_field("storefront").set_cached_value(seller, storefront)  # None: as select_related leaves it
    if storefront is not None:
        Storefront._meta.get_field("seller").set_cached_value(storefront, seller)
    return listing, seller


def _child(shape: RowShape, values, listing: Listing):
    child = shape.build(values)
    child._meta.get_field("listing").set_cached_value(child, listing)
    return child


# What the listing page shows of a question (and of its author, the first name only, never their account).
PAGE_QUESTION = RowShape.of(
    ListingQuestion, only=("listing", "author", "created_at", "text", "status", "answer", "answer_status")
)
PAGE_QUESTION_AUTHOR = RowShape.of(get_user_model(), only=("first_name",))
QUESTIONS_SQL = (
    f"SELECT {PAGE_QUESTION.select('q')}, {PAGE_QUESTION_AUTHOR.select('u')} "  # noqa: S608 - column names from the models
    "FROM catalog_listingquestion q JOIN accounts_user u ON u.id = q.author_id "
    "WHERE q.listing_id = %s AND q.status = %s ORDER BY q.created_at DESC, q.id DESC LIMIT %s"
)


def public_questions(*, listing: Listing, limit: int = 20) -> list[ListingQuestion]:
    """The listing's published questions, newest first, with their authors' first names."""
    with prepared_cursor() as cursor:
        cursor.execute(QUESTIONS_SQL, [listing.pk, QAStatus.PUBLISHED.value, limit])
        rows = cursor.fetchall()
    questions = []
    split = len(PAGE_QUESTION)
    author_field = ListingQuestion._meta.get_field("author")
    for row in rows:
        question = PAGE_QUESTION.build(row[:split])
        author_field.set_cached_value(question, PAGE_QUESTION_AUTHOR.build(row[split:]))
        questions.append(question)
    return questions


def unanswered_questions_for_seller(*, seller: Seller) -> QuerySet[ListingQuestion]:
    return (
        ListingQuestion.objects.filter(listing__seller=seller, status=QAStatus.PUBLISHED)
        .filter(Q(answer_status="") | Q(answer_status=QAStatus.REJECTED))
        .select_related("listing", "author")
        .order_by("created_at")
    )


def similar_listings(*, listing: Listing, limit: int = 8) -> list[Card]:
    """The category's most popular listings but this one: the "similar" shelf of a listing page.

    Every listing of a category shows the same shelf, so it is kept per category (`_kept_shelf`), as Cards.
    """

    def build() -> list[Card]:
        ordered = card_queryset(public_listings().filter(category_id=listing.category_id))
        # one more, in case this one is there
        return [Card.of(item) for item in ordered.order_by("-orders_30d", "-id")[: limit + 1]]

    shelf = _kept_shelf(("similar", listing.category_id, limit), build)
    return [item for item in shelf if item.pk != listing.pk][:limit]


def listings_for_seller(*, seller: Seller, status: str = "", query: str = "") -> QuerySet[Listing]:
    """The seller's own listings for the cabinet (every status), with stock totals and pending edits."""
    queryset = (
        Listing.objects.filter(seller=seller)
        .select_related("cover_photo", "category")
        .defer(*CABINET_DEFERRED)
        .annotate(
            stock_total=Coalesce(_variant_sum("on_hand"), 0),
            reserved_total=Coalesce(_variant_sum("allocated"), 0),
            variant_count=Count("variants", distinct=True),
            has_pending_edit=Exists(
                ListingRevision.objects.filter(listing=OuterRef("pk"), status=RevisionStatus.PENDING)
            ),
        )
        .order_by("-updated_at", "-id")
    )
    if status in ListingStatus.values:
        queryset = queryset.filter(status=status)
    if status == "low_stock":
        queryset = queryset.filter(Exists(Variant.objects.filter(NEEDS_RESTOCK, listing=OuterRef("pk"))))
    if status == "to_check":
        queryset = queryset.filter(check_requested_at__isnull=False).order_by("check_requested_at", "id")
    query = " ".join(str(query or "").split())[:100]
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(variants__sku__iexact=query)).distinct()
    return queryset


def _variant_sum(column: str) -> Subquery:
    return Subquery(
        Variant.objects.filter(listing=OuterRef("pk"))
        .order_by()
        .values("listing")
        .annotate(total=Sum(column))
        .values("total"),
        output_field=IntegerField(),
    )


def seller_listing(*, seller: Seller, pk: int) -> Listing | None:
    """One of the seller's own listings; another seller's listing is None (the view answers 404)."""
    return Listing.objects.filter(seller=seller, pk=pk).select_related("category", "brand", "seller").first()


def moderation_queue(*, model: type[Listing] = Listing) -> QuerySet[Listing]:
    """Listings waiting for a moderator — new, edited or reported — oldest first (`model`: the admin's proxy)."""
    pending_edit = ListingRevision.objects.filter(listing=OuterRef("pk"), status=RevisionStatus.PENDING)
    open_report = ListingReport.objects.filter(listing=OuterRef("pk"), status=ReportStatus.OPEN)
    return (
        model.objects.filter(Q(status=ListingStatus.PENDING) | Exists(pending_edit) | Exists(open_report))
        .select_related("seller", "category")
        .annotate(
            edit_since=Min("revisions__created_at", filter=Q(revisions__status=RevisionStatus.PENDING)),
            report_since=Min("reports__created_at", filter=Q(reports__status=ReportStatus.OPEN)),
            open_reports=Count("reports", filter=Q(reports__status=ReportStatus.OPEN), distinct=True),
        )
        .annotate(
            waiting_since=Coalesce(
                Case(When(status=ListingStatus.PENDING, then=F("moderation_requested_at"))),
                Least("edit_since", "report_since"),
            )
        )
        .order_by("waiting_since", "pk")
    )


def seller_for_user(*, user) -> Seller | None:
    """The seller whose cabinet the user works in (owner or team member), with the storefront."""
    from sellers.models import Seller

    if not user.is_authenticated:
        return None
    return (
        Seller.objects.select_related("storefront", "user")
        .filter(Q(user=user) | Q(members__user=user))
        .distinct()
        .first()
    )


def variants_for_seller(*, seller: Seller, query: str = "", low_stock_only: bool = False) -> QuerySet[Variant]:
    """Every variant of the seller's listings (not archived) for the bulk price and stock page, each with whether
    it needs restocking (NEEDS_RESTOCK, worked out in the same statement)."""
    queryset = (
        Variant.objects.filter(seller=seller)
        .exclude(listing__status=ListingStatus.ARCHIVED)
        .select_related("listing")
        .annotate(needs_restock=ExpressionWrapper(NEEDS_RESTOCK, output_field=BooleanField()))
        .order_by("listing__title", "listing_id", "position", "pk")
    )
    query = " ".join(str(query or "").split())[:100]
    if query:
        queryset = queryset.filter(Q(sku__icontains=query) | Q(listing__title__icontains=query))
    if low_stock_only:
        queryset = queryset.filter(NEEDS_RESTOCK)
    return queryset
