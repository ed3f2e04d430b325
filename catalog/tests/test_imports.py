import csv
import datetime
import io
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from catalog.models import ImportJob, ImportStatus, Listing, Variant
from catalog.services import imports

from .factories import AttributeFactory, make_listing, wait_until_advisory_lock_released

pytestmark = pytest.mark.django_db

HEADER = [
    "listing_ref",
    "sku",
    "title",
    "category",
    "brand",
    "price",
    "old_price",
    "stock",
    "option1_name",
    "option1",
    "attr:material",
]


@pytest.fixture
def shoes(category):
    AttributeFactory(category=category, code="material", name="Материал", type="choice", options=["Кожа", "Текстиль"])
    return category


def csv_file(rows, header=HEADER, name="listings.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_file(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("listings.xlsx", buffer.getvalue())


def run(seller, upload, *, dry_run=False, mode="all_or_nothing"):
    job = imports.start_import(seller=seller, actor=seller.user, upload=upload, mode=mode, dry_run=dry_run)
    imports.run_import(job_id=job.pk)
    job.refresh_from_db()
    return job


def good_rows(slug):
    return [
        ["A", "RUN-42", "Кроссовки беговые", slug, "Nike", "4990", "", "5", "Размер", "42", "Текстиль"],
        ["A", "RUN-43", "Кроссовки беговые", slug, "Nike", "4990", "", "0", "Размер", "43", "Текстиль"],
        ["", "BOOT-1", "Ботинки зимние", slug, "", "7990,50", "", "2", "", "", "кожа"],
    ]


def test_import_creates_draft_listings_with_variants_from_csv(seller, shoes):
    job = run(seller, csv_file(good_rows(shoes.slug)))

    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.error_count) == (2, 0)
    running = Listing.objects.get(title="Кроссовки беговые")
    assert running.status == "draft"
    assert sorted(running.variants.values_list("sku", flat=True)) == ["RUN-42", "RUN-43"]
    assert running.attributes == {"material": "Текстиль"}


def test_import_reads_xlsx(seller, shoes):
    job = run(seller, xlsx_file(good_rows(shoes.slug)))

    assert job.created_count == 2


def test_dry_run_reports_every_row_and_writes_nothing(seller, shoes):
    rows = [
        *good_rows(shoes.slug),
        ["", "BAD-1", "Плохая цена", shoes.slug, "", "дорого", "", "1", "", "", ""],
        ["", "BAD-2", "Нет категории", "no-such-category", "", "100", "", "1", "", "", ""],
        ["", "RUN-42", "Повтор SKU", shoes.slug, "", "100", "", "1", "", "", ""],
        ["", "BAD-3", "Неверный материал", shoes.slug, "", "100", "", "1", "", "", "Шёлк"],
    ]

    job = run(seller, csv_file(rows), dry_run=True)

    assert job.status == ImportStatus.DONE
    assert job.error_count == 4
    assert [item["row"] for item in job.report] == [5, 6, 7, 8]
    assert not Listing.objects.exists()


def test_all_or_nothing_import_with_one_bad_row_writes_nothing(seller, shoes):
    rows = [*good_rows(shoes.slug), ["", "BAD-1", "Плохая цена", shoes.slug, "", "-1", "", "1", "", "", ""]]

    job = run(seller, csv_file(rows))

    assert job.error_count == 1
    assert not Listing.objects.exists()


def test_valid_rows_mode_writes_exactly_the_valid_rows(seller, shoes):
    rows = [*good_rows(shoes.slug), ["A", "RUN-44", "Кроссовки беговые", shoes.slug, "", "x", "", "1", "", "", ""]]

    job = run(seller, csv_file(rows), mode="valid_only")

    # the "A" group has a bad row, so the whole listing is skipped; BOOT-1 is written
    assert list(Listing.objects.values_list("title", flat=True)) == ["Ботинки зимние"]
    assert job.error_count == 3


