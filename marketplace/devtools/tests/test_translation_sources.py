"""The Russian catalogue stays complete only if `make messages` (xgettext) can see every translatable string."""

from __future__ import annotations

import ast
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parents[3]
SOURCE_DIRS = ["marketplace", "sellers", "buyers", "catalog", "orders", "reviews", "disputes"]
TRANSLATION_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
PO = BASE_DIR / "marketplace" / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _calls_inside_f_strings(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in TRANSLATION_CALLS
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    lines.append(inner.lineno)
    return lines


def test_no_translated_string_is_written_inside_an_f_string():
    # xgettext skips a gettext call inside an f-string's braces: `make messages` then drops the string from the
    # catalogue and the page shows it in English ("Price:" and "Pages" were lost that way once).
    found = []
    for folder in SOURCE_DIRS:
        for path in (BASE_DIR / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found += [f"{path.relative_to(BASE_DIR)}:{line}" for line in _calls_inside_f_strings(tree)]
    assert found == []


def test_the_russian_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(PO))
    pending = [entry.msgid for entry in po if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)]
    compiled = {(entry.msgctxt, entry.msgid) for entry in polib.mofile(str(PO.with_suffix(".mo")))}

    assert pending == []
    assert {(entry.msgctxt, entry.msgid) for entry in po.translated_entries()} <= compiled  # the .mo is not stale
