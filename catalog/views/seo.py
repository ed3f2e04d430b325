"""sitemap.xml (an index of files of at most 50 000 addresses, split by id range) and robots.txt."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from catalog import selectors
from catalog.models import Listing
from catalog.seo import SITEMAP_PAGE_SIZE

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _listing_files() -> int:
    highest = Listing.objects.aggregate(highest=Max("pk"))["highest"] or 0
    return highest // SITEMAP_PAGE_SIZE + 1


@require_GET
@login_not_required
@cache_page(60 * 60)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    urls = [reverse("catalog:sitemap-categories")] + [
        reverse("catalog:sitemap-listings", kwargs={"page": page}) for page in range(1, _listing_files() + 1)
    ]
    body = "".join(f"<sitemap><loc>{escape(request.build_absolute_uri(url))}</loc></sitemap>\n" for url in urls)
    return HttpResponse(f"{XML_HEAD}<sitemapindex {NS}>\n{body}</sitemapindex>\n", content_type="application/xml")


@require_GET
@login_not_required
@cache_page(60 * 60)
def sitemap_categories(request: HttpRequest) -> HttpResponse:
    tree = selectors.category_tree()
    nodes = [node for node in tree.by_id.values() if tree.is_visible(node)]
    body = "".join(
        f"<url><loc>{escape(request.build_absolute_uri(node.get_absolute_url()))}</loc></url>\n" for node in nodes
    )
    return HttpResponse(f"{XML_HEAD}<urlset {NS}>\n{body}</urlset>\n", content_type="application/xml")


@require_GET
@login_not_required
def sitemap_listings(request: HttpRequest, page: int) -> StreamingHttpResponse:
    """Published listings with ids in one 50 000-wide range, streamed (no page holds them all in memory)."""
    if page < 1 or page > _listing_files():
        raise Http404
    low, high = (page - 1) * SITEMAP_PAGE_SIZE, page * SITEMAP_PAGE_SIZE
    rows = (
        selectors.public_listings()
        .filter(pk__gte=low, pk__lt=high)
        .order_by("pk")
        .values_list("pk", "slug", "updated_at")
        .iterator(chunk_size=2000)
    )
    base = request.build_absolute_uri("/").rstrip("/")

    def lines():
        yield f"{XML_HEAD}<urlset {NS}>\n"
        for pk, slug, updated_at in rows:
            path = reverse("catalog:listing-detail", kwargs={"pk": pk, "slug": slug or "item"})
            yield f"<url><loc>{escape(base + path)}</loc><lastmod>{updated_at.date().isoformat()}</lastmod></url>\n"
        yield "</urlset>\n"

    return StreamingHttpResponse(lines(), content_type="application/xml")


@require_GET
@login_not_required
def robots_txt(request: HttpRequest) -> HttpResponse:
    disallow = ["/admin/", "/accounts/", "/seller/", "/search/", "/favourites/", "/following/", "/notifications/"]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallow)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('catalog:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
