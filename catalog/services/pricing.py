"""Promo prices (spec 41) and the honest-discount rule over time (spec 120).

A variant has at most one promo: a price below its regular price for a period. It is refused unless the regular
price was really charged for 14 of the 30 days before the promo starts (the rule's defaults), so the struck-through
price a buyer sees during the promo is an honest one. While the promo runs, `Variant.price` is the promo price (what
carts and orders read) and `promo_base_price` the regular price; a task every minute starts and ends promos on time.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import policies
from catalog.models import Listing, Variant
from catalog.services import honest, notify
from catalog.services import listings as listing_services
from marketplace.core.exceptions import DomainError
from marketplace.core.money import format_money

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from sellers.models import Seller


class InvalidPromo(DomainError):
    """A promo that cannot be set; `errors` maps a form field to its message."""

    default_message = _("Please correct the errors below.")

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(str(message) for message in errors.values()))


@dataclass(frozen=True)
class PromoInput:
    price: Decimal | None
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


def honest_days_message(days: int) -> str:
    """Why a price cannot be shown struck through: how long it was charged, against how long it must have been."""
    return _(
        "It was charged for %(days)s of the last %(window)s days; a discount may only be counted from a price "
        "charged for at least %(min)s of them."
    ) % {"days": days, "window": honest.window_days(), "min": honest.min_days()}


def _locked_variant(*, seller: Seller, variant_id: int) -> Variant:
    return Variant.objects.select_for_update(of=("self",)).select_related("listing").get(pk=variant_id, seller=seller)


def check_promo(variant: Variant, promo: PromoInput, now: datetime.datetime) -> None:
    """Raise InvalidPromo (by field) unless `promo` may be set on `variant` at `now`: a price below the regular
    one, an end after the start and in the future, and the regular price honestly charged (spec 120)."""
    errors: dict[str, str] = {}
    price, starts_at, ends_at = promo.price, promo.starts_at, promo.ends_at
    if price is None or not price.is_finite() or price <= 0:
        errors["price"] = _("Enter a promo price above zero.")
    elif price != price.quantize(Decimal("0.01")):
        errors["price"] = _("Enter a price in roubles with at most two decimal places.")
    elif price >= variant.regular_price:
        errors["price"] = _("The promo price must be below the regular price, %(price)s.") % {
            "price": format_money(variant.regular_price)
        }
    if starts_at is None:
        errors["starts_at"] = _("Enter when the promo starts.")
    if ends_at is None:
        errors["ends_at"] = _("Enter when the promo ends.")
    elif ends_at <= now:
        errors["ends_at"] = _("The end must be in the future.")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if errors:
        raise InvalidPromo(errors)
    as_of = max(starts_at, now)
    days = honest.held_days([(variant.pk, variant.regular_price)], as_of=as_of)[(variant.pk, variant.regular_price)]
    if not honest.is_honest(days):
        raise InvalidPromo(
            {
                "price": _("The promo is refused: it would be counted from %(price)s.")
                % {"price": format_money(variant.regular_price)}
                + " "
                + honest_days_message(days)
            }
        )


def check_promo_at(variant: Variant, promo: PromoInput, now: datetime.datetime, *, regular_price: Decimal) -> None:
    """check_promo as if the variant's regular price were `regular_price`: an import or sync row that sets the price
    and a promo together is judged by the price it sets (a price never charged fails the honest-discount rule)."""
    as_charged = copy.copy(variant)
    as_charged.price, as_charged.promo_base_price = regular_price, None
    check_promo(as_charged, promo, now)


@transaction.atomic
def set_promo(*, seller: Seller, actor: User, variant_id: int, promo: PromoInput) -> Variant:
    """Schedule a promo on one variant (starting at once if its start has come). A running promo must end first."""
    if not policies.can_manage_listings(actor, seller):
        raise PermissionDenied
    variant = _locked_variant(seller=seller, variant_id=variant_id)
    if variant.promo_running:
        raise InvalidPromo({"price": _("A promo is running. End it before setting another one.")})
    now = timezone.now()
    check_promo(variant, promo, now)
    variant.promo_price, variant.promo_starts_at, variant.promo_ends_at = promo.price, promo.starts_at, promo.ends_at
    variant.save(update_fields=["promo_price", "promo_starts_at", "promo_ends_at", "updated_at"])
    if promo.starts_at <= now:
        _start(variant)
    return variant


@transaction.atomic
def end_promo(*, seller: Seller, actor: User, variant_id: int) -> Variant:
    """End a running promo now (the regular price returns), or drop a scheduled one."""
    if not policies.can_manage_listings(actor, seller):
        raise PermissionDenied
    variant = _locked_variant(seller=seller, variant_id=variant_id)
    if variant.promo_price is None:
        raise InvalidPromo({"price": _("There is no promo to end.")})
    _end(variant)
    return variant


def _start(variant: Variant) -> None:
    variant.promo_base_price, variant.price = variant.price, variant.promo_price
    variant.save(update_fields=["promo_base_price", "price", "updated_at"])
    listing_services.record_price(variant=variant, is_promo=True)
    _after_price_change(variant)


def _end(variant: Variant) -> None:
    running = variant.promo_running
    if running:
        variant.price, variant.promo_base_price = variant.promo_base_price, None
    variant.promo_price = variant.promo_starts_at = variant.promo_ends_at = None
    variant.save(
        update_fields=["price", "promo_base_price", "promo_price", "promo_starts_at", "promo_ends_at", "updated_at"]
    )
    if running:
        listing_services.record_price(variant=variant)
        _after_price_change(variant)


def _after_price_change(variant: Variant) -> None:
    listing_services.refresh_shown_old_price(variant)
    listing_services.refresh_offer(variant.listing)


def apply_due_promos(*, now: datetime.datetime | None = None) -> int:
    """Every minute: start the promos whose time has come and end those that are over; each variant on its own.

    A promo is checked against the honest-discount rule again when it starts (the seller may have changed the
    price since); if it no longer passes, it does not start and the seller is told why.
    """
    now = now or timezone.now()
    due = Variant.objects.filter(promo_price__isnull=False).filter(promo_ends_at__lte=now) | Variant.objects.filter(
        promo_base_price__isnull=True, promo_starts_at__lte=now, promo_ends_at__gt=now
    )
    changed = 0
    for variant_id in due.values_list("pk", flat=True).order_by("pk"):
        changed += _apply_one(variant_id, now)
    return changed


@transaction.atomic
def _apply_one(variant_id: int, now: datetime.datetime) -> int:
    variant = (
        Variant.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("listing__seller__user")
        .filter(pk=variant_id)
        .first()
    )
    if variant is None or variant.promo_price is None:
        return 0  # taken by another worker, or already done
    if variant.promo_ends_at <= now:
        _end(variant)
        return 1
    if variant.promo_running or variant.promo_starts_at > now:
        return 0
    days = honest.held_days([(variant.pk, variant.regular_price)], as_of=now)[(variant.pk, variant.regular_price)]
    if honest.is_honest(days):
        _start(variant)
    else:
        notify.promo_refused(variant=variant, days=days, window=honest.window_days(), min_days=honest.min_days())
        _end(variant)
    return 1


@transaction.atomic
def refresh_honest_old_prices() -> int:
    """Recompute every shown old price in one statement, then the listings whose offer changed."""
    listing_ids = {listing_id for listing_id, _shown in honest.refresh_shown_old_prices().values()}
    for listing in Listing.objects.filter(pk__in=listing_ids).order_by("pk"):
        listing_services.refresh_offer(listing)
    return len(listing_ids)
