"""Buyers' lists: favourites, follows, recently viewed listings and back-in-stock subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Favourite(models.Model):
    """A listing on the buyer's wishlist; a later lower price sends one notification per drop."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="favourited_by")
    # The price the buyer last heard about (when added, or in the last price-drop notification).
    notified_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="favourite_once_per_listing")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.listing_id}"


class Follow(models.Model):
    """A buyer follows a seller or a category and gets a digest of new arrivals."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seller__isnull=False, category__isnull=True)
                | Q(seller__isnull=True, category__isnull=False),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["user", "seller"], name="follow_seller_once"),
            models.UniqueConstraint(fields=["user", "category"], name="follow_category_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.seller_id or self.category_id}"


class RecentlyViewed(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recently_viewed")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("recently viewed listing")
        verbose_name_plural = _("recently viewed listings")
        ordering = ["-viewed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="recentlyviewed_once_per_listing")]
        indexes = [models.Index("user", models.F("viewed_at").desc(), name="recentlyviewed_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.listing_id}"


class StockSubscription(models.Model):
    """ "Notify me when it is back": closed (notified_at set) by the first notification."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stock_subscriptions")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="stock_subscriptions")
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("back-in-stock subscription")
        verbose_name_plural = _("back-in-stock subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "variant"], condition=Q(notified_at__isnull=True), name="stocksubscription_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} waits for {self.variant_id}"


from buyers.addresses import Address  # noqa: E402, F401  (the address book lives in its own module)
