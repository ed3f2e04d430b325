"""Notification kinds of the catalogue: moderation decisions, stock, promo and data-check alerts for sellers, Q&A
both ways."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.kinds import Kind, register
from marketplace.notifications.models import Category


def _listing_page(context: dict) -> str:
    return reverse(
        "catalog:listing-detail", kwargs={"pk": context["listing_id"], "slug": context["listing_slug"] or "item"}
    )


def _cabinet_page(context: dict) -> str:
    return reverse("catalog:seller-listing-edit", kwargs={"pk": context["listing_id"]})


def _listings_to_check(context: dict) -> str:
    return reverse("catalog:seller-listing-list") + "?status=to_check"


def _question(context: dict) -> str:
    return _listing_page(context) + "#questions"


for key, name, category, link in (
    ("listing_approved", _("Listing approved by moderators"), Category.TRANSACTIONAL, _listing_page),
    ("listing_rejected", _("Listing rejected by moderators"), Category.TRANSACTIONAL, _cabinet_page),
    ("listing_blocked", _("Listing blocked by moderators"), Category.TRANSACTIONAL, _cabinet_page),
    ("listing_edit_decided", _("Moderators decided on changes to a listing"), Category.TRANSACTIONAL, _cabinet_page),
    ("low_stock", _("Low stock of a listing"), Category.SERVICE, _cabinet_page),
    ("promo_refused", _("A promo did not start"), Category.SERVICE, _cabinet_page),
    ("listing_check_requested", _("Buyers say a listing is not as described"), Category.SERVICE, _cabinet_page),
    ("listings_to_check", _("Listings whose data needs checking"), Category.SERVICE, _listings_to_check),
    ("question_asked", _("A buyer asked a question about your listing"), Category.SERVICE, _question),
    ("question_answered", _("The seller answered your question"), Category.SERVICE, _question),
):
    register(Kind(key=key, category=category, verbose_name=name, template_dir="catalog/notifications", link=link))
