"""Seller standards (spec 163): managers set the thresholds in admin; bands, the reliable badge, reply-time
deductions and the published targets follow them, and every change is kept with who, when and why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from marketplace.core.exceptions import DomainError
from orders.models import IncidentKind
from reviews import selectors, services
from reviews.models import Band, RatingRecompute, RecomputeStatus, SellerRating, SellerStandards

from .factories import bare_orders, conversation, incident

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:reviews_sellerstandards_add")


def in_force(**changes) -> dict:
    return {**selectors.seller_standards().thresholds(), **changes}


def rating_of(seller) -> SellerRating:
    services.recompute_sellers(seller_ids=[seller.pk])
    return SellerRating.objects.get(seller=seller)


def form_data(*, effective_at=None, **changes) -> dict:
    """The admin form as a manager's browser sends it (the date of effect as a datetime-local input gives it)."""
    data = {name: str(value) for name, value in in_force(**changes).items()}
    local = timezone.localtime(effective_at or timezone.now())
    return {
        **data,
        "effective_at": local.strftime("%Y-%m-%dT%H:%M:%S"),
        "reason": changes.get("reason", "Ужесточаем требования к скорости ответа"),
    }


def test_standards_in_force_are_the_published_defaults_until_a_manager_changes_them():
    standards = selectors.seller_standards()

    assert standards.bands == [(Band.EXCELLENT, 90), (Band.GOOD, 75), (Band.AT_RISK, 50), (Band.CRITICAL, 0)]
    assert standards.reply_deductions == [(24, 10), (72, 20)]
    assert (standards.reliable_min_score, standards.reliable_min_reviews, standards.reliable_min_orders) == (
        Decimal("4.50"),
        10,
        20,
    )
    assert (standards.on_time_target, standards.cancellations_max) == (95, 2)


def test_raising_the_good_band_moves_a_seller_down_at_the_next_recompute(seller, buyer, manager):
    # 100 − 500 × 1 / 25 = 80: good under the defaults (75–89)
    incident(bare_orders(seller, buyer, 25)[0], IncidentKind.LATE_SHIPMENT)
    assert rating_of(seller).band == Band.GOOD

    services.change_standards(actor=manager, reason="Выше планка", values=in_force(good_from=85))

    assert rating_of(seller).band == Band.AT_RISK


def test_lowering_the_excellent_band_moves_a_seller_up(seller, buyer, manager):
    incident(bare_orders(seller, buyer, 25)[0], IncidentKind.LATE_SHIPMENT)

    services.change_standards(actor=manager, reason="Мягче", values=in_force(excellent_from=80))

    assert rating_of(seller).band == Band.EXCELLENT


def test_reply_time_thresholds_decide_the_deduction(seller, buyer, manager):
    # five questions answered in 30 h: over the default 24 h → −10
    for order in bare_orders(seller, buyer, 20)[:5]:
        conversation(order, asked_hours_ago=40, reply_hours=30)
    assert (rating_of(seller).reply_deduction, rating_of(seller).quality_index) == (10, 90)

    services.change_standards(actor=manager, reason="Ответ за 36 ч", values=in_force(reply_hours=36))
    assert (rating_of(seller).reply_deduction, rating_of(seller).quality_index) == (0, 100)

    values = in_force(reply_hours=12, reply_points=15, reply_late_hours=24, reply_late_points=30)
    services.change_standards(actor=manager, reason="Строже", values=values)
    assert (rating_of(seller).reply_deduction, rating_of(seller).quality_index) == (30, 70)


def test_reliable_seller_criteria_decide_the_badge(seller, buyer, manager):
    bare_orders(seller, buyer, 20)  # quality 100, excellent; customer score at the prior 4.00 from no reviews
    assert rating_of(seller).is_reliable is False

    values = in_force(reliable_min_score=Decimal("4.00"), reliable_min_reviews=0)
    services.change_standards(actor=manager, reason="Порог для новичков", values=values)
    assert rating_of(seller).is_reliable is True

    services.change_standards(actor=manager, reason="Больше заказов", values=dict(values, reliable_min_orders=21))
    assert rating_of(seller).is_reliable is False


