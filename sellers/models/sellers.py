"""Approved sellers: profile, storefront, lifecycle and sanctions, bank-detail changes, team."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import StatusEvent, TimeStampedModel
from marketplace.core.state_machine import validate_table

from .applications import LegalForm, SellerApplication


class SellerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WARNED = "warned", _("Warned")
    RESTRICTED = "restricted", _("Restricted: no new listings")
    SUSPENDED = "suspended", _("Suspended: listings hidden")
    TERMINATED = "terminated", _("Terminated")


S = SellerStatus
# Sanctions move down the ladder (skipping steps is allowed for serious violations); lifting one
# returns the seller to the heaviest sanction still in force, or to active. A termination reversed on
# appeal can likewise land on a lighter sanction that is still in force.
SELLER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ACTIVE: frozenset({S.WARNED, S.RESTRICTED, S.SUSPENDED, S.TERMINATED}),
    S.WARNED: frozenset({S.ACTIVE, S.RESTRICTED, S.SUSPENDED, S.TERMINATED}),
    S.RESTRICTED: frozenset({S.ACTIVE, S.WARNED, S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.WARNED, S.RESTRICTED, S.TERMINATED}),
    S.TERMINATED: frozenset({S.ACTIVE, S.WARNED, S.RESTRICTED, S.SUSPENDED}),
}
validate_table(SELLER_TRANSITIONS, set(SellerStatus.values))

SANCTION_STATUSES = (S.WARNED, S.RESTRICTED, S.SUSPENDED, S.TERMINATED)
# What each status allows (the catalogue and orders apps read these through the Seller properties).
CAN_CREATE_LISTINGS = frozenset({S.ACTIVE, S.WARNED})
LISTINGS_VISIBLE = frozenset({S.ACTIVE, S.WARNED, S.RESTRICTED})
# A seller whose listings buyers must not see; the partial index `seller_hides_listings` holds exactly these
# (a handful of rows), so the catalogue's anti-join on it costs one index probe instead of a scan of all sellers.
HIDES_LISTINGS = ~Q(status__in=sorted(LISTINGS_VISIBLE)) | Q(offer_paused=True)


class SellerQuerySet(models.QuerySet):
    def with_visible_listings(self) -> SellerQuerySet:
        """Sellers whose listings buyers may see: not suspended/terminated, current seller offer accepted."""
        return self.filter(status__in=LISTINGS_VISIBLE, offer_paused=False)

    def accepting_orders(self, *, today=None) -> SellerQuerySet:
        """Visible sellers who are not on vacation today."""
        today = today or timezone.localdate()
        on_vacation = Q(vacation_from__isnull=False, vacation_from__lte=today) & (
            Q(vacation_until__isnull=True) | Q(vacation_until__gte=today)
        )
        return self.with_visible_listings().exclude(on_vacation)


class Seller(TimeStampedModel):
    """An approved seller. `user` is the owner's account; the team is in TeamMember."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller", verbose_name=_("owner")
    )
    application = models.OneToOneField(
        SellerApplication, on_delete=models.PROTECT, related_name="seller", verbose_name=_("application")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SellerStatus, default=S.ACTIVE, editable=False, db_index=True
    )
    legal_form = models.CharField(_("legal form"), max_length=8, choices=LegalForm)
    legal_name = models.CharField(_("legal name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12)
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    legal_address = models.TextField(_("legal address"))
    # Bank details that payouts use; they change only through an approved BankDetailsChange.
    bank_name = models.CharField(_("bank name"), max_length=255, blank=True, editable=False)
    bik = models.CharField(_("BIK"), max_length=9, editable=False)
    settlement_account = models.CharField(_("settlement account"), max_length=20, editable=False)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True, editable=False)
    contact_name = models.CharField(_("contact person"), max_length=255)
    contact_phone = models.CharField(_("contact phone"), max_length=16)
    contact_email = models.EmailField(_("contact e-mail"))
    categories = models.CharField(_("categories"), max_length=500, blank=True)
    approved_at = models.DateTimeField(_("on the platform since"), default=timezone.now)
    vacation_from = models.DateField(_("vacation from"), null=True, blank=True)
    vacation_until = models.DateField(_("vacation until"), null=True, blank=True)
    offer_terms = models.ForeignKey(
        "legal.PlatformTerms",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted seller offer"),
    )
    offer_paused = models.BooleanField(
        _("listings paused: seller offer not accepted"),
        default=False,
        editable=False,
        help_text=_("Set when a new seller offer version took effect before the seller accepted it."),
    )

    objects = SellerQuerySet.as_manager()

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        ordering = ["-approved_at"]
        permissions = [
            ("sanction_seller", _("Can apply and lift seller sanctions")),
            ("review_bankdetailschange", _("Can approve bank detail changes")),
        ]
        indexes = [models.Index(fields=["id"], condition=HIDES_LISTINGS, name="seller_hides_listings")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SellerStatus.values), name="seller_status_valid"),
            models.CheckConstraint(condition=Q(legal_form__in=LegalForm.values), name="seller_legal_form_valid"),
            models.UniqueConstraint(fields=["inn"], condition=~Q(status=S.TERMINATED), name="seller_inn_unique_active"),
            models.CheckConstraint(
                condition=Q(vacation_until__isnull=True)
                | Q(vacation_from__isnull=True)
                | Q(vacation_until__gte=models.F("vacation_from")),
                name="seller_vacation_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_on_vacation(self) -> bool:
        today = timezone.localdate()
        return bool(
            self.vacation_from
            and self.vacation_from <= today
            and (self.vacation_until is None or self.vacation_until >= today)
        )

    @property
    def has_vacation_planned(self) -> bool:
        return bool(self.vacation_from and self.vacation_from > timezone.localdate())

    @property
    def can_create_listings(self) -> bool:
        return self.status in CAN_CREATE_LISTINGS and not self.offer_paused

    @property
    def listings_visible(self) -> bool:
        return self.status in LISTINGS_VISIBLE and not self.offer_paused

    @property
    def accepts_new_orders(self) -> bool:
        return self.listings_visible and not self.is_on_vacation

    @property
    def registration_label(self) -> str:
        return str(_("OGRNIP") if self.legal_form == LegalForm.SOLE_TRADER else _("OGRN"))


class SellerEvent(StatusEvent):
    """Who, when, from, to, why — append-only history of a seller's status."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=SellerStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=SellerStatus)

    class Meta(StatusEvent.Meta):
        verbose_name = _("seller status change")
        verbose_name_plural = _("seller status history")


class SanctionQuerySet(models.QuerySet):
    def in_force(self) -> SanctionQuerySet:
        return self.filter(lifted_at__isnull=True)


class Sanction(models.Model):
    """The sanctions registry (spec 159): rule broken, evidence, the step applied, expiry, and its lifting."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="sanctions")
    level = models.CharField(_("sanction"), max_length=16, choices=[(s.value, s.label) for s in SANCTION_STATUSES])
    previous_status = models.CharField(_("status before"), max_length=16, choices=SellerStatus)
    rule = models.CharField(_("rule broken"), max_length=255)
    reason = models.TextField(_("explanation for the seller"))
    evidence = models.TextField(_("evidence"), blank=True)
    imposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Suspensions and terminations: the second moderator who approved the request of `imposed_by` (four eyes).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    imposed_at = models.DateTimeField(_("imposed at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.TextField(_("why lifted"), blank=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions registry")
        ordering = ["-imposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=list(SANCTION_STATUSES)), name="sanction_level_valid"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("imposed_at")),
                name="sanction_expiry_after_imposition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.rule}"

    @property
    def is_in_force(self) -> bool:
        return self.lifted_at is None


class Storefront(TimeStampedModel):
    """What buyers see at /s/<slug>/."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="storefront")
    slug = models.SlugField(_("address"), max_length=50, unique=True)
    name = models.CharField(_("store name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="storefronts/logos/", blank=True)
    banner = models.ImageField(_("banner"), upload_to="storefronts/banners/", blank=True)
    return_policy = models.TextField(_("return policy"), blank=True)
    shipping_policy = models.TextField(_("shipping policy"), blank=True)

    class Meta:
        verbose_name = _("storefront")
        verbose_name_plural = _("storefronts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sellers:storefront", kwargs={"slug": self.slug})


class BankChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


B = BankChangeStatus
BANK_CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    B.PENDING: frozenset({B.APPROVED, B.REJECTED, B.WITHDRAWN}),
    B.APPROVED: frozenset(),
    B.REJECTED: frozenset(),
    B.WITHDRAWN: frozenset(),
}
validate_table(BANK_CHANGE_TRANSITIONS, set(BankChangeStatus.values))


class BankDetailsChange(TimeStampedModel):
    """New bank details a seller asked for; payouts keep using the old ones until a moderator approves."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="bank_changes")
    status = models.CharField(_("status"), max_length=16, choices=BankChangeStatus, default=B.PENDING, editable=False)
    bank_name = models.CharField(_("bank name"), max_length=255, blank=True)
    bik = models.CharField(_("BIK"), max_length=9)
    settlement_account = models.CharField(_("settlement account"), max_length=20)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True)
    comment = models.TextField(_("comment for the moderator"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BankChangeStatus.values), name="bankchange_status_valid"),
            models.UniqueConstraint(
                fields=["seller"], condition=Q(status=B.PENDING), name="bankchange_one_pending_per_seller"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller}: {self.bik} / {self.settlement_account}"


class BankChangeEvent(StatusEvent):
    change = models.ForeignKey(BankDetailsChange, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=BankChangeStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=BankChangeStatus)

    class Meta(StatusEvent.Meta):
        verbose_name = _("bank details change event")
        verbose_name_plural = _("bank details change history")


class TeamRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager: everything except finance and team")
    WAREHOUSE = "warehouse", _("Warehouse: orders and stock only")


class TeamMember(models.Model):
    """A person who works in a seller's cabinet. A user belongs to at most one seller's team."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_membership")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="teammember_role_valid"),
            models.UniqueConstraint(fields=["seller"], condition=Q(role="owner"), name="teammember_one_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


I = InvitationStatus  # noqa: E741
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    I.PENDING: frozenset({I.ACCEPTED, I.REVOKED, I.EXPIRED}),
    I.ACCEPTED: frozenset(),
    I.REVOKED: frozenset(),
    I.EXPIRED: frozenset(),
}
validate_table(INVITATION_TRANSITIONS, set(InvitationStatus.values))


class TeamInvitation(TimeStampedModel):
    """An e-mailed invitation to join a seller's team with a role; the link carries a random token."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"), max_length=16, choices=[(r.value, r.label) for r in (TeamRole.MANAGER, TeamRole.WAREHOUSE)]
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=InvitationStatus, default=I.PENDING, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=InvitationStatus.values), name="teaminvitation_status_valid"),
            models.CheckConstraint(condition=Q(role__in=["manager", "warehouse"]), name="teaminvitation_role_valid"),
            models.UniqueConstraint(
                "seller",
                models.functions.Lower("email"),
                condition=Q(status="pending"),
                name="teaminvitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.seller}"

    def get_absolute_url(self) -> str:
        return reverse("sellers:invitation-accept", kwargs={"token": self.token})


class TeamInvitationEvent(StatusEvent):
    invitation = models.ForeignKey(TeamInvitation, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=InvitationStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=InvitationStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta(StatusEvent.Meta):
        verbose_name = _("team invitation event")
        verbose_name_plural = _("team invitation history")
