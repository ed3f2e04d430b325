"""Bulk import and export of a seller's listings as XLSX or CSV (spec 37).

One row is one variant. Rows with the same `listing_ref` become one listing with several variants;
a row whose SKU the seller already has updates that variant's price, old price, stock and barcode
(content changes go through the editor and moderation). A dry run reports every row's errors and
writes nothing; a real import writes nothing unless every row is valid, or, in "valid rows only"
mode, writes exactly the valid rows (a listing group with an invalid row is skipped whole).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import policies, selectors
from catalog.attributes import clean_attributes
from catalog.models import ImportJob, ImportMode, ImportStatus, Variant
from catalog.services import background, pricing
from catalog.services import listings as listing_services
from marketplace.core.db import side_connection

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from sellers.models import Seller

REQUIRED_COLUMNS = ("sku", "title", "category", "price", "stock")
OPTIONAL_COLUMNS = (
    "listing_ref",
    "brand",
    "description",
    "old_price",
    "promo_price",
    "promo_starts",
    "promo_ends",
    "barcode",
    "handling_days",
    "weight_g",
    "package_contents",
    "option1_name",
    "option1",
    "option2_name",
    "option2",
)
ATTRIBUTE_PREFIX = "attr:"
PROGRESS_EVERY = 200

logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, columns, size); the job fails with this message."""


@dataclass
class Row:
    number: int  # 1-based line in the file, the header being line 1
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    price: Decimal | None = None
    old_price: Decimal | None = None
    stock: int | None = None
    category_id: int | None = None
    attributes: dict[str, object] = field(default_factory=dict)
    existing: Variant | None = None
    promo: pricing.PromoInput | None = None  # a new promo price to set on an existing variant

    @property
    def group(self) -> str:
        return self.values.get("listing_ref") or f"row-{self.number}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (
        " ".join(str(value).replace("\x00", "").split())
        if not isinstance(value, str)
        else value.replace("\x00", "").strip()
    )


def read_rows(name: str, content: bytes) -> Iterator[list[str]]:
    """Cells of every row of an XLSX or CSV file (UTF-8, comma or semicolon separated)."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            raise ImportFileError(_("The XLSX file cannot be read.")) from error
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield [_cell(value) for value in values]
        finally:
            workbook.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Save the CSV file in UTF-8 encoding.")) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    for values in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield [_cell(value) for value in values]


def _header(cells: list[str], known_attributes: set[str]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    while header and not header[-1]:
        header.pop()
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(_("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = [
        column
        for column in header
        if column
        and column not in REQUIRED_COLUMNS
        and column not in OPTIONAL_COLUMNS
        and not (column.startswith(ATTRIBUTE_PREFIX) and column[len(ATTRIBUTE_PREFIX) :] in known_attributes)
    ]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown[:10])})
    duplicates = {column for column in header if column and header.count(column) > 1}
    if duplicates:
        raise ImportFileError(_("Columns appear twice: %(columns)s.") % {"columns": ", ".join(sorted(duplicates))})
    return header


def _decimal(text: str) -> Decimal:
    number = Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation
    return number


PROMO_COLUMNS = ("promo_price", "promo_starts", "promo_ends")
# the first is what the export writes; the one with seconds is how a date cell typed in a spreadsheet reads
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")


def _moment(text: str, tz: datetime.tzinfo) -> datetime.datetime:
    """A date and time as the export writes it ("2026-12-31 23:59") or as people type it ("31.12.2026 23:59"),
    in the uploader's time zone; a date alone is its midnight."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), pattern).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ValueError(text)


def export_moment(value: datetime.datetime | None, tz: datetime.tzinfo) -> str:
    return value.astimezone(tz).strftime(DATE_FORMATS[0]) if value else ""


