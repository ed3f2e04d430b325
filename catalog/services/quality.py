"""Listing quality score (spec 29): 0–100 from what the card holds, with concrete hints for the seller.

The score is recomputed whenever content, photos or details change, and when a check the seller was asked for
(services/checks.py) becomes overdue or is done; search relevance lifts better cards.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.models import Listing

DESCRIPTION_TARGET = 300
PHOTOS_TARGET = 3
TITLE_MAX = 120
WORD_REPEATS_MAX = 3


@dataclass
class Quality:
    score: int
    hints: list[str]


def assess(listing: Listing, *, data: dict | None = None, photos: int | None = None) -> Quality:
    """Score the listing's content (or `data`, the working copy the seller edits) and say what would raise it."""
    data = data or {
        "title": listing.title,
        "description": listing.description,
        "category_id": listing.category_id,
        "attributes": listing.attributes,
        "package_contents": listing.package_contents,
    }
    photos = listing.photos.count() if photos is None else photos
    score, hints = 0.0, []

    schema = selectors.attribute_schema(int(data["category_id"])) if data.get("category_id") else []
    values = data.get("attributes") or {}
    if schema:
        missing = [attribute for attribute in schema if values.get(attribute.code) in (None, "", [])]
        score += 25 * (len(schema) - len(missing)) / len(schema)
        if missing:
            hints.append(
                _("Fill in: %(names)s.") % {"names": ", ".join(f"«{attribute.name}»" for attribute in missing[:3])}
            )
    else:
        score += 25

    description = " ".join(str(data.get("description") or "").split())
    score += 15 * min(len(description), DESCRIPTION_TARGET) / DESCRIPTION_TARGET
    if len(description) < DESCRIPTION_TARGET:
        hints.append(_("Write a description of at least %(n)s characters.") % {"n": DESCRIPTION_TARGET})

    score += {0: 0, 1: 8, 2: 14}.get(photos, 20)
    if photos < PHOTOS_TARGET:
        hints.append(
            _("Add %(n)s more photo(s): %(target)s or more are recommended.")
            % {"n": PHOTOS_TARGET - photos, "target": PHOTOS_TARGET}
        )
    if listing.video_url:
        score += 5
    else:
        hints.append(_("Add a link to a short video review."))
    if str(data.get("package_contents") or "").strip():
        score += 10
    else:
        hints.append(_("List the package contents."))
    if listing.weight_g and listing.length_mm and listing.width_mm and listing.height_mm:
        score += 5
    else:
        hints.append(_("Give the weight and dimensions of the package."))
    if listing.meta_title or listing.meta_description:
        score += 5
    else:
        hints.append(_("Fill in the title and description for search engines."))

    title = str(data.get("title") or "")
    if len(title) <= TITLE_MAX:
        score += 5
    else:
        hints.append(_("Shorten the title to %(n)s characters.") % {"n": TITLE_MAX})
    letters = [char for char in title if char.isalpha()]
    if letters and not all(char.isupper() for char in letters):
        score += 5
    else:
        hints.append(_("Do not write the title in capital letters."))
    words = Counter(word.lower() for word in re.findall(r"\w+", title))
    if not words or max(words.values()) <= WORD_REPEATS_MAX:
        score += 5
    else:
        hints.append(_("Do not repeat the same word in the title."))
    if listing.check_overdue:  # spec 30: a check the seller was asked for and left undone
        score = max(score - settings.MARKETPLACE_CATALOG_CHECK_PENALTY, 0)
        hints.insert(0, _("Confirm that the listing's data is current: the check you were asked for is overdue."))
    return Quality(score=round(score), hints=hints)


def refresh_quality(listing: Listing) -> int:
    """Store the score of the listing's own (approved or draft) content."""
    listing.refresh_from_db(
        fields=["title", "description", "category", "attributes", "package_contents", "video_url", "weight_g",
                "length_mm", "width_mm", "height_mm", "meta_title", "meta_description", "check_overdue"]
    )  # fmt: skip
    score = assess(listing).score
    Listing.objects.filter(pk=listing.pk).update(quality_score=score)
    listing.quality_score = score
    return score
