"""The seller cabinet's listing pages: list, create and edit with photos and variants, bulk prices and stock,
questions, import and export. Every page is scoped to the user's own seller; other sellers' listings 404."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from catalog import policies, selectors, services
from catalog.exceptions import InvalidImage, NotReadyForModeration, TooManyPhotos
from catalog.forms import (
    AnswerForm,
    AttributesForm,
    ImportForm,
    ListingForm,
    OptionNamesForm,
    PhotoArrangeForm,
    PhotoUploadForm,
    PromoForm,
    VariantFormSet,
)
from catalog.models import ImportJob, Listing, ListingQuestion, ListingRevision, ListingStatus, Variant
from catalog.selectors import competitors, insights
from catalog.selectors import pricing as price_selectors
from catalog.services import honest, imports, pricing, quality, rank_watch, sync
from catalog.services.listings import InvalidListing, OfferUpdate, uses_revisions, working_content
from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from sellers import policies as seller_policies
from sellers.http import seller_section_required
from sellers.policies import Section
from sellers.views.cabinet import cabinet_context

STATUS_TABS = [
    ("", _("All")),
    (ListingStatus.DRAFT, ListingStatus.DRAFT.label),
    (ListingStatus.PENDING, ListingStatus.PENDING.label),
    (ListingStatus.PUBLISHED, ListingStatus.PUBLISHED.label),
    (ListingStatus.REJECTED, ListingStatus.REJECTED.label),
    (ListingStatus.PAUSED, ListingStatus.PAUSED.label),
    (ListingStatus.BLOCKED, ListingStatus.BLOCKED.label),
    (ListingStatus.ARCHIVED, ListingStatus.ARCHIVED.label),
    ("low_stock", _("Restock")),
    ("to_check", _("Data to check")),
]


def _seller(request: HttpRequest):
    """The seller whose cabinet this is (set by seller_section_required)."""
    return request.seller


def _own_listing(request: HttpRequest, pk: int):
    """One of this seller's listings; another seller's listing does not exist here (404)."""
    seller = _seller(request)
    listing = selectors.seller_listing(seller=seller, pk=pk)
    if listing is None:
        raise Http404
    return seller, listing


@require_GET
@seller_section_required(Section.LISTINGS)
def listing_list(request: HttpRequest) -> HttpResponse:
    """The seller's listings with status, price and stock; tabs by status and a search by title or SKU."""
    seller = _seller(request)
    status = request.GET.get("status", "")
    query = request.GET.get("q", "")
    listings = selectors.listings_for_seller(seller=seller, status=status, query=query)
    page = Paginator(listings, 50).get_page(request.GET.get("page"))
    context = {
        "seller": seller,
        "page_obj": page,
        "listings": page.object_list,
        "tabs": STATUS_TABS,
        "status": status,
        "query": query[:100],
        "can_create": policies.seller_can_create_listings(seller),
    }
    context = cabinet_context(request, active="listings", **context)
    return render_page_or_partial(request, "catalog/seller/listing_list.html", context, partial="listing-table")


def _schema_for(category_id) -> list:
    tree = selectors.category_tree()
    node = tree.by_id.get(category_id) if category_id else None
    if node is None or not tree.is_leaf(node):
        return []
    return selectors.attribute_schema(node.id)


def _category_from_post(request: HttpRequest, fallback=None):
    try:
        return int(request.POST.get("category") or request.GET.get("category") or 0) or fallback
    except ValueError:
        return fallback


def _variant_inputs(formset, names: OptionNamesForm) -> list[services.VariantInput]:
    axis1 = (names.cleaned_data.get("option1_name") or "").strip() or _("Option 1")
    axis2 = (names.cleaned_data.get("option2_name") or "").strip() or _("Option 2")
    inputs = []
    for form in formset.kept_forms():
        data = form.cleaned_data
        options = {}
        if data.get("option1"):
            options[axis1] = data["option1"]
        if data.get("option2"):
            options[axis2] = data["option2"]
        inputs.append(
            services.VariantInput(
                id=data.get("id"),
                sku=data["sku"],
                price=data["price"],
                old_price=data.get("old_price"),
                on_hand=data["on_hand"],
                barcode=data.get("barcode") or "",
                options=options,
                is_active=data.get("is_active", False),
            )
        )
    return inputs


