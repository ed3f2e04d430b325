"""Every non-trivial catalogue read: scoped, prefetched querysets and the cached category tree."""

from catalog.selectors.categories import (
    CategoryNode,
    CategoryTree,
    attribute_schema,
    category_tree,
    commission_rate,
    return_days,
)

__all__ = ["CategoryNode", "CategoryTree", "attribute_schema", "category_tree", "commission_rate", "return_days"]
