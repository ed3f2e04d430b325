"""Reviews of products and sellers, replies, votes, reports, the rating outbox, aggregates and the seller rating."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table

# Formula version stored with every computed rating; bump it whenever a weight, prior or window changes (the
# thresholds are the seller standards, SellerStandards, which managers change in admin).
# 2026.1: lost disputes weigh 2.0 (were counted at 1.0); the median first-reply time to buyers deducts points.
FORMULA_VERSION = "2026.1"
# Fewer buyer conversations in the rating's window than this do not judge the seller's reply time.
REPLY_MIN_CONVERSATIONS = 5


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden after a report")


RS = ReviewStatus
# pending → published | rejected; published → hidden (report upheld, contest upheld) or pending (an edit is
# re-checked and held); hidden → published (a moderator restores); rejected → pending (the author edits it).
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    RS.PENDING: frozenset({RS.PUBLISHED, RS.REJECTED}),
    RS.PUBLISHED: frozenset({RS.HIDDEN, RS.PENDING}),
    RS.HIDDEN: frozenset({RS.PUBLISHED}),
    RS.REJECTED: frozenset({RS.PENDING}),
}
validate_table(REVIEW_TRANSITIONS, set(ReviewStatus.values))


class DisplayName(models.TextChoices):
    NAME_INITIAL = "name_initial", _("First name and initial")
    ANONYMOUS = "anonymous", _("Anonymous buyer")


class ContestStatus(models.TextChoices):
    NONE = "", _("Not contested")
    OPEN = "open", _("Contested by the seller")
    UPHELD = "upheld", _("Contest upheld: the review is hidden")
    DISMISSED = "dismissed", _("Contest dismissed")


class ReviewBase(TimeStampedModel):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus, default=RS.PENDING, editable=False)
    display_name = models.CharField(
        _("show me as"), max_length=16, choices=DisplayName, default=DisplayName.NAME_INITIAL
    )
    # Why the automatic checks held it (codes from services.moderation.CHECKS), for the moderator's queue.
    hold_reasons = models.JSONField(default=list, blank=True, editable=False)
    moderation_reason = models.TextField(_("moderator's reason"), blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def author_label(self) -> str:
        if self.display_name == DisplayName.ANONYMOUS or not self.author.first_name:
            return str(_("Anonymous buyer"))
        initial = f" {self.author.last_name[:1]}." if self.author.last_name else ""
        return f"{self.author.first_name}{initial}"

    @property
    def is_published(self) -> bool:
        return self.status == RS.PUBLISHED


class ProductReview(ReviewBase):
    """A verified buyer's review of what one order line delivered."""

    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, related_name="+")
    variant_name = models.CharField(_("variant bought"), max_length=100, blank=True, editable=False)
    stars = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=5000, blank=True)
    pros = models.TextField(_("pros"), max_length=1000, blank=True)
    cons = models.TextField(_("cons"), max_length=1000, blank=True)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)  # recounted from votes, never +1
    contest_status = models.CharField(max_length=16, choices=ContestStatus, blank=True, default="", editable=False)
    contest_reason = models.TextField(_("why the seller contests it"), blank=True, editable=False)

    class Meta:
        verbose_name = _("product review")
        verbose_name_plural = _("product reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order_line"], name="review_once_per_order_line"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="review_stars_1_to_5"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
        ]
        indexes = [
            models.Index(fields=["listing", "status", "-created_at"], name="review_listing_status"),
            # include: the seller rating reads stars from the index alone (no heap visit per review)
            models.Index(
                fields=["seller", "status", "-created_at"], include=["stars"], name="review_seller_status_stars"
            ),
        ]

    def __str__(self) -> str:
        return f"★{self.stars} {self.listing_id} #{self.pk}"

    @property
    def is_verified_purchase(self) -> bool:
        return self.order_line_id is not None  # every review comes from a delivered order line


def review_photo_upload_to(instance: ReviewPhoto, filename: str) -> str:
    return f"reviews/{instance.review_id}/{uuid.uuid4().hex}.jpg"


