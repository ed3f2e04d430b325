"""Test settings: the production module plus speed knobs only."""

import os

# Tests run with DEBUG off, like production; they need some key.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")

from .settings import *  # noqa: F403
from .settings import BASE_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real Celery worker started by a test writes .eml files the test can read (conftest.celery_worker_process).
EMAIL_BACKEND = env.str("MARKETPLACE_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".var" / "test-media"
PRIVATE_MEDIA_ROOT = BASE_DIR / ".var" / "test-private"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".var" / "test-celerybeat-schedule")
# Tests see every change at once; the page cache's own tests turn it on.
MARKETPLACE_PAGE_CACHE_SECONDS = 0
MARKETPLACE_CATALOG_TREE_CHECK_SECONDS = 0  # a rolled-back test's categories must not outlive it in this process
MARKETPLACE_CATALOG_SEARCH_PLAN_SECONDS = 0  # nor a plan made from its listings
MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS = 0  # nor its sellers' standing in search
MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 0  # nor its shelves (kept ones expiring mid-test changed query counts)
MARKETPLACE_TERMS_CHECK_SECONDS = 0  # nor the versions of the terms in force in it
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["marketplace.requests"]["level"] = "WARNING"  # noqa: F405

# Parallel local runs (several developers or helpers on one embedded server) use separate test databases.
_suffix = env.str("MARKETPLACE_TEST_DB_SUFFIX", default="")  # noqa: F405
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": "test_" + DATABASES["default"]["NAME"] + (f"_{_suffix}" if _suffix else "")  # noqa: F405
}

# Each test database has its own Celery queue: a worker started by one test run (or `make run`'s worker on the
# same Redis) never takes the tasks of another run, which would run them against the wrong database. The worker
# a test starts is told the queue of the run that started it.
_own_queue = "test-" + DATABASES["default"]["TEST"]["NAME"]  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = env.str("MARKETPLACE_TEST_CELERY_QUEUE", default=_own_queue)  # noqa: F405

# A test running a real `celery beat` (disputes/tests/test_beat.py) keeps only the schedule entries it names,
# each every MARKETPLACE_TEST_BEAT_SECONDS, so it waits seconds instead of the production interval.
_beat_only = env.list("MARKETPLACE_TEST_BEAT_ONLY", default=[])  # noqa: F405
if _beat_only:
    _beat_every = env.float("MARKETPLACE_TEST_BEAT_SECONDS", default=1.0)  # noqa: F405
    CELERY_BEAT_SCHEDULE = {
        name: {**entry, "schedule": _beat_every}
        for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
        if name in _beat_only
    }
