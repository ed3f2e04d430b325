"""Cart, checkout groups, per-seller orders with their state machine, deadlines, incidents and returns."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table

MONEY = {"max_digits": 14, "decimal_places": 2}

# Cart -------------------------------------------------------------------------------------------------


class Cart(TimeStampedModel):
    """A buyer's cart: an account's (user) or an anonymous visitor's (session key), never both."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cart"
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, session_key="") | Q(user__isnull=True) & ~Q(session_key=""),
                name="cart_owner_exactly_one",
            )
        ]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    # The price the buyer saw when adding: a change since then is shown before checkout.
    price_when_added = models.DecimalField(**MONEY)
    saved_for_later = models.BooleanField(_("saved for later"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartline_once_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cartline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"


# Delivery ---------------------------------------------------------------------------------------------


class DeliveryKind(models.TextChoices):
    COURIER = "courier", _("Courier")
    PICKUP = "pickup", _("Pickup point")
    POST = "post", _("Russian Post")
    OWN = "own", _("Seller's own delivery")


class PriceRule(models.TextChoices):
    FLAT = "flat", _("Flat price")
    FREE_ABOVE = "free_above", _("Free above an order amount")
    BY_WEIGHT = "by_weight", _("By weight")


class DeliveryMethod(TimeStampedModel):
    """How one seller delivers, at what price and where."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="delivery_methods")
    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind)
    name = models.CharField(_("name"), max_length=100)
    price_rule = models.CharField(_("price rule"), max_length=16, choices=PriceRule, default=PriceRule.FLAT)
    price = models.DecimalField(_("price"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)])
    free_above = models.DecimalField(
        _("free from order amount"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    price_per_kg = models.DecimalField(
        _("price per kg"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    # Region names, one per line; empty: the whole country.
    regions = models.TextField(_("regions"), blank=True, help_text=_("One region per line; empty: all of Russia."))
    days_min = models.PositiveSmallIntegerField(_("delivery days, from"), default=2)
    days_max = models.PositiveSmallIntegerField(_("delivery days, to"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delivery method")
        verbose_name_plural = _("delivery methods")
        ordering = ["seller", "price", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="delivery_price_non_negative"),
            models.CheckConstraint(condition=Q(days_max__gte=F("days_min")), name="delivery_days_ordered"),
            models.CheckConstraint(condition=Q(kind__in=DeliveryKind.values), name="delivery_kind_valid"),
            models.CheckConstraint(condition=Q(price_rule__in=PriceRule.values), name="delivery_price_rule_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_list(self) -> list[str]:
        return [line.strip() for line in self.regions.splitlines() if line.strip()]

    def serves(self, region: str) -> bool:
        regions = [name.casefold() for name in self.region_list]
        return not regions or region.strip().casefold() in regions

    def cost_for(self, *, subtotal: Decimal, weight_g: int) -> Decimal:
        """The delivery price for an order of this seller (Decimal, kopecks)."""
        if self.price_rule == PriceRule.FREE_ABOVE and self.free_above is not None and subtotal >= self.free_above:
            return Decimal("0.00")
        if self.price_rule == PriceRule.BY_WEIGHT and self.price_per_kg is not None:
            kilograms = Decimal(max(weight_g, 1)) / Decimal(1000)
            return (self.price + self.price_per_kg * kilograms).quantize(Decimal("0.01"))
        return self.price


# The seller's own return period may not go below the law's minimum nor beyond a year (a typo guard).
SELLER_RETURN_DAYS_MIN = 7  # ЗоЗПП art. 26.1, the same as settings.MARKETPLACE_ORDER_MIN_RETURN_DAYS
SELLER_RETURN_DAYS_MAX = 365


def effective_return_days(*, category_days: int, seller_days: int | None) -> int:
    """Goods of proper quality: max(the law's 7 days, the category, the seller); 0 if the category is non-returnable."""
    if category_days == 0:
        return 0
    return max(settings.MARKETPLACE_ORDER_MIN_RETURN_DAYS, category_days, seller_days or 0)


class SellerReturnPolicy(TimeStampedModel):
    """The seller's own return period for goods of proper quality; no row or no days: the legal minimum.

    Checkout freezes it on each order line, so a later change never alters orders already placed.
    """

    seller = models.OneToOneField("sellers.Seller", on_delete=models.CASCADE, related_name="return_policy")
    return_days = models.PositiveSmallIntegerField(_("return period, days"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("seller return policy")
        verbose_name_plural = _("seller return policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(return_days__isnull=True)
                | Q(return_days__gte=SELLER_RETURN_DAYS_MIN, return_days__lte=SELLER_RETURN_DAYS_MAX),
                name="seller_return_days_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.return_days or '-'}"


# Orders -----------------------------------------------------------------------------------------------


class OrderGroup(TimeStampedModel):
    """One checkout: one payment for the orders of every seller in the cart."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="order_groups")
    checkout_key = models.UUIDField(unique=True, editable=False)
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, editable=False)
    total = models.DecimalField(_("total"), **MONEY)
    payment = models.ForeignKey(
        "ledger.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    expires_at = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    # The delivery address, copied at checkout: editing the address book later does not move a parcel.
    recipient_name = models.CharField(_("recipient"), max_length=150)
    recipient_phone = models.CharField(_("recipient's phone"), max_length=16)
    region = models.CharField(_("region"), max_length=100)
    address = models.TextField(_("address"))

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="ordergroup_total_positive")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expired_at is not None

    def get_absolute_url(self) -> str:
        return reverse("orders:payment-return", args=[self.pk])


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    CONFIRMED = "confirmed", _("Confirmed by the seller")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
validate_table(ORDER_TRANSITIONS, set(OrderStatus.values))
CANCELLABLE = frozenset({S.AWAITING_PAYMENT, S.PAID, S.CONFIRMED})
# While these hold, the seller needs the buyer's phone and address (spec 161).
NEEDS_CONTACT = frozenset({S.PAID, S.CONFIRMED, S.SHIPPED})


class CancelledBy(models.TextChoices):
    BUYER = "buyer", _("the buyer")
    SELLER = "seller", _("the seller")
    DEADLINE = "deadline", _("a missed deadline")
    EXPIRED = "expired", _("no payment in time")


class Order(TimeStampedModel):
    """What one seller delivers from one checkout. Status changes only through services.change_order_status."""

    group = models.ForeignKey(OrderGroup, on_delete=models.PROTECT, related_name="orders")
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("number"), max_length=24, unique=True)
    status = models.CharField(
        _("status"), max_length=32, choices=OrderStatus, default=S.AWAITING_PAYMENT, editable=False, db_index=True
    )
    subtotal = models.DecimalField(_("items"), **MONEY)
    delivery_cost = models.DecimalField(_("delivery"), **MONEY, default=Decimal("0"))
    total = models.DecimalField(_("total"), **MONEY)
    delivery_method = models.ForeignKey(DeliveryMethod, on_delete=models.SET_NULL, null=True, related_name="+")
    delivery_name = models.CharField(_("delivery"), max_length=100, blank=True)
    delivery_days_max = models.PositiveSmallIntegerField(default=5)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=16, choices=CancelledBy, blank=True)
    cancel_reason = models.TextField(blank=True)
    is_late = models.BooleanField(_("shipment late"), default=False)
    # The written return notice (ЗоЗПП art. 26.1) is part of the delivery message and the order page;
    # without it the buyer has 3 months to return.
    return_notice_given = models.BooleanField(default=False)
    return_window_ends_at = models.DateTimeField(_("return window ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(total=F("subtotal") + F("delivery_cost")), name="order_total_adds_up"),
            models.CheckConstraint(condition=Q(subtotal__gte=0, delivery_cost__gte=0), name="order_money_non_negative"),
        ]
        indexes = [
            models.Index(fields=["seller", "status"], name="order_seller_status"),
            # the hourly popularity recount reads the last 30 days of paid orders (services/popularity.py)
            models.Index(fields=["paid_at"], condition=Q(paid_at__isnull=False), name="order_paid_at"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", args=[self.pk])

    @property
    def ledger_reference(self) -> str:
        return f"order:{self.pk}"

    @property
    def needs_contact(self) -> bool:
        return self.status in NEEDS_CONTACT

    @property
    def estimated_delivery(self):
        if self.ship_by is None:
            return None
        return self.ship_by + timezone.timedelta(days=self.delivery_days_max)


class OrderLine(models.Model):
    """An item bought, with the price, commission and return policy in force at purchase."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=100, blank=True)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(**MONEY)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)  # 0.1000 = 10 %
    return_days = models.PositiveSmallIntegerField(default=7)  # 0: non-returnable category
    # The seller's own return period at purchase (0: none beyond the law and the category).
    seller_return_days = models.PositiveSmallIntegerField(default=0)
    weight_g = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="orderline_price_non_negative"),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0, commission_rate__lte=1), name="orderline_commission_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def amount(self) -> Decimal:
        return self.price * self.quantity

    @property
    def window_days(self) -> int:
        """Days to return it without a defect, from the terms frozen at purchase."""
        return effective_return_days(category_days=self.return_days, seller_days=self.seller_return_days)


class OrderEvent(models.Model):
    """Who, when, from, to, why — append-only history of an order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return OrderStatus(self.to_status).label if self.to_status in OrderStatus.values else self.to_status


class DeadlineKind(models.TextChoices):
    CONFIRM = "confirm", _("Confirm the order")
    SHIP = "ship", _("Ship the order")
    AUTO_DELIVER = "auto_deliver", _("Delivery counted automatically")
    COMPLETE = "complete", _("Return window ends")
    RETURN_DECISION = "return_decision", _("Decide on the return")
    RETURN_RECEIPT = "return_receipt", _("Return receipt assumed")


class Deadline(models.Model):
    """A timed transition: beat acts on rows that are due and not done (no long Celery ETAs)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deadlines")
    return_request = models.ForeignKey(
        "ReturnRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    kind = models.CharField(max_length=20, choices=DeadlineKind)
    due_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"], condition=Q(return_request__isnull=True), name="deadline_once_per_order"
            ),
            models.UniqueConstraint(
                fields=["return_request", "kind"],
                condition=Q(return_request__isnull=False),
                name="deadline_once_per_return",
            ),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="deadline_open_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id} @ {self.due_at:%Y-%m-%d %H:%M}"


class IncidentKind(models.TextChoices):
    LATE_SHIPMENT = "late_shipment", _("Late shipment")
    SELLER_CANCELLATION = "seller_cancellation", _("Cancelled through the seller's fault")
    DEFECT_RETURN = "defect_return", _("Return: defect")
    NOT_AS_DESCRIBED = "not_as_described", _("Return: not as described")
    DISPUTE_LOST = "dispute_lost", _("Dispute lost")


class Incident(models.Model):
    """A seller-quality event for the seller rating (reviews issue); one per order and kind."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="incidents")
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(max_length=24, choices=IncidentKind)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="incident_once_per_order_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id}"


# Returns ----------------------------------------------------------------------------------------------


class ReturnReason(models.TextChoices):
    DEFECT = "defect", _("Defect")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    DAMAGED = "damaged", _("Damaged in delivery")
    CHANGED_MIND = "changed_mind", _("Changed my mind")


# Reasons that are the seller's fault: the 2-year window, delivery refunded too.
SELLER_FAULT_REASONS = frozenset(
    {ReturnReason.DEFECT, ReturnReason.NOT_AS_DESCRIBED, ReturnReason.WRONG_ITEM, ReturnReason.DAMAGED}
)


class ReturnResolution(models.TextChoices):
    REFUND = "refund", _("Money back")
    EXCHANGE = "exchange", _("Exchange for another variant")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the seller")
    PARTIAL_OFFERED = "partial_offered", _("Partial refund offered")
    APPROVED = "approved", _("Approved: send the item back")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received by the seller")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")


R = ReturnStatus
RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.REJECTED, R.PARTIAL_OFFERED}),
    R.PARTIAL_OFFERED: frozenset({R.REFUNDED, R.REQUESTED}),
    R.APPROVED: frozenset({R.RECEIVED}),
    R.RECEIVED: frozenset({R.REFUNDED, R.EXCHANGED}),
    R.REJECTED: frozenset(),
    R.REFUNDED: frozenset(),
    R.EXCHANGED: frozenset(),
}
validate_table(RETURN_TRANSITIONS, set(ReturnStatus.values))
OPEN_RETURN_STATUSES = frozenset({R.REQUESTED, R.PARTIAL_OFFERED, R.APPROVED, R.RECEIVED})


class ReturnRequest(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ReturnStatus, default=R.REQUESTED, editable=False)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason)
    text = models.TextField(_("what happened"), max_length=2000, blank=True)
    resolution = models.CharField(_("what you want"), max_length=12, choices=ReturnResolution)
    exchange_variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_amount = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    partial_amount = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    partial_reason = models.TextField(blank=True, editable=False)
    rejection_reason = models.TextField(blank=True, editable=False)
    return_tracking = models.CharField(_("return tracking number"), max_length=40, blank=True)
    # When the return parcel's tracking showed it delivered to the seller: receipt is assumed N days later.
    return_delivered_at = models.DateTimeField(
        _("return delivered to the seller"), null=True, blank=True, editable=False
    )
    replacement_order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="replaces", editable=False
    )

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="return_status_valid"),
            models.CheckConstraint(
                condition=~Q(resolution=ReturnResolution.EXCHANGE) | Q(exchange_variant__isnull=False),
                name="return_exchange_has_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/V{self.pk}"

    @property
    def number(self) -> str:
        return f"V{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RETURN_STATUSES

    @property
    def receipt_assumed_at(self):
        """N days after the return tracking showed the parcel delivered to the seller (None before that)."""
        if self.return_delivered_at is None:
            return None
        return self.return_delivered_at + timezone.timedelta(days=settings.MARKETPLACE_ORDER_RETURN_RECEIPT_DAYS)


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="returnline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line_id}"

    @property
    def amount(self) -> Decimal:
        return self.order_line.price * self.quantity


def return_photo_upload_to(instance: ReturnPhoto, filename: str) -> str:
    import uuid

    return f"returns/{instance.return_request_id}/{uuid.uuid4().hex}.jpg"


class ReturnPhoto(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=return_photo_upload_to)  # validated and re-encoded by catalog.images

    def __str__(self) -> str:
        return self.image.name


class ReturnTrackingStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("On its way to the seller")
    DELIVERED = "delivered", _("Delivered to the seller")


class TrackingSource(models.TextChoices):
    BUYER = "buyer", _("the buyer")
    CARRIER = "carrier", _("the carrier")
    SELLER = "seller", _("the seller")
    MODERATOR = "moderator", _("a moderator")


class ReturnTrackingEvent(models.Model):
    """What the return parcel's tracking showed and who reported it (services.record_return_tracking)."""

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, related_name="tracking_events")
    status = models.CharField(_("tracking status"), max_length=16, choices=ReturnTrackingStatus)
    occurred_at = models.DateTimeField(_("when"))
    source = models.CharField(_("reported by"), max_length=16, choices=TrackingSource)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            # A carrier repeating the same event (webhook retries, polling) records it once.
            models.UniqueConstraint(
                fields=["return_request", "status", "occurred_at"], name="returntracking_event_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReturnTrackingStatus.values), name="returntracking_status_valid"
            ),
            models.CheckConstraint(condition=Q(source__in=TrackingSource.values), name="returntracking_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.return_request_id}: {self.status} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class ReturnEvent(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.return_request_id}: {self.from_status} → {self.to_status}"
