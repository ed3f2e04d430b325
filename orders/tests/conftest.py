import pytest
from celery.app.task import Task


@pytest.fixture(autouse=True)
def enqueued(monkeypatch) -> list[tuple[str, tuple]]:
    """Tasks are recorded instead of sent to the broker; tests run services themselves."""
    calls: list[tuple[str, tuple]] = []

    def record(self, args=None, kwargs=None, **options):
        calls.append((self.name.rsplit(".", 1)[-1], tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    return calls


@pytest.fixture
def buyer(user):
    return user


@pytest.fixture
def other_buyer(other_user):
    return other_user
