"""Sellers' pages follow the site's page rules: one h1, landmarks, labelled controls, no inline code (strict CSP)."""

import pytest
from django.urls import reverse

from marketplace.core.tests.test_pages import assert_page_is_accessible
from sellers import services
from sellers.models import CaseTopic, SellerStatus

from .test_applications import fill_application

pytestmark = pytest.mark.django_db


def test_public_seller_pages_are_accessible(client, seller):
    for url in (reverse("sellers:sell"), seller.storefront.get_absolute_url()):
        response = client.get(url, headers={"accept-language": "ru"})
        assert_page_is_accessible(response.content.decode(), language="ru")


def test_wizard_pages_are_accessible(client, user):
    application = fill_application(user)
    type(application).objects.filter(pk=application.pk).update(completed_steps=4)
    client.force_login(user)

    for step in range(1, 6):
        response = client.get(reverse("sellers:apply-step", args=[step]), headers={"accept-language": "ru"})
        assert response.status_code == 200
        assert_page_is_accessible(response.content.decode(), language="ru")
    response = client.get(reverse("sellers:application-status"), headers={"accept-language": "ru"})
    assert_page_is_accessible(response.content.decode(), language="ru")


def test_cabinet_pages_are_accessible(client, seller, moderator):
    member = seller.user.seller_membership
    sanction = services.apply_sanction(seller=seller, level=SellerStatus.WARNED, actor=moderator, rule="r", reason="x")
    case = services.open_case(member=member, topic=CaseTopic.SANCTION, subject="s", body="b", sanction=sanction)
    services.invite_team_member(member=member, email="new@example.com", role="manager")
    client.force_login(seller.user)

    for name in ("dashboard", "store-settings", "legal", "team", "announcements", "cases", "case-create", "sanctions"):
        response = client.get(reverse(f"sellers:{name}"), headers={"accept-language": "ru"})
        assert_page_is_accessible(response.content.decode(), language="ru")
    response = client.get(case.get_absolute_url(), headers={"accept-language": "ru"})
    assert_page_is_accessible(response.content.decode(), language="ru")
