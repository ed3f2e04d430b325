"""Catalogue: the category tree with attribute schemas, brands, and the moderation vocabularies."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import ROUND_FLOOR, Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Now
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table
from sellers.models import private_storage
from sellers.models.sellers import HIDES_LISTINGS


class ReturnClass(models.TextChoices):
    NON_RETURNABLE = "non_returnable", _("Non-returnable")
    DAYS_7 = "days_7", _("7 days")
    DAYS_15 = "days_15", _("15 days")
    CUSTOM = "custom", _("Custom period")


RETURN_CLASS_DAYS = {ReturnClass.NON_RETURNABLE: 0, ReturnClass.DAYS_7: 7, ReturnClass.DAYS_15: 15}


class Category(TimeStampedModel):
    """A node of the category tree. Empty commission / return class mean "as the parent category"."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, blank=True, help_text=_("Latin, made from the name when left empty.")
    )
    # Materialised path of ids ("/1/5/12/"): a subtree is one indexed prefix match, kept by services.save_category.
    path = models.CharField(_("path"), max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Smaller numbers come first."))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive categories are hidden."))
    commission_percent = models.DecimalField(
        _("commission, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Platform commission on sales in this category. Empty: as the parent category."),
    )
    return_class = models.CharField(
        _("return class"),
        max_length=20,
        choices=ReturnClass,
        blank=True,
        help_text=_("How long buyers may return goods. Empty: as the parent category."),
    )
    return_days = models.PositiveSmallIntegerField(
        _("return period, days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Only for a custom return period."),
    )
    meta_title = models.CharField(_("meta title"), max_length=160, blank=True)
    meta_description = models.CharField(_("meta description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        indexes = [models.Index(OpClass("path", name="varchar_pattern_ops"), name="category_path_prefix")]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_percent__isnull=True)
                | Q(commission_percent__gte=0, commission_percent__lte=100),
                name="category_commission_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(return_class="") | Q(return_class__in=ReturnClass.values),
                name="category_return_class_valid",
            ),
            models.CheckConstraint(
                condition=~Q(return_class=ReturnClass.CUSTOM) | Q(return_days__isnull=False),
                name="category_custom_return_has_days",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this category, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    BOOLEAN = "boolean", _("Yes / no")


CHOICE_TYPES = frozenset({AttributeType.CHOICE, AttributeType.MULTI_CHOICE})


class Attribute(models.Model):
    """One field of a category's attribute schema; subcategories inherit their ancestors' attributes."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(
        _("code"), max_length=50, help_text=_("Latin key used in filters and import files, e.g. material.")
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=AttributeType, default=AttributeType.TEXT)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For numbers, e.g. cm, g, mAh."))
    options = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("allowed values"),
        blank=True,
        default=list,
        help_text=_("For choice types: one value per line."),
    )
    is_required = models.BooleanField(_("required"), default=False)
    is_filterable = models.BooleanField(_("filterable"), default=False, help_text=_("Shown as a filter to buyers."))
    position = models.PositiveIntegerField(_("position"), default=0)
    help_text = models.CharField(_("hint for sellers"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_unique_per_category"),
            models.CheckConstraint(condition=Q(type__in=AttributeType.values), name="attribute_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


class Brand(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="brand_name_ci_unique")]
        indexes = [GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="brand_name_trgm")]

    def __str__(self) -> str:
        return self.name


class ForbiddenWord(TimeStampedModel):
    """A word or phrase that sends a listing or a question to a moderator (managers keep the list)."""

    phrase = models.CharField(_("word or phrase"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("forbidden word")
        verbose_name_plural = _("forbidden words")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class RejectionReason(models.Model):
    """A reason template moderators pick when rejecting a listing; the seller sees the text."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    text = models.TextField(_("text shown to the seller"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class SearchTerm(models.Model):
    """The search dictionary: words of published titles, brands and categories with their frequency.

    Typo, layout and transliteration corrections pick their candidate words from here (trigram index).
    """

    word = models.CharField(max_length=60, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="searchterm_word_trgm")]

    def __str__(self) -> str:
        return self.word


class HandlingFlag(models.TextChoices):
    FRAGILE = "fragile", _("Fragile")
    LIQUID = "liquid", _("Liquid")
    PERISHABLE = "perishable", _("Perishable")
    OVERSIZE = "oversize", _("Oversize")


class PackagingRequirement(TimeStampedModel):
    """How a seller must pack goods with one handling flag (spec 163): managers keep the text; it is printed on
    the packing slip of every order holding such goods and shown to sellers when they tick the flag."""

    flag = models.CharField(_("handling flag"), max_length=20, choices=HandlingFlag, unique=True)
    text = models.TextField(_("packaging requirements"), help_text=_("One requirement per line."))

    class Meta:
        verbose_name = _("packaging requirement")
        verbose_name_plural = _("packaging requirements")
        ordering = ["flag"]

    def __str__(self) -> str:
        return self.get_flag_display()

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending_moderation", _("On moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    PAUSED = "paused", _("Paused")
    BLOCKED = "blocked", _("Blocked")
    ARCHIVED = "archived", _("Archived")


L = ListingStatus
LISTING_TRANSITIONS: dict[str, frozenset[str]] = {
    L.DRAFT: frozenset({L.PENDING, L.ARCHIVED}),
    # back to draft: the seller withdraws it to keep editing
    L.PENDING: frozenset({L.PUBLISHED, L.REJECTED, L.DRAFT, L.BLOCKED}),
    L.REJECTED: frozenset({L.PENDING, L.DRAFT, L.ARCHIVED}),
    # published → pending: held for review after buyers' reports
    L.PUBLISHED: frozenset({L.PAUSED, L.BLOCKED, L.ARCHIVED, L.PENDING}),
    L.PAUSED: frozenset({L.PUBLISHED, L.BLOCKED, L.ARCHIVED}),
    L.BLOCKED: frozenset({L.PUBLISHED, L.ARCHIVED}),
    L.ARCHIVED: frozenset({L.DRAFT}),
}
validate_table(LISTING_TRANSITIONS, set(ListingStatus.values))

# Statuses in which the seller edits the listing itself; a published listing's content goes through revisions.
DIRECTLY_EDITABLE_STATUSES = frozenset({L.DRAFT, L.REJECTED})
# Fields whose change on a published listing needs a moderator before buyers see it.
MODERATED_FIELDS = ("title", "description", "category_id", "brand_id", "attributes", "package_contents")


class ListingQuerySet(models.QuerySet):
    def published(self) -> ListingQuerySet:
        """What buyers may see: published listings of sellers who are trading now."""
        # An anti-join answered by the partial index of hidden sellers: one probe, no scan or join of all sellers.
        hidden = apps.get_model("sellers", "Seller").objects.filter(HIDES_LISTINGS, pk=models.OuterRef("seller_id"))
        return self.filter(status=L.PUBLISHED).filter(~models.Exists(hidden))

    def in_stock(self) -> ListingQuerySet:
        return self.filter(in_stock=True)


class CheckReason(models.TextChoices):
    STALE = "stale", _("The data has not been confirmed for a long time")
    COMPLAINTS = "complaints", _("Buyers returned it as not as described")


_URL_MARK_PK, _URL_MARK_SLUG = 987654321987, "listing-url-mark"
_listing_url_formats: dict[tuple[str, object], str] = {}
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def listing_url(pk: int, slug: str) -> str:
    """reverse("catalog:listing-detail") of a listing, the resolver asked once per script prefix and URL conf: a
    grid of new cards asked it 24 times a page. A slug the URL's converter would not take goes to reverse, which
    raises as it always did."""
    if not _PLAIN_SLUG.fullmatch(slug):
        return reverse("catalog:listing-detail", kwargs={"pk": pk, "slug": slug})
    key = (get_script_prefix(), get_urlconf())
    pattern = _listing_url_formats.get(key)
    if pattern is None:
        marked = reverse("catalog:listing-detail", kwargs={"pk": _URL_MARK_PK, "slug": _URL_MARK_SLUG})
        pattern = _listing_url_formats[key] = (
            marked.replace("{", "{{")
            .replace("}", "}}")
            .replace(str(_URL_MARK_PK), "{pk:d}")
            .replace(_URL_MARK_SLUG, "{slug}")
        )
    return pattern.format(pk=pk, slug=slug)


class Listing(TimeStampedModel):
    """A seller's product card. The title, description, photos… buyers see are the approved ones."""

    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.PROTECT, related_name="listings", verbose_name=_("seller")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="listings", verbose_name=_("category")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, null=True, blank=True, related_name="listings", verbose_name=_("brand")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, editable=False)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("characteristics"), default=dict, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=32, choices=ListingStatus, default=L.DRAFT, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    rejection_reason = models.TextField(_("rejection reason"), blank=True, editable=False)
    # delivery and handling
    handling_days = models.PositiveSmallIntegerField(
        _("handling time, days"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_("Days to hand the order over for delivery."),
    )
    weight_g = models.PositiveIntegerField(_("weight, g"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length, mm"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width, mm"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height, mm"), null=True, blank=True)
    package_contents = models.TextField(_("package contents"), blank=True, help_text=_("One item per line."))
    handling_flags = ArrayField(
        models.CharField(max_length=20, choices=HandlingFlag),
        verbose_name=_("handling flags"),
        default=list,
        blank=True,
    )
    video_url = models.URLField(_("video link"), blank=True, max_length=300)
    meta_title = models.CharField(_("meta title"), max_length=160, blank=True)
    meta_description = models.CharField(_("meta description"), max_length=300, blank=True)
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=3)
    restock_date = models.DateField(_("expected restock date"), null=True, blank=True)
    # denormalised for browsing, kept by services (price/stock) and by the orders and reviews apps
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False)
    old_price = models.DecimalField(
        _("old price shown"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    discount_percent = models.PositiveSmallIntegerField(_("discount, %"), default=0, editable=False)
    in_stock = models.BooleanField(_("in stock"), default=False, editable=False)
    rating_avg = models.DecimalField(_("rating"), max_digits=3, decimal_places=2, default=Decimal("0"), editable=False)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0, editable=False)
    orders_30d = models.PositiveIntegerField(_("orders in 30 days"), default=0, editable=False)
    quality_score = models.PositiveSmallIntegerField(_("quality score"), default=0, editable=False)
    cover_photo = models.ForeignKey(
        "ListingPhoto", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    search_vector = SearchVectorField(null=True, editable=False)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    moderation_requested_at = models.DateTimeField(_("sent to moderation"), null=True, blank=True, editable=False)
    moderation_flags = models.JSONField(_("automatic check flags"), default=list, blank=True, editable=False)
    # Stale-listing reminders (spec 30): when the seller last confirmed the data is current (saving the editor
    # counts), the buyers' "not as described" returns since, and an open request to check the listing.
    content_confirmed_at = models.DateTimeField(
        _("data confirmed"), default=timezone.now, db_default=Now(), editable=False
    )
    description_complaints = models.PositiveSmallIntegerField(
        _("“not as described” returns since confirmed"), default=0, db_default=0, editable=False
    )
    check_requested_at = models.DateTimeField(_("check requested"), null=True, blank=True, editable=False)
    check_reason = models.CharField(
        _("why a check was requested"), max_length=16, choices=CheckReason, blank=True, db_default="", editable=False
    )
    check_overdue = models.BooleanField(
        _("check overdue (quality score lowered)"), default=False, db_default=False, editable=False
    )

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        permissions = [("moderate_listing", _("Can moderate listings"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
            models.CheckConstraint(condition=Q(price__gte=0), name="listing_price_not_negative"),
            models.CheckConstraint(condition=Q(discount_percent__lte=99), name="listing_discount_below_100"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="listing_search_vector"),
            GinIndex(
                OpClass(Lower("title"), name="gin_trgm_ops"), name="listing_title_trgm", condition=Q(status=L.PUBLISHED)
            ),
            models.Index(
                "category",
                models.F("orders_30d").desc(),
                "id",
                name="listing_cat_popular",
                condition=Q(status=L.PUBLISHED),
            ),
            # A category page's one pass over its rows (facets, count and the page's keys together) reads them
            # from this index alone: every column a filter, a facet or a sort of that pass uses is in it.
            models.Index(
                fields=["category", "price"],
                include=[
                    "in_stock",
                    "seller",
                    "brand",
                    "orders_30d",
                    "rating_avg",
                    "rating_count",
                    "discount_percent",
                    "published_at",
                    "id",
                    "attributes",
                ],
                name="listing_cat_browse",
                condition=Q(status=L.PUBLISHED),
            ),
            models.Index(
                "category", models.F("published_at").desc(), name="listing_cat_newest", condition=Q(status=L.PUBLISHED)
            ),
            models.Index(models.F("orders_30d").desc(), "id", name="listing_popular", condition=Q(status=L.PUBLISHED)),
            models.Index(models.F("published_at").desc(), name="listing_newest", condition=Q(status=L.PUBLISHED)),
            models.Index("price", "id", name="listing_price_order", condition=Q(status=L.PUBLISHED)),
            models.Index(
                models.F("discount_percent").desc(),
                models.F("id").desc(),
                name="listing_discount_order",
                condition=Q(status=L.PUBLISHED, discount_percent__gt=0),
            ),
            models.Index(
                models.F("rating_avg").desc(),
                models.F("rating_count").desc(),
                models.F("id").desc(),
                name="listing_top_rated",
                condition=Q(status=L.PUBLISHED, rating_count__gt=0),
            ),
            models.Index("seller", "status", name="listing_seller_status"),
            models.Index("moderation_requested_at", name="listing_moderation_queue", condition=Q(status=L.PENDING)),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return listing_url(self.pk, self.slug)

    @property
    def is_public(self) -> bool:
        return self.status == L.PUBLISHED

    @property
    def check_due_at(self) -> datetime.datetime | None:
        """When an open check request starts to lower the listing's quality score."""
        if self.check_requested_at is None:
            return None
        return self.check_requested_at + datetime.timedelta(days=settings.MARKETPLACE_CATALOG_CHECK_GRACE_DAYS)

    @property
    def expected_restock(self) -> datetime.date | None:
        """The seller's planned arrival date while it is still ahead (a date gone by promises buyers nothing)."""
        return self.restock_date if self.restock_date and self.restock_date >= timezone.localdate() else None

    @property
    def handling_flag_labels(self) -> list[str]:
        return [HandlingFlag(flag).label for flag in self.handling_flags if flag in HandlingFlag.values]

    @property
    def package_items(self) -> list[str]:
        return [line.strip() for line in self.package_contents.splitlines() if line.strip()]


class ModerationItem(Listing):
    """The moderators' queue in admin: listings that are new, edited or reported (see selectors.moderation_queue)."""

    class Meta:
        proxy = True
        verbose_name = _("listing to moderate")
        verbose_name_plural = _("moderation queue")


class ListingEvent(models.Model):
    """Who changed a listing's status, when, from, to and why — append-only."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("listing event")
        verbose_name_plural = _("listing events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


def discount_percent(price: Decimal, old_price: Decimal | None) -> int:
    """Whole percent off `old_price`, rounded down (a buyer never reads more than the real discount), at most 99."""
    if not old_price or old_price <= price:
        return 0
    return min(int(((old_price - price) * 100 / old_price).to_integral_value(rounding=ROUND_FLOOR)), 99)


class Variant(TimeStampedModel):
    """A purchasable version of a listing (size × colour…), with its own SKU, price and stock."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="variants", verbose_name=_("listing"))
    # Copied from the listing so the database can keep SKUs unique per seller.
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="+", editable=False)
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("variant"), max_length=100, blank=True, help_text=_("E.g. “42, black”."))
    options = models.JSONField(_("options"), default=dict, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    old_price = models.DecimalField(
        _("old price"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Shown struck through only if the item really sold at this price or higher on enough recent days."),
    )
    shown_old_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    # A promo price (spec 41) for a period. While it runs (`promo_base_price` set), `price` is the promo price,
    # the price buyers pay, and `promo_base_price` keeps the seller's regular price to return to when it ends.
    promo_price = models.DecimalField(_("promo price"), max_digits=14, decimal_places=2, null=True, blank=True)
    promo_starts_at = models.DateTimeField(_("promo starts"), null=True, blank=True)
    promo_ends_at = models.DateTimeField(_("promo ends"), null=True, blank=True)
    promo_base_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    on_hand = models.PositiveIntegerField(_("in stock"), default=0)
    allocated = models.PositiveIntegerField(_("reserved"), default=0, editable=False)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    low_stock_notified = models.BooleanField(default=False, editable=False)
    # Units sold in the last 30 days (paid, not cancelled), recounted hourly by orders' popularity refresh: the
    # restock list's days of cover reads it.
    sold_30d = models.PositiveIntegerField(_("sold in 30 days"), default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]
        # other sellers' offers of the same product (spec 42's competitive benchmark); most variants have none
        indexes = [models.Index(fields=["barcode"], condition=~Q(barcode=""), name="variant_barcode")]
        constraints = [
            models.UniqueConstraint(fields=["seller", "sku"], name="variant_sku_unique_per_seller"),
            models.CheckConstraint(condition=Q(price__gt=0), name="variant_price_positive"),
            models.CheckConstraint(
                condition=Q(old_price__isnull=True) | Q(old_price__gt=models.F("price")),
                name="variant_old_price_above_price",
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=models.F("on_hand")),
                name="variant_allocated_within_on_hand",
            ),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="variant_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(promo_price__isnull=True, promo_starts_at__isnull=True, promo_ends_at__isnull=True)
                | Q(
                    promo_price__gt=0,
                    promo_starts_at__isnull=False,
                    promo_ends_at__gt=models.F("promo_starts_at"),
                ),
                name="variant_promo_complete",
            ),
            models.CheckConstraint(
                condition=Q(promo_base_price__isnull=True)
                | Q(promo_price=models.F("price"), promo_base_price__gt=models.F("price")),
                name="variant_promo_running_below_regular",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}".strip()

    @property
    def promo_running(self) -> bool:
        return self.promo_base_price is not None

    @property
    def regular_price(self) -> Decimal:
        """The price the seller set, the one a promo is measured from (equal to `price` outside a promo)."""
        return self.promo_base_price if self.promo_base_price is not None else self.price

    @property
    def available(self) -> int:
        return max(self.on_hand - self.allocated, 0)

    @property
    def discount_percent(self) -> int:
        """The discount from the honest old price, as the listing's own (0 when none is shown)."""
        return discount_percent(self.price, self.shown_old_price)

    @property
    def days_of_cover(self) -> int | None:
        """Whole days the available stock lasts at the last 30 days' rate of sale (None without sales)."""
        if not self.sold_30d:
            return None
        return self.available * SALES_WINDOW_DAYS // self.sold_30d


SALES_WINDOW_DAYS = 30  # Variant.sold_30d counts this many days

# A variant to restock: on sale and with no more available (on hand less held for orders) than its listing's
# low-stock threshold. Whether the seller was already told (Variant.low_stock_notified) does not matter: a variant
# created or imported already low was never told, and still needs restocking.
NEEDS_RESTOCK = Q(is_active=True, on_hand__lte=F("allocated") + F("listing__low_stock_threshold"))


class VariantPrice(models.Model):
    """Price history: one row per period a price was in force (the honest-discount rule reads it)."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="price_history")
    price = models.DecimalField(max_digits=14, decimal_places=2)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    is_promo = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("price history entry")
        verbose_name_plural = _("price history")
        ordering = ["-valid_from"]
        indexes = [models.Index("variant", models.F("valid_from").desc(), name="variantprice_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["variant"], condition=Q(valid_to__isnull=True), name="variantprice_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.price} from {self.valid_from:%Y-%m-%d}"


def photo_upload_to(instance: ListingPhoto, filename: str) -> str:
    # Generated names: the uploaded file name never reaches the file system.
    return f"listings/{instance.listing_id}/{uuid.uuid4().hex}.jpg"


def thumbnail_upload_to(instance: ListingPhoto, filename: str) -> str:
    return f"listings/{instance.listing_id}/thumbs/{filename}"


# Near-copies of a photo (spec 28): its 64-bit perceptual hash in four 16-bit bands. Two hashes that differ in at
# most 3 bits share a band (pigeonhole), so an index per band finds such a copy among millions of photos with four
# index lookups; hashes that differ in more bits are found when a band still matches. A plain band (all zeros or
# ones: a uniform strip of the picture, common on a white background) is not looked up, as it matches too many
# photos: a copy whose only shared bands are plain is missed.
PHASH_BAND_SHIFTS = (48, 32, 16, 0)
PHASH_BANDS = tuple(F("phash").bitrightshift(shift).bitand(0xFFFF) for shift in PHASH_BAND_SHIFTS)


def phash_bands(value: int) -> tuple[int, ...]:
    """The bands of one hash, as PHASH_BANDS computes them in PostgreSQL (an arithmetic shift, then 16 bits)."""
    return tuple((value >> shift) & 0xFFFF for shift in PHASH_BAND_SHIFTS)


class ListingPhoto(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_upload_to)  # validated and re-encoded by catalog.images
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    grid = models.FileField(upload_to=thumbnail_upload_to, blank=True)
    gallery = models.FileField(upload_to=thumbnail_upload_to, blank=True)
    zoom = models.FileField(upload_to=thumbnail_upload_to, blank=True)
    alt = models.CharField(_("description for screen readers"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    phash = models.BigIntegerField(db_index=True)
    # Approved photos are public; a published listing's new photos wait for the revision's approval.
    is_live = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]
        indexes = [
            # Photos still waiting for their WebP renditions (a handful): the sweeper finds them without a scan.
            models.Index(
                fields=["created_at"],
                condition=Q(grid="") | Q(gallery="") | Q(zoom=""),
                name="photo_missing_thumbnails",
            ),
            *(models.Index(band, name=f"photo_phash_band{number}") for number, band in enumerate(PHASH_BANDS)),
        ]

    def __str__(self) -> str:
        return self.alt or f"photo {self.pk}"

    @property
    def grid_url(self) -> str:
        return (self.grid or self.image).url

    @property
    def gallery_url(self) -> str:
        return (self.gallery or self.image).url

    @property
    def zoom_url(self) -> str:
        return (self.zoom or self.image).url


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a newer edit")


class ListingRevision(models.Model):
    """Proposed content for a published listing; buyers keep seeing the approved version until approval.

    `data` holds the moderated fields (see MODERATED_FIELDS) plus `photos`: [{"id", "alt"}] in order.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField()
    status = models.CharField(max_length=16, choices=RevisionStatus, default=RevisionStatus.PENDING)
    flags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("listing revision")
        verbose_name_plural = _("listing revisions")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status=RevisionStatus.PENDING), name="listingrevision_one_pending"
            ),
            models.CheckConstraint(condition=Q(status__in=RevisionStatus.values), name="listingrevision_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class ReportReason(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    PROHIBITED = "prohibited", _("Prohibited goods")
    MISLEADING = "misleading", _("Misleading description or photos")
    WRONG_CATEGORY = "wrong_category", _("Wrong category")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class ListingReport(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reports", verbose_name=_("listing"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reporter")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus, default=ReportStatus.OPEN, editable=False
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("listing report")
        verbose_name_plural = _("listing reports")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "reporter"],
                condition=Q(status=ReportStatus.OPEN),
                name="listingreport_one_open_per_user",
            ),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="listingreport_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.listing_id}"


class QAStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class ListingQuestion(TimeStampedModel):
    """A buyer's public question and the seller's answer; both pass the automatic checks."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="questions", verbose_name=_("listing"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("question"), max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=QAStatus, default=QAStatus.PENDING, editable=False)
    flags = models.JSONField(default=list, blank=True, editable=False)
    answer = models.TextField(_("answer"), blank=True, max_length=2000)
    answer_status = models.CharField(_("answer status"), max_length=16, choices=QAStatus, blank=True, editable=False)
    answer_flags = models.JSONField(default=list, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at"]
        indexes = [models.Index("listing", "status", name="question_listing_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=QAStatus.values), name="question_status_valid"),
            models.CheckConstraint(
                condition=Q(answer_status="") | Q(answer_status__in=QAStatus.values),
                name="question_answer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def has_public_answer(self) -> bool:
        return self.answer_status == QAStatus.PUBLISHED


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("Write nothing unless every row is valid")
    VALID_ONLY = "valid_only", _("Write the valid rows, report the rest")


def import_upload_to(instance: ImportJob, filename: str) -> str:
    extension = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
    return f"imports/{instance.seller_id}/{uuid.uuid4().hex}.{extension}"


class ImportJob(TimeStampedModel):
    """A seller's bulk import (or its dry run): the file, the progress and the row-by-row report."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=import_upload_to, storage=private_storage)
    original_name = models.CharField(max_length=200)
    mode = models.CharField(max_length=20, choices=ImportMode, default=ImportMode.ALL_OR_NOTHING)
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=ImportStatus, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)  # rows checked
    rows_to_write = models.PositiveIntegerField(default=0)  # valid rows the write phase goes through
    written_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)  # [{"row": 3, "sku": "...", "errors": ["..."]}]
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_writing(self) -> bool:
        """Every row is checked and the valid ones are being written (a real import, not a dry run)."""
        return self.rows_to_write > 0 and self.processed_rows >= self.total_rows

    @property
    def progress_percent(self) -> int:
        """Checking and writing each count a row once: a real import of valid rows is half done when every row
        is checked."""
        steps = self.total_rows + self.rows_to_write
        return 100 if not steps else min(100, (self.processed_rows + self.written_rows) * 100 // steps)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


def offer_sync_upload_to(instance: OfferSync, filename: str) -> str:
    extension = filename.lower().rsplit(".", 1)[-1] if filename.lower().endswith((".csv", ".xlsx")) else "xml"
    return f"offer-syncs/{instance.seller_id}/{uuid.uuid4().hex}.{extension}"


class OfferSync(models.Model):
    """One price and stock sync from a seller's system, through the API or a YML file (spec 37): what came, what
    was saved, and each rejected row with the reason (the seller's cabinet shows the latest ones).

    A sync of at most MARKETPLACE_API_MAX_ROWS rows is applied at once and kept done. A larger YML file is kept
    (`file`) and applied by a worker in parts of that size, `processed` counting the rows applied so far: each
    part and its progress are saved in one transaction, so a run that stops resumes after the last saved part.
    """

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(
        "sellers.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("key")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)  # a YML file uploaded in the cabinet
    file = models.FileField(upload_to=offer_sync_upload_to, storage=private_storage, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus, default=ImportStatus.DONE)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows applied"), default=0)
    updated = models.PositiveIntegerField(_("saved"), default=0)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)  # every one, though `errors` keeps at most 5 000
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("price and stock sync")
        verbose_name_plural = _("price and stock syncs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index("seller", models.F("created_at").desc(), name="offersync_seller_recent")]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def progress_percent(self) -> int:
        return 100 if not self.rows else min(100, self.processed * 100 // self.rows)


class SearchQueryStat(models.Model):
    """How often one search query was made on one day (spec 33), and where it leads. Anonymous by design: no
    user, session or address is kept, and sellers see only queries made at least a few times."""

    day = models.DateField(_("day"))
    query = models.CharField(_("query"), max_length=100)
    # The category the query leads to (its results' main category), None when it found nothing.
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    searches = models.PositiveIntegerField(_("searches"), default=0)
    zero_results = models.BooleanField(_("found nothing"), default=False)

    class Meta:
        verbose_name = _("search query statistic")
        verbose_name_plural = _("search query statistics")
        ordering = ["-day", "-searches"]
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="searchquerystat_day_query")]
        indexes = [
            models.Index(fields=["category", "day"], name="searchquerystat_category_day"),
            models.Index(fields=["day"], condition=Q(zero_results=True), name="searchquerystat_zero_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.query} ×{self.searches}"


class RankWatch(models.Model):
    """A seller follows where one of their listings stands in the search results for a query (spec 33)."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+", verbose_name=_("listing"))
    query = models.CharField(_("query"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("search position watch")
        verbose_name_plural = _("search position watches")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["listing", "query"], name="rankwatch_listing_query")]

    def __str__(self) -> str:
        return f"{self.listing_id} «{self.query}»"


class RankPoint(models.Model):
    """The listing's place in the results for the watched query on one day; None: not among the first 500."""

    watch = models.ForeignKey(RankWatch, on_delete=models.CASCADE, related_name="points")
    day = models.DateField(_("day"))
    position = models.PositiveIntegerField(_("position"), null=True, blank=True)

    class Meta:
        verbose_name = _("search position")
        verbose_name_plural = _("search positions")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["watch", "day"], name="rankpoint_watch_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.position or '—'}"