def _apply_errors(error: InvalidListing, form: ListingForm, attributes: AttributesForm, formset) -> None:
    for key, message in error.errors.items():
        if key.startswith("attr:") and key[5:] in attributes.fields:
            attributes.add_error(key[5:], message)
        elif key in form.fields:
            form.add_error(key, message)
        elif key.startswith("variants-"):
            _index, _sep, field = key[len("variants-") :].partition("-")
            index = int(_index) if _index.isdigit() else -1
            kept = formset.kept_forms()
            if 0 <= index < len(kept) and field in kept[index].fields:
                kept[index].add_error(field, message)
            else:
                form.add_error(None, message)
        elif key in ("sku", "on_hand", "price", "old_price"):
            form.add_error(None, message)
        else:
            form.add_error(None, message)


def _editor_context(request, *, seller, listing, form, attributes, formset, names) -> dict:
    photos = []
    revision = None
    if listing is not None:
        data = working_content(listing)
        by_id = {photo.pk: photo for photo in listing.photos.all()}
        photos = [
            (by_id[int(item["id"])], item.get("alt", "")) for item in data.get("photos", []) if int(item["id"]) in by_id
        ]
        if uses_revisions(listing):
            revision = listing.revisions.filter(status="pending").first()
    return {
        "seller": seller,
        "listing": listing,
        "form": form,
        "attributes_form": attributes,
        "formset": formset,
        "names_form": names,
        "photos": photos,
        "upload_form": PhotoUploadForm(),
        "revision": revision,
        "readiness": services.listings.readiness_problems(listing)
        if listing and listing.status in ("draft", "rejected")
        else [],
        "quality": quality.assess(listing, data=working_content(listing), photos=len(photos)) if listing else None,
        "may_see_prices": seller_policies.can_access_section(request.seller_member, Section.STOCK),
        "packaging": selectors.packaging_requirements(),
        "honest_min_days": honest.min_days(),
        "honest_window_days": honest.window_days(),
    }


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.LISTINGS)
def listing_create(request: HttpRequest) -> HttpResponse:
    """A new listing as a draft: content, characteristics of its category, variants. Photos come next."""
    seller = _seller(request)
    if not policies.seller_can_create_listings(seller):
        messages.error(request, policies.seller_cannot_sell_error(seller).message)
        return redirect("catalog:seller-listing-list")
    category_id = _category_from_post(request)
    schema = _schema_for(category_id)
    if request.method == "POST":
        form = ListingForm(request.POST)
        attributes = AttributesForm(request.POST, schema=schema)
        formset = VariantFormSet(request.POST, prefix="variants")
        names = OptionNamesForm(request.POST)
        if "refresh" not in request.POST and all(part.is_valid() for part in (form, attributes, formset, names)):
            try:
                listing = services.create_listing(
                    seller=seller,
                    actor=request.user,
                    content=_content(form, attributes),
                    variants=_variant_inputs(formset, names),
                    details=form.details(),
                )
            except InvalidListing as error:
                _apply_errors(error, form, attributes, formset)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The draft is saved. Add photos, then send it to moderation."))
                return redirect("catalog:seller-listing-edit", pk=listing.pk)
    else:
        form = ListingForm(initial={"category": category_id})
        attributes = AttributesForm(schema=schema)
        formset = VariantFormSet(prefix="variants")
        names = OptionNamesForm()
    context = _editor_context(
        request, seller=seller, listing=None, form=form, attributes=attributes, formset=formset, names=names
    )
    return TemplateResponse(
        request, "catalog/seller/listing_form.html", cabinet_context(request, active="listings", **context)
    )


def _content(form: ListingForm, attributes: AttributesForm) -> services.ListingContent:
    data = form.cleaned_data
    return services.ListingContent(
        title=data["title"],
        category_id=data["category"],
        description=data.get("description") or "",
        brand_name=data.get("brand") or "",
        attributes=attributes.values(),
        package_contents=data.get("package_contents") or "",
    )


