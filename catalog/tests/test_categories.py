from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import selectors, services
from catalog.exceptions import CategoryCycle
from catalog.models import Category, ReturnClass

from .factories import AttributeFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def test_manager_saving_category_gets_transliterated_unique_slug():
    first = CategoryFactory(name="Кроссовки и кеды")
    second = CategoryFactory(name="Кроссовки и кеды")

    assert first.slug == "krossovki-i-kedy"
    assert second.slug == "krossovki-i-kedy-2"


def test_category_of_any_depth_keeps_materialised_path():
    root = CategoryFactory(name="Одежда")
    child = CategoryFactory(name="Обувь", parent=root)
    grandchild = CategoryFactory(name="Кроссовки", parent=child)

    assert root.path == f"/{root.pk}/"
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"
    assert grandchild.depth == 2
    assert grandchild.ancestor_ids == [root.pk, child.pk, grandchild.pk]


def test_moving_category_moves_its_whole_subtree():
    old_root, new_root = CategoryFactory(name="Старый"), CategoryFactory(name="Новый")
    child = CategoryFactory(name="Ветка", parent=old_root)
    leaf = CategoryFactory(name="Лист", parent=child)

    child.parent = new_root
    services.save_category(category=child, actor=None)

    leaf.refresh_from_db()
    assert leaf.path == f"/{new_root.pk}/{child.pk}/{leaf.pk}/"
    assert leaf.depth == 2


def test_manager_cannot_move_category_inside_its_own_subtree():
    root = CategoryFactory(name="Корень")
    child = CategoryFactory(name="Ветка", parent=root)

    root.parent = child
    with pytest.raises(CategoryCycle):
        services.save_category(category=root, actor=None)

    root.refresh_from_db()
    assert root.parent_id is None
    assert root.path == f"/{root.pk}/"


def test_subcategory_inherits_commission_and_return_class_when_empty(settings):
    root = CategoryFactory(commission_percent=Decimal("12.50"), return_class=ReturnClass.DAYS_15)
    child = CategoryFactory(parent=root, commission_percent=None, return_class="")
    custom = CategoryFactory(parent=root, commission_percent=Decimal("5"), return_class="custom", return_days=30)

    assert selectors.commission_rate(child.pk) == Decimal("0.125")
    assert selectors.return_days(child.pk) == 15
    assert selectors.commission_rate(custom.pk) == Decimal("0.05")
    assert selectors.return_days(custom.pk) == 30


def test_category_without_any_setting_uses_platform_defaults(settings):
    settings.MARKETPLACE_CATALOG_DEFAULT_COMMISSION_PERCENT = "8"
    settings.MARKETPLACE_CATALOG_DEFAULT_RETURN_CLASS = ReturnClass.NON_RETURNABLE
    category = CategoryFactory(commission_percent=None, return_class="")

    assert selectors.commission_rate(category.pk) == Decimal("0.08")
    assert selectors.return_days(category.pk) == 0


def test_category_tree_cache_sees_renames():
    category = CategoryFactory(name="Было")
    assert selectors.category_tree().by_id[category.pk].name == "Было"

    category.name = "Стало"
    services.save_category(category=category, actor=None)

    assert selectors.category_tree().by_id[category.pk].name == "Стало"


def test_tree_version_is_checked_at_most_every_few_seconds_per_process(
    settings, django_assert_num_queries, monkeypatch
):
    from catalog.selectors import categories as tree_module

    settings.MARKETPLACE_CATALOG_TREE_CHECK_SECONDS = 2
    clock = [1000.0]
    monkeypatch.setattr(tree_module.time, "monotonic", lambda: clock[0])
    category = CategoryFactory(name="Было")
    assert selectors.category_tree().by_id[category.pk].name == "Было"

    # another process renames it (no signal here): this process keeps its tree, without a query, for 2 s
    Category.objects.filter(pk=category.pk).update(name="Стало", updated_at=timezone.now())
    clock[0] += 1.5
    with django_assert_num_queries(0):
        assert selectors.category_tree().by_id[category.pk].name == "Было"
    clock[0] += 1
    assert selectors.category_tree().by_id[category.pk].name == "Стало"


def test_a_change_in_this_process_is_seen_at_once_despite_the_check_interval(settings, monkeypatch):
    from catalog.selectors import categories as tree_module

    settings.MARKETPLACE_CATALOG_TREE_CHECK_SECONDS = 60
    monkeypatch.setattr(tree_module.time, "monotonic", lambda: 1000.0)
    category = CategoryFactory(name="Было")
    selectors.category_tree()

    added = CategoryFactory(name="Новая", parent=category)
    assert selectors.category_tree().by_id[added.pk].name == "Новая"
    AttributeFactory(category=added, code="size")
    assert [attribute.code for attribute in selectors.attribute_schema(added.pk)] == ["size"]
    added.delete()
    assert added.pk not in selectors.category_tree().by_id


def test_inactive_parent_hides_its_subtree():
    root = CategoryFactory(is_active=False)
    child = CategoryFactory(parent=root)

    tree = selectors.category_tree()

    assert not tree.is_visible(tree.by_id[child.pk])


def test_attribute_schema_lists_ancestors_attributes_first():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    own = AttributeFactory(category=child, code="size", position=0)
    inherited = AttributeFactory(category=root, code="material", position=5)

    assert selectors.attribute_schema(child.pk) == [inherited, own]


def test_attribute_schema_is_read_once_per_tree_version(django_assert_num_queries):
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    AttributeFactory(category=root, code="material")
    selectors.attribute_schema(child.pk)

    with django_assert_num_queries(1):  # the tree's version check only
        schema = selectors.attribute_schema(child.pk)

    assert [attribute.code for attribute in schema] == ["material"]


def test_attribute_schema_follows_added_changed_and_deleted_attributes():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    material = AttributeFactory(category=root, code="material", options=["Кожа"])
    assert [attribute.options for attribute in selectors.attribute_schema(child.pk)] == [["Кожа"]]

    size = AttributeFactory(category=child, code="size")
    assert [attribute.code for attribute in selectors.attribute_schema(child.pk)] == ["material", "size"]

    material.options = ["Кожа", "Замша"]
    material.save()
    assert selectors.attribute_schema(child.pk)[0].options == ["Кожа", "Замша"]

    size.delete()
    assert [attribute.code for attribute in selectors.attribute_schema(child.pk)] == ["material"]


def test_database_refuses_custom_return_class_without_days():
    category = CategoryFactory()

    with pytest.raises(Exception, match="category_custom_return_has_days"):
        Category.objects.filter(pk=category.pk).update(return_class="custom", return_days=None)
