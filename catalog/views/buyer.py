"""Public catalogue pages: home, categories, search, autocomplete, the listing page, Q&A and reports."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import CheckboxInput
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import policies, selectors, services
from catalog.attributes import display_value
from catalog.filters import DISPATCH_CHOICES, DISPATCH_VALUES
from catalog.forms import QuestionForm, ReportForm
from catalog.models import Listing, ListingStatus
from catalog.selectors import search as search_rules
from catalog.selectors.listings import SEARCH_WINDOW
from catalog.seo import listing_json_ld, listing_meta_description
from catalog.services import search_log
from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from marketplace.core.pagecache import shared_page_cache
from sellers.models import SellerStatus


def _browse_context(request: HttpRequest, result: selectors.BrowseResult) -> dict:
    paginator = Paginator(range(result.total), settings.MARKETPLACE_CATALOG_PAGE_SIZE, allow_empty_first_page=True)
    form = result.filterset.form
    # The sidebar's inputs beyond the facets: number ranges and yes/no attributes (in the schema's order), then the
    # two rating selects. Picked here once; the template looping over the whole form twice cost a millisecond.
    attribute_inputs = [
        (form[name], isinstance(field.widget, CheckboxInput))
        for name, field in form.fields.items()
        if name.startswith("a_") and not getattr(field, "choices", None)
    ]
    return {
        "attribute_inputs": attribute_inputs,
        # the two rating selects, each option with whether it is the one chosen (worked out here, not by filters)
        "rating_inputs": [
            _dispatch_select(request),
            *(_select_options(form[name]) for name in ("rating", "seller_rating")),
        ],
        "result": result,
        "listings": result.listings,
        "page_obj": paginator.page(result.page),
        "filter_form": result.filterset.form,
        # whether a price was not a whole number: a plain value, where form.errors.<absent> cost a failed lookup
        # (the parameters as asked come from the site context: `asked`)
        "price_error": bool(form.errors.get("price_min") or form.errors.get("price_max")),
        "sort_choices": result.sort_choices,
        "current_sort": result.shown_sort,
        "has_filters": any(key not in ("page", "sort", "q") for key in request.GET),
    }


@dataclass(frozen=True)
class _SelectInput:
    """A select the sidebar renders like a form field's (name, label, html_name), without a form behind it."""

    name: str
    label: str
    html_name: str


def _dispatch_select(request: HttpRequest) -> tuple:
    """The "seller ships" select (applied by browse() outside the FilterSet)."""
    chosen = request.GET.get("dispatch", "")
    field = _SelectInput(name="dispatch", label=_("Seller ships"), html_name="dispatch")
    options = [("", _("Any time"), chosen not in DISPATCH_VALUES)]
    return field, options + [(value, label, value == chosen) for value, label in DISPATCH_CHOICES]


def _select_options(field) -> tuple:
    chosen = str(field.value())  # as the template's stringformat:"s" compared them ("None": nothing chosen)
    return field, [(value, label, str(value) == chosen) for value, label in field.field.choices]


# The rating bands of reviews.models.Band that move listings in search, under the same names (catalog does not
# import reviews; the labels' translations are shared by msgid).
_BAND_LABELS = {"excellent": _lazy("Excellent"), "at_risk": _lazy("At risk"), "critical": _lazy("Critical")}


@require_GET
@login_not_required
@shared_page_cache
def ranking(request: HttpRequest) -> HttpResponse:
    """How search results and category pages are ordered, with the weights in force (spec 32, 81)."""
    context = {
        "window": SEARCH_WINDOW,
        "rating_lift": round(search_rules.RATING_LIFT * 100),
        "quality_lift": round(search_rules.QUALITY_LIFT * 100 * 100),
        "status_changes": [
            (SellerStatus(status).label, search_rules.weight_change(weight))
            for status, weight in search_rules.SELLER_STATUS_WEIGHTS.items()
        ],
        "band_changes": [
            (_BAND_LABELS[band], search_rules.weight_change(weight))
            for band, weight in search_rules.SELLER_BAND_WEIGHTS.items()
        ],
        "kept_minutes": max(1, round(settings.MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS / 60)),
    }
    return TemplateResponse(request, "catalog/ranking.html", context)


