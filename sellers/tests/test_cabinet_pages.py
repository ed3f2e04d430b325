"""The cabinet over HTTP: every page enforces the team role, strangers get 404, query counts stay constant."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sellers import services
from sellers.models import Announcement, CaseTopic, SellerStatus, TeamRole

from .factories import add_member, impose_sanction, make_seller, upload

pytestmark = pytest.mark.django_db

CABINET_PAGES = [
    ("sellers:dashboard", "dashboard"),
    ("sellers:store-settings", "store"),
    ("sellers:legal", "finance"),
    ("sellers:team", "team"),
    ("sellers:api-keys", "team"),
    ("sellers:announcements", "announcements"),
    ("sellers:cases", "cases"),
    ("sellers:case-create", "cases"),
    ("sellers:sanctions", "cases"),
]
WAREHOUSE_ALLOWED = {"dashboard"}
MANAGER_FORBIDDEN = {"finance", "team"}


@pytest.mark.parametrize(("url_name", "section"), CABINET_PAGES)
def test_buyer_gets_404_for_every_cabinet_page(client, user, url_name, section):
    client.force_login(user)

    assert client.get(reverse(url_name)).status_code == 404


@pytest.mark.parametrize(("url_name", "section"), CABINET_PAGES)
def test_owner_opens_every_cabinet_page(client, seller, url_name, section):
    client.force_login(seller.user)

    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize(("url_name", "section"), CABINET_PAGES)
def test_manager_is_kept_out_of_finance_and_team(client, seller, manager_member, url_name, section):
    client.force_login(manager_member.user)

    expected = 403 if section in MANAGER_FORBIDDEN else 200
    assert client.get(reverse(url_name)).status_code == expected


@pytest.mark.parametrize(("url_name", "section"), CABINET_PAGES)
def test_warehouse_member_sees_only_the_dashboard_here(client, seller, warehouse_member, url_name, section):
    client.force_login(warehouse_member.user)

    expected = 200 if section in WAREHOUSE_ALLOWED else 403
    assert client.get(reverse(url_name)).status_code == expected


def test_warehouse_member_cannot_post_a_bank_change(client, seller, warehouse_member):
    client.force_login(warehouse_member.user)

    response = client.post(reverse("sellers:bank-change"), {"bik": "044525974"})

    assert response.status_code == 403
    assert not seller.bank_changes.exists()


def test_menu_shows_only_the_sections_of_the_role(client, seller, warehouse_member):
    client.force_login(warehouse_member.user)

    response = client.get(reverse("sellers:dashboard"))

    keys = {item.key for item in response.context["nav"]}
    assert "dashboard" in keys
    assert {"orders", "returns", "offers"} <= keys  # warehouse: orders and stock
    assert not keys & {"money", "legal", "team", "store", "listings", "import"}  # no finance, team or settings
    assert not {card["key"] for card in response.context["cards"]} & {"balance"}


def test_owner_sees_the_unread_announcements_badge(client, seller, manager):
    announcement = Announcement.objects.create(title="Новое", body="Текст", created_by=manager)
    services.publish_announcement(announcement=announcement, actor=manager)
    client.force_login(seller.user)

    response = client.get(reverse("sellers:dashboard"))

    assert response.context["unread_announcements"] == 1
    client.get(reverse("sellers:announcement-detail", args=[announcement.pk]))
    assert client.get(reverse("sellers:dashboard")).context["unread_announcements"] == 0


def test_dashboard_does_not_say_nothing_new_while_an_announcement_awaits_confirmation(client, seller, manager):
    announcement = Announcement.objects.create(
        title="Новые правила", body="Текст", created_by=manager, requires_acknowledgement=True
    )
    services.publish_announcement(announcement=announcement, actor=manager)
    client.force_login(seller.user)
    client.get(reverse("sellers:announcement-detail", args=[announcement.pk]))  # read, not yet confirmed

    page = client.get(reverse("sellers:dashboard"), headers={"accept-language": "en"}).content.decode()

    assert "1 announcement needs your confirmation" in page
    assert "Nothing new." not in page


def test_seller_cannot_open_an_announcement_not_addressed_to_it(client, seller, other_seller, manager):
    announcement = Announcement.objects.create(title="ООО", body="Текст", created_by=manager, segment_legal_form="ooo")
    services.publish_announcement(announcement=announcement, actor=manager)
    client.force_login(seller.user)

    assert client.get(reverse("sellers:announcement-detail", args=[announcement.pk])).status_code == 404


def test_acknowledging_over_htmx_returns_the_panel(client, seller, manager):
    announcement = Announcement.objects.create(
        title="Правила", body="Текст", created_by=manager, requires_acknowledgement=True
    )
    services.publish_announcement(announcement=announcement, actor=manager)
    client.force_login(seller.user)

    response = client.post(
        reverse("sellers:announcement-acknowledge", args=[announcement.pk]),
        headers={"HX-Request": "true", "HX-Target": "ack-panel"},
    )

    assert response.status_code == 200
    assert 'id="ack-panel"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert response["Vary"].count("HX-Request") == 1


# Cases ---------------------------------------------------------------------------------------------------


def test_owner_opens_a_case_with_an_attachment_over_http(client, seller):
    client.force_login(seller.user)

    response = client.post(
        reverse("sellers:case-create"),
        {"topic": CaseTopic.PAYOUT, "subject": "Выплата", "body": "Не пришла", "attachments": [upload("a.pdf")]},
    )

    case = seller.cases.get()
    assert response["Location"] == case.get_absolute_url()
    attachment = case.messages.get().attachments.get()
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_other_seller_gets_404_for_a_case_and_its_files(client, seller, other_seller):
    case = services.open_case(
        member=seller.user.seller_membership,
        topic=CaseTopic.OTHER,
        subject="s",
        body="b",
        attachments=[upload("a.pdf")],
    )
    attachment = case.messages.get().attachments.get()
    client.force_login(other_seller.user)

    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert client.post(reverse("sellers:case-close", args=[case.pk])).status_code == 404


def test_buyer_gets_404_for_a_case_file(client, seller, user):
    case = services.open_case(
        member=seller.user.seller_membership, topic=CaseTopic.OTHER, subject="s", body="b", attachments=[upload()]
    )
    client.force_login(user)

    assert client.get(case.messages.get().attachments.get().get_absolute_url()).status_code == 404


def test_warehouse_member_gets_404_for_a_case_file(client, seller, warehouse_member):
    case = services.open_case(
        member=seller.user.seller_membership, topic=CaseTopic.OTHER, subject="s", body="b", attachments=[upload()]
    )
    client.force_login(warehouse_member.user)

    assert client.get(case.messages.get().attachments.get().get_absolute_url()).status_code == 404


def test_case_page_shows_the_countdown_until_the_platforms_answer(client, seller):
    case = services.open_case(member=seller.user.seller_membership, topic=CaseTopic.OTHER, subject="s", body="b")
    client.force_login(seller.user)

    html = client.get(case.get_absolute_url()).content.decode()

    assert "countdown" in html
    assert case.answer_due_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M") in html


def test_seller_appeals_a_sanction_from_the_sanctions_page(client, seller, moderator):
    sanction = services.apply_sanction(
        seller=seller, level=SellerStatus.RESTRICTED, actor=moderator, rule="Подделки", reason="Жалобы"
    )
    client.force_login(seller.user)

    page = client.get(reverse("sellers:sanctions")).content.decode()
    assert f"?sanction={sanction.pk}" in page

    response = client.post(
        reverse("sellers:case-create"),
        {"topic": CaseTopic.SANCTION, "sanction": sanction.pk, "subject": "Апелляция", "body": "Товар оригинальный"},
    )

    assert response.status_code == 302
    assert sanction.appeals.get().seller == seller


# Team and invitations -------------------------------------------------------------------------------------


def test_invitee_accepts_through_the_link(client, seller, other_user):
    invitation = services.invite_team_member(
        member=seller.user.seller_membership, email=other_user.email, role=TeamRole.WAREHOUSE
    )
    client.force_login(other_user)

    assert client.get(invitation.get_absolute_url()).status_code == 200
    response = client.post(invitation.get_absolute_url())

    assert response["Location"] == reverse("sellers:dashboard")
    assert other_user.seller_membership.role == TeamRole.WAREHOUSE


def test_wrong_account_sees_why_it_cannot_accept(client, seller, user):
    invitation = services.invite_team_member(
        member=seller.user.seller_membership, email="someone@example.com", role=TeamRole.MANAGER
    )
    client.force_login(user)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 200
    assert "someone@example.com" in response.context["error"]


def test_unknown_invitation_token_is_404(client, user):
    client.force_login(user)

    assert client.get(reverse("sellers:invitation-accept", args=["nope"])).status_code == 404


def test_owner_cannot_remove_another_sellers_member_by_id(client, seller, other_seller):
    stranger = add_member(other_seller, TeamRole.MANAGER)
    client.force_login(seller.user)

    assert client.post(reverse("sellers:team-remove", args=[stranger.pk])).status_code == 404
    stranger.refresh_from_db()


# Storefront and query counts -------------------------------------------------------------------------------


def test_storefront_is_public_and_honest_about_a_new_seller(client, seller):
    response = client.get(seller.storefront.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert seller.inn in html
    assert seller.ogrn in html
    assert seller.legal_address in html
    slots = response.context["slots"]
    assert set(slots) == {"rating", "listings", "reviews"}
    if slots["listings"] is not None:  # the catalogue fills it: a new seller has no listings yet
        assert slots["listings"]["context"]["listings"] == []


def test_terminated_sellers_storefront_is_gone(client, moderator):
    seller = make_seller(status=SellerStatus.TERMINATED)

    assert client.get(seller.storefront.get_absolute_url()).status_code == 404


def test_suspended_sellers_storefront_says_it_takes_no_orders(client, seller, moderator):
    impose_sanction(seller, SellerStatus.SUSPENDED, actor=moderator, rule="r", reason="x")

    response = client.get(seller.storefront.get_absolute_url())

    assert response.context["is_suspended"]


def _count(client, url):
    client.get(url)  # warm per-process caches and the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_storefront_query_count_does_not_depend_on_the_seller(client, seller, moderator):
    bare = _count(client, seller.storefront.get_absolute_url())
    services.apply_sanction(seller=seller, level=SellerStatus.WARNED, actor=moderator, rule="r", reason="x")
    member = seller.user.seller_membership
    services.set_vacation(
        member=member, start=timezone.localdate(), end=timezone.localdate() + datetime.timedelta(days=3)
    )

    assert _count(client, seller.storefront.get_absolute_url()) == bare


@pytest.mark.parametrize(
    "url_name",
    [
        "sellers:dashboard",
        "sellers:announcements",
        "sellers:cases",
        "sellers:team",
        "sellers:sanctions",
        "sellers:legal",
    ],
)
def test_cabinet_query_count_does_not_grow_with_data(client, seller, manager, moderator, url_name):
    client.force_login(seller.user)
    member = seller.user.seller_membership

    def add_rows(first: int, count: int) -> None:
        for number in range(first, first + count):
            announcement = Announcement.objects.create(
                title=f"A{number}", body="t", created_by=manager, requires_acknowledgement=bool(number % 2)
            )
            services.publish_announcement(announcement=announcement, actor=manager)
            services.open_case(member=member, topic=CaseTopic.OTHER, subject=f"s{number}", body="b")
            add_member(seller, TeamRole.WAREHOUSE)
            services.invite_team_member(member=member, email=f"inv{number}@example.com", role=TeamRole.MANAGER)
            services.apply_sanction(seller=seller, level=SellerStatus.WARNED, actor=moderator, rule="r", reason="x")

    add_rows(0, 1)
    one = _count(client, reverse(url_name))
    add_rows(1, 5)

    assert _count(client, reverse(url_name)) == one


def test_case_thread_query_count_does_not_grow_with_messages(client, seller, moderator):
    member = seller.user.seller_membership
    case = services.open_case(member=member, topic=CaseTopic.OTHER, subject="s", body="b", attachments=[upload()])
    client.force_login(seller.user)
    one = _count(client, case.get_absolute_url())

    for _ in range(4):
        services.answer_case(case=case, actor=moderator, body="Ответ")
        services.post_seller_message(case=case, member=member, body="Ещё", attachments=[upload()])

    assert _count(client, case.get_absolute_url()) == one