def test_a_change_asks_for_every_sellers_recompute_and_the_relay_applies_it(seller, other_seller, buyer, manager):
    incident(bare_orders(seller, buyer, 25)[0], IncidentKind.LATE_SHIPMENT)
    rating_of(seller)
    RatingRecompute.objects.all().delete()
    RatingRecompute.objects.create(seller=other_seller)  # already pending: kept, not doubled

    services.change_standards(actor=manager, reason="Выше планка", values=in_force(good_from=85))

    pending = RatingRecompute.objects.filter(status=RecomputeStatus.PENDING)
    assert sorted(pending.values_list("seller_id", flat=True)) == sorted([seller.pk, other_seller.pk])
    services.relay_recomputes()
    assert SellerRating.objects.get(seller=seller).band == Band.AT_RISK


def test_every_change_is_kept_with_who_when_and_why(manager):
    first = services.change_standards(actor=manager, reason="Первое", values=in_force(good_from=80))
    second = services.change_standards(actor=manager, reason="Второе", values=in_force(good_from=70))

    assert selectors.seller_standards() == second
    first.refresh_from_db()
    assert (first.good_from, first.reason, first.created_by) == (80, "Первое", manager)
    assert (second.good_from, second.created_by) == (70, manager)
    assert second.created_at >= first.created_at


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"good_from": 90}, "good_from"),  # not below excellent
        ({"at_risk_from": 80}, "at_risk_from"),  # not below good
        ({"at_risk_from": 0}, "at_risk_from"),  # critical needs room below
        ({"excellent_from": 101}, "excellent_from"),
        ({"reply_late_hours": 24}, "reply_late_hours"),  # not longer than the first threshold
        ({"reply_late_points": 5}, "reply_late_points"),  # a very slow reply costing less than a slow one
        ({"reply_late_points": 101}, "reply_late_points"),
        ({"reliable_min_score": Decimal("5.50")}, "reliable_min_score"),
        ({"on_time_target": 120}, "on_time_target"),
        ({"cancellations_max": 101}, "cancellations_max"),
    ],
)
def test_thresholds_out_of_order_are_refused_and_nothing_changes(seller, manager, changes, field):
    before = selectors.seller_standards().thresholds()
    rows = SellerStandards.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.change_standards(actor=manager, reason="Ошибка", values=in_force(**changes))

    assert field in refused.value.message_dict
    assert SellerStandards.objects.count() == rows
    assert selectors.seller_standards().thresholds() == before
    assert not RatingRecompute.objects.exists()


def test_a_change_without_a_reason_or_without_a_difference_is_refused(manager):
    rows = SellerStandards.objects.count()

    with pytest.raises(DomainError):
        services.change_standards(actor=manager, reason="  ", values=in_force(good_from=80))
    with pytest.raises(DomainError):
        services.change_standards(actor=manager, reason="Ничего нового", values=in_force())

    assert SellerStandards.objects.count() == rows


def test_manager_puts_new_standards_in_force_in_admin_starting_from_those_in_force(client, manager, seller):
    client.force_login(manager)

    form = client.get(ADD_URL)
    assert form.status_code == 200
    assert form.context["adminform"].form.initial["reply_hours"] == 24

    response = client.post(ADD_URL, form_data(reply_hours=12, created_by="999"))

    assert response.status_code == 302
    standards = selectors.seller_standards()
    assert (standards.reply_hours, standards.created_by) == (12, manager)  # never whom the form names
    assert RatingRecompute.objects.filter(seller=seller, status=RecomputeStatus.PENDING).exists()


def test_admin_shows_a_clear_error_and_writes_nothing_for_bands_out_of_order(client, manager):
    client.force_login(manager)
    rows = SellerStandards.objects.count()

    response = client.post(ADD_URL, form_data(good_from=95))

    assert response.status_code == 200
    assert (
        "The good band must start below the excellent band." in response.context["adminform"].form.errors["good_from"]
    )
    assert SellerStandards.objects.count() == rows


def test_admin_refuses_a_change_that_changes_nothing(client, manager):
    client.force_login(manager)
    rows = SellerStandards.objects.count()

    response = client.post(ADD_URL, form_data())

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert SellerStandards.objects.count() == rows


def test_standards_already_in_force_cannot_be_edited_or_deleted_in_admin(client, manager):
    standards = services.change_standards(actor=manager, reason="Первое", values=in_force(good_from=80))
    client.force_login(manager)
    url = reverse("admin:reviews_sellerstandards_change", args=[standards.pk])

    client.post(url, form_data(good_from=60))
    client.post(reverse("admin:reviews_sellerstandards_delete", args=[standards.pk]), {"post": "yes"})

    standards.refresh_from_db()
    assert standards.good_from == 80


