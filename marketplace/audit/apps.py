from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "marketplace.audit"
    label = "audit"
    verbose_name = _("Audit and moderation")

    def ready(self) -> None:
        from django.contrib import admin
        from django.utils.module_loading import autodiscover_modules

        from . import admin_hooks

        # django.contrib.admin comes first in INSTALLED_APPS, so its ready() has already imported every
        # admin.py: the registry is complete and no URL has been built yet.
        admin_hooks.install(admin.site)
        autodiscover_modules("moderation_queues")
