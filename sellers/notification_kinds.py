"""The sellers app's notification kinds (found by the notifications app at start-up)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.kinds import Kind, register
from marketplace.notifications.models import Category, Channel

TEMPLATES = "sellers/notifications"


def _application(context) -> str:
    return reverse("sellers:application-status")


def _cabinet(context) -> str:
    return reverse("sellers:dashboard")


def _case(context) -> str:
    return reverse("sellers:case-detail", args=[context["case_id"]])


KINDS = [
    Kind(
        key="seller_application_submitted",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Seller application received"),
        template_dir=TEMPLATES,
        link=_application,
    ),
    Kind(
        key="seller_application_changes_requested",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Seller application: changes requested"),
        template_dir=TEMPLATES,
        link=_application,
    ),
    Kind(
        key="seller_application_approved",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Seller application approved"),
        template_dir=TEMPLATES,
        link=_cabinet,
    ),
    Kind(
        key="seller_application_rejected",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Seller application rejected"),
        template_dir=TEMPLATES,
        link=_application,
    ),
    Kind(
        key="seller_sanction_applied",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Sanction applied to your store"),
        urgent=True,
        forced_channels=frozenset({Channel.EMAIL}),
        template_dir=TEMPLATES,
        link=lambda context: reverse("sellers:sanctions"),
    ),
    Kind(
        key="seller_sanction_lifted",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Sanction lifted"),
        template_dir=TEMPLATES,
        link=lambda context: reverse("sellers:sanctions"),
    ),
    Kind(
        key="seller_offer_paused",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Listings paused until the new seller offer is accepted"),
        urgent=True,
        forced_channels=frozenset({Channel.EMAIL}),
        template_dir=TEMPLATES,
        link=lambda context: reverse("sellers:legal"),
    ),
    Kind(
        key="seller_bank_change_decided",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Decision on new bank details"),
        template_dir=TEMPLATES,
        link=lambda context: reverse("sellers:legal"),
    ),
    Kind(
        key="seller_team_invitation",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Invitation to a seller's team (sent to the invited address)"),
        channels=frozenset({Channel.EMAIL}),
        forced_channels=frozenset({Channel.EMAIL}),
        template_dir=TEMPLATES,
        link=lambda context: reverse("sellers:invitation-accept", args=[context["token"]]),
    ),
    Kind(
        key="seller_case_answered",
        category=Category.TRANSACTIONAL,
        verbose_name=_("The platform answered your case"),
        template_dir=TEMPLATES,
        link=_case,
    ),
    Kind(
        key="seller_case_decided",
        category=Category.TRANSACTIONAL,
        verbose_name=_("Decision on your case"),
        template_dir=TEMPLATES,
        link=_case,
    ),
    Kind(
        key="seller_announcement",
        category=Category.SERVICE,
        verbose_name=_("Announcements for sellers"),
        template_dir=TEMPLATES,
        link=lambda context: reverse("sellers:announcement-detail", args=[context["announcement_id"]]),
    ),
]

for kind in KINDS:
    register(kind)
