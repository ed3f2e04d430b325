"""Disputes and conversations for buyers and sellers: parse → authorise → call → respond."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Listing
from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from marketplace.core.http import AuthenticatedRequest
from orders import selectors as order_selectors
from orders.models import Order

from . import policies, selectors, services
from .forms import EvidenceForm, MessageForm, OpenDisputeForm, QuickReplyForm, RatingForm, SellerResponseForm
from .models import Conversation, Dispute, Evidence, Message


def _orders_visible_to(user):
    """The buyer's own orders and the orders of the seller the user works for."""
    seller_id = selectors.seller_id_for(user)
    condition = Order.objects.filter(buyer=user)
    if seller_id is not None:
        condition = condition | Order.objects.filter(seller_id=seller_id)
    return condition


# Disputes -------------------------------------------------------------------------------------------------


@require_GET
def dispute_list(request: AuthenticatedRequest) -> TemplateResponse:
    disputes = selectors.disputes_visible_to(user=request.user)
    return TemplateResponse(request, "disputes/dispute_list.html", {"disputes": disputes})


@require_http_methods(["GET", "POST"])
def open_dispute(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(order_selectors.orders_for_buyer(buyer=request.user), pk=order_id)
    if existing := order.disputes.filter(is_open=True).first():
        return redirect(existing)
    form = OpenDisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = services.open_dispute(
                order=order,
                actor=request.user,
                reason=data["reason"],
                description=data["description"],
                desired_outcome=data["desired_outcome"],
                desired_amount=data["desired_amount"],
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Dispute %(number)s is open. The seller has been asked to answer.") % {"number": dispute.number},
            )
            return redirect(dispute)
    context = {
        "order": order,
        "form": form,
        "window_until": services.window_open_until(order),
        "refundable": services.refundable_for(order),
    }
    return TemplateResponse(request, "disputes/dispute_open.html", context)


def _detail_context(request: AuthenticatedRequest, dispute: Dispute, **forms) -> dict:
    user = request.user
    context = {
        "dispute": dispute,
        "order": dispute.order,
        "is_buyer": policies.is_buyer(user, dispute),
        "refundable": services.refundable_for(dispute.order),
        **selectors.dispute_page(dispute),
    }
    if policies.can_seller_respond(user, dispute):
        context["response_form"] = forms.get("response_form") or SellerResponseForm()
    if policies.can_answer_proposal(user, dispute):
        context["can_answer"] = True
    if policies.can_escalate(user, dispute):
        context["can_escalate"] = True
    if policies.can_withdraw(user, dispute):
        context["can_withdraw"] = True
    if policies.can_add_evidence(user, dispute):
        context["evidence_form"] = forms.get("evidence_form") or EvidenceForm()
    if policies.can_mark_return_sent(user, dispute):
        context["can_mark_sent"] = True
    if policies.can_confirm_return(user, dispute):
        context["can_confirm_return"] = True
    if policies.can_rate_handling(user, dispute) and not dispute.ratings.filter(user=user).exists():
        context["rating_form"] = forms.get("rating_form") or RatingForm()
    return context


@require_GET
def dispute_detail(request: AuthenticatedRequest, dispute_id: int) -> TemplateResponse:
    dispute = get_object_or_404(selectors.disputes_visible_to(user=request.user), pk=dispute_id)
    return TemplateResponse(request, "disputes/dispute_detail.html", _detail_context(request, dispute))


def _dispute_for(request: AuthenticatedRequest, dispute_id: int) -> Dispute:
    return get_object_or_404(selectors.disputes_visible_to(user=request.user), pk=dispute_id)


def _done(request: AuthenticatedRequest, dispute: Dispute, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(dispute)


def _failed(request: AuthenticatedRequest, dispute: Dispute, error: DomainError, **forms) -> TemplateResponse:
    messages.error(request, error.message)
    dispute.refresh_from_db()
    return TemplateResponse(
        request, "disputes/dispute_detail.html", _detail_context(request, dispute, **forms), status=200
    )


@require_POST
def seller_respond(request: AuthenticatedRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute_for(request, dispute_id)
    form = SellerResponseForm(request.POST, request.FILES)
    if not form.is_valid():
        return TemplateResponse(
            request, "disputes/dispute_detail.html", _detail_context(request, dispute, response_form=form)
        )
    data = form.cleaned_data
    try:
        if data["action"] == "accept":
            services.seller_accept(dispute=dispute, actor=request.user, text=data["text"])
        elif data["action"] == "reject":
            services.seller_reject(
                dispute=dispute, actor=request.user, text=data["text"], photos=request.FILES.getlist("photos")
            )
        else:
            services.seller_propose(
                dispute=dispute, actor=request.user, kind=data["action"], text=data["text"], amount=data["amount"]
            )
    except DomainError as error:
        form.add_error(None, error.message)
        return _failed(request, dispute, error, response_form=form)
    return _done(request, dispute, _("Your answer was sent to the buyer."))


@require_POST
def buyer_answer(request: AuthenticatedRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute_for(request, dispute_id)
    action = request.POST.get("action")
    try:
        if action == "accept":
            services.answer_proposal(dispute=dispute, actor=request.user, accept=True)
        elif action == "escalate":
            services.escalate(dispute=dispute, actor=request.user)
        elif action == "withdraw":
            services.withdraw(dispute=dispute, actor=request.user)
        else:
            raise Http404
    except DomainError as error:
        return _failed(request, dispute, error)
    return _done(request, dispute, _("Done. The dispute page shows what happens next."))


@require_POST
def add_evidence(request: AuthenticatedRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute_for(request, dispute_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(
                dispute=dispute,
                actor=request.user,
                text=form.cleaned_data["text"],
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, dispute, _("Your evidence was added."))
    return TemplateResponse(
        request, "disputes/dispute_detail.html", _detail_context(request, dispute, evidence_form=form)
    )


@require_POST
def return_step(request: AuthenticatedRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute_for(request, dispute_id)
    try:
        if request.POST.get("action") == "sent":
            services.mark_return_sent(
                dispute=dispute, actor=request.user, tracking_number=request.POST.get("tracking_number", "")
            )
        else:
            services.confirm_return_received(dispute=dispute, actor=request.user)
    except DomainError as error:
        return _failed(request, dispute, error)
    return _done(request, dispute, _("Thank you, noted."))


@require_POST
def rate(request: AuthenticatedRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute_for(request, dispute_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate_handling(
                dispute=dispute,
                actor=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, dispute, _("Thank you for your rating."))
    return TemplateResponse(
        request, "disputes/dispute_detail.html", _detail_context(request, dispute, rating_form=form)
    )


def _private_image(file_field) -> FileResponse:
    response = FileResponse(file_field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def evidence_file(request: AuthenticatedRequest, evidence_id: int) -> FileResponse:
    """A photo of the evidence, only to the parties (moderators see it in admin); 404 for anyone else."""
    if request.user.has_perm("disputes.view_evidence"):
        evidence = get_object_or_404(Evidence.objects.exclude(image=""), pk=evidence_id)
    else:
        evidence = get_object_or_404(selectors.evidence_visible_to(user=request.user).exclude(image=""), pk=evidence_id)
    return _private_image(evidence.image)


# Conversations --------------------------------------------------------------------------------------------


@require_GET
def conversation_list(request: AuthenticatedRequest) -> TemplateResponse:
    conversations = selectors.conversations_for(user=request.user)
    return TemplateResponse(request, "disputes/conversation_list.html", {"conversations": conversations})


@require_POST
def order_conversation(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(_orders_visible_to(request.user), pk=order_id)
    conversation = services.conversation_for_order(order=order, actor=request.user)
    return redirect(conversation)


@require_POST
def listing_conversation(request: AuthenticatedRequest, listing_id: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.published(), pk=listing_id)
    try:
        conversation = services.conversation_for_listing(listing=listing, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(listing)
    return redirect(conversation)


def _conversation_for(request: AuthenticatedRequest, conversation_id: int) -> Conversation:
    return get_object_or_404(selectors.conversations_for(user=request.user), pk=conversation_id)


def _conversation_context(
    request: AuthenticatedRequest, conversation: Conversation, form=None, warning: str = ""
) -> dict:
    is_seller = policies.is_conversation_seller(request.user, conversation)
    items = list(selectors.conversation_messages(conversation))
    return {
        "conversation": conversation,
        "chat_messages": items,
        "last_id": items[-1].pk if items else 0,
        "form": form or MessageForm(),
        "is_seller": is_seller,
        "quick_replies": selectors.quick_replies_for(seller_id=conversation.seller_id) if is_seller else [],
        "blocked": services.is_blocked(request.user),
        "contact_warning": warning,
    }


@require_http_methods(["GET", "POST"])
def conversation_detail(request: AuthenticatedRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation_for(request, conversation_id)
    form = None
    warning = ""
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                message = services.send_message(
                    conversation=conversation,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    image=form.cleaned_data["image"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                form = None
                if message.is_flagged:
                    warning = _(
                        "Your message seems to contain contact details or a link. Deals outside the marketplace "
                        "are not protected; the message was sent to moderators for review."
                    )
                if not request.htmx:
                    if warning:
                        messages.warning(request, warning)
                    return redirect(conversation)
    services.mark_read(conversation=conversation, actor=request.user)
    reply_id = request.GET.get("reply", "")
    # A quick reply fills the message box (no script needed); only the seller's own replies.
    if form is None and reply_id.isdigit() and policies.is_conversation_seller(request.user, conversation):
        reply = selectors.quick_replies_for(seller_id=conversation.seller_id).filter(pk=reply_id).first()
        if reply is not None:
            form = MessageForm(initial={"text": reply.text})
    context = _conversation_context(request, conversation, form, warning)
    return render_page_or_partial(request, "disputes/conversation_detail.html", context, partial="chat")


@require_GET
def conversation_poll(request: AuthenticatedRequest, conversation_id: int) -> TemplateResponse:
    """htmx polling: the messages after `after`, appended to the list."""
    conversation = _conversation_for(request, conversation_id)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    items = list(selectors.conversation_messages(conversation, after_id=after))
    if items:
        services.mark_read(conversation=conversation, actor=request.user)
    context = {
        "conversation": conversation,
        "chat_messages": items,
        "last_id": items[-1].pk if items else after,
    }
    return TemplateResponse(request, "disputes/conversation_detail.html#new-messages", context)


@require_GET
def message_image(request: AuthenticatedRequest, message_id: int) -> FileResponse:
    if request.user.has_perm("disputes.view_message"):
        message = get_object_or_404(Message.objects.exclude(image=""), pk=message_id)
    else:
        visible = selectors.conversations_for(user=request.user).values("pk")
        message = get_object_or_404(Message.objects.filter(conversation__in=visible).exclude(image=""), pk=message_id)
    return _private_image(message.image)


@require_GET
def unread_badge(request: AuthenticatedRequest) -> TemplateResponse:
    return TemplateResponse(request, "disputes/_unread_badge.html")


@require_http_methods(["GET", "POST"])
def quick_replies(request: AuthenticatedRequest) -> HttpResponse:
    seller_id = selectors.seller_id_for(request.user)
    if seller_id is None:
        raise Http404
    form = QuickReplyForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            reply = get_object_or_404(selectors.quick_replies_for(seller_id=seller_id), pk=request.POST["delete"])
            services.delete_quick_reply(reply=reply, actor=request.user)
            return redirect("disputes:quick-replies")
        if form.is_valid():
            member = request.user.seller_membership
            try:
                services.save_quick_reply(seller=member.seller, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect("disputes:quick-replies")
    context = {"form": form, "replies": selectors.quick_replies_for(seller_id=seller_id)}
    return TemplateResponse(request, "disputes/quick_replies.html", context)
