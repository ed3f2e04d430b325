"""Barcodes drawn as inline SVG (spec 59: the order barcode on a packing slip).

The Code 128 symbol comes from python-barcode (its encoder picks the code sets and the check symbol); the drawing
is ours: one path of plain rectangles with presentation attributes, no `style`, so it passes the strict CSP and
prints crisply at any size. Scanners read it off paper or off a screen.
"""

from __future__ import annotations

from itertools import groupby

from barcode import Code128
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUIET_MODULES = 10  # the blank margin Code 128 needs on each side, in module widths


def code128_modules(text: str) -> str:
    """The symbol's modules, "1" for a bar and "0" for a space, with its quiet zones left out."""
    return "".join(Code128(text).build())


def code128_svg(text: str, *, label: str, height: int = 60) -> SafeString:
    """`text` as a Code 128 barcode: an <svg> one unit per module wide (scaled by CSS), with `label` as its
    accessible name."""
    modules = code128_modules(text)
    width = len(modules) + 2 * QUIET_MODULES
    bars, x = [], QUIET_MODULES
    for module, run in groupby(modules):
        size = len(list(run))
        if module == "1":
            bars.append(f"M{x} 0h{size}v{height}h-{size}z")
        x += size
    return mark_safe(  # noqa: S308 - the path is numbers only; the label is escaped
        f'<svg class="barcode" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/><path fill="#000" d="{"".join(bars)}"/></svg>'
    )
