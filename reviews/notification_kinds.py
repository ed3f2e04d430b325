"""Notification kinds of reviews: moderation decisions and replies for authors, requests, critical rating."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.kinds import Kind, register
from marketplace.notifications.models import Category


def _order_page(context: dict) -> str:
    return reverse("orders:detail", args=[context["order_id"]])


def _review_page(context: dict) -> str:
    return reverse("reviews:mine")


def _rating_page(context: dict) -> str:
    return reverse("reviews:seller-rating")


for key, name, category, link in (
    ("review_published", _("Your review was published"), Category.SERVICE, _review_page),
    ("review_rejected", _("Your review was rejected by moderators"), Category.SERVICE, _review_page),
    ("review_replied", _("The seller replied to your review"), Category.SERVICE, _review_page),
    ("review_request", _("How was your purchase? Leave a review"), Category.SERVICE, _order_page),
    ("review_reminder", _("A reminder to review your purchase"), Category.SERVICE, _order_page),
    ("rating_critical", _("Your seller rating fell into the critical band"), Category.TRANSACTIONAL, _rating_page),
):
    register(Kind(key=key, category=category, verbose_name=name, template_dir="reviews/notifications", link=link))
