"""Test-suite wiring loaded by pytest.ini (`-p marketplace.core.pytest_plugin`).

Transactional tests (browser journeys, real Celery workers, races) end with a flush that would also
wipe the reference rows data migrations create (staff groups, legal documents, the seller offer,
categories...). Every such test therefore gets `serialized_rollback=True`: Django serialises the
database once at set-up and restores it before each transactional test.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or "live_server" in getattr(
            item, "fixturenames", ()
        )
        if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker is not None else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
