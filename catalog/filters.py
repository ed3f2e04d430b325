"""Buyers' filters and sorts for category pages and search results (django-filter).

Attribute filters are built from the category's schema: `a_<code>` (choices, repeatable),
`a_<code>_min` / `a_<code>_max` (numbers) and `a_<code>=1` (yes/no).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import DecimalField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from catalog.models import Attribute, AttributeType, Listing

SORTS = {
    "popular": (_("Popular"), ["-orders_30d", "-id"]),
    "rating": (_("Top rated"), ["-rating_avg", "-rating_count", "-id"]),
    "price": (_("Cheaper first"), ["price", "id"]),
    "-price": (_("More expensive first"), ["-price", "-id"]),
    "new": (_("Newest"), ["-published_at", "-id"]),
    "discount": (_("Biggest discount"), ["-discount_percent", "-id"]),
}
RELEVANCE = "relevance"
RATING_CHOICES = [("4.5", "4,5+"), ("4", "4+"), ("3", "3+")]
# Delivery speed (spec 32) as the seller controls it: the days the seller takes to hand the order over. Applied by
# browse() with the seller filter, outside the FilterSet: each filter there costs every page its form machinery.
DISPATCH_CHOICES = [("0", _("Today")), ("1", _("Within a day")), ("3", _("Within 3 days"))]
DISPATCH_VALUES = frozenset(value for value, _label in DISPATCH_CHOICES)
MAX_PRICE = Decimal("1000000000")


def attribute_param(attribute: Attribute) -> str:
    return f"a_{attribute.code}"


def choice_condition(attribute: Attribute, values: list[str]) -> Q:
    """Listings whose choice (or multi-choice) attribute has any of the values.

    Compared inside the category's rows (no index on values: one colour matches a tenth of a million listings,
    which an index would read in full before intersecting with the category).
    """
    condition = Q()
    for value in values:
        if attribute.type == AttributeType.MULTI_CHOICE:
            condition |= Q(**{f"attributes__{attribute.code}__contains": [value]})
        else:
            condition |= Q(**{f"attributes__{attribute.code}": value})
    return condition


class _OneFormFields(dict):
    """A filter form class's fields, made for its one form: the form's copy of them can be shallow.

    django-filter makes a form class for every FilterSet from its filters' fields, which are that FilterSet's
    own (its filters are copies), and Django's form deep-copies them once more: about a third of the filters'
    cost on every category page and search.
    """

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


class ListingFilter(django_filters.FilterSet):
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", label=_("Price from"), min_value=0, max_value=MAX_PRICE
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", label=_("Price to"), min_value=0, max_value=MAX_PRICE
    )
    brand = django_filters.MultipleChoiceFilter(
        field_name="brand__slug", label=_("Brand"), widget=forms.CheckboxSelectMultiple
    )
    rating = django_filters.ChoiceFilter(
        field_name="rating_avg", lookup_expr="gte", label=_("Rating"), choices=RATING_CHOICES, empty_label=_("Any")
    )
    seller_rating = django_filters.ChoiceFilter(
        method="filter_seller_rating", label=_("Seller rating"), choices=RATING_CHOICES, empty_label=_("Any")
    )
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", label=_("In stock"), widget=forms.CheckboxInput)
    discount = django_filters.BooleanFilter(
        method="filter_discount", label=_("With a discount"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Listing
        fields: list[str] = []

    def __init__(self, data=None, *args, attributes: list[Attribute] | None = None, brands=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.attributes = [attribute for attribute in attributes or [] if attribute.is_filterable]
        self.filters["brand"].extra["choices"] = [(slug, name) for slug, name in brands or []]
        for attribute in self.attributes:
            name = attribute_param(attribute)
            if attribute.is_choice:
                self.filters[name] = django_filters.MultipleChoiceFilter(
                    label=attribute.name,
                    choices=[(option, option) for option in attribute.options],
                    method=self._choice_method(attribute),
                    widget=forms.CheckboxSelectMultiple,
                )
            elif attribute.type == AttributeType.NUMBER:
                unit = f", {attribute.unit}" if attribute.unit else ""
                self.filters[f"{name}_min"] = django_filters.NumberFilter(
                    label=_("%(name)s from%(unit)s") % {"name": attribute.name, "unit": unit},
                    method=self._number_method(attribute, "gte"),
                    min_value=-MAX_PRICE,
                    max_value=MAX_PRICE,
                )
                self.filters[f"{name}_max"] = django_filters.NumberFilter(
                    label=_("%(name)s to%(unit)s") % {"name": attribute.name, "unit": unit},
                    method=self._number_method(attribute, "lte"),
                    min_value=-MAX_PRICE,
                    max_value=MAX_PRICE,
                )
            elif attribute.type == AttributeType.BOOLEAN:
                self.filters[name] = django_filters.BooleanFilter(
                    label=attribute.name, method=self._boolean_method(attribute), widget=forms.CheckboxInput
                )

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        form_class.base_fields = _OneFormFields(form_class.base_fields)
        return form_class

    @staticmethod
    def _choice_method(attribute: Attribute):
        def method(queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
            if not values:
                return queryset
            return queryset.filter(choice_condition(attribute, values))

        return method

    @staticmethod
    def _number_method(attribute: Attribute, lookup: str):
        def method(queryset: QuerySet, name: str, value: Decimal | None) -> QuerySet:
            if value is None:
                return queryset
            # Cast only JSON numbers: a stray text value (schema changed later) must not break the query.
            number = RawSQL(
                "CASE WHEN jsonb_typeof(catalog_listing.attributes -> %s) = 'number' "
                "THEN (catalog_listing.attributes ->> %s)::numeric END",
                (attribute.code, attribute.code),
                output_field=DecimalField(max_digits=30, decimal_places=6),
            )
            alias = f"_num_{attribute.code.replace('-', '_')}"
            return queryset.alias(**{alias: number}).filter(**{f"{alias}__{lookup}": value})

        return method

    @staticmethod
    def _boolean_method(attribute: Attribute):
        def method(queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
            return queryset.filter(**{f"attributes__{attribute.code}": True}) if value else queryset

        return method

    def filter_in_stock(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(in_stock=True) if value else queryset

    def filter_discount(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(discount_percent__gt=0) if value else queryset

    def filter_seller_rating(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Sellers whose product reviews average at least `value` stars (the ★ shown on their card)."""
        if not value:
            return queryset
        return queryset.filter(seller__rating__count__gt=0, seller__rating__average__gte=Decimal(value))

    def queryset_without(self, names: Collection[str]) -> QuerySet:
        """The queryset under every valid filter but `names`: what a disjunctive facet counts over.

        The same filters the form already cleaned, applied again without those (a second FilterSet for the same
        request would build and validate its whole form again). Only for a valid filterset.
        """
        queryset = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def active_attribute_params(self) -> dict[str, str]:
        """Attribute code → the query parameter names set for it (for "all filters but this one" facets)."""
        if not self.is_bound:
            return {}
        active = {}
        for attribute in self.attributes:
            name = attribute_param(attribute)
            names = [name, f"{name}_min", f"{name}_max"]
            if any(self.data.get(param) for param in names):
                active[attribute.code] = name
        return active


def sort_choices(*, with_relevance: bool) -> list[tuple[str, str]]:
    choices = [(key, label) for key, (label, _order) in SORTS.items()]
    if with_relevance:
        choices.insert(0, (RELEVANCE, _("Relevance")))
    return choices


def order_by(sort: str, *, searching: bool) -> list:
    if searching and sort in ("", RELEVANCE):
        return [F("relevance").desc(nulls_last=True), "-orders_30d", "-id"]
    return SORTS.get(sort, SORTS["popular"])[1]
