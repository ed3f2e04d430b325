"""What the pages the shared page cache misses cost: distinct addresses of the mixed traffic, each asked once.

    python bench/cold_pages.py [--kind search] [--count 300]   (DATABASE_URL of the `make bench` database, REDIS_URL)

`make bench`'s mixed pass serves most requests from the page cache; the rest are addresses nobody asked for in
the last 30 seconds, which also find the process's own caches (search plans, planner estimates, card HTML) cold.
This renders a seeded sample of the mixed pass's distinct addresses (`.var/bench-mixed-<kind>.txt`, written by a
mixed run) once each, in-process through the whole middleware stack, page cache off, and reports the wall time's
median, 90th and 95th percentiles and the mean CPU per request of this process and of the PostgreSQL backend
serving it, then the slowest addresses with their slowest statements. It writes nothing.
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.page_costs import backend_cpu_ns  # noqa: E402
from bench.run import django_setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["search", "category", "listing"], default="search")
    parser.add_argument("--count", type=int, default=300, help="distinct addresses, each asked once")
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()
    source = BASE_DIR / ".var" / f"bench-mixed-{args.kind}.txt"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run the mixed pass first (make bench BENCH_ARGS=--mixed-only)")
    os.environ["MARKETPLACE_PAGE_CACHE_SECONDS"] = "0"
    django_setup()
    logging.disable(logging.CRITICAL)
    import gc

    from django.db import connection
    from django.test import Client

    addresses = list(collections.Counter(source.read_text().split()))
    random.Random(1).shuffle(addresses)
    client = Client(HTTP_ACCEPT_LANGUAGE="ru", HTTP_HOST="127.0.0.1")
    for address in addresses[-20:]:  # warm the process up on addresses outside the sample
        client.get(address)
    gc.freeze()  # as a gunicorn worker does after loading (marketplace/wsgi.py)
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    results = []
    with connection.execute_wrapper(timed):
        for address in addresses[: args.count]:
            statements.clear()
            backend = connection.connection.info.backend_pid if connection.connection else None
            app_started, started = time.process_time(), time.perf_counter()
            db_started = backend_cpu_ns(backend) if backend else 0
            status = client.get(address).status_code
            wall = (time.perf_counter() - started) * 1000
            app = (time.process_time() - app_started) * 1000
            db = (backend_cpu_ns(connection.connection.info.backend_pid) - db_started) / 1e6 if backend else 0.0
            results.append((wall, app, db, address, status, sorted(statements, reverse=True)[:2]))
    walls = sorted(result[0] for result in results)

    def share(fraction: float) -> float:
        return walls[min(len(walls) - 1, int(fraction * len(walls)))]

    print(
        f"{args.kind}: {len(results)} addresses once each; wall median {statistics.median(walls):.1f} ms, "
        f"p90 {share(0.9):.1f}, p95 {share(0.95):.1f}, max {walls[-1]:.1f}; CPU per request: "
        f"app {statistics.mean(r[1] for r in results):.1f} ms, db {statistics.mean(r[2] for r in results):.1f} ms"
    )
    for wall, app, db, address, status, slowest in sorted(results, key=lambda result: -result[0])[: args.slowest]:
        print(f"  {wall:6.1f} ms (app {app:.1f}, db {db:.1f}) {status} {urllib.parse.unquote(address)}")
        for took, sql in slowest:
            print(f"      {took:6.1f} ms  {sql[:120]}")


if __name__ == "__main__":
    main()
