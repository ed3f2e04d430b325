"""The sandbox's hosted payment pages: what the buyer sees on the acquirer's side."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ...models import SandboxPayment, SandboxPaymentStatus
from . import acquirer
from .cards import TEST_CARDS, THREE_DS_CODE
from .forms import CardForm, ThreeDSForm

S = SandboxPaymentStatus


def _context(payment: SandboxPayment, **extra) -> dict:
    return {"payment": payment, "test_cards": TEST_CARDS, "three_ds_code": THREE_DS_CODE, **extra}


def _next_page(payment: SandboxPayment) -> HttpResponse:
    if payment.status == S.SUCCEEDED:
        return redirect(payment.return_url)  # back to the shop, as real hosted pages do
    if payment.status == S.CHALLENGE:
        return redirect("sandbox:three-ds", token=payment.token)
    return redirect("sandbox:pay", token=payment.token)  # shows the outcome


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: UUID) -> HttpResponse:
    payment = get_object_or_404(SandboxPayment, token=token)
    if payment.status == S.CHALLENGE:
        return redirect("sandbox:three-ds", token=token)
    if payment.status != S.OPEN:
        return TemplateResponse(request, "ledger/sandbox/result.html", _context(payment))
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        payment = acquirer.submit_card(token=token, card_number=form.cleaned_data["number"])
        return _next_page(payment)
    return TemplateResponse(request, "ledger/sandbox/pay.html", _context(payment, form=form))


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def three_ds(request: HttpRequest, token: UUID) -> HttpResponse:
    payment = get_object_or_404(SandboxPayment, token=token)
    if payment.status != S.CHALLENGE:
        return _next_page(payment)
    form = ThreeDSForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        payment = acquirer.submit_three_ds_code(token=token, code=form.cleaned_data["code"])
        return _next_page(payment)
    return TemplateResponse(request, "ledger/sandbox/three_ds.html", _context(payment, form=form))
