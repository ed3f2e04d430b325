"""Every page a visitor reaches is one site: language, landmarks, labels, strict CSP, styled errors."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import loader
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/legal/terms/",
    "/legal/privacy/",
    "/legal/buyer-rights/",
    "/search/ranking/",
]
SIGNED_IN_PAGES = [
    "/accounts/profile/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
]
NOT_INPUTS = {"hidden", "submit", "button", "reset", "image"}


class PageAudit(HTMLParser):
    """What the accessibility and CSP checks need from a page, read with the standard library's parser."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.h1_count = 0
        self.skip_link = False
        self.main_id: str | None = None
        self.landmarks: set[str] = set()
        self.label_targets: set[str] = set()
        self.controls: list[dict] = []
        self.inline_scripts = 0
        self.inline_styles: list[str] = []
        self.inline_handlers: list[str] = []
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.add(tag)
        if tag == "main":
            self.main_id = attributes.get("id")
        if tag == "h1":
            self.h1_count += 1
        if tag == "a" and attributes.get("href") == "#main":
            self.skip_link = True
        if tag == "label":
            self._label_depth += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.inline_scripts += 1
        if tag == "style":
            self.inline_styles.append("<style>")
        if "style" in attributes:
            self.inline_styles.append(tag)
        self.inline_handlers += [name for name in attributes if name.startswith(("on", "hx-on"))]
        if tag in {"input", "select", "textarea"}:
            kind = (attributes.get("type") or "text").lower()
            if tag == "input" and kind in NOT_INPUTS:
                return
            self.controls.append(
                {
                    "tag": tag,
                    "name": attributes.get("name"),
                    "id": attributes.get("id"),
                    "wrapped": self._label_depth > 0,
                    "aria": bool(attributes.get("aria-label") or attributes.get("aria-labelledby")),
                }
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1

    @property
    def unlabelled_controls(self) -> list[dict]:
        return [
            control
            for control in self.controls
            if not (control["wrapped"] or control["aria"] or (control["id"] and control["id"] in self.label_targets))
        ]


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser


def assert_page_is_accessible(html: str, *, language: str) -> None:
    page = audit(html)
    assert page.lang == language
    assert page.h1_count == 1
    assert page.skip_link
    assert page.main_id == "main"
    assert {"header", "nav", "main", "footer"} <= page.landmarks
    assert page.controls, "every page has at least the search box"
    assert page.unlabelled_controls == []
    assert page.inline_scripts == 0
    assert page.inline_styles == []
    assert page.inline_handlers == []


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.fixture
def english_client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def russian_client() -> Client:
    return Client(headers={"accept-language": "ru"})


# ------------------------------------------------------------------------------------------ structure


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_visitor_sees_every_public_page_labelled_and_without_inline_code(russian_client, path):
    response = russian_client.get(path)

    assert response.status_code == 200
    assert_page_is_accessible(response.content.decode(), language="ru")


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_user_sees_account_pages_labelled_and_without_inline_code(russian_client, user, path):
    russian_client.force_login(user)

    response = russian_client.get(path, follow=True)

    assert response.status_code == 200
    assert_page_is_accessible(response.content.decode(), language="ru")


def test_visitor_gets_a_styled_404_in_russian_by_default(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert in_language("ru", "Page not found") in html
    assert '<html lang="ru">' in html
    assert_page_is_accessible(html, language="ru")


def test_visitor_asking_for_english_gets_the_404_in_english(english_client):
    response = english_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert '<html lang="en">' in response.content.decode()


# ------------------------------------------------------------------------------------------ language


def test_home_page_speaks_russian_by_default(db):
    response = Client().get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert in_language("ru", "Buy from independent sellers with safe payment") in html
    assert in_language("ru", "How buying works") in html


def test_home_page_speaks_english_to_an_english_browser(english_client):
    response = english_client.get("/")

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Buy from independent sellers with safe payment" in html
    assert "Your payment is held until the order is delivered" in html


def test_visitor_switches_language_without_javascript_and_it_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/legal/terms/"})

    assert response.status_code == 302
    assert response["Location"] == "/legal/terms/"
    page = client.get("/legal/terms/").content.decode()
    assert '<html lang="en">' in page
    assert "Terms of use and public offer" in page


def test_language_cookie_chooses_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    ("path", "russian_title", "english_title"),
    [
        ("/legal/terms/", "Пользовательское соглашение и оферта", "Terms of use and public offer"),
        ("/legal/privacy/", "Политика обработки персональных данных", "Personal data processing policy"),
        ("/legal/buyer-rights/", "Права покупателя", "Buyer rights"),
    ],
)
def test_legal_pages_show_the_document_in_the_visitors_language(
    russian_client, english_client, path, russian_title, english_title
):
    russian = russian_client.get(path).content.decode()
    english = english_client.get(path).content.decode()

    assert f'<h1 id="doc-title">{russian_title}</h1>' in russian
    assert "1 января 2026" in russian
    assert f'<h1 id="doc-title">{english_title}</h1>' in english
    assert "1 January 2026" in english


def test_buyer_rights_explain_returns_under_consumer_law(russian_client):
    html = russian_client.get("/legal/buyer-rights/").content.decode()

    assert "в течение 7 дней" in html
    assert "10 дней" in html
    assert "статья 26.1" in html


# ------------------------------------------------------------------------------------------ header and footer


def test_visitor_sees_header_with_search_sign_in_and_language_switch(english_client):
    html = english_client.get("/legal/privacy/").content.decode()

    assert 'role="search"' in html
    assert 'name="q"' in html
    assert 'href="/accounts/login/?next=/legal/privacy/"' in html
    assert 'action="/i18n/setlang/"' in html
    assert '<input type="hidden" name="next" value="/legal/privacy/">' in html
    assert 'name="language" value="en"' in html
    assert 'name="language" value="ru"' in html


def test_signed_in_user_sees_account_menu_with_logout_as_a_post_form(english_client, user):
    english_client.force_login(user)

    html = english_client.get("/").content.decode()

    assert "alice@example.com" in html
    assert 'href="/accounts/profile/"' in html
    assert 'href="/accounts/2fa/"' in html
    assert '<form method="post" action="/accounts/logout/">' in html
    assert "/admin/" not in html


def test_staff_user_sees_the_administration_link(english_client, moderator):
    english_client.force_login(moderator)

    html = english_client.get("/").content.decode()

    assert 'href="/admin/"' in html


def test_footer_links_the_documents_and_support_contacts(english_client, settings):
    html = english_client.get("/").content.decode()

    assert 'href="/legal/terms/"' in html
    assert 'href="/legal/privacy/"' in html
    assert 'href="/legal/buyer-rights/"' in html
    assert f'href="mailto:{settings.MARKETPLACE_SUPPORT_EMAIL}"' in html
    assert settings.MARKETPLACE_SUPPORT_PHONE in html


def test_pages_load_vendored_assets_and_configure_htmx_safely(english_client):
    response = english_client.get("/")
    html = response.content.decode()

    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert '"allowEval":false' in html
    assert '"selfRequestsOnly":true' in html
    assert '"allowScriptTags":false' in html
    assert f'hx-headers=\'{{"X-CSRFToken": "{response.context["csrf_token"]}"}}\'' in html
    assert "cdn" not in html.lower()


def test_signup_terms_checkbox_links_to_the_terms_and_privacy_policy(english_client):
    html = english_client.get("/accounts/signup/").content.decode()

    label_start = html.index('<label class="form-check-label" for="id_accept_terms">')
    label = html[label_start : html.index("</label>", label_start)]
    assert 'href="/legal/terms/"' in label
    assert 'href="/legal/privacy/"' in label
    assert 'name="marketing_opt_in"' in html


# ------------------------------------------------------------------------------------------ security headers


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/legal/terms/", "/no-such-page/"])
def test_pages_send_a_strict_content_security_policy(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


# ------------------------------------------------------------------------------------------ pages without a request


@pytest.mark.parametrize(
    ("template", "message"),
    [("500.html", "Something went wrong on our side"), ("503.html", "The marketplace is temporarily unavailable")],
)
def test_error_pages_render_without_request_user_or_database(template, message, django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("en"):
        html = loader.get_template(template).render({})

    assert message in html
    assert "/static/css/theme.css" in html
    assert_no_template_leftovers(html)
    page = audit(html)
    assert page.lang == "en"
    assert page.h1_count == 1
    assert page.skip_link
    assert page.inline_scripts == 0
    assert page.inline_styles == []


def test_error_reference_is_shown_for_support(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("503.html").render({"request_id": "abc123def456"})

    assert "abc123def456" in html


def assert_no_template_leftovers(html: str) -> None:
    assert "{{" not in html
    assert "{%" not in html


def test_the_footer_is_rendered_once_per_language_and_follows_the_support_contacts(client, settings):
    from django.core.cache import caches

    fragments = caches["fragments"]
    fragments.clear()
    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    kept_after_russian = len(fragments._cache)
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    settings.MARKETPLACE_SUPPORT_EMAIL = "help@example.org"
    changed = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert kept_after_russian == 1
    assert "Документы" in russian
    assert ">Documents<" in english
    assert 'href="mailto:help@example.org"' in changed
    assert len(fragments._cache) == 3
