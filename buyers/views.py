"""Buyers' pages: favourites, follows with a feed of new arrivals, recently viewed, back-in-stock alerts, addresses."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buyers import selectors, services
from buyers.forms import AddressForm
from buyers.models import Address
from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from marketplace.core.http import AuthenticatedRequest


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_GET
def favourites(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.favourites(user=request.user), 24).get_page(request.GET.get("page"))
    return TemplateResponse(request, "buyers/favourites.html", {"page_obj": page, "favourites": page.object_list})


@require_POST
def favourite_toggle(request: AuthenticatedRequest, listing_id: int) -> HttpResponse:
    """Add or remove a listing (the button is swapped in place by htmx; without JS the page reloads)."""
    is_favourite = request.POST.get("action") != "remove"
    if is_favourite:
        try:
            services.add_favourite(user=request.user, listing_id=listing_id)
        except DomainError as error:
            messages.error(request, error.message)
            is_favourite = False
    else:
        services.remove_favourite(user=request.user, listing_id=listing_id)
    if request.htmx:
        return TemplateResponse(
            request, "buyers/_favourite_button.html", {"listing_id": listing_id, "is_favourite": is_favourite}
        )
    messages.success(request, _("Added to favourites.") if is_favourite else _("Removed from favourites."))
    return _back(request, "buyers:favourites")


@require_GET
def following(request: AuthenticatedRequest) -> HttpResponse:
    """What the buyer follows and the newest listings from those sellers and categories."""
    follows = list(selectors.follows(user=request.user))
    condition = Q()
    for follow in follows:
        if follow.seller_id:
            condition |= Q(seller_id=follow.seller_id)
        elif follow.category_id:
            condition |= Q(category__path__startswith=follow.category.path)
    listings = []
    if follows:
        listings = list(
            selectors.listing_model()
            .objects.published()
            .filter(condition)
            .select_related("seller__storefront", "cover_photo")
            .defer("search_vector", "description", "attributes")
            .order_by("-published_at", "-id")[:24]
        )
    suggested = selectors.frequently_viewed_categories(user=request.user, followed=follows)
    return TemplateResponse(
        request, "buyers/following.html", {"follows": follows, "listings": listings, "suggested": suggested}
    )


@require_POST
def follow(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "category":
        if request.POST.get("action") == "unfollow":
            services.unfollow(user=request.user, category_id=pk)
            messages.success(request, _("You no longer follow this category."))
        else:
            services.follow_category(user=request.user, category_id=pk)
            messages.success(request, _("You follow this category: we will tell you about new arrivals."))
    elif kind == "seller":
        if request.POST.get("action") == "unfollow":
            services.unfollow(user=request.user, seller_id=pk)
            messages.success(request, _("You no longer follow this seller."))
        else:
            services.follow_seller(user=request.user, seller_id=pk)
            messages.success(request, _("You follow this seller: we will tell you about new arrivals."))
    else:
        raise Http404
    return _back(request, "buyers:following")


@require_GET
def recent(request: AuthenticatedRequest) -> HttpResponse:
    return TemplateResponse(request, "buyers/recent.html", {"listings": selectors.recently_viewed(user=request.user)})


@require_POST
def recent_clear(request: AuthenticatedRequest) -> HttpResponse:
    services.clear_recently_viewed(user=request.user)
    messages.success(request, _("The list of viewed products is cleared."))
    return redirect("buyers:recent")


@require_GET
def stock_alerts(request: AuthenticatedRequest) -> HttpResponse:
    return TemplateResponse(
        request, "buyers/stock_alerts.html", {"subscriptions": selectors.stock_subscriptions(user=request.user)}
    )


@require_POST
def stock_alert_subscribe(request: AuthenticatedRequest, variant_id: int) -> HttpResponse:
    try:
        services.subscribe_back_in_stock(user=request.user, variant_id=variant_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("We will tell you once when it is back in stock."))
    return _back(request, "buyers:stock-alerts")


@require_POST
def stock_alert_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.unsubscribe_back_in_stock(user=request.user, subscription_id=pk)
    messages.success(request, _("The alert is cancelled."))
    return _back(request, "buyers:stock-alerts")


# Address book -------------------------------------------------------------------------------------------


def _book_context(request: AuthenticatedRequest, form: AddressForm | None = None) -> dict:
    return {"addresses": list(selectors.addresses(user=request.user)), "form": form or AddressForm()}


def _own_address(request: AuthenticatedRequest, pk: int) -> Address:
    """The buyer's own address; anyone else's answers 404 like a missing one."""
    return get_object_or_404(selectors.addresses(user=request.user), pk=pk)


def _book_response(request: AuthenticatedRequest, form: AddressForm | None = None) -> HttpResponse:
    return render_page_or_partial(
        request, "buyers/addresses.html", _book_context(request, form), partial="address-book"
    )


@require_http_methods(["GET", "POST"])
def addresses(request: AuthenticatedRequest) -> HttpResponse:
    """The address book: every address with its recipient, the default first, and a form to add one."""
    if request.method == "GET":
        return _book_response(request)
    form = AddressForm(request.POST)
    if form.is_valid():
        services.save_address(actor=request.user, address=form.save(commit=False))
        messages.success(request, _("The address is saved."))
        if not request.htmx:
            return redirect("buyers:addresses")
        form = None  # a fresh form under the updated list
    return _book_response(request, form)


@require_http_methods(["GET", "POST"])
def address_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    address = _own_address(request, pk)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.save_address(actor=request.user, address=form.save(commit=False))
        messages.success(request, _("The address is saved."))
        return redirect("buyers:addresses")
    return TemplateResponse(request, "buyers/address_edit.html", {"address": address, "form": form})


@require_POST
def address_default(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    address = _own_address(request, pk)
    services.set_default_address(actor=request.user, address=address)
    messages.success(request, _("Checkout will offer this address first."))
    if request.htmx:
        return _book_response(request)
    return redirect("buyers:addresses")


@require_http_methods(["GET", "POST"])
def address_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (and says what happens); POST deletes."""
    address = _own_address(request, pk)
    if request.method == "POST":
        services.delete_address(actor=request.user, address=address)
        messages.success(request, _("The address is deleted."))
        return redirect("buyers:addresses")
    return TemplateResponse(request, "buyers/address_delete.html", {"address": address})
