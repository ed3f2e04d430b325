import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import IncidentKind
from reviews import selectors, services
from reviews.exceptions import AlreadyReplied, AlreadyReported, AlreadyVoted, OwnReview
from reviews.models import FORMULA_VERSION, ProductReview, ReviewReport, ReviewVote, SellerReply

from .factories import bare_orders, conversation, delivered_order, incident, line_of, photo_upload

pytestmark = pytest.mark.django_db


def published(buyer, seller, **kwargs):
    order = delivered_order(buyer, seller)
    data = {"stars": 4, "text": "Хорошие кроссовки, удобные."} | kwargs
    return services.write_product_review(order_line=line_of(order), actor=buyer, **data)


def test_buyer_writes_review_from_the_order_page(client, buyer, seller):
    order = delivered_order(buyer, seller)
    client.force_login(buyer)
    page = client.get(reverse("orders:detail", args=[order.pk]))
    assert reverse("reviews:write", args=[line_of(order).pk]) in page.text

    response = client.post(
        reverse("reviews:write", args=[line_of(order).pk]),
        {"stars": "5", "text": "Отлично", "display_name": "name_initial", "photos": [photo_upload()]},
    )

    assert response.status_code == 302
    review = ProductReview.objects.get()
    assert (review.stars, review.photos.count()) == (5, 1)


