from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "marketplace.legal"
    label = "legal"
    verbose_name = _("Legal documents")

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db.models.signals import post_delete, post_save

        from .models import PlatformTerms
        from .selectors import forget_kept_documents

        post_save.connect(forget_kept_documents, sender=PlatformTerms, dispatch_uid="legal-forget-kept-documents")
        post_delete.connect(forget_kept_documents, sender=PlatformTerms, dispatch_uid="legal-forget-kept-deleted")
        setting_changed.connect(forget_kept_documents, dispatch_uid="legal-forget-kept-on-settings")
