"""Category-specific review aspects: managers define them per category, subcategories inherit them, buyers answer
them in the review, the listing shows per-aspect summaries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Listing
from catalog.tests.factories import CategoryFactory
from reviews import selectors, services
from reviews.exceptions import InvalidReview
from reviews.models import AspectKind, ProductReview, ReviewAspect, ReviewAspectAnswer

from .factories import delivered_order, line_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def clothing():
    """Clothing › Shoes; clothing asks "Size fits" (yes/no), shoes add "Comfort" (1–5)."""
    root = CategoryFactory(name="Одежда и обувь")
    shoes = CategoryFactory(name="Кроссовки", parent=root)
    size = ReviewAspect.objects.create(category=root, name="Размер соответствует", kind=AspectKind.YES_NO, position=1)
    comfort = ReviewAspect.objects.create(category=shoes, name="Удобство", kind=AspectKind.SCALE, position=2)
    return {"root": root, "shoes": shoes, "size": size, "comfort": comfort}


@pytest.fixture
def user_factory(password):
    from conftest import _make_user

    made = iter(range(1, 100))
    return lambda: _make_user(f"buyer{next(made)}@example.com", password, first_name="Вера")


def shoes_line(buyer, seller, clothing, *, title="Кроссовки беговые"):
    line = line_of(delivered_order(buyer, seller, title=title))
    Listing.objects.filter(pk=line.listing_id).update(category=clothing["shoes"])
    return line


def answers_of(review) -> dict[str, int]:
    return {answer.aspect.name: answer.value for answer in review.aspect_answers.select_related("aspect")}


def test_buyer_answers_the_aspects_of_the_listing_category_and_of_its_parent(buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)

    review = services.write_product_review(
        order_line=line, actor=buyer, stars=5, text="Отлично",
        aspects={clothing["size"].pk: "yes", clothing["comfort"].pk: "4"},
    )  # fmt: skip

    assert answers_of(review) == {"Размер соответствует": 1, "Удобство": 4}


def test_buyer_may_leave_aspects_unanswered(buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)

    review = services.write_product_review(
        order_line=line, actor=buyer, stars=4, aspects={clothing["size"].pk: "no", clothing["comfort"].pk: ""}
    )

    assert answers_of(review) == {"Размер соответствует": 0}


def test_parent_category_does_not_ask_its_subcategories_aspects(clothing):
    asked = selectors.aspects_for_category(category_id=clothing["root"].pk)

    assert [aspect.name for aspect in asked] == ["Размер соответствует"]


def test_subcategory_aspect_with_the_parents_name_is_asked_instead_of_the_parents(clothing):
    own = ReviewAspect.objects.create(category=clothing["shoes"], name="Размер соответствует", kind=AspectKind.SCALE)

    asked = selectors.aspects_for_category(category_id=clothing["shoes"].pk)

    assert [aspect.pk for aspect in asked] == [own.pk, clothing["comfort"].pk]


@pytest.mark.parametrize(
    ("aspect", "value", "message"),
    [
        ("size", "maybe", "answer yes or no"),
        ("size", "1", "answer yes or no"),
        ("comfort", "0", "from 1 to 5"),
        ("comfort", "6", "from 1 to 5"),
        ("comfort", "5abc", "from 1 to 5"),
        ("comfort", "yes", "from 1 to 5"),
    ],
)
def test_buyer_cannot_give_an_aspect_an_answer_of_the_wrong_kind(buyer, seller, clothing, aspect, value, message):
    line = shoes_line(buyer, seller, clothing)

    with pytest.raises(InvalidReview, match=message):
        services.write_product_review(order_line=line, actor=buyer, stars=5, aspects={clothing[aspect].pk: value})

    assert not ProductReview.objects.exists()
    assert not ReviewAspectAnswer.objects.exists()


def test_buyer_cannot_answer_an_aspect_the_category_does_not_ask(buyer, seller, clothing):
    other = ReviewAspect.objects.create(category=CategoryFactory(name="Электроника"), name="Держит заряд")
    line = shoes_line(buyer, seller, clothing)

    with pytest.raises(InvalidReview, match="reload the page"):
        services.write_product_review(order_line=line, actor=buyer, stars=5, aspects={other.pk: "yes"})

    assert not ProductReview.objects.exists()


def test_inactive_aspect_is_no_longer_asked_nor_shown(buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    services.write_product_review(order_line=line, actor=buyer, stars=5, aspects={clothing["size"].pk: "yes"})
    ReviewAspect.objects.filter(pk=clothing["size"].pk).update(is_active=False)

    assert [aspect.name for aspect in selectors.aspects_for_category(category_id=clothing["shoes"].pk)] == ["Удобство"]
    assert selectors.aspect_summaries(listing_id=line.listing_id) == []


def test_buyer_edits_aspect_answers_and_leaving_them_out_keeps_them(buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    review = services.write_product_review(order_line=line, actor=buyer, stars=5, aspects={clothing["size"].pk: "yes"})

    services.edit_product_review(review=review, actor=buyer, stars=4, text="Через месяц")
    assert answers_of(review) == {"Размер соответствует": 1}

    services.edit_product_review(
        review=review, actor=buyer, stars=4, aspects={clothing["size"].pk: "no", clothing["comfort"].pk: "3"}
    )
    assert answers_of(review) == {"Размер соответствует": 0, "Удобство": 3}


def test_listing_shows_per_aspect_summaries_of_published_reviews_only(
    buyer, other_buyer, user_factory, seller, moderator, clothing
):
    answers = [(buyer, "yes", "5"), (other_buyer, "yes", "4"), (user_factory(), "no", ""), (user_factory(), "no", "1")]
    reviews = []
    for author, size, comfort in answers:
        line = shoes_line(author, seller, clothing)
        reviews.append(
            services.write_product_review(
                order_line=line, actor=author, stars=5,
                aspects={clothing["size"].pk: size, clothing["comfort"].pk: comfort},
            )
        )  # fmt: skip
    listing_id = reviews[0].listing_id
    ProductReview.objects.update(listing_id=listing_id)  # each order made its own listing: gather them
    # The third review from a new account was held (a burst for one seller); a moderator publishes it.
    # The fourth stays held: its answers are not counted.
    held = list(ProductReview.objects.filter(status="pending").order_by("pk"))
    assert [review.pk for review in held] == [reviews[2].pk, reviews[3].pk]
    services.approve_review(review=held[0], actor=moderator)

    summaries = selectors.aspect_summaries(listing_id=listing_id)

    assert [(summary.name, summary.answers, str(summary.value)) for summary in summaries] == [
        ("Размер соответствует", 3, "67"),
        ("Удобство", 2, "4.5"),
    ]


def test_listing_page_shows_aspect_summaries_and_each_reviews_answers(client, buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    services.write_product_review(
        order_line=line, actor=buyer, stars=5, aspects={clothing["size"].pk: "yes", clothing["comfort"].pk: "4"}
    )
    listing = Listing.objects.get(pk=line.listing_id)

    page = client.get(listing.get_absolute_url())
    reviews_page = client.get(reverse("reviews:listing", args=[listing.pk]))

    for response in (page, reviews_page):
        assert response.status_code == 200
        assert "What buyers say" in response.text
        assert "100% yes" in response.text
        assert "4.0 of 5" in response.text
        assert "Размер соответствует: yes" in response.text


def test_review_form_asks_the_category_aspects_and_stores_the_answers(client, buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    client.force_login(buyer)
    url = reverse("reviews:write", args=[line.pk])

    form_page = client.get(url)
    response = client.post(
        url, {"stars": "5", "display_name": "name_initial", f"aspect_{clothing['size'].pk}": "no",
              f"aspect_{clothing['comfort'].pk}": "2"},
    )  # fmt: skip

    assert '<legend class="h6">About this product</legend>' in form_page.text
    assert "Размер соответствует" in form_page.text
    assert response.status_code == 302
    assert answers_of(ProductReview.objects.get()) == {"Размер соответствует": 0, "Удобство": 2}


def test_review_form_refuses_an_answer_outside_the_choices_and_keeps_nothing(client, buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    client.force_login(buyer)

    response = client.post(
        reverse("reviews:write", args=[line.pk]),
        {"stars": "5", "display_name": "name_initial", f"aspect_{clothing['comfort'].pk}": "9"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors[f"aspect_{clothing['comfort'].pk}"]
    assert not ProductReview.objects.exists()


def test_edit_form_shows_the_saved_answers(client, buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    services.write_product_review(order_line=line, actor=buyer, stars=5, aspects={clothing["size"].pk: "no"})
    client.force_login(buyer)

    response = client.get(reverse("reviews:write", args=[line.pk]))

    assert response.context["form"].initial[f"aspect_{clothing['size'].pk}"] == "no"


def test_listing_reviews_query_count_does_not_grow_with_aspect_answers(
    client, buyer, user_factory, seller, moderator, clothing
):
    def review_by(author):
        line = shoes_line(author, seller, clothing)
        services.write_product_review(
            order_line=line, actor=author, stars=4, aspects={clothing["size"].pk: "yes", clothing["comfort"].pk: "5"}
        )
        return line.listing_id

    listing_id = review_by(buyer)
    url = reverse("reviews:listing", args=[listing_id])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        other = review_by(user_factory())
        ProductReview.objects.filter(listing_id=other).update(listing_id=listing_id)
    for held in ProductReview.objects.filter(status="pending"):  # new accounts' burst waits for a moderator
        services.approve_review(review=held, actor=moderator)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)

    assert len(response.context["reviews"]) == 4
    assert len(four) == len(one)
