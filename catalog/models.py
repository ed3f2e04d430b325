"""Catalogue: the category tree with attribute schemas, brands, and the moderation vocabularies."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import TimeStampedModel


class ReturnClass(models.TextChoices):
    NON_RETURNABLE = "non_returnable", _("Non-returnable")
    DAYS_7 = "days_7", _("7 days")
    DAYS_15 = "days_15", _("15 days")
    CUSTOM = "custom", _("Custom period")


RETURN_CLASS_DAYS = {ReturnClass.NON_RETURNABLE: 0, ReturnClass.DAYS_7: 7, ReturnClass.DAYS_15: 15}


class Category(TimeStampedModel):
    """A node of the category tree. Empty commission / return class mean "as the parent category"."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, blank=True, help_text=_("Latin, made from the name when left empty.")
    )
    # Materialised path of ids ("/1/5/12/"): a subtree is one indexed prefix match, kept by services.save_category.
    path = models.CharField(_("path"), max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Smaller numbers come first."))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive categories are hidden."))
    commission_percent = models.DecimalField(
        _("commission, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Platform commission on sales in this category. Empty: as the parent category."),
    )
    return_class = models.CharField(
        _("return class"),
        max_length=20,
        choices=ReturnClass,
        blank=True,
        help_text=_("How long buyers may return goods. Empty: as the parent category."),
    )
    return_days = models.PositiveSmallIntegerField(
        _("return period, days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Only for a custom return period."),
    )
    meta_title = models.CharField(_("meta title"), max_length=160, blank=True)
    meta_description = models.CharField(_("meta description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        indexes = [models.Index(OpClass("path", name="varchar_pattern_ops"), name="category_path_prefix")]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_percent__isnull=True)
                | Q(commission_percent__gte=0, commission_percent__lte=100),
                name="category_commission_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(return_class="") | Q(return_class__in=ReturnClass.values),
                name="category_return_class_valid",
            ),
            models.CheckConstraint(
                condition=~Q(return_class=ReturnClass.CUSTOM) | Q(return_days__isnull=False),
                name="category_custom_return_has_days",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this category, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    BOOLEAN = "boolean", _("Yes / no")


CHOICE_TYPES = frozenset({AttributeType.CHOICE, AttributeType.MULTI_CHOICE})


class Attribute(models.Model):
    """One field of a category's attribute schema; subcategories inherit their ancestors' attributes."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(
        _("code"), max_length=50, help_text=_("Latin key used in filters and import files, e.g. material.")
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=AttributeType, default=AttributeType.TEXT)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For numbers, e.g. cm, g, mAh."))
    options = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("allowed values"),
        blank=True,
        default=list,
        help_text=_("For choice types: one value per line."),
    )
    is_required = models.BooleanField(_("required"), default=False)
    is_filterable = models.BooleanField(_("filterable"), default=False, help_text=_("Shown as a filter to buyers."))
    position = models.PositiveIntegerField(_("position"), default=0)
    help_text = models.CharField(_("hint for sellers"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_unique_per_category"),
            models.CheckConstraint(condition=Q(type__in=AttributeType.values), name="attribute_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


class Brand(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="brand_name_ci_unique")]
        indexes = [GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="brand_name_trgm")]

    def __str__(self) -> str:
        return self.name


class ForbiddenWord(TimeStampedModel):
    """A word or phrase that sends a listing or a question to a moderator (managers keep the list)."""

    phrase = models.CharField(_("word or phrase"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("forbidden word")
        verbose_name_plural = _("forbidden words")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class RejectionReason(models.Model):
    """A reason template moderators pick when rejecting a listing; the seller sees the text."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    text = models.TextField(_("text shown to the seller"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class SearchTerm(models.Model):
    """The search dictionary: words of published titles, brands and categories with their frequency.

    Typo, layout and transliteration corrections pick their candidate words from here (trigram index).
    """

    word = models.CharField(max_length=60, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="searchterm_word_trgm")]

    def __str__(self) -> str:
        return self.word
