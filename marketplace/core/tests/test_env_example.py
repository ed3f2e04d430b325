"""`.env.example` documents every variable the settings read, each with a comment."""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
READ = re.compile(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"')
LISTED = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def variables_read_by(path: Path) -> set[str]:
    return set(READ.findall(path.read_text(encoding="utf-8")))


def test_env_example_lists_every_variable_the_settings_read():
    listed = set(LISTED.findall((BASE_DIR / ".env.example").read_text(encoding="utf-8")))
    read = variables_read_by(BASE_DIR / "marketplace" / "settings.py") | variables_read_by(
        BASE_DIR / "marketplace" / "settings_test.py"
    )

    assert read - listed == set(), "add these to .env.example with a comment"


def test_every_variable_in_env_example_has_a_comment_above_it():
    lines = (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if LISTED.match(line):
            above = number - 1
            while above >= 0 and LISTED.match(lines[above]):  # a group of related variables shares one comment
                above -= 1
            comment = lines[above] if above >= 0 else ""
            assert comment.startswith("# "), f"line {number + 1} ({line}) needs a comment"
