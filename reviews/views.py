"""HTTP for reviews: buyers write and vote, everyone reads, sellers reply, contest and appeal incidents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Listing
from catalog.selectors import search as search_rules
from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from orders.models import Incident, Order
from sellers import policies as seller_policies
from sellers.http import SellerRequest, seller_section_required
from sellers.models import Storefront
from sellers.policies import Section
from sellers.views.cabinet import cabinet_context

from . import forms, policies, selectors, services
from .models import FORMULA_VERSION, REPLY_MIN_CONVERSATIONS, ProductReview, ReviewStatus, SellerReply
from .services import ratings
from .svg import history_chart

PAGE_SIZE = 20


def list_params(request) -> dict:
    return {
        "stars": request.GET.get("stars", ""),
        "with_photos": request.GET.get("photos") == "1",
        "sort": request.GET.get("sort", "new") if request.GET.get("sort") in selectors.SORTS else "new",
    }


def _list_context(request, queryset, **extra) -> dict:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "reviews": page.object_list, "params": list_params(request), "sorts": SORT_LABELS(), **extra}


def SORT_LABELS() -> list[tuple[str, str]]:
    return [
        ("new", _("Newest")),
        ("helpful", _("Most helpful")),
        ("high", _("Highest rating")),
        ("low", _("Lowest rating")),
    ]


# Public ---------------------------------------------------------------------------------------------------------


@require_GET
@login_not_required
def listing_reviews(request, listing_id: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("seller__storefront"), pk=listing_id, status="published")
    queryset = selectors.published_reviews(listing_id=listing.pk, **list_params(request))
    context = _list_context(
        request, queryset, listing=listing, aggregate=selectors.listing_rating(listing_id=listing.pk),
        aspects=selectors.aspect_summaries(listing_id=listing.pk), base_url=request.path,
    )  # fmt: skip
    return render_page_or_partial(request, "reviews/listing_reviews.html", context, partial="review-list")


@require_GET
@login_not_required
def storefront_reviews(request, slug: str) -> HttpResponse:
    storefront = get_object_or_404(Storefront.objects.select_related("seller"), slug=slug)
    queryset = selectors.published_reviews(seller_id=storefront.seller_id, **list_params(request))
    context = _list_context(
        request, queryset, storefront=storefront, rating=selectors.seller_rating(seller_id=storefront.seller_id),
        base_url=request.path,
    )  # fmt: skip
    return render_page_or_partial(request, "reviews/storefront_reviews.html", context, partial="review-list")


@require_GET
@login_not_required
def formula(request) -> HttpResponse:
    standards = selectors.seller_standards()
    upcoming = selectors.upcoming_standards()
    context = {
        "version": FORMULA_VERSION,
        "prior_mean": ratings.PRIOR_MEAN,
        "prior_weight": ratings.PRIOR_WEIGHT,
        "score_days": ratings.SCORE_DAYS,
        "window_days": ratings.WINDOW_DAYS,
        "window_min_orders": ratings.WINDOW_MIN_ORDERS,
        "penalty": ratings.PENALTY,
        "weights": [
            (Incident(kind=kind).get_kind_display(), weight) for kind, weight in ratings.INCIDENT_WEIGHTS.items()
        ],
        "reply_deductions": standards.reply_deductions,
        "reply_min": REPLY_MIN_CONVERSATIONS,
        "bands": [(band.label, threshold) for band, threshold in standards.bands],
        "standards": standards,
        "upcoming": upcoming,
        "upcoming_changes": selectors.standards_changes(standards, upcoming) if upcoming else [],
        "changes": ratings.FORMULA_CHANGES,
    }
    return TemplateResponse(request, "reviews/formula.html", context)


# Buyers -------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def write_review(request, line_id: int) -> HttpResponse:
    """Write (or, within 30 days, edit) the review of one delivered order line."""
    line = get_object_or_404(selectors.order_line_for_buyer(user=request.user, line_id=line_id))
    review = ProductReview.objects.filter(order_line=line).prefetch_related("photos").first()
    if review is None and not policies.can_review_order(request.user, line.order):
        raise PermissionDenied
    if review is not None and not policies.can_edit_review(request.user, review):
        messages.info(request, _("This review can no longer be edited."))
        return redirect("reviews:mine")
    initial = (
        {"stars": str(review.stars), "text": review.text, "pros": review.pros, "cons": review.cons,
         "display_name": review.display_name,
         **forms.ProductReviewForm.aspect_initial(review.aspect_answers.select_related("aspect"))}
        if review else None
    )  # fmt: skip
    aspects = selectors.aspects_for_category(category_id=line.listing.category_id)
    form = forms.ProductReviewForm(request.POST or None, request.FILES or None, initial=initial, aspects=aspects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {key: data[key] for key in ("stars", "text", "pros", "cons", "display_name")}
        fields["aspects"] = form.aspect_answers()
        try:
            if review is None:
                review = services.write_product_review(
                    order_line=line, actor=request.user, photos=data["photos"], **fields
                )
            else:
                services.edit_product_review(
                    review=review, actor=request.user, photos=data["photos"],
                    remove_photo_ids=[int(pk) for pk in request.POST.getlist("remove_photo") if pk.isdigit()], **fields,
                )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            review.refresh_from_db()
            if review.status == ReviewStatus.PUBLISHED:
                messages.success(request, _("Thank you! Your review is published."))
            else:
                messages.info(request, _("Thank you! Your review will appear after a moderator checks it."))
            return redirect("orders:detail", line.order_id)
    context = {"form": form, "line": line, "review": review}
    return TemplateResponse(request, "reviews/review_form.html", context)


@require_http_methods(["GET", "POST"])
def write_seller_review(request, order_id: int) -> HttpResponse:
    order = get_object_or_404(Order.objects.select_related("seller__storefront"), pk=order_id, buyer=request.user)
    if selectors.seller_review_for(order=order) is not None:
        messages.info(request, _("You have already rated the seller for this order."))
        return redirect("orders:detail", order.pk)
    form = forms.SellerReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_seller_review(order=order, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you for rating the seller."))
            return redirect("orders:detail", order.pk)
    return TemplateResponse(request, "reviews/seller_review_form.html", {"form": form, "order": order})


@require_GET
def my_reviews(request) -> HttpResponse:
    reviews = (
        ProductReview.objects.filter(author=request.user)
        .select_related("listing", "reply")
        .prefetch_related("photos")
        .order_by("-created_at")
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "reviews/my_reviews.html", {"page": page, "reviews": page.object_list})


def _published_review(review_id: int) -> ProductReview:
    return get_object_or_404(
        ProductReview.objects.select_related("listing"), pk=review_id, status=ReviewStatus.PUBLISHED
    )


@require_POST
def vote(request, review_id: int) -> HttpResponse:
    review = _published_review(review_id)
    try:
        services.vote_helpful(review=review, actor=request.user)
        voted = True
    except DomainError as error:
        messages.info(request, error.message)
        voted = review.votes.filter(user=request.user).exists()
    except PermissionDenied:
        messages.info(request, _("You cannot vote for this review."))
        voted = False
    review.refresh_from_db()
    if getattr(request, "htmx", None):
        return TemplateResponse(request, "reviews/_vote.html", {"review": review, "voted": voted})
    return redirect(request.POST.get("next") or review.listing.get_absolute_url())


@require_http_methods(["GET", "POST"])
def report(request, review_id: int) -> HttpResponse:
    review = _published_review(review_id)
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_review(review=review, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        except PermissionDenied:
            form.add_error(None, _("You cannot report this review."))
        else:
            messages.success(request, _("Thank you: moderators will look at the review."))
            return redirect(review.listing.get_absolute_url())
    return TemplateResponse(request, "reviews/report_form.html", {"form": form, "review": review})


# Sellers -------------------------------------------------------------------------------------------------------


@require_GET
@seller_section_required(Section.REVIEWS)
def seller_reviews(request: SellerRequest) -> HttpResponse:
    unanswered = request.GET.get("unanswered") == "1"
    queryset = selectors.reviews_for_seller_cabinet(seller_id=request.seller.pk, unanswered=unanswered)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = cabinet_context(
        request, active="reviews", page=page, reviews=page.object_list, unanswered=unanswered,
        reply_form=forms.ReplyForm(), contest_form=forms.ContestForm(),
        reply_hours=selectors.reply_time_hours(seller_id=request.seller.pk),
    )  # fmt: skip
    return TemplateResponse(request, "reviews/seller/review_list.html", context)


@require_POST
@seller_section_required(Section.REVIEWS)
def seller_reply(request: SellerRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(ProductReview, pk=review_id, seller=request.seller)
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            existing = SellerReply.objects.filter(review=review).first()
            if existing is not None:
                services.edit_reply(reply=existing, actor=request.user, text=form.cleaned_data["text"])
            else:
                services.reply_to_review(review=review, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your reply is published under the review."))
    else:
        messages.error(request, _("Write the reply (up to 2000 characters)."))
    return redirect("reviews:seller-list")


@require_POST
@seller_section_required(Section.REVIEWS)
def seller_contest(request: SellerRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(ProductReview, pk=review_id, seller=request.seller)
    form = forms.ContestForm(request.POST)
    if form.is_valid():
        try:
            services.contest_review(review=review, actor=request.user, reason=form.cleaned_data["reason"])
        except (DomainError, PermissionDenied):
            messages.error(request, _("This review cannot be contested."))
        else:
            messages.success(request, _("Moderators will decide whether the review is about the product."))
    return redirect("reviews:seller-list")


@require_GET
@seller_section_required(Section.REVIEWS)
def seller_rating(request: SellerRequest) -> HttpResponse:
    history = selectors.rating_history(seller_id=request.seller.pk)
    rating = selectors.seller_rating(seller_id=request.seller.pk)
    # what the seller's standing does to their listings in search (catalog's published rule)
    weight = search_rules.standing_weight(request.seller.status, rating.band if rating else None)
    standards = selectors.seller_standards()
    context = cabinet_context(
        request, active="rating", rating=rating, search_change=search_rules.weight_change(weight),
        standards=standards, standing=selectors.standards_standing(rating=rating, standards=standards),
        upcoming=selectors.upcoming_standards(),
        window_days=ratings.WINDOW_DAYS, window_min_orders=ratings.WINDOW_MIN_ORDERS,
        incidents=selectors.incidents_for_seller(seller_id=request.seller.pk), chart=history_chart(history),
        history=history, can_appeal=seller_policies.can_access_section(request.seller_member, Section.CASES),
    )  # fmt: skip
    return TemplateResponse(request, "reviews/seller/rating.html", context)


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.CASES)
def seller_appeal(request: SellerRequest, incident_id: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("order"), pk=incident_id, seller=request.seller)
    form = forms.AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.appeal_incident(
                incident=incident, member=request.seller_member, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your appeal is open as a case; the platform answers within the deadline."))
            return redirect(appeal.case.get_absolute_url())
    context = cabinet_context(request, active="rating", incident=incident, form=form)
    return TemplateResponse(request, "reviews/seller/appeal.html", context)
