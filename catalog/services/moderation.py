"""Listing moderation: automatic checks, the moderator's decisions, revisions and buyers' reports."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import IntegerField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import policies
from catalog.models import (
    PHASH_BANDS,
    ForbiddenWord,
    Listing,
    ListingPhoto,
    ListingReport,
    ListingRevision,
    ListingStatus,
    ReportReason,
    ReportStatus,
    RevisionStatus,
    phash_bands,
)
from catalog.services import dictionary, notify
from catalog.services import listings as listing_services
from marketplace.core.exceptions import DomainError, InvalidTransition
from sellers.models import SellerStatus

if TYPE_CHECKING:
    from marketplace.accounts.models import User

# A seller in good standing (eligible for auto-approval): active and with this many listings approved before.
GOOD_STANDING_MIN_APPROVED = 3
# At least this many published listings in a category before "far below the median" means something.
PRICE_MEDIAN_MIN_SAMPLE = 5
DEGENERATE_HASHES = frozenset({0, -1})
# Two photos whose perceptual hashes differ in at most this many of 64 bits are one picture (resized, re-compressed,
# lightly retouched).
PHOTO_COPY_MAX_BITS = 5

PHONE_RE = re.compile(r"(?<!\d)(?:\+?7|8)?[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|собака)\s*[\w-]+\s*\.\s*[a-zа-я]{2,}", re.IGNORECASE)
LINK_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:ru|рф|com|net|org|su|io|me|info|biz|shop|store|online|site)\b", re.IGNORECASE
)
MESSENGER_RE = re.compile(
    r"\b(?:telegram|телеграм\w*|tg|whats\s?app|ват[сц]ап\w*|вотсап\w*|viber|вайбер\w*|vk\.com|вконтакте|"
    r"инстаграм\w*|instagram|t\.me|wa\.me)\b|(?<![\w.])@[a-z][a-z0-9_]{3,}",
    re.IGNORECASE,
)

FLAG_LABELS = {
    "forbidden_word": gettext_lazy("forbidden word"),
    "contacts": gettext_lazy("contacts in text"),
    "price_outlier": gettext_lazy("price far below the category median"),
    "duplicate_photo": gettext_lazy("photo used by another seller"),
    "reports": gettext_lazy("reports from buyers"),
}


def flag(code: str, detail: str) -> dict[str, str]:
    return {"code": code, "detail": detail[:300]}


def _active_forbidden_words() -> list[str]:
    return [word.lower() for word in ForbiddenWord.objects.filter(is_active=True).values_list("phrase", flat=True)]


def text_flags(text: str, *, forbidden: list[str] | None = None) -> list[dict[str, str]]:
    """Forbidden words and contacts (phones, e-mails, links, messenger handles) in free text."""
    flags = []
    lowered = text.lower().replace("ё", "е")
    words = forbidden if forbidden is not None else _active_forbidden_words()
    hits = [
        word
        for word in words
        if re.search(r"(?<!\w)" + re.escape(word.replace("ё", "е")) + r"(?!\w)", lowered, flags=re.IGNORECASE)
    ]
    if hits:
        flags.append(flag("forbidden_word", ", ".join(sorted(set(hits)))))
    contacts = []
    for pattern in (PHONE_RE, EMAIL_RE, LINK_RE, MESSENGER_RE):
        contacts += [match.group(0).strip() for match in pattern.finditer(text)]
    if contacts:
        flags.append(flag("contacts", ", ".join(dict.fromkeys(contacts))))
    return flags


def _category_median_price(category_id: int, exclude_seller_id: int) -> Decimal | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY price) FROM catalog_listing "
            "WHERE category_id = %s AND status = %s AND seller_id <> %s AND price > 0",
            [category_id, ListingStatus.PUBLISHED, exclude_seller_id],
        )
        count, median = cursor.fetchone()
    if count < PRICE_MEDIAN_MIN_SAMPLE or median is None:
        return None
    return Decimal(str(median))


def check_content(*, listing: Listing, data: dict) -> list[dict[str, str]]:
    """Every automatic check on a listing's (proposed) content; each problem becomes a flag for moderators."""
    attribute_text = " ".join(
        " ".join(map(str, value)) if isinstance(value, list) else str(value)
        for value in (data.get("attributes") or {}).values()
        if not isinstance(value, bool)
    )
    text = "\n".join(str(data.get(name) or "") for name in ("title", "description", "brand_name", "package_contents"))
    flags = text_flags(f"{text}\n{attribute_text}")
    median = _category_median_price(int(data["category_id"]), listing.seller_id)
    if median and listing.price and listing.price * 100 < median * settings.MARKETPLACE_CATALOG_PRICE_OUTLIER_PERCENT:
        flags.append(
            flag(
                "price_outlier",
                _("%(price)s against a median of %(median)s") % {"price": listing.price, "median": round(median, 2)},
            )
        )
    photo_ids = [int(item["id"]) for item in data.get("photos", [])]
    # A plain single-colour picture hashes to 0 (or all ones): that says nothing about copying.
    hashes = [
        value
        for value in ListingPhoto.objects.filter(pk__in=photo_ids).values_list("phash", flat=True)
        if value not in DEGENERATE_HASHES
    ]
    if hashes:
        copies = copied_from(hashes, seller_id=listing.seller_id)
        if copies:
            flags.append(
                flag("duplicate_photo", _("also in listings %(ids)s") % {"ids": ", ".join(f"#{pk}" for pk in copies)})
            )
    return flags


