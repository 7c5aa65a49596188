"""The radar chart's geometry: axes clockwise from the top, shares clamped, one point per axis."""

from __future__ import annotations

import math

import pytest

from midas.assessment.radar import Point, point_on_axis, radar_chart


def test_the_first_axis_points_up_and_the_others_follow_clockwise() -> None:
    center = Point(100, 100)
    assert point_on_axis(0, 4, 1.0, center, 50) == Point(100, 50)
    assert point_on_axis(1, 4, 1.0, center, 50) == Point(150, 100)
    assert point_on_axis(2, 4, 1.0, center, 50) == Point(100, 150)
    assert point_on_axis(3, 4, 1.0, center, 50) == Point(50, 100)


def test_a_share_is_the_distance_from_the_center_and_is_clamped() -> None:
    center = Point(0, 0)
    half = point_on_axis(1, 3, 0.5, center, 100)
    assert math.hypot(half.x, half.y) == pytest.approx(50, abs=0.01)
    assert point_on_axis(0, 3, 1.7, center, 100) == Point(0, -100)
    assert point_on_axis(0, 3, -0.2, center, 100) == Point(0, 0)


def test_a_chart_has_rings_axes_labels_and_one_polygon_per_series() -> None:
    chart = radar_chart(["A", "B", "C", "D", "E"], [("expert", [1, 0.5, 0, 0.25, 1]), ("self", [1] * 5)],
                        size=300, margin=50)
    assert chart.radius == 100
    assert len(chart.rings) == 5
    assert [axis.label for axis in chart.axes] == ["A", "B", "C", "D", "E"]
    assert chart.axes[0].anchor == "middle"
    assert chart.axes[1].anchor == "start"
    assert chart.axes[4].anchor == "end"
    expert = chart.series[0]
    assert expert.points[0] == Point(150, 50)
    assert expert.points[2] == Point(150, 150)  # a zero share sits at the center
    assert expert.svg_points.split()[0] == "150.0,50.0"
    assert chart.series[1].svg_points == chart.rings[-1]  # all full: the outer ring


def test_a_chart_needs_three_axes_and_matching_series() -> None:
    with pytest.raises(ValueError, match="three axes"):
        radar_chart(["A", "B"], [])
    with pytest.raises(ValueError, match="2 values for 3 axes"):
        radar_chart(["A", "B", "C"], [("expert", [1, 1])])
