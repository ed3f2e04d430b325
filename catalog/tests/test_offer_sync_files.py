"""A YML file with more offers than one sync request holds (spec 37): kept and applied by a worker in parts, each
part saved with its progress in one transaction, so a run that stops resumes where it stopped; the cabinet shows
the progress while it runs and the report when it is done."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from catalog import tasks
from catalog.models import ImportStatus, OfferSync, Variant
from catalog.services import sync
from sellers.models import TeamMember, TeamRole

from .factories import make_listing, wait_until_advisory_lock_released

pytestmark = pytest.mark.django_db


def yml(*offers: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><yml_catalog date="2026-12-07T10:00"><shop><name>Магазин</name>'
        "<offers>" + "".join(offers) + "</offers></shop></yml_catalog>"
    ).encode()


def offer(sku: str, *, price: str = "", count: str = "") -> str:
    return (
        f'<offer id="{sku}">'
        + (f"<price>{price}</price>" if price else "")
        + (f"<count>{count}</count>" if count else "")
        + "</offer>"
    )


def upload(client, data: bytes, name: str = "feed.yml"):
    return client.post(
        reverse("catalog:seller-offers-yml"),
        {"file": SimpleUploadedFile(name, data, content_type="application/xml")},
        HTTP_ACCEPT_LANGUAGE="ru",
    )


@pytest.fixture
def parts_of_two(settings):
    """Parts of two rows (the API's per-request limit), so a file of a few offers is a large one."""
    settings.MARKETPLACE_API_MAX_ROWS = 2


@pytest.fixture
def variants(seller, category):
    return [
        make_listing(seller, category=category, title=f"Товар {number}", price="1000").variants.get()
        for number in range(4)
    ]


def big_file(variants) -> bytes:
    """Seven offers: three good ones, an unknown SKU, a bad price and two SKUs already in an earlier row (one in an
    earlier part; a SKU comes once per sync even when its first row was rejected)."""
    first, second, third, fourth = variants
    return yml(
        offer(first.sku, price="900", count="5"),
        offer(second.sku, count="0"),
        offer("NO-SUCH", count="1"),
        offer(third.sku, price="-5"),
        offer(fourth.sku, price="1500"),
        offer(first.sku, count="99"),
        offer(third.sku, count="7"),
    )


def test_a_file_larger_than_one_request_is_kept_and_applied_by_a_worker_in_parts(
    client, seller, variants, parts_of_two, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.run_offer_sync, "delay", lambda sync_id: sent.append(sync_id))
    client.force_login(seller.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, big_file(variants))

    queued = OfferSync.objects.get()
    assert (queued.status, queued.rows, queued.processed, queued.file_name) == ("queued", 7, 0, "feed.yml")
    assert sent == [queued.pk]  # the worker's message goes once the upload is committed
    assert Variant.objects.get(pk=variants[0].pk).on_hand == variants[0].on_hand  # nothing applied in the request
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "В файле 7 предложений: они сохраняются в фоне" in page
    assert "применено строк: 0 из 7" in page
    assert 'hx-trigger="every 2s"' in page  # the list polls while the worker runs

    with translation.override("en"):
        done = sync.run_file_sync(sync_id=queued.pk)

    assert (done.status, done.processed, done.updated, done.rejected) == ("done", 7, 3, 4)
    assert [(error["row"], error["sku"]) for error in done.errors] == [
        (3, "NO-SUCH"),
        (4, variants[2].sku),
        (6, variants[0].sku),
        (7, variants[2].sku),
    ]
    assert "earlier row" in done.errors[2]["error"]
    first, second, third, fourth = (Variant.objects.get(pk=variant.pk) for variant in variants)
    assert (first.price, first.on_hand) == (Decimal("900"), 5)  # the repeated SKU in a later part changed nothing
    assert second.on_hand == 0
    assert (third.price, third.on_hand) == (Decimal("1000"), variants[2].on_hand)  # both its rows rejected
    assert fourth.price == Decimal("1500")
    partial = client.get(
        reverse("catalog:seller-offers"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="syncs", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "every 2s" not in partial  # done: the polling stops
    assert "7 строк, сохранено 3" in partial
    assert "4 отклонены" in partial
    assert "<html" not in partial


def test_a_small_file_is_still_applied_at_once(client, seller, variants, monkeypatch):
    monkeypatch.setattr(tasks.run_offer_sync, "delay", lambda sync_id: pytest.fail("a small file needs no worker"))
    client.force_login(seller.user)

    upload(client, yml(offer(variants[0].sku, count="3")))

    done = OfferSync.objects.get()
    assert (done.status, done.processed, done.updated, done.rejected) == ("done", 1, 1, 0)
    assert not done.file
    assert Variant.objects.get(pk=variants[0].pk).on_hand == 3


def test_a_run_that_stops_resumes_after_its_last_saved_part_and_applies_nothing_twice(
    seller, variants, parts_of_two, monkeypatch
):
    queued = sync.sync_file(seller=seller, actor=seller.user, data=big_file(variants), file_name="feed.yml")
    real_apply = sync._apply
    calls = []

    def dies_on_the_second_part(**kwargs):
        calls.append(kwargs["first"])
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real_apply(**kwargs)

    monkeypatch.setattr(sync, "_apply", dies_on_the_second_part)
    with pytest.raises(RuntimeError):
        sync.run_file_sync(sync_id=queued.pk)

    stopped = OfferSync.objects.get(pk=queued.pk)
    assert (stopped.status, stopped.processed, stopped.updated) == ("running", 2, 2)  # the first part is saved
    assert Variant.objects.get(pk=variants[0].pk).on_hand == 5

    monkeypatch.setattr(sync, "_apply", real_apply)
    done = sync.run_file_sync(sync_id=queued.pk)

    assert (done.status, done.processed, done.updated, done.rejected) == ("done", 7, 3, 4)
    assert [error["row"] for error in done.errors] == [3, 4, 6, 7]  # row 6 still knows row 1's SKU came earlier
    assert Variant.objects.get(pk=variants[0].pk).on_hand == 5


def test_a_finished_sync_ignores_a_repeated_message(seller, variants, parts_of_two):
    queued = sync.sync_file(seller=seller, actor=seller.user, data=big_file(variants), file_name="feed.yml")
    sync.run_file_sync(sync_id=queued.pk)
    Variant.objects.filter(pk=variants[0].pk).update(on_hand=42)

    again = sync.run_file_sync(sync_id=queued.pk)

    assert (again.status, again.updated) == ("done", 3)
    assert Variant.objects.get(pk=variants[0].pk).on_hand == 42


def test_a_second_copy_of_the_message_leaves_while_the_first_runs(seller, variants, parts_of_two):
    """The running sync holds an advisory lock: a re-sent message finds it taken and does nothing."""
    import psycopg
    from django.db import connection

    queued = sync.sync_file(seller=seller, actor=seller.user, data=big_file(variants), file_name="feed.yml")
    params = connection.get_connection_params()
    with psycopg.connect(**{key: value for key, value in params.items() if key != "cursor_factory"}) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [sync.SYNC_LOCK, queued.pk])  # "the first run"
        assert sync.run_file_sync(sync_id=queued.pk).status == ImportStatus.QUEUED
        assert Variant.objects.get(pk=variants[0].pk).on_hand == variants[0].on_hand
    wait_until_advisory_lock_released(sync.SYNC_LOCK, queued.pk)  # the lock goes with the first run's connection
    assert sync.run_file_sync(sync_id=queued.pk).status == ImportStatus.DONE


def test_the_sweep_sends_again_a_lost_message_and_fails_a_day_old_sync(seller, variants, parts_of_two, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.run_offer_sync, "delay", lambda sync_id: sent.append(sync_id))
    lost, fresh, ancient = (
        sync.sync_file(seller=seller, actor=seller.user, data=big_file(variants), file_name=f"{name}.yml")
        for name in ("lost", "fresh", "ancient")
    )
    OfferSync.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    OfferSync.objects.filter(pk=ancient.pk).update(status="running", created_at=timezone.now() - timedelta(days=2))

    with translation.override("en"):
        assert sync.requeue_stalled_syncs() == 1

    assert sent == [lost.pk]
    ancient.refresh_from_db()
    assert ancient.status == ImportStatus.FAILED
    assert "upload the file again" in ancient.message
    assert OfferSync.objects.get(pk=fresh.pk).status == ImportStatus.QUEUED
    assert sync.run_file_sync(sync_id=lost.pk).status == ImportStatus.DONE


def test_a_sync_fails_with_a_clear_message_when_its_uploader_may_no_longer_change_stock(seller, variants, parts_of_two):
    from marketplace.accounts.models import User

    clerk = User.objects.create_user(email="clerk@example.com", password="x-Strong-Pass-1")
    TeamMember.objects.create(seller=seller, user=clerk, role=TeamRole.WAREHOUSE)
    queued = sync.sync_file(seller=seller, actor=clerk, data=big_file(variants), file_name="feed.yml")
    TeamMember.objects.filter(user=clerk).delete()

    with translation.override("en"):
        done = sync.run_file_sync(sync_id=queued.pk)

    assert done.status == ImportStatus.FAILED
    assert "may no longer change stock" in done.message
    assert Variant.objects.get(pk=variants[1].pk).on_hand == variants[1].on_hand


def test_a_file_with_more_offers_than_allowed_is_refused_whole(client, seller, variants, settings):
    settings.MARKETPLACE_YML_MAX_OFFERS = 3
    client.force_login(seller.user)

    response = upload(client, yml(*(offer(variant.sku, count="1") for variant in variants)))
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "В файле 4 предложения, а можно не больше 3" in page
    assert not OfferSync.objects.exists()
    assert Variant.objects.get(pk=variants[0].pk).on_hand == variants[0].on_hand


def test_the_cabinet_shows_the_first_hundred_rejected_rows_of_a_large_report(client, seller, variants, settings):
    settings.MARKETPLACE_API_MAX_ROWS = 100
    unknown = [offer(f"NONE-{number}", count="1") for number in range(150)]
    queued = sync.sync_file(seller=seller, actor=seller.user, data=yml(*unknown), file_name="feed.yml")
    sync.run_file_sync(sync_id=queued.pk)
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-offers"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "150 отклонено" in page
    assert "NONE-99" in page
    assert "NONE-100" not in page
    assert "Показаны первые 100 из 150 отклонённых строк" in page


# --- CSV and XLSX tables ------------------------------------------------------------------------------------------


def test_a_csv_table_with_russian_headers_syncs_prices_and_stock(client, seller, variants):
    first, second, *_ = variants
    table = f"Артикул;Цена;Старая цена;Остаток;Название\n{first.sku};1 290,50;;4;Товар\n{second.sku};;;0;\nNO-SUCH;100;;1;\n"
    client.force_login(seller.user)

    response = upload(client, table.encode("utf-8-sig"), name="prices.csv")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    done = OfferSync.objects.get()
    assert (done.rows, done.updated, done.rejected, done.file_name) == (3, 2, 1, "prices.csv")
    first.refresh_from_db()
    assert (first.price, first.on_hand) == (Decimal("1290.50"), 4)
    assert Variant.objects.get(pk=second.pk).price == second.price  # an empty cell leaves it as it is
    assert Variant.objects.get(pk=second.pk).on_hand == 0
    assert "сохранено 2 из 3 предложений, отклонено 1" in page


def test_the_listings_export_uploads_as_a_price_and_stock_table(client, seller, variants):
    import io

    from openpyxl import load_workbook

    client.force_login(seller.user)
    exported = client.get(reverse("catalog:seller-export"), {"format": "xlsx"}).content
    book = load_workbook(io.BytesIO(exported))
    sheet = book.active
    stock_column = [cell.value for cell in sheet[1]].index("stock") + 1
    sheet.cell(row=2, column=stock_column, value=77)
    changed = io.BytesIO()
    book.save(changed)

    upload(client, changed.getvalue(), name="export.xlsx")

    done = OfferSync.objects.get()
    assert (done.rows, done.updated, done.rejected) == (4, 4, 0)
    assert Variant.objects.filter(on_hand=77).count() == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("Название;Цена\nТовар;100\n", "Первая строка должна называть столбцы"),
        ("sku;price\n", "В файле нет строк под заголовком"),
        ("sku;price\nA;1\nB;2\nC;3\nD;4\n", "В файле больше 3 строк"),
    ],
)
def test_a_table_that_cannot_be_used_is_refused_whole(client, seller, variants, settings, table, message):
    settings.MARKETPLACE_YML_MAX_OFFERS = 3
    client.force_login(seller.user)

    response = upload(client, table.encode(), name="prices.csv")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert message in page
    assert not OfferSync.objects.exists()


def test_a_large_csv_table_is_applied_by_a_worker_in_parts(seller, variants, parts_of_two):
    table = "sku,stock\n" + "".join(f"{variant.sku},{20 + n}\n" for n, variant in enumerate(variants))

    queued = sync.sync_file(seller=seller, actor=seller.user, data=table.encode(), file_name="stock.csv")
    done = sync.run_file_sync(sync_id=queued.pk)

    assert queued.file.name.endswith(".csv")
    assert (done.status, done.rows, done.updated) == ("done", 4, 4)
    assert [Variant.objects.get(pk=variant.pk).on_hand for variant in variants] == [20, 21, 22, 23]
