"""What every benchmark in bench/ shares: its own database and Redis next to the configured ones, a gunicorn
server on loopback, and percentiles."""

from __future__ import annotations

import math
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable


def with_database(url: str, name: str) -> str:
    """A database URL with the database name replaced (same server, user and options)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def with_redis_db(url: str, number: int) -> str:
    """A Redis URL with the database number replaced, so a benchmark's queue never meets a worker's."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: `share` 0.95 is the smallest value at or above 95 % of the values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    port: int, *, env: dict[str, str], workers: int, log: Path, timeout: int = 60, extra: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn on loopback with sync workers; returns once /bench/bare answers (bench.settings serves it)."""
    command = [
        PY, "-m", "gunicorn", "marketplace.wsgi:application", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", "--timeout", str(timeout), "--chdir", str(BASE_DIR), *extra,
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=2) as response:
                if response.status == 200:
                    return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.25)
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
    stop_server(process)
    raise SystemExit(f"gunicorn did not answer; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def wrk_figures(values) -> dict[str, float]:
    """The figures every bench/*.lua line starts with (requests, rps, p50/p95/p99 in ms, errors, non-2xx)."""
    requests, rps, p50, p95, p99, errors, non2xx = values
    return {
        "requests": int(requests),
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "errors": int(errors),
        "non2xx": int(non2xx),
    }
