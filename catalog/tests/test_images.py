import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import images
from catalog.exceptions import InvalidImage


def image_file(
    width=1000, height=1000, fmt="JPEG", color=(200, 30, 30), name="photo.jpg", **save
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_header_only(width, height) -> bytes:
    """A tiny PNG whose header claims a huge canvas (a decompression bomb)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_photo_is_reencoded_without_exif():
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x9286] = "GPS 55.75 37.61"  # UserComment
    upload = image_file(exif=exif.tobytes())

    cleaned = images.clean_image(upload)

    reopened = Image.open(io.BytesIO(cleaned.content))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert b"SecretCamera" not in cleaned.content
    assert b"GPS 55.75" not in cleaned.content
    assert (cleaned.width, cleaned.height) == (1000, 1000)


def test_exif_orientation_is_applied_before_it_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90°
    cleaned = images.clean_image(image_file(1200, 1000, exif=exif.tobytes()))

    assert (cleaned.width, cleaned.height) == (1000, 1200)


def test_non_image_upload_is_rejected_with_a_plain_reason():
    upload = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho hi\n", content_type="image/jpeg")

    with pytest.raises(InvalidImage):
        images.clean_image(upload)


def test_formats_outside_the_allow_list_are_rejected():
    with pytest.raises(InvalidImage):
        images.clean_image(image_file(fmt="BMP", name="photo.bmp"))


def test_image_bomb_is_rejected_before_decoding():
    upload = SimpleUploadedFile("bomb.png", png_header_only(50_000, 50_000), content_type="image/png")

    with pytest.raises(InvalidImage):
        images.clean_image(upload)


def test_huge_image_over_the_pixel_cap_is_rejected(settings):
    settings.MARKETPLACE_CATALOG_PHOTO_MAX_PIXELS = 2_000_000

    with pytest.raises(InvalidImage, match="2"):
        images.clean_image(image_file(2000, 1500))


def test_file_over_the_byte_cap_is_rejected(settings):
    settings.MARKETPLACE_CATALOG_PHOTO_MAX_BYTES = 1000

    with pytest.raises(InvalidImage):
        images.clean_image(image_file(fmt="PNG"))


def test_small_photo_is_rejected():
    with pytest.raises(InvalidImage):
        images.clean_image(image_file(800, 600))


def test_truncated_photo_is_rejected():
    data = image_file().read()
    upload = SimpleUploadedFile("cut.jpg", data[: len(data) // 3], content_type="image/jpeg")

    with pytest.raises(InvalidImage):
        images.clean_image(upload)


def test_transparent_png_gets_a_white_background():
    buffer = io.BytesIO()
    Image.new("RGBA", (1000, 1000), (0, 0, 0, 0)).save(buffer, format="PNG")

    cleaned = images.clean_image(SimpleUploadedFile("t.png", buffer.getvalue()))

    assert Image.open(io.BytesIO(cleaned.content)).getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)


def test_copies_of_a_photo_share_the_perceptual_hash():
    gradient = Image.linear_gradient("L").resize((1200, 1200)).convert("RGB")
    original, copy = io.BytesIO(), io.BytesIO()
    gradient.save(original, format="PNG")
    gradient.resize((950, 950)).save(copy, format="JPEG", quality=60)

    first = images.clean_image(SimpleUploadedFile("a.png", original.getvalue()))
    second = images.clean_image(SimpleUploadedFile("b.jpg", copy.getvalue()))

    assert first.phash == second.phash


@pytest.mark.parametrize("name", list(images.THUMBNAIL_SIZES))
def test_thumbnails_are_webp_within_their_box(name):
    cleaned = images.clean_image(image_file(1800, 1000))

    thumb = Image.open(io.BytesIO(images.make_thumbnail(cleaned.content, name)))

    side, square = images.THUMBNAIL_SIZES[name]
    assert thumb.format == "WEBP"
    assert max(thumb.size) == side
    assert (thumb.width == thumb.height) == square
