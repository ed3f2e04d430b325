"""Reads: scoped, prefetched querysets for the sellers' pages and the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from marketplace.core.db import KeyedQuery

from .models import (
    Announcement,
    AnnouncementReceipt,
    ApiToken,
    ApplicationDocument,
    ApplicationEvent,
    CaseAttachment,
    CaseMessage,
    FieldChangeRequest,
    Sanction,
    Seller,
    SellerApplication,
    SellerCase,
    SellerStatus,
    Storefront,
    TeamInvitation,
    TeamMember,
    hash_key,
)


def membership_for(*, user) -> TeamMember | None:
    """The user's seat in a seller's team, with the seller and storefront the cabinet header shows."""
    if not user.is_authenticated or getattr(user, "_works_for_a_seller", None) is False:
        return None  # this request already found the user in no seller's team (works_for_a_seller)
    return TeamMember.objects.select_related("seller__storefront", "user").filter(user=user).first()


def works_for_a_seller(user) -> bool:
    """Does the user own a seller or sit in a seller's team?

    One statement of two index probes: an OR across a join of sellers and team members read every seller (4 ms at
    10 000 sellers), and the shared page cache asks this on every signed-in page. The answer is kept on the user
    object, which lives for one request, so the header's membership_for needs no query of its own for a buyer.
    """
    if not user.is_authenticated:
        return False
    known = getattr(user, "_works_for_a_seller", None)
    if known is None:
        known = bool(_WORKS_FOR_A_SELLER.rows(user.pk))
        user._works_for_a_seller = known
    return known


# compiled once per process, run as a prepared statement (works_for_a_seller is asked on every signed-in page)
_WORKS_FOR_A_SELLER = KeyedQuery(
    lambda user_id: (
        get_user_model()
        .objects.filter(pk=user_id)
        .filter(
            Exists(Seller.objects.filter(user=OuterRef("pk"))) | Exists(TeamMember.objects.filter(user=OuterRef("pk")))
        )
        .values_list("pk")[:1]
    )
)


# Applications ----------------------------------------------------------------------------------------


def applications_for_applicant(*, user) -> QuerySet[SellerApplication]:
    return SellerApplication.objects.filter(applicant=user)


def current_application_for(*, user) -> SellerApplication | None:
    """The open application, else the latest decided one (what the status page shows)."""
    applications = applications_for_applicant(user=user).prefetch_related(
        Prefetch("documents", queryset=ApplicationDocument.objects.order_by("kind", "uploaded_at")),
        Prefetch("change_requests", queryset=FieldChangeRequest.objects.order_by("created_at", "pk")),
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor").order_by("created_at", "pk")),
    )
    return applications.open().first() or applications.order_by("-created_at").first()


def documents_visible_to(*, user) -> QuerySet[ApplicationDocument]:
    """The applicant's own documents; reviewers (moderators) see all."""
    documents = ApplicationDocument.objects.select_related("application")
    if user.is_active and user.has_perm("sellers.review_sellerapplication"):
        return documents
    return documents.filter(application__applicant=user)


def review_queue() -> QuerySet[SellerApplication]:
    return SellerApplication.objects.review_queue().select_related("applicant", "reviewer")


# Sellers ---------------------------------------------------------------------------------------------


def storefront_for_public(*, slug: str) -> Storefront | None:
    """A storefront buyers may open (terminated sellers have none)."""
    return (
        Storefront.objects.select_related("seller")
        .exclude(seller__status=SellerStatus.TERMINATED)
        .filter(slug=slug)
        .first()
    )


def sanctions_for_seller(*, seller: Seller) -> QuerySet[Sanction]:
    return seller.sanctions.annotate(has_appeal=Exists(SellerCase.objects.filter(sanction=OuterRef("pk")))).order_by(
        "-imposed_at", "-pk"
    )


def team_for_seller(*, seller: Seller) -> QuerySet[TeamMember]:
    return seller.members.select_related("user").order_by("added_at", "pk")


def pending_invitations_for_seller(*, seller: Seller) -> QuerySet[TeamInvitation]:
    return seller.invitations.filter(status="pending").select_related("invited_by").order_by("-created_at")


def invitation_by_token(*, token: str) -> TeamInvitation | None:
    return TeamInvitation.objects.select_related("seller__storefront", "invited_by").filter(token=token).first()


# Announcements ---------------------------------------------------------------------------------------


def announcement_audience(*, announcement: Announcement) -> QuerySet[Seller]:
    """The sellers an announcement targets: its segment, never terminated sellers."""
    sellers = Seller.objects.exclude(status=SellerStatus.TERMINATED)
    if announcement.segment_legal_form:
        sellers = sellers.filter(legal_form=announcement.segment_legal_form)
    if announcement.segment_status:
        sellers = sellers.filter(status=announcement.segment_status)
    if announcement.segment_category:
        sellers = sellers.filter(categories__icontains=announcement.segment_category)
    return sellers.order_by("pk")


def sellers_without_offer(*, offer) -> QuerySet[Seller]:
    """Sellers (not terminated) who have not accepted this seller offer version."""
    return Seller.objects.exclude(status=SellerStatus.TERMINATED).exclude(offer_terms=offer).order_by("pk")


def announcement_feed(*, seller: Seller) -> QuerySet[AnnouncementReceipt]:
    return (
        AnnouncementReceipt.objects.filter(seller=seller, announcement__published_at__isnull=False)
        .select_related("announcement", "acknowledged_by")
        .order_by("-announcement__published_at", "-pk")
    )


def unread_announcement_count(*, seller: Seller) -> int:
    return AnnouncementReceipt.objects.filter(seller=seller, read_at__isnull=True).count()


def announcements_with_rates() -> QuerySet[Announcement]:
    """For the managers' list: how many sellers got, read and acknowledged each announcement."""
    return Announcement.objects.annotate(
        recipients=Count("receipts"),
        reads=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
        acknowledgements=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False)),
    )


# Cases -----------------------------------------------------------------------------------------------


def cases_for_seller(*, seller: Seller) -> QuerySet[SellerCase]:
    return seller.cases.select_related("sanction").order_by("-created_at", "-pk")


def case_thread(*, seller: Seller) -> QuerySet[SellerCase]:
    """One of the seller's cases with its whole thread and attachments (scoped: other sellers get 404)."""
    return cases_for_seller(seller=seller).prefetch_related(
        Prefetch(
            "messages",
            queryset=CaseMessage.objects.select_related("author")
            .prefetch_related("attachments")
            .order_by("created_at", "pk"),
        )
    )


def case_attachments_visible_to(*, user) -> QuerySet[CaseAttachment]:
    attachments = CaseAttachment.objects.select_related("message__case")
    if user.is_active and user.has_perm("sellers.view_sellercase"):
        return attachments
    return attachments.filter(message__case__seller__members__user=user)


def api_token_for_key(key: str):
    """The active API key a request presents (`Authorization: Bearer <key>`), with its seller and creator; None
    for an unknown or revoked key. Looked up by the key's SHA-256, so the key itself is never stored."""
    if not key or len(key) > 200:
        return None
    return (
        ApiToken.objects.select_related("seller", "created_by")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )


def api_tokens(*, seller) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(seller=seller).select_related("created_by").order_by("revoked_at", "-created_at")