def _check_promo_columns(row: Row, tz: datetime.tzinfo, now: datetime.datetime) -> None:
    """promo_price, promo_starts (empty: at once) and promo_ends set a promo on an existing variant, under the same
    rules as its price page (spec 41, 120: below the regular price, and that price charged for 14 of the last 30
    days). The row's own price is the regular price the rule is checked against. The promo a variant already has,
    as the export writes it, changes nothing; all three columns empty leave the promo as it is."""
    values = row.values
    if not any(values.get(column, "").strip() for column in PROMO_COLUMNS):
        return
    if row.existing is None:
        row.errors.append(
            _(
                "A promo price can only be set on a product you already sell: its regular price must have been "
                "charged for 14 of the last 30 days."
            )
        )
        return
    price = starts_at = ends_at = None
    try:
        price = _decimal(values.get("promo_price", ""))
    except (InvalidOperation, ValueError):
        row.errors.append(
            _("Promo price “%(value)s” is not a price in roubles.") % {"value": values.get("promo_price", "")[:30]}
        )
    for column in ("promo_starts", "promo_ends"):
        text = values.get(column, "").strip()
        if not text:
            continue
        try:
            moment = _moment(text, tz)
        except ValueError:
            row.errors.append(
                _("“%(column)s”: “%(value)s” is not a date like 2026-12-31 23:59 or 31.12.2026.")
                % {"column": column, "value": text[:30]}
            )
            return
        if column == "promo_starts":
            starts_at = moment
        else:
            ends_at = moment
    if price is None:
        return
    variant = row.existing
    unchanged = (
        variant.promo_price == price
        and _minute(variant.promo_starts_at) == _minute(starts_at)
        and _minute(variant.promo_ends_at) == _minute(ends_at)
    )
    if unchanged:
        return
    if variant.promo_running:
        row.errors.append(_("A promo is running: end it on the product's price page before setting another one."))
        return
    promo = pricing.PromoInput(price=price, starts_at=starts_at or now, ends_at=ends_at)
    try:
        pricing.check_promo_at(variant, promo, now, regular_price=row.price or variant.regular_price)
    except pricing.InvalidPromo as error:
        row.errors += [str(message) for message in error.errors.values()]
        return
    row.promo = promo


def _minute(value: datetime.datetime | None) -> datetime.datetime | None:
    return value.replace(second=0, microsecond=0) if value else None


def _check_row(
    row: Row, seller: Seller, existing: dict[str, Variant], tree, *, tz: datetime.tzinfo, now: datetime.datetime
) -> None:
    values = row.values
    sku = values.get("sku", "")
    row.existing = existing.get(sku.lower())
    if not sku:
        row.errors.append(_("SKU is empty."))
    elif len(sku) > 64:
        row.errors.append(_("SKU is longer than 64 characters."))
    try:
        row.price = _decimal(values.get("price", ""))
        if row.price <= 0 or row.price >= Decimal("1e12") or row.price != row.price.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        row.errors.append(_("Price “%(value)s” is not a price in roubles.") % {"value": values.get("price", "")[:30]})
    if values.get("old_price"):
        try:
            row.old_price = _decimal(values["old_price"])
            if row.price and row.old_price <= row.price:
                row.errors.append(_("The old price must be higher than the price."))
        except (InvalidOperation, ValueError):
            row.errors.append(_("Old price “%(value)s” is not a number.") % {"value": values["old_price"][:30]})
    try:
        row.stock = int(values.get("stock", ""))
        if not 0 <= row.stock <= 1_000_000:
            raise ValueError
    except ValueError:
        row.errors.append(
            _("Stock “%(value)s” is not a whole number from 0 to 1 000 000.") % {"value": values.get("stock", "")[:30]}
        )
    _check_promo_columns(row, tz, now)
    if row.existing is not None:
        if row.existing.allocated and row.stock is not None and row.stock < row.existing.allocated:
            row.errors.append(
                _("%(n)s items are reserved by orders; stock cannot be lower.") % {"n": row.existing.allocated}
            )
        return
    title = values.get("title", "")
    if len(title) < 3 or len(title) > 200:
        row.errors.append(_("Title must be 3 to 200 characters long."))
    reference = values.get("category", "")
    node = tree.by_slug.get(reference) or (tree.by_id.get(int(reference)) if reference.isdigit() else None)
    if node is None or not tree.is_visible(node):
        row.errors.append(_("Unknown category “%(value)s”.") % {"value": reference[:60]})
    elif not tree.is_leaf(node):
        row.errors.append(
            _("Category “%(value)s” has subcategories: use the most specific one.") % {"value": reference[:60]}
        )
    else:
        row.category_id = node.id
        raw = {
            key[len(ATTRIBUTE_PREFIX) :]: value
            for key, value in values.items()
            if key.startswith(ATTRIBUTE_PREFIX) and value
        }
        schema = selectors.attribute_schema(node.id)
        known = {attribute.code for attribute in schema}
        for code in raw:
            if code not in known:
                row.errors.append(_("Category has no characteristic “%(code)s”.") % {"code": code})
        row.attributes, errors = clean_attributes(schema, raw)
        names = {attribute.code: attribute.name for attribute in schema}
        row.errors += [f"{names.get(code, code)}: {message}" for code, message in errors.items()]
    for name, limit in (("handling_days", 30), ("weight_g", 1_000_000)):
        if values.get(name):
            try:
                number = int(values[name])
                if not 0 <= number <= limit:
                    raise ValueError
            except ValueError:
                row.errors.append(
                    _("“%(column)s” must be a whole number from 0 to %(limit)s.") % {"column": name, "limit": limit}
                )
    barcode = values.get("barcode", "")
    if barcode and (not barcode.isdigit() or len(barcode) > 32):
        row.errors.append(_("A barcode has digits only."))


