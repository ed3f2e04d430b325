"""A server-rendered SVG line chart of the daily quality index (no JavaScript library)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y" list
    dots: list[tuple[int, int, str, int]]  # x, y, day label, value
    gridlines: list[tuple[int, int]]  # y, value


def history_chart(history, *, width: int = 600, height: int = 200, pad: int = 30) -> Chart | None:
    values = [(row.day, row.quality_index) for row in history if row.quality_index is not None]
    if not values:
        return None
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y_of(value: int) -> int:
        return round(height - pad - (height - 2 * pad) * value / 100)

    dots = [
        (round(pad + index * step), y_of(value), day.isoformat(), value) for index, (day, value) in enumerate(values)
    ]
    return Chart(
        width=width,
        height=height,
        points=" ".join(f"{x},{y}" for x, y, _day, _value in dots),
        dots=dots,
        gridlines=[(y_of(value), value) for value in (0, 50, 75, 90, 100)],
    )