@require_GET
@login_not_required
@shared_page_cache
def home(request: HttpRequest) -> HttpResponse:
    """Category tiles and shelves of new, popular, top-rated and discounted listings (and, for a signed-in buyer,
    the recently viewed ones: a personal part)."""
    tree = selectors.category_tree()
    context = {"categories": tree.visible_children(None), "sections": selectors.home_sections()}
    return TemplateResponse(request, "catalog/home.html", context)


@require_GET
@login_not_required
@shared_page_cache
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """A category page: subcategories, filters with counts, sorts, 24 listings a page."""
    tree = selectors.category_tree()
    node = tree.visible_by_slug(slug)
    if node is None:
        raise Http404
    result = selectors.browse(params=request.GET, category=node)
    context = {
        **_browse_context(request, result),
        "category": node,
        "breadcrumbs": tree.breadcrumbs(node),
        "subcategories": tree.visible_children(node),
        "canonical_url": request.build_absolute_uri(node.get_absolute_url()),
    }
    return render_page_or_partial(request, "catalog/listing_list.html", context, partial="results")


SEARCH_STATS_HEADER = "X-Search-Stats"  # where the query leads, for search_log; kept with a stored page


def _counted(view):
    """Count each new search (search_log, spec 33) whether the page is rendered or comes from the page cache:
    the rendered page leaves what it learnt in a header the stored copy keeps, and the header goes no further.
    A filter, a sort, another page or an htmx swap is a refinement of a search already counted."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        stats = response.get(SEARCH_STATS_HEADER, "")
        if stats:
            del response[SEARCH_STATS_HEADER]
        fresh = not request.headers.get("HX-Request") and set(request.GET) <= {"q", "category"}
        if response.status_code == 200 and fresh:
            category, _colon, zero = stats.partition(":")
            search_log.record(
                request.GET.get("q", ""),
                category_id=int(category) if category.isdigit() else None,
                zero=zero == "1" if zero else None,
            )
        return response

    return wrapper


@require_GET
@login_not_required
@_counted
@shared_page_cache
def search(request: HttpRequest) -> HttpResponse:
    """Search results with the same filters and sorts; any input at all is answered with a page."""
    tree = selectors.category_tree()
    node = tree.visible_by_slug(request.GET.get("category", ""))
    result = selectors.browse(params=request.GET, category=node, query=request.GET.get("q", ""))
    context = {**_browse_context(request, result), "category": node, "query": result.plan.query, "plan": result.plan}
    response = render_page_or_partial(request, "catalog/listing_list.html", context, partial="results")
    response["X-Robots-Tag"] = "noindex"
    if set(request.GET) <= {"q", "category"}:  # a new search: where it leads (search_log)
        if node is not None:
            leads_to = node.id
        elif result.category_facet:
            leads_to = result.category_facet[0][0].id
        else:  # a relevance-ordered page: the category most of it is in
            leads_to = result.main_category_id
        response[SEARCH_STATS_HEADER] = f"{leads_to or 0}:{int(not result.total)}"
    return response


@require_GET
@login_not_required
@shared_page_cache
def autocomplete(request: HttpRequest) -> HttpResponse:
    """Suggestions under the search box (htmx): categories, brands, listings."""
    suggestions = selectors.autocomplete(request.GET.get("q", ""), selectors.public_listings())
    return TemplateResponse(request, "catalog/_autocomplete.html", {"suggestions": suggestions})


def _listing_context(request: HttpRequest, listing: Listing, **forms) -> dict:
    tree = selectors.category_tree()
    node = tree.by_id.get(listing.category_id)
    schema = selectors.attribute_schema(listing.category_id)
    attributes = [
        (attribute, display_value(attribute, listing.attributes[attribute.code]))
        for attribute in schema
        if attribute.code in (listing.attributes or {})
    ]
    variants = listing.page_variants
    chosen = None
    wanted = request.GET.get("variant")
    if wanted and wanted.isdigit():
        chosen = next((variant for variant in variants if variant.pk == int(wanted)), None)
    chosen = chosen or next(
        (variant for variant in variants if variant.available > 0), variants[0] if variants else None
    )
    return_class, return_days = tree.return_policy(node) if node else ("", 0)
    ship_by = timezone.localdate() + timezone.timedelta(days=listing.handling_days)
    user = request.user
    viewer_is_team = policies.seller_role(user, listing.seller) is not None
    context = {
        "listing": listing,
        # a preview for the seller's team or a moderator (listing_for_page marks it); a plain value, where
        # listing.is_preview on a listing without the mark cost a failed lookup and a dir() of the model
        "is_preview": getattr(listing, "is_preview", False),
        "breadcrumbs": tree.breadcrumbs(node) if node else [],
        "attributes": attributes,
        "variants": variants,
        "variant": chosen,
        "photos": listing.live_photos,
        "return_days": return_days,
        "return_class": return_class,
        "ship_by": ship_by,
        "questions": selectors.public_questions(listing=listing),
        "question_form": forms.get("question_form"),  # a form sent back with errors (else the part makes one)
        "viewer_is_team": viewer_is_team,
        "similar": selectors.similar_listings(listing=listing, limit=6),
        "canonical_url": request.build_absolute_uri(listing.get_absolute_url()),
        "meta_description": listing_meta_description(listing, attributes),
        "json_ld": listing_json_ld(request, listing, variants, listing.live_photos),
        "seller_on_vacation": listing.seller.is_on_vacation,
    }
    return context


def _record_view(request: HttpRequest, pk: int, slug: str = "") -> None:
    """A signed-in buyer's visit goes to their recently viewed list, whether the page was shared or rendered."""
    if request.user.is_authenticated:
        from buyers import services as buyer_services

        buyer_services.record_view(user=request.user, listing_id=pk)


