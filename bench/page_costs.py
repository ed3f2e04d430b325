"""What each benchmarked page costs to render in one process, with nothing else running through it.

    python bench/page_costs.py [--requests 25]   (DATABASE_URL of the `make bench` database, REDIS_URL)

`make bench` measures throughput, which on a shared 2-core machine moves with whatever else runs there (its
ceiling has ranged from 1 300 to 2 350 req/s within an hour). This measures the other way: the median time of
each page rendered in-process through the whole middleware stack, page cache off, after 5 warm-up requests.
Run it on two checkouts one after the other (alternating a few times) to compare code; it writes nothing.

Beside the median wall time it reports the median CPU per request, which a busy neighbour moves far less: this process's
(`time.process_time`) and the PostgreSQL backend's serving it (`/proc/<pid>/schedstat`, nanoseconds on a CPU).
Their sum is what one page costs the machine; two cores serve about 2 000 / (app + db) pages a second.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.run import django_setup  # noqa: E402

PAGES = [
    ("home page", "/"),
    ("category page, three filters", "/c/{category}/?a_color=Чёрный&price_max=20000&in_stock=on"),
    ("search: a common word", "/search/?q=кроссовки"),
    ("search: a typo", "/search/?q=кросовки"),
    ("search: wrong keyboard layout", "/search/?q=rhjccjdrb"),
    # most searches of the mixed traffic are a model number (bench/sql/listings.sql: a letter and a number in
    # every title), a few dozen matches each: the page that shows "Found in categories" and "Sold by"
    ("search: a model number", "/search/?q=f653"),
    ("listing page", "{listing}"),
]


def backend_cpu_ns(pid: int) -> int:
    """Nanoseconds the PostgreSQL backend `pid` has spent on a CPU (0 when it runs on another machine)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=25, help="timed requests per page (median reported)")
    args = parser.parse_args()
    os.environ["MARKETPLACE_PAGE_CACHE_SECONDS"] = "0"
    django_setup()
    logging.disable(logging.CRITICAL)
    from django.test import Client

    from bench.run import targets

    found = dict(targets())
    category = found["category page, three filters"].split("/")[2]
    listing = found["listing page"]
    from django.db import connection

    client = Client(HTTP_ACCEPT_LANGUAGE="ru", HTTP_HOST="127.0.0.1")
    result = {}
    for name, pattern in PAGES:
        path = pattern.format(category=category, listing=listing)
        for _ in range(5):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        times, app_times, db_times = [], [], []
        backend = connection.connection.info.backend_pid  # the persistent connection the requests above used
        for _ in range(args.requests):
            app_started, db_started = time.process_time(), backend_cpu_ns(backend)
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            app_times.append((time.process_time() - app_started) * 1000)
            db_times.append((backend_cpu_ns(backend) - db_started) / 1e6)
        # Medians, like the wall time: one request in 25 that meets a garbage-collector pass or a cache refill
        # would otherwise move a mean by a fifth.
        app_ms, db_ms = statistics.median(app_times), statistics.median(db_times)
        if connection.connection.info.backend_pid != backend:
            raise SystemExit("the database connection changed during the run: set DB_CONN_MAX_AGE above 0")
        result[name] = {
            "ms": round(statistics.median(times), 1),
            "app_cpu_ms": round(app_ms, 1),
            "db_cpu_ms": round(db_ms, 1),
        }
        print(
            f"{name}: median {result[name]['ms']} ms; CPU per request: app {app_ms:.1f} ms, db {db_ms:.1f} ms",
            flush=True,
        )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
