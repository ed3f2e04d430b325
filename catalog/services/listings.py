"""Listings: create and edit (direct for drafts, through revisions once published), variants, prices, states."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import policies, selectors
from catalog.attributes import clean_attributes, display_value, missing_required
from catalog.exceptions import DuplicateSku, InvalidAttributes, NotReadyForModeration
from catalog.models import (
    LISTING_TRANSITIONS,
    AttributeType,
    Listing,
    ListingEvent,
    ListingPhoto,
    ListingRevision,
    ListingStatus,
    RevisionStatus,
    Variant,
    VariantPrice,
    discount_percent,
)
from catalog.services import checks, honest, notify, quality
from catalog.services.categories import get_or_create_brand
from catalog.text import slugify_ru
from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.core.money import format_money
from marketplace.core.state_machine import check_transition

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from sellers.models import Seller

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_VARIANTS = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


class InvalidListing(DomainError):
    """Input that does not make a valid listing; `errors` maps a field name to its message."""

    default_message = _("Please correct the errors below.")

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        self.errors = errors
        super().__init__(message)


@dataclass
class ListingContent:
    """The moderated part of a listing (what a revision holds), as the seller typed it."""

    title: str
    category_id: int
    description: str = ""
    brand_name: str = ""
    attributes: dict[str, object] = field(default_factory=dict)
    package_contents: str = ""


@dataclass
class VariantInput:
    sku: str
    price: Decimal
    on_hand: int = 0
    old_price: Decimal | None = None
    name: str = ""
    options: dict[str, str] = field(default_factory=dict)
    barcode: str = ""
    is_active: bool = True
    id: int | None = None


def clean_text(text: str, *, max_length: int, multiline: bool) -> str:
    """Plain text the way we store it: no control or direction-override characters, tidy whitespace."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if multiline:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = " ".join(text.split())
    return text[:max_length]


def _clean_content(content: ListingContent, *, require: bool) -> dict[str, object]:
    """Validated content as stored values; raises InvalidListing naming each bad field."""
    errors: dict[str, str] = {}
    title = clean_text(content.title, max_length=MAX_TITLE, multiline=False)
    if len(title) < 3:
        errors["title"] = _("Enter a title of at least 3 characters.")
    tree = selectors.category_tree()
    node = tree.by_id.get(content.category_id)
    if node is None or not tree.is_visible(node):
        errors["category"] = _("Choose a category from the list.")
    elif not tree.is_leaf(node):
        errors["category"] = _("Choose the most specific category (one without subcategories).")
    attributes: dict[str, object] = {}
    if "category" not in errors:
        attributes, attribute_errors = clean_attributes(
            selectors.attribute_schema(content.category_id), content.attributes or {}, require=require
        )
        errors.update({f"attr:{code}": message for code, message in attribute_errors.items()})
    if errors:
        raise InvalidListing(errors)
    return {
        "title": title,
        "description": clean_text(content.description, max_length=MAX_DESCRIPTION, multiline=True),
        "category_id": content.category_id,
        "brand_name": clean_text(content.brand_name, max_length=100, multiline=False),
        "attributes": attributes,
        "package_contents": clean_text(content.package_contents, max_length=2000, multiline=True),
    }


def _apply_content(listing: Listing, values: dict[str, object]) -> None:
    brand = get_or_create_brand(name=str(values["brand_name"]))
    listing.title = values["title"]
    listing.slug = slugify_ru(str(values["title"]))
    listing.description = values["description"]
    listing.category_id = values["category_id"]
    listing.brand = brand
    listing.attributes = values["attributes"]
    listing.package_contents = values["package_contents"]


def content_of(listing: Listing) -> dict[str, object]:
    """The approved content in the shape a revision stores."""
    return {
        "title": listing.title,
        "description": listing.description,
        "category_id": listing.category_id,
        "brand_name": listing.brand.name if listing.brand_id else "",
        "attributes": listing.attributes,
        "package_contents": listing.package_contents,
        "photos": [{"id": photo.pk, "alt": photo.alt} for photo in listing.photos.filter(is_live=True)],
    }


