"""Production configuration: `check --deploy` is clean with production variables; no secret key, no start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def production_environment(**overrides: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "XDG_RUNTIME_DIR", "DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV"}
    environment = {key: value for key, value in os.environ.items() if key in keep}
    environment.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.com",
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def run(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_a_weak_secret_key():
    # The guard is real: the same command fails when a production setting is unsafe.
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(DJANGO_SECRET_KEY="short"),
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_start_without_a_secret_key_fails_fast_with_a_clear_message():
    environment = production_environment()
    del environment["DJANGO_SECRET_KEY"]

    result = run(["-c", "import django; django.setup()"], environment)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable" in (
        result.stderr
    )
