"""Approved sellers: creation, status ladder and sanctions, storefront, vacation, offer versions, bank details."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.legal import selectors as legal_selectors
from marketplace.legal import services as legal_services
from marketplace.legal.models import DocumentKind as LegalDocumentKind
from marketplace.legal.models import PlatformTerms
from sellers import policies, validators
from sellers.exceptions import (
    DuplicateSeller,
    InvalidDocument,
    ReasonRequired,
    SecondApprovalRequired,
    StoreAddressTaken,
)
from sellers.models import (
    BANK_CHANGE_TRANSITIONS,
    FOUR_EYES_SANCTIONS,
    SANCTION_STATUSES,
    SELLER_TRANSITIONS,
    BankChangeEvent,
    BankChangeStatus,
    BankDetailsChange,
    Sanction,
    Seller,
    SellerApplication,
    SellerEvent,
    SellerStatus,
    Storefront,
    TeamMember,
    TeamRole,
)
from sellers.models.storage import generated_name
from sellers.policies import Section

from . import notify
from .common import record_initial_event, transition

# Heavier sanctions come later in the ladder; after lifting one, the seller returns to the heaviest still in force.
LADDER = [SellerStatus.ACTIVE, *SANCTION_STATUSES]


def require_section(member: TeamMember | None, section: str) -> TeamMember:
    """The acting team member may work in this cabinet section (the service checks itself, not only the view)."""
    if not policies.can_access_section(member, section):
        raise PermissionDenied
    return member


@transaction.atomic
def change_seller_status(*, seller: Seller, to: str, actor, reason: str) -> bool:
    """The only way a seller's status changes. False, changing nothing, if it already has `to`."""
    return transition(
        obj=seller,
        table=SELLER_TRANSITIONS,
        to=to,
        actor=actor,
        reason=reason,
        event_model=SellerEvent,
        event_field="seller",
    )


@transaction.atomic
def create_seller_from_application(*, application: SellerApplication, actor) -> Seller:
    """Seller, storefront and the owner's team seat from an approved application (called by approve_application)."""
    if Seller.objects.filter(inn=application.inn).exclude(status=SellerStatus.TERMINATED).exists():
        raise DuplicateSeller()
    if Storefront.objects.filter(slug=application.store_slug).exists():
        raise StoreAddressTaken(_("The store address was taken after submission: request a change of address."))
    if TeamMember.objects.filter(user=application.applicant).exists():
        raise DomainError(_("The applicant has joined another seller's team meanwhile."))
    seller = Seller.objects.create(
        user=application.applicant,
        application=application,
        legal_form=application.legal_form,
        legal_name=application.legal_name,
        inn=application.inn,
        ogrn=application.ogrn,
        kpp=application.kpp,
        legal_address=application.legal_address,
        bank_name=application.bank_name,
        bik=application.bik,
        settlement_account=application.settlement_account,
        correspondent_account=application.correspondent_account,
        contact_name=application.contact_name,
        contact_phone=application.contact_phone,
        contact_email=application.contact_email,
        categories=application.planned_categories,
        offer_terms=application.offer_terms,
        approved_at=timezone.now(),
    )
    record_initial_event(
        obj=seller, event_model=SellerEvent, event_field="seller", actor=actor, reason=_("Application approved")
    )
    Storefront.objects.create(
        seller=seller,
        slug=application.store_slug,
        name=application.store_name,
        description=application.business_description,
    )
    TeamMember.objects.create(seller=seller, user=application.applicant, role=TeamRole.OWNER, added_by=actor)
    return seller


# Sanctions --------------------------------------------------------------------------------------------


def _clean_sanction_input(*, level: str, rule: str, reason: str, allowed=SANCTION_STATUSES) -> tuple[str, str]:
    """The rule broken and the explanation, both required; the level must be a sanction step."""
    if level not in allowed:
        raise InvalidTransition(SellerStatus.ACTIVE, level)
    rule, reason = (rule or "").strip(), (reason or "").strip()
    if not rule or not reason:
        raise ReasonRequired(_("Name the rule that was broken and explain the sanction to the seller."))
    return rule, reason


