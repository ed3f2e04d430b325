"""/healthz: JSON with the state of the database and the broker; 200 when both answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")


def test_healthz_answers_200_with_both_parts_ok(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {"database": {"ok": True, "detail": "ok"}, "broker": {"ok": True, "detail": "ok"}},
    }


def test_healthz_is_public_and_never_cached(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200  # no login, although login is required by default
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Request-ID"]


def test_healthz_answers_only_get(client):
    assert client.post(HEALTHZ).status_code == 405


def test_healthz_names_the_broker_when_its_address_is_wrong(client, settings):
    from .conftest import free_port

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["checks"]["database"]["ok"] is True
