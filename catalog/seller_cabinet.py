"""The catalogue's parts of the seller cabinet and storefront (found by sellers.cabinet at start-up)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.models import NEEDS_RESTOCK, Listing, ListingQuestion, ListingStatus, QAStatus, Variant
from sellers.cabinet import (
    DashboardCard,
    NavItem,
    StorefrontSlot,
    register_card,
    register_commission_rows,
    register_nav,
    register_storefront_slot,
)
from sellers.policies import Section

register_nav(NavItem("listings", Section.LISTINGS, _("Listings"), "catalog:seller-listing-list", order=10))
register_nav(NavItem("offers", Section.STOCK, _("Prices and stock"), "catalog:seller-offers", order=20))
register_nav(NavItem("questions", Section.LISTINGS, _("Questions from buyers"), "catalog:seller-questions", order=30))
register_nav(NavItem("import", Section.LISTINGS, _("Import and export"), "catalog:seller-import", order=40))
register_nav(NavItem("insights", Section.LISTINGS, _("Search queries"), "catalog:seller-search-insights", order=45))


def listings_card(member) -> dict:
    counts = Listing.objects.filter(seller_id=member.seller_id).aggregate(
        published=Count("id", filter=Q(status=ListingStatus.PUBLISHED)),
        pending=Count("id", filter=Q(status=ListingStatus.PENDING)),
        drafts=Count("id", filter=Q(status=ListingStatus.DRAFT)),
        rejected=Count("id", filter=Q(status=ListingStatus.REJECTED)),
        to_check=Count("id", filter=Q(check_requested_at__isnull=False)),
    )
    questions = ListingQuestion.objects.filter(
        listing__seller_id=member.seller_id, status=QAStatus.PUBLISHED, answer_status=""
    ).count()
    return {**counts, "questions": questions}


def restock_card(member) -> dict | None:
    low = (
        Variant.objects.filter(NEEDS_RESTOCK, seller_id=member.seller_id)
        .exclude(listing__status=ListingStatus.ARCHIVED)
        .count()
    )
    return {"low": low}


register_card(
    DashboardCard(
        key="catalog-listings",
        section=Section.LISTINGS,
        order=20,
        template="catalog/seller/_card_listings.html",
        context=listings_card,
    )
)
register_card(
    DashboardCard(
        key="catalog-restock",
        section=Section.STOCK,
        order=25,
        template="catalog/seller/_card_restock.html",
        context=restock_card,
    )
)


# what narrows a storefront's products (a sort only orders them): with any set, the page offers all of them again
NARROWING_PARAMS = ("q", "category", "in_stock", "discount", "price_min", "price_max")


def storefront_listings(storefront, request) -> dict:
    """The storefront's products: the same browse (search, filters, sorts, 24 a page) scoped to this seller.

    `q` searches the seller's products only and `category` narrows them to one of the seller's categories (an
    unknown or hidden one is ignored, as on the search page).
    """
    base = selectors.public_listings().filter(seller_id=storefront.seller_id)
    tree = selectors.category_tree()
    categories = selectors.seller_categories(storefront.seller_id)
    node = tree.visible_by_slug(request.GET.get("category", ""))
    text = request.GET.get("q", "")
    result = selectors.browse(params=request.GET, base=base, category=node, query=text if text.strip() else None)
    paginator = Paginator(range(result.total), settings.MARKETPLACE_CATALOG_PAGE_SIZE, allow_empty_first_page=True)
    return {
        "result": result,
        "listings": result.listings,
        "page_obj": paginator.page(result.page),
        "categories": categories,
        "category": node,
        "query": result.plan.query if result.plan else "",
        "sort_choices": result.sort_choices,
        "current_sort": result.shown_sort,
        "narrowed": any(request.GET.get(name) for name in NARROWING_PARAMS),
    }


register_storefront_slot(
    StorefrontSlot(key="listings", template="catalog/_storefront_listings.html", context=storefront_listings)
)


def commission_rows() -> list[tuple[str, Decimal]]:
    """Top-level categories with their commission for the "Sell with us" page."""
    tree = selectors.category_tree()
    return [(node.name, tree.commission_percent(node)) for node in tree.visible_children(None)]


register_commission_rows(commission_rows)