def test_existing_sku_rows_update_price_and_stock(seller, shoes):
    listing = make_listing(seller, category=shoes, variants=None, price="1000", stock=1)
    sku = listing.variants.get().sku

    job = run(seller, csv_file([["", sku, "", "", "", "900", "", "12", "", "", ""]]))

    variant = Variant.objects.get(sku=sku)
    assert (str(variant.price), variant.on_hand, job.updated_count) == ("900.00", 12, 1)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["sku", "title", "price"], "category"),
        ([*HEADER, "colour"], "colour"),
        (["sku", "sku", "title", "category", "price", "stock"], "sku"),
    ],
)
def test_files_with_wrong_columns_fail_with_a_clear_message(seller, shoes, header, message):
    job = run(seller, csv_file([["x"] * len(header)], header=header))

    assert job.status == ImportStatus.FAILED
    assert message in job.message
    assert not Listing.objects.exists()


def test_file_with_too_many_rows_is_refused(seller, shoes, settings):
    settings.MARKETPLACE_CATALOG_IMPORT_MAX_ROWS = 20_000
    rows = [["", f"SKU-{index}", "Товар", shoes.slug, "", "100", "", "1", "", "", ""] for index in range(50_000)]

    job = run(seller, csv_file(rows))

    assert job.status == ImportStatus.FAILED
    assert "20000" in job.message.replace("\u00a0", "").replace(" ", "")
    assert not Listing.objects.exists()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"PK\x03\x04not really a zip"])
def test_unreadable_files_fail_cleanly(seller, shoes, content):
    name = "broken.xlsx" if content.startswith(b"PK") else "broken.csv"

    job = run(seller, SimpleUploadedFile(name, content))

    assert job.status == ImportStatus.FAILED
    assert job.message


