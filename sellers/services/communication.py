"""Platform → seller communication: announcements (with read and acknowledge tracking) and seller cases."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError
from sellers import policies, selectors, validators
from sellers.exceptions import AppealExists, CaseClosed, InvalidDocument, ReasonRequired
from sellers.models import (
    CASE_TRANSITIONS,
    Announcement,
    AnnouncementReceipt,
    AnnouncementTopic,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    CaseTopic,
    Sanction,
    SellerCase,
    TeamMember,
)
from sellers.models.storage import generated_name
from sellers.policies import Section

from . import notify
from .common import add_working_days, record_initial_event, transition
from .lifecycle import lift_sanction, require_section

MAX_ATTACHMENTS = 5

# Topic → what a decision in the seller's favour does besides recording it. Apps downstream of sellers
# (reviews for rating incidents, the ledger for fines) register theirs: sellers never imports them.
CaseReversal = Callable[[SellerCase, object], None]
CASE_REVERSALS: dict[str, CaseReversal] = {}


def register_case_reversal(topic: str, handler: CaseReversal) -> None:
    CASE_REVERSALS[topic] = handler


# Announcements ---------------------------------------------------------------------------------------


@transaction.atomic
def publish_announcement(*, announcement: Announcement, actor) -> int:
    """Publish to the segment: each targeted seller gets a receipt and its owner a notification. Once only."""
    if not policies.can_publish_announcement(actor):
        raise PermissionDenied
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.is_published:
        return 0
    audience = list(selectors.announcement_audience(announcement=announcement).select_related("user"))
    AnnouncementReceipt.objects.bulk_create(
        [AnnouncementReceipt(announcement=announcement, seller=seller) for seller in audience], ignore_conflicts=True
    )
    announcement.published_at = timezone.now()
    announcement.published_by = actor
    announcement.save(update_fields=["published_at", "published_by", "updated_at"])
    for seller in audience:
        notify.announcement(announcement, seller)
    return len(audience)


@transaction.atomic
def mark_announcement_read(*, receipt: AnnouncementReceipt, member: TeamMember) -> AnnouncementReceipt:
    """Opening an announcement marks it read for the whole team (the first read counts)."""
    require_section(member, Section.ANNOUNCEMENTS)
    if receipt.seller_id != member.seller_id:
        raise PermissionDenied
    AnnouncementReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=timezone.now())
    receipt.refresh_from_db(fields=["read_at"])
    return receipt


@transaction.atomic
def acknowledge_announcement(*, receipt: AnnouncementReceipt, member: TeamMember) -> AnnouncementReceipt:
    """The owner or a manager confirms a must-acknowledge announcement (a rule change) for the store."""
    require_section(member, Section.ANNOUNCEMENTS)
    if receipt.seller_id != member.seller_id:
        raise PermissionDenied
    receipt = AnnouncementReceipt.objects.select_for_update().select_related("announcement").get(pk=receipt.pk)
    if not receipt.announcement.requires_acknowledgement:
        raise DomainError(_("This announcement does not need to be acknowledged."))
    if receipt.acknowledged_at:
        return receipt
    now = timezone.now()
    receipt.read_at = receipt.read_at or now
    receipt.acknowledged_at = now
    receipt.acknowledged_by = member.user
    receipt.save(update_fields=["read_at", "acknowledged_at", "acknowledged_by"])
    return receipt


def announce_new_seller_offer() -> Announcement | None:
    """Beat: publish an announcement for the newest seller offer once some seller has yet to accept it. Once per version."""
    from .lifecycle import latest_seller_offer

    offer = latest_seller_offer()
    if offer is None or Announcement.objects.filter(offer_terms=offer).exists():
        return None
    audience = selectors.sellers_without_offer(offer=offer)
    if not audience.exists():
        return None  # everyone accepted it already (e.g. the version new sellers accept at onboarding)
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        announcement = Announcement.objects.create(
            title=_("New seller offer, version %(version)s") % {"version": offer.version},
            body="\n\n".join(
                filter(
                    None,
                    [
                        _(
                            "Version %(version)s of the seller offer takes effect on %(date)s. The store owner reads and "
                            "accepts it under “Legal and bank data”. If it is not accepted by then, the store's listings "
                            "are paused until it is."
                        )
                        % {
                            "version": offer.version,
                            "date": date_format(timezone.localtime(offer.effective_at), "j E Y"),
                        },
                        offer.summary(settings.LANGUAGE_CODE),
                    ],
                )
            ),
            topic=AnnouncementTopic.RULE_CHANGE,
            offer_terms=offer,
            published_at=timezone.now(),
        )
        sellers = list(audience.select_related("user"))
        AnnouncementReceipt.objects.bulk_create(
            [AnnouncementReceipt(announcement=announcement, seller=seller) for seller in sellers]
        )
        for seller in sellers:
            notify.announcement(announcement, seller)
    return announcement


# Cases -----------------------------------------------------------------------------------------------


@transaction.atomic
def change_case_status(*, case: SellerCase, to: str, actor, reason: str = "", extra_fields=None) -> bool:
    """The only way a case's status changes."""
    return transition(
        obj=case,
        table=CASE_TRANSITIONS,
        to=to,
        actor=actor,
        reason=reason,
        event_model=CaseEvent,
        event_field="case",
        extra_fields=extra_fields,
    )


