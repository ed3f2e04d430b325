"""The catalogue pages as a signed-in buyer sees them (shared pages with the buyer's personal parts).

    python bench/signed_in.py [--duration 10]     (with DATABASE_URL of the `make bench` database and REDIS_URL)

Creates (or reuses) one buyer with the current terms accepted and a database session written as a login
writes it, serves the benchmark database with gunicorn like bench/run.py (page cache on, 30 s), checks that
each page answers 200 with the buyer's own header, then measures each page with wrk sending the session
cookie. Prints one line per page; nothing is written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.common import free_port, start_server, stop_server  # noqa: E402
from bench.run import LINE, WORKERS, django_setup, server_env, targets  # noqa: E402


def buyer_cookie() -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from marketplace.legal import selectors as legal_selectors
    from marketplace.legal import services as legal_services

    user, _ = get_user_model().objects.get_or_create(email="bench-buyer@example.com", defaults={"first_name": "Bench"})
    legal_services.accept_documents(
        user=user, documents=legal_selectors.documents_requiring_acceptance(), ip_address=None, source="bench"
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    django_setup()
    cookie = buyer_cookie()
    port = free_port()
    env = dict(server_env(), MARKETPLACE_PAGE_CACHE_SECONDS="30")
    server = start_server(port, env=env, workers=WORKERS, log=BASE_DIR / ".var" / "bench-signed-in.log")
    try:
        for name, path in targets():
            url = f"http://127.0.0.1:{port}{path}"
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                body = response.read().decode()
                assert response.status == 200, (name, response.status)
                assert "bench-buyer@example.com" in body or path == "/bench/bare", name
            output = subprocess.run(
                ["wrk", "-t2", "-c8", f"-d{args.duration}s", "--timeout", "10s", "-H", f"Cookie: {cookie}",
                 "-s", str(BASE_DIR / "bench" / "report.lua"), url],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            match = LINE.search(output)
            if match is None:
                raise SystemExit(f"unexpected wrk output:\n{output}")
            _requests, rps, p50, p95, p99, errors, non2xx = match.groups()
            print(f"{name}: {float(rps):.0f} req/s, p50 {p50} ms, p95 {p95} ms, p99 {p99} ms, errors {errors}, "
                  f"non-2xx {non2xx}", flush=True)  # fmt: skip
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
