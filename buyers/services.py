"""Buyers' own writes: favourites, follows, recently viewed, back-in-stock subscriptions and the address book."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buyers import policies, selectors
from buyers.models import Address, Favourite, Follow, StockSubscription
from marketplace.core.exceptions import DomainError

if TYPE_CHECKING:
    from marketplace.accounts.models import User


class NotAvailable(DomainError):
    default_message = _("This product is not on sale now.")


@transaction.atomic
def add_favourite(*, user: User, listing_id: int) -> Favourite:
    """Put a listing on the wishlist (again: nothing changes); we remember the price the buyer saw."""
    listing = selectors.visible_listing(listing_id=listing_id)
    if listing is None:
        raise NotAvailable()
    favourite, _created = Favourite.objects.get_or_create(
        user=user, listing=listing, defaults={"notified_price": listing.price}
    )
    return favourite


@transaction.atomic
def remove_favourite(*, user: User, listing_id: int) -> bool:
    return Favourite.objects.filter(user=user, listing_id=listing_id).delete()[0] > 0


@transaction.atomic
def follow_category(*, user: User, category_id: int) -> Follow:
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, category_id=category_id)
    except IntegrityError:
        return Follow.objects.get(user=user, category_id=category_id)


@transaction.atomic
def follow_seller(*, user: User, seller_id: int) -> Follow:
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, seller_id=seller_id)
    except IntegrityError:
        return Follow.objects.get(user=user, seller_id=seller_id)


@transaction.atomic
def unfollow(*, user: User, category_id: int | None = None, seller_id: int | None = None) -> bool:
    follows = Follow.objects.filter(user=user)
    follows = (
        follows.filter(category_id=category_id) if category_id is not None else follows.filter(seller_id=seller_id)
    )
    return follows.delete()[0] > 0


def record_view(*, user: User, listing_id: int) -> None:
    """Remember a viewed listing; only the latest MARKETPLACE_CATALOG_RECENTLY_VIEWED are kept.

    One statement (atomic by itself, one round trip on every signed-in listing page): the view is written, and of
    the buyer's other rows only the latest `keep - 1` stay. Both parts read the rows as they were before it, so
    the trim leaves the viewed listing's row alone whether it was new or seen before.
    """
    keep = settings.MARKETPLACE_CATALOG_RECENTLY_VIEWED
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH viewed AS (INSERT INTO buyers_recentlyviewed (user_id, listing_id, viewed_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (user_id, listing_id) DO UPDATE SET viewed_at = EXCLUDED.viewed_at RETURNING id) "
            "DELETE FROM buyers_recentlyviewed WHERE user_id = %s AND listing_id <> %s AND id NOT IN "
            "(SELECT id FROM buyers_recentlyviewed WHERE user_id = %s AND listing_id <> %s "
            "ORDER BY viewed_at DESC, id DESC LIMIT %s)",
            [user.pk, listing_id, timezone.now(), user.pk, listing_id, user.pk, listing_id, max(keep - 1, 0)],
        )


@transaction.atomic
def clear_recently_viewed(*, user: User) -> int:
    return user.recently_viewed.all().delete()[0]


@transaction.atomic
def subscribe_back_in_stock(*, user: User, variant_id: int) -> StockSubscription:
    """ "Tell me when it is back": only for a variant that is out of stock on a listing on sale."""
    listing_model = selectors.listing_model()
    variant_model = StockSubscription._meta.get_field("variant").related_model
    variant = (
        variant_model.objects.filter(pk=variant_id, is_active=True, listing__in=listing_model.objects.published())
        .select_related("listing")
        .first()
    )
    if variant is None:
        raise NotAvailable()
    if variant.available > 0:
        raise DomainError(_("This product is in stock: you can order it now."))
    try:
        with transaction.atomic():
            return StockSubscription.objects.create(user=user, variant=variant)
    except IntegrityError:
        return StockSubscription.objects.get(user=user, variant=variant, notified_at__isnull=True)


@transaction.atomic
def unsubscribe_back_in_stock(*, user: User, subscription_id: int) -> bool:
    return StockSubscription.objects.filter(user=user, pk=subscription_id, notified_at__isnull=True).delete()[0] > 0


# Address book -----------------------------------------------------------------------------------------


def _lock_book(user: User) -> list[Address]:
    """Lock the user's addresses in pk order, so two tabs changing the default cannot both win."""
    return list(Address.objects.select_for_update().filter(user=user).order_by("pk"))


def _check_owner(actor: User, address: Address) -> None:
    if not policies.can_manage_address(actor, address):
        raise PermissionDenied


@transaction.atomic
def save_address(*, actor: User, address: Address) -> Address:
    """Add or edit an address of the actor's book. The first address, or one marked default, becomes the default."""
    if address.pk is None:
        address.user = actor
    elif not Address.objects.filter(pk=address.pk, user=actor).exists():
        raise PermissionDenied  # the stored row is someone else's, whatever the instance says
    _check_owner(actor, address)
    book = _lock_book(actor)
    others = [other for other in book if other.pk != address.pk]
    if not others or not any(other.is_default for other in others):
        address.is_default = True  # a book with addresses always has a default
    if address.is_default:
        Address.objects.filter(user=actor, is_default=True).exclude(pk=address.pk).update(is_default=False)
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def set_default_address(*, actor: User, address: Address) -> Address:
    """The address checkout offers first."""
    _check_owner(actor, address)
    _lock_book(actor)
    Address.objects.filter(user=actor, is_default=True).exclude(pk=address.pk).update(is_default=False)
    Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True
    return address


@transaction.atomic
def delete_address(*, actor: User, address: Address) -> None:
    """Remove an address; if it was the default, the newest remaining one takes its place.

    Orders keep their own copy of the address, so deleting it never changes where a parcel goes.
    """
    _check_owner(actor, address)
    _lock_book(actor)
    was_default = Address.objects.filter(pk=address.pk, is_default=True).exists()
    Address.objects.filter(pk=address.pk).delete()
    if was_default:
        successor = Address.objects.filter(user=actor).order_by("-created_at", "-pk").first()
        if successor is not None:
            Address.objects.filter(pk=successor.pk).update(is_default=True)
