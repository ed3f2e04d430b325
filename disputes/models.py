"""Disputes (a case file with a state machine, evidence, decisions) and buyer–seller messaging."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel
from marketplace.core.state_machine import validate_table
from sellers.models.storage import private_storage

MONEY = {"max_digits": 14, "decimal_places": 2}


# Disputes ---------------------------------------------------------------------------------------------


class DisputeReason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Damaged")
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    RETURN_REFUSED = "return_refused", _("Return refused")
    REFUND_NOT_RECEIVED = "refund_not_received", _("Refund not received")


class DesiredOutcome(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REPLACEMENT = "replacement", _("Replacement")


class DisputeStatus(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", _("Waiting for the seller")
    AWAITING_BUYER = "awaiting_buyer", _("The seller made a proposal")
    SELLER_REJECTED = "seller_rejected", _("The seller rejected the claim")
    ESCALATED = "escalated", _("Escalated to the platform")
    IN_ARBITRATION = "in_arbitration", _("In arbitration")
    AWAITING_APPROVAL = "awaiting_approval", _("Decision awaiting a second approval")
    AWAITING_RETURN = "awaiting_return", _("Waiting for the item to be returned")
    RESOLVED = "resolved", _("Resolved by agreement")
    DECIDED = "decided", _("Decided by the platform")
    CLOSED = "closed", _("Closed")


D = DisputeStatus
DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    D.AWAITING_SELLER: frozenset(
        {D.AWAITING_BUYER, D.SELLER_REJECTED, D.RESOLVED, D.AWAITING_RETURN, D.ESCALATED, D.CLOSED}
    ),
    D.AWAITING_BUYER: frozenset({D.RESOLVED, D.AWAITING_RETURN, D.ESCALATED, D.CLOSED}),
    D.SELLER_REJECTED: frozenset({D.ESCALATED, D.CLOSED}),
    D.ESCALATED: frozenset({D.IN_ARBITRATION, D.CLOSED}),
    D.IN_ARBITRATION: frozenset({D.AWAITING_APPROVAL, D.AWAITING_RETURN, D.DECIDED, D.CLOSED}),
    D.AWAITING_APPROVAL: frozenset({D.IN_ARBITRATION, D.AWAITING_RETURN, D.DECIDED}),
    D.AWAITING_RETURN: frozenset({D.RESOLVED, D.DECIDED}),
    D.RESOLVED: frozenset({D.CLOSED}),
    D.DECIDED: frozenset({D.CLOSED}),
    D.CLOSED: frozenset(),
}
validate_table(DISPUTE_TRANSITIONS, set(DisputeStatus.values))
OPEN_DISPUTE_STATUSES = frozenset(
    {
        D.AWAITING_SELLER,
        D.AWAITING_BUYER,
        D.SELLER_REJECTED,
        D.ESCALATED,
        D.IN_ARBITRATION,
        D.AWAITING_APPROVAL,
        D.AWAITING_RETURN,
    }
)
MEDIATION_STATUSES = frozenset({D.AWAITING_SELLER, D.AWAITING_BUYER, D.SELLER_REJECTED})
ARBITRATION_STATUSES = frozenset({D.ESCALATED, D.IN_ARBITRATION, D.AWAITING_APPROVAL})
FINISHED_STATUSES = frozenset({D.RESOLVED, D.DECIDED, D.CLOSED})


class Dispute(TimeStampedModel):
    """A buyer's claim on one order. Status changes only through services.change_dispute_status."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="disputes")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes")
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="disputes")
    status = models.CharField(
        _("status"), max_length=20, choices=DisputeStatus, default=D.AWAITING_SELLER, editable=False, db_index=True
    )
    # Kept in step with status by change_dispute_status: the partial unique index needs a plain column, and
    # orders (upstream) checks it without knowing dispute statuses to hold the payout.
    is_open = models.BooleanField(default=True, editable=False)
    reason = models.CharField(_("reason"), max_length=24, choices=DisputeReason)
    description = models.TextField(_("what happened"), max_length=5000)
    desired_outcome = models.CharField(_("what you want"), max_length=16, choices=DesiredOutcome)
    desired_amount = models.DecimalField(_("amount you ask for"), **MONEY, null=True, blank=True)
    # The move's deadline (seller's answer, buyer's answer, moderator's decision); beat scans due rows.
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_disputes",
        editable=False,
        verbose_name=_("assigned moderator"),
    )
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The seller's proposal during mediation.
    proposal_kind = models.CharField(max_length=20, blank=True, editable=False)
    proposal_amount = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    proposal_text = models.TextField(blank=True, editable=False)
    # A return in progress (agreed or decided): what is refunded once the item is back.
    return_refund_amount = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    return_tracking = models.CharField(max_length=40, blank=True, editable=False)
    return_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    refunded_amount = models.DecimalField(**MONEY, default=0, editable=False)
    seller_lost = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("resolve_dispute", _("Can decide disputes")),
            ("approve_dispute_decision", _("Can approve another moderator's dispute decision")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(is_open=True), name="dispute_one_open_per_order"),
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"),
            models.CheckConstraint(
                condition=Q(is_open=True, status__in=sorted(OPEN_DISPUTE_STATUSES))
                | Q(is_open=False, status__in=sorted(FINISHED_STATUSES)),
                name="dispute_is_open_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(desired_amount__isnull=True) | Q(desired_amount__gt=0), name="dispute_amount_positive"
            ),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="dispute_refunded_non_negative"),
        ]
        indexes = [models.Index(fields=["deadline_at"], condition=Q(is_open=True), name="dispute_open_deadline")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"D{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("disputes:detail", args=[self.pk])

    @property
    def party_user_ids(self) -> set[int]:
        ids = {self.buyer_id}
        ids.update(self.seller.members.values_list("user_id", flat=True))
        ids.add(self.seller.user_id)
        return ids

    @property
    def stage(self) -> str:
        if self.status in MEDIATION_STATUSES or self.status == D.AWAITING_RETURN:
            return "mediation" if self.escalated_at is None else "arbitration"
        if self.status in ARBITRATION_STATUSES:
            return "arbitration"
        return "closed"

    @property
    def whose_move(self) -> str:
        """ "seller", "buyer", "platform" or "" (nobody: closed)."""
        return {
            D.AWAITING_SELLER: "seller",
            D.AWAITING_BUYER: "buyer",
            D.SELLER_REJECTED: "buyer",
            D.ESCALATED: "platform",
            D.IN_ARBITRATION: "platform",
            D.AWAITING_APPROVAL: "platform",
            D.AWAITING_RETURN: "seller" if self.return_sent_at else "buyer",
        }.get(self.status, "")


class DisputeEvent(models.Model):
    """Who, when, from, to, why — append-only history (the parties see it; internal notes are separate)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return DisputeStatus(self.to_status).label if self.to_status in DisputeStatus.values else self.to_status


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    import uuid

    return f"disputes/{instance.dispute_id}/{uuid.uuid4().hex}.jpg"


class Evidence(models.Model):
    """A statement or a photo from a party (photos re-encoded by the catalogue pipeline, stored privately)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), max_length=5000, blank=True)
    image = models.FileField(_("photo"), upload_to=evidence_upload_to, storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text="", image=""), name="evidence_not_empty")]

    def __str__(self) -> str:
        return f"{self.dispute_id}/{self.pk}"


