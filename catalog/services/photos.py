"""Listing photos: upload (validated and re-encoded in the request), order and alt text, thumbnails off-request."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import images, policies
from catalog.exceptions import TooManyPhotos
from catalog.models import Listing, ListingPhoto, ListingStatus
from catalog.services import listings as listing_services
from catalog.services import quality
from marketplace.core.exceptions import DomainError

if TYPE_CHECKING:
    from marketplace.accounts.models import User

logger = logging.getLogger(__name__)


def _editable_listing(listing: Listing, actor: User) -> Listing:
    listing = Listing.objects.select_for_update(of=("self",)).select_related("seller").get(pk=listing.pk)
    if not policies.can_manage_listings(actor, listing.seller):
        raise PermissionDenied
    if listing.status == ListingStatus.ARCHIVED:
        raise DomainError(_("Restore the listing from the archive before editing it."))
    return listing


def _save_working_photos(listing: Listing, actor: User, photos: list[dict]) -> None:
    if listing_services.uses_revisions(listing):
        data = listing_services.working_content(listing)
        values = {key: value for key, value in data.items() if key != "photos"}
        listing_services._save_revision(listing=listing, actor=actor, values=values, photos=photos)
    else:
        listing_services._apply_photo_order(listing, photos, make_live=False)


@transaction.atomic
def add_photo(*, listing: Listing, actor: User, upload, alt: str = "") -> ListingPhoto:
    """Validate and re-encode one uploaded photo and add it at the end; thumbnails follow from a task."""
    from catalog import tasks

    listing = _editable_listing(listing, actor)
    working = list(listing_services.working_content(listing)["photos"])
    limit = settings.MARKETPLACE_CATALOG_MAX_PHOTOS
    if len(working) >= limit:
        raise TooManyPhotos(TooManyPhotos.default_message % {"limit": limit})
    cleaned = images.clean_image(upload)
    alt = listing_services.clean_text(alt, max_length=200, multiline=False)
    photo = ListingPhoto(
        listing=listing,
        alt=alt,
        position=len(working),
        phash=cleaned.phash,
        width=cleaned.width,
        height=cleaned.height,
        is_live=False,
    )
    photo.image.save("photo.jpg", ContentFile(cleaned.content), save=False)
    photo.save()
    _save_working_photos(listing, actor, [*working, {"id": photo.pk, "alt": alt}])
    quality.refresh_quality(listing)
    tasks.make_photo_thumbnails.delay_on_commit(photo.pk)
    return photo


@transaction.atomic
def remove_photo(*, photo: ListingPhoto, actor: User) -> None:
    """Take a photo off the listing; an approved photo stays public until the revision is approved."""
    listing = _editable_listing(photo.listing, actor)
    working = [item for item in listing_services.working_content(listing)["photos"] if int(item["id"]) != photo.pk]
    _save_working_photos(listing, actor, working)
    if not photo.is_live and ListingPhoto.objects.filter(pk=photo.pk).exists():
        delete_photo_files(photo)
        photo.delete()
    quality.refresh_quality(listing)


@transaction.atomic
def arrange_photos(*, listing: Listing, actor: User, photos: list[dict]) -> None:
    """Order (the first is the main photo) and alt texts: [{"id": 3, "alt": "..."}, ...]. Missing photos stay."""
    listing = _editable_listing(listing, actor)
    working = listing_services.working_content(listing)["photos"]
    known = {int(item["id"]): item for item in working}
    ordered = []
    for item in photos:
        try:
            photo_id = int(item["id"])
        except (KeyError, TypeError, ValueError):
            continue
        if photo_id in known and all(entry["id"] != photo_id for entry in ordered):
            ordered.append({"id": photo_id, "alt": str(item.get("alt", known[photo_id].get("alt", "")))})
    ordered += [item for item in working if all(entry["id"] != int(item["id"]) for entry in ordered)]
    _save_working_photos(listing, actor, ordered)


def delete_photo_files(photo: ListingPhoto) -> None:
    """Remove the files once the transaction that deletes the row has committed."""
    names = [field.name for field in (photo.image, photo.grid, photo.gallery, photo.zoom) if field]
    storage = photo.image.storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def make_thumbnails(*, photo_id: int) -> None:
    """Grid, gallery and zoom WebP renditions of a photo; a second run finds them made and does nothing."""
    photo = ListingPhoto.objects.filter(pk=photo_id).first()
    if photo is None or (photo.grid and photo.gallery and photo.zoom):
        return
    with photo.image.open("rb") as source:
        data = source.read()
    missing = [name for name in images.THUMBNAIL_SIZES if not getattr(photo, name)]
    updates = {}
    for name, content in images.make_thumbnails(data, missing).items():
        field = getattr(photo, name)
        field.save(f"{photo.pk}-{name}.webp", ContentFile(content), save=False)
        updates[name] = field.name
    # The row may have been deleted meanwhile: update() then changes nothing.
    if not ListingPhoto.objects.filter(pk=photo_id).update(**updates):
        for name in updates.values():
            photo.image.storage.delete(name)


MISSING_THUMBNAILS_GRACE = timedelta(minutes=5)  # an upload's own task normally makes them within seconds
MISSING_THUMBNAILS_BATCH = 200


def make_missing_thumbnails(*, limit: int = MISSING_THUMBNAILS_BATCH) -> int:
    """Renditions for photos still without them some minutes after upload (their task was lost or failed).

    The photo rows are the record of what is missing, so a queue lost with Redis only delays thumbnails; a
    photo whose file cannot be read is logged and left for the next run. Returns how many photos were done.
    """
    cutoff = timezone.now() - MISSING_THUMBNAILS_GRACE
    waiting = (
        ListingPhoto.objects.filter(Q(grid="") | Q(gallery="") | Q(zoom=""), created_at__lt=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for photo_id in list(waiting):
        try:
            make_thumbnails(photo_id=photo_id)
        except Exception:  # one unreadable file must not stop the others
            logger.exception("thumbnails for photo %s failed", photo_id)
            continue
        done += 1
    return done


def copy_photo(*, photo: ListingPhoto, to_listing: Listing, position: int, alt: str) -> ListingPhoto:
    """A new photo row with its own copy of the file (for duplicated listings)."""
    from catalog import tasks

    with photo.image.open("rb") as source:
        content = source.read()
    copy = ListingPhoto(
        listing=to_listing,
        alt=alt,
        position=position,
        phash=photo.phash,
        width=photo.width,
        height=photo.height,
        is_live=False,
    )
    copy.image.save("photo.jpg", ContentFile(content), save=False)
    copy.save()
    if position == 0:
        Listing.objects.filter(pk=to_listing.pk).update(cover_photo=copy)
    tasks.make_photo_thumbnails.delay_on_commit(copy.pk)
    return copy
