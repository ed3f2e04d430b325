"""The seller cabinet. Every view is guarded by the team role (seller_section_required) and scoped to the seller."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.core.exceptions import DomainError
from marketplace.core.htmx import render_page_or_partial
from marketplace.core.http import AuthenticatedRequest
from marketplace.legal.models import PlatformTerms
from sellers import cabinet, forms, policies, selectors, services
from sellers.exceptions import ApplicationIncomplete
from sellers.http import SellerRequest, client_ip, seller_section_required
from sellers.models import BankChangeStatus, BankDetailsChange, InvitationStatus, SellerCase, TeamInvitation, TeamMember
from sellers.policies import Section

from .onboarding import private_file_response


def cabinet_context(request: SellerRequest, **extra) -> dict:
    """What every cabinet page renders around its content: store, role, menu, unread badge."""
    member = request.seller_member
    unread = (
        selectors.unread_announcement_count(seller=request.seller)
        if policies.can_access_section(member, Section.ANNOUNCEMENTS)
        else 0
    )
    return {
        "member": member,
        "seller": request.seller,
        "storefront": request.seller.storefront,
        "nav": cabinet.nav_for(member),
        "unread_announcements": unread,
        **extra,
    }


@require_GET
@seller_section_required(Section.DASHBOARD)
def dashboard(request: SellerRequest) -> TemplateResponse:
    context = cabinet_context(request, cards=cabinet.cards_for(request.seller_member), active="dashboard")
    return TemplateResponse(request, "sellers/cabinet/dashboard.html", context)


# Store settings -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.STORE)
def store_settings(request: SellerRequest) -> HttpResponse:
    storefront = request.seller.storefront
    form = forms.StorefrontForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        initial={
            "name": storefront.name,
            "description": storefront.description,
            "return_policy": storefront.return_policy,
            "shipping_policy": storefront.shipping_policy,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_storefront(member=request.seller_member, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Storefront saved."))
            return redirect("sellers:store-settings")
    vacation_form = forms.VacationForm(
        initial={"start": request.seller.vacation_from, "end": request.seller.vacation_until}
    )
    context = cabinet_context(request, form=form, vacation_form=vacation_form, active="store")
    return TemplateResponse(request, "sellers/cabinet/store_settings.html", context)


@require_POST
@seller_section_required(Section.STORE)
def vacation(request: SellerRequest) -> HttpResponse:
    if request.POST.get("action") == "end":
        services.end_vacation(member=request.seller_member)
        messages.success(request, _("Vacation mode is off: your listings take orders again."))
        return redirect("sellers:store-settings")
    form = forms.VacationForm(request.POST)
    if form.is_valid():
        try:
            services.set_vacation(member=request.seller_member, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Vacation mode is set: during those days your listings take no orders."))
            return redirect("sellers:store-settings")
    storefront = request.seller.storefront
    store_form = forms.StorefrontForm(
        initial={
            "name": storefront.name,
            "description": storefront.description,
            "return_policy": storefront.return_policy,
            "shipping_policy": storefront.shipping_policy,
        }
    )
    context = cabinet_context(request, form=store_form, vacation_form=form, active="store")
    return TemplateResponse(request, "sellers/cabinet/store_settings.html", context)


# Legal and bank data, the seller offer ------------------------------------------------------------------


def _legal_context(request: SellerRequest, bank_form=None) -> dict:
    seller = request.seller
    changes = list(seller.bank_changes.select_related("decided_by").order_by("-created_at")[:5])
    pending = next((change for change in changes if change.status == BankChangeStatus.PENDING), None)
    latest_offer = services.latest_seller_offer()
    return cabinet_context(
        request,
        bank_form=bank_form if bank_form is not None else (None if pending else forms.BankChangeForm()),
        bank_changes=changes,
        pending_change=pending,
        accepted_offer=seller.offer_terms,
        offer_to_accept=latest_offer if latest_offer and latest_offer.pk != seller.offer_terms_id else None,
        active="legal",
    )


@require_GET
@seller_section_required(Section.FINANCE)
def legal(request: SellerRequest) -> TemplateResponse:
    return TemplateResponse(request, "sellers/cabinet/legal.html", _legal_context(request))


@require_POST
@seller_section_required(Section.FINANCE)
def bank_change_request(request: SellerRequest) -> HttpResponse:
    form = forms.BankChangeForm(request.POST)
    if form.is_valid():
        try:
            services.request_bank_details_change(member=request.seller_member, **form.cleaned_data)
        except ApplicationIncomplete as error:
            forms.add_errors(form, error.errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("New bank details sent to a moderator. Payouts use the current ones until then.")
            )
            return redirect("sellers:legal")
    return TemplateResponse(request, "sellers/cabinet/legal.html", _legal_context(request, bank_form=form))


@require_POST
@seller_section_required(Section.FINANCE)
def bank_change_withdraw(request: SellerRequest, change_id: int) -> HttpResponse:
    change = get_object_or_404(BankDetailsChange.objects.filter(seller=request.seller), pk=change_id)
    try:
        services.withdraw_bank_details_change(change=change, member=request.seller_member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("sellers:legal")


@require_POST
@seller_section_required(Section.FINANCE)
def offer_accept(request: SellerRequest) -> HttpResponse:
    offer = get_object_or_404(PlatformTerms.objects.filter(kind="seller_offer"), pk=request.POST.get("offer"))
    try:
        services.accept_seller_offer(member=request.seller_member, offer=offer, ip_address=client_ip(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Seller offer version %(version)s accepted.") % {"version": offer.version})
    return redirect("sellers:legal")


# Team ---------------------------------------------------------------------------------------------------


def _team_context(request: SellerRequest, invite_form=None) -> dict:
    return cabinet_context(
        request,
        members=list(selectors.team_for_seller(seller=request.seller)),
        invitations=list(selectors.pending_invitations_for_seller(seller=request.seller)),
        invite_form=invite_form or forms.InviteForm(),
        role_form=forms.RoleForm(),
        active="team",
    )


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.TEAM)
def team(request: SellerRequest) -> HttpResponse:
    form = forms.InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_team_member(member=request.seller_member, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"].lower()}
            )
            return redirect("sellers:team")
    return TemplateResponse(request, "sellers/cabinet/team.html", _team_context(request, invite_form=form))


def _team_member(request: SellerRequest, member_id: int) -> TeamMember:
    return get_object_or_404(TeamMember.objects.filter(seller=request.seller), pk=member_id)


@require_POST
@seller_section_required(Section.TEAM)
def team_role(request: SellerRequest, member_id: int) -> HttpResponse:
    target = _team_member(request, member_id)
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_member_role(member=request.seller_member, target=target, role=form.cleaned_data["role"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Role changed."))
    return redirect("sellers:team")


@require_POST
@seller_section_required(Section.TEAM)
def team_remove(request: SellerRequest, member_id: int) -> HttpResponse:
    target = _team_member(request, member_id)
    try:
        services.remove_team_member(member=request.seller_member, target=target)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s no longer has access to the cabinet.") % {"email": target.user.email})
    return redirect("sellers:team")


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.TEAM)
def api_keys(request: SellerRequest) -> HttpResponse:
    """Keys for the store's own systems (spec 37). A new key is shown on this answer only: it is stored hashed."""
    new_key = error = ""
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "")[:200]
        try:
            _token, new_key = services.create_api_token(member=request.seller_member, name=name)
        except DomainError as problem:
            error = problem.message
        else:
            name = ""
    context = cabinet_context(
        request,
        active="api",
        tokens=selectors.api_tokens(seller=request.seller),
        new_key=new_key,
        error=error,
        name=name,
        api_url=request.build_absolute_uri(reverse("catalog:api-offers")),
        requests_per_minute=settings.MARKETPLACE_API_REQUESTS_PER_MINUTE,
        max_rows=settings.MARKETPLACE_API_MAX_ROWS,
    )
    return TemplateResponse(request, "sellers/cabinet/api_keys.html", context, status=400 if error else 200)


