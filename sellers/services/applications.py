"""Onboarding: the application wizard, documents, submission with offline checks, and the moderators' decisions."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from marketplace.core.exceptions import InvalidTransition
from marketplace.legal import selectors as legal_selectors
from marketplace.legal import services as legal_services
from marketplace.legal.models import DocumentKind as LegalDocumentKind
from sellers import policies, validators
from sellers.exceptions import (
    AlreadySelling,
    ApplicationIncomplete,
    DuplicateSeller,
    InvalidDocument,
    NoSellerOffer,
    ReasonRequired,
    StoreAddressTaken,
)
from sellers.models import (
    APPLICATION_FIELD_STEPS,
    APPLICATION_TRANSITIONS,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    DocumentKind,
    FieldChangeRequest,
    ReviewCheck,
    Seller,
    SellerApplication,
    Storefront,
    TeamMember,
    application_field_choices,
)
from sellers.models.storage import generated_name

from . import notify
from .common import record_initial_event, transition

MAX_DOCUMENTS = 10
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    step: tuple(
        field for field, field_step in APPLICATION_FIELD_STEPS.items() if field_step == step and field != "documents"
    )
    for step in (1, 2, 3)
}
DOCUMENTS_STEP = 4
LAST_STEP = 5


@transaction.atomic
def change_application_status(
    *, application: SellerApplication, to: str, actor, reason: str = "", extra_fields: dict | None = None
) -> bool:
    """The only way an application's status changes. False, changing nothing, if it already has `to`."""
    return transition(
        obj=application,
        table=APPLICATION_TRANSITIONS,
        to=to,
        actor=actor,
        reason=reason,
        event_model=ApplicationEvent,
        event_field="application",
        extra_fields=extra_fields,
    )


@transaction.atomic
def start_application(*, applicant) -> SellerApplication:
    """Open a draft for the user, or return the open one they have (the wizard is resumable)."""
    if TeamMember.objects.filter(user=applicant).exists():
        raise AlreadySelling()
    existing = SellerApplication.objects.select_for_update().filter(applicant=applicant).open().first()
    if existing:
        return existing
    application = SellerApplication.objects.create(applicant=applicant, contact_email=applicant.email)
    record_initial_event(obj=application, event_model=ApplicationEvent, event_field="application", actor=applicant)
    return application


def _require_editable(application: SellerApplication, actor) -> None:
    if application.applicant_id != actor.pk:
        raise PermissionDenied
    if not policies.can_edit_application(actor, application):
        raise InvalidTransition(
            application.status,
            "",
            message=_("This application is with the moderators now and cannot be changed."),
        )


@transaction.atomic
def save_application_step(
    *, application: SellerApplication, actor, step: int, values: dict[str, str]
) -> SellerApplication:
    """Save one wizard step of the applicant's draft; invalid values are refused field by field."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_editable(application, actor)
    fields = STEP_FIELDS[step]
    context = {"legal_form": application.legal_form, "bik": application.bik, **values}
    cleaned, errors = validators.clean_application_values(context, fields)
    if errors:
        raise ApplicationIncomplete(errors)
    for field in fields:
        setattr(application, field, cleaned[field])
    if step == 1 and application.legal_form != validators.LLC:
        application.kpp = ""
    application.completed_steps = max(application.completed_steps, step)
    application.save()
    return application


@transaction.atomic
def mark_documents_step_done(*, application: SellerApplication, actor) -> SellerApplication:
    """The applicant moves on from the documents step (missing documents are reported on submit)."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_editable(application, actor)
    application.completed_steps = max(application.completed_steps, DOCUMENTS_STEP)
    application.save(update_fields=["completed_steps", "updated_at"])
    return application


