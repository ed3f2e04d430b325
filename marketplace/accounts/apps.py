from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "marketplace.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import roles

        # Permissions only exist after every app migrated, so the role → permission map is synced then.
        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="accounts-sync-role-permissions")
