"""Account use cases beyond allauth's own flows: profile, language, admin-created users, deletion (spec 161)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import personal_data
from .exceptions import StaffAccountCannotBeDeleted
from .models import User


@transaction.atomic
def set_user_language(*, user: User, language: str) -> None:
    """Remember the interface language; e-mails to this user are written in it."""
    User.objects.filter(pk=user.pk).update(language=language[:8])
    user.language = language


@transaction.atomic
def update_profile(*, user: User, first_name: str, last_name: str, phone: str, language: str, time_zone: str) -> User:
    """Save the personal details a buyer may keep (only what buying needs); `phone` is already E.164."""
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["first_name", "last_name", "phone", "language", "time_zone"])
    return user


@transaction.atomic
def register_admin_created_user(*, user: User, actor: User) -> None:
    """A user added in the admin gets an unverified primary address, so the first login verifies it."""
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"primary": True, "verified": False})


@transaction.atomic
def delete_account(*, user: User, actor: User) -> User:
    """Delete an account at its owner's request: deactivate it and erase what identifies the person.

    The row stays (anonymised) because orders, reviews and the ledger point at it. Every session ends:
    the unusable password changes the session hash Django checks on each request, and the account is
    inactive. Staff remove their staff access first, so no one locks the admin out by accident.
    """
    if actor.pk != user.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff or user.is_superuser:
        raise StaffAccountCannotBeDeleted()
    for section in personal_data.sections():
        if section.erase is not None:
            section.erase(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@invalid"
    user.first_name = user.last_name = user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return user
