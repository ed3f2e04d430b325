"""The mixed-traffic pass of the catalogue benchmark (bench/mixed.py, bench/mixed.lua, bench/run.py) at a tiny
size: the popularity sequence, the search variants, the addresses drawn from the data, the Lua script's line and
the report's table, so the benchmark cannot rot unnoticed."""

from __future__ import annotations

import argparse
import collections
import http.server
import os
import random
import shutil
import subprocess
import threading
import urllib.parse

import pytest

from bench import mixed, run
from bench import report as bench_report


def test_the_zipf_sequence_is_the_same_for_the_same_seed_and_another_for_another_seed():
    first = mixed.zipf_sequence(500, length=20_000, seed="a")

    assert first == mixed.zipf_sequence(500, length=20_000, seed="a")
    assert first != mixed.zipf_sequence(500, length=20_000, seed="b")
    assert sorted(first) == sorted(mixed.zipf_sequence(500, length=20_000, seed="b"))


def test_the_zipf_sequence_asks_for_a_few_addresses_very_often_and_for_every_address_at_least_once():
    sequence = mixed.zipf_sequence(500, length=20_000, seed="a")
    counts = collections.Counter(sequence)

    assert set(counts) == set(range(500))
    assert counts[0] > 2 * counts[4] > 0
    assert counts[0] == pytest.approx(20_000 * mixed.zipf_weights(500)[0], abs=1)
    assert sum(counts[index] for index in range(5)) > 0.3 * len(sequence)  # top 1 % of the addresses
    assert sum(counts[index] for index in range(250, 500)) < 0.15 * len(sequence)  # the tail half
    assert len(set(sequence[:100])) > 20  # shuffled, not in rank order
    assert mixed.zipf_weights(500) == sorted(mixed.zipf_weights(500), reverse=True)
    assert sum(mixed.zipf_weights(500)) == pytest.approx(1)


def test_typo_and_wrong_layout_variants_of_a_search_word():
    assert mixed.dropped_letter("кроссовки", 4) == "кросовки"
    assert mixed.doubled_letter("куртка", 2) == "курртка"
    assert mixed.wrong_layout("кроссовки") == "rhjccjdrb"
    assert mixed.wrong_layout("ботинки") == ",jnbyrb"
    assert mixed.wrong_layout("nike") == "тшлу"
    rng = random.Random(1)
    for _ in range(50):
        variant = mixed.typo("кроссовки", rng)
        assert variant[0] == "к"
        assert len(variant) in (8, 10)
        shorter, longer = sorted(("кроссовки", variant), key=len)
        assert any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def test_search_queries_keep_the_most_frequent_words_on_top_and_mix_variants_into_the_tail():
    words = ["кроссовки", "куртка", "nike"] + [f"товар{number}" for number in range(1000)]

    queries = mixed.search_queries(words, 400, random.Random(7))

    assert queries == mixed.search_queries(words, 400, random.Random(7))
    assert len(queries) == len(set(queries)) == 400
    assert queries[:100] == words[:100]
    variants = [query for query in queries if query not in words[:280]]  # 70 % of 400 are words as they are
    assert len(variants) == 120
    layout = [query for query in variants if not any("а" <= char <= "я" for char in query)]
    assert len(layout) == 60  # "товарN" typed on QWERTY: no Cyrillic left
    assert all(mixed.en_layout_to_ru(query) in words for query in layout)


def test_the_lua_line_parses_into_figures_and_a_measured_hit_rate():
    line = (
        "MIXED requests=1000 rps=200.5 p50_ms=12.30 p95_ms=45.60 p99_ms=78.90 errors=0 non2xx=2 "
        "hits=600 misses=300 uncached=100\n"
    )

    result = mixed.parse("Running 5s test\n" + line)

    assert result["requests"] == 1000
    assert result["rps"] == 200.5
    assert (result["p50"], result["p95"], result["p99"]) == (12.3, 45.6, 78.9)
    assert (result["errors"], result["non2xx"]) == (0, 2)
    assert (result["hits"], result["misses"], result["uncached"]) == (600, 300, 100)
    assert result["hit_rate"] == 0.6
    with pytest.raises(ValueError, match="no MIXED line"):
        mixed.parse("BENCH requests=1 rps=1.0")


class _PageCacheLike(http.server.BaseHTTPRequestHandler):
    """Answers /a… like a cached page (miss the first time, hit after) and anything else without the header."""

    protocol_version = "HTTP/1.1"
    seen: collections.Counter = collections.Counter()
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            first = self.path not in self.seen
            self.seen[self.path] += 1
        body = b"ok"
        self.send_response(200)
        if self.path.startswith("/a"):
            self.send_header("X-Page-Cache", "miss" if first else "hit")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# .ci/run installs wrk, so in CI (CI=true) this always runs; a developer's `make test` without wrk skips it.
@pytest.mark.skipif(
    shutil.which("wrk") is None and not os.environ.get("CI"), reason="wrk is not installed (`apt-get install wrk`)"
)
def test_the_lua_script_walks_the_file_and_sums_the_cache_answers_of_every_thread(tmp_path):
    sequence = tmp_path / "sequence.txt"
    sequence.write_text("/a1\n/a2\n/b1\n/a1\n")
    _PageCacheLike.seen.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageCacheLike)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        command = mixed.wrk_command(
            f"http://127.0.0.1:{server.server_address[1]}", sequence, duration=1, connections=2, threads=2
        )
        result = mixed.parse(subprocess.run(command, capture_output=True, text=True, check=True, timeout=30).stdout)
    finally:
        server.shutdown()
        server.server_close()

    assert result["requests"] > 8
    assert result["hits"] + result["misses"] + result["uncached"] == result["requests"]
    assert result["misses"] == 2  # /a1 and /a2, once each
    assert result["uncached"] > 0  # /b1
    seen = _PageCacheLike.seen
    assert set(seen) == {"/a1", "/a2", "/b1"}
    assert seen["/a1"] > seen["/a2"]  # twice in the file


