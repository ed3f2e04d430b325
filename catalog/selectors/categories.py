"""The category tree, cached per process and refreshed when any category changes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db.models import Count, Max

from catalog.models import RETURN_CLASS_DAYS, Attribute, Category, PackagingRequirement, ReturnClass


@dataclass
class CategoryNode:
    id: int
    name: str
    slug: str
    parent_id: int | None
    path: str
    depth: int
    position: int
    is_active: bool
    commission_percent: Decimal | None
    return_class: str
    return_days: int | None
    meta_title: str
    meta_description: str
    description: str
    children: list[CategoryNode] = field(default_factory=list)

    def get_absolute_url(self) -> str:
        return f"/c/{self.slug}/"

    def __str__(self) -> str:
        return self.name


class CategoryTree:
    """All categories in memory (a few thousand rows): walks, subtrees and inherited settings cost no query."""

    def __init__(self, categories: list[Category]) -> None:
        self.by_id: dict[int, CategoryNode] = {}
        for category in categories:
            self.by_id[category.pk] = CategoryNode(
                id=category.pk,
                name=category.name,
                slug=category.slug,
                parent_id=category.parent_id,
                path=category.path,
                depth=category.depth,
                position=category.position,
                is_active=category.is_active,
                commission_percent=category.commission_percent,
                return_class=category.return_class,
                return_days=category.return_days,
                meta_title=category.meta_title,
                meta_description=category.meta_description,
                description=category.description,
            )
        self.by_slug = {node.slug: node for node in self.by_id.values()}
        self.schemas: dict[int, list[Attribute]] = {}  # filled by attribute_schema, dropped with the tree
        self.roots: list[CategoryNode] = []
        for node in sorted(self.by_id.values(), key=lambda node: (node.position, node.name)):
            parent = self.by_id.get(node.parent_id) if node.parent_id else None
            (parent.children if parent else self.roots).append(node)

    def ancestors(self, node: CategoryNode) -> list[CategoryNode]:
        """From the root down to `node`, itself included."""
        ids = [int(part) for part in node.path.strip("/").split("/") if part]
        return [self.by_id[pk] for pk in ids if pk in self.by_id]

    def is_visible(self, node: CategoryNode) -> bool:
        return all(ancestor.is_active for ancestor in self.ancestors(node))

    def visible_by_slug(self, slug: str) -> CategoryNode | None:
        """The category a buyer may browse under `slug` (None for an unknown one or one under a hidden branch)."""
        node = self.by_slug.get(slug)
        return node if node is not None and self.is_visible(node) else None

    def subtree_ids(self, node: CategoryNode, *, active_only: bool = True) -> list[int]:
        ids, stack = [], [node]
        while stack:
            current = stack.pop()
            if active_only and not current.is_active:
                continue
            ids.append(current.id)
            stack.extend(current.children)
        return ids

    def visible_children(self, node: CategoryNode | None) -> list[CategoryNode]:
        return [child for child in (node.children if node else self.roots) if child.is_active]

    def is_leaf(self, node: CategoryNode) -> bool:
        return not node.children

    def leaves(self, *, active_only: bool = True) -> list[CategoryNode]:
        return [
            node
            for node in sorted(self.by_id.values(), key=lambda node: node.path)
            if not node.children and (not active_only or self.is_visible(node))
        ]

    def commission_percent(self, node: CategoryNode) -> Decimal:
        for ancestor in reversed(self.ancestors(node)):
            if ancestor.commission_percent is not None:
                return ancestor.commission_percent
        return Decimal(settings.MARKETPLACE_CATALOG_DEFAULT_COMMISSION_PERCENT)

    def return_policy(self, node: CategoryNode) -> tuple[str, int]:
        """The effective return class and its period in days (0: non-returnable)."""
        for ancestor in reversed(self.ancestors(node)):
            if ancestor.return_class:
                if ancestor.return_class == ReturnClass.CUSTOM:
                    return ancestor.return_class, ancestor.return_days or 0
                return ancestor.return_class, RETURN_CLASS_DAYS[ancestor.return_class]
        default = settings.MARKETPLACE_CATALOG_DEFAULT_RETURN_CLASS
        return default, RETURN_CLASS_DAYS.get(default, 0)

    def breadcrumbs(self, node: CategoryNode) -> list[CategoryNode]:
        return self.ancestors(node)

    def full_name(self, node: CategoryNode) -> str:
        return " › ".join(ancestor.name for ancestor in self.ancestors(node))


_lock = threading.Lock()
_cache: dict[str, object] = {"version": None, "tree": None, "checked_at": -1e9}


_request = threading.local()


def _request_started(**kwargs) -> None:
    _request.checked = None  # the first call within this request checks the version


def _request_finished(**kwargs) -> None:
    _request.__dict__.pop("checked", None)  # outside requests (tasks, shells) every call checks


def forget_category_tree(**kwargs) -> None:
    """After a category changes, the next call in this process checks the version again (also a signal receiver)."""
    _cache["checked_at"] = -1e9
    if getattr(_request, "checked", None) is not None:
        _request.checked = None


request_started.connect(_request_started, dispatch_uid="catalog-category-tree-started")
request_finished.connect(_request_finished, dispatch_uid="catalog-category-tree-finished")


def category_tree() -> CategoryTree:
    """The current tree: a cheap version query at most every MARKETPLACE_CATALOG_TREE_CHECK_SECONDS per process
    (and at most once per request; every call outside requests when 0), a reload after a change.

    A change made in this process (a category or an attribute saved or deleted, or services.categories) is seen
    at once; one made in another process within the interval.
    """
    if getattr(_request, "checked", None) is not None and _cache["tree"] is not None:
        return _request.checked
    interval = settings.MARKETPLACE_CATALOG_TREE_CHECK_SECONDS
    now = time.monotonic()
    if interval and _cache["tree"] is not None and now - _cache["checked_at"] < interval:  # type: ignore[operator]
        tree = _cache["tree"]
        if hasattr(_request, "checked"):
            _request.checked = tree
        return tree  # type: ignore[return-value]
    version = Category.objects.aggregate(changed=Max("updated_at"), count=Count("id"))
    key = (version["changed"], version["count"])
    with _lock:
        if _cache["version"] != key or _cache["tree"] is None:
            _cache["tree"] = CategoryTree(list(Category.objects.order_by("path")))
            _cache["version"] = key
        _cache["checked_at"] = now
        tree = _cache["tree"]
    if hasattr(_request, "checked"):
        _request.checked = tree
    return tree  # type: ignore[return-value]


def commission_rate(category_id: int) -> Decimal:
    """The platform commission for sales in a category as a fraction (0.1 for 10 %), inherited down the tree."""
    tree = category_tree()
    return tree.commission_percent(tree.by_id[category_id]) / Decimal(100)


def return_days(category_id: int) -> int:
    """How many days buyers have to return goods of this category (0: non-returnable)."""
    tree = category_tree()
    return tree.return_policy(tree.by_id[category_id])[1]


def attribute_schema(category_id: int) -> list[Attribute]:
    """The attributes a listing in this category fills: its ancestors' first, then its own.

    Kept with the tree, so it is read once per category and version: a saved or deleted attribute marks its
    category changed (services.categories.attribute_changed), which reloads the tree everywhere.
    """
    tree = category_tree()
    schema = tree.schemas.get(category_id)
    if schema is None:
        node = tree.by_id[category_id]
        depth_of = {ancestor.id: index for index, ancestor in enumerate(tree.ancestors(node))}
        attributes = list(Attribute.objects.filter(category_id__in=depth_of))
        schema = sorted(attributes, key=lambda item: (depth_of[item.category_id], item.position, item.id))
        tree.schemas[category_id] = schema
    return list(schema)


def packaging_requirements() -> list:
    """How goods with each handling flag must be packed (managers edit them in admin), by flag."""
    return list(PackagingRequirement.objects.order_by("flag"))
