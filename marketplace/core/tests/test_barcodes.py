"""The order barcode (spec 59): a Code 128 symbol drawn as inline SVG that decodes back to the order number."""

import re

import pytest
from barcode.charsets import code128

from marketplace.core.barcodes import QUIET_MODULES, code128_modules, code128_svg


def modules_drawn(svg: str) -> str:
    """The bars and spaces the SVG draws, read back from its path, one character per module."""
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    drawn = ["0"] * width
    for x, size in re.findall(r"M(\d+) 0h(\d+)v", svg):
        for column in range(int(x), int(x) + int(size)):
            drawn[column] = "1"
    return "".join(drawn)


def decode(modules: str) -> str:
    """Code 128 read the way a scanner reads it (code sets B and C, the check symbol verified)."""
    symbols = [code128.CODES.index(modules[start : start + 11]) for start in range(0, len(modules) - 13, 11)]
    assert modules[-13:] == code128.STOP + "11"  # the stop symbol and its final two-module bar
    *values, check = symbols
    assert check == (values[0] + sum(index * value for index, value in enumerate(values[1:], start=1))) % 103
    code_b = {value: char for char, value in code128.B.items()}
    current = {104: "B", 105: "C"}[values[0]]
    text = ""
    for value in values[1:]:
        if value == 100:
            current = "B"
        elif value == 99:
            current = "C"
        else:  # code set C packs two digits in a symbol
            text += code_b[value] if current == "B" else f"{value:02d}"
    return text


@pytest.mark.parametrize("number", ["MP-2026-000123", "7", "12345678", "A-1"])
def test_the_barcode_decodes_back_to_the_order_number(number):
    svg = str(code128_svg(number, label="Штрихкод"))

    drawn = modules_drawn(svg)

    assert drawn == "0" * QUIET_MODULES + code128_modules(number) + "0" * QUIET_MODULES
    assert decode(code128_modules(number)) == number


def test_the_barcode_has_no_style_attribute_and_an_escaped_accessible_name():
    svg = str(code128_svg("MP-1", label='Заказ "<1>"'))

    assert "style" not in svg  # the strict CSP blocks inline styles: presentation attributes only
    assert 'role="img"' in svg
    assert 'aria-label="Заказ &quot;&lt;1&gt;&quot;"' in svg
