"""`make bench`: fill the benchmark database if needed, serve it with gunicorn (2 workers, loopback) and
measure pages with wrk; the figures go to docs/benchmarks.md.

    python bench/run.py [--listings 1000000] [--duration 20] [--connections 8] [--skip-generate] [--mixed-only]

The catalogue is measured in three passes: each page's one address repeated with the anonymous page cache on,
the same with the cache off, then mixed traffic with the cache on (thousands of addresses per page kind with a
Zipf popularity, see bench/mixed.py and bench/mixed.lua; the cache starts empty for each kind and the hit rate
is counted from the answers). `--mixed-only` runs the mixed pass alone (with the ceiling measured in the same
run) and rewrites only its part of the catalog section of docs/benchmarks.md:

    make bench BENCH_ARGS="--only catalog --skip-generate --mixed-only --duration 10"

DATABASE_URL and REDIS_URL come from the launcher (`make bench` → the `marketplace_bench` database).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
PY = sys.executable
from bench import mixed  # noqa: E402
from bench.common import free_port, start_server, stop_server, with_redis_db, wrk_figures  # noqa: E402
from bench.report import REPORT, machine, n, write_section  # noqa: E402

LINE = re.compile(
    r"BENCH requests=(\d+) rps=([\d.]+) p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+) errors=(\d+) non2xx=(\d+)"
)


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    return env


def django_setup() -> None:
    os.environ.update({key: value for key, value in server_env().items() if key.startswith(("DJANGO_", "PYTHONPATH"))})
    import django

    django.setup()


def listing_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('catalog_listing') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM catalog_listing WHERE status = 'published'")
        return cursor.fetchone()[0]


def targets() -> list[tuple[str, str]]:
    """(name, path) of the pages to measure, chosen from the data."""
    from django.db import connection

    from catalog.models import Listing

    with connection.cursor() as cursor:
        # a popular leaf category (many listings), for the page with three filters
        cursor.execute(
            "SELECT c.slug FROM catalog_category c JOIN catalog_listing l ON l.category_id = c.id "
            "WHERE c.depth = 2 GROUP BY c.slug ORDER BY count(*) DESC LIMIT 1"
        )
        slug = cursor.fetchone()[0]
    listing = Listing.objects.published().order_by("-orders_30d", "pk").only("pk", "slug").first()
    filters = urllib.parse.urlencode({"a_color": "Чёрный", "price_max": "20000", "in_stock": "on"})
    return [
        ("bare Django view (ceiling)", "/bench/bare"),
        ("home page", "/"),
        ("category page, three filters", f"/c/{slug}/?{filters}"),
        ("search: a common word", "/search/?" + urllib.parse.urlencode({"q": "кроссовки"})),
        ("search: a typo", "/search/?" + urllib.parse.urlencode({"q": "кросовки"})),
        ("search: wrong keyboard layout", "/search/?" + urllib.parse.urlencode({"q": "rhjccjdrb"})),
        ("listing page", listing.get_absolute_url()),
    ]


WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn's own recommendation: (2 x cores) + 1 sync workers


def start_catalog_server(
    port: int, log: Path, *, page_cache_seconds: int, redis_url: str | None = None
) -> subprocess.Popen:
    env = dict(server_env(), MARKETPLACE_PAGE_CACHE_SECONDS=str(page_cache_seconds))
    if redis_url:
        env["REDIS_URL"] = redis_url
    return start_server(port, env=env, workers=WORKERS, log=log)


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def measure(url: str, *, duration: int, connections: int, threads: int) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s",
         str(BASE_DIR / "bench" / "report.lua"), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = LINE.search(output)
    if not match:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    return wrk_figures(match.groups())


def marked(name: str, markdown: str) -> str:
    """A part of a section that bench/report.write_section can rewrite alone."""
    return f"<!-- bench:{name} -->\n{markdown.strip()}\n<!-- /bench:{name} -->"


def write_report(
    rows,
    *,
    mixed_results: dict[str, dict],
    args,
    counts: dict[str, int],
    pg: str,
    load: tuple[float, float],
) -> None:
    duration, connections, threads = args.duration, args.connections, args.threads
    # the higher of the bare view's two runs: a ceiling measured low (the first run on a machine varies most) would
    # flatter every share
    ceiling = max(rows[0][2]["rps"], rows[0][3]["rps"]) or 1
    lines = [
        "## Catalogue pages at a million listings (issue 4)",
        "",
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC with `make bench` "
        "(`python bench/run.py` through the launcher, database `marketplace_bench`).",
        "",
        f"- Data: {n(counts['listings'])} published listings, {n(counts['sellers'])} sellers, "
        f"{n(counts['categories'])} categories (generated set-based by `bench/generate.py`).",
        f"- Server: gunicorn, {WORKERS} sync workers ((2 × cores) + 1, gunicorn's recommendation; the same for "
        f"every page and the ceiling), production settings (DEBUG off), loopback; {pg}.",
        f"- Load: `wrk -t{threads} -c{connections} -d{duration}s` per page, on the same machine: {machine()}.",
        '- p50/p95/p99 are wrk\'s latency percentiles (p95 via `bench/report.lua`); "alone" is the median of ten '
        "sequential requests before the load (one request at a time, no queueing).",
        f"- Machine load average (1 min) at the start and the end of the run: {load[0]:.1f} and {load[1]:.1f} "
        "(other processes running on the same 2 cores slow every figure down, the ceiling included).",
        "",
        "Two runs of the same pages: **cached** is what an anonymous visitor gets on a page someone else opened "
        "in the last 30 seconds (the shared page cache, `marketplace/core/pagecache.py`; wrk repeats one "
        "address, so every request after the first is a hit); **rendered** is the same server with the page "
        "cache off, so every request runs the queries and the templates (the first visitor of an address in 30 "
        "seconds, staff and sellers' teams always get this; signed-in buyers get the shared page with their personal "
        "parts, measured by `bench/signed_in.py`). Repeating one address overstates the cache: the mixed traffic "
        "below spreads the requests over thousands of addresses. Every share is of the higher of the bare view's "
        f"two runs ({ceiling:.0f} req/s).",
        "",
        "| page | cached: req/s | share of ceiling | p50, ms | p95, ms | rendered: req/s | share of ceiling "
        "| alone, ms | p50, ms | p95, ms | p99, ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, cached, rendered in rows:
        lines.append(
            f"| {name} (`{urllib.parse.unquote(path)[:60]}`) | {cached['rps']:.0f} | {cached['rps'] / ceiling:.0%} "
            f"| {cached['p50']:.1f} | {cached['p95']:.1f} | {rendered['rps']:.0f} | {rendered['rps'] / ceiling:.0%} "
            f"| {rendered['alone']:.0f} | {rendered['p50']:.1f} | {rendered['p95']:.1f} | {rendered['p99']:.1f} "
            f"| {cached['errors'] + cached['non2xx'] + rendered['errors'] + rendered['non2xx']} |"
        )
    lines += ["", marked("catalog-mixed", mixed_markdown(mixed_results, ceiling=ceiling, args=args))]
    targets_met = []
    for name, _path, cached, rendered in rows[1:]:
        for label, result in (("cached", cached), ("rendered", rendered)):
            checks = [f"{result['rps'] / ceiling:.0%} of the ceiling (target ≥ 10%)"]
            if name.startswith(("search", "category")):
                checks.append(f"p95 {result['p95']:.0f} ms (target < 100 ms)")
            targets_met.append(f"- {name}, {label}: " + "; ".join(checks))
    notes = [
        "How the pages stay cheap at this size (see `catalog/selectors/`):",
        "",
        "- search reads a stored, weighted `tsvector` through a GIN index; relevance ranks only the 500 most "
        "popular matches, found first among the 50 000 most popular listings (a walk of the popularity index for "
        "words with over 100 000 matches, an intersection of index bitmaps otherwise) and only if that is not "
        "enough among all matches, so neither a very common word nor one whose matches all sit at the tail of "
        "the popularity order reads the whole table; a word expected in fewer than 2 000 listings (a model "
        "number) is read among all its matches at once; the text rank is worked out for those 500 rows only, in "
        "the same query, so the page is ranked without a second one; a read of all of more than 10 000 matches "
        "runs in one PostgreSQL process (parallel workers cost half as much CPU again), its setting made and put "
        "back in the same round trip; the search's filters and its rank are compiled by the ORM once per page "
        "and the reads wrap that statement, and a search of the whole catalogue without filters (the header's "
        "search box) compiles its statements once per process and binds each query's text "
        "(`catalog.selectors.search.compiled_once`);",
        "- a category page reads its rows once, from a covering index (`listing_cat_browse`: an index-only scan): "
        "that one pass counts every facet (a single-choice value read as text straight from the row), the brands "
        "(by key: only the 30 shown are joined for their names) and the total (and, for a search, the matches per "
        "category), and gives the page's 24 keys; a category's pass is a prepared statement with its statuses "
        "written in, so PostgreSQL plans it once per connection and filter shape and the generic plan still uses "
        "that partial index; only those rows are joined for their cards, by one handwritten statement read into "
        "plain values (no ORM compile, no model instances);",
        "- typo, wrong-layout and transliteration corrections look words up in a dictionary table with a trigram "
        "index (a few thousand rows), not in the listings;",
        '- counts stop at 10 000 ("more than 10 000"), facets count at most that many rows, and a category\'s '
        "characteristics are compared inside its rows rather than through an index over all listings;",
        "- hidden sellers are an anti-join on a partial index that holds only them (one probe, no scan of all "
        "sellers);",
        "- each process keeps the category tree with the categories' attribute schemas (its version checked at "
        "most every 2 seconds, a change made in the same process seen at once), the home shelves and each "
        'category\'s "similar" shelf for a minute, the HTML of recently shown listing cards (keyed by everything '
        "a card shows) and of the footer, each search query's plan (as typed, corrected or by trigrams) for a "
        "minute and, for 5 minutes, the planner's estimate that picks how a search reads its matches (and whether "
        "the look among the most popular listings came up short, so a word of new listings reads all its matches "
        "at once);",
        "- the listing card, the filter sidebar's facet checkboxes and a search's \"Found in categories\" and "
        '"Sold by" chips are written in Python with plain escaping '
        "(`catalog/templatetags/catalog_tags.py`), a grid in one tag: a page of 24 cards not yet cached took the "
        "template engine 4-5 ms, now about 1.6; so are the page links (`{% pagination %}`, 0.6 ms as an included "
        "template); the templates read the asked parameters as plain values (an absent `request.GET.<name>` cost "
        "a failed lookup and a `dir()` of the QueryDict; a model-number search went from 23.7 to 19.6-20.2 million "
        "instructions with the chips, `bench/page_instructions.py`); a listing page loads only what it shows of "
        "its seller and of the "
        "question authors; the output of constant `{% translate %}`, `{% url %}` and `{% static %}` tags is kept "
        "per language in each template node (`marketplace/core/template_engine.py`: 40 to 80 of them on every "
        "page);",
        "- the reads by key (a listing page's listing with its seller, storefront and brand, its variants, photos, "
        "questions and ratings, its five most helpful reviews with their photos, answers and replies, the review "
        "aspects' averages and the seller's return days; the cards of every page) are statements written once from the models' column "
        "names and run as server-side prepared statements, parsed and planned once per connection, their rows "
        "turned into model instances without the ORM compiling a query (`marketplace/core/db.py`);",
        "- gunicorn workers freeze what they load at start out of Python's garbage collector (`gc.freeze()` in "
        "`marketplace/wsgi.py`), so its full passes no longer walk ~130 000 long-lived objects;",
        "- visitors share rendered pages for 30 seconds (Redis): every answer gets the visitor's own CSRF token, "
        "CSP nonce and personal parts (a signed-in buyer's header, favourite and follow buttons…) put back in; the "
        "header's HTML is kept in each process per sign-in link and cart (anonymous) or per user and counts;",
        "- the embedded PostgreSQL's `shared_buffers` is a quarter of the machine's memory (up to 4 GB), not the "
        "default 128 MB that holds a tenth of this catalogue.",
    ]
    lines += [
        "",
        "Against the issue's targets:",
        "",
        *targets_met,
        marked("catalog-mixed-targets", mixed_targets(mixed_results, ceiling=ceiling)),
        "",
        *notes,
        "",
        "Command:",
        "",
        "```",
        "make bench",
        'make bench BENCH_ARGS="--only catalog --skip-generate --mixed-only"  # the mixed traffic alone',
        "```",
        "",
    ]
    write_section("catalog", "\n".join(lines))
    say(f"wrote the catalog section of {REPORT}")


OTHERS = ("checkout", "ratings")  # bench/<name>.py, each writes its own section of docs/benchmarks.md


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default="catalog," + ",".join(OTHERS), help="comma-separated: catalog,checkout,ratings"
    )
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=10_000)
    parser.add_argument("--categories", type=int, default=2_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--mixed-only", action="store_true", help="catalog: only the mixed-traffic pass (page cache on, many addresses)"
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - {"catalog", *OTHERS}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    status = 0
    if "catalog" in chosen:
        status = catalog(args) or status
    for name in OTHERS:
        if name in chosen and (BASE_DIR / "bench" / f"{name}.py").exists():
            say(f"running bench/{name}.py")
            status = subprocess.run([PY, f"bench/{name}.py"], cwd=BASE_DIR, env=server_env()).returncode or status
    return status


def measure_pages(pages, args, *, log: Path, page_cache_seconds: int) -> list[tuple[str, str, dict]]:
    port = free_port()
    server = start_catalog_server(port, log, page_cache_seconds=page_cache_seconds)
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _name, path in pages:
            status = get(base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}; see {log}")
            for _ in range(5):
                get(base + path)  # warm the workers' caches (category tree, templates)
        for name, path in pages:
            alone = []
            for _ in range(10):
                started = time.perf_counter()
                get(base + path)
                alone.append((time.perf_counter() - started) * 1000)
            result = measure(base + path, duration=args.duration, connections=args.connections, threads=args.threads)
            result["alone"] = sorted(alone)[len(alone) // 2]
            say(f"{name}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms")
            rows.append((name, path, result))
    finally:
        stop_server(server)
    return rows


def measure_mixed(files, args, *, log: Path, ceiling: float | None) -> tuple[dict[str, dict], float]:
    """The mixed pass over `files` (mixed.write_sequences): page cache on (30 s, as in the first pass) in a Redis
    database of its own, emptied before each kind; returns kind → wrk's figures, and the ceiling (measured here
    unless given). The machine's load average at the start and the end goes with the figures ("load")."""
    import redis

    load_before = os.getloadavg()[0]

    redis_url = with_redis_db(os.environ["REDIS_URL"], mixed.REDIS_DB)
    cache = redis.Redis.from_url(redis_url)
    port = free_port()
    server = start_catalog_server(port, log, page_cache_seconds=30, redis_url=redis_url)
    results = {}
    try:
        base = f"http://127.0.0.1:{port}"
        for path, _distinct in files.values():
            with path.open(encoding="ascii") as lines:
                for address in [next(lines).strip() for _ in range(3 * WORKERS)]:
                    status = get(base + address)  # warm the workers (category tree, templates, connections)
                    if status != 200:
                        raise SystemExit(f"{address} answered {status}; see {log}")
        if ceiling is None:
            ceiling = measure(
                base + "/bench/bare", duration=args.duration, connections=args.connections, threads=args.threads
            )["rps"]
            say(f"ceiling (bare Django view): {ceiling:.0f} req/s")
        for kind, (path, distinct) in files.items():
            cache.flushdb()  # each kind starts with an empty page cache
            command = mixed.wrk_command(
                base, path, duration=args.duration, connections=args.connections, threads=args.threads
            )
            result = mixed.parse(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
            result["distinct"] = distinct
            result["load"] = (load_before, os.getloadavg()[0])
            say(
                f"mixed {mixed.KINDS[kind]}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
                f"p95 {result['p95']:.1f} ms, p99 {result['p99']:.1f} ms, cache hits {result['hit_rate']:.0%}"
            )
            results[kind] = result
    finally:
        stop_server(server)
        cache.flushdb()
    return results, ceiling


def mixed_markdown(results: dict[str, dict], *, ceiling: float, args) -> str:
    """The mixed-traffic table (it sits between its own markers in the catalog section: `--mixed-only` rewrites it)."""
    weights = mixed.zipf_weights(mixed.COUNT)
    loads = [result.get("load", (0.0, 0.0)) for result in results.values()]
    lines = [
        "### Mixed traffic",
        "",
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on the same server with the page cache "
        f"on (30 s), `wrk -t{args.threads} -c{args.connections} -d{args.duration}s` per kind; the share is of the "
        f"bare Django view's {ceiling:.0f} req/s in the same run; machine load average (1 min) "
        f"{loads[0][0]:.1f} at the start and {loads[-1][1]:.1f} at the end. Each kind has {n(mixed.COUNT)} distinct addresses "
        "drawn from the data with a fixed seed (`bench/mixed.py`: random leaf categories with 0–3 filters — price "
        "ceiling, in stock, colour, sort — some on page 2; the dictionary's most frequent words, "
        f"{mixed.SEARCH_TYPO_SHARE:.0%} of them with a typo and {mixed.SEARCH_LAYOUT_SHARE:.0%} typed on the wrong "
        "keyboard layout; random published listings), requested in a shuffled "
        f"order with a Zipf popularity of exponent {mixed.ZIPF_EXPONENT:g} (the most popular address gets "
        f"{weights[0]:.0%} of the requests, the top 100 together {sum(weights[:100]):.0%}; `bench/mixed.lua`). "
        "The page cache starts empty for each kind, and the hit rate is counted from every answer's "
        "`X-Page-Cache` header, not assumed.",
        "",
        "| traffic | req/s | share of ceiling | p50, ms | p95, ms | p99, ms | errors | cache hits |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, result in results.items():
        lines.append(
            f"| {mixed.KINDS[kind]} ({n(result['distinct'])} addresses) | {result['rps']:.0f} "
            f"| {result['rps'] / ceiling:.0%} | {result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} "
            f"| {result['errors'] + result['non2xx']} | {result['hit_rate']:.0%} |"
        )
    return "\n".join(lines)


def mixed_targets(results: dict[str, dict], *, ceiling: float) -> str:
    """The mixed rows of "Against the issue's targets" (between their own markers too)."""
    lines = []
    for kind, result in results.items():
        checks = [f"{result['rps'] / ceiling:.0%} of the ceiling (target ≥ 10%)"]
        if kind in ("category", "search"):
            checks.append(f"p95 {result['p95']:.0f} ms (target < 100 ms)")
        lines.append(f"- {mixed.KINDS[kind]}, mixed traffic: " + "; ".join(checks))
    return "\n".join(lines)


def write_mixed_only(results: dict[str, dict], *, ceiling: float, args) -> None:
    """`--mixed-only`: rewrite the two mixed parts of the catalog section, if a full run wrote them before."""
    table, checks = mixed_markdown(results, ceiling=ceiling, args=args), mixed_targets(results, ceiling=ceiling)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    if "<!-- bench:catalog-mixed -->" in text and "<!-- bench:catalog-mixed-targets -->" in text:
        write_section("catalog-mixed", table)
        write_section("catalog-mixed-targets", checks)
        say(f"rewrote the mixed-traffic part of the catalog section of {REPORT}")
    else:
        say(f"{REPORT} has no mixed-traffic part yet (a full catalog run writes it); the figures:")
        print(table + "\n\n" + checks, flush=True)


def catalog(args) -> int:
    if not shutil.which("wrk"):
        say("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk` (macOS)")
        return 2
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a generated database may predate the latest indexes
    if not args.skip_generate and listing_count() < args.listings * 0.99:
        say(f"generating {args.listings:,} listings (takes a while, once)")
        subprocess.run(
            [PY, "bench/generate.py", f"--listings={args.listings}", f"--sellers={args.sellers}",
             f"--categories={args.categories}"],
            cwd=BASE_DIR, env=server_env(), check=True,
        )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM catalog_listing WHERE status = 'published'), "
            "(SELECT count(*) FROM sellers_seller), (SELECT count(*) FROM catalog_category), version()"
        )
        listings, sellers, categories, version = cursor.fetchone()
    pages = targets()
    say(f"drawing {mixed.COUNT:,} addresses per page kind for the mixed traffic")
    files = mixed.write_sequences()
    connection.close()
    log = BASE_DIR / ".var" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    if args.mixed_only:
        say("mixed traffic with the anonymous page cache (alone)")
        mixed_results, ceiling = measure_mixed(files, args, log=log, ceiling=None)
        write_mixed_only(mixed_results, ceiling=ceiling, args=args)
        return 0
    load_before = os.getloadavg()[0]
    say("pages with the anonymous page cache (repeat visits of one address)")
    cached = measure_pages(pages, args, log=log, page_cache_seconds=30)
    say("pages rendered on every request (page cache off)")
    uncached = measure_pages(pages, args, log=log, page_cache_seconds=0)
    say("mixed traffic with the anonymous page cache (many addresses, Zipf popularity)")
    mixed_results, _ceiling = measure_mixed(
        files, args, log=log, ceiling=max(cached[0][2]["rps"], uncached[0][2]["rps"])
    )
    load_after = os.getloadavg()[0]
    rows = [
        (name, path, cached_result, uncached_result)
        for (name, path, cached_result), (*_, uncached_result) in zip(cached, uncached, strict=True)
    ]
    write_report(
        rows,
        mixed_results=mixed_results,
        args=args,
        counts={"listings": listings, "sellers": sellers, "categories": categories},
        pg=version.split(" on ")[0],
        load=(load_before, load_after),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
