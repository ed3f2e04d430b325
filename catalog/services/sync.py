"""Price and stock sync from a seller's own system, through the API or a YML file (spec 37).

A sync is a list of rows by SKU, each changing any of price, old price and stock. Every row is checked on its own:
the valid ones are saved (through the same service as the cabinet's inline edit, so the same rules apply) and
each rejected one is reported with its number, SKU and reason. The sync and its report are kept (`OfferSync`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import policies
from catalog.models import ImportStatus, OfferSync, Variant
from catalog.services import background
from catalog.services.listings import OfferUpdate, bulk_update_offers
from catalog.services.pricing import InvalidPromo, PromoInput, check_promo_at, end_promo, set_promo
from marketplace.core.exceptions import DomainError

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from sellers.models import ApiToken, Seller

MAX_STOCK = 1_000_000
MAX_PRICE = Decimal("100000000")


class InvalidSync(DomainError):
    """The request as a whole cannot be read (not a list of rows, too many rows)."""


def _money(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(_('%(field)s must be a number like 1990 or "1990.50".') % {"field": field})
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(_('%(field)s must be a number like 1990 or "1990.50".') % {"field": field}) from None
    if not number.is_finite() or number <= 0 or number > MAX_PRICE:
        raise ValueError(_("%(field)s must be above zero and at most 100 000 000.") % {"field": field})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("%(field)s may have at most two decimal places.") % {"field": field})
    return number


def _stock(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValueError(_("stock must be a whole number of 0 or more."))
    number = int(str(value).strip())
    if number > MAX_STOCK:
        raise ValueError(_("stock may be at most 1 000 000."))
    return number


END_PROMO = "end"  # a row's "promo": null: end the running promo, or drop a scheduled one


def _moment(value: Any, field: str, tz: datetime.tzinfo) -> datetime.datetime:
    """An ISO 8601 date and time ("2026-12-31T23:59:00+03:00"); without an offset, in the key creator's zone."""
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            _("%(field)s must be a date and time like 2026-12-31T23:59:00+03:00.") % {"field": field}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _promo(value: Any, tz: datetime.tzinfo) -> PromoInput | str:
    """A row's "promo": {"price", "starts" (optional: at once), "ends"} to set, or null to end (spec 41)."""
    if value is None:
        return END_PROMO
    if not isinstance(value, dict):
        raise ValueError(_("promo must be an object with price, starts and ends, or null to end the promo."))
    price = _money(value.get("price"), "promo.price")
    starts = _moment(value["starts"], "promo.starts", tz) if value.get("starts") is not None else None
    return PromoInput(price=price, starts_at=starts, ends_at=_moment(value.get("ends"), "promo.ends", tz))


def _checked_promo(
    variant: Variant, update: OfferUpdate, promo: PromoInput | str, now: datetime.datetime
) -> PromoInput | str | None:
    """What the row's promo does: the promo to set (its start filled in), END_PROMO, or None when it changes
    nothing (the promo the variant already has, sent again; an end with no promo). Raises ValueError with the
    reason when it may not be set: the cabinet's rules, checked against the regular price the row itself sets."""
    if not isinstance(promo, PromoInput):
        return END_PROMO if variant.promo_price is not None else None
    if (variant.promo_price, variant.promo_starts_at, variant.promo_ends_at) == (
        promo.price,
        promo.starts_at or variant.promo_starts_at,
        promo.ends_at,
    ):
        return None
    if variant.promo_running:
        raise ValueError(_("A promo is running: end it first (send “promo”: null), then set the new one."))
    wanted = PromoInput(price=promo.price, starts_at=promo.starts_at or now, ends_at=promo.ends_at)
    try:
        check_promo_at(variant, wanted, now, regular_price=update.price or variant.regular_price)
    except InvalidPromo as error:
        raise ValueError(" ".join(str(message) for message in error.errors.values())) from None
    return wanted


def _update(row: Any, variant_id: int | None) -> OfferUpdate:
    if variant_id is None:
        raise ValueError(_("No product of yours has this SKU."))
    update = OfferUpdate(variant_id=variant_id)
    if "price" in row:
        update.price = _money(row["price"], "price")
    if "old_price" in row:
        if row["old_price"] in (None, ""):
            update.clear_old_price = True
        else:
            update.old_price = _money(row["old_price"], "old_price")
    if "stock" in row:
        update.on_hand = _stock(row["stock"])
    if not _changes_offer(update) and "promo" not in row:
        raise ValueError(_("Give at least one of price, old_price, stock and promo."))
    return update