def copied_from(hashes: list[int], *, seller_id: int) -> list[int]:
    """Other sellers' listings (up to 5) with a photo within PHOTO_COPY_MAX_BITS of one of `hashes`: the same
    picture resized, re-compressed or slightly retouched. Candidates share a 16-bit band of the hash (an index
    each); a band that is all zeros or all ones says little (plain areas) and is not looked up."""
    wanted = [set() for _ in PHASH_BANDS]
    for value in hashes:
        for number, band in enumerate(phash_bands(value)):
            if band not in (0, 0xFFFF):
                wanted[number].add(band)
    condition = Q()
    for number, bands in enumerate(wanted):
        if bands:
            condition |= Q(**{f"_band{number}__in": sorted(bands)})
    if not condition:
        return []
    # the fewest bits by which a candidate differs from any of the hashes, worked out by PostgreSQL
    distance = RawSQL(  # noqa: S611 - one constant fragment per hash; the hashes are parameters
        "LEAST(" + ", ".join(["bit_count((catalog_listingphoto.phash # %s::bigint)::bit(64))"] * len(hashes)) + ")",
        list(hashes),
        output_field=IntegerField(),
    )
    return list(
        ListingPhoto.objects.alias(**{f"_band{number}": band for number, band in enumerate(PHASH_BANDS)})
        .filter(condition)
        .exclude(listing__seller_id=seller_id)
        .exclude(phash__in=DEGENERATE_HASHES)
        .alias(distance=distance)
        .filter(distance__lte=PHOTO_COPY_MAX_BITS)
        .order_by("listing_id")
        .values_list("listing_id", flat=True)
        .distinct()[:5]
    )


def recheck_pending_listing(*, listing: Listing) -> list[dict[str, str]]:
    """Run the checks on a listing waiting for its first approval and keep the flags on it."""
    listing.refresh_from_db(fields=["price"])
    flags = check_content(listing=listing, data=listing_services.working_content(listing))
    if listing.reports.filter(status=ReportStatus.OPEN).exists():
        count = listing.reports.filter(status=ReportStatus.OPEN).count()
        flags.append(flag("reports", str(count)))
    Listing.objects.filter(pk=listing.pk).update(moderation_flags=flags)
    listing.moderation_flags = flags
    return flags


def seller_in_good_standing(seller) -> bool:
    return (
        seller.status == SellerStatus.ACTIVE
        and seller.can_create_listings
        and Listing.objects.filter(seller=seller, published_at__isnull=False).count() >= GOOD_STANDING_MIN_APPROVED
    )


