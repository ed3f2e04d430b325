from __future__ import annotations

from django.db import transaction

from .models import User


@transaction.atomic
def set_user_language(*, user: User, language: str) -> None:
    """Remember the interface language; e-mails to this user are written in it."""
    User.objects.filter(pk=user.pk).update(language=language[:8])
    user.language = language


@transaction.atomic
def update_profile(*, user: User, first_name: str, last_name: str, phone: str, language: str, time_zone: str) -> User:
    """Save the personal details a buyer may keep (only what buying needs)."""
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["first_name", "last_name", "phone", "language", "time_zone"])
    return user
