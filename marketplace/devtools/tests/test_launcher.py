"""`make run`'s launcher on its own embedded engines: serves, seeds once, stops everything on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from marketplace.devtools import engines

BASE_DIR = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(var_dir: Path, port: int, log_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(MARKETPLACE_VAR_DIR=str(var_dir), PORT=str(port), EMAIL_URL=f"filemail://{var_dir / 'mail'}")
    env.pop("MARKETPLACE_REDIS_PORT", None)
    return subprocess.Popen(
        [sys.executable, "-m", "marketplace.devtools.launcher", "run"],
        cwd=BASE_DIR,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _wait_for_line(log_path: Path, text: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if text in log_path.read_text(errors="replace"):
            return time.monotonic() - started
        assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not seen in {timeout}s:\n" + log_path.read_text(errors="replace")[-3000:])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return response.status, response.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_and_assert_nothing_left(process: subprocess.Popen, var_dir: Path) -> None:
    postmaster_pid = int((var_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    redis_pid = int((var_dir / "redis" / "redis.pid").read_text().strip())
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_alive(postmaster_pid) or _alive(redis_pid)):
        time.sleep(0.2)
    assert not _alive(postmaster_pid), "embedded PostgreSQL left running"
    assert not _alive(redis_pid), "embedded Redis left running"
    leftovers = subprocess.run(["pgrep", "-f", str(var_dir)], capture_output=True, text=True, check=False).stdout
    assert leftovers.strip() == "", f"processes left behind: {leftovers}"


def test_stopping_lets_the_workers_running_task_finish(tmp_path):
    """The worker's main process alone gets SIGTERM (Celery's warm shutdown waits for its pool's tasks); its pool
    process, in the same group, finishes the task it is running instead of being killed with the group."""
    from marketplace.devtools import launcher

    done = tmp_path / "task-done"
    pool = f"import pathlib, time; time.sleep(1.5); pathlib.Path({str(done)!r}).write_text('done')"
    main = (  # like Celery's main process on SIGTERM: it waits for its pool, then exits
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: None)\n"
        f"pool = subprocess.Popen([sys.executable, '-c', {pool!r}])\n"
        "while pool.poll() is None: time.sleep(0.05)\n"
    )
    worker = launcher._start("worker", [sys.executable, "-c", main], dict(os.environ))
    time.sleep(0.5)  # the pool process is running its task

    launcher._stop({"worker": worker})

    assert worker.returncode == 0
    assert done.read_text() == "done"


def test_make_run_serves_demo_site_and_stops_everything_on_sigterm(tmp_path):
    var_dir, port = tmp_path / "var", _free_port()

    first = _start(var_dir, port, tmp_path / "first.log")
    try:
        _wait_for_line(tmp_path / "first.log", "Marketplace is up", first, timeout=600)
        home_status, _ = _get(f"http://127.0.0.1:{port}/")
        health_status, health_body = _get(f"http://127.0.0.1:{port}/healthz")
        with psycopg.connect(host=str(var_dir / "pgdata"), dbname="postgres", user="postgres") as connection:
            tuned = connection.execute(
                "SELECT name, setting::int FROM pg_settings WHERE name IN ('max_connections', 'shared_buffers')"
            ).fetchall()
    finally:
        _stop_and_assert_nothing_left(first, var_dir)

    assert home_status == 200
    assert health_status == 200
    assert json.loads(health_body)["status"] == "ok"
    # the embedded server runs with the launcher's tuning (shared_buffers counts 8 kB pages)
    assert dict(tuned) == {
        "max_connections": engines.MAX_CONNECTIONS,
        "shared_buffers": engines.shared_buffers_mb() * 128,
    }
    first_log = (tmp_path / "first.log").read_text()
    assert "first start: loading demo data" in first_log
    assert "buyer@marketplace.demo" in first_log

    second = _start(var_dir, port, tmp_path / "second.log")
    try:
        seconds = _wait_for_line(tmp_path / "second.log", "Marketplace is up", second, timeout=60)
    finally:
        _stop_and_assert_nothing_left(second, var_dir)

    assert "first start" not in (tmp_path / "second.log").read_text()
    assert seconds < 30
