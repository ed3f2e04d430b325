"""A Celery worker killed (SIGKILL) in the middle of a rating recompute leaves no partial state; the next run
completes the same outbox rows and gives the same rows as a clean recompute.

The worker is made to stop half-way without any test-only setting: the test holds a row lock, from its own
connection, on one seller's rating row, so the worker's upsert waits inside its transaction after it has already
marked the outbox rows done and written the other sellers' rows. Then it is killed, the lock released, and the
database must show nothing of that transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from marketplace.celery import app
from orders.models import Incident, IncidentKind, Order, OrderGroup
from reviews import services
from reviews.models import RatingFlag, RatingRecompute, RecomputeStatus, SellerRating, SellerRatingHistory
from sellers.tests.factories import UserFactory, make_seller

from .factories import bare_orders, incident

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Outside a test transaction (the worker sees only committed rows); the test deletes what it wrote.

    Not `transaction=True`: its closing flush would empty the database under the committed-row tests after it.
    """
    with django_db_blocker.unblock():
        yield


ROOT = Path(__file__).resolve().parents[2]
TASK = "reviews.tasks.relay_rating_recomputes"


def _start_worker(queue: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    """A solo-pool worker on this run's test database, consuming only `queue`."""
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings_test",
        "DATABASE_URL": urlunsplit(database_url),
        "MARKETPLACE_TEST_CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_DEBUG", None)
    node = f"killed-{uuid.uuid4().hex[:8]}@localhost"
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "-l", "warning"]
    command += ["-n", node, "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[node], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start. Its log:\n{log_path.read_text()}", pytrace=False)
    return process, node


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _backend_waiting_on_rating_lock(log_path: Path, timeout: float = 30.0) -> int:
    """The worker's database backend, blocked on our row lock inside its recompute transaction."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_locks is live (pg_stat_activity would be frozen for the rest of our transaction).
            cursor.execute(
                "SELECT pid FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            row = cursor.fetchone()
            if row:
                return row[0]
            time.sleep(0.2)
    outbox = list(RatingRecompute.objects.values_list("seller_id", "status"))
    pytest.fail(f"The worker never reached the locked rating row ({outbox}). Its log:\n{log_path.read_text()}")


def _wait_gone(pid: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.2)
    pytest.fail(f"The killed worker's backend {pid} is still there.", pytrace=False)


def _snapshot(seller_ids: list[int]) -> dict:
    ratings = {
        row.seller_id: model_to_dict(row, exclude=["computed_at"])
        for row in SellerRating.objects.filter(seller_id__in=seller_ids)
    }
    history = {
        (row.seller_id, row.day): model_to_dict(row, exclude=["id"])
        for row in SellerRatingHistory.objects.filter(seller_id__in=seller_ids)
    }
    return {"ratings": ratings, "history": history}


def _wait_until_done(seller_ids: list[int], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = RatingRecompute.objects.filter(seller_id__in=seller_ids, status=RecomputeStatus.PENDING)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _delete(buyer, sellers) -> None:
    seller_ids = [seller.pk for seller in sellers]
    Incident.objects.filter(seller_id__in=seller_ids).delete()
    SellerRatingHistory.objects.filter(seller_id__in=seller_ids).delete()
    SellerRating.objects.filter(seller_id__in=seller_ids).delete()
    RatingRecompute.objects.filter(seller_id__in=seller_ids).delete()
    RatingFlag.objects.filter(seller_id__in=seller_ids).delete()
    groups = list(Order.objects.filter(seller_id__in=seller_ids).values_list("group_id", flat=True))
    Order.objects.filter(seller_id__in=seller_ids).delete()
    OrderGroup.objects.filter(pk__in=groups).delete()
    for seller in sellers:
        application, user = seller.application, seller.user
        seller.delete()
        application.delete()
        user.delete()
    buyer.delete()


def test_worker_killed_mid_recompute_leaves_no_partial_state_and_the_next_run_completes_it(committed_db, tmp_path):
    buyer = UserFactory()
    new, known, locked = make_seller(), make_seller(), make_seller()
    try:
        _killed_and_rerun(buyer, new, known, locked, tmp_path)
    finally:
        _delete(buyer, [new, known, locked])


def _killed_and_rerun(buyer, new, known, locked, tmp_path) -> None:
    seller_ids = [new.pk, known.pk, locked.pk]
    orders = {seller.pk: bare_orders(seller, buyer, 10) for seller in (new, known, locked)}
    services.recompute_sellers(seller_ids=[known.pk, locked.pk])  # their rows exist: quality 100
    for made in orders.values():
        incident(made[0], IncidentKind.LATE_SHIPMENT)  # each now deserves 50
    with transaction.atomic():
        for seller_id in seller_ids:
            services.request_recompute(seller_id=seller_id)
    outbox = sorted(
        RatingRecompute.objects.filter(seller_id__in=seller_ids, status=RecomputeStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    assert len(outbox) == 3
    before = _snapshot(seller_ids)
    assert set(before["ratings"]) == {known.pk, locked.pk}

    queue = f"test-killed-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    worker, _node = _start_worker(queue, log_path)
    try:
        with transaction.atomic():
            SellerRating.objects.select_for_update().get(seller=locked)  # the worker's upsert waits on this row
            app.send_task(TASK, queue=queue)
            backend = _backend_waiting_on_rating_lock(log_path)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        # The lock is released: the orphaned backend finishes its statement, finds its client gone, rolls back.
        _wait_gone(backend)
    finally:
        _stop(worker)

    assert worker.returncode == -signal.SIGKILL
    assert _snapshot(seller_ids) == before
    assert (
        sorted(
            RatingRecompute.objects.filter(pk__in=outbox, status=RecomputeStatus.PENDING).values_list("pk", flat=True)
        )
        == outbox
    )

    # The next run (the beat's every-minute relay, here sent at once) completes the same rows.
    worker, _node = _start_worker(queue, log_path)
    try:
        app.send_task(TASK, queue=queue)
        _wait_until_done(seller_ids)
    finally:
        _stop(worker)

    assert not RatingRecompute.objects.filter(pk__in=outbox, status=RecomputeStatus.PENDING).exists(), (
        log_path.read_text()
    )
    completed = _snapshot(seller_ids)
    assert {seller_id: row["quality_index"] for seller_id, row in completed["ratings"].items()} == dict.fromkeys(
        seller_ids, 50
    )

    # Same rows as a clean recompute from nothing.
    SellerRatingHistory.objects.filter(seller_id__in=seller_ids).delete()
    SellerRating.objects.filter(seller_id__in=seller_ids).delete()
    services.recompute_sellers(seller_ids=seller_ids)
    assert _snapshot(seller_ids) == completed
