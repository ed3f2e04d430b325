import pytest


@pytest.fixture(autouse=True)
def _tasks_recorded(enqueued):
    """Every test here records enqueued Celery tasks instead of sending them (the root conftest's `enqueued`)."""
