"""Every staff action in Django admin leaves an audit entry: who, when, what, before/after, IP, request id."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from catalog.models import Brand, ForbiddenWord
from marketplace.audit.models import AuditAction, AuditEntry
from sellers.models import ApplicationStatus
from sellers.tests.factories import ApplicationFactory

from .conftest import form_data

pytestmark = pytest.mark.django_db


def entries(action: str | None = None):
    queryset = AuditEntry.objects.order_by("id")
    return list(queryset.filter(action=action) if action else queryset)


def test_manager_changing_a_brand_records_the_changed_field_before_and_after(client, manager):
    brand = Brand.objects.create(name="Abibas", slug="abibas")
    client.force_login(manager)
    url = reverse("admin:catalog_brand_change", args=[brand.pk])

    response = client.post(
        url,
        {**form_data(client.get(url)), "name": "Adidas"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_REQUEST_ID="req-12345678",
    )

    assert response.status_code == 302
    [entry] = entries(AuditAction.CHANGE)
    assert entry.actor == manager
    assert entry.actor_email == "manager@example.com"
    assert entry.content_type == ContentType.objects.get_for_model(Brand)
    assert entry.object_id == str(brand.pk)
    assert entry.object_repr == "Adidas"
    assert entry.before["name"] == "Abibas"
    assert entry.after["name"] == "Adidas"
    assert "created_at" not in entry.before  # unchanged fields are not copied
    assert entry.ip_address == "203.0.113.9"
    assert entry.request_id == "req-12345678"
    assert "Name" in entry.message or "name" in entry.message.lower()


def test_manager_adding_a_forbidden_word_records_an_addition(client, manager):
    client.force_login(manager)

    client.post(reverse("admin:catalog_forbiddenword_add"), {"phrase": "подделка", "is_active": "on"})

    [entry] = entries(AuditAction.ADD)
    word = ForbiddenWord.objects.get()
    assert entry.actor == manager
    assert entry.object_id == str(word.pk)
    assert entry.before == {}
    assert entry.after["phrase"] == "подделка"


def test_manager_deleting_a_forbidden_word_records_its_last_values(client, manager):
    word = ForbiddenWord.objects.create(phrase="реплика")
    client.force_login(manager)

    response = client.post(reverse("admin:catalog_forbiddenword_delete", args=[word.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not ForbiddenWord.objects.exists()
    [entry] = entries(AuditAction.DELETE)
    assert entry.actor == manager
    assert entry.object_id == str(word.pk)
    assert entry.object_repr == "реплика"
    assert entry.before["phrase"] == "реплика"
    assert entry.after == {}


def test_manager_deleting_selected_words_records_one_entry_each_after_the_confirmation(client, manager):
    words = [ForbiddenWord.objects.create(phrase=phrase) for phrase in ("копия", "реплика")]
    client.force_login(manager)
    url = reverse("admin:catalog_forbiddenword_changelist")
    selected = {"action": "delete_selected", "_selected_action": [word.pk for word in words]}

    client.post(url, selected)  # the confirmation page: nothing deleted, nothing recorded
    assert entries() == []
    client.post(url, {**selected, "post": "yes"})

    assert sorted(entry.object_repr for entry in entries(AuditAction.DELETE)) == ["копия", "реплика"]
    assert entries(AuditAction.ACTION) == []


def test_moderator_admin_action_records_each_selected_object_with_its_status_change(client, moderator):
    first = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    second = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    client.force_login(moderator)

    client.post(
        reverse("admin:sellers_sellerapplication_changelist"),
        {"action": "start_review_action", "_selected_action": [first.pk, second.pk]},
    )

    recorded = entries(AuditAction.ACTION)
    assert sorted(entry.object_id for entry in recorded) == sorted([str(first.pk), str(second.pk)])
    for entry in recorded:
        assert entry.actor == moderator
        assert entry.name == "start_review_action"
        assert entry.before["status"] == "submitted"
        assert entry.after["status"] == "in_review"
        assert entry.after["reviewer"] == moderator.pk


def test_moderator_decision_on_an_app_page_records_the_action_and_the_reason(client, moderator):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    client.force_login(moderator)
    client.post(reverse("admin:sellers_sellerapplication_review", args=[application.pk]))

    client.post(
        reverse("admin:sellers_sellerapplication_reject", args=[application.pk]),
        {"reason": "Документы не читаются"},
    )

    review, reject = entries(AuditAction.ACTION)
    assert (review.name, review.before["status"], review.after["status"]) == ("review", "submitted", "in_review")
    assert (reject.name, reject.before["status"], reject.after["status"]) == ("reject", "in_review", "rejected")
    assert reject.reason == "Документы не читаются"
    assert reject.actor == moderator


def test_an_invalid_decision_form_records_nothing(client, moderator):
    application = ApplicationFactory(status=ApplicationStatus.IN_REVIEW, reviewer=moderator)
    client.force_login(moderator)

    response = client.post(reverse("admin:sellers_sellerapplication_reject", args=[application.pk]), {"reason": ""})

    assert response.status_code == 200
    assert entries(AuditAction.ACTION) == []


def test_moderator_opening_a_users_page_records_a_view_of_personal_data(client, moderator, user):
    client.force_login(moderator)

    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]), REMOTE_ADDR="198.51.100.3")

    assert response.status_code == 200
    [entry] = entries(AuditAction.VIEW)
    assert entry.actor == moderator
    assert entry.object_id == str(user.pk)
    assert entry.content_type == ContentType.objects.get_for_model(user)
    assert entry.ip_address == "198.51.100.3"


def test_moderator_opening_a_seller_application_records_a_view(client, moderator):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    client.force_login(moderator)

    client.get(reverse("admin:sellers_sellerapplication_change", args=[application.pk]))

    [entry] = entries(AuditAction.VIEW)
    assert entry.object_id == str(application.pk)


def test_opening_a_page_without_personal_data_records_no_view(client, manager):
    brand = Brand.objects.create(name="Abibas", slug="abibas")
    client.force_login(manager)

    client.get(reverse("admin:catalog_brand_change", args=[brand.pk]))

    assert entries() == []


def test_superuser_putting_a_user_in_a_staff_group_records_the_groups_before_and_after(client, superuser, user):
    moderators = Group.objects.get(name="Moderators")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(client.get(url))

    response = client.post(url, {**data, "is_staff": "on", "groups": [moderators.pk]})

    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries(AuditAction.CHANGE)
    assert entry.actor == superuser
    assert entry.before == {"is_staff": False, "groups": []}
    assert entry.after == {"is_staff": True, "groups": [moderators.pk]}


def test_the_password_hash_never_reaches_the_log(client, superuser, user):
    client.force_login(superuser)

    client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "another-horse-battery-77", "password2": "another-horse-battery-77", "usable_password": "true"},
    )

    user.refresh_from_db()
    assert user.check_password("another-horse-battery-77")
    assert entries(AuditAction.CHANGE) or entries(AuditAction.ACTION)
    for entry in entries():
        assert user.password not in str(entry.before) + str(entry.after) + entry.message


def test_moderator_approving_a_listing_records_it_under_the_listing_not_the_queue_proxy(client, moderator):
    from catalog.models import Listing
    from catalog.tests.factories import make_listing, make_seller

    listing = make_listing(make_seller(), status="pending")
    client.force_login(moderator)

    client.post(reverse("admin:catalog_moderationitem_approve", args=[listing.pk]))

    [entry] = entries(AuditAction.ACTION)
    assert entry.content_type == ContentType.objects.get_for_model(Listing)
    assert (entry.name, entry.before["status"], entry.after["status"]) == ("approve", "pending_moderation", "published")