@transaction.atomic
def apply_sanction(
    *,
    seller: Seller,
    level: str,
    actor,
    rule: str,
    reason: str,
    evidence: str = "",
    expires_at: datetime.datetime | None = None,
) -> Sanction:
    """Move the seller down the ladder for a broken rule, recorded in the registry and shown to the seller.

    Warnings and restrictions only: a suspension or termination is a request a second moderator approves
    (request_sanction / approve_sanction_request), so no caller can impose one alone."""
    if actor is not None and not policies.can_sanction_seller(actor, seller):
        raise PermissionDenied
    if level in FOUR_EYES_SANCTIONS:
        raise SecondApprovalRequired()
    rule, reason = _clean_sanction_input(level=level, rule=rule, reason=reason)
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."))
    return _impose_sanction(
        seller=seller, level=level, actor=actor, rule=rule, reason=reason, evidence=evidence, expires_at=expires_at
    )


def _impose_sanction(
    *,
    seller: Seller,
    level: str,
    actor,
    rule: str,
    reason: str,
    evidence: str,
    expires_at: datetime.datetime | None,
    approved_by=None,
) -> Sanction:
    """The sanction takes effect: registry row, status change with its event row, the seller notified.

    Only for callers that have checked everything (apply_sanction; approve_sanction_request for four eyes);
    runs inside their transaction. `actor` proposed it; `approved_by` is the second moderator, if any."""
    seller = Seller.objects.select_for_update().get(pk=seller.pk)
    previous = seller.status
    # A lighter sanction never lifts a heavier one in force: the seller keeps the heavier status.
    if LADDER.index(level) >= LADDER.index(previous):
        change_seller_status(seller=seller, to=level, actor=approved_by or actor, reason=f"{rule}: {reason}")
    sanction = Sanction.objects.create(
        seller=seller,
        level=level,
        previous_status=previous,
        rule=rule,
        reason=reason,
        evidence=evidence,
        imposed_by=actor,
        approved_by=approved_by,
        imposed_at=timezone.now(),
        expires_at=expires_at,
    )
    notify.sanction_applied(sanction)
    return sanction


def _status_after_lifting(seller: Seller) -> str:
    levels = list(seller.sanctions.in_force().values_list("level", flat=True))
    return max(levels, key=LADDER.index) if levels else SellerStatus.ACTIVE


@transaction.atomic
def lift_sanction(*, sanction: Sanction, actor, reason: str) -> Sanction:
    """End a sanction early (appeal upheld, moderator's decision) or on expiry; the seller's status follows."""
    if actor is not None and not policies.can_sanction_seller(actor, sanction.seller):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Explain why the sanction is lifted."))
    sanction = Sanction.objects.select_for_update().select_related("seller").get(pk=sanction.pk)
    if not sanction.is_in_force:
        return sanction
    sanction.lifted_at = timezone.now()
    sanction.lifted_by = actor
    sanction.lift_reason = reason
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    seller = Seller.objects.select_for_update().get(pk=sanction.seller_id)
    change_seller_status(seller=seller, to=_status_after_lifting(seller), actor=actor, reason=reason)
    notify.sanction_lifted(sanction)
    return sanction


@transaction.atomic
def reinstate_seller(*, seller: Seller, actor, reason: str) -> Seller:
    """Lift every sanction in force and return the seller to active."""
    if not policies.can_sanction_seller(actor, seller):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Explain why the seller is reinstated."))
    for sanction in seller.sanctions.in_force().order_by("pk"):
        lift_sanction(sanction=sanction, actor=actor, reason=reason)
    seller = Seller.objects.get(pk=seller.pk)
    change_seller_status(seller=seller, to=SellerStatus.ACTIVE, actor=actor, reason=reason)
    return seller


def lift_expired_sanctions(*, now: datetime.datetime | None = None) -> int:
    """Beat: lift sanctions whose expiry passed. Each in its own transaction; a rerun finds nothing to do."""
    now = now or timezone.now()
    expired = list(Sanction.objects.in_force().filter(expires_at__lte=now).values_list("pk", flat=True))
    for pk in expired:
        lift_sanction(sanction=Sanction(pk=pk), actor=None, reason=_("The sanction expired."))
    return len(expired)


# Storefront, vacation, offer ----------------------------------------------------------------------------


