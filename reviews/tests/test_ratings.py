from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from marketplace.core.exceptions import DomainError
from marketplace.notifications.models import Notification
from orders.models import IncidentKind
from reviews import services
from reviews.models import (
    FORMULA_VERSION,
    Band,
    IncidentAppeal,
    ListingRating,
    RatingFlag,
    RatingRecompute,
    SellerRating,
    SellerRatingHistory,
)
from sellers import services as seller_services
from sellers.models import CaseStatus, TeamMember

from .factories import bare_orders, conversation, delivered_order, incident, line_of

pytestmark = pytest.mark.django_db


def rating_of(seller) -> SellerRating:
    services.recompute_sellers(seller_ids=[seller.pk])
    return SellerRating.objects.get(seller=seller)


def test_customer_score_is_the_documented_bayesian_average(buyer, other_buyer, seller):
    # prior 4.0 × weight 10, plus 5 + 3 (product) + 4 (seller service) over 10 + 3 reviews = 52 / 13 = 4.00
    first = delivered_order(buyer, seller)
    second = delivered_order(other_buyer, seller, title="Кеды")
    services.write_product_review(order_line=line_of(first), actor=buyer, stars=5, text="Хорошо")
    services.write_product_review(order_line=line_of(second), actor=other_buyer, stars=3, text="Средне")
    services.write_seller_review(order=first, actor=buyer, service_stars=4, delivery_stars=5, packaging_stars=5)

    rating = rating_of(seller)

    assert rating.customer_score == Decimal("4.00")
    assert rating.scored_reviews == 3
    assert (rating.count, rating.average, rating.stars_5, rating.stars_3) == (2, Decimal("4.00"), 1, 1)
    assert rating.formula_version == FORMULA_VERSION


def test_one_bad_review_moves_the_score_by_its_weight(buyer, seller):
    # (40 + 1) / 11 = 3.727… → 3.73
    order = delivered_order(buyer, seller)
    services.write_product_review(order_line=line_of(order), actor=buyer, stars=1, text="Плохо")

    assert rating_of(seller).customer_score == Decimal("3.73")


def test_seller_without_reviews_or_orders_is_new_at_the_prior(seller):
    rating = rating_of(seller)

    assert (rating.customer_score, rating.quality_index, rating.band) == (Decimal("4.00"), None, Band.NEW)


@pytest.mark.parametrize(
    ("orders", "days_ago", "incidents", "quality", "band", "on_time"),
    [
        # 100 − 500 × 1 / 10 = 50
        (10, 1, [IncidentKind.LATE_SHIPMENT], 50, Band.AT_RISK, 90),
        # 100 − 500 × 2 / 100 = 90
        (100, 1, [IncidentKind.SELLER_CANCELLATION], 90, Band.EXCELLENT, 100),
        # 100 − 500 × (1.5 + 1.5) / 40 = 62.5 → 62 (banker's rounding is not used: ROUND half away → 63)
        (40, 2, [IncidentKind.DEFECT_RETURN, IncidentKind.NOT_AS_DESCRIBED], 63, Band.AT_RISK, 100),
        # 100 − 500 × 1 / 50 = 90: orders older than 30 days, the last 50 make the window
        (60, 40, [IncidentKind.LATE_SHIPMENT], 90, Band.EXCELLENT, 98),
        # 100 − 500 × 1 / 25 = 80
        (25, 3, [IncidentKind.LATE_SHIPMENT], 80, Band.GOOD, 96),
        # 100 − 500 × 6 / 10 < 0 → 0
        (10, 1, [IncidentKind.SELLER_CANCELLATION] * 3, 0, Band.CRITICAL, 100),
        (10, 1, [], 100, Band.EXCELLENT, 100),
        # a lost dispute weighs 2: 100 − 500 × 2 / 20 = 50
        (20, 1, [IncidentKind.DISPUTE_LOST], 50, Band.AT_RISK, 100),
        # 100 − 500 × (1 + 2) / 50 = 70
        (50, 2, [IncidentKind.LATE_SHIPMENT, IncidentKind.DISPUTE_LOST], 70, Band.AT_RISK, 98),
    ],
)
def test_quality_index_matches_hand_computed_values(seller, buyer, orders, days_ago, incidents, quality, band, on_time):
    made = bare_orders(seller, buyer, orders, paid_days_ago=days_ago)
    for order, kind in zip(made, incidents, strict=False):
        incident(order, kind)

    rating = rating_of(seller)

    assert (rating.quality_index, rating.band, rating.on_time_percent) == (quality, band, on_time)
    assert rating.orders_in_window == min(orders, 50) if days_ago > 30 else orders