def _set_progress(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


IMPORT_LOCK = 7301  # the first key of the advisory lock a running import holds (the second is the job's id)


def run_import(*, job_id: int) -> ImportJob:
    """Check (and unless it is a dry run, write) an uploaded file; a second run of a finished job does nothing.

    The run holds a PostgreSQL advisory lock on the job, so a copy of its message (the sweep below re-sends
    messages that may be lost) finds it taken and leaves. The lock ends with the run or with its connection.
    """
    return background.run_alone(
        IMPORT_LOCK, job_id, run=lambda: _run_import(job_id), busy=lambda: ImportJob.objects.get(pk=job_id)
    )


def requeue_stalled_imports(*, now=None) -> int:
    """Beat's sweep over imports (background.requeue_stalled): a lost message is sent again, a day-old import
    fails with a message asking for the file again."""
    from catalog import tasks

    return background.requeue_stalled(
        ImportJob,
        send=tasks.run_import.delay,
        gave_up=_("The import did not finish within a day. Please upload the file again."),
        now=now,
    )


def _run_import(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("seller", "created_by").get(pk=job_id)
    if job.is_finished:
        return job
    _set_progress(job, status=ImportStatus.RUNNING, processed_rows=0, rows_to_write=0, written_rows=0)
    try:
        rows = _checked_rows(job)
        created = updated = 0
        valid = [] if job.dry_run else _rows_to_write(job, rows)
        _set_progress(job, processed_rows=len(rows), rows_to_write=len(valid))
        if valid:
            created, updated = _write(job, valid)
        report = [
            {"row": row.number, "sku": row.values.get("sku", "")[:64], "errors": row.errors}
            for row in rows
            if row.errors
        ]
        _set_progress(
            job,
            status=ImportStatus.DONE,
            report=report[:5000],
            error_count=sum(1 for row in rows if row.errors),
            written_rows=len(valid),
            created_count=created,
            updated_count=updated,
            finished_at=timezone.now(),
        )
    except ImportFileError as error:
        _set_progress(job, status=ImportStatus.FAILED, message=str(error), finished_at=timezone.now())
    return job


def _checked_rows(job: ImportJob) -> list[Row]:
    with job.file.open("rb") as handle:
        content = handle.read()
    tree = selectors.category_tree()
    known_attributes = {code for code in _all_attribute_codes()}
    iterator = read_rows(job.original_name, content)
    header_cells = next(iterator, None)
    if header_cells is None:
        raise ImportFileError(_("The file is empty."))
    header = _header(header_cells, known_attributes)
    limit = settings.MARKETPLACE_CATALOG_IMPORT_MAX_ROWS
    rows: list[Row] = []
    for number, cells in enumerate(iterator, start=2):
        if not any(cells):
            continue
        if len(rows) >= limit:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": limit}
            )
        rows.append(
            Row(
                number=number,
                values={column: (cells[i] if i < len(cells) else "") for i, column in enumerate(header) if column},
            )
        )
    if not rows:
        raise ImportFileError(_("The file has no rows under the header."))
    _set_progress(job, total_rows=len(rows))
    existing = {variant.sku.lower(): variant for variant in Variant.objects.filter(seller=job.seller)}
    tz, now = job.created_by.tzinfo, timezone.now().replace(second=0, microsecond=0)
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        _check_row(row, job.seller, existing, tree, tz=tz, now=now)
        sku = row.values.get("sku", "").lower()
        if sku:
            if sku in seen:
                row.errors.append(_("SKU also on line %(line)s of the file.") % {"line": seen[sku]})
            else:
                seen[sku] = row.number
        if index % PROGRESS_EVERY == 0:
            _set_progress(job, processed_rows=index)
    # A listing group is only as good as its worst row.
    bad_groups = {row.group for row in rows if row.errors and row.existing is None}
    for row in rows:
        if not row.errors and row.existing is None and row.group in bad_groups:
            row.errors.append(_("Another row of the same listing_ref has errors."))
    return rows


def _all_attribute_codes() -> set[str]:
    from catalog.models import Attribute

    return set(Attribute.objects.values_list("code", flat=True))


def _rows_to_write(job: ImportJob, rows: list[Row]) -> list[Row]:
    """The rows a real import writes: every row, or none if one has errors and the seller chose all or nothing;
    else exactly the valid ones."""
    if job.mode == ImportMode.ALL_OR_NOTHING and any(row.errors for row in rows):
        return []
    return [row for row in rows if not row.errors]


class _WriteProgress:
    """The write phase's progress, reported through a side connection: the write is one transaction, and what it
    wrote to the job's row would stay hidden from the seller's progress page until the very end."""

    EVERY = 50  # rows

    def __init__(self, job: ImportJob, side) -> None:
        self.job, self.side, self.written, self.reported = job, side, 0, 0

    def add(self, rows: int) -> None:
        self.written += rows
        if self.written - self.reported < self.EVERY:
            return
        self.reported = self.written
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET written_rows = %s WHERE id = %s",  # noqa: S608
                    [min(self.written, self.job.rows_to_write), self.job.pk],
                )
        except DatabaseError:
            logger.warning("import %s: could not report its progress", self.job.pk, exc_info=True)