def _attach(message: CaseMessage, uploads: Iterable) -> None:
    uploads = [upload for upload in uploads if upload]
    if len(uploads) > MAX_ATTACHMENTS:
        raise InvalidDocument(_("At most %(count)s files per message.") % {"count": MAX_ATTACHMENTS})
    cleaned = []
    for upload in uploads:  # check every file before storing any
        try:
            cleaned.append((upload, validators.clean_document_upload(upload)))
        except ValidationError as error:
            name = getattr(upload, "name", "")
            raise InvalidDocument(f"{name}: {error.messages[0]}" if name else error.messages[0]) from None
    for upload, clean in cleaned:
        attachment = CaseAttachment(
            message=message,
            original_name=(getattr(upload, "name", "") or "file")[-255:],
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
        )
        attachment.file.save(
            generated_name(f"cases/{message.case_id}", clean.extension), ContentFile(clean.content), save=False
        )
        try:
            attachment.save()
        except Exception:
            attachment.file.storage.delete(attachment.file.name)
            raise


def _answer_due(start=None):
    return add_working_days(start or timezone.now(), settings.MARKETPLACE_SELLER_CASE_ANSWER_BUSINESS_DAYS)


@transaction.atomic
def open_case(
    *,
    member: TeamMember,
    topic: str,
    subject: str,
    body: str,
    sanction: Sanction | None = None,
    attachments: Iterable = (),
) -> SellerCase:
    """A seller brings a case to the platform; the platform must answer within the working-day deadline."""
    require_section(member, Section.CASES)
    subject, body = (subject or "").strip(), (body or "").strip()
    if topic not in CaseTopic.values:
        raise DomainError(_("Choose a topic."))
    if not subject or not body:
        raise ReasonRequired(_("Write a subject and describe the problem."))
    if sanction is not None:
        if sanction.seller_id != member.seller_id:
            raise PermissionDenied
        if topic != CaseTopic.SANCTION:
            raise DomainError(_("A sanction can be attached only to a case about a sanction."))
        if SellerCase.objects.filter(sanction=sanction).exists():
            raise AppealExists()
    case = SellerCase.objects.create(
        seller_id=member.seller_id,
        topic=topic,
        subject=subject,
        sanction=sanction,
        opened_by=member.user,
        answer_due_at=_answer_due(),
    )
    record_initial_event(obj=case, event_model=CaseEvent, event_field="case", actor=member.user)
    message = CaseMessage.objects.create(case=case, author=member.user, body=body)
    _attach(message, attachments)
    return case


