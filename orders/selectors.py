"""Every non-trivial orders read: scoped, prefetched querysets and the cart as the pages show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import ListingStatus
from marketplace.core.db import prepared_cursor

from .models import (
    OPEN_RETURN_STATUSES,
    Cart,
    CartLine,
    DeliveryMethod,
    Order,
    OrderGroup,
    OrderLine,
    OrderStatus,
    PriceRule,
    ReturnRequest,
    effective_return_days,
)

# Cart ---------------------------------------------------------------------------------------------------


@dataclass
class CartLineView:
    line: CartLine
    is_available: bool
    available: int
    price: Decimal
    old_price: Decimal | None  # the price when added, if it changed since
    amount: Decimal
    return_days: int | None = None  # set by annotate_return_terms


@dataclass
class SellerGroup:
    seller: object
    lines: list[CartLineView] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    units: int = 0  # pieces the subtotal is for (the available lines' quantities)
    weight_g: int = 0
    methods: list[DeliveryMethod] = field(default_factory=list)
    seller_return_days: int | None = None  # set by annotate_return_terms
    return_days_set: list[int] = field(default_factory=list)


@dataclass
class CartView:
    groups: list[SellerGroup]
    saved: list[CartLineView]
    subtotal: Decimal
    count: int
    has_changes: bool  # a price or availability changed since adding
    has_unavailable: bool


def _line_view(line: CartLine) -> CartLineView:
    variant = line.variant
    listing = variant.listing
    is_available = (
        variant.is_active
        and listing.status == ListingStatus.PUBLISHED
        and listing.seller.accepts_new_orders
        and variant.available >= line.quantity
    )
    changed = line.price_when_added != variant.price
    return CartLineView(
        line=line,
        is_available=is_available,
        available=max(variant.available, 0),
        price=variant.price,
        old_price=line.price_when_added if changed else None,
        amount=variant.price * line.quantity,
    )


def cart_lines(cart: Cart | None) -> QuerySet[CartLine]:
    if cart is None or cart.pk is None:
        return CartLine.objects.none()
    return (
        CartLine.objects.filter(cart=cart)
        .select_related("variant__listing__seller__storefront", "variant__listing__cover_photo")
        .order_by("variant__listing__seller_id", "added_at", "pk")
    )


def cart_view(cart: Cart | None, *, region: str | None = None) -> CartView:
    """The cart grouped by seller with totals, changes since adding and (with a region) delivery choices."""
    groups: dict[int, SellerGroup] = {}
    saved: list[CartLineView] = []
    for line in cart_lines(cart):
        view = _line_view(line)
        if line.saved_for_later:
            saved.append(view)
            continue
        seller = line.variant.listing.seller
        group = groups.setdefault(seller.pk, SellerGroup(seller=seller))
        group.lines.append(view)
        if view.is_available:
            group.subtotal += view.amount
            group.units += line.quantity
            group.weight_g += (line.variant.listing.weight_g or 0) * line.quantity
    if region is not None and groups:
        methods = DeliveryMethod.objects.filter(seller_id__in=groups, is_active=True).order_by("price", "pk")
        for method in methods:
            if method.serves(region):
                groups[method.seller_id].methods.append(method)
    active = [view for group in groups.values() for view in group.lines]
    return CartView(
        groups=list(groups.values()),
        saved=saved,
        subtotal=sum((group.subtotal for group in groups.values()), Decimal("0.00")),
        count=sum(view.line.quantity for view in active),
        has_changes=any(view.old_price is not None or not view.is_available for view in active),
        has_unavailable=any(not view.is_available for view in active),
    )


def counted_lines(*, cart=None, user=None) -> QuerySet[CartLine]:
    """The lines a cart's count adds up (not saved for later): of `cart`, or of `user`'s cart (a user, or an
    OuterRef to one)."""
    lines = CartLine.objects.filter(saved_for_later=False)
    return lines.filter(cart=cart) if cart is not None else lines.filter(cart__user=user)


def cart_count(cart: Cart | None) -> int:
    """Units in the cart, saved-for-later lines left out (the header's badge)."""
    if cart is None or cart.pk is None:
        return 0
    return sum(counted_lines(cart=cart).values_list("quantity", flat=True))


# Orders -------------------------------------------------------------------------------------------------

_LINES = Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))


# Lines with their product's cover photo (the thumbnail on My orders), nothing else of the listing.
_LINES_WITH_PHOTOS = Prefetch(
    "lines",
    queryset=OrderLine.objects.select_related("listing__cover_photo")
    .only(
        *(field.name for field in OrderLine._meta.concrete_fields),
        "listing__cover_photo__image",
        "listing__cover_photo__grid",
    )
    .order_by("pk"),
)


