"""PostgreSQL unreachable: /healthz names the database, pages answer the styled 503, and the site recovers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from .conftest import free_port


@pytest.fixture
def database(django_db_setup, django_db_blocker):
    """The test database, used outside a test transaction, that can be lost (`.lose()`) and restored.

    No transaction wraps these tests and they write nothing (a transactional test would end with a flush that
    wipes the rows data migrations made). The connection is switched to an address where no PostgreSQL
    listens, exactly what the site meets when the server goes away.
    """

    class Database:
        original = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}

        def lose(self) -> None:
            connection.close()
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))

        def restore(self) -> None:
            connection.close()
            connection.settings_dict.update(self.original)

    database = Database()
    with django_db_blocker.unblock():
        yield database
        database.restore()


@pytest.fixture
def visitor() -> Client:
    # Errors must come back as pages, not be re-raised into the test.
    return Client(raise_request_exception=False, headers={"accept-language": "en"})


@pytest.fixture
def signed_in_visitor(visitor) -> Client:
    """A browser with a session cookie: its session (and user) is read from PostgreSQL in a middleware."""
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "s" * 32
    return visitor


def assert_outage_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The marketplace is temporarily unavailable" in response.content.decode()
    assert response["X-Request-ID"] in response.content.decode()  # the reference support can look up


def test_healthz_names_the_database_when_postgres_is_unreachable(visitor, database):
    database.lose()

    response = visitor.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["broker"]["ok"] is True


def test_signed_in_visitor_gets_the_outage_page_when_the_session_cannot_be_read(signed_in_visitor, database):
    database.lose()

    assert_outage_page(signed_in_visitor.get("/"))


def test_a_page_whose_view_queries_the_database_answers_the_outage_page(visitor, database):
    database.lose()

    assert_outage_page(visitor.get(reverse("legal:document", kwargs={"kind": "terms"})))


def test_site_recovers_by_itself_when_postgres_is_back(signed_in_visitor, database):
    database.lose()
    assert signed_in_visitor.get("/").status_code == 503
    assert signed_in_visitor.get(reverse("healthz")).status_code == 503

    database.restore()

    assert signed_in_visitor.get("/").status_code == 200
    assert signed_in_visitor.get(reverse("healthz")).status_code == 200
    assert signed_in_visitor.get(reverse("healthz")).status_code == 200
