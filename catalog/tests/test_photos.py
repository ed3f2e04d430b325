import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from catalog.exceptions import InvalidImage, TooManyPhotos
from catalog.models import ListingPhoto, ListingStatus
from catalog.services.photos import make_thumbnails

from .factories import make_listing, photo_upload

pytestmark = pytest.mark.django_db


def test_thumbnails_are_made_off_the_request_by_a_task(seller, category, django_capture_on_commit_callbacks):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo = services.add_photo(listing=listing, actor=seller.user, upload=photo_upload())

    photo.refresh_from_db()
    assert not photo.grid  # nothing made in the request
    assert len(callbacks) == 1
    make_thumbnails(photo_id=photo.pk)
    photo.refresh_from_db()
    assert photo.grid.name.endswith(".webp")
    assert photo.gallery
    assert photo.zoom
    first_names = (photo.grid.name, photo.gallery.name, photo.zoom.name)
    make_thumbnails(photo_id=photo.pk)  # a second run does nothing
    photo.refresh_from_db()
    assert (photo.grid.name, photo.gallery.name, photo.zoom.name) == first_names


def _photo_waiting_for_thumbnails(seller, category, *, minutes_ago: int) -> ListingPhoto:
    from datetime import timedelta

    from django.utils import timezone

    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)
    photo = services.add_photo(listing=listing, actor=seller.user, upload=photo_upload())
    ListingPhoto.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return photo


def test_photos_whose_thumbnail_task_was_lost_get_them_from_the_sweeper(seller, category):
    """The task message went with the broker: the photo row still says what is missing."""
    from catalog import tasks

    lost = _photo_waiting_for_thumbnails(seller, category, minutes_ago=30)
    fresh = _photo_waiting_for_thumbnails(seller, category, minutes_ago=0)  # its own task is still on the way

    assert tasks.make_missing_thumbnails() == 1

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.grid.name.endswith(".webp")
    assert lost.gallery
    assert lost.zoom
    assert not fresh.grid
    assert tasks.make_missing_thumbnails() == 0  # nothing left: a second run does nothing


def test_one_unreadable_photo_does_not_stop_the_sweeper(seller, category):
    from catalog.services import photos

    broken = _photo_waiting_for_thumbnails(seller, category, minutes_ago=40)
    broken.image.storage.delete(broken.image.name)
    readable = _photo_waiting_for_thumbnails(seller, category, minutes_ago=30)

    assert photos.make_missing_thumbnails() == 1

    readable.refresh_from_db()
    assert readable.grid
    assert ListingPhoto.objects.get(pk=broken.pk).grid == ""


def test_sixteenth_photo_is_refused(seller, category, settings):
    settings.MARKETPLACE_CATALOG_MAX_PHOTOS = 15
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=15)

    with pytest.raises(TooManyPhotos):
        services.add_photo(listing=listing, actor=seller.user, upload=photo_upload())

    assert listing.photos.count() == 15


def test_non_image_upload_changes_nothing(seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)

    with pytest.raises(InvalidImage):
        services.add_photo(listing=listing, actor=seller.user, upload=SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>"))

    assert not listing.photos.exists()


def test_uploaded_file_name_never_reaches_storage(seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)

    photo = services.add_photo(
        listing=listing, actor=seller.user, upload=photo_upload(name="../../etc/passwd.jpg"), alt="Вид сбоку"
    )

    assert "passwd" not in photo.image.name
    assert photo.image.name.startswith(f"listings/{listing.pk}/")
    assert photo.alt == "Вид сбоку"


def test_new_photo_of_a_published_listing_waits_for_moderation(seller, moderator, category):
    listing = make_listing(seller, category=category, photos=1)

    photo = services.add_photo(listing=listing, actor=seller.user, upload=photo_upload(color=(1, 2, 3)))

    assert not photo.is_live
    revision = listing.revisions.get(status="pending")
    assert [item["id"] for item in revision.data["photos"]][-1] == photo.pk
    services.approve_revision(revision=revision, actor=moderator)
    photo.refresh_from_db()
    assert photo.is_live


def test_removing_an_approved_photo_keeps_it_public_until_approval(seller, moderator, category):
    listing = make_listing(seller, category=category, photos=2)
    first, second = listing.photos.order_by("position")

    services.remove_photo(photo=first, actor=seller.user)

    assert ListingPhoto.objects.filter(pk=first.pk, is_live=True).exists()
    services.approve_revision(revision=listing.revisions.get(status="pending"), actor=moderator)
    assert not ListingPhoto.objects.filter(pk=first.pk).exists()
    listing.refresh_from_db()
    assert listing.cover_photo_id == second.pk


def test_photo_order_and_alt_texts_of_a_draft_apply_at_once(seller, category):
    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=2)
    first, second = listing.photos.order_by("position")

    services.arrange_photos(
        listing=listing,
        actor=seller.user,
        photos=[{"id": second.pk, "alt": "Главное фото"}, {"id": first.pk, "alt": ""}],
    )

    listing.refresh_from_db()
    assert listing.cover_photo_id == second.pk
    second.refresh_from_db()
    assert second.alt == "Главное фото"


def test_other_seller_cannot_add_photos(seller, other_seller, category):
    from django.core.exceptions import PermissionDenied

    listing = make_listing(seller, category=category, status=ListingStatus.DRAFT, photos=0)

    with pytest.raises(PermissionDenied):
        services.add_photo(listing=listing, actor=other_seller.user, upload=photo_upload())

    assert not listing.photos.exists()
