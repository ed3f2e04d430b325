"""Every page a visitor, a buyer, a seller, a moderator and a manager reach from the demo data, in real Chromium.

The crawl starts from each role's usual pages and follows the links it finds (one page per kind of address, so
it covers the site without opening 400 product pages). Each page must answer without a server error, parse as
HTML without a single parse error, have no duplicate ids, pass axe-core's WCAG 2.1 A/AA rules and its best
practices (headings in order, landmarks, labels, contrast 4.5:1), and reflow: nothing on it may make it scroll
sideways on a 360 px wide phone (WCAG 1.4.10; a table may scroll inside its own box).

The same holds for the states a link does not reach: every form the crawl met that asks for something is sent
once with its text fields emptied (the browser's own checks off), so the page or the htmx part showing the
server's errors is checked too, and so is each part of a page that htmx fetches and swaps in (filters, sorting,
the next page, suggestions, a seller's listing search, a category's characteristics in the listing editor).
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
from django.urls import reverse
from playwright.sync_api import Browser, Error, Page

from catalog.models import Listing, ListingStatus
from catalog.selectors.categories import category_tree
from marketplace.devtools.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_all
from reviews.models import ProductReview, ReviewStatus

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
# Parts of pages htmx fetches and swaps in: (page, what the user does, how); "{reviews}" is a product's reviews,
# "{biggest}" the top category with most listings (more than one page of them).
HTMX_PARTS = {
    "visitor": [
        ("/search/?q=кроссовки", "a filter ticked", lambda page: page.check("#f-in-stock")),
        ("/search/?q=кроссовки", "another order", lambda page: page.select_option("#f-sort", "price")),
        ("{biggest}", "the next page", lambda page: page.click("a.page-link[rel=next]")),
        ("/search/?q=кроссовки&category=krossovki", "suggestions", lambda page: page.fill("#catalog-q", "крос")),
        (
            "{reviews}",
            "reviews filtered",
            lambda page: (page.select_option("#f-stars", "5"), page.click("#review-list form button")),
        ),
    ],
    "seller": [
        ("/seller/listings/", "own listings searched", lambda page: page.fill("#seller-q", "а")),
        (
            "/seller/listings/new/",
            "a category's characteristics",
            lambda page: page.select_option("#id_category", index=2),
        ),
    ],
}


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


# The forms on a page worth sending empty: POST forms with a field the user must fill in or choose (a review's
# stars); a button-only form is an action (confirm, cancel, follow). Their position among the page's forms and
# where they send to.
FORMS_TO_SEND = """() => Array.from(document.forms).map((form, index) => ({index, action: form.getAttribute('action') || '',
  method: (form.getAttribute('method') || 'get').toLowerCase(),
  asks: Array.from(form.elements).some(field => field.required && !['hidden', 'file'].includes(field.type))}))
  .filter(form => form.method === 'post' && form.asks)"""
# Empties a form's text fields, unticks its required choices and sends it past the browser's own checks, as a
# user's request without them.
SEND_EMPTY = """index => { const form = document.forms[index]; form.noValidate = true;
  for (const field of form.elements) {
    if (['text', 'email', 'number', 'tel', 'url', 'password', 'search', 'date', 'textarea'].includes(field.type) && !field.readOnly) field.value = '';
    if (['radio', 'checkbox'].includes(field.type) && field.required) field.checked = false;
  }
  form.requestSubmit(); }"""


# What sticks out past the right edge of a phone's screen (WCAG 1.4.10, reflow): the outermost such elements.
WIDER_THAN_SCREEN = """() => { const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return Array.from(document.body.querySelectorAll('*')).filter(element => {
    const box = element.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) return false;
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (parent.getBoundingClientRect().right > width + 1) return false;  // its parent is reported instead
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(parent).overflowX)) return false;
    }
    return true;
  }).slice(0, 3).map(element => element.outerHTML.slice(0, 160)); }"""


# On a phone, wide tables scroll inside their box: a keyboard must be able to scroll it too.
PHONE_AXE_OPTIONS = {
    "runOnly": {"type": "rule", "values": ["scrollable-region-focusable"]},
    "resultTypes": ["violations"],
}


def _reflow_problems(page: Page, path: str, axe: Axe) -> list[str]:
    """Whatever makes the page scroll sideways on a 360 px wide phone, and boxes that scroll there but that a
    keyboard cannot reach."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 800})
    try:
        problems = [f"{path}: wider than a phone's screen: {html}" for html in page.evaluate(WIDER_THAN_SCREEN)]
        for violation in axe.run(page, options=PHONE_AXE_OPTIONS).response["violations"]:
            problems += [
                f"{path}: on a phone, {violation['help']}: {node['html'][:160]}" for node in violation["nodes"][:3]
            ]
    finally:
        page.set_viewport_size(size)
    return problems


def _check_html(page: Page, path: str, source: str, axe: Axe, *, fragment: bool = False) -> list[str]:
    """Parse errors, duplicate ids and axe violations of what the page shows now (`source`: its HTML as sent)."""
    problems = []
    parser = html5lib.HTMLParser(strict=False)
    parser.parseFragment(source) if fragment else parser.parse(source)
    problems += [f"{path}: HTML parse error {error[1]} at line {error[0][0]}" for error in parser.errors]
    ids = re.findall(r'\sid="([^"]+)"', page.content())
    problems += [f"{path}: duplicate id {name!r}" for name in sorted({name for name in ids if ids.count(name) > 1})]
    problems += _reflow_problems(page, path, axe)
    options = ADMIN_AXE_OPTIONS if path.startswith("/admin/") else AXE_OPTIONS
    for violation in axe.run(page, options=options).response["violations"]:
        for node in violation["nodes"][:3]:
            problems.append(
                f"{path}: {violation['id']} ({violation['help']}) at {node['target']}: {node['html'][:160]}"
            )
    return problems


