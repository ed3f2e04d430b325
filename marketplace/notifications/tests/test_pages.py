"""The notification centre, mark read / mark all read (with and without htmx) and the header bell."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.notifications import services
from marketplace.notifications.models import InboxItem

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
HTMX = {"HX-Request": "true", "HX-Target": "notification-list"}


def _notify(user, count: int = 1) -> list[InboxItem]:
    for _ in range(count):
        services.notify(recipient=user, kind="welcome")
    return list(InboxItem.objects.filter(recipient=user).order_by("-created_at"))


def test_user_sees_own_notifications_with_unread_highlighted(client, user, other_user):
    [item] = _notify(user)
    _notify(other_user)
    client.force_login(user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert list(response.context["items"]) == [item]
    html = response.content.decode()
    assert "list-group-item-primary" in html
    assert reverse("notifications:mark-read", args=[item.pk]) in html
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]


def test_empty_notification_centre_says_what_comes_here(client, user):
    client.force_login(user)

    response = client.get(LIST)

    assert "No notifications yet" in response.content.decode()


def test_unread_filter_shows_only_unread(client, user):
    first, second = _notify(user, 2)
    services.mark_read(actor=user, item=second)
    client.force_login(user)

    response = client.get(LIST, {"filter": "unread"})

    assert list(response.context["items"]) == [first]


def test_list_is_paginated(client, user):
    _notify(user, 25)
    client.force_login(user)

    first_page = client.get(LIST)
    second_page = client.get(LIST, {"page": 2})

    assert len(first_page.context["items"]) == 20
    assert len(second_page.context["items"]) == 5


def test_notification_list_query_count_does_not_grow_with_notifications(client, user):
    _notify(user)
    client.force_login(user)
    client.get(LIST)  # warm per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    _notify(user, 10)
    with CaptureQueriesContext(connection) as eleven:
        client.get(LIST)

    assert len(eleven) == len(one)


def test_user_marks_a_notification_read_without_javascript(client, user):
    [item] = _notify(user)
    client.force_login(user)

    response = client.post(reverse("notifications:mark-read", args=[item.pk]), {"filter": "unread", "page": "1"})

    assert response.status_code == 302
    assert response["Location"] == LIST + "?filter=unread"
    item.refresh_from_db()
    assert item.read_at is not None


def test_user_marks_a_notification_read_with_htmx_and_gets_the_list_back(client, user):
    [item] = _notify(user)
    client.force_login(user)

    response = client.post(reverse("notifications:mark-read", args=[item.pk]), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="notification-list"' in html
    assert "<html" not in html  # only the partial
    assert 'id="notification-bell"' in html
    assert 'hx-swap-oob="true"' in html
    item.refresh_from_db()
    assert item.read_at is not None


def test_marking_read_twice_keeps_the_first_time(client, user):
    [item] = _notify(user)
    client.force_login(user)
    client.post(reverse("notifications:mark-read", args=[item.pk]))
    item.refresh_from_db()
    first = item.read_at

    client.post(reverse("notifications:mark-read", args=[item.pk]))

    item.refresh_from_db()
    assert item.read_at == first


def test_user_marks_all_read(client, user, other_user):
    _notify(user, 3)
    [others] = _notify(other_user)
    client.force_login(user)

    response = client.post(reverse("notifications:mark-all-read"))

    assert response.status_code == 302
    assert not InboxItem.objects.filter(recipient=user, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None  # someone else's stay unread


def test_user_marks_all_read_with_htmx(client, user):
    _notify(user, 2)
    client.force_login(user)

    response = client.post(reverse("notifications:mark-all-read"), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "All notifications are marked as read." in html  # flash message out of band
    assert 'class="count-badge"' not in html


def test_mark_read_is_post_only(client, user):
    [item] = _notify(user)
    client.force_login(user)

    response = client.get(reverse("notifications:mark-read", args=[item.pk]))

    assert response.status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_user_cannot_mark_someone_elses_notification_read(client, user, other_user):
    [item] = _notify(other_user)
    client.force_login(user)

    response = client.post(reverse("notifications:mark-read", args=[item.pk]))

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_user_cannot_open_someone_elses_notification(client, user, other_user):
    [item] = _notify(other_user)
    client.force_login(user)

    response = client.get(reverse("notifications:open", args=[item.pk]))

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, user):
    [item] = _notify(user)
    client.force_login(user)

    response = client.get(reverse("notifications:open", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    item.refresh_from_db()
    assert item.read_at is not None


def test_opening_a_notification_never_redirects_off_site(client, user):
    [item] = _notify(user)
    InboxItem.objects.filter(pk=item.pk).update(link="https://evil.example/")
    client.force_login(user)

    response = client.get(reverse("notifications:open", args=[item.pk]))

    assert response["Location"] == LIST


def test_bell_shows_the_unread_count_and_links_to_the_centre(client, user):
    _notify(user, 3)
    client.force_login(user)

    response = client.get(reverse("notifications:bell"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{LIST}"' in html  # a plain link without JavaScript
    assert 'hx-trigger="every 30s"' in html
    assert '<span class="count-badge">3' in html
    assert response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


def test_header_bell_on_every_page_follows_the_unread_count(client, user):
    """The header's bell is counted by its part's builder (its HTML kept per count), not by the bell's own tag."""
    items = _notify(user, 3)
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()

    InboxItem.objects.filter(pk=items[0].pk).update(read_at=items[0].created_at)
    after_reading = client.get(reverse("home")).content.decode()

    assert '<span class="count-badge">3<span class="visually-hidden">' in home
    assert '<span class="count-badge">2<span class="visually-hidden">' in after_reading


def test_bell_without_unread_has_no_badge(client, user):
    client.force_login(user)

    response = client.get(reverse("notifications:bell"))

    assert "count-badge" not in response.content.decode()


def test_bell_counts_with_one_query(client, user):
    _notify(user, 5)
    client.force_login(user)
    client.get(reverse("notifications:bell"))

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications:bell"))

    counts = [query["sql"] for query in queries if "notifications_inboxitem" in query["sql"]]
    assert len(counts) == 1


def test_bell_stops_polling_for_a_signed_out_visitor(client):
    response = client.get(reverse("notifications:bell"))

    assert response.status_code == 286
    assert response.content == b""


def test_visitor_is_asked_to_sign_in_for_the_notification_centre(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
