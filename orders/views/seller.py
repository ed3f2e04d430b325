"""Seller cabinet pages: orders (filters, bulk confirm, ship, packing slip), returns, delivery methods, money."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.core.exceptions import DomainError
from marketplace.ledger import selectors as ledger_selectors
from marketplace.ledger import services as ledger
from sellers.http import SellerRequest, seller_section_required
from sellers.policies import Section
from sellers.views.cabinet import cabinet_context

from .. import forms, policies, selectors, services
from ..models import DeliveryMethod, ReturnStatus


def _seller_order(request: SellerRequest, order_id: int):
    return get_object_or_404(selectors.orders_for_seller(seller=request.seller), pk=order_id)


@require_GET
@seller_section_required(Section.ORDERS)
def order_list(request: SellerRequest) -> HttpResponse:
    filters = selectors.SellerOrderFilter(request.GET)
    page = Paginator(selectors.orders_for_seller(seller=request.seller, filters=request.GET), 30).get_page(
        request.GET.get("page")
    )
    orders = list(page.object_list)
    # the cabinet's section check already made the user one of this seller's team: what is left is each order's
    # state (asking can_confirm_order per order would look the team seat up again for every row)
    confirmable = {order.pk for order in orders if policies.is_confirmable(order)}
    context = cabinet_context(
        request,
        active="orders",
        page=page,
        orders=orders,
        confirmable=confirmable,  # no checkboxes and no button on a page without one
        filters=filters,
        statuses=selectors.OrderStatus.choices,
    )
    return TemplateResponse(request, "orders/seller/order_list.html", context)


@require_POST
@seller_section_required(Section.ORDERS)
def bulk_confirm(request: SellerRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("order") if value.isdigit()]
    orders = selectors.orders_for_seller(seller=request.seller).filter(pk__in=ids)
    count = services.bulk_confirm(orders=list(orders), actor=request.user)
    messages.success(request, _("Orders confirmed: %(count)s.") % {"count": count})
    return redirect("orders:seller-list")


def seller_detail_context(request: SellerRequest, order, **extra) -> dict:
    user = request.user
    return cabinet_context(
        request,
        active="orders",
        order=order,
        lines=order.lines.all(),
        events=order.events.all(),
        deadlines=[deadline for deadline in order.deadlines.all() if deadline.done_at is None],
        returns=selectors.returns_for_seller(seller=request.seller).filter(order=order),
        show_contact=policies.can_see_buyer_contact(user, order),
        can_confirm=policies.can_confirm_order(user, order),
        ship_form=extra.pop("ship_form", None)
        or (
            forms.ShipForm()
            if policies.can_ship_order(user, order) or policies.can_confirm_order(user, order)
            else None
        ),
        cancel_form=extra.pop("cancel_form", None)
        or (forms.SellerCancelForm() if policies.can_cancel_order(user, order) else None),
        decision_form=forms.ReturnDecisionForm(),
        receipt_form=forms.ReturnReceiptForm(),
        **extra,
    )


@require_GET
@seller_section_required(Section.ORDERS)
def order_detail(request: SellerRequest, order_id: int) -> HttpResponse:
    order = _seller_order(request, order_id)
    return TemplateResponse(request, "orders/seller/order_detail.html", seller_detail_context(request, order))


@require_POST
@seller_section_required(Section.ORDERS)
def order_confirm(request: SellerRequest, order_id: int) -> HttpResponse:
    order = _seller_order(request, order_id)
    try:
        services.confirm_order(order=order, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(number)s is confirmed.") % {"number": order.number})
    return redirect("orders:seller-detail", order.pk)


@require_POST
@seller_section_required(Section.ORDERS)
def order_ship(request: SellerRequest, order_id: int) -> HttpResponse:
    order = _seller_order(request, order_id)
    form = forms.ShipForm(request.POST)
    if form.is_valid():
        try:
            services.ship_order(order=order, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Order %(number)s is shipped.") % {"number": order.number})
            return redirect("orders:seller-detail", order.pk)
    order = _seller_order(request, order_id)
    return TemplateResponse(
        request, "orders/seller/order_detail.html", seller_detail_context(request, order, ship_form=form)
    )


@require_POST
@seller_section_required(Section.ORDERS)
def order_cancel(request: SellerRequest, order_id: int) -> HttpResponse:
    order = _seller_order(request, order_id)
    form = forms.SellerCancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_order(order=order, actor=request.user, reason=form.cleaned_data["reason"])
        except (DomainError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", _("You cannot cancel this order.")))
        else:
            messages.success(
                request, _("Order %(number)s is cancelled; the buyer gets a refund.") % {"number": order.number}
            )
            return redirect("orders:seller-detail", order.pk)
    order = _seller_order(request, order_id)
    return TemplateResponse(
        request, "orders/seller/order_detail.html", seller_detail_context(request, order, cancel_form=form)
    )


@require_GET
@seller_section_required(Section.ORDERS)
def packing_slip(request: SellerRequest, order_id: int) -> HttpResponse:
    order = _seller_order(request, order_id)
    context = {
        "order": order,
        "slip": selectors.packing_slip(order),
        "seller": request.seller,
        "show_contact": policies.can_see_buyer_contact(request.user, order),
    }
    return TemplateResponse(request, "orders/seller/packing_slip.html", context)


# Returns ------------------------------------------------------------------------------------------------


@require_GET
@seller_section_required(Section.ORDERS)
def return_list(request: SellerRequest) -> HttpResponse:
    returns = selectors.returns_for_seller(seller=request.seller)[:100]
    return TemplateResponse(
        request, "orders/seller/return_list.html", cabinet_context(request, active="returns", returns=returns)
    )


@require_POST
@seller_section_required(Section.ORDERS)
def return_decide(request: SellerRequest, return_id: int) -> HttpResponse:
    return_obj = get_object_or_404(selectors.returns_for_seller(seller=request.seller), pk=return_id)
    form = forms.ReturnDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("orders:seller-detail", return_obj.order_id)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            services.approve_return(return_request=return_obj, actor=request.user, reason=data["reason"])
        elif data["decision"] == "reject":
            services.reject_return(return_request=return_obj, actor=request.user, reason=data["reason"])
        else:
            if data["amount"] is None:
                raise DomainError(_("Enter the partial refund amount."))
            services.offer_partial_refund(
                return_request=return_obj, actor=request.user, amount=data["amount"], reason=data["reason"]
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your decision is sent to the buyer."))
    return redirect("orders:seller-detail", return_obj.order_id)


@require_POST
@seller_section_required(Section.ORDERS)
def return_receive(request: SellerRequest, return_id: int) -> HttpResponse:
    return_obj = get_object_or_404(selectors.returns_for_seller(seller=request.seller), pk=return_id)
    form = forms.ReturnReceiptForm(request.POST)
    form.is_valid()
    if return_obj.status != ReturnStatus.APPROVED:
        messages.error(request, _("This return is not waiting for the items."))
    else:
        try:
            services.receive_return(
                return_request=return_obj, actor=request.user, resellable=form.cleaned_data.get("resellable", False)
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The return is received; the buyer gets the refund."))
    return redirect("orders:seller-detail", return_obj.order_id)


# Delivery methods ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.STORE)
def delivery_methods(request: SellerRequest, method_id: int | None = None) -> HttpResponse:
    instance = None
    if method_id is not None:
        instance = get_object_or_404(DeliveryMethod, pk=method_id, seller=request.seller)
    form = forms.DeliveryMethodForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        method = form.save(commit=False)
        method.seller = request.seller
        method.save()
        messages.success(request, _("The delivery method is saved."))
        return redirect("orders:seller-delivery")
    context = cabinet_context(
        request,
        active="delivery",
        form=form,
        instance=instance,
        methods=selectors.delivery_methods_for_seller(seller=request.seller),
    )
    return TemplateResponse(request, "orders/seller/delivery_methods.html", context)


# Return policy ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.STORE)
def return_policy(request: SellerRequest) -> HttpResponse:
    """The seller's own return period, frozen on each order line at purchase."""
    current = selectors.seller_return_days(seller_ids=[request.seller.pk]).get(request.seller.pk)
    form = forms.SellerReturnPolicyForm(request.POST or None, initial={"return_days": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_seller_return_policy(
                seller=request.seller, actor=request.user, return_days=form.cleaned_data["return_days"]
            )
        except DomainError as error:
            form.add_error("return_days", error.message)
        else:
            messages.success(request, _("The return policy is saved. It applies to orders placed from now on."))
            return redirect("orders:seller-return-policy")
    context = cabinet_context(
        request,
        active="return-policy",
        form=form,
        current=current,
        legal_minimum=settings.MARKETPLACE_ORDER_MIN_RETURN_DAYS,
    )
    return TemplateResponse(request, "orders/seller/return_policy.html", context)


# Money --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.FINANCE)
def money(request: SellerRequest) -> HttpResponse:
    form = forms.PayoutForm(request.POST or None, initial={"idempotency_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_seller_payout(
                seller=request.seller,
                actor=request.user,
                idempotency_key=str(form.cleaned_data["idempotency_key"]),
                amount=form.cleaned_data["amount"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The payout is requested; the bank usually takes one working day."))
            return redirect("orders:seller-money")
    statement = Paginator(ledger.statement_for(seller=request.seller), 50).get_page(request.GET.get("page"))
    statement.object_list = ledger_selectors.with_commissions(list(statement.object_list))
    context = cabinet_context(
        request,
        active="money",
        balance=ledger.seller_balance(seller=request.seller),
        statement=statement,
        payouts=ledger_selectors.payouts_for(seller=request.seller)[:20],
        form=form,
        minimum=ledger.payout_minimum(),
        destination=services.bank_destination(request.seller),
    )
    return TemplateResponse(request, "orders/seller/money.html", context)
