"""A signed-in user accepts each new version of the terms and privacy policy once it takes effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.legal.models import DocumentKind, TermsAcceptance

pytestmark = pytest.mark.django_db


def test_user_who_accepted_version_one_is_not_asked_again(client, user):
    client.force_login(user)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200


def test_new_version_does_not_ask_before_it_takes_effect(client, user, make_version):
    make_version(version="2.0", days=-2)
    client.force_login(user)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200


def test_user_is_sent_to_accept_the_new_version_once_it_takes_effect(client, user, make_version):
    new_terms = make_version(version="2.0", days=-2)
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200

    new_terms.effective_at = timezone.now() - timedelta(minutes=1)
    new_terms.save()
    response = client.get("/accounts/profile/?tab=1")

    assert response.status_code == 302
    assert response["Location"] == "/legal/accept/?next=%2Faccounts%2Fprofile%2F%3Ftab%3D1"


def test_accept_page_lists_the_new_versions_with_summaries_and_links(client, user, make_version):
    make_version(version="2.0", title_en="Terms 2.0", summary_en="Returns now take 14 days.")
    client.force_login(user)

    response = client.get("/legal/accept/?next=/accounts/profile/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Terms 2.0" in html
    assert "Returns now take 14 days." in html
    assert 'href="/legal/terms/v2.0/"' in html
    assert '<input type="hidden" name="next" value="/accounts/profile/">' in html
    assert 'name="accept"' in html


def test_user_accepts_the_new_version_and_is_not_asked_again(client, user, make_version):
    new_terms = make_version(version="2.0")
    client.force_login(user)

    response = client.post("/legal/accept/", {"accept": "on", "next": "/accounts/profile/"}, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    acceptance = TermsAcceptance.objects.get(user=user, terms=new_terms)
    assert acceptance.ip_address == "203.0.113.7"
    assert timezone.now() - acceptance.accepted_at < timedelta(minutes=1)
    assert acceptance.source == "reaccept"
    assert client.get("/accounts/profile/").status_code == 200


def test_new_privacy_policy_is_accepted_together_with_new_terms(client, user, make_version):
    terms = make_version(DocumentKind.TERMS, "2.0")
    privacy = make_version(DocumentKind.PRIVACY, "2.0")
    client.force_login(user)

    client.post("/legal/accept/", {"accept": "on", "next": "/"})

    accepted = set(TermsAcceptance.objects.filter(user=user).values_list("terms_id", flat=True))
    assert {terms.pk, privacy.pk} <= accepted


def test_user_who_does_not_tick_the_box_sees_an_error_and_nothing_is_stored(client, user, make_version):
    new_terms = make_version(version="2.0")
    client.force_login(user)

    response = client.post("/legal/accept/", {"next": "/accounts/profile/"})

    assert response.status_code == 200
    assert "Please accept the new versions to continue using the marketplace." in response.content.decode()
    assert not TermsAcceptance.objects.filter(user=user, terms=new_terms).exists()
    assert client.get("/accounts/profile/").status_code == 302


def test_buyer_rights_are_published_but_never_block_the_user(client, user, make_version):
    make_version(DocumentKind.BUYER_RIGHTS, "2.0")
    client.force_login(user)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "https%3A%2F%2Fevil.example%2Fsteal",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_accepting_cannot_redirect_off_site(client, user, make_version, next_url):
    make_version(version="2.0")
    client.force_login(user)

    response = client.post("/legal/accept/", {"accept": "on", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_off_site_next_is_not_even_offered_on_the_accept_page(client, user, make_version):
    make_version(version="2.0")
    client.force_login(user)

    html = client.get("/legal/accept/?next=https://evil.example/").content.decode()

    accept_form = html[html.index('action="/legal/accept/"') :]
    accept_form = accept_form[: accept_form.index("</form>")]
    assert '<input type="hidden" name="next" value="/">' in accept_form
    assert "evil.example" not in accept_form


def test_user_with_nothing_to_accept_is_sent_on(client, user):
    client.force_login(user)

    response = client.get("/legal/accept/?next=/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"


def test_visitor_must_sign_in_to_accept(client):
    response = client.get("/legal/accept/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_can_still_read_documents_and_sign_out_while_asked(client, user, make_version):
    make_version(version="2.0")
    client.force_login(user)

    assert client.get("/legal/terms/v2.0/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_signup_records_acceptance_of_the_current_terms_and_privacy_policy(client, make_version):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.buyer@example.com",
            "password1": "correct-horse-battery-42",
            "password2": "correct-horse-battery-42",
            "accept_terms": "on",
        },
        REMOTE_ADDR="198.51.100.4",
    )

    assert response.status_code == 302
    acceptances = TermsAcceptance.objects.filter(user__email="new.buyer@example.com").select_related("terms")
    assert {(a.terms.kind, a.terms.version) for a in acceptances} == {("terms", "1.0"), ("privacy", "1.0")}
    assert {a.ip_address for a in acceptances} == {"198.51.100.4"}


def _terms_queries(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if "legal_platformterms" in query["sql"]]


def test_the_signed_in_check_compares_document_ids_without_loading_their_texts(client, user, make_version):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marketplace.legal import selectors

    make_version(version="2.0", days=-2)  # not in force yet: not among the ids
    client.force_login(user)
    client.get("/")  # the session's first request checks the user's acceptances once and remembers the ids

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    expected = sorted(document.pk for document in selectors.documents_requiring_acceptance())
    assert selectors.document_ids_requiring_acceptance() == expected
    assert len(expected) == 2  # the terms and the privacy policy in force
    terms_queries = _terms_queries(queries)
    assert terms_queries
    assert not any("body_ru" in sql or "body_en" in sql for sql in terms_queries)


def test_each_process_keeps_the_versions_in_force_for_a_few_seconds(client, user, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MARKETPLACE_TERMS_CHECK_SECONDS = 60
    client.force_login(user)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    assert _terms_queries(queries) == []  # no query on a signed-in page while the kept versions are fresh


def test_a_version_saved_in_this_process_is_asked_for_at_once(client, user, make_version, settings):
    settings.MARKETPLACE_TERMS_CHECK_SECONDS = 60
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200

    make_version(version="2.0", days=0.01)

    assert client.get("/accounts/profile/").status_code == 302


def test_a_scheduled_version_is_asked_for_once_it_takes_effect_however_long_versions_are_kept(
    client, user, make_version, settings, monkeypatch
):
    settings.MARKETPLACE_TERMS_CHECK_SECONDS = 3600
    make_version(version="2.0", days=-2)  # takes effect in two days
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200  # the kept versions now last until it takes effect

    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert client.get("/accounts/profile/").status_code == 302
