from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import PlatformTerms, TermsAcceptance


@transaction.atomic
def accept_documents(
    *, user, documents: Iterable[PlatformTerms], ip_address: str | None, source: str
) -> list[TermsAcceptance]:
    """Record the user's acceptance of these versions; accepting a version twice keeps the first record."""
    now = timezone.now()
    rows = [
        TermsAcceptance(user=user, terms=document, accepted_at=now, ip_address=ip_address, source=source)
        for document in documents
    ]
    TermsAcceptance.objects.bulk_create(rows, ignore_conflicts=True)
    return rows
