"""The demo catalogue reads like a real one: every number characteristic has values that make sense for it."""

from __future__ import annotations

import random

from catalog import attributes
from catalog.demo import DEMO_NUMBERS, TREE, _attribute_values
from catalog.models import AttributeType


def _number_specs():
    for leaves in TREE.values():
        for spec in leaves:
            for code, *_rest in spec[1]:
                if _rest[1] == AttributeType.NUMBER:
                    yield spec, code


def test_every_number_characteristic_of_the_demo_has_its_own_plausible_values():
    specs = list(_number_specs())

    assert specs
    assert {(spec[0], code) for spec, code in specs} == set(DEMO_NUMBERS)


def test_demo_number_values_are_numbers_from_their_own_list():
    rng = random.Random(7)
    for spec, code in _number_specs():
        for _ in range(20):
            value = _attribute_values(spec, rng)[code]
            assert value in DEMO_NUMBERS[(spec[0], code)]
            assert attributes._clean_number(value) > 0
