"""The counting pages of support programs (under /support): the public page of the national targets.

The trajectory chart is drawn on the server as SVG (no script): its geometry is computed here from the service's
figures, so the template only places the points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from midas.support import counting_service
from midas.support.counting_service import (
    FIRST_YEAR,
    SEOUL,
    TARGET_YEAR,
    YearCount,
)
from midas.support.enums import COUNTING_CATEGORY_LABELS, COUNTING_TARGETS, CountingCategory
from midas.web.charts import BarChart, bar_chart
from midas.web.context import CurrentActor, DbSession, request_locale
from midas.web.rendering import render

router = APIRouter(prefix="/support", include_in_schema=False)

# The SVG's drawing area (viewBox units): the axes sit inside these margins.
WIDTH, HEIGHT = 600, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 20, 40


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    value: int
    year: int


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One category's (or the total's) cumulative counts against the straight path, as SVG coordinates."""

    key: str
    label: str
    target: int
    actual: tuple[ChartPoint, ...]
    path: tuple[ChartPoint, ...]
    ticks: tuple[tuple[float, str], ...]  # y position and value of each horizontal gridline
    years: tuple[tuple[float, int], ...]  # x position and year of each label
    origin: tuple[float, float]
    latest: int
    latest_path: int

    @property
    def actual_points(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (self.origin, *((p.x, p.y) for p in self.actual)))

    @property
    def path_points(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (self.origin, *((p.x, p.y) for p in self.path)))

    @property
    def behind(self) -> int:
        return max(0, self.latest_path - self.latest)


def trajectory(key: str, label: str, target: int, years: Sequence[YearCount], values: Sequence[int],
               paths: Sequence[int], *, last_year: int) -> Trajectory:
    """Cumulative ``values`` per year (shown up to ``last_year``) against ``paths``, scaled to the target."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = TARGET_YEAR - FIRST_YEAR + 1
    top = max(target, *values) or 1

    def x(year: int) -> float:  # the end of ``year``; the origin is the start of the first year
        return LEFT + plot_width * (year - FIRST_YEAR + 1) / span

    def y(value: int) -> float:
        return TOP + plot_height * (1 - value / top)

    shown = [(row.year, value) for row, value in zip(years, values, strict=True) if row.year <= last_year]
    actual = tuple(ChartPoint(x(year), y(value), value, year) for year, value in shown)
    path = tuple(ChartPoint(x(row.year), y(value), value, row.year) for row, value in zip(years, paths, strict=True))
    ticks = tuple((y(top * step // 4), f"{top * step // 4:,}") for step in range(5))
    latest_year, latest = shown[-1] if shown else (FIRST_YEAR, 0)
    latest_path = next((value for row, value in zip(years, paths, strict=True) if row.year == latest_year), 0)
    return Trajectory(key, label, target, actual, path, ticks, tuple((x(row.year), row.year) for row in years),
                      (float(LEFT), y(0)), latest, latest_path)


def _region_chart(overview: counting_service.NationalOverview, locale: str) -> BarChart:
    return bar_chart([(row.name(locale), row.total, None) for row in overview.regions])


@router.get("/national")
def national_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Public: progress toward 5,000 / 20,000 / 25,000, the trajectory, regions and industries."""
    overview = counting_service.national_overview(session)
    locale = request_locale(request)
    last_year = min(datetime.now(SEOUL).year, TARGET_YEAR)
    charts = [
        trajectory(category.value, COUNTING_CATEGORY_LABELS[category], COUNTING_TARGETS[category], overview.years,
                   [row.cumulative[category] for row in overview.years], [row.path[category] for row in overview.years],
                   last_year=last_year)
        for category in (CountingCategory.ADVANCED_DIGITAL, CountingCategory.TRANSFORMED)
    ]
    charts.append(trajectory("total", "Digital manufacturing companies in all", overview.counts.total_target,
                             overview.years, [row.cumulative_total for row in overview.years],
                             [row.path_total for row in overview.years], last_year=last_year))
    return render(request, "support/national.html", {
        "overview": overview, "charts": charts, "region_chart": _region_chart(overview, locale),
        "category_labels": COUNTING_CATEGORY_LABELS, "categories": list(CountingCategory), "last_year": last_year,
        "first_year": FIRST_YEAR, "target_year": TARGET_YEAR, "width": WIDTH, "height": HEIGHT,
        "plot_left": LEFT, "plot_right": WIDTH - RIGHT,
    })
