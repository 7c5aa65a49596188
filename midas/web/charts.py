"""Horizontal bar charts drawn on the server as plain HTML/SVG: no script, readable by screen readers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    href: str | None
    percent: float


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    total: int


def bar_chart(rows: Iterable[tuple[str, int, str | None]], *, limit: int | None = None) -> BarChart:
    """Bars sorted from largest to smallest, each as a share of the largest."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
    if limit is not None:
        ordered = ordered[:limit]
    largest = max((value for _, value, _ in ordered), default=0) or 1
    total = sum(value for _, value, _ in ordered)
    return BarChart(
        bars=[Bar(label, value, href, round(100 * value / largest, 1)) for label, value, href in ordered],
        total=total,
    )
