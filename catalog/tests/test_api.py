"""The price and stock sync API (spec 37): a seller's system updates prices and stock by SKU with a key the owner
creates in the cabinet; each sync answers with a row-by-row report that the cabinet shows too; keys are stored
hashed, revocable and rate-limited."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalog.models import OfferSync, Variant
from sellers import services as seller_services
from sellers.models import ApiToken, TeamMember, TeamRole, hash_key

from .factories import make_listing, make_seller

pytestmark = pytest.mark.django_db

URL = "/api/v1/offers/"


@pytest.fixture
def key(seller):
    _token, key = seller_services.create_api_token(member=TeamMember.objects.get(user=seller.user), name="1С")
    return key


@pytest.fixture
def shoes(seller, category):
    return make_listing(seller, category=category, price="5990").variants.get()


def post(client, key, payload, **extra):
    return client.post(
        URL,
        data=payload if isinstance(payload, (str, bytes)) else json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **extra,
    )


def test_url_is_the_documented_one():
    assert reverse("catalog:api-offers") == URL


# --- keys ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer nope", "Token {key}", "Bearer {key}x"])
def test_a_request_without_a_valid_key_is_refused_and_changes_nothing(client, key, shoes, header):
    response = client.post(
        URL,
        data=json.dumps({"offers": [{"sku": shoes.sku, "stock": 99}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=header.format(key=key),
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "error" in response.json()
    assert Variant.objects.get(pk=shoes.pk).on_hand == shoes.on_hand


def test_only_the_hash_of_a_key_is_stored_and_a_revoked_key_stops_working(client, seller, key, shoes):
    token = ApiToken.objects.get(seller=seller)
    assert token.key_hash == hash_key(key)
    assert key not in json.dumps(list(ApiToken.objects.values()), default=str)

    seller_services.revoke_api_token(member=TeamMember.objects.get(user=seller.user), token=token)

    assert post(client, key, {"offers": [{"sku": shoes.sku, "stock": 1}]}).status_code == 401


def test_only_the_owner_creates_keys_and_at_most_five_are_active(seller):
    from marketplace.accounts.models import User
    from marketplace.core.exceptions import DomainError

    manager = User.objects.create_user(email="manager@example.com", password="x-password-42")
    member = TeamMember.objects.create(seller=seller, user=manager, role=TeamRole.MANAGER)
    with pytest.raises(PermissionDenied):
        seller_services.create_api_token(member=member, name="1С")
    owner = TeamMember.objects.get(user=seller.user)
    for number in range(5):
        seller_services.create_api_token(member=owner, name=f"Система {number}")
    with pytest.raises(DomainError):
        seller_services.create_api_token(member=owner, name="Шестая")
    with pytest.raises(DomainError):
        seller_services.create_api_token(member=owner, name="   ")


# --- syncing ------------------------------------------------------------------------------------------------


def test_a_sync_saves_valid_rows_and_reports_each_rejected_one(client, seller, category, key, shoes):
    boots = make_listing(seller, category=category, title="Ботинки", price="8000").variants.get()
    other = make_listing(make_seller(name="Чужой"), category=category, title="Чужие").variants.get()
    rows = [
        {"sku": shoes.sku, "price": "5490", "old_price": "5990", "stock": 12},
        {"sku": boots.sku, "stock": 0},
        {"sku": other.sku, "stock": 1},  # another seller's SKU is not the caller's
        {"sku": "NO-SUCH", "price": "100"},
        {"sku": shoes.sku, "stock": 3},
        {"sku": boots.sku + "x", "price": "abc"},
        {"price": "100"},
        {"sku": boots.sku + "y"},
        "not a row",
    ]

    response = post(client, key, {"offers": rows}, HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert response.status_code == 200
    assert (body["rows"], body["updated"]) == (9, 2)
    assert [error["row"] for error in body["errors"]] == [3, 4, 5, 6, 7, 8, 9]
    assert "already in an earlier row" in body["errors"][2]["error"]
    shoes.refresh_from_db()
    boots.refresh_from_db()
    assert (shoes.price, shoes.old_price, shoes.on_hand) == (Decimal("5490"), Decimal("5990"), 12)
    assert boots.on_hand == 0
    assert Variant.objects.get(pk=other.pk).on_hand == other.on_hand
    sync = OfferSync.objects.get(seller=seller)
    assert (sync.rows, sync.updated, len(sync.errors), sync.token.name) == (9, 2, 7, "1С")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"price": "0"}, "above zero"),
        ({"price": "-5"}, "above zero"),
        ({"price": "10.555"}, "two decimal places"),
        ({"price": "NaN"}, "above zero"),
        ({"price": True}, "must be a number"),
        ({"stock": -1}, "whole number"),
        ({"stock": "5.5"}, "whole number"),
        ({"stock": 10_000_000}, "at most 1 000 000"),
        ({"old_price": "100"}, "old price"),  # not above the price: the cabinet's rule
    ],
)
def test_a_bad_value_is_rejected_with_its_reason_and_the_row_is_not_saved(client, key, shoes, row, message):
    response = post(client, key, {"offers": [{"sku": shoes.sku, **row}]}, HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert response.status_code == 200
    assert body["updated"] == 0
    assert message in body["errors"][0]["error"].lower() or message in body["errors"][0]["error"]
    fresh = Variant.objects.get(pk=shoes.pk)
    assert (fresh.price, fresh.old_price, fresh.on_hand) == (shoes.price, shoes.old_price, shoes.on_hand)


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"offers": {}}', '{"items": []}', json.dumps({"offers": [{"sku": "A"}] * 1001})]
)
def test_a_body_that_is_not_a_list_of_rows_or_too_long_is_a_400_and_nothing_is_kept(client, key, shoes, body):
    response = post(client, key, body)

    assert response.status_code == 400
    assert response.json()["error"]
    assert not OfferSync.objects.exists()


def test_old_price_null_removes_it(client, seller, key, shoes):
    Variant.objects.filter(pk=shoes.pk).update(old_price=Decimal("7000"))

    post(client, key, {"offers": [{"sku": shoes.sku, "old_price": None}]})

    assert Variant.objects.get(pk=shoes.pk).old_price is None


def test_a_key_whose_creator_left_the_team_is_refused(client, seller, shoes):
    from marketplace.accounts.models import User

    manager = User.objects.create_user(email="manager@example.com", password="x-password-42")
    TeamMember.objects.create(seller=seller, user=manager, role=TeamRole.MANAGER)
    token, key = seller_services.create_api_token(member=TeamMember.objects.get(user=seller.user), name="1С")
    ApiToken.objects.filter(pk=token.pk).update(created_by=manager)
    TeamMember.objects.filter(user=manager).delete()

    response = post(client, key, {"offers": [{"sku": shoes.sku, "stock": 1}]})

    assert response.status_code == 403
    assert Variant.objects.get(pk=shoes.pk).on_hand == shoes.on_hand


def test_each_key_has_its_requests_a_minute(client, key, shoes, settings, page_cache):
    settings.MARKETPLACE_API_REQUESTS_PER_MINUTE = 2  # the counters live in the page cache's Redis (own prefix here)
    answers = [post(client, key, {"offers": [{"sku": shoes.sku, "stock": n}]}) for n in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 60
    assert Variant.objects.get(pk=shoes.pk).on_hand == 1


def test_get_lists_the_sellers_offers_a_page_at_a_time(client, seller, category, key, shoes):
    make_listing(make_seller(name="Чужой"), category=category, title="Чужие")

    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")

    body = response.json()
    assert (body["page"], body["pages"]) == (1, 1)
    assert body["offers"] == [
        {
            "sku": shoes.sku,
            "listing": shoes.listing_id,
            "price": "5990.00",
            "promo_price": None,
            "promo": None,
            "old_price": None,
            "stock": shoes.on_hand,
            "reserved": 0,
            "on_sale": True,
        }
    ]
    assert ApiToken.objects.get(seller=seller).last_used_at is not None


# --- the cabinet --------------------------------------------------------------------------------------------


def test_owner_creates_a_key_in_the_cabinet_sees_it_once_and_revokes_it(client, seller):
    client.force_login(seller.user)

    created = client.post(reverse("sellers:api-keys"), {"name": "МойСклад"}, HTTP_ACCEPT_LANGUAGE="ru")
    token = ApiToken.objects.get(seller=seller)
    later = client.get(reverse("sellers:api-keys"), HTTP_ACCEPT_LANGUAGE="ru")
    client.post(reverse("sellers:api-key-revoke", args=[token.pk]))

    key = created.context["new_key"]
    assert token.key_hash == hash_key(key)
    assert key in created.content.decode()
    assert "Скопируйте его сейчас" in created.content.decode()
    assert key not in later.content.decode()
    assert token.prefix in later.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_nameless_key_is_refused_with_a_clear_error_and_nothing_is_created(client, seller):
    client.force_login(seller.user)

    response = client.post(reverse("sellers:api-keys"), {"name": ""}, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    assert "Назовите ключ" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_another_store_cannot_revoke_a_key(client, seller):
    """Who may open the page at all (the owner; not a manager or the warehouse) is in sellers' cabinet tests."""
    other = make_seller(name="Чужой")
    token, _key = seller_services.create_api_token(member=TeamMember.objects.get(user=other.user), name="1С")
    client.force_login(seller.user)

    assert client.post(reverse("sellers:api-key-revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_prices_and_stock_page_shows_the_latest_syncs_and_their_rejected_rows(client, seller, key, shoes):
    rows = [{"sku": shoes.sku, "stock": 7}, {"sku": "NO-SUCH", "stock": 1}]
    post(client, key, {"offers": rows}, HTTP_ACCEPT_LANGUAGE="ru")  # the report speaks the caller's language
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-offers"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Последняя синхронизация" in page
    assert "2 строки, сохранено 1" in page
    assert "Строка 2 (NO-SUCH):" in page
    assert "У вас нет товара с таким артикулом." in page


# --- a YML file in the cabinet ----------------------------------------------------------------------------


def yml(*offers: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><yml_catalog date="2026-12-07T10:00"><shop><name>Магазин</name>'
        "<offers>" + "".join(offers) + "</offers></shop></yml_catalog>"
    ).encode()


def upload(client, data: bytes, name: str = "catalog.yml"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("catalog:seller-offers-yml"),
        {"file": SimpleUploadedFile(name, data, content_type="application/xml")},
        HTTP_ACCEPT_LANGUAGE="ru",
    )


def test_seller_syncs_prices_and_stock_from_a_yml_file(client, seller, category, shoes):
    boots = make_listing(seller, category=category, title="Ботинки", price="8000").variants.get()
    client.force_login(seller.user)

    response = upload(
        client,
        yml(
            f'<offer id="{shoes.sku}" available="true"><price>5490</price><oldprice>5990</oldprice><count>7</count></offer>',
            f'<offer id="x"><shop-sku>{boots.sku}</shop-sku><count>0</count></offer>',
            '<offer id="NO-SUCH"><price>100</price></offer>',
        ),
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    shoes.refresh_from_db()
    assert (shoes.price, shoes.old_price, shoes.on_hand) == (Decimal("5490"), Decimal("5990"), 7)
    assert Variant.objects.get(pk=boots.pk).on_hand == 0
    sync = OfferSync.objects.get(seller=seller)
    assert (sync.file_name, sync.rows, sync.updated, sync.token) == ("catalog.yml", 3, 2, None)
    assert "сохранено 2 из 3 предложений, отклонено 1" in page
    assert "файл catalog.yml" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml at all", "Это не YML-каталог"),
        (b'<?xml version="1.0"?><catalog><item/></catalog>', "Предложения не найдены"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<yml_catalog><shop><offers><offer id='a'><count>&lol2;</count></offer></offers></shop></yml_catalog>",
            "Это не YML-каталог",
        ),  # entities (the billion laughs) are refused, not expanded
    ],
)
def test_a_file_that_is_not_a_usable_yml_catalogue_is_refused_and_nothing_changes(client, seller, shoes, data, message):
    client.force_login(seller.user)

    response = upload(client, data, name="bad.xml")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert message in page
    assert not OfferSync.objects.exists()
    assert Variant.objects.get(pk=shoes.pk).on_hand == shoes.on_hand


def test_a_body_larger_than_django_accepts_is_a_413_and_changes_nothing(client, key, shoes, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = [{"sku": shoes.sku, "stock": 5}] * 100

    response = post(client, key, {"offers": rows})

    assert response.status_code == 413
    assert response.json()["error"]
    assert not OfferSync.objects.exists()


def test_an_unreachable_redis_lets_syncs_through_rather_than_failing_them(client, key, shoes, monkeypatch):
    """The per-key counter lives in Redis: without it, requests pass (and a warning is logged)."""
    import redis

    def broken(*args, **kwargs):
        raise redis.ConnectionError("down")

    from django.core.cache import caches

    monkeypatch.setattr(type(caches["pages"]), "incr", broken)

    response = post(client, key, {"offers": [{"sku": shoes.sku, "stock": 4}]})

    assert response.status_code == 200
    assert Variant.objects.get(pk=shoes.pk).on_hand == 4


def test_a_yml_file_over_10_mb_is_refused_before_it_is_read(client, seller, shoes, monkeypatch):
    from catalog.services import sync

    monkeypatch.setattr(sync, "YML_MAX_BYTES", 200)
    client.force_login(seller.user)

    response = upload(client, yml(*[f'<offer id="{shoes.sku}"><count>1</count></offer>'] * 10))
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Файл больше 10 МБ" in page
    assert not OfferSync.objects.exists()
    assert Variant.objects.get(pk=shoes.pk).on_hand == shoes.on_hand


# --- promo prices through the API (spec 41, 120) ------------------------------------------------------------------


def _charged_for(variant, days):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import VariantPrice

    VariantPrice.objects.filter(variant=variant, valid_to__isnull=True).update(
        valid_from=timezone.now() - timedelta(days=days)
    )


PROMO = {"price": "4990", "starts": "2099-01-01T00:00:00+03:00", "ends": "2099-01-31T23:59:00+03:00"}


def test_a_sync_sets_a_promo_and_lists_it(client, key, shoes):
    _charged_for(shoes, 20)

    response = post(client, key, {"offers": [{"sku": shoes.sku, "promo": PROMO}]})
    listed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").json()["offers"][0]

    assert response.json()["errors"] == []
    assert response.json()["updated"] == 1
    shoes.refresh_from_db()
    assert shoes.promo_price == Decimal("4990")
    assert shoes.promo_starts_at.isoformat() == "2098-12-31T21:00:00+00:00"
    assert listed["promo"] == {
        "price": "4990.00",
        "starts": "2098-12-31T21:00:00+00:00",
        "ends": "2099-01-31T20:59:00+00:00",
        "running": False,
    }


def test_a_promo_without_a_start_runs_at_once_and_null_ends_it(client, key, shoes):
    _charged_for(shoes, 20)

    post(client, key, {"offers": [{"sku": shoes.sku, "promo": {"price": "4990", "ends": "2099-01-31T23:59:00"}}]})
    shoes.refresh_from_db()
    running = (shoes.promo_running, shoes.price)
    again = post(
        client, key, {"offers": [{"sku": shoes.sku, "promo": {"price": "4990", "ends": "2099-01-31T23:59:00"}}]}
    )
    post(client, key, {"offers": [{"sku": shoes.sku, "promo": None}]})
    shoes.refresh_from_db()

    assert running == (True, Decimal("4990"))
    assert again.json()["errors"] == []  # the promo it already has, sent again: nothing changes
    assert (shoes.promo_price, shoes.price) == (None, Decimal("5990"))


@pytest.mark.parametrize(
    ("days", "row", "message"),
    [
        # the regular price was not charged for 14 of the 30 days before the promo starts (now)
        (5, {"promo": {"price": "4990", "ends": "2099-01-31T23:59:00+03:00"}}, "The promo is refused"),
        (20, {"price": "6990", "promo": PROMO}, "6"),  # the row's own new price was never charged
        (20, {"promo": {**PROMO, "price": "5990"}}, "below the regular price"),
        (20, {"promo": {**PROMO, "ends": "next week"}}, "promo.ends must be a date and time"),
        (20, {"promo": {**PROMO, "ends": "2020-01-01T00:00:00+03:00"}}, "in the future"),
        (20, {"promo": "4990"}, "promo must be an object"),
    ],
)
def test_a_promo_that_breaks_a_rule_is_rejected_and_its_row_changes_nothing(client, key, shoes, days, row, message):
    _charged_for(shoes, days)

    response = post(client, key, {"offers": [{"sku": shoes.sku, "stock": 99, **row}]})

    errors = response.json()["errors"]
    assert [error["row"] for error in errors] == [1]
    assert message in errors[0]["error"]
    shoes.refresh_from_db()
    assert (shoes.promo_price, shoes.price, shoes.on_hand) == (None, Decimal("5990"), 5)


def test_a_new_promo_while_one_runs_is_rejected_until_it_is_ended(client, key, shoes):
    _charged_for(shoes, 20)
    post(client, key, {"offers": [{"sku": shoes.sku, "promo": {"price": "4990", "ends": "2099-01-31T23:59:00"}}]})

    response = post(client, key, {"offers": [{"sku": shoes.sku, "promo": {"price": "3990", "ends": "2099-02-01"}}]})

    assert "end it first" in response.json()["errors"][0]["error"]
    shoes.refresh_from_db()
    assert shoes.price == Decimal("4990")


def test_a_warehouse_key_may_not_set_promos(client, seller, shoes):
    from marketplace.accounts.models import User

    clerk = User.objects.create_user(email="stock@example.com", password="x-Strong-Pass-1")
    member = TeamMember.objects.create(seller=seller, user=clerk, role=TeamRole.WAREHOUSE)
    owner = TeamMember.objects.get(user=seller.user)
    token, key = seller_services.create_api_token(member=owner, name="склад")
    ApiToken.objects.filter(pk=token.pk).update(created_by=member.user)
    _charged_for(shoes, 20)

    response = post(client, key, {"offers": [{"sku": shoes.sku, "promo": PROMO}]})

    assert "stock only" in response.json()["errors"][0]["error"]
    assert Variant.objects.get(pk=shoes.pk).promo_price is None


def test_ending_a_promo_the_variant_does_not_have_changes_nothing(client, key, shoes):
    response = post(client, key, {"offers": [{"sku": shoes.sku, "promo": None}]})

    assert (response.json()["updated"], response.json()["errors"]) == (1, [])
    shoes.refresh_from_db()
    assert (shoes.price, shoes.promo_price) == (Decimal("5990"), None)
