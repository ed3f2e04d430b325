"""Checkout under load (issue 5): orders per second with 100 concurrent buyers, and a hot item.

    python bench/checkout.py [--clients 100] [--variants 1000] [--duration 60] [--workers 4]
                             [--hot-units 100] [--hot-attempts 10000]

DATABASE_URL and REDIS_URL come from the launcher (`make bench BENCH_ARGS="--only checkout"`). The benchmark
drops and recreates its own database next to DATABASE_URL's, `marketplace_checkout_bench`, migrates it and seeds
it (the catalogue set-based with bench/sql like bench/generate.py, then sellers' delivery methods, buyers with
accepted terms, an address, a signed-in session and, for the hot run, a cart holding the hot item). It serves
that database with gunicorn on loopback (production settings, `--workers` sync workers) and drives it with one
Python thread per buyer doing the real HTML flow over HTTP:

- throughput: each of `--clients` buyers repeats add to cart (POST) → checkout page (GET, the form and its
  checkout key) → place the order (POST, answered by a redirect to the payment page) for `--duration` seconds,
  each time for a random one of `--variants` in-stock variants;
- hot item: `--hot-attempts` buyers, each with the hot item in the cart, place the order (checkout POST) through
  `--clients` concurrent connections while only `--hot-units` units exist. Exactly that many must be sold, stock
  never goes below zero, and every other buyer gets the ordinary "out of stock" checkout page (no 5xx).

Sessions are created in the database as a login would create them, so password hashing is not what is timed.
Writes the "checkout" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from string import Template

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
PY = sys.executable
SQL_DIR = BASE_DIR / "bench" / "sql"
DB_NAME = "marketplace_checkout_bench"  # ends with "bench" like every benchmark database
# The server's after-commit Celery messages go to a Redis database no worker reads; emptied at the end.
REDIS_DB = 14
BUYER_DOMAIN = "checkout-bench.local"  # not "@bench.local": bench/sql/clear.sql removes those users

from bench.common import free_port, percentile, start_server, stop_server, with_database, with_redis_db  # noqa: E402
from bench.report import machine, n, now, write_section  # noqa: E402


def say(message: str) -> None:
    print(f"[checkout] {message}", flush=True)


# Database -----------------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the benchmark's own database (connecting to the server's maintenance database)."""
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    say(f"recreated database {DB_NAME}")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# Seed ---------------------------------------------------------------------------------------------------


@dataclass
class Buyer:
    user_id: int
    session_key: str
    address_id: int


@dataclass
class Seed:
    buyers: list[Buyer]  # the throughput clients, one buyer each
    hot_buyers: list[Buyer]  # one per hot attempt, each with the hot item in the cart
    variant_ids: list[int]  # in stock, for the throughput run (the hot variant excluded)
    hot_variant_id: int
    hot_seller_id: int
    hot_delivery_id: int
    sellers: int = 0
    listings: int = 0


