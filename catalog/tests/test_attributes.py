import pytest

from catalog.attributes import clean_attributes, display_value
from catalog.models import Attribute, AttributeType


def schema():
    return [
        Attribute(code="material", name="Материал", type=AttributeType.CHOICE, options=["Хлопок", "Лён"]),
        Attribute(code="size", name="Размер", type=AttributeType.NUMBER, unit="см", is_required=True),
        Attribute(code="colors", name="Цвета", type=AttributeType.MULTI_CHOICE, options=["Белый", "Чёрный", "Синий"]),
        Attribute(code="waterproof", name="Водонепроницаемые", type=AttributeType.BOOLEAN),
        Attribute(code="care", name="Уход", type=AttributeType.TEXT),
    ]


def test_values_from_an_import_file_are_stored_in_their_types():
    values, errors = clean_attributes(
        schema(),
        {"material": "хлопок", "size": "42,5", "colors": "Синий; белый", "waterproof": "Да", "care": "  стирка  30° "},
    )

    assert errors == {}
    assert values == {
        "material": "Хлопок",
        "size": 42.5,
        "colors": ["Белый", "Синий"],
        "waterproof": True,
        "care": "стирка 30°",
    }


def test_attribute_values_of_the_wrong_type_are_reported_per_attribute():
    values, errors = clean_attributes(
        schema(), {"material": "Шёлк", "size": "сорок", "colors": ["Белый", "Зелёный"], "waterproof": "может быть"}
    )

    assert values == {}
    assert set(errors) == {"material", "size", "colors", "waterproof"}
    assert "Хлопок" in errors["material"]


@pytest.mark.parametrize("raw", ["nan", "inf", "1e400", "-", "12.5.3"])
def test_numbers_reject_non_finite_and_malformed_values(raw):
    _, errors = clean_attributes(schema(), {"size": raw})

    assert "size" in errors


def test_required_attributes_are_reported_only_when_required():
    assert clean_attributes(schema(), {}) == ({}, {})

    _, errors = clean_attributes(schema(), {"size": " "}, require=True)

    assert list(errors) == ["size"]


def test_unknown_attribute_codes_are_dropped():
    values, errors = clean_attributes(schema(), {"<script>": "x", "care": "<b>текст</b>"})

    assert values == {"care": "<b>текст</b>"}
    assert errors == {}


def test_values_read_naturally_for_buyers():
    size, waterproof = schema()[1], schema()[3]

    assert display_value(size, 42) == "42\u00a0см"
    assert display_value(waterproof, True) in {"Yes", "Да"}
