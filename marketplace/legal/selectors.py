from __future__ import annotations

from django.db.models import QuerySet

from .models import USER_ACCEPTANCE_KINDS, PlatformTerms, TermsAcceptance


def current_documents() -> QuerySet[PlatformTerms]:
    return PlatformTerms.objects.current()


def current_document(*, kind: str) -> PlatformTerms | None:
    return PlatformTerms.objects.in_force().filter(kind=kind).order_by("-effective_at", "-version").first()


def documents_requiring_acceptance() -> list[PlatformTerms]:
    return [doc for doc in current_documents() if doc.kind in USER_ACCEPTANCE_KINDS]


def document_ids_requiring_acceptance() -> list[int]:
    """The ids of the documents every user must have accepted, in order: what the terms middleware compares with
    the session on each signed-in request, without loading the documents' texts (tens of kilobytes)."""
    return sorted(current_documents().filter(kind__in=USER_ACCEPTANCE_KINDS).values_list("pk", flat=True))


def pending_documents_for(*, user) -> list[PlatformTerms]:
    """Current required documents the user has not accepted yet (e.g. a new version took effect)."""
    documents = documents_requiring_acceptance()
    accepted = set(TermsAcceptance.objects.filter(user=user, terms__in=documents).values_list("terms_id", flat=True))
    return [doc for doc in documents if doc.pk not in accepted]


def versions_of(*, kind: str) -> QuerySet[PlatformTerms]:
    return PlatformTerms.objects.in_force().filter(kind=kind).order_by("-effective_at")
