"""Russian search on PostgreSQL alone: full text, then corrections (layout, transliteration, typos), then trigrams.

1. Full text (`russian` configuration, stored weighted vector, GIN index) on the tokens as typed.
2. Too few hits: each word not in the dictionary is replaced by the best dictionary word among its
   wrong-layout reading ("rhjccjdrb" → "кроссовки"), its transliteration ("krossovki" → "кроссовки") and
   its nearest trigram neighbours ("кросовки" → "кроссовки"). If that finds more, the results are shown
   for the correction (nothing found as typed) or it is offered as "did you mean" (something found).
3. Still nothing: trigram word similarity on titles.

Relevance (spec 32, 81) blends the text match with the product's rating and the card's quality (`rank`, in SQL)
and with the seller's standing (`seller_weights`, applied where the window is ordered): a warned or restricted
seller, or one in the at-risk or critical rating band, is moved down; an excellent one a little up. The rules are
published to buyers and sellers (`catalog:ranking`).

Tokens contain only letters and digits, so no user input reaches the tsquery syntax as an operator.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import ExpressionWrapper, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Lower

from catalog.models import Listing, SearchTerm
from catalog.text import (
    clean_query,
    en_layout_to_ru,
    has_cyrillic,
    has_latin,
    latin_to_cyrillic,
    ru_layout_to_en,
    tokenize,
)
from sellers.models import Seller, SellerStatus

MIN_SIMILARITY = 0.35
RARE_FREQUENCY = 2  # a dictionary word seen this rarely may itself be a typo
POPULAR_FACTOR = 3  # ...when a close word is at least this many times more frequent
TITLE_SIMILARITY = 0.45
MAX_WORDS = 6
# rank(): the text match lifted by the product's rating (per star) and the card's quality score (per point, 0–100)
RATING_LIFT = 0.1
QUALITY_LIFT = 0.002
# The seller's standing multiplies a listing's relevance; a seller in neither table counts 1 (suspended and
# terminated sellers' listings are hidden anyway). Bands are the rating bands of reviews.models.Band, read through
# the seller's rating: catalog does not import reviews (a test checks every band is here or meant to count 1).
SELLER_STATUS_WEIGHTS = {SellerStatus.WARNED: 0.9, SellerStatus.RESTRICTED: 0.75}
SELLER_BAND_WEIGHTS = {"excellent": 1.1, "at_risk": 0.9, "critical": 0.75}


@dataclass
class SearchPlan:
    query: str  # the cleaned input, shown back in the search box
    tokens: list[str] = field(default_factory=list)  # what the results were searched for
    mode: str = "empty"  # "fts", "trigram" or "empty"
    corrected_from: str = ""  # results are for `text`, the input found nothing
    suggestion: str = ""  # "did you mean" (results are for the input as typed)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def tsquery_text(tokens: list[str], *, prefix: bool = False) -> str:
    """The raw tsquery: AND of the tokens (the last one as a prefix for autocomplete); tokens are [0-9a-zа-я]+."""
    parts = [f"'{token}'" for token in tokens]
    if prefix and parts:
        parts[-1] += ":*"
    return " & ".join(parts)


def tsquery(tokens: list[str], *, prefix: bool = False) -> SearchQuery:
    return SearchQuery(tsquery_text(tokens, prefix=prefix), search_type="raw", config="russian")


STATEMENTS_KEPT = 64
_statements: dict[tuple, tuple[str, tuple, tuple[int, ...]]] = {}


def compiled_once(key: tuple | None, text: str, compile: Callable[[], tuple[str, Sequence]]) -> tuple[str, list]:
    """`compile()` (an ORM statement's `sql_with_params`); with a `key`, compiled once per process and key, and
    each later search's tsquery `text` bound where the first one's stood.

    Only for statements whose one value that changes from search to search is the query text: a search of the
    whole catalogue without filters (the header's search box, most searches). Building and compiling its
    statements (the plan's count, the window, the facet pass) took 2–4 ms of a search's 20 of app time, as much
    as PostgreSQL spent running them. A statement in which the text does not appear is never kept.
    """
    if key is None:
        sql, params = compile()
        return sql, list(params)
    kept = _statements.get(key)
    if kept is None:
        sql, params = compile()
        positions = tuple(index for index, value in enumerate(params) if value == text)
        if not positions:
            return sql, list(params)
        if len(_statements) >= STATEMENTS_KEPT:
            _statements.clear()  # a handful of shapes in practice; a bound, not a policy
        kept = _statements[key] = (sql, tuple(params), positions)
    sql, params, positions = kept
    bound = list(params)
    for index in positions:
        bound[index] = text
    return sql, bound


def _matches(base: QuerySet[Listing], tokens: list[str], limit: int, *, plain: bool = False) -> int:
    """How many listings of `base` match all the tokens, counting no further than `limit` (`plain`: `base` is
    the whole public catalogue, so the statement is compiled once: compiled_once)."""
    if not tokens:
        return 0
    try:
        sql, params = compiled_once(
            ("matches",) if plain else None,
            tsquery_text(tokens),
            lambda: base.filter(search_vector=tsquery(tokens)).order_by().values("pk").query.sql_with_params(),
        )
    except EmptyResultSet:
        return 0
    # the compiled read wrapped by hand: QuerySet.count() on a slice compiles it twice over (a subquery inside
    # an aggregate query), which took longer than running it
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) AS found", [*params, limit])  # noqa: S608 - compiled ORM SQL; values are parameters
        return cursor.fetchone()[0]


def _word_options(word: str) -> list[list[str]]:
    """Readings of one typed word: as typed, on the other keyboard layout, transliterated."""
    options = [tokenize(word)]
    if has_latin(word) or any(char in word for char in "[];',.`"):
        options.append(tokenize(en_layout_to_ru(word)))
        options.append(tokenize(latin_to_cyrillic(word)))
    if has_cyrillic(word):
        options.append(tokenize(ru_layout_to_en(word)))
    unique: list[list[str]] = []
    for option in options:
        if option and option not in unique:
            unique.append(option)
    return unique


def _nearest_words(tokens: list[str]) -> dict[str, tuple[str, float, int]]:
    """For each token, the most similar dictionary word (trigram index) with its similarity and frequency."""
    tokens = [token for token in dict.fromkeys(tokens) if len(token) >= 3]
    if not tokens:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.token, t.word, t.sim, t.frequency FROM unnest(%s::text[]) AS c(token) "
            "CROSS JOIN LATERAL (SELECT word, frequency, similarity(word, c.token) AS sim FROM catalog_searchterm "
            "WHERE word %% c.token AND word <> c.token ORDER BY sim DESC, frequency DESC LIMIT 1) t",
            [tokens],
        )
        return {token: (word, sim, frequency) for token, word, sim, frequency in cursor.fetchall()}


def correct(query: str) -> list[str]:
    """The query's tokens with every unknown word replaced by its best dictionary reading (see module doc)."""
    words = query.split()[:MAX_WORDS]
    options = [_word_options(word) for word in words]
    candidates = {token for word_options in options for option in word_options for token in option}
    known = dict(SearchTerm.objects.filter(word__in=candidates).values_list("word", "frequency"))
    nearest: dict[str, tuple[str, float, int]] | None = None
    result: list[str] = []
    for word_options in options:
        if not word_options:
            continue
        as_typed = word_options[0]
        if all(token in known for token in as_typed):
            rare = [token for token in as_typed if known[token] <= RARE_FREQUENCY]
            if rare and len(as_typed) == 1:
                # A typo that made it into a title or two: prefer a much more frequent close word.
                if nearest is None:
                    singles = [option[0] for options_ in options for option in options_ if len(option) == 1]
                    nearest = _nearest_words(singles)
                close = nearest.get(as_typed[0])
                if close and close[1] >= MIN_SIMILARITY and close[2] >= known[as_typed[0]] * POPULAR_FACTOR:
                    result.append(close[0])
                    continue
            result += as_typed
            continue
        exact = [option for option in word_options[1:] if all(token in known for token in option)]
        if exact:
            result += max(exact, key=lambda option: min(known[token] for token in option))
            continue
        if nearest is None:
            singles = [option[0] for options_ in options for option in options_ if len(option) == 1]
            nearest = _nearest_words(singles)
        close = [nearest[option[0]] for option in word_options if len(option) == 1 and option[0] in nearest]
        close = [item for item in close if item[1] >= MIN_SIMILARITY]
        if close:
            result.append(max(close, key=lambda item: (item[1], item[2]))[0])
        else:
            result += as_typed
    return result


def plan_search(raw: object, base: QuerySet[Listing], *, plain: bool = False) -> SearchPlan:
    """Decide what to search for: the input as typed, a correction of it, or title trigrams (`plain`: `base` is
    the whole public catalogue)."""
    query = clean_query(raw)
    plan = SearchPlan(query=query, tokens=tokenize(query))
    if not plan.tokens:
        return plan
    wanted = settings.MARKETPLACE_CATALOG_SEARCH_MIN_RESULTS
    found = _matches(base, plan.tokens, wanted, plain=plain)
    plan.mode = "fts"
    if found >= wanted:
        return plan
    corrected = correct(query)
    if corrected and corrected != plan.tokens:
        better = _matches(base, corrected, wanted, plain=plain)
        if better > found:
            if found == 0:
                plan.corrected_from, plan.tokens = query, corrected
                return plan
            plan.suggestion = " ".join(corrected)
            return plan
    if found == 0:
        plan.mode = "trigram"
    return plan


PLANS_KEPT = 2000
_plans: OrderedDict[tuple, tuple[float, SearchPlan]] = OrderedDict()


def kept_plan(raw: object, base: QuerySet[Listing], *, scope: object, plain: bool = False) -> SearchPlan:
    """plan_search, kept in each process for MARKETPLACE_CATALOG_SEARCH_PLAN_SECONDS per `scope` and query text.

    A plan only says how to read the query (as typed, corrected, by title trigrams) from whether enough listings
    match it, which changes slowly; planning a popular query took one to four queries on every page. `scope` names
    `base` (the category searched in): plans of different bases are never shared.
    """
    seconds = settings.MARKETPLACE_CATALOG_SEARCH_PLAN_SECONDS
    if seconds <= 0:
        return plan_search(raw, base, plain=plain)
    key = (scope, clean_query(raw))
    now = time.monotonic()
    kept = _plans.get(key)
    if kept is None or now - kept[0] > seconds:
        kept = (now, plan_search(raw, base, plain=plain))
        _plans[key] = kept
        if len(_plans) > PLANS_KEPT:
            _plans.popitem(last=False)
    else:
        _plans.move_to_end(key)
    return dataclasses.replace(kept[1], tokens=list(kept[1].tokens))  # the caller's own copy


_seller_weights: dict[str, object] = {"at": None, "weights": {}}


def standing_weight(status: str, band: str | None) -> float:
    """The factor a seller's sanction status and rating band (None: not rated yet) put on their listings' relevance."""
    return SELLER_STATUS_WEIGHTS.get(status, 1.0) * SELLER_BAND_WEIGHTS.get(band or "", 1.0)


def weight_change(weight: float) -> int:
    """A standing weight as the percentage it moves relevance by (0.9 → -10), as the rules page shows it."""
    return round((weight - 1) * 100)


def seller_weights() -> dict[int, float]:
    """Seller id → the factor their standing puts on their listings' relevance, for every seller whose factor is
    not 1 (SELLER_STATUS_WEIGHTS × SELLER_BAND_WEIGHTS).

    Kept in each process for MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS (0: read on every search): a sanction or
    a new rating band reaches search within that time. One query over the sellers with a sanction or a band that
    counts; a search itself only looks its window's sellers up in the result.
    """
    seconds = settings.MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS
    now = time.monotonic()
    kept_at = _seller_weights["at"]
    if seconds > 0 and kept_at is not None and now - kept_at < seconds:  # type: ignore[operator]
        return _seller_weights["weights"]  # type: ignore[return-value]
    rows = Seller.objects.filter(
        Q(status__in=list(SELLER_STATUS_WEIGHTS)) | Q(rating__band__in=list(SELLER_BAND_WEIGHTS))
    ).values_list("pk", "status", "rating__band")
    weights = {pk: standing_weight(status, band) for pk, status, band in rows}
    _seller_weights.update(at=now, weights=weights)
    return weights


def apply_search(queryset: QuerySet[Listing], plan: SearchPlan) -> QuerySet[Listing]:
    """Only the listings the plan matches (ranking is separate: see `rank`)."""
    if plan.mode == "fts":
        return queryset.filter(search_vector=tsquery(plan.tokens))
    if plan.mode == "trigram":
        text = " ".join(plan.tokens)
        return (
            queryset.annotate(lower_title=Lower("title"))
            .filter(lower_title__trigram_word_similar=text)
            .annotate(title_similarity=TrigramWordSimilarity(text, "lower_title"))
            .filter(title_similarity__gte=TITLE_SIMILARITY)
        )
    return queryset.none()


def rank(queryset: QuerySet[Listing], plan: SearchPlan) -> QuerySet[Listing]:
    """Annotate `relevance`: the weighted text rank lifted a little by rating and listing quality (the seller's
    standing is applied to it where the window is ordered: see seller_weights)."""
    if plan.mode == "fts":
        query = tsquery(plan.tokens)
        return queryset.annotate(
            relevance=ExpressionWrapper(
                SearchRank(F("search_vector"), query)
                * (1.0 + F("rating_avg") * RATING_LIFT + F("quality_score") * QUALITY_LIFT),
                output_field=FloatField(),
            )
        )
    if plan.mode == "trigram":
        return queryset.annotate(relevance=TrigramWordSimilarity(" ".join(plan.tokens), Lower("title")))
    return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))


def autocomplete(raw: object, base: QuerySet[Listing], *, limit: int = 6) -> dict[str, list]:
    """Categories, brands and listings for the first letters typed (with the layout fixed if that helps)."""
    from catalog.models import Brand
    from catalog.selectors.categories import category_tree

    query = clean_query(raw)[:60]
    tokens = tokenize(query)
    if not tokens or len(query) < 2:
        return {"categories": [], "brands": [], "listings": [], "query": query}
    readings = [tokens]
    if has_latin(query):
        readings.append(tokenize(en_layout_to_ru(query)))
    result: dict[str, list] = {"categories": [], "brands": [], "listings": [], "query": query}
    tree = category_tree()
    for reading in readings:
        text = " ".join(reading)
        if not reading:
            continue
        result["categories"] = [
            node
            for node in tree.by_id.values()
            if node.name.lower().replace("ё", "е").startswith(text) and tree.is_visible(node)
        ][:3]
        result["brands"] = list(Brand.objects.filter(name__istartswith=text).order_by("name")[:3])
        result["listings"] = list(
            base.filter(search_vector=tsquery(reading, prefix=True))
            .order_by("-orders_30d", "-id")
            .only("id", "slug", "title", "price")[:limit]
        )
        if any(result[key] for key in ("categories", "brands", "listings")):
            break
    return result
