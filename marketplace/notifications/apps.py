from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "marketplace.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from marketplace.accounts import personal_data

        from . import kinds, selectors, services  # noqa: F401  (importing kinds registers the platform's own)

        # Every app may declare its kinds in a notification_kinds.py module, as admin.py declares admin classes.
        autodiscover_modules("notification_kinds")
        # Spec 161: the notifications are in the personal-data export and go with the account.
        personal_data.register("notifications", export=selectors.personal_data_for, erase=services.erase_personal_data)
