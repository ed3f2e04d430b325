"""`make run` / `make test` / `make bench`: one process that starts everything and stops everything.

run   embedded PostgreSQL + Redis (unless DATABASE_URL / REDIS_URL are set), migrate, seed_demo on the
      first start, then web (runserver), Celery worker and Celery beat with prefixed logs.
      Ctrl-C or SIGTERM stops every child and the embedded servers this launcher started.
test  the same bootstrap, then pytest (pytest-django makes its own test database).
bench the same bootstrap, then the benchmarks in bench/.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import engines

BASE_DIR = engines.BASE_DIR
VAR = engines.VAR
PY = sys.executable
COLOURS = {"web": "\033[36m", "worker": "\033[35m", "beat": "\033[33m", "launch": "\033[32m"}
RESET = "\033[0m"
_print_lock = threading.Lock()


def say(message: str, name: str = "launch") -> None:
    colour = COLOURS.get(name, "") if sys.stdout.isatty() else ""
    reset = RESET if colour else ""
    with _print_lock:
        print(f"{colour}{name:>6} |{reset} {message}", flush=True)


class Stop(Exception):
    pass


def _raise_stop(signum, frame):  # SIGTERM must run our finally blocks, unlike Python's default
    raise Stop


def bootstrap(*, db_name: str) -> tuple[dict[str, str], engines.Engines | None]:
    """Start the embedded engines unless the environment points elsewhere; return the child environment."""
    env = dict(os.environ)
    started = None
    need_pg, need_redis = not env.get("DATABASE_URL"), not env.get("REDIS_URL")
    if need_pg or need_redis:
        t0 = time.monotonic()
        started = engines.up((db_name,), postgres=need_pg, redis=need_redis)
        if need_pg:
            env["DATABASE_URL"] = started.database_url
        if need_redis:
            env["REDIS_URL"] = started.redis_url
        names = " and ".join(name for name, needed in (("PostgreSQL", need_pg), ("Redis", need_redis)) if needed)
        say(f"embedded {names} ready in {time.monotonic() - t0:.1f}s (data in {VAR})")
    if not (need_pg and need_redis):
        say(
            "using "
            + ", ".join(n for n, given in (("DATABASE_URL", not need_pg), ("REDIS_URL", not need_redis)) if given)
            + " from the environment"
        )
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env, started


def shutdown_engines(started: engines.Engines | None) -> None:
    if started is None:
        return
    if started.started_redis:
        engines.stop_redis()
    if started.started_postgres:
        engines.stop_postgres()
    if started.started_redis or started.started_postgres:
        say("embedded servers stopped")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _seed_marker(env: dict[str, str]) -> Path:
    digest = hashlib.sha256(env["DATABASE_URL"].encode()).hexdigest()[:12]
    return VAR / f"seeded-{digest}"


def _pump(name: str, stream) -> None:
    for raw in iter(stream.readline, b""):
        say(raw.decode("utf-8", "replace").rstrip(), name)


def _start(name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        args,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches only the launcher, which stops children in order
    )
    threading.Thread(target=_pump, args=(name, process.stdout), daemon=True).start()
    return process


# Stopped through its main process alone: a Celery worker then finishes the tasks its pool is running (warm
# shutdown). SIGTERM to its whole group killed the pool's processes mid-task, and Celery acknowledges a task whose
# process dies, late acknowledgement or not (WorkerLostError in the log, the task left to beat's sweep).
MAIN_PROCESS_ONLY = frozenset({"worker"})


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name in MAIN_PROCESS_ONLY:
                    process.send_signal(signal.SIGTERM)
                else:
                    os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20  # a Celery warm shutdown takes 3-4 s
    for name, process in processes.items():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
            if name in MAIN_PROCESS_ONLY:  # anything its group left behind
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in time; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_serving(url: str, processes: dict[str, subprocess.Popen], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes["web"].poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                return response.status in (200, 503)
        except urllib.error.HTTPError as error:
            return error.code in (200, 503)
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    return False


def _demo_logins() -> list[str]:
    from marketplace.devtools.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET

    lines = [f"{role:<10} {email}" for role, email in DEMO_LOGINS]
    lines.append(f"password for all demo accounts: {DEMO_PASSWORD}")
    lines.append(f"staff accounts use TOTP; authenticator secret: {DEMO_TOTP_SECRET}")
    lines.append("  (or print the current code: .venv/bin/python manage.py demo_totp)")
    return lines


def run() -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    port = os.environ.get("PORT", "8000")
    processes: dict[str, subprocess.Popen] = {}
    started = None
    t0 = time.monotonic()
    try:
        env, started = bootstrap(db_name=engines.DEFAULT_DB_NAME)
        env.setdefault("DJANGO_DEBUG", "true")
        env.setdefault("MARKETPLACE_SITE_URL", f"http://127.0.0.1:{port}")
        (VAR / "mail").mkdir(parents=True, exist_ok=True)
        env.setdefault("EMAIL_URL", f"filemail://{VAR / 'mail'}")
        say("applying migrations")
        manage(env, "migrate", "--noinput", "-v", "0")
        marker = _seed_marker(env)
        if not marker.exists():
            say("first start: loading demo data (seed_demo)")
            manage(env, "seed_demo")
            marker.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
        celery = [PY, "-m", "celery", "-A", "marketplace"]
        processes["web"] = _start("web", [PY, "manage.py", "runserver", f"127.0.0.1:{port}"], env)
        processes["worker"] = _start(
            "worker", [*celery, "worker", "--pool=prefork", "--concurrency=2", "-l", "info"], env
        )
        processes["beat"] = _start(
            "beat", [*celery, "beat", "-l", "info", "-s", str(VAR / "celerybeat-schedule"), "--pidfile="], env
        )
        if _wait_until_serving(f"http://127.0.0.1:{port}/healthz", processes):
            say(f"Marketplace is up in {time.monotonic() - t0:.1f}s: http://127.0.0.1:{port}/")
            say(f"admin: http://127.0.0.1:{port}/admin/   mailbox (sent e-mails): http://127.0.0.1:{port}/dev/mail/")
            for line in _demo_logins():
                say(line)
            say("press Ctrl-C to stop everything")
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        dead = [name for name, process in processes.items() if process.poll() is not None]
        say(f"{', '.join(dead)} exited; stopping the rest")
        return 1
    except (KeyboardInterrupt, Stop):
        say("stopping")
        return 0
    except subprocess.CalledProcessError as error:
        say(f"failed: {' '.join(map(str, error.cmd))} exited with {error.returncode}")
        return error.returncode or 1
    finally:
        # A second Ctrl-C or SIGTERM while stopping must not interrupt the stop and orphan the servers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(processes)
        shutdown_engines(started)


def test(pytest_args: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    started = None
    try:
        env, started = bootstrap(db_name=engines.DEFAULT_DB_NAME)
        env.pop("DJANGO_DEBUG", None)
        env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings_test"
        say("running pytest (real PostgreSQL, Redis, Celery worker and Chromium where tests need them)")
        # A fresh test database every run: a reused one may have been flushed by transactional tests.
        result = subprocess.run([PY, "-m", "pytest", "--create-db", *pytest_args], cwd=BASE_DIR, env=env, check=False)
        return result.returncode
    except (KeyboardInterrupt, Stop):
        return 130
    finally:
        if os.environ.get("MARKETPLACE_KEEP_ENGINES") != "1":
            shutdown_engines(started)


def bench(args: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    started = None
    try:
        env, started = bootstrap(db_name="marketplace_bench")
        if not (BASE_DIR / "bench" / "run.py").exists():
            say("no benchmarks in bench/ yet")
            return 0
        return subprocess.run([PY, "bench/run.py", *args], cwd=BASE_DIR, env=env, check=False).returncode
    except (KeyboardInterrupt, Stop):
        return 130
    finally:
        shutdown_engines(started)


def messages() -> int:
    env = dict(os.environ, DJANGO_DEBUG="true", DATABASE_URL=os.environ.get("DATABASE_URL", "postgresql://localhost/x"))
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    ignore = ["--ignore=.venv/*", "--ignore=.var/*", "--ignore=staticfiles/*", "--ignore=bench/*"]
    manage(env, "makemessages", "-l", "ru", "--no-obsolete", *ignore)
    manage(env, "compilemessages", "-l", "ru", "--ignore=.venv")
    return 0


def main(argv: list[str]) -> int:
    command, rest = (argv[1] if len(argv) > 1 else "run"), argv[2:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "bench":
        return bench(rest)
    if command == "messages":
        return messages()
    print("usage: python -m marketplace.devtools.launcher run|test|bench|messages", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