def _figures(rps: float, p95: float = 50.0) -> dict:
    return {"rps": rps, "p50": 10.0, "p95": p95, "p99": 90.0, "errors": 0, "non2xx": 0, "alone": 12.0}


def _mixed_results(rps: float) -> dict:
    return {
        kind: {**_figures(rps, p95=80.0), "distinct": 5000, "hit_rate": 0.75, "hits": 3, "misses": 1}
        for kind in mixed.KINDS
    }


def test_the_report_has_a_mixed_traffic_table_and_targets_and_the_mixed_pass_alone_rewrites_only_them(
    tmp_path, monkeypatch
):
    target = tmp_path / "benchmarks.md"
    target.write_text("# Benchmarks\n\nother sections\n")
    monkeypatch.setattr(run, "REPORT", target)
    monkeypatch.setattr(run, "write_section", lambda name, text: bench_report.write_section(name, text, target))
    args = argparse.Namespace(duration=5, connections=8, threads=2)
    rows = [
        ("bare Django view (ceiling)", "/bench/bare", _figures(1000), _figures(1000)),
        ("category page, three filters", "/c/x/", _figures(900), _figures(100)),
    ]

    run.write_report(
        rows,
        mixed_results=_mixed_results(300),
        args=args,
        counts={"listings": 10, "sellers": 2, "categories": 3},
        pg="PostgreSQL 16",
        load=(1.0, 2.0),
    )

    text = target.read_text()
    assert "other sections" in text
    assert "### Mixed traffic" in text
    assert "| category pages (5 000 addresses) | 300 | 30% | 10.0 | 80.0 | 90.0 | 0 | 75% |" in text
    assert "- searches, mixed traffic: 30% of the ceiling (target ≥ 10%); p95 80 ms (target < 100 ms)" in text
    assert "- listing pages, mixed traffic: 30% of the ceiling (target ≥ 10%)\n" in text
    assert text.index("### Mixed traffic") < text.index("Against the issue's targets")

    run.write_mixed_only(_mixed_results(500), ceiling=1000, args=args)

    rewritten = target.read_text()
    assert "| category pages (5 000 addresses) | 500 | 50% |" in rewritten
    assert "- listing pages, mixed traffic: 50% of the ceiling (target ≥ 10%)\n" in rewritten
    assert "| 300 | 30% |" not in rewritten
    outside = text.split("<!-- bench:catalog-mixed -->")[0]
    assert rewritten.startswith(outside)  # the repeated-address table and everything above it are untouched
    assert rewritten.count("<!-- bench:catalog -->") == rewritten.count("<!-- /bench:catalog -->") == 1


def test_the_mixed_pass_alone_prints_its_figures_when_the_report_has_no_place_for_them(tmp_path, monkeypatch, capsys):
    target = tmp_path / "benchmarks.md"
    target.write_text("# Benchmarks\n")
    monkeypatch.setattr(run, "REPORT", target)

    run.write_mixed_only(
        _mixed_results(500), ceiling=1000, args=argparse.Namespace(duration=5, connections=8, threads=2)
    )

    assert target.read_text() == "# Benchmarks\n"
    assert "| searches (5 000 addresses) | 500 | 50% |" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_drawn_addresses_are_pages_that_answer(tmp_path, client):
    from catalog.models import Attribute, AttributeType, SearchTerm
    from catalog.tests.factories import CategoryFactory, make_listing, make_seller

    root = CategoryFactory(name="Одежда", slug="odezhda")
    group = CategoryFactory(name="Обувь", slug="obuv", parent=root)
    leaf = CategoryFactory(name="Кроссовки", slug="krossovki", parent=group)
    Attribute.objects.create(
        category=leaf, code="color", name="Цвет", type=AttributeType.CHOICE, options=["Чёрный", "Белый"]
    )
    seller = make_seller()
    listings = [make_listing(seller, category=leaf, title=f"Кроссовки беговые {n}") for n in range(3)]
    assert SearchTerm.objects.filter(word__in=["кроссовки", "беговые"]).count() == 2  # publishing fills it

    files = mixed.write_sequences(count=30, directory=tmp_path)

    assert set(files) == set(mixed.KINDS)
    distinct = {kind: list(dict.fromkeys(path.read_text().splitlines())) for kind, (path, _count) in files.items()}
    assert files["category"][1] == len(distinct["category"]) == 30
    assert {address.split("?")[0] for address in distinct["category"]} == {leaf.get_absolute_url()}
    assert sorted(distinct["listing"]) == sorted(listing.get_absolute_url() for listing in listings)
    queries = {urllib.parse.parse_qs(urllib.parse.urlsplit(address).query)["q"][0] for address in distinct["search"]}
    assert {"кроссовки", "беговые"} <= queries
    for addresses in distinct.values():
        for address in addresses[:12]:
            assert client.get(address).status_code == 200, address
