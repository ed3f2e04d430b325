"""Buyer pages: cart, checkout, payment return, orders grouped by checkout, order page, cancel, delivery, returns."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buyers import services as buyer_services
from buyers.models import Address
from catalog.exceptions import InvalidImage
from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from marketplace.core.http import AuthenticatedRequest
from marketplace.ledger import services as ledger

from .. import forms, policies, selectors, services
from ..cart_session import current_cart
from ..models import CartLine, ReturnStatus

# Cart ---------------------------------------------------------------------------------------------------


def _cart_page(request, *, status: int = 200) -> TemplateResponse:
    cart = current_cart(request, create=False)
    context = {"cart": selectors.cart_view(cart), "line_form": forms.CartLineForm()}
    return render_page_or_partial(request, "orders/cart.html", context, partial="cart-panel", status=status)


@login_not_required
@require_GET
def cart(request) -> HttpResponse:
    return _cart_page(request)


@login_not_required
@require_POST
def cart_add(request) -> HttpResponse:
    form = forms.AddToCartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("orders:cart")
    try:
        line, capped = services.add_to_cart(
            cart=current_cart(request), variant_id=form.cleaned_data["variant"], quantity=form.cleaned_data["quantity"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if capped:
            messages.warning(
                request, _("Only %(count)s in stock: the cart holds all of them.") % {"count": line.quantity}
            )
        else:
            messages.success(request, _("Added to the cart."))
    return redirect("orders:cart")


def _line_action(request, line_id: int, action) -> HttpResponse:
    cart_obj = current_cart(request, create=False)
    if cart_obj is None or not CartLine.objects.filter(cart=cart_obj, pk=line_id).exists():
        raise Http404
    try:
        action(cart_obj)
    except DomainError as error:
        messages.error(request, error.message)
    if request.htmx:
        return _cart_page(request)
    return redirect("orders:cart")


@login_not_required
@require_POST
def cart_update(request, line_id: int) -> HttpResponse:
    form = forms.CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["quantity"][0])
        return _cart_page(request, status=200) if request.htmx else redirect("orders:cart")

    def action(cart_obj):
        line, capped = services.update_cart_line(cart=cart_obj, line_id=line_id, quantity=form.cleaned_data["quantity"])
        if capped:
            messages.warning(request, _("Only %(count)s in stock.") % {"count": line.quantity})

    return _line_action(request, line_id, action)


@login_not_required
@require_POST
def cart_remove(request, line_id: int) -> HttpResponse:
    return _line_action(request, line_id, lambda cart_obj: services.remove_cart_line(cart=cart_obj, line_id=line_id))


@login_not_required
@require_POST
def cart_save(request, line_id: int) -> HttpResponse:
    saved = request.POST.get("saved", "1") == "1"
    return _line_action(
        request, line_id, lambda cart_obj: services.save_for_later(cart=cart_obj, line_id=line_id, saved=saved)
    )


# Checkout -----------------------------------------------------------------------------------------------


def _checkout_context(request: AuthenticatedRequest, form=None, address_form=None) -> dict:
    cart_obj = current_cart(request)
    address_id = (form.data.get("address") if form is not None and form.is_bound else None) or None
    addresses = Address.objects.filter(user=request.user)
    address = addresses.filter(pk=address_id).first() if address_id and str(address_id).isdigit() else addresses.first()
    view = selectors.cart_view(cart_obj, region=address.region if address else "")
    selectors.annotate_return_terms(view.groups)
    if form is None:
        form = forms.CheckoutForm(buyer=request.user, groups=view.groups)
    totals = []
    grand = view.subtotal
    for group in view.groups:
        method = next(iter(group.methods), None)
        chosen = form[f"delivery_{group.seller.pk}"].value() if f"delivery_{group.seller.pk}" in form.fields else None
        method = next((m for m in group.methods if str(m.pk) == str(chosen)), method)
        cost = method.cost_for(subtotal=group.subtotal, weight_g=group.weight_g) if method else None
        group.delivery_cost = cost
        group.method_costs = [(m, m.cost_for(subtotal=group.subtotal, weight_g=group.weight_g)) for m in group.methods]
        if cost is not None:
            grand += cost
        totals.append(cost)
    return {
        "cart": view,
        "form": form,
        "address_form": address_form or forms.AddressForm(),
        "addresses": addresses,
        "address": address,
        "grand_total": grand,
    }


@require_http_methods(["GET", "POST"])
def checkout(request: AuthenticatedRequest) -> HttpResponse:
    cart_obj = current_cart(request)
    if request.method == "GET":
        context = _checkout_context(request)
        if not context["cart"].groups:
            messages.info(request, _("Your cart is empty."))
            return redirect("orders:cart")
        return TemplateResponse(request, "orders/checkout.html", context)
    view = selectors.cart_view(cart_obj)
    form = forms.CheckoutForm(request.POST, buyer=request.user, groups=view.groups)
    if form.is_valid():
        try:
            group = services.place_order(
                buyer=request.user,
                checkout_key=form.cleaned_data["checkout_key"],
                address=form.cleaned_data["address"],
                delivery_method_ids=form.delivery_method_ids(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("orders:pay", group.pk)
    elif not view.groups:
        from ..models import OrderGroup

        # A replayed POST after the cart was emptied by the first one: the first result.
        key = request.POST.get("checkout_key", "")
        group = OrderGroup.objects.filter(buyer=request.user, checkout_key=key).first() if len(key) == 36 else None
        if group is not None:
            return redirect("orders:pay", group.pk)
        form.add_error(None, _("Your cart is empty."))
    context = _checkout_context(request, form=form)
    return TemplateResponse(request, "orders/checkout.html", context, status=200)


@require_POST
def address_add(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.AddressForm(request.POST)
    if form.is_valid():
        buyer_services.save_address(actor=request.user, address=form.save(commit=False))
        messages.success(request, _("The address is saved."))
        return redirect("orders:checkout")
    context = _checkout_context(request, address_form=form)
    return TemplateResponse(request, "orders/checkout.html", context)


@require_GET
def pay(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """After the checkout committed: off to the provider's page (asked once; a retry reuses the answer)."""
    group = selectors.group_for_buyer(buyer=request.user, group_id=group_id)
    if group is None:
        raise Http404
    if group.is_paid or group.is_expired or group.payment is None:
        return redirect("orders:payment-return", group.pk)
    try:
        return redirect(ledger.redirect_url_for_payment(payment=group.payment))
    except DomainError:
        return redirect("orders:payment-return", group.pk)


