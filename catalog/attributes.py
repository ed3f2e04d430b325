"""Attribute values checked against a category's schema, from forms (lists) or import files (strings).

Values are stored in `Listing.attributes` (JSON): text and choice → string, number → int/float,
multi-choice → list of strings in the schema's order, yes/no → true/false.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

from catalog.models import Attribute, AttributeType

TRUE_WORDS = {"1", "true", "yes", "y", "да", "д", "on", "+"}
FALSE_WORDS = {"0", "false", "no", "n", "нет", "н", "off", "-"}
MULTI_SEPARATORS = (";", "|")
MAX_TEXT_LENGTH = 200


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return not any(not _is_empty(item) for item in raw)
    return False


def _clean_number(raw: object) -> int | float:
    if isinstance(raw, bool):
        raise ValueError
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValueError
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    if math.isnan(value):
        raise ValueError
    return value


def _match_option(attribute: Attribute, raw: str) -> str:
    wanted = " ".join(str(raw).split()).lower()
    for option in attribute.options:
        if option.lower() == wanted:
            return option
    raise LookupError


def _split_multi(raw: object) -> list[str]:
    if isinstance(raw, list | tuple):
        return [str(item) for item in raw if not _is_empty(item)]
    text = str(raw)
    for separator in MULTI_SEPARATORS:
        text = text.replace(separator, "\n")
    return [part for part in (piece.strip() for piece in text.split("\n")) if part]


def clean_value(attribute: Attribute, raw: object) -> object:
    """One value in its stored form; raises ValueError with a translated message."""
    if attribute.type == AttributeType.NUMBER:
        try:
            return _clean_number(raw)
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
    if attribute.type == AttributeType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("Answer yes or no."))
    if attribute.type == AttributeType.CHOICE:
        if isinstance(raw, list | tuple):
            if len(raw) != 1:
                raise ValueError(_("Choose one value."))
            raw = raw[0]
        try:
            return _match_option(attribute, str(raw))
        except LookupError:
            raise ValueError(_("Choose one of: %(options)s.") % {"options": ", ".join(attribute.options)}) from None
    if attribute.type == AttributeType.MULTI_CHOICE:
        chosen = set()
        for item in _split_multi(raw):
            try:
                chosen.add(_match_option(attribute, item))
            except LookupError:
                raise ValueError(
                    _("“%(value)s” is not allowed. Choose from: %(options)s.")
                    % {"value": item[:50], "options": ", ".join(attribute.options)}
                ) from None
        return [option for option in attribute.options if option in chosen]
    text = " ".join(str(raw).split())
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(_("Use at most %(limit)s characters.") % {"limit": MAX_TEXT_LENGTH})
    return text


def clean_attributes(
    schema: Iterable[Attribute], raw: Mapping[str, object], *, require: bool = False
) -> tuple[dict[str, object], dict[str, str]]:
    """Values for the schema's attributes (others are dropped) and errors keyed by attribute code.

    `require=True` also reports empty required attributes (a listing cannot be published without them).
    """
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for attribute in schema:
        item = raw.get(attribute.code)
        if _is_empty(item):
            if require and attribute.is_required:
                errors[attribute.code] = _("Fill in “%(name)s”.") % {"name": attribute.name}
            continue
        try:
            value = clean_value(attribute, item)
        except ValueError as error:
            errors[attribute.code] = str(error)
            continue
        if value == [] or value == "":
            if require and attribute.is_required:
                errors[attribute.code] = _("Fill in “%(name)s”.") % {"name": attribute.name}
            continue
        values[attribute.code] = value
    return values, errors


def missing_required(schema: Iterable[Attribute], values: Mapping[str, object]) -> list[Attribute]:
    return [attribute for attribute in schema if attribute.is_required and _is_empty(values.get(attribute.code))]


def display_value(attribute: Attribute, value: object) -> str:
    """The value as buyers read it: "42 см", "Да", "Хлопок, Лён"."""
    if attribute.type == AttributeType.BOOLEAN:
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if attribute.type == AttributeType.NUMBER:
        text = formats.number_format(value)
        return f"{text}\u00a0{attribute.unit}" if attribute.unit else text
    return str(value)