class ReviewPhoto(models.Model):
    review = models.ForeignKey(ProductReview, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=review_photo_upload_to)  # validated and re-encoded by catalog.images
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.image.name


class AspectKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    SCALE = "scale", _("Scale from 1 to 5")


class ReviewAspect(models.Model):
    """A question buyers answer when reviewing a listing of this category or of any of its subcategories."""

    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("Phrased as buyers answer it, e.g. “Size fits”."))
    kind = models.CharField(_("answer"), max_length=8, choices=AspectKind, default=AspectKind.YES_NO)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("asked"), default=True, help_text=_("Clear to stop asking it; its answers are no longer shown.")
    )

    class Meta:
        verbose_name = _("review aspect")
        verbose_name_plural = _("review aspects")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="review_aspect_name_per_category"),
            models.CheckConstraint(condition=Q(kind__in=AspectKind.values), name="review_aspect_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_yes_no(self) -> bool:
        return self.kind == AspectKind.YES_NO


class ReviewAspectAnswer(models.Model):
    """A buyer's answer to one aspect in a review: yes/no stored as 1/0, a scale as 1–5."""

    review = models.ForeignKey(ProductReview, on_delete=models.CASCADE, related_name="aspect_answers")
    # PROTECT: answers are buyers' words; a manager stops asking an aspect (is_active) rather than deleting it.
    aspect = models.ForeignKey(ReviewAspect, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["aspect__position", "aspect_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "aspect"], name="aspect_answer_once_per_review"),
            models.CheckConstraint(condition=Q(value__lte=5), name="aspect_answer_value_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.aspect_id}={self.value} ({self.review_id})"


class SellerReview(ReviewBase):
    """The buyer's marks for the seller on one order: service, delivery, packaging."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    service_stars = models.PositiveSmallIntegerField(_("seller's service"))
    delivery_stars = models.PositiveSmallIntegerField(_("delivery"))
    packaging_stars = models.PositiveSmallIntegerField(_("packaging"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("seller review")
        verbose_name_plural = _("seller reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order"], name="seller_review_once_per_order"),
            models.CheckConstraint(
                condition=Q(service_stars__gte=1, service_stars__lte=5)
                & Q(delivery_stars__gte=1, delivery_stars__lte=5)
                & Q(packaging_stars__gte=1, packaging_stars__lte=5),
                name="seller_review_stars_1_to_5",
            ),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="seller_review_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["seller", "status", "created_at"], include=["service_stars"], name="seller_review_rating"
            )
        ]

    def __str__(self) -> str:
        return f"★{self.service_stars} seller {self.seller_id} #{self.pk}"


class ReviewEvent(models.Model):
    """Append-only history of a review's moderation (who, when, from, to, why)."""

    product_review = models.ForeignKey(
        ProductReview, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    seller_review = models.ForeignKey(
        SellerReview, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product_review__isnull=False, seller_review__isnull=True)
                | Q(product_review__isnull=True, seller_review__isnull=False),
                name="review_event_one_review",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class SellerReply(TimeStampedModel):
    """The seller's one public answer under a review (editable)."""

    review = models.OneToOneField(ProductReview, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("reply"), max_length=2000)

    class Meta:
        verbose_name = _("seller's reply")
        verbose_name_plural = _("seller's replies")

    def __str__(self) -> str:
        return f"reply to {self.review_id}"


class ReviewVote(models.Model):
    review = models.ForeignKey(ProductReview, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="review_vote_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.review_id}"


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("Rude or offensive")
    SPAM = "spam", _("Spam or advertising")
    NOT_ABOUT_PRODUCT = "not_about_product", _("Not about the product")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    FAKE = "fake", _("Looks fake")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class ReviewReport(models.Model):
    review = models.ForeignKey(ProductReview, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=24, choices=ReportReason)
    text = models.TextField(_("details"), max_length=1000, blank=True)
    status = models.CharField(max_length=12, choices=ReportStatus, default=ReportStatus.OPEN, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], name="review_report_once_per_user"),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="review_report_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} → {self.review_id}"


# Outbox and aggregates --------------------------------------------------------------------------------------------


class RecomputeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RatingRecompute(models.Model):
    """Outbox row: "recompute this seller's rating / this listing's aggregate". One pending row per target."""

    seller = models.ForeignKey("sellers.Seller", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey("catalog.Listing", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=RecomputeStatus, default=RecomputeStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rating recompute")
        verbose_name_plural = _("rating recomputes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seller__isnull=False, listing__isnull=True) | Q(seller__isnull=True, listing__isnull=False),
                name="recompute_one_target",
            ),
            models.UniqueConstraint(
                fields=["seller"], condition=Q(status="pending", seller__isnull=False), name="recompute_seller_pending"
            ),
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(status="pending", listing__isnull=False),
                name="recompute_listing_pending",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(status="pending"), name="recompute_pending")]

    def __str__(self) -> str:
        return f"recompute seller={self.seller_id} listing={self.listing_id} ({self.status})"


class ListingRating(models.Model):
    """Published product reviews of one listing: average, count and distribution (recomputed from the source)."""

    listing = models.OneToOneField("catalog.Listing", on_delete=models.CASCADE, primary_key=True, related_name="+")
    average = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    count = models.PositiveIntegerField(default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    with_photos = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.average} ({self.count})"


class Band(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    AT_RISK = "at_risk", _("At risk")
    CRITICAL = "critical", _("Critical")
    NEW = "new", _("New seller")


class SellerRating(models.Model):
    """A seller's current rating: review aggregates, customer score, quality index, band (one row per seller)."""

    seller = models.OneToOneField("sellers.Seller", on_delete=models.CASCADE, primary_key=True, related_name="rating")
    average = models.DecimalField(_("average of product reviews"), max_digits=3, decimal_places=2, default=0)
    count = models.PositiveIntegerField(_("product reviews"), default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    scored_reviews = models.PositiveIntegerField(_("reviews in the score (365 days)"), default=0)
    customer_score = models.DecimalField(_("customer score"), max_digits=3, decimal_places=2, default=0)
    orders_in_window = models.PositiveIntegerField(_("orders in the window"), default=0)
    incidents_in_window = models.PositiveIntegerField(_("incidents in the window"), default=0)
    incident_weight = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    cancellations_in_window = models.PositiveIntegerField(_("seller-caused cancellations in the window"), default=0)
    conversations_in_window = models.PositiveIntegerField(_("buyer conversations in the window"), default=0)
    reply_median_minutes = models.PositiveIntegerField(_("median first reply, minutes"), null=True, blank=True)
    reply_deduction = models.PositiveSmallIntegerField(_("points deducted for reply time"), default=0)
    quality_index = models.PositiveSmallIntegerField(_("quality index"), null=True, blank=True)
    on_time_percent = models.PositiveSmallIntegerField(_("shipped on time, %"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=12, choices=Band, default=Band.NEW)
    is_reliable = models.BooleanField(_("reliable seller"), default=False)
    formula_version = models.CharField(max_length=16, default=FORMULA_VERSION)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("seller rating")
        verbose_name_plural = _("seller ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quality_index__isnull=True) | Q(quality_index__gte=0, quality_index__lte=100),
                name="seller_rating_quality_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.band}"

    @property
    def cancellation_percent(self) -> Decimal | None:
        """Seller-caused cancellations (not struck on appeal) per 100 orders of the window, to one decimal."""
        if not self.orders_in_window:
            return None
        return (Decimal(100 * self.cancellations_in_window) / self.orders_in_window).quantize(Decimal("0.1"))

    @property
    def reply_median_hours(self) -> float | None:
        return None if self.reply_median_minutes is None else self.reply_median_minutes / 60

    @property
    def replies_within_hours(self) -> int | None:
        """The median first reply in whole hours, rounded up (at least 1): "usually replies within N h"."""
        return None if self.reply_median_minutes is None else max(1, -(-self.reply_median_minutes // 60))


class SellerStandards(models.Model):
    """The thresholds of the seller standards as managers set them (spec 163): one row per change, never edited.

    The row with the latest `effective_at` not in the future is in force (reviews.selectors.seller_standards); a
    row with a later date is announced and takes effect then (reviews.services.standards.apply_due_standards).
    Each row records who changed the thresholds, when and why. The rating formula's weights and windows stay in
    code with its version.
    """

    excellent_from = models.PositiveSmallIntegerField(_("excellent band from"), default=90)
    good_from = models.PositiveSmallIntegerField(_("good band from"), default=75)
    at_risk_from = models.PositiveSmallIntegerField(
        _("at-risk band from"), default=50, help_text=_("Below this quality index the seller is in the critical band.")
    )
    reliable_min_score = models.DecimalField(
        _("reliable seller: customer score at least"), max_digits=3, decimal_places=2, default=Decimal("4.50")
    )
    reliable_min_reviews = models.PositiveIntegerField(_("reliable seller: reviews at least"), default=10)
    reliable_min_orders = models.PositiveIntegerField(_("reliable seller: orders in the window at least"), default=20)
    reply_hours = models.PositiveSmallIntegerField(
        _("first reply to buyers within, hours"),
        default=24,
        help_text=_("A slower median first reply deducts points from the quality index."),
    )
    reply_points = models.PositiveSmallIntegerField(_("points deducted for a slower reply"), default=10)
    reply_late_hours = models.PositiveSmallIntegerField(_("a very slow reply is over, hours"), default=72)
    reply_late_points = models.PositiveSmallIntegerField(_("points deducted for a very slow reply"), default=20)
    on_time_target = models.PositiveSmallIntegerField(
        _("orders shipped on time, at least %"), default=95, help_text=_("Published to sellers.")
    )
    cancellations_max = models.PositiveSmallIntegerField(
        _("seller-caused cancellations, at most %"), default=2, help_text=_("Published to sellers.")
    )
    reason = models.TextField(_("reason for the change"), help_text=_("Shown to sellers on the rating formula page."))
    effective_at = models.DateTimeField(
        _("in force from"), default=timezone.now, help_text=_("Now, or a later date announced to sellers in advance.")
    )
    applied_at = models.DateTimeField(_("ratings recomputed"), null=True, blank=True)  # the outbox rows written
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("changed by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    THRESHOLDS = (
        "excellent_from",
        "good_from",
        "at_risk_from",
        "reliable_min_score",
        "reliable_min_reviews",
        "reliable_min_orders",
        "reply_hours",
        "reply_points",
        "reply_late_hours",
        "reply_late_points",
        "on_time_target",
        "cancellations_max",
    )

    class Meta:
        verbose_name = _("seller standards")
        verbose_name_plural = _("seller standards")
        ordering = ["-effective_at", "-pk"]
        indexes = [models.Index(fields=["-effective_at", "-id"], name="standards_by_effective")]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk_from__gt=0, good_from__gt=F("at_risk_from"), excellent_from__gt=F("good_from"))
                & Q(excellent_from__lte=100),
                name="standards_bands_in_order",
            ),
            models.CheckConstraint(
                condition=Q(reliable_min_score__gte=1, reliable_min_score__lte=5), name="standards_reliable_score_1_5"
            ),
            models.CheckConstraint(
                condition=Q(reply_hours__gt=0, reply_late_hours__gt=F("reply_hours"))
                & Q(reply_late_points__gte=F("reply_points"), reply_late_points__lte=100),
                name="standards_reply_in_order",
            ),
            models.CheckConstraint(
                condition=Q(on_time_target__lte=100, cancellations_max__lte=100), name="standards_percentages"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.excellent_from}/{self.good_from}/{self.at_risk_from}"

    def clean(self) -> None:
        """The same rules as the check constraints, each as an error on the field a manager has to change."""
        errors: dict[str, str] = {}
        if self.excellent_from is not None and not 0 < self.excellent_from <= 100:
            errors["excellent_from"] = _("A quality index is from 0 to 100.")
        if None not in (self.excellent_from, self.good_from) and self.good_from >= self.excellent_from:
            errors["good_from"] = _("The good band must start below the excellent band.")
        if self.at_risk_from is not None and self.at_risk_from < 1:
            errors["at_risk_from"] = _("The at-risk band must start above 0: below it is the critical band.")
        elif None not in (self.good_from, self.at_risk_from) and self.at_risk_from >= self.good_from:
            errors["at_risk_from"] = _("The at-risk band must start below the good band.")
        if self.reliable_min_score is not None and not 1 <= self.reliable_min_score <= 5:
            errors["reliable_min_score"] = _("A customer score is from 1 to 5.")
        if self.reply_hours is not None and self.reply_hours < 1:
            errors["reply_hours"] = _("Give at least one hour.")
        elif None not in (self.reply_hours, self.reply_late_hours) and self.reply_late_hours <= self.reply_hours:
            errors["reply_late_hours"] = _("A very slow reply must be longer than the first reply target.")
        if self.reply_late_points is not None and self.reply_late_points > 100:
            errors["reply_late_points"] = _("At most 100 points.")
        elif None not in (self.reply_points, self.reply_late_points) and self.reply_late_points < self.reply_points:
            errors["reply_late_points"] = _("A very slow reply cannot cost fewer points than a slow one.")
        for name in ("on_time_target", "cancellations_max"):
            if getattr(self, name) is not None and getattr(self, name) > 100:
                errors[name] = _("A percentage is at most 100.")
        if errors:
            raise ValidationError(errors)

    def thresholds(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.THRESHOLDS}

    @property
    def bands(self) -> list[tuple[str, int]]:
        """(band, lowest quality index in it), best first."""
        return [
            (Band.EXCELLENT, self.excellent_from),
            (Band.GOOD, self.good_from),
            (Band.AT_RISK, self.at_risk_from),
            (Band.CRITICAL, 0),
        ]

    @property
    def reply_deductions(self) -> list[tuple[int, int]]:
        """(median first reply above this many hours, points deducted), shortest first."""
        return [(self.reply_hours, self.reply_points), (self.reply_late_hours, self.reply_late_points)]


class SellerRatingHistory(models.Model):
    """One row per seller and day: what the rating was, with the formula version that computed it."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    customer_score = models.DecimalField(max_digits=3, decimal_places=2)
    quality_index = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=12, choices=Band)
    formula_version = models.CharField(max_length=16)

    class Meta:
        ordering = ["seller", "day"]
        constraints = [models.UniqueConstraint(fields=["seller", "day"], name="rating_history_once_per_day")]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.day}: {self.band}"


class IncidentAppeal(models.Model):
    """A seller's appeal of one rating incident, carried by a sellers case; an upheld appeal strikes the incident."""

    incident = models.OneToOneField("orders.Incident", on_delete=models.PROTECT, related_name="appeal")
    case = models.OneToOneField("sellers.SellerCase", on_delete=models.PROTECT, related_name="incident_appeal")
    struck_at = models.DateTimeField(_("struck"), null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident appeal")
        verbose_name_plural = _("incident appeals")

    def __str__(self) -> str:
        return f"appeal of incident {self.incident_id}"


class RatingFlag(models.Model):
    """A seller fell into the critical band: moderators decide on the proposed sanction."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    quality_index = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_sanction = models.CharField(_("proposed sanction"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField(blank=True)

    class Meta:
        verbose_name = _("critical rating flag")
        verbose_name_plural = _("critical rating flags")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["seller"], condition=Q(decided_at__isnull=True), name="rating_flag_open")
        ]

    def __str__(self) -> str:
        return f"critical {self.seller_id}"


class ReviewRequest(models.Model):
    """A deadline row: ask the buyer for a review N days after delivery, remind once, never after a return."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"review request {self.order_id}"
