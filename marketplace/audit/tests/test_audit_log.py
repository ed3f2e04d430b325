"""The audit log itself: append-only in PostgreSQL, read-only in admin for everyone, searchable and filterable."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Brand
from marketplace.audit import services
from marketplace.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def make_entry(actor, *, action=AuditAction.CHANGE, obj=None, **kwargs) -> AuditEntry:
    obj = obj or Brand.objects.create(name=f"Brand {AuditEntry.objects.count()}", slug=f"b{AuditEntry.objects.count()}")
    return services.record(actor=actor, action=action, obj=obj, **kwargs)


def test_record_keeps_only_changed_fields_and_masks_secrets(moderator):
    brand = Brand.objects.create(name="Abibas", slug="abibas")

    entry = services.record(
        actor=moderator,
        action=AuditAction.CHANGE,
        obj=brand,
        before={"name": "Abibas", "slug": "abibas"},
        after={"name": "Adidas", "slug": "abibas"},
        reason="typo",
    )

    assert (entry.before, entry.after, entry.reason) == ({"name": "Abibas"}, {"name": "Adidas"}, "typo")
    assert services.snapshot(moderator)["password"] == services.MASK


def test_record_refuses_an_unknown_action(moderator):
    with pytest.raises(ValueError, match="unknown audit action"):
        make_entry(moderator, action="approve")
    assert not AuditEntry.objects.exists()


def test_database_refuses_to_update_an_entry(moderator):
    entry = make_entry(moderator)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="covered up")

    entry.refresh_from_db()
    assert entry.reason == ""


def test_database_refuses_to_delete_an_entry_even_by_raw_sql(moderator):
    entry = make_entry(moderator)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_superuser_cannot_add_change_or_delete_entries_in_admin(client, superuser):
    entry = make_entry(superuser)
    client.force_login(superuser)
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])

    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    page = client.get(change_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "deletelink" not in html
    client.post(change_url, {"reason": "covered up"})
    entry.refresh_from_db()
    assert entry.reason == ""
    changelist = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert 'name="action"' not in changelist  # no bulk actions, not even "delete selected"


def test_manager_searches_the_log_by_staff_email_and_by_object(client, manager, moderator, other_moderator):
    mine = make_entry(moderator, obj=Brand.objects.create(name="Abibas", slug="abibas"))
    theirs = make_entry(other_moderator, obj=Brand.objects.create(name="Puma", slug="puma"))
    client.force_login(manager)
    url = reverse("admin:audit_auditentry_changelist")

    by_email = client.get(url, {"q": "moderator2@example.com"})
    by_object = client.get(url, {"q": "Abibas"})

    assert list(by_email.context["cl"].result_list) == [theirs]
    assert list(by_object.context["cl"].result_list) == [mine]


def test_manager_filters_the_log_by_person_action_type_and_object(client, manager, moderator, other_moderator):
    brand = Brand.objects.create(name="Abibas", slug="abibas")
    change = make_entry(moderator, obj=brand)
    view = make_entry(moderator, action=AuditAction.VIEW, obj=moderator)
    other = make_entry(other_moderator, obj=brand)
    client.force_login(manager)
    url = reverse("admin:audit_auditentry_changelist")

    def shown(**params):
        return set(client.get(url, params).context["cl"].result_list)

    assert shown(actor__id__exact=moderator.pk) == {change, view}
    assert shown(action__exact="view") == {view}
    assert shown(content_type__id__exact=change.content_type_id) == {change, other}
    assert shown(content_type=change.content_type_id, object_id=str(brand.pk)) == {change, other}


def test_moderator_reads_only_their_own_entries(client, moderator, other_moderator):
    mine = make_entry(moderator)
    theirs = make_entry(other_moderator)
    client.force_login(moderator)

    response = client.get(reverse("admin:audit_auditentry_changelist"))

    assert list(response.context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:audit_auditentry_change", args=[theirs.pk])).status_code == 302  # "not found"


def test_plain_user_cannot_open_the_audit_log(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:audit_auditentry_changelist"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_change_page_links_to_the_objects_audit_history(client, manager):
    brand = Brand.objects.create(name="Abibas", slug="abibas")
    make_entry(manager, obj=brand)
    client.force_login(manager)

    html = client.get(reverse("admin:catalog_brand_change", args=[brand.pk])).content.decode()

    assert reverse("admin:audit_auditentry_changelist") + "?content_type=" in html


def test_audit_log_list_query_count_does_not_grow_with_entries(client, manager):
    make_entry(manager)
    client.force_login(manager)
    url = reverse("admin:audit_auditentry_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(10):
        make_entry(manager)
    with CaptureQueriesContext(connection) as eleven:
        client.get(url)
    assert len(eleven) == len(one)