def _changes_offer(update: OfferUpdate) -> bool:
    return not (
        update.price is None and update.old_price is None and not update.clear_old_price and update.on_hand is None
    )


YML_MAX_BYTES = 10 * 1024 * 1024
ERRORS_KEPT = 5000  # rejected rows a sync keeps with their reasons (every one is counted)
SYNC_LOCK = 7302  # the first key of the advisory lock a running file sync holds (the second is the sync's id)


def rows_from_yml(data: bytes) -> list[dict[str, Any]]:
    """The offers of a YML catalogue (Yandex Market Language, the feed Russian shops already export) as sync rows:
    the offer's `id` (or its `shop-sku`) is the SKU, `price`, `oldprice` and `count` the values. Parsed without
    entities or external references (defusedxml), so a hostile file cannot expand or read anything."""
    if len(data) > YML_MAX_BYTES:
        raise InvalidSync(_("The file is larger than 10 MB: split it, or sync through the API."))
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise InvalidSync(
            _("This is not a YML catalogue (XML could not be read: %(error)s).") % {"error": error}
        ) from None
    offers = root.findall("./shop/offers/offer") if root.tag == "yml_catalog" else []
    if not offers:
        raise InvalidSync(_("No offers found: a YML catalogue holds <yml_catalog><shop><offers><offer>…"))
    limit = settings.MARKETPLACE_YML_MAX_OFFERS
    if len(offers) > limit:
        raise InvalidSync(
            ngettext(
                "The file has %(count)s offer; a file may hold at most %(limit)s. Split it, or sync through the API.",
                "The file has %(count)s offers; a file may hold at most %(limit)s. Split it, or sync through the API.",
                len(offers),
            )
            % {"count": len(offers), "limit": limit}
        )
    rows = []
    for offer in offers:
        row: dict[str, Any] = {"sku": (offer.findtext("shop-sku") or offer.get("id") or "").strip()}
        for field, tag in (("price", "price"), ("old_price", "oldprice"), ("stock", "count")):
            value = offer.findtext(tag)
            if value is not None:
                row[field] = value.strip()
        rows.append(row)
    return rows


# A price and stock table's columns (the first row names them), in English as the export writes them or in Russian.
TABLE_COLUMNS = {
    "sku": "sku",
    "артикул": "sku",
    "price": "price",
    "цена": "price",
    "old_price": "old_price",
    "старая цена": "old_price",
    "stock": "stock",
    "остаток": "stock",
}


def is_table(file_name: str) -> bool:
    return file_name.lower().endswith((".csv", ".xlsx"))