class InternalNote(models.Model):
    """A moderator's note on the case; never shown to the parties."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute_id}/{self.pk}"


class DecisionKind(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    RETURN_THEN_REFUND = "return_then_refund", _("Return the item, then refund")
    REJECT = "reject", _("Reject the claim")


class DecisionStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for a second moderator")
    EXECUTED = "executed", _("Executed")
    DECLINED = "declined", _("Declined by the second moderator")


class Decision(models.Model):
    """A moderator's decision with written reasoning both parties see; above the four-eyes amount it waits."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind)
    amount = models.DecimalField(_("refund amount"), **MONEY, default=0)
    reasoning = models.TextField(_("reasoning"), max_length=5000)
    status = models.CharField(max_length=20, choices=DecisionStatus, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="decision_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("decided_by")),
                name="decision_four_eyes",
            ),
            # At most one decision in force per dispute (executed or waiting): a second concurrent one fails.
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(status__in=["pending_approval", "executed"]),
                name="decision_one_per_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.kind} {self.amount}"


class HandlingRating(models.Model):
    """How a party rates the handling of a closed dispute (spec 94)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "user"], name="rating_once_per_party"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.score}"


# Messaging --------------------------------------------------------------------------------------------


class Conversation(TimeStampedModel):
    """Buyer ↔ seller: one per order, or one per listing before a sale (pre-sale questions)."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations")
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="conversations")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="conversation"
    )
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    buyer_read_at = models.DateTimeField(null=True, blank=True)
    seller_read_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_buyer_message_at = models.DateTimeField(null=True, blank=True)
    # The seller's first-reply time (the seller rating reads it).
    seller_first_reply_seconds = models.PositiveIntegerField(null=True, blank=True)
    has_flagged = models.BooleanField(_("has flagged messages"), default=False)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=False, listing__isnull=True) | Q(order__isnull=True, listing__isnull=False),
                name="conversation_order_or_listing",
            ),
            models.UniqueConstraint(
                fields=["buyer", "listing"],
                condition=Q(order__isnull=True),
                name="conversation_one_presale_per_listing",
            ),
        ]

    def __str__(self) -> str:
        return f"C{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("disputes:conversation", args=[self.pk])


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_seller = models.BooleanField(default=False)
    text = models.TextField(_("message"), max_length=4000, blank=True)
    image = models.FileField(_("photo"), upload_to="messages/%Y/%m/", storage=private_storage, blank=True)
    is_flagged = models.BooleanField(_("flagged"), default=False)
    flag_reason = models.CharField(_("why flagged"), max_length=200, blank=True)
    flag_reviewed = models.BooleanField(_("flag reviewed"), default=False)
    unread_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["sender", "created_at"], name="message_sender_recent"),
            models.Index(
                fields=["created_at"], condition=Q(is_flagged=True, flag_reviewed=False), name="message_flag_queue"
            ),
        ]
        constraints = [models.CheckConstraint(condition=~Q(text="", image=""), name="message_not_empty")]

    def __str__(self) -> str:
        return f"{self.conversation_id}/{self.pk}"