def test_buyer_sees_clear_error_for_stars_5abc_and_nothing_is_saved(client, buyer, seller):
    order = delivered_order(buyer, seller)
    client.force_login(buyer)

    response = client.post(
        reverse("reviews:write", args=[line_of(order).pk]),
        {"stars": "5abc", "text": "Текст", "display_name": "anonymous"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["stars"]
    assert not ProductReview.objects.exists()


def test_stranger_gets_404_on_someone_elses_line(client, buyer, other_buyer, seller):
    order = delivered_order(buyer, seller)
    client.force_login(other_buyer)

    assert client.get(reverse("reviews:write", args=[line_of(order).pk])).status_code == 404


def test_listing_page_shows_reviews_and_aggregate_rating_json_ld(client, buyer, seller):
    review = published(buyer, seller, text="<script>alert(1)</script> удобно")
    services.relay_recomputes()

    response = client.get(review.listing.get_absolute_url())

    assert "&lt;script&gt;alert(1)&lt;/script&gt; удобно" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert '"AggregateRating"' in response.text


def test_storefront_shows_rating_slot_and_reviews(client, buyer, seller):
    published(buyer, seller, text="Продавец молодец, всё быстро")
    services.relay_recomputes()

    response = client.get(seller.storefront.get_absolute_url())

    assert "Продавец молодец" in response.text
    assert reverse("reviews:formula") in response.text


@pytest.mark.parametrize(
    ("minutes", "shown"), [(25, "в течение 1 часа"), (61, "в течение 2 часов"), (1230, "в течение 21 часа")]
)
def test_storefront_says_how_soon_the_seller_usually_replies(client, buyer, seller, minutes, shown):
    from reviews.models import SellerRating

    published(buyer, seller, text="Продавец молодец, всё быстро")
    services.relay_recomputes()
    SellerRating.objects.filter(seller=seller).update(reply_median_minutes=minutes)

    page = client.get(seller.storefront.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").text

    assert f"Обычно отвечает {shown}" in page


def test_storefront_of_a_seller_never_asked_says_nothing_of_replies(client, buyer, seller):
    published(buyer, seller)
    services.relay_recomputes()

    assert "Обычно отвечает" not in client.get(seller.storefront.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").text


def test_review_list_query_count_does_not_grow(client, buyer, other_buyer, seller):
    first = published(buyer, seller)
    url = reverse("reviews:listing", args=[first.listing_id])
    client.force_login(other_buyer)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url + "?sort=helpful")
    for _index in range(3):
        order = delivered_order(buyer, seller)
        line = line_of(order)
        from orders.models import OrderLine

        OrderLine.objects.filter(pk=line.pk).update(listing_id=first.listing_id)
        line.refresh_from_db()
        review = services.write_product_review(
            order_line=line, actor=buyer, stars=3, text="Норм", photos=[photo_upload()]
        )
        services.reply_to_review(review=review, actor=seller.user, text="Спасибо")

    with CaptureQueriesContext(connection) as four:
        response = client.get(url + "?sort=helpful")

    assert response.text.count('class="review ') == 4
    assert len(four) == len(one)


def test_a_listings_reviews_run_over_pages_that_keep_the_chosen_filter(client, buyer, seller, monkeypatch):
    from orders.models import OrderLine

    monkeypatch.setattr("reviews.views.PAGE_SIZE", 2)
    first = published(buyer, seller, stars=5, text="Отзыв 0")
    for index in range(1, 3):
        line = line_of(delivered_order(buyer, seller))
        OrderLine.objects.filter(pk=line.pk).update(listing_id=first.listing_id)
        line.refresh_from_db()
        services.write_product_review(order_line=line, actor=buyer, stars=5, text=f"Отзыв {index}")
    url = reverse("reviews:listing", args=[first.listing_id])

    page_one = client.get(url, {"stars": "5"}).text
    page_two = client.get(url, {"stars": "5", "page": "2"}).text

    assert page_one.count('class="review ') == 2
    assert 'href="?stars=5&amp;page=2" rel="next"' in page_one
    assert page_two.count('class="review ') == 1
    assert 'href="?stars=5&amp;page=1" rel="prev"' in page_two


def test_reviews_filter_by_stars_and_photos(client, buyer, other_buyer, seller):
    plain = published(buyer, seller, stars=5, text="Пять звёзд")
    url = reverse("reviews:listing", args=[plain.listing_id])

    assert "Пять звёзд" in client.get(url + "?stars=5").text
    assert "Пять звёзд" not in client.get(url + "?stars=1").text
    assert "Пять звёзд" not in client.get(url + "?photos=1").text


def test_buyer_votes_once_and_second_vote_is_refused(client, buyer, other_buyer, seller):
    review = published(buyer, seller)
    client.force_login(other_buyer)

    client.post(reverse("reviews:vote", args=[review.pk]))
    client.post(reverse("reviews:vote", args=[review.pk]))

    assert ReviewVote.objects.count() == 1
    assert ProductReview.objects.get(pk=review.pk).helpful_count == 1
    with pytest.raises(AlreadyVoted):
        services.vote_helpful(review=review, actor=other_buyer)


def test_helpful_vote_on_a_shared_listing_page_is_the_visitors_own(page_cache, buyer, other_buyer, seller):
    from django.test import Client

    review = published(buyer, seller)
    services.vote_helpful(review=review, actor=other_buyer)
    url = review.listing.get_absolute_url()
    vote_url = reverse("reviews:vote", args=[review.pk])

    visitor = Client()  # both buyers read the Russian pages: the same shared page
    visitor.force_login(other_buyer)
    visitor.get(reverse("home"))  # the first request after a login notes the accepted terms in the session
    voter = visitor.get(url)
    assert voter["X-Page-Cache"] == "miss"  # rendered by the voter and stored for everyone
    assert vote_url not in voter.text
    assert "включая вас" in voter.text

    author = Client()
    author.force_login(buyer)
    author.get(reverse("home"))
    page = author.get(url)
    assert page["X-Page-Cache"] == "hit"
    assert "включая вас" not in page.text  # the voter's vote stayed with the voter
    assert vote_url not in page.text  # no vote on one's own review
    assert reverse("reviews:report", args=[review.pk]) not in page.text


def test_author_cannot_vote_or_report_own_review(buyer, seller):
    review = published(buyer, seller)

    with pytest.raises(OwnReview):
        services.vote_helpful(review=review, actor=buyer)
    with pytest.raises(OwnReview):
        services.report_review(review=review, actor=buyer, reason="spam")

    assert not ReviewVote.objects.exists()
    assert not ReviewReport.objects.exists()


def test_buyer_reports_once_and_upheld_report_hides_the_review(buyer, other_buyer, seller, moderator):
    review = published(buyer, seller)
    report = services.report_review(review=review, actor=other_buyer, reason="offensive", text="Грубо")

    with pytest.raises(AlreadyReported):
        services.report_review(review=review, actor=other_buyer, reason="spam")
    services.decide_report(report=report, actor=moderator, uphold=True)

    assert ProductReview.objects.get(pk=review.pk).status == "hidden"
    assert ReviewReport.objects.count() == 1


def test_seller_replies_once_and_reply_is_escaped(client, buyer, seller):
    review = published(buyer, seller)
    client.force_login(seller.user)

    client.post(reverse("reviews:seller-reply", args=[review.pk]), {"text": "<b>Спасибо</b>"})

    assert SellerReply.objects.get().text == "<b>Спасибо</b>"
    with pytest.raises(AlreadyReplied):
        services.reply_to_review(review=review, actor=seller.user, text="Ещё раз")
    page = client.get(reverse("reviews:listing", args=[review.listing_id]))
    assert "&lt;b&gt;Спасибо&lt;/b&gt;" in page.text


def test_other_seller_cannot_reply(client, buyer, seller, other_seller):
    review = published(buyer, seller)
    client.force_login(other_seller.user)

    response = client.post(reverse("reviews:seller-reply", args=[review.pk]), {"text": "Чужой ответ"})

    assert response.status_code == 404
    assert not SellerReply.objects.exists()


def test_moderator_rejects_held_review_in_admin_with_reason(client, buyer, seller, moderator):
    from conftest import totp_code  # noqa: F401 - staff pages need MFA; force_login marks it done in settings_test

    review = published(buyer, seller, text="Пишите в телеграм")
    services.reject_review(review=review, actor=moderator, reason="Контакты в тексте")

    review.refresh_from_db()
    assert review.status == "rejected"
    assert review.moderation_reason == "Контакты в тексте"
    assert review.events.filter(to_status="rejected", actor=moderator).exists()


def test_seller_sees_incident_with_appeal_button(client, seller, buyer):
    late = incident(bare_orders(seller, buyer, 3)[0], IncidentKind.LATE_SHIPMENT)
    services.recompute_sellers(seller_ids=[seller.pk])
    client.force_login(seller.user)

    response = client.get(reverse("reviews:seller-rating"))

    assert response.status_code == 200
    assert reverse("reviews:seller-appeal", args=[late.pk]) in response.text
    assert "<svg" in response.text


def test_seller_sees_lost_dispute_and_slow_reply_time_explained_in_the_cabinet(client, seller, buyer):
    made = bare_orders(seller, buyer, 20)
    lost = incident(made[0], IncidentKind.DISPUTE_LOST)
    for order in made[:5]:
        conversation(order, asked_hours_ago=48, reply_hours=30)
    services.recompute_sellers(seller_ids=[seller.pk])
    client.force_login(seller.user)

    response = client.get(reverse("reviews:seller-rating"))

    assert response.context["rating"].quality_index == 40  # 100 − 500 × 2 / 20 − 10
    assert reverse("reviews:seller-appeal", args=[lost.pk]) in response.text
    assert "Dispute lost" in response.text
    assert "30.0 h (5 conversations in the window)" in response.text
    assert "10 points deducted" in response.text


@pytest.mark.parametrize(
    ("status", "band", "said"),
    [
        ("active", "excellent", "your products are moved up by 10%"),
        ("warned", "at_risk", "your products are moved down by 19%"),
        ("active", "good", "Your standing does not move your products in search results."),
    ],
)
def test_seller_sees_what_their_standing_does_to_their_products_in_search(client, seller, status, band, said):
    from django.utils import timezone

    from reviews.models import SellerRating

    SellerRating.objects.create(seller=seller, band=band, computed_at=timezone.now())
    type(seller).objects.filter(pk=seller.pk).update(status=status)
    client.force_login(seller.user)

    response = client.get(reverse("reviews:seller-rating"), HTTP_ACCEPT_LANGUAGE="en")

    assert said in response.text
    assert f'href="{reverse("catalog:ranking")}#relevance"' in response.text


def test_seller_appeals_incident_from_the_cabinet(client, seller, buyer):
    late = incident(bare_orders(seller, buyer, 3)[0], IncidentKind.LATE_SHIPMENT)
    client.force_login(seller.user)

    response = client.post(reverse("reviews:seller-appeal", args=[late.pk]), {"body": "Курьер опоздал"})

    assert response.status_code == 302
    assert late.appeal.case.topic == "rating"


def test_formula_page_is_public(client):
    response = client.get(reverse("reviews:formula"))

    assert response.status_code == 200
    assert FORMULA_VERSION in response.text
    assert "Dispute lost" in response.text
    assert "more than 24 hours" in response.text  # the published reply-time thresholds
    assert "more than 72 hours" in response.text


def test_seller_badge_says_the_band_is_service_quality_not_the_review_average():
    """5.0★ from reviews next to a "critical" band must not read as a contradiction: the band is labelled."""
    from decimal import Decimal

    from django.template.loader import render_to_string
    from django.utils import translation

    from reviews.models import Band, SellerRating

    rating = SellerRating(average=Decimal("5.00"), count=3, quality_index=30, band=Band.CRITICAL)
    with translation.override("ru"):
        html = render_to_string("reviews/_seller_badge.html", {"rating": rating})

    assert "★ 5,0" in html
    assert "Качество: " in html
    assert 'title="Качество работы: отправка в срок' in html


def test_listing_page_shows_the_star_distribution_once_the_rating_is_recomputed(client, buyer, seller):
    review = published(buyer, seller, text="Сидят хорошо")
    url = review.listing.get_absolute_url()

    before = client.get(url).text  # published, not yet counted: the review shows, the aggregate does not
    services.relay_recomputes()
    after = client.get(url).text

    assert "Сидят хорошо" in before
    assert "5 ★</dt>" not in before
    assert "5 ★</dt>" in after
    assert '"AggregateRating"' in after


def _reviews_of_one_listing(buyer, seller, count: int, *, photo_on_last: bool = False) -> list[ProductReview]:
    """`count` published reviews of one listing by the same buyer (each from its own delivered order)."""
    from orders.models import OrderLine

    reviews = [published(buyer, seller, text="Отзыв 0")]
    for index in range(1, count):
        line = line_of(delivered_order(buyer, seller))
        OrderLine.objects.filter(pk=line.pk).update(listing_id=reviews[0].listing_id)
        line.refresh_from_db()
        photos = [photo_upload()] if photo_on_last and index == count - 1 else []
        reviews.append(
            services.write_product_review(order_line=line, actor=buyer, stars=3, text=f"Отзыв {index}", photos=photos)
        )
    return reviews


def test_listing_page_shows_the_five_most_helpful_reviews_with_reply_photos_and_author(client, buyer, seller):
    from catalog.models import Listing

    reviews = _reviews_of_one_listing(buyer, seller, 7, photo_on_last=True)
    helpful, newest = reviews[2], reviews[6]
    ProductReview.objects.filter(pk=helpful.pk).update(helpful_count=3)
    services.reply_to_review(review=helpful, actor=seller.user, text="Спасибо, что выбрали нас")
    listing = Listing.objects.get(pk=reviews[0].listing_id)

    shown = selectors.top_reviews(listing_id=listing.pk)
    response = client.get(listing.get_absolute_url())

    # the same five, in the same order, as the reviews page's "most helpful" sort
    assert [review.pk for review in shown] == [
        review.pk for review in selectors.published_reviews(listing_id=listing.pk, sort="helpful")[:5]
    ]
    assert [review.pk for review in shown] == [helpful.pk, newest.pk, reviews[5].pk, reviews[4].pk, reviews[3].pk]
    assert response.text.count('class="review ') == 5
    assert "Отзыв 2" in response.text
    assert "Отзыв 1<" not in response.text
    assert "Спасибо, что выбрали нас" in response.text
    assert newest.photos.get().image.url in response.text
    assert "Алиса И." in response.text


def test_listing_page_reads_its_reviews_and_return_terms_by_prepared_statements(client, buyer, seller):
    from catalog.models import Listing
    from orders.services.terms import set_seller_return_policy

    reviews = _reviews_of_one_listing(buyer, seller, 2, photo_on_last=True)
    services.reply_to_review(review=reviews[0], actor=seller.user, text="Спасибо")
    set_seller_return_policy(seller=seller, actor=seller.user, return_days=30)
    url = Listing.objects.get(pk=reviews[0].listing_id).get_absolute_url()
    client.get(url)

    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}

    assert "30 days" in response.text
    assert "Спасибо" in response.text
    for table in ("reviews_productreview", "reviews_reviewphoto", "reviews_reviewaspectanswer", "orders_sellerreturn"):
        statements = [query["sql"] for query in page.captured_queries if table in query["sql"]]
        assert statements, table
        assert all(statement in prepared for statement in statements), table
