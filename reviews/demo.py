"""Demo reviews for `make run`, on the delivered and completed demo orders (orders/demo.py), through the real
services: product reviews with photos and seller replies, seller reviews, helpful votes, one review held for
moderation (a contact in the text), one contested by the seller (it is only about the delivery), an appeal of the
late-shipment incident, review requests, and the ratings recomputed synchronously with a daily history. Clothing and
shoes ask category review aspects ("size fits", material, comfort), answered in the demo reviews where they apply.
Idempotent: a second run finds the first demo review and stops."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from orders.demo import demo_key
from orders.models import Incident, IncidentKind, Order
from sellers.models import TeamMember

from . import selectors, services
from .models import (
    AspectKind,
    DisplayName,
    ProductReview,
    ReviewAspect,
    ReviewStatus,
    SellerRatingHistory,
    SellerReview,
)
from .policies import REVIEWABLE_STATUSES

HISTORY_DAYS = 14
# (category name, aspect name, kind, order): a subcategory inherits its parent's aspects
ASPECTS = (
    ("Одежда и обувь", "Размер соответствует", AspectKind.YES_NO, 1),
    ("Одежда и обувь", "Качество материала", AspectKind.SCALE, 2),
    ("Кроссовки", "Удобство", AspectKind.SCALE, 3),
)

# (order scenario, product review fields, photo colours, seller reply, seller review marks or None)
REVIEWS = (
    (
        "completed-1",
        {
            "stars": 5,
            "text": "Пришло быстро, всё как на фотографиях. Качество отличное, пользуюсь каждый день.",
            "pros": "Качество, аккуратная упаковка",
            "cons": "Не нашла",
        },
        ((210, 90, 60), (60, 120, 200)),
        "Спасибо за отзыв! Рады, что понравилось, ждём вас снова.",
        (5, 5, 4),
    ),
    (
        "completed-2",
        {
            "stars": 4,
            "text": "Хорошая вещь за свои деньги. Размер соответствует, цвет чуть темнее, чем на сайте.",
            "pros": "Цена, размер",
            "cons": "Цвет немного отличается",
            "display_name": DisplayName.ANONYMOUS,
        },
        ((90, 160, 90),),
        "Спасибо! Цвет на экране может немного отличаться, мы обновим фотографии.",
        (4, 5, 5),
    ),
    (
        "completed-4",
        {
            "stars": 5,
            "text": "Заказала две штуки, обе в идеальном состоянии. Продавец ответил на все вопросы.",
            "pros": "Надёжный продавец",
        },
        ((240, 200, 80),),
        "Благодарим за покупку!",
        (5, 4, 5),
    ),
)
CONTESTED = (
    "completed-3",
    {"stars": 2, "text": "Курьер опоздал на два дня и не позвонил заранее. Сам товар нормальный."},
    "Отзыв только о работе службы доставки, а не о товаре.",
)
HELD = (
    "two-sellers",
    {"stars": 5, "text": "Отличный товар! Если нужны подробности — пишите мне в телеграм @anna_obzor_msk."},
)
APPEAL = "Посылку передали в СДЭК вовремя, задержка на стороне службы доставки: прикладываем акт приёма-передачи."


def seed_review_aspects() -> int:
    """The clothing and shoes aspects (found by category name; none when the catalogue has no such category)."""
    from catalog.models import Category

    made = 0
    for category_name, name, kind, position in ASPECTS:
        category = Category.objects.filter(name=category_name).order_by("depth", "pk").first()
        if category is not None:
            _aspect, created = ReviewAspect.objects.get_or_create(
                category=category, name=name, defaults={"kind": kind, "position": position}
            )
            made += created
    return made


def seed_reviews(log: Callable[[str], None]) -> None:
    orders = {
        name: Order.objects.filter(group__checkout_key=demo_key(name), status__in=REVIEWABLE_STATUSES)
        .select_related("seller__user", "buyer")
        .order_by("pk")
        .first()
        for name in ("completed-1", "completed-2", "completed-3", "completed-4", "two-sellers")
    }
    if any(order is None for order in orders.values()):
        log("reviews: no demo orders (seed the orders first), reviews skipped")
        return
    if ProductReview.objects.filter(order=orders["completed-1"]).exists():
        log("reviews: already seeded")
        return
    aspects = seed_review_aspects()

    written = []
    for name, fields, colours, reply, marks in REVIEWS:
        order = orders[name]
        review = _write(order, fields, photos=[_photo(colour, number) for number, colour in enumerate(colours)])
        services.reply_to_review(review=review, actor=order.seller.user, text=reply)
        if marks:
            service, delivery, packaging = marks
            seller_review = services.write_seller_review(
                order=order,
                actor=order.buyer,
                service_stars=service,
                delivery_stars=delivery,
                packaging_stars=packaging,
                comment="Всё чётко, спасибо.",
            )
            _backdate(seller_review, order)
        written.append(review)
    # Buyers find each other's reviews helpful (never their own).
    for review in written:
        for voter in {order.buyer for order in orders.values()} - {review.author}:
            services.vote_helpful(review=review, actor=voter)

    name, fields, reason = CONTESTED
    contested = _write(orders[name], fields)
    services.contest_review(review=contested, actor=orders[name].seller.user, reason=reason)

    name, fields = HELD
    held = _write(orders[name], fields)

    appealed = _appeal_late_shipment()
    services.schedule_review_requests()
    services.send_due_review_requests()
    seller_ids = sorted({order.seller_id for order in orders.values()})
    _rating_history(seller_ids)

    published = ProductReview.objects.filter(status=ReviewStatus.PUBLISHED).count()
    log(
        f"reviews: {published} published with photos and replies, one held ({held.get_status_display()}), "
        f"one contested, {SellerReview.objects.count()} seller reviews; "
        f"ratings with {SellerRatingHistory.objects.count()} history rows"
        + (", the late shipment under appeal" if appealed else "")
        + (f"; {aspects} review aspects for clothing and shoes" if aspects else "")
    )


def _write(order: Order, fields: dict, *, photos=()) -> ProductReview:
    line = order.lines.select_related("listing").order_by("pk").first()
    review = services.write_product_review(
        order_line=line, actor=order.buyer, photos=photos, aspects=_answers(line.listing, fields["stars"]), **fields
    )
    _backdate(review, order)
    return review


def _answers(listing, stars: int) -> dict[int, str]:
    """Answers in keeping with the stars: a happy buyer found the size right and the quality good."""
    return {
        aspect.pk: ("yes" if stars >= 4 else "no") if aspect.kind == AspectKind.YES_NO else str(max(1, stars - 1))
        for aspect in selectors.aspects_for_category(category_id=listing.category_id)
    }


def _photo(colour: tuple[int, int, int], number: int) -> SimpleUploadedFile:
    """A small JPEG made in memory: a coloured background with a lighter "product" shape."""
    image = Image.new("RGB", (480, 480), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, value + 70) for value in colour)
    draw.rounded_rectangle((110, 140, 370, 380), radius=40, fill=light)
    draw.ellipse((190, 60, 290, 160), fill=(250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(f"demo-{number}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _backdate(review: ProductReview | SellerReview, order: Order) -> None:
    """Move the clock as orders/demo.py does: the review was written a day after its order's delivery."""
    written = min(order.delivered_at + timedelta(days=1), timezone.now())
    type(review).objects.filter(pk=review.pk).update(
        created_at=written, published_at=written if review.published_at else None
    )


def _appeal_late_shipment() -> bool:
    """The seller with the late shipment contests it; the case waits for a moderator's decision."""
    late = Incident.objects.filter(order__group__checkout_key=demo_key("late"), kind=IncidentKind.LATE_SHIPMENT).first()
    if late is None:
        return False
    member = TeamMember.objects.filter(seller=late.seller, user=late.seller.user).first()
    if member is None:
        return False
    services.appeal_incident(incident=late, member=member, body=APPEAL)
    return True


def _rating_history(seller_ids: list[int]) -> None:
    """The rating as it stood at the end of each of the last days, then now (the current row is the last write)."""
    today = timezone.localdate()
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        end_of_day = timezone.make_aware(datetime.combine(day, time(23, 59)))
        services.recompute_sellers(seller_ids=seller_ids, now=end_of_day)
    services.relay_recomputes()  # the outbox rows the reviews above wrote, as the worker would
    services.recompute_all()
