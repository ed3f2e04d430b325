"""Mixed traffic for the catalogue benchmark: thousands of distinct addresses per page kind, requested with a
Zipf-like popularity, so the anonymous page cache is measured as visitors would meet it rather than on one
repeated address.

For each kind (category pages, searches, listing pages) `write_sequences` draws `COUNT` distinct addresses from
the benchmark database (seeded, so every run asks for the same ones), gives them Zipf weights by rank and writes
`.var/bench-mixed-<kind>.txt`: one address a line, in the order they are requested (each address as many times
as its weight says, at least once, shuffled). `bench/mixed.lua` walks that file, each wrk thread from its own
point, and counts the `X-Page-Cache` header of the answers. bench/run.py runs it (`--mixed-only` for this pass
alone).
"""

from __future__ import annotations

import random
import re
import urllib.parse
from pathlib import Path

from bench.common import wrk_figures
from catalog.text import en_layout_to_ru, ru_layout_to_en

BASE_DIR = Path(__file__).resolve().parent.parent
LUA = BASE_DIR / "bench" / "mixed.lua"
KINDS = {"category": "category pages", "search": "searches", "listing": "listing pages"}
COUNT = 5_000  # distinct addresses per kind
ZIPF_EXPONENT = 1.0  # weight of the address at rank r is 1 / r ** ZIPF_EXPONENT
SEQUENCE_LENGTH = 100_000  # requests in one pass over a file (wrk starts over at the end)
SEED = 20240601
# The mixed pass's page cache lives in a Redis database of its own (checkout uses 14, ratings 15),
# emptied before each kind so each starts cold.
REDIS_DB = 13

PRICE_CEILINGS = [5_000, 10_000, 15_000, 20_000, 30_000, 50_000]  # round figures around the data's prices
FILTERS_PER_PAGE = [0, 1, 2, 3]
FILTERS_WEIGHTS = [40, 30, 20, 10]  # most visitors open a category without filters
SECOND_PAGE_SHARE = 0.15
SEARCH_TYPO_SHARE = 0.15  # of the searches, each: a dropped or doubled letter
SEARCH_LAYOUT_SHARE = 0.15  # typed on the wrong keyboard layout

LINE = re.compile(
    r"MIXED requests=(\d+) rps=([\d.]+) p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+) errors=(\d+) "
    r"non2xx=(\d+) hits=(\d+) misses=(\d+) uncached=(\d+)"
)


# Popularity ---------------------------------------------------------------------------------------------


def zipf_weights(count: int, exponent: float = ZIPF_EXPONENT) -> list[float]:
    """Shares of the requests by rank (the first address is the most popular); they sum to 1."""
    raw = [1 / rank**exponent for rank in range(1, count + 1)]
    total = sum(raw)
    return [weight / total for weight in raw]


def zipf_sequence(count: int, *, length: int = SEQUENCE_LENGTH, exponent: float = ZIPF_EXPONENT, seed=SEED):
    """Indexes 0..count-1 in request order: index i appears about `length * weight(i)` times (at least once),
    shuffled with a seeded generator, so the same arguments always give the same sequence."""
    sequence = []
    for index, weight in enumerate(zipf_weights(count, exponent)):
        sequence += [index] * max(1, round(length * weight))
    random.Random(f"{seed}:{count}").shuffle(sequence)
    return sequence


# Search variants ----------------------------------------------------------------------------------------


def dropped_letter(word: str, position: int) -> str:
    """A typo: the letter at `position` left out ("кроссовки", 4 → "кросовки")."""
    return word[:position] + word[position + 1 :]


def doubled_letter(word: str, position: int) -> str:
    """A typo: the letter at `position` typed twice ("куртка", 2 → "курртка")."""
    return word[: position + 1] + word[position:]


def wrong_layout(word: str) -> str:
    """The word typed with the other keyboard layout on: Russian on QWERTY ("кроссовки" → "rhjccjdrb"),
    Latin on ЙЦУКЕН ("nike" → "тшлу")."""
    if re.search(r"[а-яё]", word, re.IGNORECASE):
        return ru_layout_to_en(word)
    return en_layout_to_ru(word)


def typo(word: str, rng: random.Random) -> str:
    """A dropped or doubled letter, never the first one (people rarely miss the first letter)."""
    position = rng.randrange(1, len(word))
    return dropped_letter(word, position) if rng.random() < 0.5 else doubled_letter(word, position)


def search_queries(words: list[str], count: int, rng: random.Random) -> list[str]:
    """`count` distinct queries by popularity: dictionary words in the given order (most frequent first), with
    typo and wrong-layout variants of random words mixed into the tail (below the first hundred)."""
    variants_wanted = round(count * (SEARCH_TYPO_SHARE + SEARCH_LAYOUT_SHARE))
    correct = list(dict.fromkeys(words))[: count - variants_wanted]
    seen = set(correct)
    typos_wanted = round(count * SEARCH_TYPO_SHARE)
    variants: list[str] = []
    candidates = [word for word in correct if len(word) >= 4]
    attempts = 0
    while len(variants) < variants_wanted and attempts < variants_wanted * 20:
        attempts += 1
        word = rng.choice(candidates)
        variant = typo(word, rng) if len(variants) < typos_wanted else wrong_layout(word)
        if variant not in seen and variant.strip():
            seen.add(variant)
            variants.append(variant)
    queries = correct[:]
    head = min(100, len(queries))
    for variant in variants:
        queries.insert(rng.randrange(head, len(queries) + 1), variant)
    return queries


