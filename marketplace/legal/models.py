"""Versioned platform documents (terms of use and offer, privacy policy, buyer rights, seller offer) and acceptances."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel


class DocumentKind(models.TextChoices):
    TERMS = "terms", _("Terms of use and public offer")
    PRIVACY = "privacy", _("Privacy policy")
    BUYER_RIGHTS = "buyer_rights", _("Buyer rights")
    SELLER_OFFER = "seller_offer", _("Seller offer")


# Documents every user must accept (at signup and again after a new version takes effect).
USER_ACCEPTANCE_KINDS = (DocumentKind.TERMS, DocumentKind.PRIVACY)


class PlatformTermsQuerySet(models.QuerySet):
    def in_force(self, at=None) -> PlatformTermsQuerySet:
        return self.filter(effective_at__lte=at or timezone.now())

    def current(self, at=None) -> PlatformTermsQuerySet:
        """The newest version in force of each kind."""
        return self.in_force(at).order_by("kind", "-effective_at", "-version").distinct("kind")


class PlatformTerms(TimeStampedModel):
    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind)
    version = models.CharField(_("version"), max_length=20, help_text=_("e.g. 1.0, 2.1"))
    effective_at = models.DateTimeField(_("effective from"))
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_ru = models.TextField(_("summary of changes (Russian)"), blank=True)
    summary_en = models.TextField(_("summary of changes (English)"), blank=True)
    body_ru = models.TextField(_("text (Russian)"))
    body_en = models.TextField(_("text (English)"))

    objects = PlatformTermsQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform document version")
        verbose_name_plural = _("platform document versions")
        ordering = ["kind", "-effective_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="platformterms_kind_version_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=DocumentKind.values), name="platformterms_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"

    def _localized(self, field: str, language: str) -> str:
        return getattr(self, f"{field}_{'en' if language.startswith('en') else 'ru'}")

    def title(self, language: str) -> str:
        return self._localized("title", language)

    def body(self, language: str) -> str:
        return self._localized("body", language)

    def summary(self, language: str) -> str:
        return self._localized("summary", language)

    def get_absolute_url(self) -> str:
        return reverse("legal:version", kwargs={"kind": self.kind.replace("_", "-"), "version": self.version})


class TermsAcceptance(models.Model):
    """Append-only proof of consent (152-FZ): who accepted which version, when, from where."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms = models.ForeignKey(PlatformTerms, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [models.UniqueConstraint(fields=["user", "terms"], name="termsacceptance_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user} → {self.terms}"
