"""Staff roles: the Moderators and Managers groups exist after migrate, with exactly the permissions of roles.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from marketplace.accounts import roles

pytestmark = pytest.mark.django_db


def codes_of(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def existing(codes: set[str]) -> set[str]:
    return {
        code
        for code in codes
        if Permission.objects.filter(content_type__app_label=code.split(".")[0], codename=code.split(".")[1]).exists()
    }


def test_moderators_and_managers_groups_exist_after_migrate():
    assert set(Group.objects.filter(name__in=[roles.MODERATORS, roles.MANAGERS]).values_list("name", flat=True)) == {
        roles.MODERATORS,
        roles.MANAGERS,
    }


@pytest.mark.parametrize("group_name", [roles.MODERATORS, roles.MANAGERS])
def test_each_group_has_exactly_the_permissions_of_the_role_table(group_name):
    group = Group.objects.get(name=group_name)

    assert codes_of(group) == existing(roles.ROLE_PERMISSIONS[group_name])
    assert codes_of(group)  # never an empty role


def test_the_role_table_names_no_permission_that_does_not_exist():
    # A codename of a migrated app must exist: a typo would silently leave a role without its permission.
    migrated_apps = set(Permission.objects.values_list("content_type__app_label", flat=True))
    for codes in roles.ROLE_PERMISSIONS.values():
        for code in codes:
            app_label, _codename = code.split(".")
            if app_label in migrated_apps:
                assert code in existing({code}), f"{code} in ROLE_PERMISSIONS does not exist"


def test_syncing_again_changes_nothing_and_removes_extra_permissions():
    moderators = Group.objects.get(name=roles.MODERATORS)
    moderators.permissions.add(Permission.objects.get(codename="delete_user"))

    roles.sync_role_permissions()
    roles.sync_role_permissions()

    assert codes_of(moderators) == existing(roles.ROLE_PERMISSIONS[roles.MODERATORS])


def test_moderators_and_managers_are_staff_in_their_groups(moderator, manager):
    assert moderator.is_staff
    assert not moderator.is_superuser
    assert list(moderator.groups.values_list("name", flat=True)) == [roles.MODERATORS]
    assert list(manager.groups.values_list("name", flat=True)) == [roles.MANAGERS]
    assert moderator.has_perm("accounts.view_user")
    assert not moderator.has_perm("accounts.change_user")
