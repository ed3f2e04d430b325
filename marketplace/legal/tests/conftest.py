from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.legal.models import DocumentKind, PlatformTerms


@pytest.fixture
def client() -> Client:
    """A visitor whose browser asks for English, so assertions read the English texts."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def make_version(db):
    """A new version of a document, in force from `days` ago (negative: takes effect in the future)."""

    def make(kind: str = DocumentKind.TERMS, version: str = "2.0", *, days: float = 1, **fields) -> PlatformTerms:
        defaults = {
            "title_ru": f"Документ {version}",
            "title_en": f"Document {version}",
            "summary_ru": f"Что изменилось в {version}",
            "summary_en": f"What changed in {version}",
            "body_ru": f"Текст редакции {version}.",
            "body_en": f"Text of version {version}.",
        }
        return PlatformTerms.objects.create(
            kind=kind, version=version, effective_at=timezone.now() - timedelta(days=days), **{**defaults, **fields}
        )

    return make
