"""Search-engine facing output: meta descriptions, schema.org JSON-LD, sitemaps and robots.txt."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from catalog.models import Attribute, Listing

SITEMAP_PAGE_SIZE = 50_000  # the sitemaps.org limit per file
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def listing_meta_description(listing: Listing, attributes: Iterable[tuple[Attribute, str]]) -> str:
    """The seller's meta description, else the title, key characteristics and the start of the description."""
    if listing.meta_description:
        return listing.meta_description
    parts = [listing.title]
    key_values = [f"{attribute.name}: {value}" for attribute, value in list(attributes)[:4]]
    if key_values:
        parts.append(", ".join(key_values))
    if listing.description:
        parts.append(Truncator(" ".join(listing.description.split())).chars(160))
    return Truncator(". ".join(parts)).chars(300)


def json_ld(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, escaped so text cannot close the element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308 - escaped above


def listing_json_ld(request: HttpRequest, listing: Listing, variants, photos) -> SafeString:
    """schema.org Product with an Offer per variant (and AggregateRating once the listing has ratings)."""
    url = request.build_absolute_uri(listing.get_absolute_url())
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.title,
        "url": url,
        "description": Truncator(strip_tags(listing.description)).chars(500),
        "image": [request.build_absolute_uri(photo.gallery_url) for photo in photos[:5]],
        "sku": variants[0].sku if variants else "",
    }
    if listing.brand_id:
        data["brand"] = {"@type": "Brand", "name": listing.brand.name}
    storefront = getattr(listing.seller, "storefront", None)
    seller = {"@type": "Organization", "name": storefront.name if storefront else listing.seller.legal_name}
    offers = [
        {
            "@type": "Offer",
            "sku": variant.sku,
            "name": variant.name or listing.title,
            "price": str(variant.price),
            "priceCurrency": "RUB",
            "availability": "https://schema.org/InStock" if variant.available > 0 else "https://schema.org/OutOfStock",
            "url": f"{url}?variant={variant.pk}",
            "seller": seller,
            **({"gtin": variant.barcode} if variant.barcode else {}),
        }
        for variant in variants
    ]
    data["offers"] = (
        offers[0]
        if len(offers) == 1
        else {
            "@type": "AggregateOffer",
            "priceCurrency": "RUB",
            "lowPrice": str(min(variant.price for variant in variants)),
            "highPrice": str(max(variant.price for variant in variants)),
            "offerCount": len(offers),
            "offers": offers,
        }
        if offers
        else None
    )
    if data["offers"] is None:
        del data["offers"]
    if listing.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(listing.rating_avg),
            "reviewCount": listing.rating_count,
        }
    return json_ld(data)
