"""Reads about accounts: the personal-data export (spec 161)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from . import personal_data
from .models import User

EXPORT_FORMAT = "marketplace-personal-data/1"


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform keeps about the user, as JSON-ready data; registered apps add sections."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": address.email, "primary": address.primary, "verified": address.verified}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        # Which kinds of second factor exist, never their secrets.
        "two_factor_methods": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        "terms_acceptances": [
            {
                "document": acceptance.terms.kind,
                "version": acceptance.terms.version,
                "accepted_at": acceptance.accepted_at.isoformat(),
                "ip_address": acceptance.ip_address,
                "source": acceptance.source,
            }
            for acceptance in user.terms_acceptances.select_related("terms").order_by("accepted_at", "terms_id")
        ],
    }
    for section in personal_data.sections():
        if section.export is not None:
            data[section.name] = section.export(user)
    return data
