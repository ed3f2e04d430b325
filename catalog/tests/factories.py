"""factory_boy factories for the catalogue; categories are saved through the service that keeps paths."""

from __future__ import annotations

from decimal import Decimal

import factory

from catalog import services
from catalog.models import Attribute, AttributeType, Brand, Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Категория {n}")
    commission_percent = Decimal("10.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.save_category(category=model_class(*args, **kwargs), actor=None)


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"attr{n}")
    name = factory.Sequence(lambda n: f"Характеристика {n}")
    type = AttributeType.TEXT


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
