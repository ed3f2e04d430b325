"""Health of the parts the site depends on, for /healthz and operators."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DatabaseError, connection


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return False, error.__class__.__name__
    return True, "ok"


def broker_ok() -> tuple[bool, str]:
    timeout = settings.MARKETPLACE_HEALTH_TIMEOUT
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as error:
        return False, error.__class__.__name__
    return True, "ok"


def check_all() -> dict[str, dict[str, object]]:
    results = {}
    for name, check in (("database", database_ok), ("broker", broker_ok)):
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    return results
