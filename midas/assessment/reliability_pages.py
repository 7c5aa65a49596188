"""The reliability pages of the assessment (under /assessment): the operators' dashboard of a round.

Alpha with its interval as a point-and-interval figure against Krippendorff's thresholds, the histogram of
final levels, levels by region and industry as stacked bars, and each expert's calibration, flagged experts
first. Only operators, administrators and auditors (``ASSESSMENT_VIEW_ALL``) see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from midas.assessment import reliability_service as service
from midas.assessment.enums import ROUND_STATUS_LABELS
from midas.assessment.reliability import (
    ALPHA_UNDEFINED_LABELS,
    CALIBRATION_FLAG_LABELS,
    GROUPING_LABELS,
    Distribution,
    Grouping,
    GroupSummary,
)
from midas.auth import Permission
from midas.i18n import translate
from midas.web.charts import BarChart, bar_chart
from midas.web.context import DbSession, SignedInActor, request_locale
from midas.web.rendering import render

router = APIRouter(prefix="/assessment", include_in_schema=False)

# The alpha figure's axis runs from AXIS_LOW to 1 (alpha can be negative: systematic disagreement).
AXIS_LOW = -0.2
FIGURE_WIDTH = 600
FIGURE_MARGIN = 20
# Calibration rows shown before "show all": every flagged expert is always shown.
UNFLAGGED_SHOWN = 30
LENIENCY_RANGE = 2.0


@dataclass(frozen=True, slots=True)
class AlphaFigure:
    """Positions (in SVG user units) of alpha, its interval and the thresholds on a -0.2..1 axis."""

    point: float | None
    low: float | None
    high: float | None
    tentative: float
    reliable: float
    ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class Segment:
    level: int
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class BoxPlot:
    """A group's minimum, quartiles, median and maximum as percentages of the level axis."""

    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float


@dataclass(frozen=True, slots=True)
class StackedRow:
    """One group's levels as a bar of 100% (a segment per level) and as a box plot on the level axis."""

    label: str
    summary: GroupSummary
    segments: tuple[Segment, ...]
    box: BoxPlot


def _x(value: float) -> float:
    low = min(AXIS_LOW, value)
    span = FIGURE_WIDTH - 2 * FIGURE_MARGIN
    return round(FIGURE_MARGIN + span * (max(value, low) - AXIS_LOW) / (1 - AXIS_LOW), 1)


def alpha_figure(alpha: float | None, low: float | None, high: float | None) -> AlphaFigure:
    """Where to draw alpha and its interval; values below the axis are pinned to its left end."""

    def place(value: float | None) -> float | None:
        return None if value is None else _x(max(value, AXIS_LOW))

    ticks = tuple((_x(value), f"{value:.1f}") for value in (-0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0))
    return AlphaFigure(point=place(alpha), low=place(low), high=place(high), tentative=_x(service.TENTATIVE_ALPHA),
                       reliable=_x(service.RELIABLE_ALPHA), ticks=ticks)


def stacked_rows(distribution: Distribution, scale: Sequence[int]) -> list[StackedRow]:
    """Each group as a 100% bar by level, largest groups first."""
    rows = []
    for summary in sorted(distribution.groups, key=lambda group: (-group.count, group.group)):
        segments = tuple(Segment(bin_.level, bin_.count, round(100 * bin_.count / summary.count, 1))
                         for bin_ in summary.histogram if bin_.count)
        rows.append(StackedRow(summary.group, summary, segments, box_plot(summary, scale)))
    return rows


def box_plot(summary: GroupSummary, scale: Sequence[int]) -> BoxPlot:
    """The summary's five numbers placed on an axis from the lowest to the highest level of ``scale``."""
    low, high = scale[0], scale[-1]
    span = (high - low) or 1

    def place(value: float) -> float:
        return round(100 * (value - low) / span, 1)

    return BoxPlot(minimum=place(summary.minimum), lower_quartile=place(summary.lower_quartile),
                   median=place(summary.median), upper_quartile=place(summary.upper_quartile),
                   maximum=place(summary.maximum))