@require_GET
@login_not_required
@shared_page_cache(on_hit=_record_view)
def listing_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """The product page; an outdated or missing slug redirects permanently to the canonical address."""
    listing = selectors.listing_for_page(pk=pk, viewer=request.user if request.user.is_authenticated else None)
    if listing is None:
        raise Http404
    if slug != listing.slug:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(listing.get_absolute_url() + query)
    if listing.status == ListingStatus.PUBLISHED:
        _record_view(request, listing.pk)
    context = _listing_context(request, listing)
    return render_page_or_partial(request, "catalog/listing_detail.html", context, partial="buy-box")


def _public_listing_or_404(pk: int) -> Listing:
    return get_object_or_404(selectors.public_listings().select_related("seller"), pk=pk)


@require_POST
def ask_question(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in buyer asks a public question about a listing."""
    listing = _public_listing_or_404(pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = services.ask_question(listing=listing, author=request.user, text=form.cleaned_data["text"])
        except PermissionDenied:
            form.add_error(None, _("Sellers cannot ask questions about their own listings."))
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            if question.status == "published":
                messages.success(request, _("Your question is published. We will tell you when the seller answers."))
            else:
                messages.info(request, _("Your question will appear after a moderator checks it."))
            if not request.htmx:
                return redirect(listing.get_absolute_url() + "#questions")
            form = QuestionForm()
    listing = selectors.listing_for_page(pk=pk, viewer=request.user)
    context = _listing_context(request, listing, question_form=form)
    return render_page_or_partial(request, "catalog/listing_detail.html", context, partial="questions")


@require_http_methods(["GET", "POST"])
def report_listing(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a listing to the moderators (counterfeit, prohibited, misleading, wrong category)."""
    listing = _public_listing_or_404(pk)
    if not policies.can_report_listing(request.user, listing):
        raise PermissionDenied
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_listing(
                listing=listing,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. A moderator will look at this listing."))
            return redirect(listing)
    return TemplateResponse(request, "catalog/listing_report.html", {"listing": listing, "form": form})


@require_GET
@login_not_required
def listing_short(request: HttpRequest, pk: int) -> HttpResponse:
    """/p/<id>/ → the canonical address with the slug."""
    slug = Listing.objects.filter(pk=pk).values_list("slug", flat=True).first()
    if slug is None:
        raise Http404
    return HttpResponsePermanentRedirect(reverse("catalog:listing-detail", kwargs={"pk": pk, "slug": slug}))
