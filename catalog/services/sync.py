"""Price and stock sync from a seller's own system, through the API or a YML file (spec 37).

A sync is a list of rows by SKU, each changing any of price, old price and stock. Every row is checked on its own:
the valid ones are saved (through the same service as the cabinet's inline edit, so the same rules apply) and
each rejected one is reported with its number, SKU and reason. The sync and its report are kept (`OfferSync`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import OfferSync, Variant
from catalog.services.listings import OfferUpdate, bulk_update_offers
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
    if update.price is None and update.old_price is None and not update.clear_old_price and update.on_hand is None:
        raise ValueError(_("Give at least one of price, old_price and stock."))
    return update


YML_MAX_BYTES = 10 * 1024 * 1024


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
    limit = settings.MARKETPLACE_API_MAX_ROWS
    if len(offers) > limit:
        raise InvalidSync(
            _("The file has %(count)s offers; a file may hold at most %(limit)s. Split it, or sync through the API.")
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
    skus = [row["sku"] for row in rows if isinstance(row, dict) and isinstance(row.get("sku"), str)]
    by_sku = dict(Variant.objects.filter(seller=seller, sku__in=skus).values_list("sku", "pk"))
    errors: list[dict[str, Any]] = []
    updates: dict[int, tuple[int, str]] = {}  # variant id → (row number, sku)
    planned: list[OfferUpdate] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        sku = row.get("sku") if isinstance(row, dict) else None
        try:
            if not isinstance(sku, str) or not sku.strip():
                raise ValueError(_("Each row needs its SKU (“sku”)."))
            if sku in seen:
                raise ValueError(_("This SKU is already in an earlier row of the request."))
            seen.add(sku)
            update = _update(row, by_sku.get(sku))
        except ValueError as error:
            errors.append({"row": number, "sku": sku if isinstance(sku, str) else None, "error": str(error)})
            continue
        updates[update.variant_id] = (number, sku)
        planned.append(update)
    rejected = bulk_update_offers(seller=seller, actor=actor, updates=planned) if planned else {}
    for variant_id, message in rejected.items():
        number, sku = updates[variant_id]
        errors.append({"row": number, "sku": sku, "error": str(message)})
    errors.sort(key=lambda error: error["row"])
    return OfferSync.objects.create(
        seller=seller,
        token=token,
        file_name=file_name[:200],
        rows=len(rows),
        updated=len(planned) - len(rejected),
        errors=errors,
    )
