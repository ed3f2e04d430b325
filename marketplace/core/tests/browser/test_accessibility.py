"""Every page a visitor, a buyer, a seller, a moderator and a manager reach from the demo data, in real Chromium.

The crawl starts from each role's usual pages and follows the links it finds (one page per kind of address, so
it covers the site without opening 400 product pages). Each page must answer without a server error, parse as
HTML without a single parse error, have no duplicate ids, and pass axe-core's WCAG 2.1 A/AA rules and its
best practices (headings in order, landmarks, labels, contrast 4.5:1).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin, urlparse

import html5lib
import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Error, Page

from marketplace.devtools.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_all

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
# Django admin's own markup: its tabular inlines have an empty header over the "original" and delete columns.
ADMIN_AXE_OPTIONS = {**AXE_OPTIONS, "rules": {"empty-table-header": {"enabled": False}}}
# Not pages: sign-out, files and downloads, one-click actions, other sites' redirects, the language switch.
NOT_PAGES = re.compile(
    r"logout|/static/|/media/|\.xml|\.txt|/export|/template|/download|/documents/|/photo/|/profile/data/|"
    r"/delete/|/cancel/|/clear/|/set-language|/i18n/|/slip/|/admin/r/|/admin/jsi18n|/history/|/password/$"
)
ROLES = [
    ("visitor", "", ["/", "/search/?q=кроссовки", "/search/?q=rhjccjdrb", "/search/?q=zzzzqqq", "/accounts/login/"]),
    ("buyer", "buyer@marketplace.demo", ["/orders/", "/favourites/", "/recent/", "/notifications/", "/cart/"]),
    ("seller", "seller@marketplace.demo", ["/seller/", "/seller/listings/", "/seller/import/"]),
    ("moderator", "moderator@marketplace.demo", ["/admin/"]),
    ("manager", "manager@marketplace.demo", ["/admin/catalog/", "/admin/ledger/", "/admin/"]),
]
PAGES_PER_ROLE = 70


def _kind(path: str) -> str:
    """Addresses of one kind share it: /p/12-kettle/ and /p/40-tent/ are both "/p/*/"; ids become N."""
    bare = re.sub(r"\?.*", "", path)
    bare = re.sub(r"^/(p|c|s)/[^/]+/", r"/\1/*/", bare)
    return re.sub(r"\d+", "N", bare)


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    if page.locator("input[name=code]").count():  # staff: the second factor
        counter = int(time.time()) // mfa_settings.TOTP_PERIOD
        page.fill("input[name=code]", format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
        page.press("input[name=code]", "Enter")
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"


def _problems_of(page: Page, path: str, axe: Axe) -> tuple[list[str], list[str]]:
    """(problems, links on the page) for one address."""
    try:
        response = page.goto(page.url.split("/", 3)[0] + "//" + urlparse(page.url).netloc + path)
    except Error as error:  # a link that turned out to be a download
        return ([] if "Download is starting" in str(error) else [f"{path}: {error}"]), []
    if response is None:
        return [], []
    if response.status >= 500:
        return [f"{path}: server error {response.status}"], []
    if "text/html" not in response.headers.get("content-type", ""):
        return [], []
    problems = []
    source = response.text()
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(source)
    problems += [f"{path}: HTML parse error {error[1]} at line {error[0][0]}" for error in parser.errors]
    ids = re.findall(r'\sid="([^"]+)"', source)
    problems += [f"{path}: duplicate id {name!r}" for name in sorted({name for name in ids if ids.count(name) > 1})]
    options = ADMIN_AXE_OPTIONS if path.startswith("/admin/") else AXE_OPTIONS
    for violation in axe.run(page, options=options).response["violations"]:
        for node in violation["nodes"][:3]:
            problems.append(
                f"{path}: {violation['id']} ({violation['help']}) at {node['target']}: {node['html'][:160]}"
            )
    links = page.eval_on_selector_all("a[href]", "links => links.map(link => link.getAttribute('href'))")
    return problems, links


def _crawl(page: Page, starts: list[str], axe: Axe) -> tuple[list[str], int]:
    base = f"{urlparse(page.url).scheme}://{urlparse(page.url).netloc}"
    queue, seen_kinds, problems, visited = list(starts), set(), [], 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _kind(path) in seen_kinds:
            continue
        seen_kinds.add(_kind(path))
        found, links = _problems_of(page, path, axe)
        visited += 1
        problems += found
        for href in links:
            address = urlparse(urljoin(base + path, href))
            if address.netloc != urlparse(base).netloc or not address.path:
                continue
            target = address.path + (f"?{address.query}" if address.query else "")
            if not NOT_PAGES.search(target) and _kind(target) not in seen_kinds:
                queue.append(target)
    return problems, visited


def test_every_page_reachable_from_the_demo_data_is_valid_and_accessible(live_server, browser: Browser, enqueued):
    seed_all(lambda message: None)
    axe = Axe()
    problems, visited = [], {}
    for role, email, starts in ROLES:
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        if email:
            _log_in(page, live_server.url, email)
        found, visited[role] = _crawl(page, starts, axe)
        problems += [f"[{role}] {problem}" for problem in found]
        context.close()

    assert not problems, "\n".join(problems)
    assert min(visited.values()) >= 10, visited  # the crawl really went through each role's pages (visitor: 14)