def level_chart(distribution: Distribution, locale: str) -> BarChart:
    """The histogram of final levels, in level order (not sorted by size)."""
    overall = distribution.overall
    bins = overall.histogram if overall else ()
    labels = {bin_.level: translate(locale, "Level {level}", {"level": bin_.level}) for bin_ in bins}
    chart = bar_chart([(labels[bin_.level], bin_.count, None) for bin_ in bins])
    order = {label: level for level, label in labels.items()}
    return BarChart(bars=sorted(chart.bars, key=lambda bar: order[bar.label]), total=chart.total)


def leniency_position(value: float | None) -> float | None:
    """Where a leniency (scale points) sits on a -2..+2 strip, in percent."""
    if value is None:
        return None
    clipped = max(-LENIENCY_RANGE, min(LENIENCY_RANGE, value))
    return round(50 + 50 * clipped / LENIENCY_RANGE, 1)


@router.get("/reliability")
def reliability_index(
    request: Request, session: DbSession, actor: SignedInActor, round_code: Annotated[str, Query(alias="round")] = ""
) -> Response:
    """The chosen round, else the latest closed round with sheets; the list of rounds when none has sheets."""
    code = round_code or service.default_round_code(session, actor=actor)
    if code:
        return RedirectResponse(f"/assessment/reliability/{code}", status_code=303)
    return render(request, "assessment/reliability_index.html", {
        "rounds": service.list_rounds(session, actor=actor), "status_labels": ROUND_STATUS_LABELS,
    })


@router.get("/reliability/{code}")
def reliability_round(
    request: Request, code: str, session: DbSession, actor: SignedInActor,
    experts: Annotated[Literal["flagged", "all"], Query()] = "flagged",
) -> Response:
    """A round's alpha, levels, distributions by region and industry, and the experts' calibration."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    locale = request_locale(request)
    result = service.round_reliability(session, actor=actor, code=code)
    by_region = service.level_distribution(session, actor=actor, code=code, grouping=Grouping.REGION, locale=locale)
    by_industry = service.level_distribution(session, actor=actor, code=code, grouping=Grouping.INDUSTRY,
                                             locale=locale)
    calibrations = service.expert_calibrations(session, actor=actor, code=code)
    shown = calibrations if experts == "all" else _flagged_and_some(calibrations)
    return render(request, "assessment/reliability_round.html", {
        "result": result,
        "rounds": service.list_rounds(session, actor=actor),
        "verdict_label": service.ALPHA_VERDICT_LABELS[result.verdict],
        "undefined_label": ALPHA_UNDEFINED_LABELS[result.alpha.undefined] if result.alpha.undefined else None,
        "figure": alpha_figure(result.alpha.alpha, result.alpha.ci_low, result.alpha.ci_high),
        "level_chart": level_chart(result.levels, locale),
        "region_rows": stacked_rows(by_region, result.scale),
        "industry_rows": stacked_rows(by_industry, result.scale),
        "calibrations": shown,
        "hidden_experts": len(calibrations) - len(shown),
        "flag_labels": {flag.value: label for flag, label in CALIBRATION_FLAG_LABELS.items()},
        "leniency_position": leniency_position,
        "groupings": [Grouping.REGION, Grouping.INDUSTRY, Grouping.EXPERT],
        "grouping_labels": GROUPING_LABELS,
    })


@router.get("/reliability/{code}/distributions.csv")
def reliability_csv(
    code: str, session: DbSession, actor: SignedInActor, grouping: Grouping = Grouping.REGION,
    locale: Literal["ko", "en"] = "ko",
) -> Response:
    """The distribution by ``grouping`` as a CSV file for Excel."""
    filename, content = service.distribution_export(session, actor=actor, code=code, grouping=grouping,
                                                    locale=locale)
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _flagged_and_some(rows: list[service.ExpertCalibrationRow]) -> list[service.ExpertCalibrationRow]:
    flagged = [row for row in rows if row.flagged]
    return flagged + [row for row in rows if not row.flagged][:UNFLAGGED_SHOWN]
