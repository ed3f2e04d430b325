from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Min, QuerySet
from django.utils import timezone

from .models import USER_ACCEPTANCE_KINDS, PlatformTerms, TermsAcceptance


def current_documents() -> QuerySet[PlatformTerms]:
    return PlatformTerms.objects.current()


def current_document(*, kind: str) -> PlatformTerms | None:
    return PlatformTerms.objects.in_force().filter(kind=kind).order_by("-effective_at", "-version").first()


def documents_requiring_acceptance() -> list[PlatformTerms]:
    return [doc for doc in current_documents() if doc.kind in USER_ACCEPTANCE_KINDS]


_kept: dict[str, object] = {"ids": None, "until": -1e9, "next_effective_at": None}


def document_ids_requiring_acceptance() -> list[int]:
    """The ids of the documents every user must have accepted, in order: what the terms middleware compares with
    the session on each signed-in request, without loading the documents' texts (tens of kilobytes).

    Each process keeps them for MARKETPLACE_TERMS_CHECK_SECONDS (a query on every signed-in page otherwise), never
    past the moment the next scheduled version takes effect; a version saved in this process is seen at once
    (forget_kept_documents), one saved elsewhere within those seconds.
    """
    now = time.monotonic()
    next_effective_at = _kept["next_effective_at"]
    if (
        _kept["ids"] is None
        or now >= _kept["until"]  # type: ignore[operator]
        or (next_effective_at is not None and timezone.now() >= next_effective_at)  # type: ignore[operator]
    ):
        required = PlatformTerms.objects.filter(kind__in=USER_ACCEPTANCE_KINDS)
        ids = sorted(current_documents().filter(kind__in=USER_ACCEPTANCE_KINDS).values_list("pk", flat=True))
        upcoming = required.filter(effective_at__gt=timezone.now()).aggregate(at=Min("effective_at"))["at"]
        _kept.update(ids=ids, until=now + settings.MARKETPLACE_TERMS_CHECK_SECONDS, next_effective_at=upcoming)
    return list(_kept["ids"])  # type: ignore[call-overload]


def forget_kept_documents(**kwargs) -> None:
    """A version was saved or deleted (a signal receiver): the next check reads the documents again."""
    _kept.update(ids=None, until=-1e9, next_effective_at=None)


def pending_documents_for(*, user) -> list[PlatformTerms]:
    """Current required documents the user has not accepted yet (e.g. a new version took effect)."""
    documents = documents_requiring_acceptance()
    accepted = set(TermsAcceptance.objects.filter(user=user, terms__in=documents).values_list("terms_id", flat=True))
    return [doc for doc in documents if doc.pk not in accepted]


def versions_of(*, kind: str) -> QuerySet[PlatformTerms]:
    return PlatformTerms.objects.in_force().filter(kind=kind).order_by("-effective_at")
