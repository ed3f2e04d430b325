"""Photo uploads: validate, re-encode (which drops EXIF and anything hidden), thumbnails, perceptual hash.

Only Pillow, with the limits of ARCHITECTURE.md: a format allow-list, a pixel cap with decompression-bomb
warnings turned into errors, a frame cap, a byte cap, and a fresh encode of the first frame.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.exceptions import InvalidImage

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_FRAMES = 50
ORIGINAL_MAX_SIDE = 2400
# name → (box side, square): the grid thumbnail is padded to a square so cards line up.
THUMBNAIL_SIZES = {"grid": (400, True), "gallery": (800, False), "zoom": (1600, False)}
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # a fresh JPEG: no EXIF, no trailing data, no other frames
    width: int
    height: int
    phash: int  # 64-bit difference hash as a signed integer (fits a bigint column)


def _reject(message: str) -> InvalidImage:
    return InvalidImage(message)


def _read_limited(upload) -> bytes:
    limit = settings.MARKETPLACE_CATALOG_PHOTO_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _reject(_("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _reject(_("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if not data:
        raise _reject(_("The file is empty."))
    return data


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent PNG/WebP product shots keep a clean background in JPEG."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def difference_hash(image: Image.Image) -> int:
    """64-bit dHash: survives re-encoding and resizing, so copies of another seller's photo match."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(small.get_flattened_data())
    bits = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits - (1 << 64) if bits >= (1 << 63) else bits


def clean_image(upload, *, min_side: int | None = None) -> CleanImage:
    """Validate an uploaded photo and return a re-encoded copy; raise InvalidImage with a plain reason."""
    data = _read_limited(upload)
    min_side = settings.MARKETPLACE_CATALOG_PHOTO_MIN_SIDE if min_side is None else min_side
    max_pixels = settings.MARKETPLACE_CATALOG_PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _reject(
                        _("The photo is too large: at most %(mp)s megapixels.") % {"mp": max_pixels // 1_000_000}
                    )
                if getattr(image, "n_frames", 1) > MAX_FRAMES:
                    raise _reject(_("Animated images are not accepted."))
                if min(width, height) < min_side:
                    raise _reject(
                        _("The photo is too small: at least %(px)s pixels on the short side.") % {"px": min_side}
                    )
                image.seek(0)
                image.load()
                frame = ImageOps.exif_transpose(image)
                frame = _flatten(frame)
    except InvalidImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(_("Upload a JPEG, PNG or WebP photo.")) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _reject(_("The photo file is damaged.")) from None
    frame.thumbnail((ORIGINAL_MAX_SIDE, ORIGINAL_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    frame.save(buffer, format="JPEG", quality=88, optimize=True, progressive=True)
    return CleanImage(content=buffer.getvalue(), width=frame.width, height=frame.height, phash=difference_hash(frame))


def make_thumbnails(data: bytes, names: list[str] | None = None) -> dict[str, bytes]:
    """WebP renditions of an already cleaned photo (run by a Celery task, not in the request).

    The photo is decoded once for all sizes; the square grid picture is padded with white.
    """
    with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
        source = image.convert("RGB")
    result = {}
    for name in names or list(THUMBNAIL_SIZES):
        side, square = THUMBNAIL_SIZES[name]
        if square:
            frame = ImageOps.pad(source, (side, side), method=Image.Resampling.BICUBIC, color=WHITE)
        else:
            frame = source.copy()
            frame.thumbnail((side, side), Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        frame.save(buffer, format="WEBP", quality=82, method=2)
        result[name] = buffer.getvalue()
    return result


def make_thumbnail(data: bytes, name: str) -> bytes:
    return make_thumbnails(data, [name])[name]