@require_POST
@seller_section_required(Section.TEAM)
def api_key_revoke(request: SellerRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(selectors.api_tokens(seller=request.seller), pk=token_id)
    services.revoke_api_token(member=request.seller_member, token=token)
    messages.success(request, _("The key “%(name)s” no longer works.") % {"name": token.name})
    return redirect("sellers:api-keys")


@require_POST
@seller_section_required(Section.TEAM)
def invitation_revoke(request: SellerRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(TeamInvitation.objects.filter(seller=request.seller), pk=invitation_id)
    try:
        services.revoke_invitation(invitation=invitation, member=request.seller_member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("sellers:team")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """Any signed-in user may open the link; only the invited address can accept."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, actor=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("Welcome to the team of «%(store)s».") % {"store": invitation.seller.storefront.name}
            )
            return redirect("sellers:dashboard")
        invitation.refresh_from_db()
    context = {"invitation": invitation, "error": error, "is_pending": invitation.status == InvitationStatus.PENDING}
    return TemplateResponse(request, "sellers/invitation_accept.html", context)


# Announcements ------------------------------------------------------------------------------------------


@require_GET
@seller_section_required(Section.ANNOUNCEMENTS)
def announcements(request: SellerRequest) -> TemplateResponse:
    page = Paginator(selectors.announcement_feed(seller=request.seller), 20).get_page(request.GET.get("page"))
    context = cabinet_context(request, page_obj=page, receipts=page.object_list, active="announcements")
    return TemplateResponse(request, "sellers/cabinet/announcements.html", context)


def _receipt(request: SellerRequest, announcement_id: int):
    return get_object_or_404(selectors.announcement_feed(seller=request.seller), announcement_id=announcement_id)


@require_GET
@seller_section_required(Section.ANNOUNCEMENTS)
def announcement_detail(request: SellerRequest, announcement_id: int) -> TemplateResponse:
    receipt = _receipt(request, announcement_id)
    # Opening the announcement is what "read" means; the service records only the first time.
    receipt = services.mark_announcement_read(receipt=receipt, member=request.seller_member)
    context = cabinet_context(request, receipt=receipt, announcement=receipt.announcement, active="announcements")
    return TemplateResponse(request, "sellers/cabinet/announcement_detail.html", context)


@require_POST
@seller_section_required(Section.ANNOUNCEMENTS)
def announcement_acknowledge(request: SellerRequest, announcement_id: int) -> HttpResponse:
    receipt = _receipt(request, announcement_id)
    try:
        receipt = services.acknowledge_announcement(receipt=receipt, member=request.seller_member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the acknowledgement is recorded."))
    if not request.htmx:
        return redirect("sellers:announcement-detail", announcement_id=announcement_id)
    receipt = _receipt(request, announcement_id)
    context = cabinet_context(request, receipt=receipt, announcement=receipt.announcement, active="announcements")
    return render_page_or_partial(request, "sellers/cabinet/announcement_detail.html", context, partial="ack-panel")


# Sanctions and cases ------------------------------------------------------------------------------------


@require_GET
@seller_section_required(Section.CASES)
def sanctions(request: SellerRequest) -> TemplateResponse:
    context = cabinet_context(
        request,
        sanctions=list(selectors.sanctions_for_seller(seller=request.seller)),
        events=list(request.seller.events.select_related("actor").order_by("-created_at", "-pk")[:20]),
        active="sanctions",
    )
    return TemplateResponse(request, "sellers/cabinet/sanctions.html", context)


@require_GET
@seller_section_required(Section.CASES)
def cases(request: SellerRequest) -> TemplateResponse:
    page = Paginator(selectors.cases_for_seller(seller=request.seller), 20).get_page(request.GET.get("page"))
    context = cabinet_context(request, page_obj=page, cases=page.object_list, active="cases")
    return TemplateResponse(request, "sellers/cabinet/cases.html", context)


def _appealable_sanctions(seller):
    return selectors.sanctions_for_seller(seller=seller).filter(has_appeal=False, lifted_at__isnull=True)


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.CASES)
def case_create(request: SellerRequest) -> HttpResponse:
    initial = {}
    if sanction_id := request.GET.get("sanction"):
        initial = {"topic": "sanction", "sanction": sanction_id}
    form = forms.CaseForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        sanctions=_appealable_sanctions(request.seller),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                member=request.seller_member,
                topic=data["topic"],
                subject=data["subject"],
                body=data["body"],
                sanction=data.get("sanction"),
                attachments=data["attachments"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case #%(number)s opened.") % {"number": case.pk})
            return redirect(case)
    return TemplateResponse(
        request, "sellers/cabinet/case_create.html", cabinet_context(request, form=form, active="cases")
    )


@require_http_methods(["GET", "POST"])
@seller_section_required(Section.CASES)
def case_detail(request: SellerRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(selectors.case_thread(seller=request.seller), pk=case_id)
    form = forms.CaseReplyForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_seller_message(
                case=case,
                member=request.seller_member,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Message sent."))
            return redirect(case)
    context = cabinet_context(
        request,
        case=case,
        thread=list(case.messages.all()),
        reply_form=form if case.status != "closed" else None,
        close_form=forms.CaseCloseForm() if policies.can_close_case(request.seller_member, case) else None,
        active="cases",
    )
    return TemplateResponse(request, "sellers/cabinet/case_detail.html", context)


@require_POST
@seller_section_required(Section.CASES)
def case_close(request: SellerRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(SellerCase.objects.filter(seller=request.seller), pk=case_id)
    form = forms.CaseCloseForm(request.POST)
    satisfaction = form.cleaned_data.get("satisfaction") if form.is_valid() else None
    try:
        services.close_case(case=case, member=request.seller_member, satisfaction=satisfaction)
    except PermissionDenied:
        messages.error(request, _("Only a decided case can be closed."))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Case closed. Thank you for the feedback."))
    return redirect(case)


def case_attachment(request: AuthenticatedRequest, attachment_id: int) -> HttpResponse:
    """A case file: for the seller's team members who work with cases, and moderators; 404 for anyone else."""
    attachment = get_object_or_404(selectors.case_attachments_visible_to(user=request.user), pk=attachment_id)
    if not request.user.has_perm("sellers.view_sellercase"):
        member = selectors.membership_for(user=request.user)
        if not policies.can_access_section(member, Section.CASES):
            raise Http404
    return private_file_response(attachment, inline=request.GET.get("inline") == "1")
