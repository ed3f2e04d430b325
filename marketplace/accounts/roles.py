"""Staff roles as groups. The data migration creates the groups; this map gives them permissions.

Later apps add their moderator/manager permissions here, so "who may do what in admin" is one table.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

MODERATORS = "Moderators"
MANAGERS = "Managers"

# group → "app_label.codename" permissions. Unknown codenames (an app not migrated yet) are skipped.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    MODERATORS: {
        "accounts.view_user",
        "notifications.view_notification",
        "notifications.view_delivery",
        "legal.view_platformterms",
        # sellers: verification queue, sanctions, bank-detail changes, cases
        "sellers.view_sellerapplication",
        "sellers.review_sellerapplication",
        "sellers.view_applicationdocument",
        "sellers.view_seller",
        "sellers.sanction_seller",
        "sellers.view_sanction",
        # four eyes: a suspension or termination waits for a second moderator's approval (never the proposer's)
        "sellers.view_sanctionrequest",
        "sellers.approve_sanction_request",
        "sellers.view_storefront",
        "sellers.view_bankdetailschange",
        "sellers.review_bankdetailschange",
        "sellers.view_sellercase",
        "sellers.decide_sellercase",
        "sellers.view_announcement",
    },
    MANAGERS: {
        "accounts.view_user",
        "notifications.view_notification",
        "notifications.view_delivery",
        "notifications.change_delivery",  # "retry now" on failed e-mails
        "notifications.view_marketingconsent",
        "legal.view_platformterms",
        "legal.add_platformterms",
        "legal.change_platformterms",
        "legal.view_termsacceptance",
        # ledger: read-only views of accounts, transactions, payments, refunds and payouts
        "ledger.view_ledgeraccount",
        "ledger.view_ledgertransaction",
        "ledger.view_ledgerentry",
        "ledger.view_ledgerreference",
        "ledger.view_payment",
        "ledger.view_paymentstatuschange",
        "ledger.view_paymentevent",
        "ledger.view_paymentrefund",
        "ledger.view_payout",
        "ledger.view_payoutevent",
        # sellers: announcements to sellers, the seller registry, sanctions by hand (spec 9)
        "sellers.view_seller",
        "sellers.view_storefront",
        "sellers.sanction_seller",
        "sellers.view_sanction",
        "sellers.view_sanctionrequest",  # managers may propose a suspension; only moderators approve it
        "sellers.view_sellerapplication",
        "sellers.view_sellercase",
        "sellers.add_announcement",
        "sellers.change_announcement",
        "sellers.view_announcement",
        "sellers.publish_announcement",
    },
}


# catalog: the listing moderation queue, reports and Q&A (moderators); the category tree with attribute
# schemas, brands, forbidden words, rejection reasons and packaging requirements (managers)
ROLE_PERMISSIONS[MODERATORS] |= {
    "catalog.moderate_listing",
    "catalog.view_moderationitem",
    "catalog.change_moderationitem",
    "catalog.view_listing",
    "catalog.view_listingrevision",
    "catalog.view_listingreport",
    "catalog.change_listingreport",
    "catalog.view_listingquestion",
    "catalog.change_listingquestion",
    "catalog.view_forbiddenword",
    "catalog.view_rejectionreason",
    "catalog.view_category",
    "catalog.view_brand",
}
ROLE_PERMISSIONS[MANAGERS] |= {
    *(
        f"catalog.{action}_{model}"
        for action in ("view", "add", "change", "delete")
        for model in ("category", "attribute", "brand", "forbiddenword", "rejectionreason", "packagingrequirement")
    ),
    "catalog.view_listing",
    "catalog.view_moderationitem",
}


# audit: the log of staff actions is read-only for everyone. Managers (and superusers) read every entry;
# moderators read only their own actions (AuditEntryAdmin scopes the list).
ROLE_PERMISSIONS[MODERATORS] |= {"audit.view_auditentry"}
ROLE_PERMISSIONS[MANAGERS] |= {"audit.view_auditentry", "audit.view_all_auditentries"}
# reviews: moderators work the held-review queue, reports and sellers' contests, and see critical-rating flags
ROLE_PERMISSIONS[MODERATORS] |= {
    "reviews.view_productreview",
    "reviews.change_productreview",
    "reviews.view_sellerreview",
    "reviews.change_sellerreview",
    "reviews.view_reviewreport",
    "reviews.view_sellerrating",
    "reviews.view_ratingflag",
    "reviews.change_ratingflag",
    "reviews.view_incidentappeal",
}
# managers define the review aspects a category asks (e.g. "size fits"), as they define the categories
ROLE_PERMISSIONS[MANAGERS] |= {"reviews.view_sellerrating", "reviews.view_ratingrecompute"} | {
    f"reviews.{action}_reviewaspect" for action in ("add", "change", "delete", "view")
}
# the seller standards' thresholds (spec 163): managers put new ones in force (rows are never changed or deleted);
# moderators, who act on critical ratings, read them
ROLE_PERMISSIONS[MANAGERS] |= {"reviews.add_sellerstandards", "reviews.view_sellerstandards"}
ROLE_PERMISSIONS[MODERATORS] |= {"reviews.view_sellerstandards"}
# disputes: moderators decide disputes (refunds above the four-eyes amount need a second moderator's approval),
# keep internal notes, review flagged messages and block users from messaging; managers read them.
ROLE_PERMISSIONS[MODERATORS] |= {
    "disputes.resolve_dispute",
    "disputes.approve_dispute_decision",
    "disputes.view_dispute",
    "disputes.view_decision",
    "disputes.view_evidence",
    "disputes.view_internalnote",
    "disputes.add_internalnote",
    "disputes.view_conversation",
    "disputes.view_message",
    "disputes.change_message",
    "disputes.view_messagingblock",
    "disputes.add_messagingblock",
    "disputes.change_messagingblock",
    "disputes.view_risksignal",
    "disputes.change_risksignal",
}
ROLE_PERMISSIONS[MANAGERS] |= {
    "disputes.view_dispute",
    "disputes.view_decision",
    "disputes.view_conversation",
    "disputes.view_risksignal",
}


def sync_role_permissions(sender=None, **kwargs) -> None:
    """Give each staff group exactly the permissions in ROLE_PERMISSIONS (idempotent)."""
    for group_name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".", 1)
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