def working_content(listing: Listing) -> dict[str, object]:
    """What the seller edits: the pending revision if there is one, else the listing with all its photos."""
    if uses_revisions(listing):
        revision = listing.revisions.filter(status=RevisionStatus.PENDING).first()
        return revision.data if revision is not None else content_of(listing)
    data = content_of(listing)
    data["photos"] = [{"id": photo.pk, "alt": photo.alt} for photo in listing.photos.all()]
    return data


def uses_revisions(listing: Listing) -> bool:
    """Once buyers have seen a listing, its content changes wait for a moderator in a revision."""
    return listing.published_at is not None and listing.status not in (ListingStatus.DRAFT, ListingStatus.ARCHIVED)


def refresh_search_vector(listing: Listing) -> None:
    """Weights: title A, brand and characteristics B, category path C, description D (russian config)."""
    tree = selectors.category_tree()
    node = tree.by_id.get(listing.category_id)
    category_text = " ".join(ancestor.name for ancestor in tree.ancestors(node)) if node else ""
    schema = {attribute.code: attribute for attribute in selectors.attribute_schema(listing.category_id)}
    attribute_text = " ".join(
        display_value(schema[code], value)
        for code, value in (listing.attributes or {}).items()
        if code in schema and schema[code].type != AttributeType.BOOLEAN
    )
    brand_text = listing.brand.name if listing.brand_id else ""
    Listing.objects.filter(pk=listing.pk).update(
        search_vector=SearchVector(Value(listing.title), weight="A", config="russian")
        + SearchVector(Value(f"{brand_text} {attribute_text}"), weight="B", config="russian")
        + SearchVector(Value(category_text), weight="C", config="russian")
        + SearchVector(Value(listing.description[:3000]), weight="D", config="russian")
    )
    quality.refresh_quality(listing)  # the other field derived from the content


# --- creating and editing ---------------------------------------------------------------------------


@transaction.atomic
def create_listing(
    *,
    seller: Seller,
    actor: User,
    content: ListingContent,
    variants: list[VariantInput],
    details: dict[str, object] | None = None,
) -> Listing:
    """A new draft listing with its variants; nothing is public until a moderator approves it."""
    if not policies.can_manage_listings(actor, seller):
        raise PermissionDenied
    if not policies.seller_can_create_listings(seller):
        raise policies.seller_cannot_sell_error(seller)
    values = _clean_content(content, require=False)
    listing = Listing(seller=seller)
    _apply_content(listing, values)
    for name, value in (details or {}).items():
        setattr(listing, name, value)
    listing.save()
    ListingEvent.objects.create(
        listing=listing, from_status="", to_status=listing.status, actor=actor, reason="created"
    )
    save_variants(listing=listing, actor=actor, variants=variants, delete_missing=False)
    refresh_search_vector(listing)
    return listing