def groups_for_buyer(*, buyer) -> QuerySet[OrderGroup]:
    """A buyer's checkouts, newest first, each with its orders, their lines (with photos) and sellers."""
    orders = Order.objects.select_related("seller__storefront").prefetch_related(_LINES_WITH_PHOTOS).order_by("pk")
    return (
        OrderGroup.objects.filter(buyer=buyer)
        .prefetch_related(Prefetch("orders", queryset=orders))
        .order_by("-created_at", "-pk")
    )


def orders_for_buyer(*, buyer) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=buyer)
        .select_related("group", "seller__storefront")
        .prefetch_related(_LINES, "events", "deadlines", "returns__lines__order_line", "returns__tracking_events")
    )


def group_for_buyer(*, buyer, group_id: int) -> OrderGroup | None:
    return groups_for_buyer(buyer=buyer).select_related("payment").filter(pk=group_id).first()


class SellerOrderFilter:
    """status, "soon" (a deadline within 24 h) or "late" — parsed from the query string."""

    STATUSES = frozenset(OrderStatus.values)

    def __init__(self, data) -> None:
        self.status = data.get("status", "") if data.get("status", "") in self.STATUSES else ""
        self.due = data.get("due", "") if data.get("due", "") in ("soon", "late") else ""

    def apply(self, queryset: QuerySet[Order]) -> QuerySet[Order]:
        now = timezone.now()
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.due == "soon":
            queryset = queryset.filter(
                deadlines__done_at__isnull=True, deadlines__due_at__lte=now + timedelta(hours=24)
            ).distinct()
        elif self.due == "late":
            queryset = queryset.filter(
                Q(is_late=True) | Q(status__in=[OrderStatus.PAID, OrderStatus.CONFIRMED], ship_by__lt=now)
            )
        return queryset


def orders_for_seller(*, seller, filters=None) -> QuerySet[Order]:
    """The seller's orders (paid and later: unpaid checkouts are not the seller's business yet)."""
    queryset = (
        Order.objects.filter(seller=seller)
        .exclude(status=OrderStatus.AWAITING_PAYMENT)
        .select_related("group", "buyer")
        .prefetch_related(_LINES, "deadlines")
        .annotate(open_returns=Count("returns", filter=Q(returns__status__in=OPEN_RETURN_STATUSES), distinct=True))
        .order_by("-created_at", "-pk")
    )
    return SellerOrderFilter(filters).apply(queryset) if filters is not None else queryset


def returns_for_seller(*, seller) -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(order__seller=seller)
        .select_related("order", "buyer", "exchange_variant")
        .prefetch_related("lines__order_line", "photos", "tracking_events")
        .order_by("-created_at")
    )


def returns_for_buyer(*, buyer) -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(buyer=buyer)
        .select_related("order", "exchange_variant")
        .prefetch_related("lines__order_line", "photos", "events", "tracking_events")
    )


def returned_quantities(order: Order) -> dict[int, int]:
    """order line id → items already in returns that are open or refunded/exchanged."""
    rows = (
        ReturnRequest.objects.filter(order=order)
        .exclude(status="rejected")
        .values_list("lines__order_line_id", "lines__quantity")
    )
    result: dict[int, int] = {}
    for line_id, quantity in rows:
        if line_id is not None:
            result[line_id] = result.get(line_id, 0) + quantity
    return result


def delivery_methods_for_seller(*, seller) -> QuerySet[DeliveryMethod]:
    return DeliveryMethod.objects.filter(seller=seller).order_by("-is_active", "price", "pk")


# Read on every listing page (its delivery terms): a prepared statement, as the return terms' (marketplace/core/db.py);
# planning the ORM's query cost more than running it.
ACTIVE_DELIVERY_COLUMNS = ("name", "kind", "price_rule", "price", "free_above", "price_per_kg", "regions", "days_min",
                           "days_max")  # fmt: skip
ACTIVE_DELIVERY_SQL = (
    f"SELECT {', '.join(ACTIVE_DELIVERY_COLUMNS)} FROM orders_deliverymethod "  # noqa: S608 - constant columns
    "WHERE seller_id = %s AND is_active ORDER BY price, id"
)


def active_delivery_methods(*, seller_id: int) -> list[DeliveryMethod]:
    """The delivery methods the seller offers buyers now, cheapest first (unsaved copies: for reading only)."""
    with prepared_cursor() as cursor:
        cursor.execute(ACTIVE_DELIVERY_SQL, [seller_id])
        rows = cursor.fetchall()
    return [
        DeliveryMethod(seller_id=seller_id, is_active=True, **dict(zip(ACTIVE_DELIVERY_COLUMNS, row, strict=True)))
        for row in rows
    ]


@dataclass(frozen=True)
class DeliveryOffer:
    """One way a listing can reach the buyer, as its page shows it: cost for one item and the arrival dates."""

    name: str
    kind: str
    cost: Decimal
    free_above: Decimal | None  # free from this order amount (when this item alone does not reach it)
    arrives_from: date
    arrives_to: date
    regions: list[str]  # empty: the whole country


