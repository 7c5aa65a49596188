"""The geometry of a radar (spider) chart, computed on the server and drawn as inline SVG without script.

Axis ``i`` of ``n`` points straight up for ``i = 0`` and the others follow clockwise, evenly spaced. A value is
a share from 0 to 1 of its axis (clamped), so areas with different maxima compare on one chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RING_SHARES = (0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class RadarAxis:
    label: str
    end: Point  # where the axis line ends (share 1)
    label_at: Point  # where its label is written, a little beyond the end
    anchor: str  # SVG text-anchor for the label: start, middle or end


@dataclass(frozen=True, slots=True)
class RadarSeries:
    name: str
    points: tuple[Point, ...]

    @property
    def svg_points(self) -> str:
        """The ``points`` attribute of an SVG polygon."""
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


@dataclass(frozen=True, slots=True)
class RadarChart:
    size: int
    center: Point
    radius: float
    axes: tuple[RadarAxis, ...]
    rings: tuple[str, ...]  # SVG polygon points of the grid rings, innermost first
    series: tuple[RadarSeries, ...]


def point_on_axis(index: int, count: int, share: float, center: Point, radius: float) -> Point:
    """The point at ``share`` (clamped to 0-1) of axis ``index`` of ``count``, clockwise from the top."""
    share = min(max(share, 0.0), 1.0)
    angle = 2 * math.pi * index / count
    return Point(round(center.x + radius * share * math.sin(angle), 3),
                 round(center.y - radius * share * math.cos(angle), 3))


def _anchor(point: Point, center: Point) -> str:
    if abs(point.x - center.x) < 1:
        return "middle"
    return "start" if point.x > center.x else "end"


def _axis(index: int, count: int, label: str, center: Point, radius: float) -> RadarAxis:
    label_at = point_on_axis(index, count, 1.0, center, radius + 12)
    return RadarAxis(label, point_on_axis(index, count, 1.0, center, radius), label_at, _anchor(label_at, center))


def radar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, size: int = 360,
                margin: int = 70) -> RadarChart:
    """A radar chart of one or more series of shares over the same axes (three axes at least)."""
    count = len(labels)
    if count < 3:
        raise ValueError("a radar chart needs at least three axes")
    for name, shares in series:
        if len(shares) != count:
            raise ValueError(f"series {name!r} has {len(shares)} values for {count} axes")
    center = Point(size / 2, size / 2)
    radius = size / 2 - margin
    axes = tuple(_axis(i, count, label, center, radius) for i, label in enumerate(labels))
    rings = tuple(
        RadarSeries("", tuple(point_on_axis(i, count, share, center, radius) for i in range(count))).svg_points
        for share in RING_SHARES
    )
    drawn = tuple(
        RadarSeries(name, tuple(point_on_axis(i, count, share, center, radius) for i, share in enumerate(shares)))
        for name, shares in series
    )
    return RadarChart(size, center, radius, axes, rings, drawn)