def auto_approve_if_clean(*, listing: Listing) -> bool:
    """With MARKETPLACE_CATALOG_AUTO_APPROVE, a flag-free listing of a seller in good standing skips the queue."""
    if not settings.MARKETPLACE_CATALOG_AUTO_APPROVE or listing.moderation_flags:
        return False
    if not seller_in_good_standing(listing.seller):
        return False
    approve_listing(listing=listing, actor=None, reason="auto-approved: no flags, seller in good standing")
    return True


def _require_moderator(actor: User | None) -> None:
    if actor is not None and not policies.can_moderate_listings(actor):
        raise PermissionDenied


def _close_reports(listing: Listing, actor: User | None, status: ReportStatus) -> None:
    listing.reports.filter(status=ReportStatus.OPEN).update(
        status=status, resolved_by=actor, resolved_at=timezone.now()
    )


@transaction.atomic
def approve_listing(*, listing: Listing, actor: User | None, reason: str = "") -> Listing:
    """Publish a listing waiting for moderation (actor None: the automatic approval)."""
    _require_moderator(actor)
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller", "brand").get(pk=listing.pk)
    if listing.status != ListingStatus.PENDING:
        raise InvalidTransition(listing.status, ListingStatus.PUBLISHED)
    first_time = listing.published_at is None
    if first_time:
        photos = [{"id": photo.pk, "alt": photo.alt} for photo in listing.photos.all()]
        listing_services._apply_photo_order(listing, photos, make_live=True)
    listing_services.change_listing_status(
        listing=listing, to=ListingStatus.PUBLISHED, actor=actor, reason=reason or "approved"
    )
    now = timezone.now()
    Listing.objects.filter(pk=listing.pk).update(
        published_at=listing.published_at or now, moderation_flags=[], rejection_reason=""
    )
    listing.published_at = listing.published_at or now
    _close_reports(listing, actor, ReportStatus.DISMISSED)
    listing_services.refresh_offer(listing)
    listing_services.refresh_search_vector(listing)
    dictionary.add_listing_words(listing)
    notify.listing_approved(listing=listing, first_time=first_time)
    return listing


@transaction.atomic
def reject_listing(*, listing: Listing, actor: User, reason: str) -> Listing:
    """Send a new listing back to the seller with the reason they must fix."""
    _require_moderator(actor)
    reason = listing_services.clean_text(reason, max_length=2000, multiline=True)
    if not reason:
        raise DomainError(_("Give the seller a reason for the rejection."))
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=listing.pk)
    if listing.published_at is not None:
        # A listing buyers have seen (held after reports) is blocked, not rejected.
        raise DomainError(_("This listing was already public: block it instead of rejecting it."))
    listing_services.change_listing_status(listing=listing, to=ListingStatus.REJECTED, actor=actor, reason=reason)
    Listing.objects.filter(pk=listing.pk).update(rejection_reason=reason)
    listing.rejection_reason = reason
    notify.listing_rejected(listing=listing, reason=reason)
    return listing


@transaction.atomic
def block_listing(*, listing: Listing, actor: User, reason: str) -> Listing:
    """Take a listing off sale for breaking the rules; buyers' open reports on it are upheld."""
    _require_moderator(actor)
    reason = listing_services.clean_text(reason, max_length=2000, multiline=True)
    if not reason:
        raise DomainError(_("Give the seller a reason for blocking."))
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=listing.pk)
    listing_services.change_listing_status(listing=listing, to=ListingStatus.BLOCKED, actor=actor, reason=reason)
    Listing.objects.filter(pk=listing.pk).update(rejection_reason=reason)
    _close_reports(listing, actor, ReportStatus.UPHELD)
    notify.listing_blocked(listing=listing, reason=reason)
    return listing