@pytest.mark.parametrize(
    ("replies", "late", "median", "deduction", "quality"),
    [
        # five questions answered in 30 h: median 30 h > 24 h → −10; 100 − 10 = 90
        ([(40, 30)] * 5, 0, 1800, 10, 90),
        # median of 1, 2, 80, 90, 100 h = 80 h > 72 h → −20
        ([(200, 1), (200, 2), (200, 80), (200, 90), (200, 100)], 0, 4800, 20, 80),
        # exactly 24 h is within the threshold: no deduction
        ([(30, 24)] * 5, 0, 1440, 0, 100),
        # four questions are too few to judge reply time, however slow
        ([(200, 100)] * 4, 0, 6000, 0, 100),
        # unanswered questions count with the time they have waited: 96 h > 72 h → −20
        ([(96, None)] * 5, 0, 5760, 20, 80),
        # a late shipment and slow replies add up: 100 − 500 × 1 / 20 − 10 = 65
        ([(48, 25)] * 6, 1, 1500, 10, 65),
    ],
)
def test_quality_index_deducts_for_a_slow_median_first_reply_to_buyers(
    seller, buyer, replies, late, median, deduction, quality
):
    made = bare_orders(seller, buyer, 20)
    for order, (asked_hours_ago, reply_hours) in zip(made, replies, strict=False):
        conversation(order, asked_hours_ago=asked_hours_ago, reply_hours=reply_hours)
    for order in made[:late]:
        incident(order, IncidentKind.LATE_SHIPMENT)

    rating = rating_of(seller)

    assert (rating.conversations_in_window, rating.reply_median_minutes) == (len(replies), median)
    assert (rating.reply_deduction, rating.quality_index) == (deduction, quality)


def test_reply_time_window_is_the_last_30_days_or_the_last_50_conversations(seller, buyer):
    made = bare_orders(seller, buyer, 71, paid_days_ago=60)
    conversation(made[0], asked_hours_ago=2, reply_hours=100)  # within 30 days: counted
    for order in made[1:31]:
        conversation(order, asked_hours_ago=45 * 24, reply_hours=1)  # among the 50 newest: counted
    for order in made[31:]:
        conversation(order, asked_hours_ago=50 * 24, reply_hours=100)  # the 19 newest of these make up the 50

    rating = rating_of(seller)

    # 30 answered in 1 h and 20 in 100 h: the median is 1 h (with all 71 it would be 100 h)
    assert (rating.conversations_in_window, rating.reply_median_minutes, rating.reply_deduction) == (50, 60, 0)


def test_seller_without_buyer_questions_has_no_reply_time_and_no_deduction(seller, buyer):
    bare_orders(seller, buyer, 10)

    rating = rating_of(seller)

    assert (rating.conversations_in_window, rating.reply_median_minutes, rating.reply_deduction) == (0, None, 0)
    assert rating.quality_index == 100


def test_new_conversations_and_incidents_ask_for_a_recompute_of_their_sellers(seller, other_seller, buyer):
    order = bare_orders(seller, buyer, 1)[0]
    conversation(order, asked_hours_ago=0.5, reply_hours=0.1)
    incident(bare_orders(other_seller, buyer, 1)[0], IncidentKind.DISPUTE_LOST)

    assert services.ratings.request_recompute_for_new_incidents() == 2

    pending = set(RatingRecompute.objects.filter(status="pending").values_list("seller_id", flat=True))
    assert pending == {seller.pk, other_seller.pk}


def test_incident_outside_the_window_does_not_count(seller, buyer):
    made = bare_orders(seller, buyer, 60, paid_days_ago=40)  # newest first: made[0] is the most recent
    incident(made[-1], IncidentKind.LATE_SHIPMENT)  # the 60th newest: outside the last 50

    assert rating_of(seller).quality_index == 100


def test_recomputing_twice_gives_identical_rows(buyer, seller):
    order = delivered_order(buyer, seller)
    services.write_product_review(order_line=line_of(order), actor=buyer, stars=4, text="Хорошо")
    incident(order, IncidentKind.LATE_SHIPMENT)
    services.recompute_all()
    first = [model_to_dict(row) for row in SellerRating.objects.order_by("pk")]
    first_listing = [model_to_dict(row) for row in ListingRating.objects.order_by("pk")]
    first_history = list(SellerRatingHistory.objects.values())

    services.recompute_all()

    assert [model_to_dict(row) for row in SellerRating.objects.order_by("pk")] == first
    assert list(SellerRating.objects.values_list("computed_at", flat=True)) == [
        row.computed_at for row in SellerRating.objects.order_by("pk")
    ]
    assert [model_to_dict(row) for row in ListingRating.objects.order_by("pk")] == first_listing
    assert list(SellerRatingHistory.objects.values()) == first_history


def test_outbox_is_deduplicated_and_relay_updates_listing_and_seller(buyer, other_buyer, seller):
    first = delivered_order(buyer, seller)
    services.write_product_review(order_line=line_of(first), actor=buyer, stars=5, text="Отлично")
    second = delivered_order(other_buyer, seller)
    services.write_product_review(order_line=line_of(second), actor=other_buyer, stars=2, text="Так себе")
    assert RatingRecompute.objects.filter(seller=seller, status="pending").count() == 1

    services.relay_recomputes()

    assert not RatingRecompute.objects.filter(status="pending").exists()
    listing = line_of(first).listing
    listing.refresh_from_db()
    listing_rating = ListingRating.objects.get(listing=listing)
    assert (listing_rating.count, listing_rating.average, listing_rating.stars_5) == (1, Decimal("5.00"), 1)
    assert listing.rating_count == 1
    assert listing.rating_avg == Decimal("5.00")
    assert SellerRating.objects.get(seller=seller).count == 2