def test_moderator_reads_the_standards_but_cannot_change_them(client, moderator):
    client.force_login(moderator)

    assert client.get(reverse("admin:reviews_sellerstandards_changelist")).status_code == 200
    assert client.post(ADD_URL, form_data(good_from=80)).status_code == 403
    assert not SellerStandards.objects.filter(good_from=80).exists()


def test_formula_page_shows_the_standards_in_force(client, manager):
    services.change_standards(
        actor=manager,
        reason="Новые пороги",
        values=in_force(excellent_from=93, reply_late_hours=96, reliable_min_reviews=15),
    )

    page = client.get(reverse("reviews:formula"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<td>93</td>" in page
    assert "more than 96 hours" in page
    assert "from at least 15 reviews" in page
    assert "In force since" in page
    assert "Новые пороги" in page  # why, as the manager wrote it


def test_sell_with_us_page_publishes_the_targets_in_force(client, manager):
    services.change_standards(
        actor=manager, reason="Новые цели", values=in_force(on_time_target=97, cancellations_max=1, reply_hours=12)
    )

    page = client.get(reverse("sellers:sell"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "не менее 97 % заказов" in page
    assert "не более 1 % заказов" in page
    assert "в течение 12 часов" in page


def test_rating_counts_seller_caused_cancellations_of_the_window_except_struck_ones(seller, buyer):
    made = bare_orders(seller, buyer, 40)
    for order in made[:3]:
        incident(order, IncidentKind.SELLER_CANCELLATION)
    incident(made[3], IncidentKind.LATE_SHIPMENT)  # not a cancellation

    rating = rating_of(seller)

    assert (rating.cancellations_in_window, rating.cancellation_percent) == (3, Decimal("7.5"))


def test_standing_against_each_standard_follows_the_rating_and_the_standards_in_force(seller, buyer, manager):
    # 100 orders, 3 seller-caused cancellations (3 %): 100 − 500 × 6 / 100 = 70, the at-risk band
    for order in bare_orders(seller, buyer, 100)[:3]:
        incident(order, IncidentKind.SELLER_CANCELLATION)
    rating = rating_of(seller)

    standing = selectors.standards_standing(rating=rating, standards=selectors.seller_standards())

    assert (standing.on_time, standing.cancellations, standing.reply, standing.band) == (
        "ok",
        "breach",
        "none",  # no buyer questions in the window
        "warning",
    )
    services.change_standards(actor=manager, reason="Мягче к отменам", values=in_force(cancellations_max=5))
    standing = selectors.standards_standing(rating=rating_of(seller), standards=selectors.seller_standards())
    assert standing.cancellations == "ok"


def test_seller_without_a_rating_has_no_data_yet_against_any_standard():
    standing = selectors.standards_standing(rating=None, standards=selectors.seller_standards())

    assert {standing.on_time, standing.cancellations, standing.reply, standing.band} == {"none"}


def test_slow_median_reply_breaches_the_reply_standard(seller, buyer):
    for order in bare_orders(seller, buyer, 20)[:5]:
        conversation(order, asked_hours_ago=40, reply_hours=30)

    standing = selectors.standards_standing(rating=rating_of(seller), standards=selectors.seller_standards())

    assert standing.reply == "breach"


def test_cabinet_dashboard_and_rating_page_show_each_standard_with_its_status(client, seller, buyer):
    for order in bare_orders(seller, buyer, 100)[:3]:
        incident(order, IncidentKind.SELLER_CANCELLATION)
    rating_of(seller)
    client.force_login(seller.user)

    for url in (reverse("sellers:dashboard"), reverse("reviews:seller-rating")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

        assert "Service standards" in page
        assert "3.0&nbsp;%" in page  # seller-caused cancellations, against "at most 2 %" (no line break before %)
        assert "at most 2&nbsp;%" in page
        assert "Breach" in page
        assert "Warning" in page  # quality index 70: the at-risk band
        assert "Not measured yet" in page  # no buyer questions in the window


def test_new_seller_sees_the_standards_without_values_on_the_dashboard(client, seller):
    client.force_login(seller.user)

    page = client.get(reverse("sellers:dashboard"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Стандарты обслуживания" in page
    assert "не менее 95&nbsp;%" in page


def test_too_few_buyer_conversations_do_not_judge_the_reply_standard(seller, buyer):
    for order in bare_orders(seller, buyer, 20)[:4]:  # four slow replies: the rating deducts nothing either
        conversation(order, asked_hours_ago=200, reply_hours=100)

    rating = rating_of(seller)
    standing = selectors.standards_standing(rating=rating, standards=selectors.seller_standards())

    assert (rating.reply_deduction, standing.reply) == (0, "none")


def test_standards_announced_for_a_later_date_take_effect_then_and_every_rating_follows(seller, buyer, manager):
    incident(bare_orders(seller, buyer, 25)[0], IncidentKind.LATE_SHIPMENT)  # quality 80: good under the defaults
    rating_of(seller)
    RatingRecompute.objects.all().delete()
    later = timezone.now() + timedelta(days=30)

    announced = services.change_standards(
        actor=manager, reason="С 1 числа строже", values=in_force(good_from=85), effective_at=later
    )

    assert selectors.seller_standards().good_from == 75  # not yet
    assert selectors.upcoming_standards() == announced
    assert rating_of(seller).band == Band.GOOD
    assert services.apply_due_standards() == 0
    assert not RatingRecompute.objects.exists()

    SellerStandards.objects.filter(pk=announced.pk).update(effective_at=timezone.now() - timedelta(seconds=1))

    assert selectors.seller_standards() == announced
    assert services.apply_due_standards() == 1
    assert services.apply_due_standards() == 0  # applied once
    assert RatingRecompute.objects.filter(seller=seller, status=RecomputeStatus.PENDING).exists()
    services.relay_recomputes()
    assert SellerRating.objects.get(seller=seller).band == Band.AT_RISK


def test_standards_cannot_take_effect_in_the_past(manager):
    rows = SellerStandards.objects.count()

    with pytest.raises(DomainError):
        services.change_standards(
            actor=manager, reason="Задним числом", values=in_force(good_from=80),
            effective_at=timezone.now() - timedelta(days=1),
        )  # fmt: skip

    assert SellerStandards.objects.count() == rows


def test_a_later_change_is_compared_with_the_standards_in_force_at_its_date(manager):
    later = timezone.now() + timedelta(days=10)
    services.change_standards(actor=manager, reason="Первое", values=in_force(good_from=80), effective_at=later)

    with pytest.raises(DomainError):  # the same as what will be in force then
        services.change_standards(
            actor=manager, reason="Повтор", values=in_force(good_from=80), effective_at=later + timedelta(days=1)
        )
    # the same as today's, but not as those announced for then: a real change
    services.change_standards(actor=manager, reason="Отмена", values=in_force(), effective_at=later + timedelta(days=1))


def test_manager_announces_standards_for_a_later_date_in_admin(client, manager, seller):
    client.force_login(manager)
    later = timezone.now() + timedelta(days=14)

    response = client.post(ADD_URL, form_data(effective_at=later, good_from=80))

    assert response.status_code == 302
    announced = selectors.upcoming_standards()
    assert announced.good_from == 80
    assert abs((announced.effective_at - later).total_seconds()) < 1
    assert selectors.seller_standards().good_from == 75
    assert not RatingRecompute.objects.exists()  # asked for when the date comes


def test_admin_refuses_a_date_of_effect_in_the_past(client, manager):
    client.force_login(manager)
    rows = SellerStandards.objects.count()

    response = client.post(ADD_URL, form_data(effective_at=timezone.now() - timedelta(days=2), good_from=80))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["effective_at"]
    assert SellerStandards.objects.count() == rows


def test_formula_page_and_cabinet_announce_the_next_standards_with_what_changes(client, seller, manager):
    later = timezone.now() + timedelta(days=14)
    services.change_standards(
        actor=manager, reason="Готовимся к сезону", values=in_force(good_from=80, reply_hours=12),
        effective_at=later,
    )  # fmt: skip

    formula = client.get(reverse("reviews:formula"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(seller.user)
    dashboard = client.get(reverse("sellers:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "New standards take effect on" in formula
    assert "Готовимся к сезону" in formula
    assert "Good band from: 75 → 80" in formula
    assert "First reply to buyers within, hours: 24 → 12" in formula
    assert "New standards from" in dashboard
    assert "target: within 24 hours" in dashboard  # still today's


def test_beat_applies_announced_standards_and_the_task_is_safe_to_run_twice(manager):
    from django.conf import settings

    from reviews import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reviews.tasks.apply_due_standards" in scheduled
    announced = services.change_standards(
        actor=manager, reason="Позже", values=in_force(good_from=80), effective_at=timezone.now() + timedelta(days=1)
    )
    SellerStandards.objects.filter(pk=announced.pk).update(effective_at=timezone.now())

    assert (tasks.apply_due_standards(), tasks.apply_due_standards()) == (1, 0)