# Addresses from the database ----------------------------------------------------------------------------


def category_addresses(count: int, rng: random.Random) -> list[str]:
    """Leaf categories with 0–3 filters (price ceiling, in stock, one of the category's colours, a sort),
    some on page 2; pages with fewer parameters rank as more popular."""
    from catalog.filters import SORTS
    from catalog.models import Attribute, Category

    leaves = list(Category.objects.filter(depth=2, is_active=True).order_by("pk").values_list("pk", "slug"))
    if not leaves:
        raise SystemExit("no leaf categories (depth 2) in the benchmark database")
    colours = {
        category_id: list(options)
        for category_id, options in Attribute.objects.filter(
            code="color", is_filterable=True, category_id__in=[pk for pk, _ in leaves]
        ).values_list("category_id", "options")
        if options
    }
    sorts = [key for key in SORTS if key != "popular"]  # no sort parameter means "popular"
    addresses: dict[str, int] = {}
    attempts = 0
    while len(addresses) < count and attempts < count * 20:
        attempts += 1
        category_id, slug = rng.choice(leaves)
        kinds = ["sort", "price_max", "in_stock"] + (["a_color"] if category_id in colours else [])
        chosen = set(rng.sample(kinds, min(len(kinds), rng.choices(FILTERS_PER_PAGE, FILTERS_WEIGHTS)[0])))
        params = []  # in the order the filter form submits them
        if "sort" in chosen:
            params.append(("sort", rng.choice(sorts)))
        if "price_max" in chosen:
            params.append(("price_max", str(rng.choice(PRICE_CEILINGS))))
        if "in_stock" in chosen:
            params.append(("in_stock", "on"))
        if "a_color" in chosen:
            params.append(("a_color", rng.choice(colours[category_id])))
        if rng.random() < SECOND_PAGE_SHARE:
            params.append(("page", "2"))
        address = f"/c/{slug}/" + ("?" + urllib.parse.urlencode(params) if params else "")
        addresses.setdefault(address, len(params))
    return sorted(addresses, key=addresses.__getitem__)  # stable: fewer parameters first, then as drawn


def search_addresses(count: int, rng: random.Random) -> list[str]:
    from django.urls import reverse

    from catalog.models import SearchTerm

    words = list(SearchTerm.objects.order_by("-frequency", "word").values_list("word", flat=True)[: count * 2])
    if not words:
        raise SystemExit("the search dictionary (catalog_searchterm) is empty")
    path = reverse("catalog:search")
    return [f"{path}?{urllib.parse.urlencode({'q': query})}" for query in search_queries(words, count, rng)]


def listing_addresses(count: int, rng: random.Random) -> list[str]:
    """Random published listings: ids drawn between the smallest and the largest, kept if published."""
    from django.db.models import Max, Min

    from catalog.models import Listing

    published = Listing.objects.published()
    bounds = published.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise SystemExit("no published listings in the benchmark database")
    chosen: dict[int, str] = {}
    for _ in range(50):
        wanted = count - len(chosen)
        if wanted <= 0:
            break
        drawn = [rng.randint(bounds["low"], bounds["high"]) for _ in range(wanted * 2)]
        found = dict(published.filter(pk__in=drawn).values_list("pk", "slug"))
        for pk in drawn:
            if pk in found and pk not in chosen and len(chosen) < count:
                chosen[pk] = found[pk]
    return [Listing(pk=pk, slug=slug).get_absolute_url() for pk, slug in chosen.items()]


BUILDERS = {"category": category_addresses, "search": search_addresses, "listing": listing_addresses}


def sequence_file(kind: str, directory: Path = BASE_DIR / ".var") -> Path:
    return directory / f"bench-mixed-{kind}.txt"


def write_sequences(count: int = COUNT, directory: Path = BASE_DIR / ".var") -> dict[str, tuple[Path, int]]:
    """Each kind's request sequence to a file; returns kind → (file, distinct addresses). Needs Django set up."""
    directory.mkdir(exist_ok=True)
    files = {}
    for kind, build in BUILDERS.items():
        addresses = build(count, random.Random(f"{SEED}:{kind}"))
        sequence = zipf_sequence(len(addresses), seed=f"{SEED}:{kind}")
        path = sequence_file(kind, directory)
        path.write_text("".join(addresses[index] + "\n" for index in sequence), encoding="ascii")
        files[kind] = (path, len(addresses))
    return files


# wrk ----------------------------------------------------------------------------------------------------


def wrk_command(url: str, path: Path, *, duration: int, connections: int, threads: int) -> list[str]:
    return [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA), url,
        "--", str(path), str(threads),
    ]  # fmt: skip


def parse(output: str) -> dict[str, float]:
    """The MIXED line bench/mixed.lua prints in done()."""
    match = LINE.search(output)
    if not match:
        raise ValueError(f"no MIXED line in wrk's output:\n{output}")
    groups = match.groups()
    hits, misses, uncached = (int(value) for value in groups[7:])
    answered = hits + misses + uncached
    return {
        **wrk_figures(groups[:7]),
        "hits": hits,
        "misses": misses,
        "uncached": uncached,
        "hit_rate": hits / answered if answered else 0.0,
    }
