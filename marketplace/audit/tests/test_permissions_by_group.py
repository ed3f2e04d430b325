"""Permissions by group (issue 7): the whole map, asserted here so that every change to it is deliberate.

Moderators moderate content and sellers (and later decide disputes) but post nothing to the ledger; Managers
read reports (the ledger, read-only), publish announcements and keep the catalogue's vocabularies; only
superusers manage staff (no group holds a permission on users, groups or permissions beyond viewing users).
The audit log is read-only for everyone: Managers read all of it, Moderators their own actions.

A new app adding permissions to ROLE_PERMISSIONS adds its expected set below in the same commit.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from marketplace.accounts.roles import MANAGERS, MODERATORS, ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

EXPECTED: dict[str, dict[str, set[str]]] = {
    MODERATORS: {
        "accounts": {"view_user"},
        "audit": {"view_auditentry"},
        "catalog": {
            "change_listingquestion",
            "change_listingreport",
            "change_moderationitem",
            "moderate_listing",
            "view_brand",
            "view_category",
            "view_forbiddenword",
            "view_listing",
            "view_listingquestion",
            "view_listingreport",
            "view_listingrevision",
            "view_moderationitem",
            "view_rejectionreason",
        },
        "reviews": {
            "change_productreview",
            "change_ratingflag",
            "change_sellerreview",
            "view_incidentappeal",
            "view_productreview",
            "view_ratingflag",
            "view_reviewreport",
            "view_sellerrating",
            "view_sellerreview",
            "view_sellerstandards",
        },
        "disputes": {
            "add_internalnote",
            "add_messagingblock",
            "approve_dispute_decision",
            "change_message",
            "change_messagingblock",
            "change_risksignal",
            "resolve_dispute",
            "view_conversation",
            "view_decision",
            "view_dispute",
            "view_evidence",
            "view_internalnote",
            "view_message",
            "view_messagingblock",
            "view_risksignal",
        },
        "legal": {"view_platformterms"},
        "notifications": {"view_delivery", "view_notification"},
        "sellers": {
            "approve_sanction_request",
            "decide_sellercase",
            "review_bankdetailschange",
            "review_sellerapplication",
            "sanction_seller",
            "view_announcement",
            "view_applicationdocument",
            "view_bankdetailschange",
            "view_sanction",
            "view_sanctionrequest",
            "view_seller",
            "view_sellerapplication",
            "view_sellercase",
            "view_storefront",
        },
    },
    MANAGERS: {
        "accounts": {"view_user"},
        "audit": {"view_all_auditentries", "view_auditentry"},
        "catalog": {
            *(
                f"{action}_{model}"
                for action in ("add", "change", "delete", "view")
                for model in (
                    "attribute",
                    "brand",
                    "category",
                    "forbiddenword",
                    "packagingrequirement",
                    "rejectionreason",
                )
            ),
            "view_listing",
            "view_moderationitem",
        },
        "disputes": {"view_conversation", "view_decision", "view_dispute", "view_risksignal"},
        "reviews": {
            "add_sellerstandards",
            "view_ratingrecompute",
            "view_sellerrating",
            "view_sellerstandards",
            *(f"{action}_reviewaspect" for action in ("add", "change", "delete", "view")),
        },
        "ledger": {
            "view_ledgeraccount",
            "view_ledgerentry",
            "view_ledgerreference",
            "view_ledgertransaction",
            "view_payment",
            "view_paymentevent",
            "view_paymentrefund",
            "view_paymentstatuschange",
            "view_payout",
            "view_payoutevent",
        },
        "legal": {"add_platformterms", "change_platformterms", "view_platformterms", "view_termsacceptance"},
        "notifications": {"change_delivery", "view_delivery", "view_marketingconsent", "view_notification"},
        "sellers": {
            "add_announcement",
            "change_announcement",
            "publish_announcement",
            "sanction_seller",
            "view_announcement",
            "view_sanction",
            "view_sanctionrequest",
            "view_seller",
            "view_sellerapplication",
            "view_sellercase",
            "view_storefront",
        },
    },
}


def flat(by_app: dict[str, set[str]]) -> set[str]:
    return {f"{app}.{codename}" for app, codenames in by_app.items() for codename in codenames}


def held_by(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("group", [MODERATORS, MANAGERS])
def test_role_permission_map_is_exactly_the_expected_one(group):
    assert ROLE_PERMISSIONS[group] == flat(EXPECTED[group])


def test_only_the_two_staff_groups_exist_in_the_map():
    assert set(ROLE_PERMISSIONS) == {MODERATORS, MANAGERS}


@pytest.mark.parametrize("group", [MODERATORS, MANAGERS])
def test_every_mapped_permission_exists_and_the_group_holds_exactly_them(group):
    # An unknown code is skipped silently by sync_role_permissions: a typo would go unnoticed without this.
    assert held_by(group) == ROLE_PERMISSIONS[group]


@pytest.mark.parametrize("group", [MODERATORS, MANAGERS])
def test_no_group_manages_staff(group):
    staff_powers = {
        code
        for code in ROLE_PERMISSIONS[group]
        if code.startswith("auth.") or code in {"accounts.add_user", "accounts.change_user", "accounts.delete_user"}
    }
    assert staff_powers == set()


def test_moderators_post_nothing_to_the_ledger():
    assert {code for code in ROLE_PERMISSIONS[MODERATORS] if code.startswith("ledger.")} == set()


def test_managers_read_the_ledger_without_changing_it_and_publish_announcements():
    ledger = {code for code in ROLE_PERMISSIONS[MANAGERS] if code.startswith("ledger.")}
    assert ledger
    assert all(code.split(".")[1].startswith("view_") for code in ledger)
    assert "sellers.publish_announcement" in ROLE_PERMISSIONS[MANAGERS]


@pytest.mark.parametrize("group", [MODERATORS, MANAGERS])
def test_nobody_may_alter_the_audit_log(group):
    assert {code for code in ROLE_PERMISSIONS[group] if code.startswith("audit.")} <= {
        "audit.view_auditentry",
        "audit.view_all_auditentries",
    }
    assert (
        not Permission.objects.filter(content_type__app_label="audit")
        .exclude(codename__in=["view_auditentry", "view_all_auditentries"])
        .exists()
    )