def _initial_forms(listing: Listing):
    data = working_content(listing)
    schema = _schema_for(data["category_id"])
    form = ListingForm(
        initial={
            "title": data["title"],
            "category": data["category_id"],
            "brand": data["brand_name"],
            "description": data["description"],
            "package_contents": data["package_contents"],
            **{name: getattr(listing, name) for name in ListingForm.DETAIL_FIELDS},
        }
    )
    attributes = AttributesForm(schema=schema, initial=AttributesForm.initial_from(schema, data["attributes"]))
    variants = list(listing.variants.all())
    axes: list[str] = []
    for variant in variants:
        for axis in variant.options:
            if axis not in axes:
                axes.append(axis)
    initial = [
        {
            "id": variant.pk,
            "sku": variant.sku,
            "option1": variant.options.get(axes[0], "") if axes else "",
            "option2": variant.options.get(axes[1], "") if len(axes) > 1 else "",
            "price": variant.regular_price,
            "old_price": variant.old_price,
            "on_hand": variant.on_hand,
            "barcode": variant.barcode,
            "is_active": variant.is_active,
        }
        for variant in variants
    ]
    formset = VariantFormSet(prefix="variants", initial=initial)
    names = OptionNamesForm(
        initial={"option1_name": axes[0] if axes else "", "option2_name": axes[1] if len(axes) > 1 else ""}
    )
    return form, attributes, formset, names


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.LISTINGS)
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a listing. On a published one, content changes wait for a moderator; price and stock apply at once."""
    seller, listing = _own_listing(request, pk)
    if request.method == "POST":
        schema = _schema_for(_category_from_post(request, listing.category_id))
        form = ListingForm(request.POST, initial={"restock_date": listing.restock_date})  # a kept past date is fine
        attributes = AttributesForm(request.POST, schema=schema)
        formset = VariantFormSet(request.POST, prefix="variants")
        names = OptionNamesForm(request.POST)
        if "refresh" not in request.POST and all(part.is_valid() for part in (form, attributes, formset, names)):
            try:
                outcome = services.listings.edit_listing(
                    listing=listing,
                    actor=request.user,
                    content=_content(form, attributes),
                    details=form.details(),
                    variants=_variant_inputs(formset, names),
                )
            except InvalidListing as error:
                _apply_errors(error, form, attributes, formset)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if isinstance(outcome, ListingRevision):
                    messages.success(
                        request,
                        _("Saved. Price and stock apply now; the other changes appear after moderation."),
                    )
                else:
                    messages.success(request, _("The listing is saved."))
                return redirect("catalog:seller-listing-edit", pk=listing.pk)
    else:
        form, attributes, formset, names = _initial_forms(listing)
    context = _editor_context(
        request, seller=seller, listing=listing, form=form, attributes=attributes, formset=formset, names=names
    )
    return TemplateResponse(
        request, "catalog/seller/listing_form.html", cabinet_context(request, active="listings", **context)
    )


@require_GET
@seller_section_required(Section.LISTINGS)
def attributes_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the characteristics fields of the chosen category (the editor swaps them in)."""
    _seller(request)
    schema = _schema_for(_category_from_post(request))
    return TemplateResponse(
        request, "catalog/seller/_attributes.html", {"attributes_form": AttributesForm(schema=schema)}
    )


@require_POST
@seller_section_required(Section.LISTINGS)
def photos_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload one or several photos; each is checked on its own and the reasons are listed."""
    _seller_obj, listing = _own_listing(request, pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    added = 0
    if form.is_valid():
        for upload in form.cleaned_data["photos"]:
            try:
                services.add_photo(listing=listing, actor=request.user, upload=upload, alt=request.POST.get("alt", ""))
            except (InvalidImage, TooManyPhotos, DomainError) as error:
                messages.error(request, f"{upload.name[:80]}: {error.message}")
            else:
                added += 1
    else:
        messages.error(request, _("Choose one or more photos to upload."))
    if added:
        messages.success(request, _("Photos added: %(count)s.") % {"count": added})
    return _back_to_photos(request, listing)


def _back_to_photos(request: HttpRequest, listing: Listing) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRefresh()  # the same page again, with the photos and the messages
    return redirect(reverse("catalog:seller-listing-edit", kwargs={"pk": listing.pk}) + "#photos")


@require_POST
@seller_section_required(Section.LISTINGS)
def photos_arrange(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the photos' order (the first is the main photo) and alt texts."""
    _seller_obj, listing = _own_listing(request, pk)
    photo_ids = [int(item["id"]) for item in working_content(listing).get("photos", [])]
    form = PhotoArrangeForm(request.POST, photo_ids=photo_ids)
    if form.is_valid():
        try:
            services.arrange_photos(listing=listing, actor=request.user, photos=form.arrangement())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The order and descriptions of the photos are saved."))
    else:
        messages.error(request, _("Check the photo positions: whole numbers from 0 to 100."))
    return _back_to_photos(request, listing)