def test_falling_into_critical_notifies_seller_and_flags_for_moderators_once(seller, buyer):
    for order in bare_orders(seller, buyer, 4):
        incident(order, IncidentKind.SELLER_CANCELLATION)

    rating_of(seller)
    rating_of(seller)

    assert RatingFlag.objects.filter(seller=seller, decided_at__isnull=True).count() == 1
    assert Notification.objects.filter(recipient=seller.user, kind="rating_critical").count() == 1


def _critical_flag(seller, buyer) -> RatingFlag:
    for order in bare_orders(seller, buyer, 4):
        incident(order, IncidentKind.SELLER_CANCELLATION)
    rating_of(seller)
    return RatingFlag.objects.get(seller=seller)


def test_moderator_decides_a_critical_flag_in_admin_and_who_and_when_are_recorded(client, seller, buyer, moderator):
    flag = _critical_flag(seller, buyer)
    client.force_login(moderator)
    url = reverse("admin:reviews_ratingflag_change", args=[flag.pk])

    response = client.post(
        url, {"decision": "Предупреждение вынесено", "decided_by": "999", "decided_at_0": "01.01.2020"}
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.decision == "Предупреждение вынесено"
    assert flag.decided_by == moderator  # never what the form sent
    assert flag.decided_at is not None
    assert flag.decided_at.year != 2020
    assert client.post(url, {"decision": "Другое решение"}).status_code == 403  # decided flags are read-only
    flag.refresh_from_db()
    assert flag.decision == "Предупреждение вынесено"


def test_a_critical_flag_cannot_be_decided_with_an_empty_decision(client, seller, buyer, moderator):
    flag = _critical_flag(seller, buyer)
    client.force_login(moderator)

    response = client.post(reverse("admin:reviews_ratingflag_change", args=[flag.pk]), {"decision": "   "})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["decision"]
    flag.refresh_from_db()
    assert (flag.decided_at, flag.decided_by, flag.decision) == (None, None, "")
    with pytest.raises(DomainError):
        services.decide_rating_flag(flag=flag, actor=moderator, decision="")


def test_a_decided_flag_is_not_decided_again_by_the_service(seller, buyer, moderator, other_moderator):
    flag = _critical_flag(seller, buyer)
    services.decide_rating_flag(flag=flag, actor=moderator, decision="Ограничение")

    with pytest.raises(DomainError):
        services.decide_rating_flag(flag=flag, actor=other_moderator, decision="Снять")

    flag.refresh_from_db()
    assert (flag.decided_by, flag.decision) == (moderator, "Ограничение")


def test_upheld_appeal_strikes_the_incident_and_the_rating_recovers(seller, buyer, moderator):
    made = bare_orders(seller, buyer, 10)
    late = incident(made[0], IncidentKind.LATE_SHIPMENT)
    assert rating_of(seller).quality_index == 50
    member = TeamMember.objects.get(user=seller.user)

    appeal = services.appeal_incident(incident=late, member=member, body="Курьерская служба задержала забор.")
    seller_services.decide_case(
        case=appeal.case, actor=moderator, outcome=CaseStatus.RESOLVED, decision="Подтверждено: вина службы."
    )

    assert IncidentAppeal.objects.get(pk=appeal.pk).struck_at is not None
    assert RatingRecompute.objects.filter(seller=seller, status="pending").exists()
    services.relay_recomputes()
    assert SellerRating.objects.get(seller=seller).quality_index == 100


def test_rejected_appeal_keeps_the_incident(seller, buyer, moderator):
    made = bare_orders(seller, buyer, 10)
    late = incident(made[0], IncidentKind.LATE_SHIPMENT)
    member = TeamMember.objects.get(user=seller.user)
    appeal = services.appeal_incident(incident=late, member=member, body="Не согласны.")

    seller_services.decide_case(
        case=appeal.case, actor=moderator, outcome=CaseStatus.REJECTED, decision="Нет оснований."
    )

    assert IncidentAppeal.objects.get(pk=appeal.pk).struck_at is None
    assert rating_of(seller).quality_index == 50


def test_seller_cannot_appeal_another_sellers_incident(seller, other_seller, buyer):
    from django.core.exceptions import PermissionDenied

    late = incident(bare_orders(seller, buyer, 1)[0], IncidentKind.LATE_SHIPMENT)
    member = TeamMember.objects.get(user=other_seller.user)

    with pytest.raises(PermissionDenied):
        services.appeal_incident(incident=late, member=member, body="Чужое")

    assert not IncidentAppeal.objects.exists()
