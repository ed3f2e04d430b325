"""Account rules that say no."""

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError


class StaffAccountCannotBeDeleted(DomainError):
    default_message = _(
        "Staff accounts cannot be deleted from the profile. Ask an administrator to remove your staff access first."
    )