def test_export_round_trips_through_the_import(client, seller, shoes):
    make_listing(seller, category=shoes, title='=HYPERLINK("http://evil")', attributes={"material": "Кожа"})
    client.force_login(seller.user)

    response = client.get(reverse("catalog:seller-export"), {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("listing_ref", "sku", "title", "category")
    assert rows[1][2].startswith("'=")  # formulas from sellers' text are neutralised
    assert "attr:material" in rows[0]


def test_category_template_has_its_attribute_columns(client, seller, shoes):
    client.force_login(seller.user)

    response = client.get(reverse("catalog:seller-import-template"), {"category": shoes.pk, "format": "csv"})

    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "attr:material" in header


def test_import_page_starts_a_job_and_shows_its_progress(client, seller, shoes, django_capture_on_commit_callbacks):
    client.force_login(seller.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("catalog:seller-import"), {"file": csv_file(good_rows(shoes.slug)), "mode": "all_or_nothing"}
        )

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("catalog:seller-import-job", args=[job.pk])
    assert job.dry_run is False
    page = client.get(response["Location"])
    assert 'hx-trigger="every 1s"' in page.content.decode()  # polls while the worker runs it
    imports.run_import(job_id=job.pk)
    done = client.get(response["Location"], HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-status")
    assert "every 1s" not in done.content.decode()
    assert Listing.objects.count() == 2


def test_other_sellers_import_job_is_404(client, seller, shoes, other_user):
    from .factories import make_seller

    job = run(seller, csv_file(good_rows(shoes.slug)), dry_run=True)
    other = make_seller(other_user)
    client.force_login(other.user)

    assert client.get(reverse("catalog:seller-import-job", args=[job.pk])).status_code == 404


def test_sweep_sends_again_an_import_whose_message_was_lost_and_it_then_runs(seller, shoes, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from catalog import tasks

    sent = []
    monkeypatch.setattr(tasks.run_import, "delay", lambda job_id: sent.append(job_id))
    lost = imports.start_import(
        seller=seller, actor=seller.user, upload=csv_file(good_rows(shoes.slug)), mode="all_or_nothing", dry_run=False
    )
    fresh = imports.start_import(
        seller=seller, actor=seller.user, upload=csv_file(good_rows(shoes.slug)), mode="all_or_nothing", dry_run=True
    )
    ImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert imports.requeue_stalled_imports() == 1
    assert sent == [lost.pk]  # the one queued a minute ago is left to its own message
    imports.run_import(job_id=sent[0])
    lost.refresh_from_db()
    assert lost.status == ImportStatus.DONE
    assert Listing.objects.count() == 2
    fresh.refresh_from_db()
    assert fresh.status == ImportStatus.QUEUED


def test_sweep_fails_an_import_that_did_not_finish_in_a_day_with_a_clear_message(seller, shoes, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone, translation

    from catalog import tasks

    monkeypatch.setattr(tasks.run_import, "delay", lambda job_id: pytest.fail("a day-old import is not sent again"))
    job = imports.start_import(
        seller=seller, actor=seller.user, upload=csv_file(good_rows(shoes.slug)), mode="all_or_nothing", dry_run=False
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, created_at=timezone.now() - timedelta(days=2)
    )

    with translation.override("en"):
        assert imports.requeue_stalled_imports() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "upload the file again" in job.message
    assert job.finished_at is not None
    assert Listing.objects.count() == 0


def test_a_second_copy_of_an_import_message_leaves_while_the_first_runs(seller, shoes):
    """The running import holds an advisory lock on its job: a re-sent message finds it taken and does nothing."""
    import psycopg
    from django.db import connection

    job = imports.start_import(
        seller=seller, actor=seller.user, upload=csv_file(good_rows(shoes.slug)), mode="all_or_nothing", dry_run=False
    )
    params = connection.get_connection_params()
    with psycopg.connect(**{key: value for key, value in params.items() if key != "cursor_factory"}) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [imports.IMPORT_LOCK, job.pk])  # "the first run"
        imports.run_import(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ImportStatus.QUEUED
        assert Listing.objects.count() == 0
    wait_until_advisory_lock_released(imports.IMPORT_LOCK, job.pk)  # the lock goes with the first run's connection
    imports.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def _queued_import(seller, rows):
    """A real (not dry-run) all-or-nothing import of `rows`, waiting for its worker."""
    return imports.start_import(
        seller=seller, actor=seller.user, upload=csv_file(rows), mode="all_or_nothing", dry_run=False
    )


def _distinct_rows(slug, count):
    return [
        ["", f"SKU-{n}", f"Кроссовки модель {n}", slug, "", "4990", "", "3", "", "", "Текстиль"] for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_real_import_shows_rows_written_while_its_single_transaction_is_still_open(seller, shoes, monkeypatch):
    """The write is one transaction, yet the seller's progress page (another connection) sees it advance."""
    from django.db import connections

    monkeypatch.setattr(imports._WriteProgress, "EVERY", 2)
    job = _queued_import(seller, _distinct_rows(shoes.slug, 6))
    seen = []
    create_listing = imports.listing_services.create_listing

    def create_and_look_from_outside(**kwargs):
        listing = create_listing(**kwargs)
        outside = connections.create_connection("default")
        try:
            with outside.cursor() as cursor:
                cursor.execute(
                    "SELECT processed_rows, total_rows, written_rows, rows_to_write,"
                    " (SELECT count(*) FROM catalog_listing) FROM catalog_importjob WHERE id = %s",
                    [job.pk],
                )
                seen.append(cursor.fetchone())
        finally:
            outside.close()
        return listing

    monkeypatch.setattr(imports.listing_services, "create_listing", create_and_look_from_outside)
    imports.run_import(job_id=job.pk)

    # every row checked (6 of 6); rows written reported every 2 rows (each look comes before its own row is
    # counted); no listing visible outside until the commit
    assert [row[2] for row in seen] == [0, 0, 2, 2, 4, 4]
    assert {(row[0], row[1], row[3], row[4]) for row in seen} == {(6, 6, 6, 0)}
    job.refresh_from_db()
    assert (job.status, job.created_count, job.written_rows, job.progress_percent) == (ImportStatus.DONE, 6, 6, 100)
    assert Listing.objects.count() == 6


def test_progress_counts_checking_and_writing_each_row_once():
    checking = ImportJob(total_rows=10, processed_rows=4)
    dry_run_done = ImportJob(total_rows=10, processed_rows=10, dry_run=True)
    writing = ImportJob(total_rows=10, processed_rows=10, rows_to_write=8, written_rows=4)

    assert (checking.progress_percent, checking.is_writing) == (40, False)
    assert (dry_run_done.progress_percent, dry_run_done.is_writing) == (100, False)
    assert (writing.progress_percent, writing.is_writing) == (77, True)  # 14 of 18 steps


def test_job_page_says_how_many_rows_are_written_while_the_import_writes(client, seller, shoes):
    job = imports.start_import(
        seller=seller, actor=seller.user, upload=csv_file(good_rows(shoes.slug)), mode="all_or_nothing", dry_run=False
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, total_rows=3, processed_rows=3, rows_to_write=3, written_rows=1
    )
    client.force_login(seller.user)

    page = client.get(reverse("catalog:seller-import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="ru")

    text = page.content.decode()
    assert "Все строки проверены. Запись: записано строк 1 из 3" in text
    assert 'value="66"' in text
    assert 'hx-trigger="every 1s"' in text


def test_an_import_goes_on_when_its_progress_cannot_be_reported(seller, shoes, monkeypatch):
    """Progress is for display: a failed report (say, a lock timeout) is logged, and the rows are still written."""
    from django.db import DatabaseError

    def broken_cursor(self):
        raise DatabaseError("lock timeout")

    monkeypatch.setattr(imports._WriteProgress, "EVERY", 1)
    job = _queued_import(seller, _distinct_rows(shoes.slug, 3))
    real_add = imports._WriteProgress.add

    def add_with_a_broken_side(self, rows):
        self.side.cursor = broken_cursor.__get__(self.side)
        real_add(self, rows)

    monkeypatch.setattr(imports._WriteProgress, "add", add_with_a_broken_side)
    imports.run_import(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.created_count, job.written_rows) == (ImportStatus.DONE, 3, 3)


# --- promo prices in the file (spec 41, 120) --------------------------------------------------------------------

PROMO_HEADER = ["sku", "title", "category", "price", "stock", "promo_price", "promo_starts", "promo_ends"]


def _held_for(variant, days):
    """The variant's current price has been charged for `days` days (its price history says so)."""
    from django.utils import timezone

    from catalog.models import VariantPrice

    VariantPrice.objects.filter(variant=variant, valid_to__isnull=True).update(
        valid_from=timezone.now() - timedelta(days=days)
    )


def _promo_row(variant, *, price="1000", promo="790", starts="", ends="2099-01-31 23:59"):
    return [variant.sku, "", "", price, str(variant.on_hand), promo, starts, ends]


def test_a_file_sets_a_promo_price_on_a_product_already_sold_at_its_price(seller, shoes):
    variant = make_listing(seller, category=shoes, price="1000").variants.get()
    _held_for(variant, 20)

    job = run(seller, csv_file([_promo_row(variant, starts="01.01.2099", ends="2099-01-31 23:59")], PROMO_HEADER))

    variant.refresh_from_db()
    assert (job.status, job.error_count) == ("done", 0)
    assert variant.promo_price == Decimal("790")
    moscow = ZoneInfo("Europe/Moscow")  # the uploader's time zone (the default)
    assert variant.promo_starts_at == datetime.datetime(2099, 1, 1, tzinfo=moscow)
    assert variant.promo_ends_at == datetime.datetime(2099, 1, 31, 23, 59, tzinfo=moscow)
    assert variant.price == Decimal("1000")  # scheduled, not running yet


def test_a_promo_typed_as_spreadsheet_dates_is_read(seller, shoes):
    variant = make_listing(seller, category=shoes, price="1000").variants.get()
    _held_for(variant, 20)
    starts, ends = datetime.datetime(2099, 1, 1, 9, 30), datetime.datetime(2099, 1, 31, 23, 59)

    job = run(seller, xlsx_file([[variant.sku, "", "", 1000, 5, 790, starts, ends]], PROMO_HEADER))

    variant.refresh_from_db()
    assert job.error_count == 0
    assert variant.promo_starts_at == starts.replace(tzinfo=ZoneInfo("Europe/Moscow"))


def test_an_empty_promo_start_starts_it_at_once(seller, shoes):
    variant = make_listing(seller, category=shoes, price="1000").variants.get()
    _held_for(variant, 20)

    run(seller, csv_file([_promo_row(variant)], PROMO_HEADER))

    variant.refresh_from_db()
    assert variant.promo_running
    assert (variant.price, variant.promo_base_price) == (Decimal("790"), Decimal("1000"))


@pytest.mark.parametrize(
    ("held_days", "row", "message"),
    [
        (5, {}, "Акция не принята"),  # the honest-discount rule: the regular price was not charged long enough
        (20, {"price": "1200"}, "от 1\u202f200\xa0₽"),  # a new regular price in the same row was never charged
        (20, {"promo": "1000"}, "ниже обычной цены"),
        (20, {"promo": "дёшево"}, "Цена по акции «дёшево»"),
        (20, {"ends": "31/01/2099"}, "31/01/2099"),
        (20, {"ends": "2020-01-01"}, "в будущем"),
    ],
)
def test_a_promo_that_breaks_a_rule_is_reported_on_its_row_and_nothing_changes(seller, shoes, held_days, row, message):
    from django.utils import translation

    variant = make_listing(seller, category=shoes, price="1000").variants.get()
    _held_for(variant, held_days)

    with translation.override("ru"):
        job = run(seller, csv_file([_promo_row(variant, **row)], PROMO_HEADER))

    variant.refresh_from_db()
    assert job.error_count == 1
    assert message in " ".join(job.report[0]["errors"])
    assert (variant.promo_price, variant.price) == (None, Decimal("1000"))


def test_a_promo_on_a_new_product_is_refused_with_the_reason(seller, shoes):
    from django.utils import translation

    with translation.override("en"):
        job = run(
            seller,
            csv_file([["NEW-1", "Кроссовки новые", shoes.slug, "1000", "3", "790", "", "2099-01-31"]], PROMO_HEADER),
        )

    assert job.error_count == 1
    assert "product you already sell" in job.report[0]["errors"][0]
    assert not Variant.objects.filter(sku="NEW-1").exists()


def test_exported_promo_reimports_unchanged_even_while_it_runs(client, seller, shoes):
    variant = make_listing(seller, category=shoes, price="1000").variants.get()
    _held_for(variant, 20)
    run(seller, csv_file([_promo_row(variant)], PROMO_HEADER))
    client.force_login(seller.user)

    response = client.get(reverse("catalog:seller-export"), {"format": "csv"})
    exported = b"".join(response.streaming_content)
    job = run(seller, SimpleUploadedFile("export.csv", exported, content_type="text/csv"))

    header = exported.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[6:10] == ["old_price", "promo_price", "promo_starts", "promo_ends"]
    assert (job.status, job.error_count) == ("done", 0)
    variant.refresh_from_db()
    assert variant.promo_running
    assert (variant.price, variant.promo_base_price) == (Decimal("790"), Decimal("1000"))


def test_a_different_promo_while_one_runs_is_refused(seller, shoes):
    variant = make_listing(seller, category=shoes, price="1000").variants.get()
    _held_for(variant, 20)
    run(seller, csv_file([_promo_row(variant)], PROMO_HEADER))

    job = run(seller, csv_file([_promo_row(variant, promo="690")], PROMO_HEADER))

    assert job.error_count == 1
    variant.refresh_from_db()
    assert variant.promo_price == Decimal("790")
