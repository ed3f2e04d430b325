"""Seller applications: the onboarding form, its documents, the verification state machine and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import StatusEvent, TimeStampedModel
from marketplace.core.state_machine import validate_table
from sellers import validators

from .storage import private_storage


class LegalForm(models.TextChoices):
    LLC = validators.LLC, _("LLC (ООО)")
    SOLE_TRADER = validators.SOLE_TRADER, _("Individual entrepreneur (ИП)")
    SELF_EMPLOYED = validators.SELF_EMPLOYED, _("Self-employed (НПД)")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


A = ApplicationStatus
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.SUBMITTED}),
    A.SUBMITTED: frozenset({A.IN_REVIEW}),
    A.IN_REVIEW: frozenset({A.APPROVED, A.CHANGES_REQUESTED, A.REJECTED}),
    A.CHANGES_REQUESTED: frozenset({A.SUBMITTED}),
    A.APPROVED: frozenset(),
    A.REJECTED: frozenset(),
}
validate_table(APPLICATION_TRANSITIONS, set(ApplicationStatus.values))

# The applicant may edit only while the application is theirs to change.
EDITABLE_APPLICATION_STATUSES = frozenset({A.DRAFT, A.CHANGES_REQUESTED})
# An applicant has at most one application in these states (a rejected applicant may start again).
OPEN_APPLICATION_STATUSES = frozenset({A.DRAFT, A.SUBMITTED, A.IN_REVIEW, A.CHANGES_REQUESTED})


class ReviewCheck(models.TextChoices):
    """What the moderator confirms by hand before approving (no registry is queried by the platform)."""

    IDENTITY = "identity", _("The applicant's identity matches the documents")
    REGISTRY = "registry", _("Name, OGRN/OGRNIP, address and status match the ЕГРЮЛ/ЕГРИП record (checked by hand)")
    BANK = "bank", _("The bank account belongs to the applicant (same INN and name)")


class DocumentKind(models.TextChoices):
    REGISTRATION_CERTIFICATE = "registration", _("Registration record (ЕГРЮЛ/ЕГРИП entry sheet)")
    NPD_CERTIFICATE = "npd_certificate", _("Certificate of registration as self-employed (НПД)")
    PASSPORT = "passport", _("Passport page with photo")
    OTHER = "other", _("Other document")


REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    LegalForm.LLC: (DocumentKind.REGISTRATION_CERTIFICATE,),
    LegalForm.SOLE_TRADER: (DocumentKind.REGISTRATION_CERTIFICATE, DocumentKind.PASSPORT),
    LegalForm.SELF_EMPLOYED: (DocumentKind.NPD_CERTIFICATE, DocumentKind.PASSPORT),
}


class SellerApplicationQuerySet(models.QuerySet):
    def open(self) -> SellerApplicationQuerySet:
        return self.filter(status__in=OPEN_APPLICATION_STATUSES)

    def review_queue(self) -> SellerApplicationQuerySet:
        """Waiting for a moderator: submitted or in review, oldest submission first."""
        return self.filter(status__in=[A.SUBMITTED, A.IN_REVIEW]).order_by("submitted_at", "pk")


class SellerApplication(TimeStampedModel):
    """A user's request to sell. Fields are blank until the wizard step that asks for them is saved."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="seller_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"), max_length=32, choices=ApplicationStatus, default=A.DRAFT, editable=False, db_index=True
    )
    # step 1: legal entity
    legal_form = models.CharField(_("legal form"), max_length=8, choices=LegalForm, blank=True)
    legal_name = models.CharField(
        _("legal name"),
        max_length=255,
        blank=True,
        help_text=_("As in the registry, e.g. ООО «Ромашка» or ИП Иванов Иван Иванович"),
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True, db_index=True)
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    legal_address = models.TextField(_("legal address"), blank=True)
    # step 2: bank
    bank_name = models.CharField(_("bank name"), max_length=255, blank=True)
    bik = models.CharField(_("BIK"), max_length=9, blank=True)
    settlement_account = models.CharField(_("settlement account"), max_length=20, blank=True)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True)
    # step 3: contact and store
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=16, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    store_name = models.CharField(_("store name"), max_length=80, blank=True)
    store_slug = models.SlugField(_("store address"), max_length=50, blank=True)
    planned_categories = models.CharField(_("planned categories"), max_length=500, blank=True)
    business_description = models.TextField(_("about the business and products"), blank=True)
    # step 5: submission
    offer_terms = models.ForeignKey(
        "legal.PlatformTerms",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted seller offer"),
    )
    offer_accepted_at = models.DateTimeField(_("offer accepted at"), null=True, blank=True)
    offer_accepted_ip = models.GenericIPAddressField(_("offer accepted from IP"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    completed_steps = models.PositiveSmallIntegerField(_("completed wizard steps"), default=0)
    check_results = models.JSONField(_("automatic check results"), default=list, blank=True, editable=False)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewing moderator"),
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)

    objects = SellerApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("seller application")
        verbose_name_plural = _("seller applications")
        ordering = ["-created_at"]
        permissions = [("review_sellerapplication", _("Can review seller applications"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="sellerapplication_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=[*LegalForm.values, ""]), name="sellerapplication_legal_form_valid"
            ),
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=sorted(OPEN_APPLICATION_STATUSES)),
                name="sellerapplication_one_open_per_applicant",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[A.SUBMITTED, A.IN_REVIEW, A.APPROVED]) | Q(offer_terms__isnull=False),
                name="sellerapplication_submitted_has_offer",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name or self.store_name or str(_("Application #%(pk)s") % {"pk": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("sellers:application-status")

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_APPLICATION_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def required_document_kinds(self) -> tuple[str, ...]:
        return REQUIRED_DOCUMENTS.get(self.legal_form, ())

    @property
    def registry_search_url(self) -> str:
        """The public registry search, for a moderator to look the INN up by hand."""
        return "https://egrul.nalog.ru/"


class ApplicationDocument(models.Model):
    """An uploaded scan. Stored privately under a generated name; served only by an authorising view."""

    application = models.ForeignKey(SellerApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind)
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["kind", "uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="applicationdocument_kind_valid"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="applicationdocument_type_allowed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("sellers:application-document", kwargs={"document_id": self.pk})

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ApplicationEvent(StatusEvent):
    """Who, when, from, to, why — append-only history of an application."""

    application = models.ForeignKey(SellerApplication, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=32, choices=ApplicationStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=ApplicationStatus)

    class Meta(StatusEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application history")


# Fields a moderator can point at when asking for changes, with the wizard step that edits them.
APPLICATION_FIELD_STEPS: dict[str, int] = {
    "legal_form": 1,
    "legal_name": 1,
    "inn": 1,
    "ogrn": 1,
    "kpp": 1,
    "legal_address": 1,
    "bank_name": 2,
    "bik": 2,
    "settlement_account": 2,
    "correspondent_account": 2,
    "contact_name": 3,
    "contact_phone": 3,
    "contact_email": 3,
    "store_name": 3,
    "store_slug": 3,
    "planned_categories": 3,
    "business_description": 3,
    "documents": 4,
}


def application_field_choices() -> list[tuple[str, str]]:
    labels = {f.name: f.verbose_name for f in SellerApplication._meta.get_fields() if hasattr(f, "verbose_name")}
    labels["documents"] = _("documents")
    return [(name, labels[name]) for name in APPLICATION_FIELD_STEPS]


class FieldChangeRequest(models.Model):
    """A moderator's note on one field: what to fix. Resolved when the applicant resubmits."""

    application = models.ForeignKey(SellerApplication, on_delete=models.CASCADE, related_name="change_requests")
    field = models.CharField(_("field"), max_length=32, choices=application_field_choices)
    message = models.TextField(_("what to change"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("requested change")
        verbose_name_plural = _("requested changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=list(APPLICATION_FIELD_STEPS)), name="fieldchangerequest_field_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.message[:50]}"

    @property
    def step(self) -> int:
        return APPLICATION_FIELD_STEPS[self.field]