class MessagingBlock(models.Model):
    """A moderator stopped a user from sending messages (lifting sets lifted_at)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messaging_blocks")
    blocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("messaging block")
        verbose_name_plural = _("messaging blocks")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(lifted_at__isnull=True), name="messaging_block_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}"


class QuickReply(models.Model):
    """A seller's saved answer, inserted into the message box."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="quick_replies")
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=2000)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


# Risk signals -----------------------------------------------------------------------------------------


class RiskSignalKind(models.TextChoices):
    CANCELLATION_SPIKE = "cancellation_spike", _("Seller's cancellation rate spiking")
    NEW_SELLER_LARGE_ORDERS = "new_seller_large_orders", _("New seller with unusually large orders")
    BUYER_DISPUTES_RETURNS = "buyer_disputes_returns", _("Buyer with many disputes or returns")
    REVIEW_BURST = "review_burst", _("Burst of reviews")
    SHARED_DATA = "shared_data", _("Buyer accounts sharing a phone or address with the seller")
    CONTACT_SHARING = "contact_sharing", _("Repeated contact sharing in messages")


class RiskSignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")


class RiskSignal(models.Model):
    """A pattern the beat found (spec 158), listed for moderators; nothing acts on it automatically.

    One row per (kind, subject, period): a later run in the same period refreshes the evidence and the score
    but keeps a moderator's dismissal."""

    kind = models.CharField(_("signal"), max_length=32, choices=RiskSignalKind)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="risk_signals",
        verbose_name=_("account"),
    )
    subject_seller = models.ForeignKey(
        "sellers.Seller",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="risk_signals",
        verbose_name=_("seller"),
    )
    period = models.CharField(_("period"), max_length=10)
    summary = models.CharField(_("summary"), max_length=300)
    # [{"model": "orders.order", "id": 12, "label": "M-…"}]: the admin links each item to its page.
    evidence = models.JSONField(_("evidence"), default=list)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)], help_text=_("0–100: how unusual.")
    )
    computed_at = models.DateTimeField(_("computed at"))
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RiskSignalStatus, default=RiskSignalStatus.OPEN, editable=False
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        ordering = ["-computed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_user__isnull=False, subject_seller__isnull=True)
                | Q(subject_user__isnull=True, subject_seller__isnull=False),
                name="risk_signal_one_subject",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_user", "period"],
                condition=Q(subject_user__isnull=False),
                name="risk_signal_once_per_user_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_seller", "period"],
                condition=Q(subject_seller__isnull=False),
                name="risk_signal_once_per_seller_period",
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="risk_signal_score_range"),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(status="open"), name="risk_signal_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def subject(self):
        return self.subject_seller if self.subject_seller_id else self.subject_user