@transaction.atomic
def update_listing_content(
    *, listing: Listing, actor: User, content: ListingContent, photos: list[dict] | None = None
) -> Listing | ListingRevision:
    """Edit the moderated fields. Drafts change at once; a published listing gets a pending revision
    and buyers keep seeing the approved version until a moderator approves it."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    if listing.status == ListingStatus.ARCHIVED:
        raise DomainError(_("Restore the listing from the archive before editing it."))
    if uses_revisions(listing):
        values = _clean_content(content, require=True)
        return _save_revision(listing=listing, actor=actor, values=values, photos=photos)
    values = _clean_content(content, require=False)
    _apply_content(listing, values)
    listing.save()
    if photos is not None:
        _apply_photo_order(listing, photos, make_live=False)
    refresh_search_vector(listing)
    if listing.status == ListingStatus.PENDING:
        from catalog.services import moderation

        moderation.recheck_pending_listing(listing=listing)
    return listing


def _save_revision(*, listing: Listing, actor: User, values: dict[str, object], photos: list[dict] | None):
    from catalog.services import moderation

    revision = listing.revisions.select_for_update().filter(status=RevisionStatus.PENDING).first()
    current_photos = (revision.data if revision else content_of(listing))["photos"]
    data = {**values, "photos": _valid_photo_list(listing, photos if photos is not None else current_photos)}
    if data == {**content_of(listing)} and revision is None:
        return listing  # nothing moderated changed
    if revision is None:
        revision = ListingRevision(listing=listing, created_by=actor, data=data)
    else:
        revision.data = data
        revision.created_by = actor
    revision.flags = moderation.check_content(listing=listing, data=data)
    revision.save()
    return revision


def _valid_photo_list(listing: Listing, photos: list[dict]) -> list[dict]:
    existing = set(listing.photos.values_list("pk", flat=True))
    seen: set[int] = set()
    result = []
    for item in photos:
        try:
            photo_id = int(item["id"])
        except (KeyError, TypeError, ValueError):
            continue
        if photo_id in existing and photo_id not in seen:
            seen.add(photo_id)
            result.append(
                {"id": photo_id, "alt": clean_text(str(item.get("alt", "")), max_length=200, multiline=False)}
            )
    return result


def _apply_photo_order(listing: Listing, photos: list[dict], *, make_live: bool) -> None:
    """Put photos in the given order with their alt texts; photos left out of the list are deleted."""
    wanted = _valid_photo_list(listing, photos)
    keep = [item["id"] for item in wanted]
    for removed in listing.photos.exclude(pk__in=keep):
        from catalog.services.photos import delete_photo_files

        delete_photo_files(removed)
        removed.delete()
    for position, item in enumerate(wanted):
        update = {"position": position, "alt": item["alt"]}
        if make_live:
            update["is_live"] = True
        ListingPhoto.objects.filter(pk=item["id"], listing=listing).update(**update)
    cover = keep[0] if keep else None
    Listing.objects.filter(pk=listing.pk).update(cover_photo_id=cover)
    listing.cover_photo_id = cover


@transaction.atomic
def update_listing_details(*, listing: Listing, actor: User, details: dict[str, object]) -> Listing:
    """Delivery, package, SEO and stock-alert fields: not moderated, they apply at once."""
    allowed = {
        "handling_days",
        "weight_g",
        "length_mm",
        "width_mm",
        "height_mm",
        "handling_flags",
        "video_url",
        "meta_title",
        "meta_description",
        "low_stock_threshold",
        "restock_date",
    }
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    unknown = set(details) - allowed
    if unknown:
        raise ValueError(f"not listing details: {sorted(unknown)}")
    for name, value in details.items():
        if name in ("meta_title", "meta_description"):
            value = clean_text(str(value or ""), max_length=160 if name == "meta_title" else 300, multiline=False)
        setattr(listing, name, value)
    listing.save(update_fields=[*details, "updated_at"])
    quality.refresh_quality(listing)
    return listing


# --- variants, prices and stock --------------------------------------------------------------------


def _clean_variant(item: VariantInput) -> dict[str, object]:
    errors = {}
    sku = clean_text(item.sku, max_length=64, multiline=False)
    if not sku:
        errors["sku"] = _("Enter the SKU.")
    price = item.price
    if price is None or not isinstance(price, Decimal) or not price.is_finite() or price <= 0:
        errors["price"] = _("Enter a price above zero.")
    elif price >= Decimal("1e12") or price != price.quantize(Decimal("0.01")):
        errors["price"] = _("Enter a price in roubles with at most two decimal places.")
    old_price = item.old_price
    if old_price is not None and (not old_price.is_finite() or (price and old_price <= price)):
        errors["old_price"] = _("The old price must be higher than the price.")
    if item.on_hand is None or item.on_hand < 0 or item.on_hand > 1_000_000:
        errors["on_hand"] = _("Enter a stock quantity from 0 to 1 000 000.")
    barcode = clean_text(item.barcode, max_length=32, multiline=False)
    if barcode and not barcode.isdigit():
        errors["barcode"] = _("A barcode has digits only.")
    if errors:
        raise InvalidListing(errors)
    options = {
        clean_text(str(key), max_length=40, multiline=False): clean_text(str(value), max_length=60, multiline=False)
        for key, value in (item.options or {}).items()
        if str(key).strip() and str(value).strip()
    }
    name = clean_text(item.name, max_length=100, multiline=False) or ", ".join(options.values())
    return {
        "sku": sku,
        "price": price,
        "old_price": old_price,
        "on_hand": item.on_hand,
        "barcode": barcode,
        "options": options,
        "name": name,
        "is_active": item.is_active,
    }


@transaction.atomic
def save_variants(
    *, listing: Listing, actor: User, variants: list[VariantInput], delete_missing: bool = True
) -> list[Variant]:
    """Create or update the listing's variants (price and stock apply at once, even when published)."""
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    if not variants:
        raise InvalidListing({"variants": _("Add at least one variant with a price.")})
    if len(variants) > MAX_VARIANTS:
        raise InvalidListing({"variants": _("A listing can have at most %(n)s variants.") % {"n": MAX_VARIANTS}})
    cleaned = []
    for index, item in enumerate(variants):
        try:
            cleaned.append((item.id, _clean_variant(item)))
        except InvalidListing as error:
            raise InvalidListing(
                {f"variants-{index}-{key}": message for key, message in error.errors.items()}
            ) from None
    skus = [values["sku"].lower() for _, values in cleaned]
    if len(set(skus)) != len(skus):
        raise InvalidListing({"variants": _("Each variant needs its own SKU.")})
    existing = {variant.pk: variant for variant in listing.variants.select_for_update().order_by("pk")}
    saved: list[Variant] = []
    kept_ids = set()
    for position, (variant_id, values) in enumerate(cleaned):
        variant = existing.get(variant_id) if variant_id else None
        if variant_id and variant is None:
            raise InvalidListing({"variants": _("A variant was changed elsewhere. Reload the page.")})
        if variant is None:
            variant = _create_variant(listing=listing, values=values, position=position)
        else:
            variant = _update_variant(variant=variant, actor=actor, values=values, position=position)
        kept_ids.add(variant.pk)
        saved.append(variant)
    if delete_missing:
        for variant_id, variant in existing.items():
            if variant_id not in kept_ids:
                if variant.allocated:
                    raise InvalidListing(
                        {"variants": _("“%(sku)s” has reserved items and cannot be removed.") % {"sku": variant.sku}}
                    )
                variant.delete()
    refresh_offer(listing)
    return saved


