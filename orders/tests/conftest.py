import pytest
from celery.app.task import Task
from django.db import connection


@pytest.fixture(autouse=True)
def enqueued(monkeypatch) -> list[tuple[str, tuple]]:
    """Tasks are recorded instead of sent to the broker; tests run services themselves."""
    calls: list[tuple[str, tuple]] = []

    def record(self, args=None, kwargs=None, **options):
        calls.append((self.name.rsplit(".", 1)[-1], tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    return calls


@pytest.fixture(autouse=True)
def _deferred_ledger_constraints_hold(request):
    """Test transactions never commit, so fire the ledger's deferred "sums to zero" triggers before rollback."""
    marker = request.node.get_closest_marker("django_db")
    yield
    if marker is None or marker.kwargs.get("transaction"):
        return
    if connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def buyer(user):
    return user


@pytest.fixture
def other_buyer(other_user):
    return other_user
