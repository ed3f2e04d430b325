"""Category tree writes: slugs, materialised paths and subtree moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone

from catalog.exceptions import CategoryCycle
from catalog.models import Brand, Category
from catalog.selectors.categories import forget_category_tree
from catalog.text import slugify_ru

if TYPE_CHECKING:
    from marketplace.accounts.models import User


def unique_slug(model, base: str, *, exclude_pk: int | None = None, max_length: int = 100) -> str:
    """`base`, or `base-2`, `base-3`… whichever is free in `model`."""
    base = base[:max_length].strip("-") or "item"
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def save_category(*, category: Category, actor: User | None) -> Category:
    """Save a category and keep its path, depth and the paths of its whole subtree consistent."""
    parent = None
    if category.parent_id:
        # Lock the new parent so two concurrent moves cannot make a cycle together.
        parent = Category.objects.select_for_update().get(pk=category.parent_id)
        if category.pk and category.pk in parent.ancestor_ids:
            raise CategoryCycle()
    category.slug = unique_slug(Category, category.slug or slugify_ru(category.name), exclude_pk=category.pk)
    old_path = Category.objects.filter(pk=category.pk).values_list("path", flat=True).first() if category.pk else None
    category.save()
    new_path = f"{parent.path if parent else '/'}{category.pk}/"
    category.path, category.depth = new_path, new_path.count("/") - 2
    Category.objects.filter(pk=category.pk).update(path=category.path, depth=category.depth)
    if old_path and old_path != new_path:
        shift = category.depth - (old_path.count("/") - 2)
        Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk).update(
            path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
            depth=F("depth") + shift,
            updated_at=timezone.now(),
        )
    forget_category_tree()
    return category


def attribute_changed(sender, instance, **kwargs) -> None:
    """post_save/post_delete of an Attribute: its category counts as changed, so every process reloads the
    tree and the attribute schemas kept with it (catalog.apps connects this)."""
    Category.objects.filter(pk=instance.category_id).update(updated_at=timezone.now())
    forget_category_tree()


@transaction.atomic
def get_or_create_brand(*, name: str) -> Brand | None:
    """The brand with this name (case-insensitive), created on first use; None for an empty name."""
    name = " ".join(name.split())[:100]
    if not name:
        return None
    brand = Brand.objects.filter(name__iexact=name).first()
    if brand is None:
        brand = Brand.objects.create(name=name, slug=unique_slug(Brand, slugify_ru(name)))
    return brand
