"""The embedded PostgreSQL's tuning: the settings `make run` and `make test` apply to their own server."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from marketplace.devtools import engines


@pytest.mark.parametrize(
    ("memory_mb", "expected"),
    [(256, 128), (2048, 512), (8192, 2048), (24 * 1024, 4096), (256 * 1024, 4096)],
)
def test_shared_buffers_are_a_quarter_of_memory_between_128_mb_and_4_gb(monkeypatch, memory_mb, expected):
    pages = memory_mb * 1024 * 1024 // 4096
    monkeypatch.setattr(engines.os, "sysconf", lambda name: 4096 if name == "SC_PAGE_SIZE" else pages)

    assert engines.shared_buffers_mb() == expected


@pytest.mark.django_db
def test_the_embedded_server_runs_with_the_tuned_page_cache():
    if str(engines.PGDATA) not in os.environ.get("DATABASE_URL", ""):
        pytest.skip("an external PostgreSQL keeps its own settings")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setting::bigint * 8 / 1024, pending_restart FROM pg_settings WHERE name = 'shared_buffers'"
        )
        megabytes, pending_restart = cursor.fetchone()
    # a server that was already running when the launcher started (another `make run`) takes it at its next start
    assert megabytes >= engines.shared_buffers_mb() or pending_restart