def delivery_offers(*, seller_id: int, price: Decimal, weight_g: int | None, ship_by: date) -> list[DeliveryOffer]:
    """The seller's active delivery methods for one item at `price`, cheapest first, arriving `days_min`-`days_max`
    days after the seller ships (`ship_by`)."""
    offers = [_offer(method, price, weight_g, ship_by) for method in active_delivery_methods(seller_id=seller_id)]
    return sorted(offers, key=_cheapest_first)


def _offer(method: DeliveryMethod, price: Decimal, weight_g: int | None, ship_by: date) -> DeliveryOffer:
    cost = method.cost_for(subtotal=price, weight_g=weight_g or 0)
    return DeliveryOffer(
        name=method.name,
        kind=method.get_kind_display(),
        cost=cost,
        free_above=method.free_above if method.price_rule == PriceRule.FREE_ABOVE and cost else None,
        arrives_from=ship_by + timedelta(days=method.days_min),
        arrives_to=ship_by + timedelta(days=method.days_max),
        regions=method.region_list,
    )


def _cheapest_first(offer: DeliveryOffer) -> tuple:
    return (offer.cost, offer.arrives_to)


def cheapest_deliveries(listings: list) -> dict[int, DeliveryOffer]:
    """For each listing (with seller_id, price, weight_g and handling_days), the cheapest way its seller delivers
    one item now, by listing id; a listing whose seller has no active method is left out. One query for all."""
    seller_ids = {listing.seller_id for listing in listings}
    if not seller_ids:
        return {}
    methods: dict[int, list[DeliveryMethod]] = {}
    for method in DeliveryMethod.objects.filter(seller_id__in=seller_ids, is_active=True).order_by("price", "pk"):
        methods.setdefault(method.seller_id, []).append(method)
    today = timezone.localdate()
    cheapest = {}
    for listing in listings:
        ship_by = today + timedelta(days=listing.handling_days)
        offers = [
            _offer(method, listing.price, listing.weight_g, ship_by) for method in methods.get(listing.seller_id, [])
        ]
        if offers:
            cheapest[listing.pk] = min(offers, key=_cheapest_first)
    return cheapest


# Packing slip -------------------------------------------------------------------------------------------


@dataclass
class PackingLine:
    line: OrderLine
    contents: list[str]  # the listing's package contents: a checklist for whoever packs the box
    flags: list[str]  # its handling flags, as labels


@dataclass
class PackingSlip:
    lines: list[PackingLine]
    requirements: list  # catalog.PackagingRequirement for every handling flag of the order's goods
    return_days: int  # the longest return period among the lines (0: none returnable)


def packing_slip(order: Order) -> PackingSlip:
    """What the seller puts in the box (spec 59): the items with their contents checklists, and the packaging
    requirements managers set for the handling flags among them (spec 163). Two queries."""
    from catalog.models import PackagingRequirement

    lines = list(order.lines.select_related("listing").only(*PACKING_FIELDS).order_by("pk"))
    packing = [
        PackingLine(line=line, contents=line.listing.package_items, flags=line.listing.handling_flag_labels)
        for line in lines
    ]
    flags = {flag for line in lines for flag in line.listing.handling_flags or []}
    requirements = list(PackagingRequirement.objects.filter(flag__in=flags)) if flags else []
    return PackingSlip(
        lines=packing, requirements=requirements, return_days=max((line.return_days for line in lines), default=0)
    )


PACKING_FIELDS = (
    "order_id",
    "title",
    "variant_name",
    "sku",
    "quantity",
    "return_days",
    "listing__package_contents",
    "listing__handling_flags",
)


# Return terms -------------------------------------------------------------------------------------------


# Read on every listing page (the return terms) and at checkout: a prepared statement (marketplace/core/db.py).
SELLER_RETURN_DAYS_SQL = (
    "SELECT seller_id, return_days FROM orders_sellerreturnpolicy WHERE seller_id = ANY(%s) AND return_days IS NOT NULL"
)


def seller_return_days(*, seller_ids) -> dict[int, int]:
    """seller id → the seller's own return period in days; sellers without one are absent."""
    with prepared_cursor() as cursor:
        cursor.execute(SELLER_RETURN_DAYS_SQL, [list(seller_ids)])
        return dict(cursor.fetchall())


def annotate_return_terms(groups: list[SellerGroup]) -> list[SellerGroup]:
    """Give each cart line its return period and each seller group the distinct periods (one query)."""
    own = seller_return_days(seller_ids=[group.seller.pk for group in groups])
    for group in groups:
        group.seller_return_days = own.get(group.seller.pk)
        for view in group.lines:
            view.return_days = effective_return_days(
                category_days=catalog_selectors.return_days(view.line.variant.listing.category_id),
                seller_days=group.seller_return_days,
            )
        group.return_days_set = sorted({view.return_days for view in group.lines})
    return groups
