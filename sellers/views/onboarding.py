"""The application wizard, the status page and the authorised document download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.audit import services as audit
from marketplace.core.exceptions import DomainError
from marketplace.core.http import AuthenticatedRequest
from marketplace.legal import selectors as legal_selectors
from marketplace.legal.models import DocumentKind as LegalDocumentKind
from sellers import forms, selectors, services
from sellers.exceptions import AlreadySelling, ApplicationIncomplete
from sellers.http import client_ip
from sellers.models import APPLICATION_FIELD_STEPS, DocumentKind, SellerApplication
from sellers.services.applications import DOCUMENTS_STEP, LAST_STEP

STEPS = [
    (1, gettext_lazy("Legal entity")),
    (2, gettext_lazy("Bank details")),
    (3, gettext_lazy("Contacts and store")),
    (4, gettext_lazy("Documents")),
    (5, gettext_lazy("Check and submit")),
]
STEP_FORMS = {1: forms.LegalStepForm, 2: forms.BankStepForm, 3: forms.ContactStepForm}


def _open_application(user) -> SellerApplication | None:
    return selectors.applications_for_applicant(user=user).open().first()


@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedRequest) -> HttpResponse:
    """Start the application (POST) or resume it; sellers go to their cabinet."""
    if selectors.membership_for(user=request.user):
        return redirect("sellers:dashboard")
    application = _open_application(request.user)
    if application is None and request.method == "POST":
        try:
            application = services.start_application(applicant=request.user)
        except AlreadySelling as error:
            messages.error(request, error.message)
            return redirect("sellers:sell")
    if application is None:
        return TemplateResponse(request, "sellers/apply_start.html", {"steps": STEPS})
    if not application.is_editable:
        return redirect("sellers:application-status")
    return redirect("sellers:apply-step", step=min(application.completed_steps + 1, LAST_STEP))


def _step_context(application: SellerApplication, step: int, **extra) -> dict:
    change_requests = [request for request in application.change_requests.all() if request.resolved_at is None]
    return {
        "application": application,
        "step": step,
        "steps": STEPS,
        "reachable": application.completed_steps + 1,
        "change_requests": change_requests,
        "step_change_requests": [request for request in change_requests if request.step == step],
        **extra,
    }


@require_http_methods(["GET", "POST"])
def apply_step(request: AuthenticatedRequest, step: int) -> HttpResponse:
    application = _open_application(request.user)
    if application is None:
        return redirect("sellers:apply")
    if not application.is_editable:
        return redirect("sellers:application-status")
    if step < 1 or step > LAST_STEP or step > application.completed_steps + 1:
        return redirect("sellers:apply-step", step=min(application.completed_steps + 1, LAST_STEP))
    if step in STEP_FORMS:
        return _form_step(request, application, step)
    if step == DOCUMENTS_STEP:
        return _documents_step(request, application)
    return _submit_step(request, application)


def _form_step(request, application: SellerApplication, step: int) -> HttpResponse:
    change_requests = list(application.change_requests.all())
    form_class = STEP_FORMS[step]
    form = form_class(
        request.POST if request.method == "POST" else None, application=application, change_requests=change_requests
    )
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data.get(field, "") for field in form.step_fields}
        try:
            services.save_application_step(application=application, actor=request.user, step=step, values=values)
        except ApplicationIncomplete as error:
            forms.add_errors(form, error.errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved. You can come back to the application at any time."))
            return redirect("sellers:apply-step", step=step + 1)
    application.refresh_from_db()
    return TemplateResponse(request, "sellers/apply_step.html", _step_context(application, step, form=form))


def _documents_step(request, application: SellerApplication) -> HttpResponse:
    form = forms.DocumentUploadForm(legal_form=application.legal_form)
    if request.method == "POST":
        if request.POST.get("action") == "continue":
            services.mark_documents_step_done(application=application, actor=request.user)
            return redirect("sellers:apply-step", step=LAST_STEP)
        form = forms.DocumentUploadForm(request.POST, request.FILES, legal_form=application.legal_form)
        if form.is_valid():
            try:
                services.upload_application_document(
                    application=application,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("Document uploaded."))
                return redirect("sellers:apply-step", step=DOCUMENTS_STEP)
    documents = list(application.documents.all())
    present = {document.kind for document in documents}
    labels = dict(DocumentKind.choices)
    required = [
        {"kind": kind, "label": labels[kind], "present": kind in present}
        for kind in application.required_document_kinds
    ]
    context = _step_context(application, DOCUMENTS_STEP, form=form, documents=documents, required_documents=required)
    return TemplateResponse(request, "sellers/apply_documents.html", context)


def _submit_step(request, application: SellerApplication) -> HttpResponse:
    form = forms.SubmitApplicationForm(request.POST if request.method == "POST" else None)
    offer = legal_selectors.current_document(kind=LegalDocumentKind.SELLER_OFFER)
    problems: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_application(
                application=application,
                actor=request.user,
                ip_address=client_ip(request),
                accept_offer=form.cleaned_data["accept_offer"],
            )
        except ApplicationIncomplete as error:
            problems = error.errors
            if "accept_offer" in problems:
                form.add_error("accept_offer", problems.pop("accept_offer")[0])
            if problems:
                form.add_error(None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Application submitted. We will write to you when a moderator has checked it."))
            return redirect("sellers:application-status")
    else:
        problems = services.preview_checks(application=application)
    field_labels = {
        field.name: field.verbose_name
        for field in SellerApplication._meta.get_fields()
        if hasattr(field, "verbose_name")
    }
    problem_list = [
        {
            "field": field,
            "label": field_labels.get(field, _("Documents") if field == "documents" else field),
            "messages": texts,
            "step": APPLICATION_FIELD_STEPS.get(field, 1),
        }
        for field, texts in problems.items()
    ]
    context = _step_context(
        application,
        LAST_STEP,
        form=form,
        offer=offer,
        problems=problem_list,
        documents=list(application.documents.all()),
    )
    return TemplateResponse(request, "sellers/apply_submit.html", context)


@require_POST
def delete_document(request: AuthenticatedRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(
        selectors.documents_visible_to(user=request.user).filter(application__applicant=request.user), pk=document_id
    )
    try:
        services.delete_application_document(document=document, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Document removed."))
    return redirect("sellers:apply-step", step=DOCUMENTS_STEP)


def application_status(request: AuthenticatedRequest) -> TemplateResponse:
    application = selectors.current_application_for(user=request.user)
    if application is None:
        return redirect("sellers:sell")
    change_requests = [request for request in application.change_requests.all() if request.resolved_at is None]
    context = {
        "application": application,
        "change_requests": change_requests,
        "events": list(application.events.all()),
        "documents": list(application.documents.all()),
        "membership": selectors.membership_for(user=request.user),
    }
    return TemplateResponse(request, "sellers/application_status.html", context)


def application_document(request: AuthenticatedRequest, document_id: int) -> FileResponse:
    """The file itself, only to its applicant and to reviewing moderators; 404 for anyone else."""
    document = get_object_or_404(selectors.documents_visible_to(user=request.user), pk=document_id)
    if document.application.applicant_id != request.user.pk:
        # Staff reading someone's passport or registration papers is logged (spec 161/162).
        audit.record_view(actor=request.user, obj=document, request=request, name="document download")
    return private_file_response(document, inline=request.GET.get("inline") == "1")


def private_file_response(item, *, inline: bool) -> FileResponse:
    if not item.file:
        raise PermissionDenied
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not (inline and item.is_image),
        filename=item.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["X-Robots-Tag"] = "noindex"
    return response


def document_preview_url(document) -> str:
    return reverse("sellers:application-document", kwargs={"document_id": document.pk}) + "?inline=1"
