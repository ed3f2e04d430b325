import pytest
from django.core.exceptions import PermissionDenied

from orders import services as order_services
from reviews import services
from reviews.exceptions import AlreadyReviewed, InvalidReview, LinkedToSeller, NotReviewable, ReviewWindowClosed
from reviews.models import ProductReview, RatingRecompute, ReviewStatus

from .factories import delivered_order, line_of, paid_order, photo_upload

pytestmark = pytest.mark.django_db


def write(line, actor, **kwargs):
    data = {"stars": 5, "text": "Отличные кроссовки, удобные и лёгкие."} | kwargs
    return services.write_product_review(order_line=line, actor=actor, **data)


def test_buyer_reviews_delivered_line_and_it_publishes_with_verified_mark(buyer, seller):
    order = delivered_order(buyer, seller)

    review = write(line_of(order), buyer, pros="Лёгкие", cons="Маломерят")

    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert review.is_verified_purchase
    assert review.listing_id == line_of(order).listing_id
    assert review.events.count() == 2
    assert RatingRecompute.objects.filter(seller=seller, status="pending").count() == 1


def test_buyer_cannot_review_undelivered_line(buyer, seller):
    order = paid_order(buyer, seller)

    with pytest.raises(NotReviewable):
        write(line_of(order), buyer)

    assert not ProductReview.objects.exists()


def test_buyer_cannot_review_cancelled_line(buyer, seller):
    order = paid_order(buyer, seller)
    order_services.cancel_order(order=order, actor=buyer, reason="Передумал")

    with pytest.raises(NotReviewable):
        write(line_of(order), buyer)

    assert not ProductReview.objects.exists()


def test_buyer_cannot_review_someone_elses_line(buyer, other_buyer, seller):
    order = delivered_order(buyer, seller)

    with pytest.raises(PermissionDenied):
        write(line_of(order), other_buyer)

    assert not ProductReview.objects.exists()


def test_buyer_cannot_review_the_same_line_twice(buyer, seller):
    order = delivered_order(buyer, seller)
    write(line_of(order), buyer)

    with pytest.raises(AlreadyReviewed):
        write(line_of(order), buyer, stars=1)

    assert ProductReview.objects.get().stars == 5


def test_buyer_cannot_review_after_365_days(buyer, seller):
    order = delivered_order(buyer, seller, days_ago=366)

    with pytest.raises(ReviewWindowClosed):
        write(line_of(order), buyer)

    assert not ProductReview.objects.exists()


def test_account_sharing_the_sellers_phone_cannot_review_its_goods(buyer, seller):
    order = delivered_order(buyer, seller)
    buyer.phone = seller.contact_phone
    buyer.save(update_fields=["phone"])

    with pytest.raises(LinkedToSeller):
        write(line_of(order), buyer)

    assert not ProductReview.objects.exists()


@pytest.mark.parametrize("stars", [0, 6, "5abc", "", None, "4.5", -1])
def test_buyer_gets_clear_error_for_bad_stars(buyer, seller, stars):
    order = delivered_order(buyer, seller)

    with pytest.raises(InvalidReview, match="1 to 5"):
        write(line_of(order), buyer, stars=stars)

    assert not ProductReview.objects.exists()


def test_buyer_cannot_post_a_100000_character_text(buyer, seller):
    order = delivered_order(buyer, seller)

    with pytest.raises(InvalidReview, match="5000"):
        write(line_of(order), buyer, text="а" * 100_000)

    assert not ProductReview.objects.exists()


def test_buyer_attaches_up_to_five_photos_re_encoded(buyer, seller):
    order = delivered_order(buyer, seller)

    review = write(line_of(order), buyer, photos=[photo_upload() for _ in range(5)])

    assert review.photos.count() == 5
    assert all(photo.image.name.endswith(".jpg") for photo in review.photos.all())


def test_buyer_cannot_attach_six_photos(buyer, seller):
    order = delivered_order(buyer, seller)

    with pytest.raises(InvalidReview, match="5"):
        write(line_of(order), buyer, photos=[photo_upload() for _ in range(6)])

    assert not ProductReview.objects.exists()


def test_buyer_photo_bomb_is_refused(buyer, seller, settings):
    settings.MARKETPLACE_CATALOG_PHOTO_MAX_PIXELS = 1_000_000
    order = delivered_order(buyer, seller)

    with pytest.raises(InvalidReview, match=r"megapixels|JPEG"):
        write(line_of(order), buyer, photos=[photo_upload(size=(1500, 1500))])

    assert not ProductReview.objects.exists()


