"""Managers define category review aspects in the admin; moderators do not."""

import pytest
from django.urls import reverse

from catalog.tests.factories import CategoryFactory
from reviews import services
from reviews.models import AspectKind, ReviewAspect

from .test_aspects import shoes_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def clothing():
    root = CategoryFactory(name="Одежда и обувь")
    shoes = CategoryFactory(name="Кроссовки", parent=root)
    size = ReviewAspect.objects.create(category=root, name="Размер соответствует", kind=AspectKind.YES_NO)
    return {"root": root, "shoes": shoes, "size": size}


def test_manager_defines_an_aspect_for_a_category_in_admin(client, manager, clothing):
    client.force_login(manager)

    response = client.post(
        reverse("admin:reviews_reviewaspect_add"),
        {"category": clothing["shoes"].pk, "name": "Удобство", "kind": AspectKind.SCALE, "position": 2,
         "is_active": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    aspect = ReviewAspect.objects.get(name="Удобство")
    assert (aspect.category, aspect.kind) == (clothing["shoes"], AspectKind.SCALE)


def test_manager_cannot_define_the_same_aspect_twice_for_a_category(client, manager, clothing):
    client.force_login(manager)

    response = client.post(
        reverse("admin:reviews_reviewaspect_add"),
        {"category": clothing["root"].pk, "name": "Размер соответствует", "kind": AspectKind.YES_NO, "position": 0},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ReviewAspect.objects.count() == 1


def test_manager_cannot_change_the_kind_or_category_of_an_answered_aspect(client, manager, buyer, seller, clothing):
    line = shoes_line(buyer, seller, clothing)
    services.write_product_review(order_line=line, actor=buyer, stars=5, aspects={clothing["size"].pk: "yes"})
    client.force_login(manager)
    url = reverse("admin:reviews_reviewaspect_change", args=[clothing["size"].pk])

    page = client.get(url)
    client.post(url, {"name": "Размер в размер", "position": 1, "is_active": "on", "kind": AspectKind.SCALE})

    assert set(page.context["adminform"].readonly_fields) == {"category", "kind"}
    aspect = ReviewAspect.objects.get(pk=clothing["size"].pk)
    assert (aspect.name, aspect.kind) == ("Размер в размер", AspectKind.YES_NO)


def test_moderator_cannot_define_aspects(client, moderator):
    client.force_login(moderator)

    response = client.get(reverse("admin:reviews_reviewaspect_add"))

    assert response.status_code == 403