@transaction.atomic
def post_seller_message(*, case: SellerCase, member: TeamMember, body: str, attachments: Iterable = ()) -> CaseMessage:
    """The seller adds to the thread; a reply to an answer puts the case back with the platform, with a new deadline."""
    require_section(member, Section.CASES)
    case = SellerCase.objects.select_for_update().get(pk=case.pk)
    if case.seller_id != member.seller_id:
        raise PermissionDenied
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed()
    body = (body or "").strip()
    if not body:
        raise ReasonRequired(_("Write a message."))
    message = CaseMessage.objects.create(case=case, author=member.user, body=body)
    _attach(message, attachments)
    if case.status == CaseStatus.ANSWERED:
        change_case_status(
            case=case,
            to=CaseStatus.OPEN,
            actor=member.user,
            reason=_("The seller replied"),
            extra_fields={"answer_due_at": _answer_due()},
        )
    return message


@transaction.atomic
def answer_case(*, case: SellerCase, actor, body: str, attachments: Iterable = ()) -> CaseMessage:
    """The platform answers (acknowledgement, questions, an action plan); the countdown stops."""
    case = SellerCase.objects.select_for_update(of=("self",)).select_related("sanction", "seller").get(pk=case.pk)
    if not policies.can_decide_case(actor, case):
        raise PermissionDenied
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed()
    body = (body or "").strip()
    if not body:
        raise ReasonRequired(_("Write the answer."))
    message = CaseMessage.objects.create(case=case, author=actor, body=body, from_platform=True)
    _attach(message, attachments)
    if case.status == CaseStatus.OPEN:
        change_case_status(case=case, to=CaseStatus.ANSWERED, actor=actor)
    notify.case_answered(case)
    return message


@transaction.atomic
def decide_case(*, case: SellerCase, actor, outcome: str, decision: str, reverse_sanction: bool = True) -> SellerCase:
    """A written decision. Upholding a sanction appeal lifts the sanction; other topics call their app's handler."""
    case = SellerCase.objects.select_for_update(of=("self",)).select_related("sanction", "seller").get(pk=case.pk)
    if not policies.can_decide_case(actor, case):
        raise PermissionDenied
    if outcome not in (CaseStatus.RESOLVED, CaseStatus.REJECTED):
        raise DomainError(_("Choose whether the case is resolved or rejected."))
    decision = (decision or "").strip()
    if not decision:
        raise ReasonRequired(_("Write the decision and its reasons: the seller sees them."))
    now = timezone.now()
    if not change_case_status(
        case=case,
        to=outcome,
        actor=actor,
        reason=decision,
        extra_fields={"decision": decision, "decided_by": actor, "decided_at": now},
    ):
        return case
    CaseMessage.objects.create(case=case, author=actor, body=decision, from_platform=True)
    if outcome == CaseStatus.RESOLVED and reverse_sanction:
        if case.sanction is not None and case.sanction.is_in_force:
            lift_sanction(
                sanction=case.sanction,
                actor=actor,
                reason=_("Appeal upheld (case #%(number)s): %(decision)s") % {"number": case.pk, "decision": decision},
            )
        elif case.topic in CASE_REVERSALS:
            CASE_REVERSALS[case.topic](case, actor)
    notify.case_decided(case)
    return case


@transaction.atomic
def close_case(*, case: SellerCase, member: TeamMember | None, satisfaction: int | None = None) -> SellerCase:
    """The seller closes a decided case, optionally rating the handling 1–5; the system closes stale ones."""
    case = SellerCase.objects.select_for_update().get(pk=case.pk)
    actor = None
    if member is not None:
        if not policies.can_close_case(member, case):
            raise PermissionDenied
        actor = member.user
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise DomainError(_("Rate from 1 to 5."))
    change_case_status(case=case, to=CaseStatus.CLOSED, actor=actor, extra_fields={"satisfaction": satisfaction})
    return case


def close_stale_cases(*, now=None) -> int:
    """Beat: close decided cases the seller left open for MARKETPLACE_SELLER_CASE_AUTOCLOSE_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.MARKETPLACE_SELLER_CASE_AUTOCLOSE_DAYS)
    due = list(
        SellerCase.objects.filter(
            status__in=[CaseStatus.RESOLVED, CaseStatus.REJECTED], decided_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in due:
        close_case(case=SellerCase(pk=pk), member=None)
    return len(due)