def test_buyer_cannot_upload_a_non_image_as_photo(buyer, seller):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = delivered_order(buyer, seller)

    with pytest.raises(InvalidReview):
        write(line_of(order), buyer, photos=[SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>")])

    assert not ProductReview.objects.exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Продавец мудак, товар норм но всё равно", "profanity"),
        ("This is shit quality, do not buy it please", "profanity"),
        ("Пишите мне в телеграм, продам дешевле", "contacts"),
        ("Звоните +7 912 345-67-89 по любым вопросам", "contacts"),
        ("Заходите на https://example.com там дешевле", "contacts"),
        ("ОТЛИЧНЫЙ ТОВАР ВСЕМ СОВЕТУЮ ПОКУПАТЬ ТОЛЬКО ТУТ", "all_caps"),
    ],
)
def test_review_failing_a_check_is_held_for_a_moderator(buyer, seller, text, reason):
    order = delivered_order(buyer, seller)

    review = write(line_of(order), buyer, text=text)

    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert reason in review.hold_reasons


def test_duplicate_text_is_held(buyer, other_buyer, seller):
    text = "Очень хорошие кроссовки, ношу каждый день уже месяц."
    write(line_of(delivered_order(buyer, seller)), buyer, text=text)

    second = write(line_of(delivered_order(other_buyer, seller)), other_buyer, text=text.upper().lower() + "!")

    second.refresh_from_db()
    assert second.status == ReviewStatus.PENDING
    assert "duplicate" in second.hold_reasons


def test_premoderation_holds_every_review(buyer, seller, settings):
    settings.MARKETPLACE_REVIEW_PREMODERATION = True

    review = write(line_of(delivered_order(buyer, seller)), buyer)

    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert review.hold_reasons == ["premoderation"]


def test_script_in_review_is_stored_as_text(buyer, seller):
    review = write(line_of(delivered_order(buyer, seller)), buyer, text="<script>alert(1)</script> хорошо")

    assert ProductReview.objects.get(pk=review.pk).text.startswith("<script>")


def test_buyer_edits_within_30_days_and_edit_is_rechecked(buyer, seller):
    review = write(line_of(delivered_order(buyer, seller)), buyer)

    services.edit_product_review(review=review, actor=buyer, stars=2, text="Пишите в whatsapp, расскажу подробнее")

    review.refresh_from_db()
    assert review.stars == 2
    assert review.status == ReviewStatus.PENDING
    assert "contacts" in review.hold_reasons


def test_buyer_cannot_edit_after_30_days(buyer, seller):
    from datetime import timedelta

    from django.utils import timezone

    from reviews.exceptions import EditWindowClosed

    review = write(line_of(delivered_order(buyer, seller)), buyer)
    ProductReview.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(days=31))
    review.refresh_from_db()

    with pytest.raises(EditWindowClosed):
        services.edit_product_review(review=review, actor=buyer, stars=1, text="Хуже")

    assert ProductReview.objects.get(pk=review.pk).stars == 5


def test_buyer_rates_seller_once_per_order(buyer, seller):
    order = delivered_order(buyer, seller)
    services.write_seller_review(order=order, actor=buyer, service_stars=5, delivery_stars=4, packaging_stars=3)

    with pytest.raises(AlreadyReviewed):
        services.write_seller_review(order=order, actor=buyer, service_stars=1, delivery_stars=1, packaging_stars=1)


def test_buyer_cannot_rate_seller_with_bad_stars(buyer, seller):
    order = delivered_order(buyer, seller)

    with pytest.raises(InvalidReview):
        services.write_seller_review(
            order=order, actor=buyer, service_stars="5abc", delivery_stars=4, packaging_stars=3
        )


def test_moderator_opens_a_held_review_in_admin_with_its_reject_link(client, buyer, seller, moderator):
    review = services.write_product_review(order_line=line_of(delivered_order(buyer, seller)), actor=buyer, stars=5)
    client.force_login(moderator)

    page = client.get(f"/admin/reviews/productreview/{review.pk}/change/")

    assert page.status_code == 200
    assert page.context["reject_url"] == f"/admin/reviews/productreview/{review.pk}/reject/"


@pytest.mark.parametrize("object_id", ["1/change/widgets.css", "abc"])
def test_a_review_admin_address_that_is_no_review_is_not_a_server_error(client, moderator, object_id):
    client.force_login(moderator)

    response = client.get(f"/admin/reviews/productreview/{object_id}/change/", follow=True)

    assert response.status_code == 200  # Django's "does not exist" redirect to the admin index
    assert response.redirect_chain
    assert "reject_url" not in response.context
