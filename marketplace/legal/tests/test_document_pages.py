"""Anyone can read the platform documents: the version in force, with every earlier version a click away."""

from __future__ import annotations

import pytest

from marketplace.legal.models import DocumentKind, PlatformTerms

pytestmark = pytest.mark.django_db


def test_migration_publishes_version_one_of_the_buyer_documents():
    kinds = set(PlatformTerms.objects.filter(version="1.0").values_list("kind", flat=True))

    assert {DocumentKind.TERMS, DocumentKind.PRIVACY, DocumentKind.BUYER_RIGHTS} <= kinds
    for document in PlatformTerms.objects.filter(version="1.0", kind__in=["terms", "privacy", "buyer_rights"]):
        assert document.body_ru.count("\n\n") >= 10
        assert document.body_en.count("\n\n") >= 10
        assert "юрист" in document.summary_ru
        assert "counsel" in document.summary_en
        assert "lorem" not in document.body_ru.lower() + document.body_en.lower()


def test_privacy_policy_cites_the_personal_data_law(client):
    html = client.get("/legal/privacy/", headers={"accept-language": "ru"}).content.decode()

    assert "152-ФЗ" in html


def test_visitor_sees_the_version_in_force_with_its_date_and_summary(client, make_version):
    make_version(version="2.0", days=3, body_en="Second text.\n\nAnother paragraph.")

    response = client.get("/legal/terms/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Document 2.0" in html
    assert "What changed in 2.0" in html
    assert "<p>Second text.</p>" in html
    assert "<p>Another paragraph.</p>" in html
    assert "Version 2.0" in html


def test_visitor_sees_earlier_versions_listed_and_can_open_one(client, make_version):
    make_version(version="2.0", days=3)

    listing = client.get("/legal/terms/").content.decode()
    old = client.get("/legal/terms/v1.0/")

    assert 'href="/legal/terms/v1.0/"' in listing
    assert old.status_code == 200
    old_html = old.content.decode()
    assert "Terms of use and public offer" in old_html
    assert "This is an earlier version of the document. Version 2.0 is in force now." in old_html
    assert 'href="/legal/terms/v2.0/"' in old_html


def test_version_not_yet_in_force_is_neither_shown_nor_reachable(client, make_version):
    make_version(version="3.0", days=-10, title_en="Future terms")

    current = client.get("/legal/terms/").content.decode()
    future = client.get("/legal/terms/v3.0/")

    assert "Future terms" not in current
    assert "v3.0" not in current
    assert future.status_code == 404


def test_unknown_document_kind_is_not_found(client):
    assert client.get("/legal/cookies/").status_code == 404
    assert client.get("/legal/terms/v9.9/").status_code == 404


def test_numbered_lines_become_headings_with_a_table_of_contents(client, make_version):
    make_version(version="2.0", body_en="1. Scope\n\nThe rules.\n\n2. Returns\n\nSeven days.")

    html = client.get("/legal/terms/").content.decode()

    assert '<h2 id="section-1">1. Scope</h2>' in html
    assert '<a href="#section-2">2. Returns</a>' in html
    assert "<p>Seven days.</p>" in html


def test_document_text_is_escaped(client, make_version):
    make_version(version="2.0", body_en="<script>alert(1)</script>", summary_en="<b>bold</b>")

    html = client.get("/legal/terms/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