def _store_image(field, upload, folder: str) -> None:
    try:
        clean = validators.clean_storefront_image(upload)
    except ValidationError as error:
        raise InvalidDocument(error.messages[0]) from None
    field.save(generated_name(folder, clean.extension), ContentFile(clean.content), save=False)


@transaction.atomic
def update_storefront(
    *,
    member: TeamMember,
    name: str,
    description: str,
    return_policy: str,
    shipping_policy: str,
    logo=None,
    banner=None,
    remove_logo: bool = False,
    remove_banner: bool = False,
) -> Storefront:
    """The owner or a manager edits what buyers see on the storefront (the address stays as approved)."""
    require_section(member, Section.STORE)
    storefront = Storefront.objects.select_for_update().get(seller_id=member.seller_id)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("The store needs a name."))
    storefront.name = name
    storefront.description = description.strip()
    storefront.return_policy = return_policy.strip()
    storefront.shipping_policy = shipping_policy.strip()
    old_files = []
    for upload, remove, field, folder in (
        (logo, remove_logo, storefront.logo, "storefronts/logos"),
        (banner, remove_banner, storefront.banner, "storefronts/banners"),
    ):
        if (upload or remove) and field.name:
            old_files.append((field.storage, field.name))
        if upload:
            _store_image(field, upload, folder)
        elif remove:
            field.name = ""
    storefront.save()
    for storage, file_name in old_files:
        transaction.on_commit(lambda storage=storage, file_name=file_name: storage.delete(file_name))
    return storefront


@transaction.atomic
def set_vacation(*, member: TeamMember, start: datetime.date, end: datetime.date) -> Seller:
    """Vacation mode: between the dates listings show as unavailable and take no orders."""
    require_section(member, Section.STORE)
    today = timezone.localdate()
    if start < today:
        raise DomainError(_("The vacation cannot start in the past."))
    if end < start:
        raise DomainError(_("The vacation must end on or after its first day."))
    if (end - start).days > 90:
        raise DomainError(_("A vacation can last at most 90 days."))
    seller = Seller.objects.select_for_update().get(pk=member.seller_id)
    seller.vacation_from, seller.vacation_until = start, end
    seller.save(update_fields=["vacation_from", "vacation_until", "updated_at"])
    return seller


@transaction.atomic
def end_vacation(*, member: TeamMember) -> Seller:
    require_section(member, Section.STORE)
    seller = Seller.objects.select_for_update().get(pk=member.seller_id)
    seller.vacation_from = seller.vacation_until = None
    seller.save(update_fields=["vacation_from", "vacation_until", "updated_at"])
    return seller


def latest_seller_offer() -> PlatformTerms | None:
    """The newest published seller offer, including one announced for a future date."""
    return PlatformTerms.objects.filter(kind=LegalDocumentKind.SELLER_OFFER).order_by("-effective_at", "-pk").first()


@transaction.atomic
def accept_seller_offer(*, member: TeamMember, offer: PlatformTerms, ip_address: str | None) -> Seller:
    """The owner accepts a seller offer version; paused listings come back if it is the one in force."""
    require_section(member, Section.FINANCE)
    if offer.kind != LegalDocumentKind.SELLER_OFFER:
        raise DomainError(_("This is not a seller offer."))
    latest = latest_seller_offer()
    if latest is None or offer.pk != latest.pk:
        raise DomainError(_("A newer version of the seller offer exists: accept that one."))
    seller = Seller.objects.select_for_update().get(pk=member.seller_id)
    legal_services.accept_documents(user=member.user, documents=[offer], ip_address=ip_address, source="seller_cabinet")
    seller.offer_terms = offer
    seller.offer_paused = False
    seller.save(update_fields=["offer_terms", "offer_paused", "updated_at"])
    return seller


@transaction.atomic
def pause_sellers_without_current_offer() -> int:
    """Beat: once a new seller offer is in force, pause the listings of sellers who have not accepted it."""
    current = legal_selectors.current_document(kind=LegalDocumentKind.SELLER_OFFER)
    if current is None:
        return 0
    accepted_newer_or_current = PlatformTerms.objects.filter(
        kind=LegalDocumentKind.SELLER_OFFER, effective_at__gte=current.effective_at
    )
    stale = Seller.objects.filter(offer_paused=False).exclude(offer_terms__in=accepted_newer_or_current)
    stale_ids = list(stale.values_list("pk", flat=True))
    Seller.objects.filter(pk__in=stale_ids).update(offer_paused=True, updated_at=timezone.now())
    for seller in Seller.objects.filter(pk__in=stale_ids).select_related("user"):
        notify.offer_paused(seller, current)
    return len(stale_ids)


