"""The orders app's personal parts of the catalogue's shared pages (see marketplace/core/pagecache.py)."""

from __future__ import annotations

from marketplace.core.pagecache import personal_part


def _shown(request, context) -> tuple:
    """Everything the part shows of the visitor: their region and the methods that reach it."""
    return (context["region"], tuple(context["served"]), context["total"])


@personal_part("orders/parts/_delivery_region.html", anonymous_key=_shown, signed_in_key=_shown)
def delivery_region(request, page, *, seller_id: int) -> dict:
    """For a signed-in buyer with an address: which of the seller's delivery methods reach their region."""
    from buyers import selectors as buyer_selectors
    from orders import selectors

    user = getattr(request, "user", None)
    address = buyer_selectors.addresses(user=user).first() if user is not None and user.is_authenticated else None
    if address is None:
        return {"region": "", "served": [], "total": 0}
    methods = selectors.active_delivery_methods(seller_id=seller_id)
    served = [method.name for method in methods if method.serves(address.region)]
    return {"region": address.region, "served": served, "total": len(methods)}