@transaction.atomic
def unblock_listing(*, listing: Listing, actor: User, reason: str = "") -> Listing:
    """Put a blocked listing back on sale (after an appeal or a fix)."""
    _require_moderator(actor)
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=listing.pk)
    if listing.status != ListingStatus.BLOCKED:
        raise InvalidTransition(listing.status, ListingStatus.PUBLISHED)
    if listing.published_at is None:
        photos = [{"id": photo.pk, "alt": photo.alt} for photo in listing.photos.all()]
        listing_services._apply_photo_order(listing, photos, make_live=True)
        Listing.objects.filter(pk=listing.pk).update(published_at=timezone.now())
    listing_services.change_listing_status(
        listing=listing, to=ListingStatus.PUBLISHED, actor=actor, reason=reason or "unblocked"
    )
    Listing.objects.filter(pk=listing.pk).update(rejection_reason="", moderation_flags=[])
    listing_services.refresh_search_vector(listing)
    notify.listing_approved(listing=listing, first_time=False)
    return listing


@transaction.atomic
def approve_revision(*, revision: ListingRevision, actor: User | None) -> Listing:
    """Make the proposed content public: fields, photo order and alt texts; removed photos are deleted."""
    _require_moderator(actor)
    revision = ListingRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PENDING:
        raise DomainError(_("This edit was already decided."))
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=revision.listing_id)
    data = revision.data
    listing_services._apply_content(listing, {key: value for key, value in data.items() if key != "photos"})
    listing.save()
    listing_services._apply_photo_order(listing, data.get("photos", []), make_live=True)
    revision.status = RevisionStatus.APPROVED
    revision.decided_by, revision.decided_at = actor, timezone.now()
    revision.save(update_fields=["status", "decided_by", "decided_at"])
    listing_services.refresh_search_vector(listing)
    dictionary.add_listing_words(listing)
    notify.revision_decided(listing=listing, approved=True, reason="")
    return listing


@transaction.atomic
def reject_revision(*, revision: ListingRevision, actor: User, reason: str) -> ListingRevision:
    """Refuse proposed content; the approved version stays, photos uploaded only for the edit are deleted."""
    _require_moderator(actor)
    reason = listing_services.clean_text(reason, max_length=2000, multiline=True)
    if not reason:
        raise DomainError(_("Give the seller a reason for the rejection."))
    revision = ListingRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PENDING:
        raise DomainError(_("This edit was already decided."))
    revision.status = RevisionStatus.REJECTED
    revision.decided_by, revision.decided_at, revision.reason = actor, timezone.now(), reason
    revision.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    from catalog.services.photos import delete_photo_files

    for photo in ListingPhoto.objects.filter(listing_id=revision.listing_id, is_live=False):
        delete_photo_files(photo)
        photo.delete()
    notify.revision_decided(listing=revision.listing, approved=False, reason=reason)
    return revision


@transaction.atomic
def report_listing(*, listing: Listing, reporter: User, reason: str, comment: str = "") -> ListingReport:
    """A buyer reports a listing; enough open reports hold it for a moderator (it leaves the shop window)."""
    if not policies.can_report_listing(reporter, listing):
        raise PermissionDenied
    if reason not in ReportReason.values:
        raise DomainError(_("Choose a reason."))
    comment = listing_services.clean_text(comment, max_length=2000, multiline=True)
    try:
        with transaction.atomic():
            report = ListingReport.objects.create(listing=listing, reporter=reporter, reason=reason, comment=comment)
    except IntegrityError:
        raise DomainError(_("You have already reported this listing; a moderator will look at it.")) from None
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    open_reports = listing.reports.filter(status=ReportStatus.OPEN).count()
    if listing.status == ListingStatus.PUBLISHED and open_reports >= settings.MARKETPLACE_CATALOG_REPORTS_TO_HOLD:
        listing_services.change_listing_status(
            listing=listing, to=ListingStatus.PENDING, actor=None, reason=f"held for review: {open_reports} reports"
        )
        recheck_pending_listing(listing=listing)
    return report


@transaction.atomic
def dismiss_reports(*, listing: Listing, actor: User) -> int:
    """The moderator found nothing wrong: close the open reports (a held listing is approved separately)."""
    _require_moderator(actor)
    return listing.reports.filter(status=ReportStatus.OPEN).update(
        status=ReportStatus.DISMISSED, resolved_by=actor, resolved_at=timezone.now()
    )
