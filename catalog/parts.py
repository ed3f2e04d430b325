"""Personal parts of the catalogue's shared pages (see marketplace/core/pagecache.py and templates/catalog/parts/).

Each builder gets the request, the page's template context when the part is rendered inline (None when it fills
a shared page) and the part's kwargs, and returns what the part's template needs for this visitor. Shared pages
are never served to the seller's team or to staff (`LIVE_VIEWER_CHECKS`), so a builder filling a shared page
knows the visitor is not the listing's seller; inline, the page says so (`viewer_is_team`).
"""

from __future__ import annotations

from django.http import HttpRequest

from catalog.forms import QuestionForm
from marketplace.core.pagecache import personal_part


def _buyer(request: HttpRequest | None):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _is_team(page) -> bool:
    return bool(page is not None and page.get("viewer_is_team"))


def _kept_by(*names: str, address: bool = False):
    """A signed-in part's key (pagecache.personal_part): the builder's values `names`, which hold all the template
    shows of the visitor, and the page's address where the template sends the visitor back to it. Each process
    renders the part once per such key (a buyer's follow or favourite button: 0.2-0.35 ms a render)."""

    def key(request, context) -> tuple:
        values = tuple(context.get(name) for name in names)
        return (*values, request.get_full_path()) if address else values

    return key


@personal_part(
    "catalog/parts/_follow_category.html",
    signed_in_key=_kept_by("category_id", "is_following", "often_viewed", address=True),
)
def follow_category(request, page, *, category_id: int) -> dict:
    """Follow or unfollow; a buyer who keeps looking at the category is told so (interest inferred, spec 23)."""
    from buyers import selectors as buyer_selectors
    from catalog.selectors import category_tree

    user = _buyer(request)
    following = bool(user) and buyer_selectors.is_following(user=user, category_id=category_id)
    often = False
    if user and not following:
        node = category_tree().by_id.get(category_id)
        views = buyer_selectors.views_in_category(user=user, category_path=node.path) if node else 0
        often = views >= buyer_selectors.INTEREST_VIEWS
    return {"is_following": following, "often_viewed": often}


@personal_part(
    "catalog/parts/_follow_seller.html",
    signed_in_key=_kept_by("seller_id", "is_following", "viewer_is_team", address=True),
)
def follow_seller(request, page, *, seller_id: int) -> dict:
    from buyers import selectors as buyer_selectors

    user, team = _buyer(request), _is_team(page)
    following = bool(user) and not team and buyer_selectors.is_following(user=user, seller_id=seller_id)
    return {"viewer_is_team": team, "is_following": following}


@personal_part("catalog/parts/_recently_viewed.html")
def recently_viewed(request, page) -> dict:
    from buyers import selectors as buyer_selectors
    from catalog.selectors import cards_in_order

    user = _buyer(request)
    keys = buyer_selectors.recently_viewed_ids(user=user, limit=6) if user else []
    return {"recently_viewed": cards_in_order(keys)}


@personal_part(
    "catalog/parts/_stock_alert.html",
    signed_in_key=_kept_by("variant_id", "subscribed", "viewer_is_team", address=True),
)
def stock_alert(request, page, *, variant_id: int, listing_id: int) -> dict:
    from buyers import selectors as buyer_selectors

    user, team = _buyer(request), _is_team(page)
    subscribed = (
        bool(user)
        and not team
        and variant_id in buyer_selectors.subscribed_variant_ids(user=user, listing_id=listing_id)
    )
    return {"viewer_is_team": team, "subscribed": subscribed}


@personal_part(
    "catalog/parts/_buyer_actions.html",
    signed_in_key=_kept_by("listing_id", "is_favourite", "viewer_is_team", address=True),
)
def buyer_actions(request, page, *, listing_id: int) -> dict:
    from buyers import selectors as buyer_selectors

    user, team = _buyer(request), _is_team(page)
    favourite = bool(user) and not team and buyer_selectors.is_favourite(user=user, listing_id=listing_id)
    return {"viewer_is_team": team, "is_favourite": favourite}


def _question_form_key(request, context) -> tuple | None:
    """An empty question form is the same for every signed-in buyer of a listing (its CSRF token is filled in per
    answer): kept per listing, it spares rendering the form on every signed-in listing page. A form sent back with
    its errors is this buyer's own and never kept; the template shows nothing else of the user."""
    form = context.get("question_form")
    if form is None:
        return ("no form",)
    return None if form.is_bound else ("empty form", context["listing_id"])


@personal_part("catalog/parts/_ask_question.html", signed_in_key=_question_form_key)
def ask_question(request, page, *, listing_id: int) -> dict:
    """Any signed-in buyer but the seller's team may ask; a form sent back with errors comes from the page."""
    form = page.get("question_form") if page is not None else None
    if form is None and _buyer(request) and not _is_team(page):
        form = QuestionForm()
    return {"question_form": form}


@personal_part("catalog/parts/_report_link.html", signed_in_key=_kept_by("listing_id", "can_report"))
def report_link(request, page, *, listing_id: int) -> dict:
    return {"can_report": bool(_buyer(request)) and not _is_team(page)}
