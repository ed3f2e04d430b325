"""Public pages: "Sell with us" and the storefronts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from marketplace.core.pagecache import anonymous_page_cache
from sellers import cabinet, selectors
from sellers.models import LegalForm, SellerStatus


def _commission_rows() -> list[tuple[str, Decimal]]:
    rows = cabinet.commission_rows()
    if rows:
        return rows
    # Until the catalogue publishes rates per category, the platform default applies everywhere.
    default = getattr(settings, "MARKETPLACE_CATALOG_DEFAULT_COMMISSION_PERCENT", None)
    return [("", Decimal(str(default)))] if default is not None else []


@login_not_required
@require_GET
def sell_landing(request: HttpRequest) -> TemplateResponse:
    membership = application = None
    if request.user.is_authenticated:
        membership = selectors.membership_for(user=request.user)
        if membership is None:
            application = selectors.applications_for_applicant(user=request.user).open().first()
    context = {
        "commission_rows": _commission_rows(),
        "review_sla_hours": settings.MARKETPLACE_SELLER_REVIEW_SLA_HOURS,
        "legal_forms": LegalForm,
        "membership": membership,
        "application": application,
    }
    return TemplateResponse(request, "sellers/sell_landing.html", context)


@login_not_required
@require_GET
@anonymous_page_cache
def storefront(request: HttpRequest, slug: str) -> TemplateResponse:
    storefront = selectors.storefront_for_public(slug=slug)
    if storefront is None:
        raise Http404
    seller = storefront.seller
    context = {
        "storefront": storefront,
        "seller": seller,
        "slots": cabinet.storefront_slots(storefront, request),
        "days_on_platform": (timezone.now() - seller.approved_at).days,
        "is_suspended": seller.status == SellerStatus.SUSPENDED or seller.offer_paused,
    }
    return TemplateResponse(request, "sellers/storefront.html", context)
