"""docs/benchmarks.md is one file with a section per benchmark; each benchmark rewrites only its own section.

A section lives between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; a missing one is appended.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "`make bench` runs every benchmark in `bench/` and rewrites its section below; "
    '`make bench BENCH_ARGS="--only NAME"` runs one (names: catalog, checkout, ratings).\n'
)


def machine() -> str:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
        cpu = names[0] if names else ""
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu or platform.processor() or 'unknown CPU'}), {platform.system()} {platform.release()}"


def now() -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"


def n(number: float) -> str:
    return f"{number:,.0f}".replace(",", " ")


def write_section(name: str, markdown: str, report: Path = REPORT) -> None:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = report.read_text(encoding="utf-8") if report.exists() else HEADER
    if not text.startswith("# Benchmarks"):
        text = HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    found = pattern.search(text)
    text = pattern.sub(lambda _match: block, text) if found else text.rstrip() + "\n\n" + block + "\n"
    report.parent.mkdir(exist_ok=True)
    report.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