def _create_variant(*, listing: Listing, values: dict[str, object], position: int) -> Variant:
    variant = Variant(listing=listing, seller_id=listing.seller_id, position=position, **values)
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError as error:
        if "variant_sku_unique_per_seller" in str(error):
            raise InvalidListing({"sku": DuplicateSku().message + f" ({values['sku']})"}) from None
        raise
    VariantPrice.objects.create(variant=variant, price=variant.price, valid_from=timezone.now())
    refresh_shown_old_price(variant)
    return variant


def _update_variant(*, variant: Variant, actor: User, values: dict[str, object], position: int) -> Variant:
    was_available = variant.available
    old_listing_price = variant.price
    if values["on_hand"] < variant.allocated:
        raise InvalidListing(
            {
                "on_hand": _("%(n)s items of “%(sku)s” are reserved by orders; stock cannot be lower.")
                % {"n": variant.allocated, "sku": variant.sku}
            }
        )
    values = dict(values)
    regular = values.pop("price")
    if variant.promo_price is not None and regular <= variant.promo_price:
        raise InvalidListing(
            {
                "price": _(
                    "“%(sku)s” has a promo at %(promo)s; the price must stay above it. End the promo to go lower."
                )
                % {"sku": variant.sku, "promo": format_money(variant.promo_price)}
            }
        )
    if variant.promo_running:
        variant.promo_base_price = regular  # the promo price stays in force; this is what it returns to
    else:
        variant.price = regular
    for name, value in values.items():
        setattr(variant, name, value)
    variant.position = position
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError as error:
        if "variant_sku_unique_per_seller" in str(error):
            raise InvalidListing({"sku": DuplicateSku().message + f" ({values['sku']})"}) from None
        raise
    if variant.price != old_listing_price:
        record_price(variant=variant)
    refresh_shown_old_price(variant)
    after_stock_change(variant=variant, was_available=was_available)
    return variant


def record_price(*, variant: Variant, is_promo: bool = False) -> None:
    """Close the current price period and open a new one (the honest-discount rule reads this)."""
    now = timezone.now()
    VariantPrice.objects.filter(variant=variant, valid_to__isnull=True).update(valid_to=now)
    VariantPrice.objects.create(variant=variant, price=variant.price, valid_from=now, is_promo=is_promo)