def _write(job: ImportJob, valid: list[Row]) -> tuple[int, int]:
    """Write the valid rows in one transaction; returns how many listings were created and variants updated."""
    with side_connection() as side, transaction.atomic():
        return _write_rows(job, valid, _WriteProgress(job, side))


def _write_rows(job: ImportJob, valid: list[Row], progress: _WriteProgress) -> tuple[int, int]:
    seller, actor = job.seller, job.created_by
    if not policies.can_manage_listings(actor, seller):
        raise ImportFileError(_("Your role may not change listings."))
    updates = [row for row in valid if row.existing is not None]
    errors = listing_services.bulk_update_offers(
        seller=seller,
        actor=actor,
        updates=[
            listing_services.OfferUpdate(
                variant_id=row.existing.pk,
                price=row.price,
                old_price=row.old_price,
                clear_old_price=row.old_price is None,
                on_hand=row.stock,
            )
            for row in updates
        ],
    )
    for row in updates:
        if row.existing.pk in errors:
            row.errors.append(errors[row.existing.pk])
        elif row.promo is not None:
            try:
                pricing.set_promo(seller=seller, actor=actor, variant_id=row.existing.pk, promo=row.promo)
            except pricing.InvalidPromo as error:
                row.errors += [str(message) for message in error.errors.values()]
    progress.add(len(updates))
    groups: dict[str, list[Row]] = {}
    for row in valid:
        if row.existing is None:
            groups.setdefault(row.group, []).append(row)
    created = 0
    if groups and not policies.seller_can_create_listings(seller):
        for group in groups.values():
            for row in group:
                row.errors.append(str(policies.seller_cannot_sell_error(seller).message))
        groups = {}
    for group in groups.values():
        first = group[0].values
        option_names = (first.get("option1_name") or _("Option 1"), first.get("option2_name") or _("Option 2"))
        variants = [
            listing_services.VariantInput(
                sku=row.values["sku"],
                price=row.price,
                old_price=row.old_price,
                on_hand=row.stock,
                barcode=row.values.get("barcode", ""),
                options={
                    name: row.values.get(key, "")
                    for name, key in zip(option_names, ("option1", "option2"), strict=True)
                    if row.values.get(key)
                },
            )
            for row in group
        ]
        details = {}
        if first.get("handling_days"):
            details["handling_days"] = int(first["handling_days"])
        if first.get("weight_g"):
            details["weight_g"] = int(first["weight_g"])
        listing_services.create_listing(
            seller=seller,
            actor=actor,
            content=listing_services.ListingContent(
                title=first["title"],
                category_id=group[0].category_id,
                description=first.get("description", ""),
                brand_name=first.get("brand", ""),
                attributes=group[0].attributes,
                package_contents=first.get("package_contents", ""),
            ),
            variants=variants,
            details=details,
        )
        created += 1
        progress.add(len(group))
    return created, len(updates) - len(errors)