@require_POST
def pay_again(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group = selectors.group_for_buyer(buyer=request.user, group_id=group_id)
    if group is None:
        raise Http404
    services.retry_payment(group=group, actor=request.user)
    return redirect("orders:pay", group.pk)


@require_GET
def payment_return(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """ "Payment is processing" until the webhook lands; htmx polls the status panel."""
    group = selectors.group_for_buyer(buyer=request.user, group_id=group_id)
    if group is None:
        raise Http404
    if group.payment is not None:
        group.payment.refresh_from_db()
    context = {"group": group, "payment": group.payment}
    return render_page_or_partial(request, "orders/payment_return.html", context, partial="payment-status")


# Orders -------------------------------------------------------------------------------------------------


@require_GET
def order_list(request: AuthenticatedRequest) -> HttpResponse:
    groups = selectors.groups_for_buyer(buyer=request.user).exclude(paid_at__isnull=True, expired_at__isnull=False)
    return TemplateResponse(request, "orders/order_list.html", {"groups": groups[:50]})


def order_detail_context(request, order, **extra) -> dict:
    user = request.user
    open_return = next(
        (r for r in order.returns.all() if r.status in ("requested", "partial_offered", "approved", "received")), None
    )
    return {
        "order": order,
        "lines": order.lines.all(),
        "events": order.events.all(),
        "deadlines": [deadline for deadline in order.deadlines.all() if deadline.done_at is None],
        "returns": order.returns.all(),
        "open_return": open_return,
        "cancel_form": extra.pop("cancel_form", None)
        or (forms.CancelOrderForm() if policies.can_cancel_order(user, order) else None),
        "can_confirm_delivery": policies.can_confirm_delivery(user, order),
        "can_request_return": policies.can_request_return(user, order),
        "window_days": services.return_window_days(order) if order.delivered_at else None,
        **extra,
    }


def _buyer_order(request, order_id: int):
    return get_object_or_404(selectors.orders_for_buyer(buyer=request.user), pk=order_id)


@require_GET
def order_detail(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    return TemplateResponse(request, "orders/order_detail.html", order_detail_context(request, order))


@require_POST
def order_cancel(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    form = forms.CancelOrderForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_order(order=order, actor=request.user, reason=form.cleaned_data["reason"])
        except (DomainError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", _("You cannot cancel this order.")))
        else:
            messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
            return redirect(order)
    order = _buyer_order(request, order_id)
    return TemplateResponse(request, "orders/order_detail.html", order_detail_context(request, order, cancel_form=form))


@require_POST
def order_confirm_delivery(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    try:
        services.confirm_delivery(order=order, actor=request.user)
    except (DomainError, PermissionDenied):
        messages.error(request, _("This order cannot be marked as received now."))
    else:
        messages.success(request, _("Thank you! Order %(number)s is marked as received.") % {"number": order.number})
    return redirect(order)


@require_http_methods(["GET", "POST"])
def return_request(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    if not policies.can_request_return(request.user, order):
        messages.error(request, _("This order cannot be returned now."))
        return redirect(order)
    form = forms.ReturnRequestForm(request.POST or None, request.FILES or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_return(
                order=order,
                actor=request.user,
                quantities=form.quantities(),
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                resolution=form.cleaned_data["resolution"],
                exchange_variant_id=form.cleaned_data["exchange_variant"],
                photos=request.FILES.getlist("photos"),
            )
        except (DomainError, InvalidImage) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your return request is sent to the seller."))
            return redirect(order)
    variants = order.lines.all()[0].listing.variants.filter(is_active=True) if order.lines.all() else []
    return TemplateResponse(request, "orders/return_request.html", {"order": order, "form": form, "variants": variants})


@require_POST
def return_answer(request: AuthenticatedRequest, return_id: int) -> HttpResponse:
    return_obj = get_object_or_404(selectors.returns_for_buyer(buyer=request.user), pk=return_id)
    try:
        services.answer_partial_offer(
            return_request=return_obj, actor=request.user, accept=request.POST.get("accept") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(return_obj.order)


@require_POST
def return_sent(request: AuthenticatedRequest, return_id: int) -> HttpResponse:
    return_obj = get_object_or_404(selectors.returns_for_buyer(buyer=request.user), pk=return_id)
    if return_obj.status != ReturnStatus.APPROVED:
        raise Http404
    try:
        services.mark_return_sent(
            return_request=return_obj, actor=request.user, tracking_number=request.POST.get("tracking_number", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you. The seller will confirm receipt."))
    return redirect(return_obj.order)
