"""The site header's personal part: the cart badge and the account menu, or the sign-in and sign-up links.

For a visitor who is not signed in it depends only on the cart's count and the sign-in link (which brings them
back to the page they were on), so each process renders it once per such pair and language (pagecache).
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse

from marketplace.core.pagecache import personal_part

NO_RETURN_PAGES = ("account_login", "account_signup")  # signing in from these goes to the default page


def login_url(request) -> str:
    """The sign-in page, with `next` set to the page the visitor is on (not for the home page or the sign-in
    and sign-up pages themselves)."""
    url = reverse("account_login")
    match = request.resolver_match
    if request.path != "/" and (match is None or match.url_name not in NO_RETURN_PAGES):
        url += "?next=" + quote(request.get_full_path(), safe="/")
    return url


def _signed_in_key(request, context) -> tuple:
    """Everything of the signed-in user the header shows (its HTML is kept per such key: pagecache)."""
    user = request.user
    return (
        user.pk,
        user.display_name,
        user.email,
        user.is_staff,
        context.get("cart_count", 0),
        context["unread_notifications"],
        context["unread_messages"],
        context.get("works_for_a_seller", False),
    )


@personal_part(
    "components/_header_account.html",
    anonymous_key=lambda request, context: (context["login_url"], context.get("cart_count", 0)),
    signed_in_key=_signed_in_key,
)
def header_account(request, page) -> dict:
    from marketplace.accounts.selectors import header_counts
    from orders.cart_session import current_cart
    from orders.selectors import cart_count

    if request is None:
        return {"login_url": reverse("account_login")}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # the cart's, the bell's and the messages badge's counts in one statement (the bell's and the badge's
        # templates count for themselves when included alone)
        counts = header_counts(user=user)
        return {
            "login_url": login_url(request),
            "cart_count": counts.cart,
            "unread_notifications": counts.unread_notifications,
            "unread_messages": counts.unread_messages,
            "works_for_a_seller": counts.works_for_a_seller,  # the menu links to the seller cabinet
        }
    count = cart_count(current_cart(request, create=False)) if hasattr(request, "session") else 0
    return {"login_url": login_url(request), "cart_count": count}
