"""Platform → seller communication: announcements with read/acknowledge tracking, and seller cases (appeals)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import StatusEvent, TimeStampedModel
from marketplace.core.state_machine import validate_table

from .applications import LegalForm
from .sellers import Sanction, Seller, SellerStatus
from .storage import private_storage


class AnnouncementTopic(models.TextChoices):
    PLATFORM_CHANGE = "platform_change", _("Platform change")
    FEATURE = "feature", _("New feature")
    PROMOTION = "promotion", _("Promotion")
    RULE_CHANGE = "rule_change", _("Rule change")


class Announcement(TimeStampedModel):
    """A message from the platform to all sellers or a segment. Receipts are created when it is published."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    topic = models.CharField(_("topic"), max_length=32, choices=AnnouncementTopic, default=AnnouncementTopic.FEATURE)
    requires_acknowledgement = models.BooleanField(
        _("sellers must acknowledge"), default=False, help_text=_("For rule changes: each seller confirms reading it.")
    )
    segment_legal_form = models.CharField(
        _("only legal form"), max_length=8, choices=LegalForm, blank=True, help_text=_("Empty: every legal form.")
    )
    segment_status = models.CharField(
        _("only seller status"),
        max_length=16,
        choices=SellerStatus,
        blank=True,
        help_text=_("Empty: every status except terminated."),
    )
    segment_category = models.CharField(
        _("only sellers of category"),
        max_length=100,
        blank=True,
        help_text=_("Empty: every category. Matches the categories a seller trades in."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("Empty for announcements the platform makes by itself (a new seller offer version)."),
    )
    offer_terms = models.OneToOneField(
        "legal.PlatformTerms",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("announces seller offer version"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-created_at"]
        permissions = [("publish_announcement", _("Can publish announcements to sellers"))]
        constraints = [
            models.CheckConstraint(condition=Q(topic__in=AnnouncementTopic.values), name="announcement_topic_valid")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class AnnouncementReceipt(models.Model):
    """One seller's copy of an announcement: when someone in the team read it and who acknowledged it."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="receipts")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="announcement_receipts")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("announcement receipt")
        verbose_name_plural = _("announcement receipts")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "seller"], name="announcementreceipt_once_per_seller"),
        ]
        indexes = [models.Index(fields=["seller", "read_at"], name="receipt_seller_unread")]

    def __str__(self) -> str:
        return f"{self.announcement} → {self.seller}"


class CaseTopic(models.TextChoices):
    SANCTION = "sanction", _("Sanction or block")
    RATING = "rating", _("Rating incident")
    FINE = "fine", _("Fine or deduction")
    PAYOUT = "payout", _("Payout")
    LISTING_REJECTION = "listing_rejection", _("Listing rejection")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the platform")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved in the seller's favour")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


C = CaseStatus
# open → answered (acknowledgement / action plan) → resolved | rejected (written decision) → closed.
# A seller's reply to an answer reopens the case; the platform may decide without a separate answer.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    C.OPEN: frozenset({C.ANSWERED, C.RESOLVED, C.REJECTED}),
    C.ANSWERED: frozenset({C.OPEN, C.RESOLVED, C.REJECTED}),
    C.RESOLVED: frozenset({C.CLOSED}),
    C.REJECTED: frozenset({C.CLOSED}),
    C.CLOSED: frozenset(),
}
validate_table(CASE_TRANSITIONS, set(CaseStatus.values))
DECIDED_CASE_STATUSES = frozenset({C.RESOLVED, C.REJECTED, C.CLOSED})


class SellerCaseQuerySet(models.QuerySet):
    def queue(self) -> SellerCaseQuerySet:
        """Cases waiting for the platform, oldest deadline first."""
        return self.filter(status=C.OPEN).order_by("answer_due_at", "pk")


class SellerCase(TimeStampedModel):
    """A seller's case to the platform (pre-trial channel, 289-ФЗ): topic, thread, deadline, written decision."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="cases")
    topic = models.CharField(_("topic"), max_length=32, choices=CaseTopic)
    subject = models.CharField(_("subject"), max_length=200)
    sanction = models.ForeignKey(
        Sanction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("appealed sanction"),
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus, default=C.OPEN, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer_due_at = models.DateTimeField(_("answer due"), editable=False)
    decision = models.TextField(_("decision"), blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    satisfaction = models.PositiveSmallIntegerField(
        _("seller's satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        editable=False,
    )

    objects = SellerCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("seller case")
        verbose_name_plural = _("seller cases")
        ordering = ["-created_at"]
        permissions = [("decide_sellercase", _("Can answer and decide seller cases"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="sellercase_status_valid"),
            models.CheckConstraint(condition=Q(topic__in=CaseTopic.values), name="sellercase_topic_valid"),
            models.UniqueConstraint(
                fields=["sanction"], condition=Q(sanction__isnull=False), name="sellercase_one_appeal_per_sanction"
            ),
            models.CheckConstraint(
                condition=Q(sanction__isnull=True) | Q(topic="sanction"), name="sellercase_sanction_only_for_topic"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="sellercase_satisfaction_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Case #%(number)s: %(subject)s") % {"number": self.pk, "subject": self.subject})

    def get_absolute_url(self) -> str:
        return reverse("sellers:case-detail", kwargs={"case_id": self.pk})

    @property
    def is_waiting_for_platform(self) -> bool:
        return self.status == C.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.status == C.OPEN and self.answer_due_at < timezone.now()


class CaseMessage(models.Model):
    case = models.ForeignKey(SellerCase, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_platform = models.BooleanField(_("from the platform"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class CaseAttachment(models.Model):
    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="caseattachment_type_allowed",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("sellers:case-attachment", kwargs={"attachment_id": self.pk})

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class CaseEvent(StatusEvent):
    case = models.ForeignKey(SellerCase, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=CaseStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=CaseStatus)

    class Meta(StatusEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case history")
