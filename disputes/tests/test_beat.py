"""Auto-escalation by a real beat (issue 7, correctness): a `celery beat` process sends the dispute deadline task
on its schedule, a real worker runs it, and the dispute a silent seller left unanswered is escalated and assigned
to a moderator — no test code calls the task.

The beat keeps only the disputes' deadline entry, every second (MARKETPLACE_TEST_BEAT_ONLY / _SECONDS in
settings_test); it sends to this run's own queue, which the session's worker (conftest.celery_worker_process)
consumes against this run's test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from disputes import services
from disputes.models import DisputeStatus

from .conftest import overdue

pytestmark = [pytest.mark.celery_worker, pytest.mark.slow]

BEAT_ENTRY = "disputes-process-deadlines"
TIMEOUT = 60  # seconds: generous for a loaded 2-core machine (worker and beat start in a few seconds each)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole process group (beat and anything it forked), SIGKILL if it lingers: no orphans."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


@pytest.fixture
def celery_beat_process(transactional_db, celery_worker_process, tmp_path):
    """A real `celery beat` sending only the disputes' deadline task, every second, to this run's queue.

    Depends on `transactional_db`, so it stops before the database is flushed after the test."""
    log_path = tmp_path / "celery-beat.log"
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings_test",
        "DATABASE_URL": urlunsplit(database_url),
        "MARKETPLACE_TEST_CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "MARKETPLACE_TEST_BEAT_ONLY": BEAT_ENTRY,
        "MARKETPLACE_TEST_BEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_DEBUG", None)
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "beat", "-l", "info", "--max-interval", "1"]
    command += ["-s", str(tmp_path / "celerybeat-schedule"), "--pidfile", str(tmp_path / "celerybeat.pid")]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so _stop reaches every child
        )
    try:
        yield log_path
    finally:
        _stop(process)


def _wait_for_arbitration(dispute, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        dispute.refresh_from_db()
        if dispute.status == DisputeStatus.IN_ARBITRATION or time.monotonic() > deadline:
            return dispute
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_silent_sellers_dispute_is_escalated_and_assigned_by_the_real_beat_and_worker(
    celery_beat_process, delivered, buyer, seller, moderator
):
    dispute = services.open_dispute(
        order=delivered,
        actor=buyer,
        reason="not_as_described",
        description="Пришли кроссовки другого цвета.",
        desired_outcome="full_refund",
    )
    assert dispute.status == DisputeStatus.AWAITING_SELLER

    overdue(dispute)  # the seller's 3 days are over and the seller said nothing
    dispute = _wait_for_arbitration(dispute)

    beat_log = celery_beat_process.read_text(errors="replace")
    assert dispute.status == DisputeStatus.IN_ARBITRATION, f"not escalated in {TIMEOUT} s; beat log:\n{beat_log}"
    assert dispute.assigned_to == moderator
    assert [(e.to_status, e.actor_id) for e in dispute.events.all()] == [
        (DisputeStatus.AWAITING_SELLER, buyer.pk),
        (DisputeStatus.ESCALATED, None),  # nobody pressed a button: the beat did it
        (DisputeStatus.IN_ARBITRATION, None),
    ]
    assert dispute.is_open
    assert dispute.deadline_at is not None  # now the moderators' decision deadline
    assert f"Sending due task {BEAT_ENTRY} (disputes.tasks.process_due_disputes)" in beat_log