def refresh_shown_old_price(variant: Variant) -> None:
    """Store (and set on `variant`) the old price the honest-discount rule lets buyers see for it."""
    changed = honest.refresh_shown_old_prices([variant.pk])
    if variant.pk in changed:
        variant.shown_old_price = changed[variant.pk][1]


def refresh_offer(listing: Listing) -> None:
    """Recompute the listing's browse fields from its variants: price, honest old price, discount, stock."""
    variants = [variant for variant in listing.variants.all() if variant.is_active]
    in_stock = [variant for variant in variants if variant.available > 0]
    pool = in_stock or variants
    if not pool:
        Listing.objects.filter(pk=listing.pk).update(
            price=Decimal("0"), old_price=None, discount_percent=0, in_stock=False
        )
        return
    cheapest = min(pool, key=lambda variant: (variant.price, variant.pk))
    old = cheapest.shown_old_price
    discount = discount_percent(cheapest.price, old)
    previous_price = Listing.objects.filter(pk=listing.pk).values_list("price", flat=True).first()
    Listing.objects.filter(pk=listing.pk).update(
        price=cheapest.price, old_price=old if discount else None, discount_percent=discount, in_stock=bool(in_stock)
    )
    listing.price, listing.in_stock = cheapest.price, bool(in_stock)
    if previous_price and cheapest.price < previous_price and listing.status == ListingStatus.PUBLISHED:
        notify.price_dropped(listing=listing, old_price=previous_price, new_price=cheapest.price)


def after_stock_change(*, variant: Variant, was_available: int) -> None:
    """Back-in-stock subscribers and the seller's low-stock alert react to a change of available stock."""
    variant.refresh_from_db(fields=["on_hand", "allocated", "low_stock_notified"])
    listing = variant.listing
    now_available = variant.available
    if was_available <= 0 < now_available and listing.status == ListingStatus.PUBLISHED:
        notify.back_in_stock(listing=listing, variant=variant)
    threshold = listing.low_stock_threshold
    if (
        now_available <= threshold
        and not variant.low_stock_notified
        and variant.is_active
        and was_available > threshold
    ):
        Variant.objects.filter(pk=variant.pk).update(low_stock_notified=True)
        notify.low_stock(listing=listing, variant=variant, available=now_available)
    elif now_available > threshold and variant.low_stock_notified:
        Variant.objects.filter(pk=variant.pk).update(low_stock_notified=False)


# --- status changes ---------------------------------------------------------------------------------


@transaction.atomic
def change_listing_status(*, listing: Listing, to: ListingStatus, actor: User | None, reason: str = "") -> bool:
    """The only way a listing's status changes. Returns False, changing nothing, if it already has `to`."""
    current = Listing.objects.select_for_update(no_key=True).only("status").get(pk=listing.pk).status
    if current == to:
        return False
    check_transition(LISTING_TRANSITIONS, current, to)
    ListingEvent.objects.create(listing=listing, from_status=current, to_status=to, actor=actor, reason=reason)
    now = timezone.now()
    listing.status = to
    listing.status_changed_at = now
    update = ["status", "status_changed_at", "updated_at"]
    if to == ListingStatus.PENDING:
        listing.moderation_requested_at = now
        update.append("moderation_requested_at")
    listing.save(update_fields=update)
    return True


def readiness_problems(listing: Listing, *, photos: int | None = None) -> list[str]:
    """What stops a listing from going to moderation, in plain words (empty: ready)."""
    problems = []
    if photos is None:
        photos = listing.photos.count()
    if photos < 1:
        problems.append(_("Add at least one photo."))
    if not listing.variants.filter(is_active=True).exists():
        problems.append(_("Add at least one variant on sale with a price."))
    tree = selectors.category_tree()
    node = tree.by_id.get(listing.category_id)
    if node is None or not tree.is_visible(node) or not tree.is_leaf(node):
        problems.append(_("Choose the most specific category (one without subcategories)."))
    else:
        schema = selectors.attribute_schema(listing.category_id)
        for attribute in missing_required(schema, listing.attributes or {}):
            problems.append(_("Fill in “%(name)s”.") % {"name": attribute.name})
        _values, errors = clean_attributes(schema, listing.attributes or {}, require=True)
        if errors and not missing_required(schema, listing.attributes or {}):
            problems.append(str(InvalidAttributes(errors).message))
    return problems


