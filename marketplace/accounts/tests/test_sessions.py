"""Sessions are Django's database sessions, read by a prepared statement (marketplace.accounts.sessions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from marketplace.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_a_signed_in_buyer_stays_signed_in_from_page_to_page(client, user, password):
    client.post(reverse("account_login"), {"login": "alice@example.com", "password": password})

    response = client.get(PROFILE)

    assert response.status_code == 200
    assert "alice@example.com" in response.content.decode()


def test_a_session_written_by_djangos_own_store_is_read_and_the_other_way_round(user):
    theirs = DjangoSessionStore()
    theirs["colour"] = "чёрный"
    theirs.create()
    ours = SessionStore()
    ours["size"] = 42
    ours.create()

    assert SessionStore(theirs.session_key)["colour"] == "чёрный"
    assert DjangoSessionStore(ours.session_key)["size"] == 42


def test_an_expired_session_is_no_session(client, user):
    client.force_login(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "cookie",
    ["x" * 32, "a" * 5000, "abc\x00defghijklmnop", "clé-de-séssion-ñ12345678", "' OR 1=1 --abcdefgh", "%00%00%00%00"],
)
def test_a_forged_session_cookie_is_no_session_and_no_error(client, user, cookie):
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    home = client.get("/")
    profile = client.get(PROFILE)

    assert home.status_code == 200
    assert profile.status_code == 302
    assert Session.objects.count() == 0  # nothing was written for it either


def test_reading_a_session_is_one_prepared_statement(client, user, django_assert_num_queries):
    client.force_login(user)
    store = SessionStore(client.session.session_key)

    with django_assert_num_queries(1):
        assert store.get("_auth_user_id") == str(user.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%django_session%'")
        assert cursor.fetchall()
