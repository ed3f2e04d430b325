"""Personas and browser set-up shared by every app's tests.

Personas (healthchecks' alice/bob, Zulip's hamlet/cordelia): `user`/`other_user` are plain buyers'
accounts, `moderator` and `manager` are staff in their groups with MFA set up.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; ORM calls in the same test need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    """CHROMIUM_PATH, else the system chromium, else Playwright's own install (None: use Playwright's)."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _playwright_has_own_browser() -> bool:
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    return any(cache.glob("chromium*"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = find_chromium()
    if chromium is None and not _playwright_has_own_browser():
        pytest.fail(
            "No Chromium found for the browser tests. Install one: `apt-get install chromium` (Debian/Ubuntu), "
            "or set CHROMIUM_PATH=/path/to/chromium, or run `.venv/bin/playwright install chromium`.",
            pytrace=False,
        )
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if chromium:
        args["executable_path"] = chromium
    return args


@pytest.fixture
def client():
    """Django's test client speaking English: tests assert the English source strings.

    The product's default language is Russian; tests of the Russian interface ask for it explicitly
    (an `accept-language: ru` header, or `translation.override("ru")`).
    """
    from django.test import Client

    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages built outside a request (service errors, e-mails to no one in particular) in English too."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ru-RU",
        "timezone_id": "Europe/Moscow",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def _deferred_constraints_hold(request):
    """Test transactions never commit, so fire deferred constraints (the ledger's "sums to zero") before rollback.

    Every app that moves money gets the check, not only the ledger's and orders' own tests.
    """
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        return
    from django.db import connection

    if connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def password() -> str:
    return "correct-horse-battery-42"


def _make_user(email: str, password: str, **extra):
    from allauth.account.models import EmailAddress

    from marketplace.accounts.models import User

    user = User.objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _accept_current_terms(user) -> None:
    from marketplace.legal import selectors, services

    services.accept_documents(
        user=user, documents=selectors.documents_requiring_acceptance(), ip_address=None, source="test"
    )


def _make_staff(email: str, password: str, group: str):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    user = _make_user(email, password, is_staff=True, first_name=group[:-1])
    user.groups.add(Group.objects.get(name=group))
    TOTP.activate(user, TEST_TOTP_SECRET)
    _accept_current_terms(user)
    return user


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def user(db, password):
    user = _make_user("alice@example.com", password, first_name="Алиса", last_name="Иванова")
    _accept_current_terms(user)
    return user


@pytest.fixture
def other_user(db, password):
    user = _make_user("bob@example.com", password, first_name="Борис", last_name="Петров")
    _accept_current_terms(user)
    return user


@pytest.fixture
def moderator(db, password):
    return _make_staff("moderator@example.com", password, "Moderators")


@pytest.fixture
def other_moderator(db, password):
    return _make_staff("moderator2@example.com", password, "Moderators")


@pytest.fixture
def manager(db, password):
    return _make_staff("manager@example.com", password, "Managers")


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The current TOTP code for a staff persona (allauth refuses a code twice in one period)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """Make the serialised reference data visible to every connection object.

    Django keeps it on the connection that created the test database. Once Playwright's event loop
    runs in the test thread, later tests get other connection objects (asgiref contexts), which
    would silently skip the restore; a class attribute reaches them all.

    A kept database (`--reuse-db`, with or without `--create-db`) gets the reference rows back at the end of the
    session: the last transactional test ends with a flush, and the next session would otherwise start
    (and serialise) a database without staff groups, legal documents or the seller offer.
    """
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield django_db_setup
    if request.config.getvalue("reuse_db"):
        with django_db_blocker.unblock():
            for alias in connections:
                connection = connections[alias]
                contents = getattr(type(connection), "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests run last and restore the reference rows that data migrations create.

    Browser journeys, real-worker and race tests end with a flush that would also wipe staff groups,
    legal documents, the seller offer and other migration-made rows. Each such test therefore gets
    `serialized_rollback=True`: Django serialises the database once at set-up and restores it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or "live_server" in getattr(
            item, "fixturenames", ()
        )
        if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker is not None else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    # pytest-django puts transactional tests last, but pytest then regroups tests by parametrised
    # session fixtures (Playwright's browser_name), pulling browser journeys into the middle, where
    # their closing flush empties the database under the ordinary tests that follow. Sort again.
    items.sort(key=_db_order)


def _db_order(item: pytest.Item) -> int:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (marker is not None and marker.kwargs.get("transaction")) or "live_server" in fixtures:
        return 2  # last: each ends with a flush
    if marker is not None or "db" in fixtures:
        return 0
    return 1  # tests that manage the database themselves (real workers, outages) still see reference rows


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker (solo pool) on this run's test database and Celery queue, for the whole session.

    Yields the folder where the worker writes each e-mail as an .eml file. The worker sees only committed
    rows: a test writes them outside a test transaction and deletes them itself (as
    marketplace/notifications/tests/test_worker.py does), because the flush after a `transaction=True` test
    wipes the rows data migrations made for later runs. Mark such tests `@pytest.mark.celery_worker`.
    """
    import signal
    import subprocess
    import sys
    import time
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from marketplace.celery import app

    own_setup = None
    if connection.settings_dict["NAME"] != settings.DATABASES["default"]["TEST"]["NAME"]:
        # Only tests outside a test transaction were collected, so pytest-django made no test database.
        with django_db_blocker.unblock():
            own_setup = setup_databases(verbosity=0, interactive=False, keepdb=True, aliases={"default"})
    test_database = connection.settings_dict["NAME"]
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    log_path = mail_dir.parent / "celery-worker.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE  # this run's own queue (settings_test)
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + test_database)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings_test",
        "DATABASE_URL": urlunsplit(database_url),
        "EMAIL_URL": f"filemail://{mail_dir}",
        "MARKETPLACE_TEST_EMAIL_BACKEND": "marketplace.notifications.mailbox.EmlFileBackend",
        "MARKETPLACE_TEST_CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_DEBUG", None)
    node = f"pytest-{os.getpid()}@localhost"
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "-l", "warning"]
    command += ["-n", node, "-Q", queue, "--without-gossip", "--without-mingle"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=Path(__file__).parent, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[node], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start. Its log:\n{log_path.read_text()}", pytrace=False)
        yield mail_dir
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the task in hand (3-4 s)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if own_setup is not None:
            with django_db_blocker.unblock():
                teardown_databases(own_setup, verbosity=0, keepdb=True)


@pytest.fixture
def page_cache(settings):
    """The shared page cache on (real Redis), with a key prefix of its own so tests never see each other's pages."""
    import uuid

    from django.conf import settings as django_settings

    settings.MARKETPLACE_PAGE_CACHE_SECONDS = 30
    settings.MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 0
    pages = dict(django_settings.CACHES["pages"], KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    settings.CACHES = {**django_settings.CACHES, "pages": pages}


@pytest.fixture
def buyer(user):
    return user


@pytest.fixture
def other_buyer(other_user):
    return other_user


@pytest.fixture
def enqueued(request, monkeypatch) -> list[tuple[str, tuple]]:
    """Celery tasks recorded as (task name, args) instead of sent to the broker: tests run services and task
    functions themselves. A test that uses the real worker (`celery_worker_process`) sends them for real.

    Apps whose services enqueue tasks turn it on for every test with an autouse fixture in their conftest.
    """
    from celery.app.task import Task

    calls: list[tuple[str, tuple]] = []
    if "celery_worker_process" in request.fixturenames:
        return calls

    def record(self, args=None, kwargs=None, **options):
        calls.append((self.name.rsplit(".", 1)[-1], tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    return calls


@pytest.fixture
def seller(db, password):
    """An approved ИП with a storefront; `.user` is the owner's account (also the owner in the team)."""
    from sellers.tests.factories import make_seller

    user = _make_user("sergey.seller@example.com", password, first_name="Сергей", last_name="Продавцов")
    _accept_current_terms(user)
    return make_seller(user=user)


@pytest.fixture
def other_seller(db, password):
    """A second approved seller (an ООО), for "not yours" tests."""
    from sellers.models import LegalForm
    from sellers.tests.factories import make_seller

    user = _make_user("olga.seller@example.com", password, first_name="Ольга", last_name="Торговцева")
    _accept_current_terms(user)
    return make_seller(user=user, legal_form=LegalForm.LLC)
