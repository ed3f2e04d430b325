"""Accounts: one User for every role. Everyone can buy; sellers get a Seller profile; staff work in admin."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [
    (name, name)
    for name in (
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Europe/Samara",
        "Asia/Yekaterinburg",
        "Asia/Omsk",
        "Asia/Novosibirsk",
        "Asia/Krasnoyarsk",
        "Asia/Irkutsk",
        "Asia/Yakutsk",
        "Asia/Vladivostok",
        "Asia/Magadan",
        "Asia/Kamchatka",
    )
]


# The same zones as the model's choices, named the way people in Russia know them (not "Asia/Omsk").
TIME_ZONE_LABELS = {
    "Europe/Kaliningrad": _("Kaliningrad (MSK−1, UTC+2)"),
    "Europe/Moscow": _("Moscow (MSK, UTC+3)"),
    "Europe/Samara": _("Samara (MSK+1, UTC+4)"),
    "Asia/Yekaterinburg": _("Yekaterinburg (MSK+2, UTC+5)"),
    "Asia/Omsk": _("Omsk (MSK+3, UTC+6)"),
    "Asia/Novosibirsk": _("Novosibirsk (MSK+4, UTC+7)"),
    "Asia/Krasnoyarsk": _("Krasnoyarsk (MSK+4, UTC+7)"),
    "Asia/Irkutsk": _("Irkutsk (MSK+5, UTC+8)"),
    "Asia/Yakutsk": _("Yakutsk (MSK+6, UTC+9)"),
    "Asia/Vladivostok": _("Vladivostok (MSK+7, UTC+10)"),
    "Asia/Magadan": _("Magadan (MSK+8, UTC+11)"),
    "Asia/Kamchatka": _("Kamchatka (MSK+9, UTC+12)"),
}


def time_zone_label(name: str) -> str:
    """`Asia/Omsk` → "Omsk (MSK+3, UTC+6)", translated; an unknown zone is shown as stored."""
    return str(TIME_ZONE_LABELS.get(name, name))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, help_text=_("E.164, e.g. +79123456789"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ru")
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Moscow")
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Moderators and managers: may log in to the admin.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Forms normalise phones (accounts.phone); the database refuses anything else that slips through.
            models.CheckConstraint(
                condition=models.Q(phone="") | models.Q(phone__regex=r"^\+[1-9][0-9]{7,14}$"), name="user_phone_e164"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="user_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email.split("@")[0]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.get_short_name()

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)