# Bank details -----------------------------------------------------------------------------------------


@transaction.atomic
def change_bank_change_status(
    *, change: BankDetailsChange, to: str, actor, reason: str = "", extra_fields=None
) -> bool:
    """The only way a bank-details change request changes status."""
    return transition(
        obj=change,
        table=BANK_CHANGE_TRANSITIONS,
        to=to,
        actor=actor,
        reason=reason,
        event_model=BankChangeEvent,
        event_field="change",
        extra_fields=extra_fields,
    )


@transaction.atomic
def request_bank_details_change(
    *,
    member: TeamMember,
    bank_name: str,
    bik: str,
    settlement_account: str,
    correspondent_account: str,
    comment: str = "",
) -> BankDetailsChange:
    """The owner asks for new bank details; payouts keep the current ones until a moderator approves."""
    require_section(member, Section.FINANCE)
    seller = Seller.objects.select_for_update().get(pk=member.seller_id)
    values = {
        "legal_form": seller.legal_form,
        "bank_name": bank_name,
        "bik": bik,
        "settlement_account": settlement_account,
        "correspondent_account": correspondent_account,
    }
    cleaned, errors = validators.clean_application_values(
        values, ["bank_name", "bik", "settlement_account", "correspondent_account"]
    )
    if errors:
        from sellers.exceptions import ApplicationIncomplete

        raise ApplicationIncomplete(errors, message=_("Please fix the bank details."))
    if (cleaned["bik"], cleaned["settlement_account"]) == (seller.bik, seller.settlement_account):
        raise DomainError(_("These are your current bank details."))
    if seller.bank_changes.filter(status=BankChangeStatus.PENDING).exists():
        raise DomainError(_("A change of bank details is already waiting for a moderator. Withdraw it first."))
    change = BankDetailsChange.objects.create(
        seller=seller,
        bank_name=cleaned["bank_name"],
        bik=cleaned["bik"],
        settlement_account=cleaned["settlement_account"],
        correspondent_account=cleaned["correspondent_account"],
        comment=comment.strip(),
        requested_by=member.user,
    )
    record_initial_event(obj=change, event_model=BankChangeEvent, event_field="change", actor=member.user)
    return change


@transaction.atomic
def approve_bank_details_change(*, change: BankDetailsChange, actor) -> BankDetailsChange:
    """A moderator (not the requester) approves: from now on payouts use the new details."""
    if not policies.can_review_bank_change(actor, change):
        raise PermissionDenied
    now = timezone.now()
    if change_bank_change_status(
        change=change,
        to=BankChangeStatus.APPROVED,
        actor=actor,
        extra_fields={"decided_by": actor, "decided_at": now},
    ):
        seller = Seller.objects.select_for_update().get(pk=change.seller_id)
        seller.bank_name = change.bank_name
        seller.bik = change.bik
        seller.settlement_account = change.settlement_account
        seller.correspondent_account = change.correspondent_account
        seller.save(update_fields=["bank_name", "bik", "settlement_account", "correspondent_account", "updated_at"])
        notify.bank_change_decided(change)
    return change


@transaction.atomic
def reject_bank_details_change(*, change: BankDetailsChange, actor, reason: str) -> BankDetailsChange:
    if not policies.can_review_bank_change(actor, change):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Explain to the seller why the new bank details are rejected."))
    if change_bank_change_status(
        change=change,
        to=BankChangeStatus.REJECTED,
        actor=actor,
        reason=reason,
        extra_fields={"decided_by": actor, "decided_at": timezone.now(), "decision_reason": reason},
    ):
        notify.bank_change_decided(change)
    return change


@transaction.atomic
def withdraw_bank_details_change(*, change: BankDetailsChange, member: TeamMember) -> BankDetailsChange:
    require_section(member, Section.FINANCE)
    if change.seller_id != member.seller_id:
        raise PermissionDenied
    change_bank_change_status(change=change, to=BankChangeStatus.WITHDRAWN, actor=member.user)
    return change
