"""How a seller's listing compares with other sellers' offers of the same product (spec 42).

Comparable offers are other sellers' public listings with a variant of the same barcode (the same product), or,
when the listing has no barcode or nobody else sells it, those in the same category with the same brand and the
same values of the category's filterable characteristics (similar products). The seller sees the minimum and
median price against their own, and the cheapest offers with their promo or discount, how soon they ship, their
rating and review count. Two queries: the figures in one aggregate, the cheapest offers in another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from catalog.models import Listing, Variant
from catalog.selectors.categories import attribute_schema
from catalog.selectors.listings import public_listings

SHOWN_OFFERS = 10


@dataclass
class Benchmark:
    listing: Listing
    basis: str  # "barcode", "similar", or "" when the listing gives nothing to compare by
    barcodes: list[str] = field(default_factory=list)
    attributes: list[tuple[str, str]] = field(default_factory=list)  # (name, value) a "similar" match shares
    count: int = 0
    min_price: Decimal | None = None
    median_price: Decimal | None = None
    cheaper: int = 0  # offers below the listing's price
    offers: list[Listing] = field(default_factory=list)  # the cheapest, each with `in_promo`

    @property
    def own_price(self) -> Decimal:
        return self.listing.price

    @property
    def median_gap_percent(self) -> int | None:
        """How far the listing's price is above (+) or below (−) the median, in whole percent."""
        if not self.median_price:
            return None
        return round((self.own_price - self.median_price) * 100 / self.median_price)


def _by_barcode(listing: Listing, barcodes: list[str]) -> QuerySet[Listing]:
    same = Variant.objects.filter(listing=OuterRef("pk"), barcode__in=barcodes).exclude(barcode="")
    return public_listings().exclude(seller_id=listing.seller_id).filter(Exists(same))


def _similar(listing: Listing) -> tuple[QuerySet[Listing] | None, list[tuple[str, str]]]:
    """Same category and brand, and the same values of the category's filterable characteristics it has."""
    if listing.brand_id is None:
        return None, []
    shared = {}
    names = []
    for attribute in attribute_schema(listing.category_id):
        value = (listing.attributes or {}).get(attribute.code)
        if attribute.is_filterable and attribute.is_choice and value not in (None, "", []):
            shared[attribute.code] = value
            names.append((attribute.name, "; ".join(value) if isinstance(value, list) else str(value)))
    rows = (
        public_listings()
        .exclude(seller_id=listing.seller_id)
        .filter(category_id=listing.category_id, brand_id=listing.brand_id)
    )
    if shared:
        rows = rows.filter(attributes__contains=shared)
    return rows, names


def benchmark(listing: Listing) -> Benchmark:
    """The comparable offers of `listing` (one of the viewing seller's own) and where its price stands."""
    barcodes = sorted({barcode for barcode in listing.variants.values_list("barcode", flat=True) if barcode})
    result = Benchmark(listing=listing, basis="", barcodes=barcodes)
    rows = None
    if barcodes:
        rows = _by_barcode(listing, barcodes)
        if rows.exists():
            result.basis = "barcode"
        else:
            rows = None
    if rows is None:
        rows, names = _similar(listing)
        if rows is None:
            return result
        result.basis, result.attributes = "similar", names
    sql, params = rows.order_by().values("price").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(m.price), percentile_cont(0.5) WITHIN GROUP (ORDER BY m.price), "  # noqa: S608 - compiled ORM SQL; values are parameters
            f"count(*) FILTER (WHERE m.price < %s) FROM ({sql}) AS m",
            [listing.price, *params],
        )
        count, minimum, median, cheaper = cursor.fetchone()
    result.count, result.cheaper = count, cheaper
    if count:
        result.min_price = minimum
        result.median_price = Decimal(str(median)).quantize(Decimal("0.01"))
        promo = Variant.objects.filter(listing=OuterRef("pk"), promo_base_price__isnull=False)
        result.offers = list(
            rows.select_related("seller__storefront")
            .annotate(in_promo=Exists(promo))
            .only(
                "id",
                "slug",
                "title",
                "price",
                "old_price",
                "discount_percent",
                "handling_days",
                "weight_g",
                "rating_avg",
                "rating_count",
                "in_stock",
                "seller__id",
                "seller__storefront__name",
                "seller__storefront__slug",
            )
            .order_by("price", "id")[:SHOWN_OFFERS]
        )
    return result
