"""The beat tasks run their services and are safe to run twice."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from sellers import services, tasks
from sellers.models import SellerStatus

pytestmark = pytest.mark.django_db


def test_every_sellers_task_is_scheduled_by_beat():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "sellers.tasks.lift_expired_sanctions",
        "sellers.tasks.pause_sellers_without_current_offer",
        "sellers.tasks.expire_invitations",
        "sellers.tasks.close_stale_cases",
        "sellers.tasks.announce_new_seller_offer",
    } <= scheduled


def test_tasks_do_nothing_when_there_is_nothing_due(seller):
    assert tasks.lift_expired_sanctions() == 0
    assert tasks.pause_sellers_without_current_offer() == 0
    assert tasks.expire_invitations() == 0
    assert tasks.close_stale_cases() == 0
    assert tasks.announce_new_seller_offer() is None


def test_lift_task_lifts_an_expired_sanction_once(seller, moderator):
    sanction = services.apply_sanction(
        seller=seller,
        level=SellerStatus.WARNED,
        actor=moderator,
        rule="r",
        reason="x",
        expires_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    type(sanction).objects.filter(pk=sanction.pk).update(
        imposed_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )

    assert tasks.lift_expired_sanctions() == 1
    assert tasks.lift_expired_sanctions() == 0
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