@transaction.atomic
def start_import(*, seller: Seller, actor: User, upload, mode: str, dry_run: bool) -> ImportJob:
    """Store the file and queue the job; the page shows its progress while a worker runs it."""
    from catalog import tasks

    if not policies.can_manage_listings(actor, seller):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    job = ImportJob(seller=seller, created_by=actor, original_name=upload.name[:200], mode=mode, dry_run=dry_run)
    job.file.save(upload.name, upload, save=False)
    job.save()
    tasks.run_import.delay_on_commit(job.pk)
    return job


# --- export and templates ---------------------------------------------------------------------------------


def export_header(attribute_codes: list[str]) -> list[str]:
    return [
        "listing_ref",
        "sku",
        "title",
        "category",
        "brand",
        "price",
        "old_price",
        "promo_price",
        "promo_starts",
        "promo_ends",
        "stock",
        "barcode",
        "handling_days",
        "weight_g",
        "option1_name",
        "option1",
        "option2_name",
        "option2",
        "description",
        "package_contents",
        *[f"{ATTRIBUTE_PREFIX}{code}" for code in attribute_codes],
    ]


def export_rows(*, seller: Seller, tz: datetime.tzinfo) -> tuple[list[str], Iterator[list[object]]]:
    """One row per variant of the seller's listings (archived ones left out), in the import's columns; a promo's
    dates in `tz`, the time zone the import reads them in (the uploader's)."""
    tree = selectors.category_tree()
    variants = (
        Variant.objects.filter(seller=seller)
        .exclude(listing__status="archived")
        .select_related("listing__brand")
        .order_by("listing_id", "position", "pk")
    )
    codes = sorted(
        {code for attributes in variants.values_list("listing__attributes", flat=True) for code in (attributes or {})}
    )
    header = export_header(codes)

    def rows() -> Iterator[list[object]]:
        for variant in variants.iterator(chunk_size=500):
            listing = variant.listing
            node = tree.by_id.get(listing.category_id)
            options = list(variant.options.items())
            values = {
                "listing_ref": f"L{listing.pk}",
                "sku": variant.sku,
                "title": listing.title,
                "category": node.slug if node else "",
                "brand": listing.brand.name if listing.brand_id else "",
                "price": variant.regular_price,
                "old_price": variant.old_price or "",
                "promo_price": variant.promo_price or "",
                "promo_starts": export_moment(variant.promo_starts_at, tz),
                "promo_ends": export_moment(variant.promo_ends_at, tz),
                "stock": variant.on_hand,
                "barcode": variant.barcode,
                "handling_days": listing.handling_days,
                "weight_g": listing.weight_g or "",
                "option1_name": options[0][0] if options else "",
                "option1": options[0][1] if options else "",
                "option2_name": options[1][0] if len(options) > 1 else "",
                "option2": options[1][1] if len(options) > 1 else "",
                "description": listing.description,
                "package_contents": listing.package_contents,
            }
            for code in codes:
                value = (listing.attributes or {}).get(code, "")
                if isinstance(value, list):
                    value = "; ".join(value)
                elif isinstance(value, bool):
                    value = _("yes") if value else _("no")
                values[f"{ATTRIBUTE_PREFIX}{code}"] = value
            yield [values[column] for column in header]

    return header, rows()


def template_rows(*, category_id: int) -> tuple[list[str], list[list[object]]]:
    """The header for a category (with its characteristics) and one example row."""
    tree = selectors.category_tree()
    node = tree.by_id[category_id]
    schema = selectors.attribute_schema(category_id)
    header = export_header([attribute.code for attribute in schema])
    example = {
        "listing_ref": "1",
        "sku": "SKU-001",
        "title": _("Product title"),
        "category": node.slug,
        "price": "1990.00",
        "stock": "10",
        "handling_days": "1",
        "option1_name": _("Size"),
        "option1": "42",
    }
    for attribute in schema:
        sample = attribute.options[0] if attribute.options else ("1" if attribute.type == "number" else "")
        if attribute.type == "boolean":
            sample = _("yes")
        example[f"{ATTRIBUTE_PREFIX}{attribute.code}"] = sample
    return header, [[example.get(column, "") for column in header]]


def to_csv(header: list[str], rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    yield "\ufeff"
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _safe_cell(value: object) -> object:
    """Spreadsheets run cells starting with = + - @ as formulas; a leading quote keeps seller text as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(header: list[str], rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("listings")
    sheet.append(header)
    for row in rows:
        sheet.append([str(value) if isinstance(value, Decimal) else _safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
