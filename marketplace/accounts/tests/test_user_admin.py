"""Users in the admin: superusers manage staff; other staff see users read-only (or edit buyers only)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

import conftest as personas
from marketplace.accounts.models import User
from marketplace.accounts.roles import MANAGERS, MODERATORS

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.fixture
def superuser(db, password):
    admin = User.objects.create_superuser(email="root@example.com", password=password)
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    TOTP.activate(admin, personas.TEST_TOTP_SECRET)
    personas._accept_current_terms(admin)
    return admin


@pytest.fixture
def manager_who_may_change_users(manager):
    manager.user_permissions.add(Permission.objects.get(codename="change_user", content_type__app_label="accounts"))
    return User.objects.get(pk=manager.pk)  # fresh permission cache


def change_form_data(user: User, **overrides) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "language": user.language,
        "time_zone": user.time_zone,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [],
        "_save": "Save",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_superuser_finds_users_by_email_and_name(client, superuser, user, other_user):
    client.force_login(superuser)

    by_email = client.get(CHANGELIST, {"q": "alice@"})
    by_name = client.get(CHANGELIST, {"q": "Петров"})

    assert list(by_email.context["cl"].result_list) == [user]
    assert list(by_name.context["cl"].result_list) == [other_user]


def test_superuser_filters_staff_and_groups(client, superuser, user, moderator, manager):
    client.force_login(superuser)

    staff = client.get(CHANGELIST, {"is_staff__exact": "1"})
    moderators = client.get(CHANGELIST, {"groups__id__exact": Group.objects.get(name=MODERATORS).pk})

    assert set(staff.context["cl"].result_list) == {superuser, moderator, manager}
    assert list(moderators.context["cl"].result_list) == [moderator]


def test_superuser_adds_a_user_with_email_and_password(client, superuser):
    client.force_login(superuser)

    response = client.post(
        ADD,
        {
            "email": "Clerk@Example.com",
            "usable_password": "true",
            "password1": "ochen-dlinnyi-parol-1",
            "password2": "ochen-dlinnyi-parol-1",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(email="clerk@example.com")
    assert created.check_password("ochen-dlinnyi-parol-1")
    assert not created.is_staff
    address = EmailAddress.objects.get(user=created)
    assert (address.email, address.primary, address.verified) == ("clerk@example.com", True, False)


def test_adding_a_user_with_a_taken_email_shows_an_error_and_adds_nobody(client, superuser, user):
    client.force_login(superuser)
    count = User.objects.count()

    response = client.post(
        ADD,
        {
            "email": "ALICE@example.com",
            "usable_password": "true",
            "password1": "ochen-dlinnyi-parol-1",
            "password2": "ochen-dlinnyi-parol-1",
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == ["A user with this e-mail address already exists."]
    assert User.objects.count() == count


def test_superuser_makes_a_buyer_a_moderator(client, superuser, user):
    client.force_login(superuser)
    moderators = Group.objects.get(name=MODERATORS)

    response = client.post(change_url(user), change_form_data(user, is_staff="on", groups=[moderators.pk]))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.all()) == [moderators]


def test_admin_normalises_the_phone_and_rejects_garbage(client, superuser, user):
    client.force_login(superuser)

    client.post(change_url(user), change_form_data(user, phone="8 (912) 345-67-89"))
    user.refresh_from_db()
    assert user.phone == "+79123456789"

    response = client.post(change_url(user), change_form_data(user, phone="call me maybe"))
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.phone == "+79123456789"


def test_moderator_sees_users_read_only(client, moderator, user):
    client.force_login(moderator)

    assert client.get(CHANGELIST).status_code == 200
    page = client.get(change_url(user))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False

    response = client.post(change_url(user), change_form_data(user, first_name="Взлом", is_staff="on"))

    assert response.status_code == 403
    user.refresh_from_db()
    assert (user.first_name, user.is_staff) == ("Алиса", False)


def test_moderator_cannot_add_users(client, moderator):
    client.force_login(moderator)

    assert client.get(ADD).status_code == 403


def test_manager_who_may_change_users_edits_a_buyer_but_not_staff_flags(client, manager_who_may_change_users, user):
    client.force_login(manager_who_may_change_users)
    managers = Group.objects.get(name=MANAGERS)

    response = client.post(
        change_url(user),
        change_form_data(user, first_name="Алла", is_staff="on", is_superuser="on", groups=[managers.pk]),
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.first_name == "Алла"
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.groups.exists()


def test_manager_who_may_change_users_cannot_touch_a_staff_account(
    client, manager_who_may_change_users, moderator, password
):
    client.force_login(manager_who_may_change_users)
    password_url = reverse("admin:auth_user_password_change", args=[moderator.pk])

    edit = client.post(change_url(moderator), change_form_data(moderator, first_name="Взлом"))
    new_password = client.post(password_url, {"password1": "new-password-123", "password2": "new-password-123"})

    assert edit.status_code == 403
    assert new_password.status_code == 403
    moderator.refresh_from_db()
    assert moderator.first_name == "Moderator"
    assert moderator.check_password(password)


def test_only_superusers_delete_users(client, manager_who_may_change_users, superuser, user):
    client.force_login(manager_who_may_change_users)
    delete_url = reverse("admin:accounts_user_delete", args=[user.pk])

    assert client.get(delete_url).status_code == 403

    client.force_login(superuser)
    assert client.get(delete_url).status_code == 200
