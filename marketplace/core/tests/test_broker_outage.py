"""Redis is only the Celery broker: when it stops, /healthz says so while shopping and logins go on."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")


def test_healthz_reports_the_broker_when_redis_stops_while_pages_and_login_keep_working(
    client, settings, spare_redis, user, password
):
    settings.CELERY_BROKER_URL = spare_redis.url
    assert client.get(HEALTHZ).status_code == 200

    spare_redis.stop()

    health = client.get(HEALTHZ)
    assert health.status_code == 503
    assert health.json()["status"] == "fail"
    assert health.json()["failing"] == ["broker"]
    assert health.json()["checks"]["database"] == {"ok": True, "detail": "ok"}
    assert health.json()["checks"]["broker"]["ok"] is False
    # Catalogue pages and the login are served from PostgreSQL (sessions, cache, rate limits).
    assert client.get("/").status_code == 200
    assert client.get(reverse("account_login")).status_code == 200
    login = client.post(reverse("account_login"), {"login": "alice@example.com", "password": password})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_healthz_recovers_when_redis_is_back(client, settings, spare_redis):
    settings.CELERY_BROKER_URL = spare_redis.url
    spare_redis.stop()
    assert client.get(HEALTHZ).status_code == 503

    settings.CELERY_BROKER_URL = settings.REDIS_URL  # the main broker, which answers

    assert client.get(HEALTHZ).status_code == 200
