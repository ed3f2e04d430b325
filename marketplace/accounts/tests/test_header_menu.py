"""The header's account menu: where a signed-in buyer finds their orders, and a seller's team the cabinet."""

import re

import pytest
from django.urls import reverse

from catalog.tests.factories import make_seller

pytestmark = pytest.mark.django_db


def menu_links(client) -> list[tuple[str, str]]:
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    menu = page.split('<div class="dropdown-menu shadow">', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a class="dropdown-item" href="([^"]+)">(.*?)</a>', menu, re.S)
    return [(href, re.sub(r"<svg.*?</svg>", "", text, flags=re.S).strip()) for href, text in links]


def test_a_signed_in_buyers_menu_leads_to_orders_favourites_reviews_and_disputes(client, user):
    client.force_login(user)

    links = menu_links(client)

    assert links[:4] == [
        (reverse("orders:list"), "Мои заказы"),
        (reverse("buyers:favourites"), "Избранное"),
        (reverse("reviews:mine"), "Мои отзывы"),
        (reverse("disputes:list"), "Споры"),
    ]
    assert (reverse("accounts:profile"), "Профиль") in links
    assert reverse("sellers:dashboard") not in [href for href, _label in links]  # a buyer has no cabinet


def test_a_sellers_menu_also_leads_to_the_seller_cabinet(client):
    from conftest import _accept_current_terms

    seller = make_seller()
    _accept_current_terms(seller.user)
    client.force_login(seller.user)

    assert (reverse("sellers:dashboard"), "Кабинет продавца") in menu_links(client)
