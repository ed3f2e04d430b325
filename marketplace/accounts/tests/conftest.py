"""Fixtures for the account journeys: an English-speaking browser, the documents signup accepts, mail links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    # allauth keeps rate-limit counters in the default cache (a PostgreSQL table): start every test at zero.
    cache.clear()


@pytest.fixture
def client() -> Client:
    """A visitor whose browser asks for English, so assertions read the English source strings."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def terms_documents(db):
    """The terms of use and the privacy policy in force, which signup accepts (made here if migrate made none)."""
    from marketplace.legal import selectors
    from marketplace.legal.models import USER_ACCEPTANCE_KINDS, PlatformTerms

    present = {document.kind for document in selectors.documents_requiring_acceptance()}
    for kind in set(USER_ACCEPTANCE_KINDS) - present:
        PlatformTerms.objects.create(
            kind=kind,
            version="test-1.0",
            effective_at=timezone.now() - timedelta(days=1),
            title_ru=f"{kind} ru",
            title_en=f"{kind} en",
            body_ru="Текст",
            body_en="Text",
        )
    documents = selectors.documents_requiring_acceptance()
    assert {document.kind for document in documents} == set(USER_ACCEPTANCE_KINDS)
    return documents


def link_in_mail(message, pattern: str) -> str:
    """The path of the first link in `message` whose URL matches `pattern` (a regular expression)."""
    bodies = [message.body] + [content for content, _mime in getattr(message, "alternatives", [])]
    for body in bodies:
        for url in re.findall(r"https?://[^\s\"'<>]+", body):
            if re.search(pattern, url):
                return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link matching {pattern!r} in mail {message.subject!r}")


def last_mail_to(address: str):
    for message in reversed(mail.outbox):
        if address in message.to:
            return message
    raise AssertionError(f"no mail to {address}; sent: {[(m.to, m.subject) for m in mail.outbox]}")