@transaction.atomic
def upload_application_document(*, application: SellerApplication, actor, kind: str, upload) -> ApplicationDocument:
    """Keep a scan privately: PDF/JPEG/PNG by content, size and pixel caps; nothing is stored if it fails."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_editable(application, actor)
    if kind not in DocumentKind.values:
        raise InvalidDocument(_("Choose which document this is."))
    if application.documents.count() >= MAX_DOCUMENTS:
        raise InvalidDocument(_("At most %(count)s documents per application.") % {"count": MAX_DOCUMENTS})
    try:
        clean = validators.clean_document_upload(upload)
    except ValidationError as error:
        raise InvalidDocument(error.messages[0]) from None
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=(getattr(upload, "name", "") or "document")[-255:],
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=actor,
    )
    document.file.save(
        generated_name(f"applications/{application.pk}", clean.extension), ContentFile(clean.content), save=False
    )
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)  # no row, no file
        raise
    return document


@transaction.atomic
def delete_application_document(*, document: ApplicationDocument, actor) -> None:
    """The applicant removes a document from a draft (the file goes once the transaction commits)."""
    application = SellerApplication.objects.select_for_update().get(pk=document.application_id)
    _require_editable(application, actor)
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _offline_checks(application: SellerApplication) -> tuple[list[dict], dict[str, list[str]]]:
    """Run every check that needs no registry: formats, check digits, consistency, duplicates, documents."""
    values = {field: getattr(application, field) for fields in STEP_FIELDS.values() for field in fields}
    values["legal_form"] = application.legal_form
    all_fields = [field for fields in STEP_FIELDS.values() for field in fields]
    errors = validators.clean_application_values(values, all_fields)[1]
    results: list[dict] = []
    labels = {
        "inn": _("INN: format and check digits"),
        "ogrn": _("OGRN / OGRNIP: format and check digit"),
        "kpp": _("KPP: format"),
        "bik": _("BIK: format"),
        "settlement_account": _("Settlement account: control key against the BIK"),
        "correspondent_account": _("Correspondent account: control key against the BIK"),
        "contact_phone": _("Contact phone: Russian number"),
    }
    for field, label in labels.items():
        if field == "ogrn" and application.legal_form == validators.SELF_EMPLOYED:
            continue
        if field == "kpp" and application.legal_form != validators.LLC:
            continue
        if field in errors:
            results.append(
                {
                    "code": field,
                    "field": field,
                    "level": "error",
                    "label": str(label),
                    "message": " ".join(errors[field]),
                }
            )
        else:
            results.append({"code": field, "field": field, "level": "passed", "label": str(label), "message": ""})
    for finding in validators.consistency_findings(
        legal_form=application.legal_form,
        inn=application.inn,
        ogrn=application.ogrn,
        kpp=application.kpp,
        bik=application.bik,
        account=application.settlement_account,
    ):
        results.append({**finding.__dict__, "label": str(_("Consistency"))})
        if finding.level == "error":
            errors.setdefault(finding.field, []).append(finding.message)
    if application.inn and Seller.objects.filter(inn=application.inn).exclude(status="terminated").exists():
        message = str(DuplicateSeller.default_message)
        errors.setdefault("inn", []).append(message)
        results.append(
            {
                "code": "duplicate_inn",
                "field": "inn",
                "level": "error",
                "label": str(_("Duplicate seller")),
                "message": message,
            }
        )
    other_open = (
        SellerApplication.objects.open()
        .exclude(pk=application.pk)
        .exclude(status=ApplicationStatus.DRAFT)
        .filter(inn=application.inn)
    )
    if application.inn and other_open.exists():
        results.append(
            {
                "code": "inn_in_other_application",
                "field": "inn",
                "level": "warning",
                "label": str(_("Duplicate seller")),
                "message": str(_("Another open application uses the same INN.")),
            }
        )
    slug_taken = Storefront.objects.filter(slug=application.store_slug).exists() or (
        SellerApplication.objects.open()
        .exclude(pk=application.pk)
        .exclude(status=ApplicationStatus.DRAFT)
        .filter(store_slug=application.store_slug)
        .exists()
    )
    if application.store_slug and slug_taken:
        errors.setdefault("store_slug", []).append(str(StoreAddressTaken.default_message))
    present = {document.kind for document in application.documents.all()}
    missing = [kind for kind in application.required_document_kinds if kind not in present]
    if missing:
        labels_by_kind = dict(DocumentKind.choices)
        message = _("Missing documents: %(documents)s.") % {
            "documents": ", ".join(str(labels_by_kind[kind]) for kind in missing)
        }
        errors.setdefault("documents", []).append(message)
        results.append(
            {
                "code": "documents",
                "field": "documents",
                "level": "error",
                "label": str(_("Documents")),
                "message": message,
            }
        )
    else:
        results.append(
            {"code": "documents", "field": "documents", "level": "passed", "label": str(_("Documents")), "message": ""}
        )
    return results, errors


def preview_checks(*, application: SellerApplication) -> dict[str, list[str]]:
    """What would stop submission now (shown on the wizard's last step)."""
    return _offline_checks(application)[1]


@transaction.atomic
def submit_application(
    *, application: SellerApplication, actor, ip_address: str | None, accept_offer: bool
) -> SellerApplication:
    """Send the application to the moderators: every offline check passes and the current seller offer is accepted."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_editable(application, actor)
    offer = legal_selectors.current_document(kind=LegalDocumentKind.SELLER_OFFER)
    if offer is None:
        raise NoSellerOffer()
    results, errors = _offline_checks(application)
    if not accept_offer:
        errors.setdefault("accept_offer", []).append(_("Accept the seller offer to submit the application."))
    if errors:
        raise ApplicationIncomplete(errors)
    now = timezone.now()
    legal_services.accept_documents(user=actor, documents=[offer], ip_address=ip_address, source="seller_application")
    FieldChangeRequest.objects.filter(application=application, resolved_at__isnull=True).update(resolved_at=now)
    resubmitted = application.status == ApplicationStatus.CHANGES_REQUESTED
    change_application_status(
        application=application,
        to=ApplicationStatus.SUBMITTED,
        actor=actor,
        reason=_("Resubmitted with changes") if resubmitted else "",
        extra_fields={
            "offer_terms": offer,
            "offer_accepted_at": now,
            "offer_accepted_ip": ip_address,
            "submitted_at": now,
            "completed_steps": LAST_STEP,
            "check_results": results,
            "checked_at": now,
            "reviewer": None,
        },
    )
    notify.application_submitted(application)
    return application


def _require_reviewer(application: SellerApplication, actor) -> None:
    if not policies.can_review_application(actor, application):
        raise PermissionDenied


def _require_in_review(application: SellerApplication, target: str) -> None:
    if application.status != ApplicationStatus.IN_REVIEW:
        raise InvalidTransition(
            application.status,
            target,
            message=_("Only an application in review can be decided; this one is “%(status)s”. Start the review first.")
            % {"status": application.get_status_display()},
        )


@transaction.atomic
def start_review(*, application: SellerApplication, actor) -> SellerApplication:
    """A moderator takes a submitted application; the queue shows who reviews it."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_reviewer(application, actor)
    if application.status == ApplicationStatus.IN_REVIEW and application.reviewer_id == actor.pk:
        return application
    change_application_status(
        application=application, to=ApplicationStatus.IN_REVIEW, actor=actor, extra_fields={"reviewer": actor}
    )
    return application


@transaction.atomic
def approve_application(*, application: SellerApplication, actor, confirmed_checks: Iterable[str], comment: str = ""):
    """Approve an application in review once the moderator confirmed every manual check.

    The seller, their storefront and the owner's team seat are created.
    """
    from . import lifecycle

    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_reviewer(application, actor)
    _require_in_review(application, ApplicationStatus.APPROVED)
    missing = [check for check in ReviewCheck if check not in set(confirmed_checks)]
    if missing:
        raise ReasonRequired(
            _("Confirm every check before approving. Not confirmed: %(checks)s.")
            % {"checks": "; ".join(str(check.label) for check in missing)}
        )
    seller = lifecycle.create_seller_from_application(application=application, actor=actor)
    checked = _("Checked by hand: %(checks)s.") % {"checks": "; ".join(str(check.label) for check in ReviewCheck)}
    change_application_status(
        application=application,
        to=ApplicationStatus.APPROVED,
        actor=actor,
        reason="\n".join(filter(None, [checked, comment.strip()])),
        extra_fields={"decided_at": timezone.now(), "decision_reason": comment.strip()},
    )
    notify.application_approved(application, seller)
    return seller


@transaction.atomic
def request_changes(
    *, application: SellerApplication, actor, field_messages: dict[str, str], comment: str = ""
) -> SellerApplication:
    """Send the application back with a reason per field; the applicant fixes them and resubmits."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_reviewer(application, actor)
    _require_in_review(application, ApplicationStatus.CHANGES_REQUESTED)
    field_messages = {field: (message or "").strip() for field, message in field_messages.items()}
    field_messages = {field: message for field, message in field_messages.items() if message}
    unknown = set(field_messages) - set(APPLICATION_FIELD_STEPS)
    if unknown:
        raise ReasonRequired(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if not field_messages:
        raise ReasonRequired(_("Say for at least one field what the applicant must change."))
    FieldChangeRequest.objects.bulk_create(
        FieldChangeRequest(application=application, field=field, message=message, requested_by=actor)
        for field, message in field_messages.items()
    )
    labels = dict(application_field_choices())  # the history shows "Legal address: …", not the field's code name
    summary = "\n".join(f"{capfirst(labels[field])}: {message}" for field, message in field_messages.items())
    change_application_status(
        application=application,
        to=ApplicationStatus.CHANGES_REQUESTED,
        actor=actor,
        reason="\n".join(filter(None, [comment.strip(), summary])),
        extra_fields={"decision_reason": comment.strip()},
    )
    notify.application_changes_requested(application)
    return application


@transaction.atomic
def reject_application(*, application: SellerApplication, actor, reason: str) -> SellerApplication:
    """Refuse an application in review, with a reason the applicant sees."""
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    _require_reviewer(application, actor)
    _require_in_review(application, ApplicationStatus.REJECTED)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Write why the application is rejected: the applicant sees it."))
    change_application_status(
        application=application,
        to=ApplicationStatus.REJECTED,
        actor=actor,
        reason=reason,
        extra_fields={"decided_at": timezone.now(), "decision_reason": reason},
    )
    notify.application_rejected(application)
    return application