def _catalogue(cursor, *, listings: int, sellers: int, categories: int) -> None:
    """The catalogue exactly as bench/generate.py builds it (same SQL files), at a small size."""
    from bench import generate

    roots = len(generate.ROOT_NAMES)
    mids_per_root = 9
    values = {
        "sellers": sellers,
        "listings": listings,
        "mids_per_root": mids_per_root,
        "leaves_per_mid": max(1, round((categories - roots - roots * mids_per_root) / (roots * mids_per_root))),
        "root_names": generate._sql_array(generate.ROOT_NAMES),
        "nouns": generate._sql_array(generate.NOUNS),
        "noun_count": len(generate.NOUNS),
        "adjectives": generate._sql_array(generate.ADJECTIVES),
        "adjective_count": len(generate.ADJECTIVES),
        "colors": generate._sql_array(generate.COLORS),
        "materials": generate._sql_array(generate.MATERIALS),
        "brands": generate._sql_array(generate.BRANDS),
    }
    for name in ("sellers", "categories", "brands", "listings", "variants", "photos"):
        cursor.execute(Template((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")).substitute(values))


def _buyers(cursor, *, prefix: str, count: int, documents: list[int]) -> list[tuple[int, int]]:
    """`count` buyers with the current terms accepted and a default address: [(user id, address id)]."""
    cursor.execute(
        """
        INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, language, time_zone,
                                   is_staff, is_active, date_joined)
        SELECT '!', false, %s || n || '@' || %s, 'Покупатель', n::text, '', 'ru', 'Europe/Moscow', false, true, now()
        FROM generate_series(1, %s) n
        RETURNING id
        """,
        [prefix, BUYER_DOMAIN, count],
    )
    user_ids = sorted(row[0] for row in cursor.fetchall())
    cursor.execute(
        """
        INSERT INTO legal_termsacceptance (user_id, terms_id, accepted_at, ip_address, source)
        SELECT u, t, now(), NULL, 'bench' FROM unnest(%s::bigint[]) u CROSS JOIN unnest(%s::bigint[]) t
        """,
        [user_ids, documents],
    )
    cursor.execute(
        """
        INSERT INTO buyers_address (user_id, recipient_name, phone, region, city, street, house, flat, postcode,
                                    is_default, created_at)
        SELECT u, 'Анна Смирнова', '+79123456789', 'Москва', 'Москва', 'Тверская', (u %% 200 + 1)::text, '',
               '125009', true, now()
        FROM unnest(%s::bigint[]) u
        RETURNING user_id, id
        """,
        [user_ids],
    )
    address_of = dict(cursor.fetchall())
    return [(user_id, address_of[user_id]) for user_id in user_ids]


def _sessions(pairs: list[tuple[int, int]]) -> list[Buyer]:
    """A database session per buyer, the same a login writes (user id, backend, password hash)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from marketplace.accounts.models import User

    # Every benchmark buyer has the same unusable password ("!"), so the same session hash.
    auth_hash = User(password=UNUSABLE_PASSWORD_PREFIX).get_session_auth_hash()
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    buyers, rows = [], []
    for user_id, address_id in pairs:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user_id),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: auth_hash,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        buyers.append(Buyer(user_id=user_id, session_key=key, address_id=address_id))
    Session.objects.bulk_create(rows, batch_size=2000)
    return buyers


def seed(
    *, variants: int, sellers: int, categories: int, buyers: int, hot_buyers: int, hot_units: int, stock: int
) -> Seed:
    """Fill an empty, migrated database (the benchmark's own, or a test database)."""
    from django.db import connection, transaction

    from marketplace.legal import selectors as legal_selectors

    documents = [document.pk for document in legal_selectors.documents_requiring_acceptance()]
    with transaction.atomic(), connection.cursor() as cursor:
        _catalogue(cursor, listings=variants + 1, sellers=sellers, categories=categories)
        # Every variant sells (the generator leaves some out of stock); one is the hot item with few units.
        cursor.execute("UPDATE catalog_listing SET in_stock = true")
        cursor.execute("UPDATE catalog_variant SET on_hand = %s, allocated = 0", [stock])
        cursor.execute(
            "SELECT v.id, v.seller_id FROM catalog_variant v JOIN catalog_listing l ON l.id = v.listing_id "
            "WHERE l.status = 'published' ORDER BY v.id"
        )
        rows = cursor.fetchall()
        (hot_variant_id, hot_seller_id), variant_ids = rows[0], [row[0] for row in rows[1:]]
        cursor.execute("UPDATE catalog_variant SET on_hand = %s WHERE id = %s", [hot_units, hot_variant_id])
        cursor.execute(
            """
            INSERT INTO orders_deliverymethod (created_at, updated_at, seller_id, kind, name, price_rule, price,
                                               free_above, price_per_kg, regions, days_min, days_max, is_active)
            SELECT now(), now(), id, 'courier', 'Курьер', 'flat', 300, NULL, NULL, '', 2, 5, true
            FROM sellers_seller
            """
        )
        cursor.execute("SELECT id FROM orders_deliverymethod WHERE seller_id = %s", [hot_seller_id])
        hot_delivery_id = cursor.fetchone()[0]
        clients = _buyers(cursor, prefix="buyer", count=buyers, documents=documents)
        hot = _buyers(cursor, prefix="hot", count=hot_buyers, documents=documents)
        cursor.execute(
            """
            WITH carts AS (
                INSERT INTO orders_cart (created_at, updated_at, user_id, session_key)
                SELECT now(), now(), u, '' FROM unnest(%s::bigint[]) u
                RETURNING id
            )
            INSERT INTO orders_cartline (cart_id, variant_id, quantity, price_when_added, saved_for_later, added_at)
            SELECT carts.id, v.id, 1, v.price, false, now() FROM carts CROSS JOIN catalog_variant v WHERE v.id = %s
            """,
            [[user_id for user_id, _address in hot], hot_variant_id],
        )
        cursor.execute("SELECT count(*) FROM sellers_seller")
        seller_count = cursor.fetchone()[0]
        return Seed(
            buyers=_sessions(clients),
            hot_buyers=_sessions(hot),
            variant_ids=variant_ids,
            hot_variant_id=hot_variant_id,
            hot_seller_id=hot_seller_id,
            hot_delivery_id=hot_delivery_id,
            sellers=seller_count,
            listings=len(rows),
        )


# HTTP clients -------------------------------------------------------------------------------------------

INPUT = re.compile(r"<input\b[^>]*>", re.S)
ATTR = re.compile(r'([a-zA-Z_:-]+)(?:="([^"]*)")?')


def _inputs(html: str) -> list[dict[str, str]]:
    return [dict((name, value or "") for name, value in ATTR.findall(tag[6:-1])) for tag in INPUT.findall(html)]


def checkout_form(html: str) -> dict[str, str] | None:
    """The fields a browser would submit from the checkout page (the pre-selected address and deliveries)."""
    form: dict[str, str] = {}
    for attrs in _inputs(html):
        name = attrs.get("name", "")
        hidden = name in ("csrfmiddlewaretoken", "checkout_key") and name not in form
        choice = (name == "address" or name.startswith("delivery_")) and ("checked" in attrs or name not in form)
        if hidden or choice:
            form[name] = attrs.get("value", "")
    return form if {"csrfmiddlewaretoken", "checkout_key", "address"} <= set(form) else None


def csrf_token(html: str) -> str | None:
    for attrs in _inputs(html):
        if attrs.get("name") == "csrfmiddlewaretoken":
            return attrs.get("value")
    return None


@dataclass
class Answer:
    status: int
    location: str
    body: str
    ms: float


class Browser:
    """One buyer's cookies over plain HTTP/1.1 on loopback (production cookies are Secure; we send them anyway)."""

    def __init__(self, host: str, port: int, *, session_cookie: str, session_key: str) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {session_cookie: session_key}

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(form or {}) if method == "POST" else None
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Answer(response.status, response.getheader("Location", ""), content, elapsed)


@dataclass
class Tally:
    """Latencies and statuses per step, shared by the client threads."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, step: str, answer: Answer) -> None:
        with self.lock:
            self.latencies.setdefault(step, []).append(answer.ms)
            self.statuses.setdefault(step, Counter())[answer.status] += 1
            if answer.status >= 500 and len(self.problems) < 5:
                self.problems.append(f"{step}: {answer.status} {answer.body[:200]!r}")

    def count(self, step: str, status: int) -> int:
        return self.statuses.get(step, Counter())[status]

    def server_errors(self) -> int:
        return sum(count for counter in self.statuses.values() for status, count in counter.items() if status >= 500)


@dataclass(frozen=True)
class Paths:
    cart: str
    cart_add: str
    checkout: str


def paths() -> Paths:
    from django.urls import reverse

    return Paths(cart=reverse("orders:cart"), cart_add=reverse("orders:cart-add"), checkout=reverse("orders:checkout"))


def run_throughput(
    *, host: str, port: int, seed: Seed, session_cookie: str, duration: float, per_client: int = 0
) -> dict:
    """Every buyer loops add to cart → checkout page → place order until time is up (or `per_client` orders)."""
    urls = paths()
    tally = Tally()
    orders = Counter()
    stop = threading.Event()
    ready = threading.Barrier(len(seed.buyers) + 1, timeout=600)

    def client(index: int, buyer: Buyer) -> None:
        rng = random.Random(index)
        browser = Browser(host, port, session_cookie=session_cookie, session_key=buyer.session_key)
        token = csrf_token(browser.request("GET", urls.cart).body)  # the first page a signed-in buyer opens
        ready.wait()
        placed = 0
        while not stop.is_set() and (per_client == 0 or placed < per_client):
            variant_id = rng.choice(seed.variant_ids)
            answer = browser.request("POST", urls.cart_add, {"csrfmiddlewaretoken": token, "variant": variant_id})
            tally.add("add to cart (POST)", answer)
            page = browser.request("GET", urls.checkout)
            tally.add("checkout page (GET)", page)
            form = checkout_form(page.body) if page.status == 200 else None
            if form is None:
                continue
            token = form["csrfmiddlewaretoken"]
            answer = browser.request("POST", urls.checkout, form)
            tally.add("place order (POST)", answer)
            if answer.status == 302 and "/pay/" in answer.location:
                placed += 1
                with tally.lock:
                    orders["placed"] += 1

    threads = [threading.Thread(target=client, args=(i, b), daemon=True) for i, b in enumerate(seed.buyers)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    if per_client == 0:
        time.sleep(duration)
        stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"tally": tally, "orders": orders["placed"], "elapsed": elapsed}


def run_hot(*, host: str, port: int, seed: Seed, session_cookie: str, csrf_cookie: str, clients: int) -> dict:
    """Each hot buyer (the item in the cart) places the order once, `clients` at a time."""
    urls = paths()
    tally = Tally()
    queue = list(reversed(seed.hot_buyers))
    queue_lock = threading.Lock()
    ready = threading.Barrier(clients + 1, timeout=600)

    def next_buyer() -> Buyer | None:
        with queue_lock:
            return queue.pop() if queue else None

    def client() -> None:
        # One browser tab per connection: it opened the checkout page once (its CSRF cookie and token stay valid
        # for every buyer it submits for); each buyer then submits the order with a fresh checkout key.
        first = seed.hot_buyers[0]
        browser = Browser(host, port, session_cookie=session_cookie, session_key=first.session_key)
        token = csrf_token(browser.request("GET", urls.checkout).body)
        csrf = browser.cookies[csrf_cookie]
        ready.wait()
        while (buyer := next_buyer()) is not None:
            browser.cookies = {session_cookie: buyer.session_key, csrf_cookie: csrf}
            form = {
                "csrfmiddlewaretoken": token,
                "checkout_key": str(uuid.uuid4()),
                "address": buyer.address_id,
                f"delivery_{seed.hot_seller_id}": seed.hot_delivery_id,
            }
            tally.add("place order (POST)", browser.request("POST", urls.checkout, form))

    lowest = [seed_available(seed)]
    done = threading.Event()

    def watcher() -> None:
        """Polls the hot item's available count (on hand − reserved) while the buyers fight for it."""
        from django.db import connection

        try:
            while not done.wait(0.1):
                lowest[0] = min(lowest[0], seed_available(seed))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    watching = threading.Thread(target=watcher, daemon=True)
    watching.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done.set()
    watching.join()
    lowest[0] = min(lowest[0], seed_available(seed))
    return {"tally": tally, "elapsed": elapsed, "lowest_available": lowest[0]}


def seed_available(seed: Seed) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT on_hand - allocated FROM catalog_variant WHERE id = %s", [seed.hot_variant_id])
        return cursor.fetchone()[0]


def hot_outcome(seed: Seed) -> dict[str, int]:
    """What the database says about the hot item after the run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(l.quantity), 0), count(DISTINCT o.id), count(DISTINCT o.buyer_id) "
            "FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
            "WHERE l.variant_id = %s AND o.status <> 'cancelled'",
            [seed.hot_variant_id],
        )
        units, orders, buyers = cursor.fetchone()
        cursor.execute("SELECT on_hand, allocated FROM catalog_variant WHERE id = %s", [seed.hot_variant_id])
        on_hand, allocated = cursor.fetchone()
    return {"units": units, "orders": orders, "buyers": buyers, "on_hand": on_hand, "allocated": allocated}


class LoadWatch:
    """Samples the machine's 1-minute load average every few seconds while the load runs."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples)


# Server -------------------------------------------------------------------------------------------------


# Report -------------------------------------------------------------------------------------------------


def _step_rows(tally: Tally) -> list[str]:
    rows = []
    for step, values in tally.latencies.items():
        statuses = ", ".join(f"{status}: {n(count)}" for status, count in sorted(tally.statuses[step].items()))
        rows.append(
            f"| {step} | {n(len(values))} | {percentile(values, 0.50):.0f} | {percentile(values, 0.95):.0f} "
            f"| {percentile(values, 0.99):.0f} | {statuses} |"
        )
    return rows


def report(*, args, seed: Seed, throughput: dict, hot: dict, outcome: dict, load: tuple[float, float], pg: str) -> str:
    tally, hot_tally = throughput["tally"], hot["tally"]
    post = tally.latencies.get("place order (POST)", [])
    rate = throughput["orders"] / throughput["elapsed"] if throughput["elapsed"] else 0
    sold = hot_tally.count("place order (POST)", 302)
    out_of_stock_pages = hot_tally.count("place order (POST)", 200)
    hot_ok = (
        outcome["units"] == args.hot_units == sold
        and outcome["allocated"] <= outcome["on_hand"]
        and hot["lowest_available"] >= 0
        and hot_tally.server_errors() == 0
    )
    verdict = (
        f"as required ({n(args.hot_units)} sold, stock never below zero, no error pages)"
        if hot_ok
        else "NOT as required, see above"
    )
    lines = [
        "## Checkout under load (issue 5)",
        "",
        f'Measured {now()} with `make bench BENCH_ARGS="--only checkout"` (`python bench/checkout.py` through the '
        f"launcher; its own database `{DB_NAME}`, dropped, migrated and seeded on every run).",
        "",
        f"- Data: {n(seed.listings)} published, in-stock variants from {n(seed.sellers)} sellers (catalogue rows from "
        "bench/sql like `bench/generate.py`), each seller with a flat courier delivery; "
        f"{n(len(seed.buyers))} throughput buyers and {n(len(seed.hot_buyers))} hot-item buyers, each with accepted "
        "terms, a default address and a signed-in session (written as a login writes it).",
        f"- Server: gunicorn, {args.workers} sync workers, production settings (DEBUG off), loopback; {pg}.",
        f"- Clients: {args.clients} Python threads on the same machine, one buyer and its cookies each, plain HTTP "
        f"(`http.client`), no think time: {machine()}. Client, server and PostgreSQL share the cores.",
        f"- Machine load average (1 min) at the start and the end of the run: {load[0]:.1f} and {load[1]:.1f}; "
        f"during the load {load[2]:.1f} on average, {load[3]:.1f} at most (sampled every 5 s). Above 2 the cores "
        "were oversubscribed, by this benchmark and by whatever else ran on the machine.",
        "",
        f"### {args.clients} buyers checking out for {throughput['elapsed']:.0f} s",
        "",
        "Each buyer repeats the real HTML flow: add a random variant to the cart (POST), open the checkout page "
        "(GET: the form with its CSRF token and checkout key), place the order (POST → redirect to the payment "
        "page). Placing the order reserves stock, creates the order group, one order and the payment.",
        "",
        f"**{rate:.1f} orders per second** ({n(throughput['orders'])} orders); place-order POST p50 "
        f"{percentile(post, 0.50):.0f} ms, **p95 {percentile(post, 0.95):.0f} ms**; "
        f"{tally.server_errors()} server errors.",
        "",
        "| step | requests | p50, ms | p95, ms | p99, ms | statuses |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *_step_rows(tally),
        "",
        "Latencies include waiting for a free worker: with "
        f"{args.clients} buyers and {args.workers} workers most of a request's time is queueing, so p95 grows with "
        "the number of buyers while orders per second stay at what the cores can do.",
        "",
        f"### Hot item: {n(len(seed.hot_buyers))} attempts for {n(args.hot_units)} units",
        "",
        f"{n(len(seed.hot_buyers))} buyers, each with the hot item in the cart, place the order through "
        f"{args.clients} concurrent connections (each connection opened the checkout page once; every attempt is a "
        "checkout POST with a fresh checkout key, as a reload of the page would give).",
        "",
        f"- Sold: **{n(sold)}** orders answered with the redirect to payment; the database holds "
        f"{n(outcome['units'])} units of the hot item in {n(outcome['orders'])} live orders of "
        f"{n(outcome['buyers'])} buyers.",
        f"- Stock: on hand {n(outcome['on_hand'])}, reserved {n(outcome['allocated'])}, available "
        f"{n(outcome['on_hand'] - outcome['allocated'])}; the lowest available count seen by a watcher polling "
        f"every 0.1 s during the run: {hot['lowest_available']} (a CHECK constraint keeps reserved ≤ on hand; "
        "the reservation is one conditional UPDATE).",
        f"- Everyone else: {n(out_of_stock_pages)} ordinary checkout pages saying the item is out of stock (200); "
        f"server errors (5xx): **{hot_tally.server_errors()}**.",
        f"- {n(len(seed.hot_buyers))} attempts in {hot['elapsed']:.0f} s "
        f"({len(seed.hot_buyers) / hot['elapsed']:.0f} per second); POST p50 "
        f"{percentile(hot_tally.latencies.get('place order (POST)', []), 0.50):.0f} ms, p95 "
        f"{percentile(hot_tally.latencies.get('place order (POST)', []), 0.95):.0f} ms.",
        f"- Result: {verdict}.",
        "",
        "Command:",
        "",
        "```",
        'make bench BENCH_ARGS="--only checkout"',
        "```",
        "",
    ]
    return "\n".join(lines)


# Main ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--sellers", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--hot-units", type=int, default=100)
    parser.add_argument("--hot-attempts", type=int, default=10_000)
    parser.add_argument("--no-report", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()

    from bench.run import server_env

    env = server_env()
    env["DATABASE_URL"] = with_database(os.environ["DATABASE_URL"], DB_NAME)
    env["REDIS_URL"] = with_redis_db(os.environ["REDIS_URL"], REDIS_DB)
    recreate_database(os.environ["DATABASE_URL"])
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    say(f"migrated in {time.monotonic() - started:.0f}s")
    started = time.monotonic()
    data = seed(
        variants=args.variants,
        sellers=args.sellers,
        categories=200,
        buyers=args.clients,
        hot_buyers=args.hot_attempts,
        hot_units=args.hot_units,
        stock=1_000_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    say(f"seeded {n(data.listings)} variants, {n(len(data.buyers) + len(data.hot_buyers))} buyers in "
        f"{time.monotonic() - started:.0f}s")  # fmt: skip
    connection.close()

    log = BASE_DIR / ".var" / "bench-checkout-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    port = free_port()
    load_before = os.getloadavg()[0]
    server = start_server(port, env=env, workers=args.workers, log=log, timeout=120, extra=("--backlog", "2048"))
    try:
        cookie = settings.SESSION_COOKIE_NAME
        say("warming up")
        run_throughput(
            host="127.0.0.1", port=port, seed=_first(data, 4), session_cookie=cookie, duration=0, per_client=2
        )
        with LoadWatch() as watch:
            say(f"throughput: {args.clients} buyers for {args.duration:.0f}s")
            throughput = run_throughput(
                host="127.0.0.1", port=port, seed=data, session_cookie=cookie, duration=args.duration
            )
            say(f"{throughput['orders']} orders in {throughput['elapsed']:.1f}s")
            say(f"hot item: {n(args.hot_attempts)} attempts for {args.hot_units} units")
            hot = run_hot(
                host="127.0.0.1",
                port=port,
                seed=data,
                session_cookie=cookie,
                csrf_cookie=settings.CSRF_COOKIE_NAME,
                clients=args.clients,
            )
    finally:
        stop_server(server)
        flush_redis(env["REDIS_URL"])
    load_after = os.getloadavg()[0]
    outcome = hot_outcome(data)
    say(f"hot item: {outcome}")
    markdown = report(
        args=args,
        seed=data,
        throughput=throughput,
        hot=hot,
        outcome=outcome,
        load=(load_before, load_after, watch.mean, max(watch.samples)),
        pg=pg,
    )
    if args.no_report:
        print(markdown)
    else:
        write_section("checkout", markdown)
        say("wrote the checkout section of docs/benchmarks.md")
    failed = outcome["units"] != args.hot_units or hot["tally"].server_errors() or throughput["tally"].server_errors()
    return 1 if failed else 0


def _first(data: Seed, count: int) -> Seed:
    """The same seed with only the first `count` throughput buyers (the warm-up)."""
    return Seed(**{**data.__dict__, "buyers": data.buyers[:count]})


if __name__ == "__main__":
    sys.exit(main())