@require_POST
@seller_section_required(Section.LISTINGS)
def photo_delete(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    _seller_obj, listing = _own_listing(request, pk)
    photo = get_object_or_404(listing.photos, pk=photo_id)
    try:
        services.remove_photo(photo=photo, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The photo is removed."))
    return _back_to_photos(request, listing)


ACTIONS = {
    "submit": (services.submit_for_moderation, _("The listing is sent to moderation.")),
    "withdraw": (services.withdraw_listing, _("The listing is back in drafts.")),
    "pause": (services.pause_listing, _("The listing is hidden from buyers.")),
    "resume": (services.resume_listing, _("The listing is on sale again.")),
    "archive": (services.archive_listing, _("The listing is archived.")),
    "restore": (services.restore_listing, _("The listing is restored as a draft.")),
    "confirm": (services.confirm_listing_data, _("Thank you: the listing's data is confirmed as current.")),
}


@require_POST
@seller_section_required(Section.LISTINGS)
def listing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Status buttons of the cabinet (send to moderation, pause, archive…) and duplicate."""
    _seller_obj, listing = _own_listing(request, pk)
    if action == "duplicate":
        try:
            copy = services.duplicate_listing(listing=listing, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("catalog:seller-listing-edit", pk=listing.pk)
        messages.success(request, _("A copy is created as a draft. Change what differs and add stock."))
        return redirect("catalog:seller-listing-edit", pk=copy.pk)
    if action not in ACTIONS:
        raise Http404
    function, success = ACTIONS[action]
    try:
        function(listing=listing, actor=request.user)
    except NotReadyForModeration as error:
        for problem in error.problems:
            messages.error(request, problem)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    next_url = request.POST.get("next", "")
    if next_url == "list":
        return redirect("catalog:seller-listing-list")
    if next_url == "to_check":
        return redirect(reverse("catalog:seller-listing-list") + "?status=to_check")
    return redirect("catalog:seller-listing-edit", pk=listing.pk)


def _decimal(value: str) -> Decimal | None:
    value = (value or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.STOCK)
def offers(request: HttpRequest) -> HttpResponse:
    """Prices and stock of all variants on one page, edited inline and saved together."""
    seller = _seller(request)
    query = request.GET.get("q", "")
    low_only = request.GET.get("low") == "1"
    variants = selectors.listings.variants_for_seller(seller=seller, query=query, low_stock_only=low_only)
    page = Paginator(variants, 50).get_page(request.GET.get("page"))
    errors: dict[int, str] = {}
    if request.method == "POST":
        updates = []
        for variant in page.object_list:
            prefix = f"v{variant.pk}-"
            if f"{prefix}on_hand" not in request.POST:
                continue
            try:
                price = _decimal(request.POST.get(f"{prefix}price", ""))
                old_price = _decimal(request.POST.get(f"{prefix}old_price", ""))
                on_hand_text = request.POST.get(f"{prefix}on_hand", "").strip()
                on_hand = int(on_hand_text) if on_hand_text else None
            except ValueError:
                errors[variant.pk] = _("Enter numbers.")
                continue
            changed = (
                (price is not None and price != variant.regular_price)
                or (old_price != variant.old_price)
                or (on_hand is not None and on_hand != variant.on_hand)
            )
            if changed:
                updates.append(
                    OfferUpdate(
                        variant_id=variant.pk,
                        price=price if price != variant.regular_price else None,
                        old_price=old_price if old_price != variant.old_price else None,
                        clear_old_price=old_price is None and variant.old_price is not None,
                        on_hand=on_hand if on_hand != variant.on_hand else None,
                    )
                )
        if updates:
            errors.update(services.listings.bulk_update_offers(seller=seller, actor=request.user, updates=updates))
        if errors:
            messages.error(request, _("Some rows were not saved; see the messages next to them."))
        else:
            messages.success(request, _("Prices and stock are saved."))
            return redirect(request.get_full_path())
        page = Paginator(variants, 50).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    syncs = price_selectors.recent_syncs(seller=seller)
    hidden = price_selectors.hidden_old_prices(on_page)
    for variant in on_page:
        variant.hidden_old_price = hidden.get(variant.pk)
    context = {
        "seller": seller,
        "page_obj": page,
        "variants": on_page,
        "errors": errors,
        "query": query[:100],
        "low_only": low_only,
        "may_price": policies.can_manage_listings(request.user, seller),
        "syncs": syncs,
        "syncs_running": any(not done.is_finished for done in syncs),
    }
    return render_page_or_partial(
        request, "catalog/seller/offers.html", cabinet_context(request, active="offers", **context), partial="syncs"
    )


@require_GET
@seller_section_required(Section.LISTINGS)
def listing_competitors(request: HttpRequest, pk: int) -> HttpResponse:
    """Other sellers' offers of the same or a similar product, and where this listing's price stands (spec 42)."""
    seller = _seller(request)
    listing = selectors.listings.seller_listing(seller=seller, pk=pk)
    if listing is None:
        raise Http404
    context = {"listing": listing, "result": competitors.benchmark(listing)}
    return TemplateResponse(
        request, "catalog/seller/competitors.html", cabinet_context(request, active="listings", **context)
    )


@require_POST
@seller_section_required(Section.STOCK)
def offers_yml(request: HttpRequest) -> HttpResponse:
    """Prices and stock from a YML file the seller's shop system exports, or a CSV or XLSX table (spec 37): valid
    rows saved, the rest reported on the Prices and stock page."""
    seller = _seller(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a YML, CSV or XLSX file to upload."))
        return redirect("catalog:seller-offers")
    try:
        done = sync.sync_file(
            seller=seller, actor=request.user, data=upload.read(sync.YML_MAX_BYTES + 1), file_name=upload.name
        )
    except sync.InvalidSync as error:
        messages.error(request, error.message)
    else:
        if not done.is_finished:
            messages.success(
                request,
                ngettext(
                    "The file has %(rows)s offer: it is being saved in the background; the progress is below.",
                    "The file has %(rows)s offers: they are being saved in the background; the progress is below.",
                    done.rows,
                )
                % {"rows": done.rows},
            )
            return redirect(reverse("catalog:seller-offers") + "#syncs-title")
        messages.success(
            request,
            _("The file is read: %(saved)s of %(rows)s offers saved, %(rejected)s rejected (see below).")
            % {"saved": done.updated, "rows": done.rows, "rejected": done.rejected},
        )
    return redirect(reverse("catalog:seller-offers") + "#syncs-title")


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.STOCK)
def variant_price(request: HttpRequest, pk: int) -> HttpResponse:
    """One variant's prices: what buyers see and why, a promo price for a period, and the price history."""
    seller = _seller(request)
    try:
        variant = price_selectors.seller_variant(seller=seller, variant_id=pk)
    except Variant.DoesNotExist:
        raise Http404 from None
    may_price = policies.can_manage_listings(request.user, seller)
    form = PromoForm(initial={"starts_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and request.POST.get("action") == "end":
        try:
            pricing.end_promo(seller=seller, actor=request.user, variant_id=variant.pk)
        except pricing.InvalidPromo as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The promo is over; the regular price is back."))
        return redirect("catalog:seller-variant-price", pk=variant.pk)
    if request.method == "POST":
        form = PromoForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            promo = pricing.PromoInput(price=data["price"], starts_at=data["starts_at"], ends_at=data["ends_at"])
            try:
                variant = pricing.set_promo(seller=seller, actor=request.user, variant_id=variant.pk, promo=promo)
            except pricing.InvalidPromo as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                running = variant.promo_running
                messages.success(request, _("The promo is running.") if running else _("The promo is scheduled."))
                return redirect("catalog:seller-variant-price", pk=variant.pk)
    context = {
        "variant": variant,
        "listing": variant.listing,
        "form": form,
        "may_price": may_price,
        "hidden_old_price": price_selectors.hidden_old_prices([variant]).get(variant.pk),
        "regular_days": price_selectors.regular_price_days(variant),
        "min_days": honest.min_days(),
        "window_days": honest.window_days(),
        "history": price_selectors.price_history(variant),
        "history_days": price_selectors.HISTORY_DAYS,
    }
    return TemplateResponse(
        request, "catalog/seller/variant_price.html", cabinet_context(request, active="offers", **context)
    )


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.LISTINGS)
def search_insights(request: HttpRequest) -> HttpResponse:
    """What buyers searched for in the seller's categories over 30 days, what they found nothing for, and where
    the listings the seller follows stand for chosen queries."""
    seller = _seller(request)
    watch_error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unwatch":
                rank_watch.stop_watching(seller=seller, actor=request.user, watch_id=_int(request.POST.get("watch")))
                messages.success(request, _("You no longer follow this position."))
            else:
                rank_watch.watch_position(
                    seller=seller,
                    actor=request.user,
                    listing_id=_int(request.POST.get("listing")),
                    query=request.POST.get("query", "")[:200],
                )
                messages.success(request, _("Following: the position is recorded every morning."))
        except DomainError as error:
            watch_error = error.message
        else:
            return redirect("catalog:seller-search-insights")
    category_ids = insights.seller_category_ids(seller=seller)
    context = cabinet_context(
        request,
        watches=insights.position_watches(seller=seller),
        watchable=insights.listings_to_watch(seller=seller),
        watch_error=watch_error,
        max_watches=rank_watch.MAX_WATCHES,
        active="insights",
        categories=insights.category_names(category_ids),
        frequent=insights.queries_in_categories(category_ids=category_ids),
        rare=insights.queries_in_categories(category_ids=category_ids, frequent=False),
        nothing_found=insights.queries_without_results(),
        period_days=insights.PERIOD_DAYS,
        min_searches=insights.MIN_SEARCHES,
    )
    return TemplateResponse(request, "catalog/seller/search_insights.html", context, status=400 if watch_error else 200)


def _int(value: object) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else 0


@require_GET
@seller_section_required(Section.LISTINGS)
def questions(request: HttpRequest) -> HttpResponse:
    """Buyers' questions waiting for the seller's answer, oldest first."""
    seller = _seller(request)
    page = Paginator(selectors.unanswered_questions_for_seller(seller=seller), 30).get_page(request.GET.get("page"))
    context = cabinet_context(request, active="questions", page_obj=page, questions=page.object_list)
    return TemplateResponse(request, "catalog/seller/questions.html", context)


@require_POST
@seller_section_required(Section.LISTINGS)
def answer_question(request: HttpRequest, pk: int) -> HttpResponse:
    seller = _seller(request)
    question = get_object_or_404(
        ListingQuestion.objects.select_related("listing__seller"), pk=pk, listing__seller=seller
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_question(question=question, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            question.refresh_from_db()
            if question.answer_status == "published":
                messages.success(request, _("Your answer is published."))
            else:
                messages.info(request, _("Your answer will appear after a moderator checks it."))
    else:
        messages.error(request, _("Write an answer."))
    if request.POST.get("next") == "listing":
        return redirect(question.listing.get_absolute_url() + "#questions")
    return redirect("catalog:seller-questions")


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.LISTINGS)
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload an XLSX/CSV file (dry run by default); the job page follows its progress."""
    seller = _seller(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = imports.start_import(
            seller=seller,
            actor=request.user,
            upload=form.cleaned_data["file"],
            mode=form.cleaned_data["mode"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("catalog:seller-import-job", pk=job.pk)
    context = {
        "seller": seller,
        "form": form,
        "jobs": ImportJob.objects.filter(seller=seller).order_by("-created_at")[:10],
        "categories": selectors.category_tree().leaves(),
    }
    return TemplateResponse(request, "catalog/seller/import.html", cabinet_context(request, active="import", **context))


@require_GET
@seller_section_required(Section.LISTINGS)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress (the htmx partial polls while it runs) and, when done, every row's errors."""
    seller = _seller(request)
    job = get_object_or_404(ImportJob, pk=pk, seller=seller)
    context = cabinet_context(request, active="import", job=job)
    return render_page_or_partial(request, "catalog/seller/import_job.html", context, partial="job-status")


@require_GET
@seller_section_required(Section.LISTINGS)
def import_template(request: HttpRequest) -> HttpResponse:
    """A file with the columns for one category (its characteristics included) and an example row."""
    _seller(request)
    tree = selectors.category_tree()
    try:
        node = tree.by_id.get(int(request.GET.get("category", "0")))
    except ValueError:
        node = None
    if node is None or not tree.is_leaf(node):
        raise Http404
    header, rows = imports.template_rows(category_id=node.id)
    return _file_response(request, f"template-{node.slug}", header, rows)


@require_GET
@seller_section_required(Section.LISTINGS)
def export(request: HttpRequest) -> HttpResponse:
    """The seller's listings, one row per variant, in the import's columns (edit and upload back)."""
    seller = _seller(request)
    header, rows = imports.export_rows(seller=seller, tz=request.user.tzinfo)
    return _file_response(request, "listings", header, rows)


def _file_response(request: HttpRequest, name: str, header, rows) -> HttpResponse:
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(imports.to_csv(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(
        imports.to_xlsx(header, rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