@transaction.atomic
def submit_for_moderation(*, listing: Listing, actor: User) -> Listing:
    """Send a draft (or a corrected rejected listing) to the moderators, after the automatic checks."""
    from catalog.services import moderation

    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=listing.pk)
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    if not policies.seller_can_create_listings(listing.seller):
        raise policies.seller_cannot_sell_error(listing.seller)
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.REJECTED):
        raise InvalidTransition(listing.status, ListingStatus.PENDING)
    problems = readiness_problems(listing)
    if problems:
        raise NotReadyForModeration(problems)
    change_listing_status(listing=listing, to=ListingStatus.PENDING, actor=actor, reason="submitted")
    moderation.recheck_pending_listing(listing=listing)
    moderation.auto_approve_if_clean(listing=listing)
    return listing


def _seller_action(listing: Listing, actor: User, to: ListingStatus, reason: str, allowed_from: set[str]) -> Listing:
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=listing.pk)
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    if listing.status not in allowed_from and listing.status != to:
        raise InvalidTransition(listing.status, to)
    change_listing_status(listing=listing, to=to, actor=actor, reason=reason)
    return listing


@transaction.atomic
def withdraw_listing(*, listing: Listing, actor: User) -> Listing:
    """The seller takes a listing back from moderation to keep editing it."""
    return _seller_action(
        listing, actor, ListingStatus.DRAFT, "withdrawn by seller", {ListingStatus.PENDING, ListingStatus.REJECTED}
    )


@transaction.atomic
def pause_listing(*, listing: Listing, actor: User) -> Listing:
    """Hide a published listing from buyers for a while (the seller's own decision)."""
    return _seller_action(listing, actor, ListingStatus.PAUSED, "paused by seller", {ListingStatus.PUBLISHED})


@transaction.atomic
def resume_listing(*, listing: Listing, actor: User) -> Listing:
    """Show a paused listing again; its approved content needs no new moderation."""
    return _seller_action(listing, actor, ListingStatus.PUBLISHED, "resumed by seller", {ListingStatus.PAUSED})


@transaction.atomic
def archive_listing(*, listing: Listing, actor: User) -> Listing:
    """Move a listing to the archive (it stays in orders' history)."""
    allowed = {
        ListingStatus.DRAFT,
        ListingStatus.REJECTED,
        ListingStatus.PUBLISHED,
        ListingStatus.PAUSED,
        ListingStatus.BLOCKED,
    }
    listing = _seller_action(listing, actor, ListingStatus.ARCHIVED, "archived by seller", allowed)
    listing.revisions.filter(status=RevisionStatus.PENDING).update(status=RevisionStatus.SUPERSEDED)
    return listing


@transaction.atomic
def restore_listing(*, listing: Listing, actor: User) -> Listing:
    """Bring an archived listing back as a draft; it goes through moderation again."""
    if not policies.seller_can_create_listings(listing.seller):
        raise policies.seller_cannot_sell_error(listing.seller)
    listing = _seller_action(listing, actor, ListingStatus.DRAFT, "restored by seller", {ListingStatus.ARCHIVED})
    Listing.objects.filter(pk=listing.pk).update(published_at=None)
    listing.published_at = None
    listing.photos.update(is_live=False)
    return listing


