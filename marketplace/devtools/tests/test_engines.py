"""The embedded PostgreSQL's tuning: the settings `make run` and `make test` apply to their own server.

The launcher test (test_launcher.py) checks them on a server it starts from nothing."""

from __future__ import annotations

import pytest

from marketplace.devtools import engines


@pytest.mark.parametrize(
    ("memory_mb", "expected"),
    [(256, 128), (2048, 512), (8192, 2048), (24 * 1024, 4096), (256 * 1024, 4096)],
)
def test_shared_buffers_are_a_quarter_of_memory_between_128_mb_and_4_gb(monkeypatch, memory_mb, expected):
    pages = memory_mb * 1024 * 1024 // 4096
    monkeypatch.setattr(engines.os, "sysconf", lambda name: 4096 if name == "SC_PAGE_SIZE" else pages)

    assert engines.shared_buffers_mb() == expected


def test_a_server_this_launcher_started_is_tuned_and_restarted(monkeypatch):
    monkeypatch.setattr(engines, "shared_buffers_mb", lambda: 4096)

    statements, restart = engines.tuning(max_connections=100, shared_buffers_now=128, was_running=False)

    assert statements == [
        f"ALTER SYSTEM SET max_connections = {engines.MAX_CONNECTIONS};",
        "ALTER SYSTEM SET shared_buffers = '4096MB';",
    ]
    assert restart is True


def test_a_server_another_launcher_uses_is_not_restarted_for_shared_buffers_alone(monkeypatch):
    monkeypatch.setattr(engines, "shared_buffers_mb", lambda: 4096)

    statements, restart = engines.tuning(
        max_connections=engines.MAX_CONNECTIONS, shared_buffers_now=128, was_running=True
    )

    assert statements == ["ALTER SYSTEM SET shared_buffers = '4096MB';"]  # taken at its next start
    assert restart is False


def test_a_tuned_server_is_left_alone(monkeypatch):
    monkeypatch.setattr(engines, "shared_buffers_mb", lambda: 4096)

    assert engines.tuning(max_connections=300, shared_buffers_now=4096, was_running=True) == ([], False)
