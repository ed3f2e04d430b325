from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from catalog import parts  # noqa: F401  (personal parts of shared pages)
        from catalog.models import Attribute, Category
        from catalog.selectors.categories import forget_category_tree
        from catalog.services.categories import attribute_changed

        # Cache invalidation only: the attribute schemas are kept with the category tree.
        post_save.connect(attribute_changed, sender=Attribute, dispatch_uid="catalog-attribute-saved")
        post_delete.connect(attribute_changed, sender=Attribute, dispatch_uid="catalog-attribute-deleted")
        post_save.connect(forget_category_tree, sender=Category, dispatch_uid="catalog-category-saved")
        post_delete.connect(forget_category_tree, sender=Category, dispatch_uid="catalog-category-deleted")