@transaction.atomic
def duplicate_listing(*, listing: Listing, actor: User) -> Listing:
    """A draft copy of a listing (working content, variants with new SKUs, photos) to make a similar product."""
    from catalog.services.photos import copy_photo

    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    if not policies.seller_can_create_listings(listing.seller):
        raise policies.seller_cannot_sell_error(listing.seller)
    data = working_content(listing)
    copy = Listing(seller=listing.seller)
    _apply_content(
        copy,
        {
            **{key: value for key, value in data.items() if key != "photos"},
            "title": clean_text(
                _("%(title)s (copy)") % {"title": data["title"]}, max_length=MAX_TITLE, multiline=False
            ),
        },
    )
    for name in (
        "handling_days",
        "weight_g",
        "length_mm",
        "width_mm",
        "height_mm",
        "handling_flags",
        "video_url",
        "low_stock_threshold",
    ):
        setattr(copy, name, getattr(listing, name))
    copy.save()
    ListingEvent.objects.create(
        listing=copy, from_status="", to_status=copy.status, actor=actor, reason=f"copy of {listing.pk}"
    )
    taken = set(Variant.objects.filter(seller_id=listing.seller_id).values_list("sku", flat=True))
    copies = []
    for variant in listing.variants.all():
        sku = _free_sku(variant.sku, taken)
        taken.add(sku)
        copies.append(
            VariantInput(
                sku=sku,
                price=variant.regular_price,
                on_hand=0,
                old_price=None,
                name=variant.name,
                options=variant.options,
                barcode="",
                is_active=variant.is_active,
            )
        )
    save_variants(listing=copy, actor=actor, variants=copies, delete_missing=False)
    photo_ids = {int(item["id"]): item.get("alt", "") for item in data.get("photos", [])}
    for position, photo in enumerate(listing.photos.filter(pk__in=photo_ids).order_by("position", "pk")):
        copy_photo(photo=photo, to_listing=copy, position=position, alt=photo_ids[photo.pk])
    refresh_search_vector(copy)
    return copy


def _free_sku(sku: str, taken: set[str]) -> str:
    base = sku[:58]
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def edit_listing(
    *,
    listing: Listing,
    actor: User,
    content: ListingContent,
    details: dict[str, object],
    variants: list[VariantInput],
) -> Listing | ListingRevision:
    """The cabinet's edit form in one go: moderated content (maybe a revision), details and variants."""
    errors: dict[str, str] = {}
    result: Listing | ListingRevision = listing
    for step in (
        lambda: update_listing_content(listing=listing, actor=actor, content=content),
        lambda: update_listing_details(listing=listing, actor=actor, details=details),
        lambda: save_variants(listing=listing, actor=actor, variants=variants),
    ):
        try:
            with transaction.atomic():
                outcome = step()
        except InvalidListing as error:
            errors.update(error.errors)
        else:
            if isinstance(outcome, ListingRevision):
                result = outcome
    if errors:
        raise InvalidListing(errors)
    checks.confirm_listing_data(listing=listing, actor=actor)  # the seller went through the whole card
    return result


@dataclass
class OfferUpdate:
    variant_id: int
    price: Decimal | None = None
    old_price: Decimal | None = None
    clear_old_price: bool = False
    on_hand: int | None = None


@transaction.atomic
def bulk_update_offers(*, seller: Seller, actor: User, updates: list[OfferUpdate]) -> dict[int, str]:
    """Inline price and stock edits over many variants; returns errors by variant id (valid rows are saved).

    The warehouse role may change stock only.
    """
    if not policies.can_edit_stock(actor, seller):
        raise PermissionDenied
    may_price = policies.can_manage_listings(actor, seller)
    errors: dict[int, str] = {}
    variants = {
        variant.pk: variant
        for variant in Variant.objects.select_for_update(of=("self",))
        .filter(seller=seller, pk__in=[update.variant_id for update in updates])
        .select_related("listing")
        .order_by("pk")
    }
    touched: dict[int, Listing] = {}
    for update in updates:
        variant = variants.get(update.variant_id)
        if variant is None:
            errors[update.variant_id] = _("Not found.")
            continue
        wants_price = update.price is not None or update.old_price is not None or update.clear_old_price
        if wants_price and not may_price:
            errors[variant.pk] = _("Your role may change stock only.")
            continue
        price = update.price if update.price is not None else variant.regular_price
        old_price = (
            None
            if update.clear_old_price
            else (update.old_price if update.old_price is not None else variant.old_price)
        )
        on_hand = update.on_hand if update.on_hand is not None else variant.on_hand
        item = VariantInput(
            sku=variant.sku,
            price=price,
            old_price=old_price,
            on_hand=on_hand,
            name=variant.name,
            options=variant.options,
            barcode=variant.barcode,
            is_active=variant.is_active,
        )
        try:
            with transaction.atomic():
                _update_variant(variant=variant, actor=actor, values=_clean_variant(item), position=variant.position)
        except InvalidListing as error:
            errors[variant.pk] = " ".join(str(message) for message in error.errors.values())
            continue
        touched[variant.listing_id] = variant.listing
    for listing in touched.values():
        refresh_offer(listing)
    return errors