def rows_from_table(file_name: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX price and stock table as sync rows. The first row names the columns: sku and any
    of price, old_price and stock (or артикул, цена, старая цена, остаток); other columns are ignored, so the
    listings export can be uploaded as it is. An empty cell leaves that value as it is."""
    from catalog.services.imports import ImportFileError, read_rows

    if len(data) > YML_MAX_BYTES:
        raise InvalidSync(_("The file is larger than 10 MB: split it, or sync through the API."))
    limit = settings.MARKETPLACE_YML_MAX_OFFERS
    rows: list[dict[str, Any]] = []
    try:
        cells = read_rows(file_name, data)
        header = [TABLE_COLUMNS.get(" ".join(cell.lower().split())) for cell in next(cells, [])]
        if "sku" not in header or not {"price", "old_price", "stock"} & set(header):
            raise InvalidSync(
                _(
                    "The first row must name the columns: sku and at least one of price, old_price and stock "
                    "(or артикул, цена, старая цена, остаток)."
                )
            )
        for values in cells:
            row = {
                field: value.replace(" ", "").replace("\xa0", "").replace("\u202f", "") if field != "sku" else value
                for field, value in zip(header, values, strict=False)
                if field and value
            }
            if not row:
                continue
            row.setdefault("sku", "")
            rows.append(row)
            if len(rows) > limit:
                raise InvalidSync(
                    _("The file has more than %(limit)s rows. Split it, or sync through the API.") % {"limit": limit}
                )
    except ImportFileError as error:
        raise InvalidSync(str(error)) from None
    if not rows:
        raise InvalidSync(_("The file has no rows under the header."))
    return rows


def rows_from_file(file_name: str, data: bytes) -> list[dict[str, Any]]:
    """A price and stock file's rows: a CSV or XLSX table, or a YML catalogue."""
    return rows_from_table(file_name, data) if is_table(file_name) else rows_from_yml(data)


def _sku_of(row: Any) -> str | None:
    """The row's SKU when it has a usable one (a row without one is rejected and takes no SKU)."""
    sku = row.get("sku") if isinstance(row, dict) else None
    return sku if isinstance(sku, str) and sku.strip() else None


def _apply(
    *, seller: Seller, actor: User, rows: list[Any], first: int, seen: set[str]
) -> tuple[int, list[dict[str, Any]]]:
    """Apply `rows` (numbered from `first`): the valid ones are saved, the rest returned with their reasons.

    `seen` holds the SKUs of the sync's earlier rows (a SKU may come once per sync) and gains these rows' SKUs.
    Returns how many rows were saved and the rejected ones, in row order.
    """
    skus = [sku for row in rows if (sku := _sku_of(row))]
    by_sku = dict(Variant.objects.filter(seller=seller, sku__in=skus).values_list("sku", "pk"))
    with_promo = [by_sku[sku] for row in rows if (sku := _sku_of(row)) in by_sku and "promo" in row]
    variants = Variant.objects.in_bulk(with_promo) if with_promo else {}
    may_price = policies.can_manage_listings(actor, seller)
    tz, now = getattr(actor, "tzinfo", None) or timezone.get_default_timezone(), timezone.now()
    errors: list[dict[str, Any]] = []
    updates: dict[int, tuple[int, str]] = {}  # variant id → (row number, sku)
    planned: list[OfferUpdate] = []
    promos: dict[int, PromoInput | str] = {}  # variant id → the promo to set, or END_PROMO
    for number, row in enumerate(rows, start=first):
        sku = row.get("sku") if isinstance(row, dict) else None
        try:
            if _sku_of(row) is None:
                raise ValueError(_("Each row needs its SKU (“sku”)."))
            if sku in seen:
                raise ValueError(_("This SKU is already in an earlier row of the request."))
            seen.add(sku)
            update = _update(row, by_sku.get(sku))
            if "promo" in row:
                if not may_price:
                    raise ValueError(_("Your role may change stock only."))
                promo = _checked_promo(variants[update.variant_id], update, _promo(row["promo"], tz), now)
                if promo is not None:
                    promos[update.variant_id] = promo
        except ValueError as error:
            errors.append({"row": number, "sku": sku if isinstance(sku, str) else None, "error": str(error)})
            continue
        updates[update.variant_id] = (number, sku)
        planned.append(update)
    offers = [update for update in planned if _changes_offer(update)]
    rejected = bulk_update_offers(seller=seller, actor=actor, updates=offers) if offers else {}
    for variant_id, promo in promos.items():
        if variant_id in rejected:
            continue
        try:
            if isinstance(promo, PromoInput):
                set_promo(seller=seller, actor=actor, variant_id=variant_id, promo=promo)
            else:
                end_promo(seller=seller, actor=actor, variant_id=variant_id)
        except InvalidPromo as error:  # its price changed since the check: the row's offer is saved, not the promo
            rejected[variant_id] = " ".join(str(message) for message in error.errors.values())
    for variant_id, message in rejected.items():
        number, sku = updates[variant_id]
        errors.append({"row": number, "sku": sku, "error": str(message)})
    errors.sort(key=lambda error: error["row"])
    return len(planned) - len(rejected), errors


@transaction.atomic
def sync_offers(*, seller: Seller, actor: User, token: ApiToken | None, rows: Any, file_name: str = "") -> OfferSync:
    """Apply a sync's rows (valid ones saved, the rest reported) and keep the sync with its report."""
    if not isinstance(rows, list):
        raise InvalidSync(_("Send a JSON object with an “offers” list."))
    limit = settings.MARKETPLACE_API_MAX_ROWS
    if len(rows) > limit:
        raise InvalidSync(
            _("At most %(limit)s rows per request; send the rest in further requests.") % {"limit": limit}
        )
    updated, errors = _apply(seller=seller, actor=actor, rows=rows, first=1, seen=set())
    return OfferSync.objects.create(
        seller=seller,
        token=token,
        created_by=actor if token is None else None,
        file_name=file_name[:200],
        rows=len(rows),
        processed=len(rows),
        updated=updated,
        errors=errors[:ERRORS_KEPT],
        rejected=len(errors),
        finished_at=timezone.now(),
    )


def sync_file(*, seller: Seller, actor: User, data: bytes, file_name: str) -> OfferSync:
    """A YML, CSV or XLSX file uploaded in the cabinet: applied at once when it holds at most MARKETPLACE_API_MAX_ROWS rows,
    else kept and applied by a worker in parts of that size (the cabinet shows the progress). Either way a file
    that cannot be read is refused whole, before anything is kept or changed."""
    if not policies.can_edit_stock(actor, seller):
        raise PermissionDenied
    rows = rows_from_file(file_name, data)
    if len(rows) <= settings.MARKETPLACE_API_MAX_ROWS:
        return sync_offers(seller=seller, actor=actor, token=None, rows=rows, file_name=file_name)
    return _queue_file_sync(seller=seller, actor=actor, data=data, file_name=file_name, rows=len(rows))


@transaction.atomic
def _queue_file_sync(*, seller: Seller, actor: User, data: bytes, file_name: str, rows: int) -> OfferSync:
    from catalog import tasks

    done = OfferSync(seller=seller, created_by=actor, file_name=file_name[:200], rows=rows, status=ImportStatus.QUEUED)
    done.file.save(file_name, ContentFile(data), save=False)
    done.save()
    tasks.run_offer_sync.delay_on_commit(done.pk)
    return done


def run_file_sync(*, sync_id: int) -> OfferSync:
    """Apply a kept file's offers part by part; a second run of a finished sync does nothing, and a run after one
    that stopped resumes after its last saved part (each part is saved with the progress in one transaction).

    The run holds a PostgreSQL advisory lock on the sync, so a copy of its message (the sweep below re-sends
    messages that may be lost) finds it taken and leaves.
    """
    return background.run_alone(
        SYNC_LOCK, sync_id, run=lambda: _run_file_sync(sync_id), busy=lambda: OfferSync.objects.get(pk=sync_id)
    )


def _finish(done: OfferSync, status: str, message: str = "") -> OfferSync:
    done.status, done.message, done.finished_at = status, message, timezone.now()
    done.save(update_fields=["status", "message", "finished_at"])
    return done


def _run_file_sync(sync_id: int) -> OfferSync:
    done = OfferSync.objects.select_related("seller", "created_by").get(pk=sync_id)
    if done.is_finished:
        return done
    if done.status != ImportStatus.RUNNING:
        done.status = ImportStatus.RUNNING
        done.save(update_fields=["status"])
    try:
        with done.file.open("rb") as handle:
            rows = rows_from_file(done.file.name, handle.read(YML_MAX_BYTES + 1))
    except (OSError, InvalidSync) as error:
        message = error.message if isinstance(error, InvalidSync) else _("The file could not be read again.")
        return _finish(done, ImportStatus.FAILED, message)
    actor = done.created_by
    if actor is None or not policies.can_edit_stock(actor, done.seller):
        return _finish(done, ImportStatus.FAILED, _("The person who uploaded the file may no longer change stock."))
    seen = {sku for row in rows[: done.processed] if (sku := _sku_of(row))}
    size = settings.MARKETPLACE_API_MAX_ROWS
    while done.processed < len(rows):
        part = rows[done.processed : done.processed + size]
        with transaction.atomic():
            updated, errors = _apply(seller=done.seller, actor=actor, rows=part, first=done.processed + 1, seen=seen)
            done.processed += len(part)
            done.updated += updated
            done.rejected += len(errors)
            done.errors = [*done.errors, *errors][:ERRORS_KEPT]
            done.save(update_fields=["processed", "updated", "rejected", "errors"])
    return _finish(done, ImportStatus.DONE)


def requeue_stalled_syncs(*, now=None) -> int:
    """Beat's sweep over file syncs (background.requeue_stalled): a lost message is sent again, a day-old sync
    fails with a message asking for the file again."""
    from catalog import tasks

    return background.requeue_stalled(
        OfferSync,
        send=tasks.run_offer_sync.delay,
        gave_up=_("The sync did not finish within a day. Please upload the file again."),
        now=now,
    )
