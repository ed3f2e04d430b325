"""How many machine instructions the app spends on each benchmarked page: a measure a busy machine cannot move.

    python bench/page_instructions.py [--requests 10] [--jobs 2] [--only search]   (DATABASE_URL of the `make bench` database)

On a shared machine both req/s and CPU time move by a fifth from one run to the next (bench/page_costs.py), too much
to see a 10 % change. This runs the pages in-process under valgrind's callgrind (`apt-get install valgrind`) and
counts the instructions the Python process executed for them: the same code and data give the same count within
a few per cent (5 % seen; the objects loaded by the warm-up are frozen out of the garbage collector first, as in a
gunicorn worker, and what the process checks every few seconds is checked in the warm-up only). Each page runs twice, with 0 and with N timed requests after the same 3 warm-up requests; the
difference divided by N is one request's cost (start-up and warm-up cancel out). PostgreSQL's share is not counted (it runs in
its own processes; bench/page_costs.py reports its CPU time). Under valgrind a request takes about a second.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench import page_costs  # noqa: E402

PAGES = dict(page_costs.PAGES)  # the same pages, the same addresses
WARM_UP = 3


def child(name: str, requests: int) -> None:
    """In the measured process: warm up, then `requests` more of the same page."""
    os.environ["MARKETPLACE_PAGE_CACHE_SECONDS"] = "0"
    from bench.run import django_setup

    django_setup()
    logging.disable(logging.CRITICAL)
    from django.conf import settings
    from django.test import Client

    # What a server checks every few seconds (the category tree's version, the terms in force) or keeps for a
    # minute (the home shelves) is spread over hundreds of requests when it is busy. Under valgrind a request
    # takes about a second, so those checks would land in some runs and not others: here they are done once,
    # in the warm-up.
    settings.MARKETPLACE_CATALOG_TREE_CHECK_SECONDS = 3600
    settings.MARKETPLACE_TERMS_CHECK_SECONDS = 3600
    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 3600

    from bench.run import targets

    found = dict(targets())
    path = PAGES[name].format(
        category=found["category page, three filters"].split("/")[2], listing=found["listing page"]
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="ru", HTTP_HOST="127.0.0.1")
    for number in range(WARM_UP + requests):
        if number == WARM_UP:
            freeze()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    if requests == 0:
        # the run without timed requests freezes too: left out, its exit collected every object loaded so far and
        # cost more than the other run's timed requests (negative counts)
        freeze()


def freeze() -> None:
    """As a gunicorn worker does (marketplace/wsgi.py): what is loaded stays out of the collector's full passes,
    which would otherwise land in one run and not the other and swamp the difference."""
    gc.collect()
    gc.freeze()


def instructions(name: str, requests: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--cache-sim=no", "--branch-sim=no", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", name, "--requests", str(requests),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed for {name!r}:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_request(name: str, requests: int) -> float:
    return (instructions(name, requests) - instructions(name, 0)) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="measured requests per page")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pages measured at once")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    names = [name for name in PAGES if args.only in name]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        counts = dict(zip(names, pool.map(lambda name: per_request(name, args.requests), names), strict=True))
    print("| page | million instructions per request (app process) |")
    print("| --- | ---: |")
    for name, count in counts.items():
        print(f"| {name} | {count / 1e6:.1f} |")


if __name__ == "__main__":
    main()