def _problems_of(page: Page, path: str, axe: Axe) -> tuple[list[str], list[str], list[dict]]:
    """(problems, links on the page, forms on it worth sending empty) for one address."""
    try:
        response = page.goto(page.url.split("/", 3)[0] + "//" + urlparse(page.url).netloc + path)
    except Error as error:  # a link that turned out to be a download
        return ([] if "Download is starting" in str(error) else [f"{path}: {error}"]), [], []
    if response is None:
        return [], [], []
    if response.status >= 500:
        return [f"{path}: server error {response.status}"], [], []
    if "text/html" not in response.headers.get("content-type", ""):
        return [], [], []
    problems = _check_html(page, path, response.text(), axe)
    links = page.eval_on_selector_all("a[href]", "links => links.map(link => link.getAttribute('href'))")
    return problems, links, page.evaluate(FORMS_TO_SEND)


def _send_empty(page: Page, path: str, form: dict, axe: Axe) -> list[str]:
    """Sends one form of `path` with its text fields empty and checks the answer the user then sees."""
    where = f"{path} (form to {form['action'] or 'itself'}, sent empty)"
    page.goto(page.url.split("/", 3)[0] + "//" + urlparse(page.url).netloc + path)
    page.evaluate("() => { window.sentFrom = true; }")  # gone once the answer replaced the document
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.evaluate(SEND_EMPTY, form["index"])
    response = sent.value
    if response.status >= 500:
        return [f"{where}: server error {response.status}"]
    partial = response.request.headers.get("hx-request") == "true"
    if partial:
        page.wait_for_timeout(300)  # htmx swaps the answer into the page after the response
        return _check_html(page, where, response.text(), axe, fragment=True)
    page.wait_for_function("() => !window.sentFrom && document.readyState === 'complete'")
    # a list's inline form (an answer, a reply) goes back to the list with the error as a message
    return _check_html(page, where, page.content() if response.status in (302, 303) else response.text(), axe)


def _htmx_part(page: Page, path: str, action: str, act, axe: Axe) -> list[str]:
    """Does `act` on `path` and checks what htmx fetched (it must parse) and the page with it swapped in."""
    where = f"{path} ({action}, htmx)"
    page.goto(page.url.split("/", 3)[0] + "//" + urlparse(page.url).netloc + path)
    with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true") as fetched:
        act(page)
    response = fetched.value
    if response.status >= 500:
        return [f"{where}: server error {response.status}"]
    page.wait_for_timeout(400)  # htmx swaps the part in after the response
    source = response.text()
    return _check_html(page, where, source, axe, fragment=not source.lstrip().lower().startswith("<!doctype"))


def _crawl(page: Page, starts: list[str], axe: Axe) -> tuple[list[str], int, int]:
    """(problems, pages visited, forms sent empty) for one role."""
    base = f"{urlparse(page.url).scheme}://{urlparse(page.url).netloc}"
    queue, seen_kinds, problems, visited = list(starts), set(), [], 0
    forms: dict[str, tuple[str, dict]] = {}  # one form per kind of address it sends to
    while queue and visited < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _kind(path) in seen_kinds:
            continue
        seen_kinds.add(_kind(path))
        found, links, asking = _problems_of(page, path, axe)
        visited += 1
        problems += found
        for form in asking:
            target = urlparse(urljoin(base + path, form["action"])).path
            if not NOT_PAGES.search(target):
                forms.setdefault(_kind(target), (path, form))
        for href in links:
            address = urlparse(urljoin(base + path, href))
            if address.netloc != urlparse(base).netloc or not address.path:
                continue
            target = address.path + (f"?{address.query}" if address.query else "")
            if not NOT_PAGES.search(target) and _kind(target) not in seen_kinds:
                queue.append(target)
    for path, form in forms.values():
        problems += _send_empty(page, path, form, axe)
    return problems, visited, len(forms)


def test_every_page_reachable_from_the_demo_data_is_valid_and_accessible(live_server, browser: Browser, enqueued):
    seed_all(lambda message: None)
    reviewed = ProductReview.objects.filter(status=ReviewStatus.PUBLISHED).values_list("listing_id", flat=True)
    reviews = reverse("reviews:listing", args=[reviewed.order_by("listing_id").first()])
    tree, published = category_tree(), Listing.objects.filter(status=ListingStatus.PUBLISHED)
    biggest = max(tree.roots, key=lambda root: published.filter(category_id__in=tree.subtree_ids(root)).count())
    biggest = biggest.get_absolute_url()
    axe = Axe()
    problems, visited, sent = [], {}, {}
    for role, email, starts in ROLES:
        # reduced motion: a hovered button is checked in its final colours, not halfway through the transition
        context = browser.new_context(
            locale="ru-RU", viewport={"width": 1280, "height": 900}, bypass_csp=True, reduced_motion="reduce"
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        if email:
            _log_in(page, live_server.url, email)
        found, visited[role], sent[role] = _crawl(page, starts, axe)
        for path, action, act in HTMX_PARTS.get(role, []):
            found += _htmx_part(page, path.format(reviews=reviews, biggest=biggest), action, act, axe)
        problems += [f"[{role}] {problem}" for problem in found]
        context.close()

    assert not problems, "\n".join(problems)
    assert min(visited.values()) >= 10, visited  # the crawl really went through each role's pages (visitor: 14)
    assert sum(sent.values()) >= 20, sent  # and sent the forms it met with their errors
