"""The buyer's address book (used by checkout). Imported by `buyers.models` so Django registers the model."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(r"^\+7\d{10}$", _("Enter the phone as +7 and ten digits, e.g. +79123456789."))
postcode_validator = RegexValidator(r"^\d{6}$", _("A Russian postcode has six digits."))


class Address(models.Model):
    """A delivery address with its recipient, in Russian order; one may be the default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    recipient_name = models.CharField(_("recipient"), max_length=150)
    phone = models.CharField(_("recipient's phone"), max_length=16, validators=[phone_validator])
    region = models.CharField(_("region"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    street = models.CharField(_("street"), max_length=150)
    house = models.CharField(_("house"), max_length=20)
    flat = models.CharField(_("flat"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, validators=[postcode_validator])
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "buyers"
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(is_default=True), name="address_one_default_per_user")
        ]

    def __str__(self) -> str:
        return self.one_line

    @property
    def one_line(self) -> str:
        parts = [self.region, self.city, self.street, self.house]
        if self.flat:
            parts.append(str(_("flat %(flat)s") % {"flat": self.flat}))
        parts.append(self.postcode)
        return ", ".join(parts)
