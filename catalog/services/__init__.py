"""Every catalogue write, one function per use case (see the modules for each sub-domain)."""

from catalog.services.categories import get_or_create_brand, save_category, unique_slug

__all__ = ["get_or_create_brand", "save_category", "unique_slug"]
