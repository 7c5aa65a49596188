"""The program outcome pages (under /kpi): one project's PQCD before and after, with intervals, as a table, a
forest plot and a chart of daily productivity; the roll-ups of the stored outcomes by track, region, KSIC division
or year; and the project's measures as CSV.

As on the other KPI pages, the charts are SVG drawn on the server: their geometry is computed here from the
service's numbers, so the templates only place what is computed and every number on a page is the service's.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from midas.auth import Actor, Permission
from midas.errors import InvalidInput, Problem
from midas.i18n import translate
from midas.kpi.api import today_in_korea
from midas.kpi.export import BOM, FORMULA_STARTS, problem_text
from midas.kpi.outcomes import (
    FINDING_LABELS,
    MEASURE_LABELS,
    MIN_RESAMPLES,
    MINIMUM_DAYS,
    Finding,
    Measure,
    MeasureOutcome,
    Outcome,
    OutcomeRollup,
    compare,
    met_target,
)
from midas.kpi.outcomes_service import (
    BASELINE_DAYS,
    MIN_PROJECTS_IN_GROUP,
    OutcomeGroup,
    ProjectOutcome,
    measured_projects,
    outcome_rollups,
    project_outcome,
)
from midas.kpi.pages import BOTTOM, LEFT, RIGHT, WIDTH
from midas.registry import get_organization, ksic_divisions, regions
from midas.support import TrackKind
from midas.web.context import DbSession, SignedInActor, request_locale
from midas.web.rendering import render

router = APIRouter(prefix="/kpi", include_in_schema=False)

#: The units of the measures (as :mod:`midas.kpi.outcomes` names them), in words people read.
UNIT_LABELS: Final[Mapping[str, str]] = {
    "units/h": "units per hour",
    "defects/unit": "defects per unit",
    "kWh/unit": "kWh per unit",
    "h/order": "hours per order",
    "h/unit": "hours per unit",
}
#: Short names of the support tracks, for table rows and chart labels that must fit a phone (the first words of
#: the support domain's long track labels, translated the same way).
TRACK_LABELS: Final[Mapping[TrackKind, str]] = {
    TrackKind.BASIC: "Basic",
    TrackKind.ADVANCED: "Advanced",
    TrackKind.LEADING: "Leading model",
    TrackKind.WINWIN: "Win-win",
    TrackKind.REGIONAL: "Region-led",
}
GROUP_LABELS: Final[Mapping[OutcomeGroup, str]] = {
    OutcomeGroup.TRACK: "Track",
    OutcomeGroup.REGION: "Region",
    OutcomeGroup.KSIC: "KSIC division",
    OutcomeGroup.YEAR: "Year",
}
MET_LABELS: Final[Mapping[bool | None, str]] = {
    True: "Met every declared target",
    False: "Did not meet every declared target",
    None: "Whether the targets were met cannot be judged",
}
#: Said before completion too: the on-time rate is never computable from K-MDS records (no due date).
ON_TIME: Final = Problem("delivery.on_time_rate", "On-time rate not computable because K-MDS records carry no due date")
SECONDS_PER_HOUR: Final = 3600.0
CSV_TYPE: Final = "text/csv; charset=utf-8"

# The forest plot: one row per measure, the measure's name above its interval so that the plot keeps the full
# width on a phone.
FOREST_ROW: Final = 56
FOREST_TOP: Final = 8
FOREST_AXIS: Final = 30
FOREST_SIDE: Final = 16
# The daily chart: two panels (before, after) side by side with a gap for the project between them.
DAILY_HEIGHT: Final = 260
DAILY_TOP: Final = 30
PANEL_GAP: Final = 28
# The roll-up chart: per group a block of one bar per measure.
BAR_HEIGHT: Final = 10
BAR_GAP: Final = 3
GROUP_LABEL: Final = 20
GROUP_GAP: Final = 12
NICE_STEPS: Final = (1.0, 2.0, 2.5, 5.0)


# Numbers as people read them -----------------------------------------------------------------------------------


def number_text(value: float | None) -> str:
    """A measured value with the precision its size needs: 1,234.5 / 19.14 / 0.03333; empty when there is none."""
    if value is None:
        return ""
    size = abs(value)
    if size >= 100:
        return f"{value:,.1f}"
    if size >= 1:
        return f"{value:,.2f}"
    return "0" if value == 0 else f"{value:.4g}"


def percent_text(value: float | None) -> str:
    """A change in percent with its sign (+ is better): "+19.5 %"; empty when there is none."""
    return "" if value is None else f"{value:+.1f}\u00a0%"


def interval_text(low: float | None, high: float | None, locale: str) -> str:
    if low is None or high is None:
        return ""
    return translate(locale, "{low} to {high}", {"low": percent_text(low), "high": percent_text(high)})


def unit_text(unit: str, locale: str) -> str:
    label = UNIT_LABELS.get(unit)
    return translate(locale, label) if label is not None else unit


def nice_step(extent: float, most_steps: int) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that covers ``extent`` in at most ``most_steps`` steps."""
    if extent <= 0 or not math.isfinite(extent):
        return 1.0
    power = 10.0 ** math.floor(math.log10(extent / most_steps))
    for factor in (*NICE_STEPS, 10.0):
        if extent / (factor * power) <= most_steps:
            return factor * power
    return 10.0 * power


# One project: the measures table -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetCell:
    """A measure's declared target: the required improvement, or why it cannot be compared; met or not."""

    declared: bool
    text: str = ""
    problem: str = ""
    met: bool | None = None


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """One PQCD measure as the page's table shows it."""

    measure: Measure
    label: str  # English msgid
    finding: Finding | None  # None: not measured yet (before completion)
    unit: str
    baseline: str
    after: str
    improvement: str
    interval: str
    reason: str
    baseline_days: int
    after_days: int
    target: TargetCell

    @property
    def finding_label(self) -> str:
        return FINDING_LABELS[self.finding] if self.finding is not None else ""


def baseline_values(measured: ProjectOutcome) -> Outcome:
    """The baseline period's value of each measure, for a project not completed yet: the statistics library
    states values only for a comparison, so the baseline is compared with itself and only its values are read
    (with the fewest resamples, as the interval is thrown away)."""
    days = [sums for _, sums in measured.baseline_days]
    return compare(days, days, seed=measured.subject.project_id, resamples=MIN_RESAMPLES)


def target_cell(measured: ProjectOutcome, measure: Measure, locale: str) -> TargetCell:
    targets = measured.targets
    if measure.value not in targets.targets:
        return TargetCell(declared=False)
    required = targets.targets[measure.value]
    if required is None:
        problem = next((p for p in targets.problems if p.field == f"target_kpis.{measure.value}"), None)
        reason = problem_text(problem, locale) if problem is not None else ""
        return TargetCell(True, translate(locale, "Not comparable"), reason)
    met = met_target(measured.outcome, {measure.value: required}) if measured.outcome is not None else None
    return TargetCell(True, percent_text(required), "", met)


def _measure_row(measured: ProjectOutcome, value: MeasureOutcome, locale: str) -> MeasureRow:
    compared = measured.outcome is not None
    reason = problem_text(value.reason, locale) if compared and value.reason is not None else ""
    return MeasureRow(
        value.measure, MEASURE_LABELS[value.measure], value.finding if compared else None,
        unit_text(value.unit, locale), number_text(value.baseline_value),
        number_text(value.after_value) if compared else "", percent_text(value.improvement_pct),
        interval_text(value.ci_low_pct, value.ci_high_pct, locale), reason, value.baseline_days,
        value.after_days if compared else 0, target_cell(measured, value.measure, locale))


def shown_outcome(measured: ProjectOutcome) -> Outcome:
    """What the page shows: the outcome, or before completion the baseline's values only."""
    return measured.outcome if measured.outcome is not None else baseline_values(measured)


def measure_rows(measured: ProjectOutcome, shown: Outcome, locale: str) -> list[MeasureRow]:
    """Every measure in PQCD order (``shown`` is :func:`shown_outcome`)."""
    return [_measure_row(measured, shown.measures[measure], locale) for measure in Measure]


# One project: the forest plot ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One measure's line of the forest plot: its point and whiskers (absent when no improvement is stated)."""

    measure: Measure
    label: str
    finding: Finding
    text: str
    label_y: float
    line_y: float
    point_x: float | None
    low_x: float | None
    high_x: float | None
    target_x: float | None


@dataclass(frozen=True, slots=True)
class ForestPlot:
    rows: tuple[ForestRow, ...]
    ticks: tuple[tuple[float, str], ...]
    zero_x: float
    axis_y: float
    width: int
    height: int
    plot_left: float
    plot_right: float


def _forest_extent(outcome: Outcome, targets: Mapping[str, float | None]) -> float:
    reach = [abs(v) for m in outcome.measures.values()
             for v in (m.improvement_pct, m.ci_low_pct, m.ci_high_pct) if v is not None]
    reach += [abs(v) for v in targets.values() if v is not None]
    return max([10.0, *reach])


def forest_plot(outcome: Outcome, targets: Mapping[str, float | None], locale: str) -> ForestPlot:
    """Improvement in % per measure with its interval, around a line at 0: right of it is better."""
    step = nice_step(_forest_extent(outcome, targets), 3)
    limit = math.ceil(_forest_extent(outcome, targets) / step) * step
    left, right = LEFT - FOREST_SIDE * 2, WIDTH - RIGHT
    half = (right - left) / 2

    def x(value: float) -> float:
        return left + half + half * value / limit

    rows = []
    for index, measure in enumerate(Measure):
        value = outcome.measures[measure]
        top = FOREST_TOP + index * FOREST_ROW
        required = targets.get(measure.value)
        shown = (f"{percent_text(value.improvement_pct)} ({interval_text(value.ci_low_pct, value.ci_high_pct, locale)})"
                 if value.computable else translate(locale, FINDING_LABELS[value.finding]))
        rows.append(ForestRow(
            measure, translate(locale, MEASURE_LABELS[measure]), value.finding, shown, top + 18, top + 40,
            x(value.improvement_pct) if value.improvement_pct is not None else None,
            x(value.ci_low_pct) if value.ci_low_pct is not None else None,
            x(value.ci_high_pct) if value.ci_high_pct is not None else None,
            x(required) if required is not None else None))
    axis_y = FOREST_TOP + len(Measure) * FOREST_ROW
    count = round(limit / step)
    ticks = tuple((x(step * i), f"{step * i:+g}%" if i else "0") for i in range(-count, count + 1))
    return ForestPlot(tuple(rows), ticks, x(0.0), axis_y, WIDTH, int(axis_y + FOREST_AXIS), left, right)


# One project: daily productivity -------------------------------------------------------------------------------


def daily_productivity(days: Sequence[tuple[date, Mapping[str, float]]]) -> list[tuple[date, float]]:
    """Units per hour of actual production time on each day that produced and ran (pq / (apt / 3600))."""
    return [(day, sums["pq"] / (sums["apt"] / SECONDS_PER_HOUR)) for day, sums in days
            if "pq" in sums and sums.get("apt", 0) > 0]


@dataclass(frozen=True, slots=True)
class DailyPanel:
    """One period of the daily chart: its line, its level (the period's value, a ratio of sums) and its dates."""

    title: str
    css: str
    points: str
    days: int
    level_y: float | None
    left: float
    right: float
    x_labels: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class DailyChart:
    panels: tuple[DailyPanel, ...]
    y_ticks: tuple[tuple[float, str], ...]
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


def daily_chart(measured: ProjectOutcome, levels: tuple[float | None, float | None]) -> DailyChart | None:
    """Daily productivity before the project and after completion, each with its period's value as a level
    line; None when no day of either period has productivity data."""
    before, after = daily_productivity(measured.baseline_days), daily_productivity(measured.after_days)
    if not before and not after:
        return None
    highest = max([v for _, v in (*before, *after)] + [v for v in levels if v is not None])
    step = nice_step(highest, 4)
    top = max(step, math.ceil(highest / step) * step)
    plot_top, plot_bottom = DAILY_TOP, DAILY_HEIGHT - BOTTOM

    def y(value: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * value / top

    panel_width = (WIDTH - LEFT - RIGHT - PANEL_GAP) / 2
    periods = [("Before the project", "before", measured.baseline, before, levels[0])]
    if measured.after is not None:
        periods.append(("After completion", "after", measured.after, after, levels[1]))
    panels = []
    for index, (title, css, (first, last), values, level) in enumerate(periods):
        left = LEFT + index * (panel_width + PANEL_GAP)
        span = max(1, (last - first).days)

        def x(day: date, left: float = left, first: date = first, span: int = span) -> float:
            return left + panel_width * (day - first).days / span

        points = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in values)
        labels = ((left, first.strftime("%m-%d")), (left + panel_width, last.strftime("%m-%d")))
        panels.append(DailyPanel(title, css, points, len(values), y(level) if level is not None else None, left,
                                 left + panel_width, labels))
    ticks = tuple((y(step * i), number_text(step * i)) for i in range(round(top / step) + 1))
    return DailyChart(tuple(panels), ticks, WIDTH, DAILY_HEIGHT, LEFT, WIDTH - RIGHT, plot_top, plot_bottom)


# One project: the page -----------------------------------------------------------------------------------------


def _measured(session: Session, actor: Actor, project_id: int) -> ProjectOutcome:
    return project_outcome(session, actor=actor, project_id=project_id, today=today_in_korea())


def track_label(track: str, locale: str) -> str:
    """A track's short name in ``locale``; a kind this page does not know is shown as its code."""
    label = TRACK_LABELS.get(TrackKind(track)) if track in set(TrackKind) else None
    return translate(locale, label) if label is not None else track


def _period_text(measured: ProjectOutcome, locale: str) -> str:
    """When the comparison period is, or why there is none yet."""
    subject, after = measured.subject, measured.after
    if after is not None:
        return translate(locale, "Measured {days} days after completion, {start} to {end}",
                         {"days": (after[1] - after[0]).days + 1, "start": after[0].isoformat(),
                          "end": after[1].isoformat()})
    if subject.completed_on is None:
        return translate(locale, "Not completed yet: the outcome will be measured over the {days} days after "
                                 "completion", {"days": BASELINE_DAYS})
    return translate(locale, "Completed on {date}: the outcome will be measured from the next day, over {days} days",
                     {"date": subject.completed_on.isoformat(), "days": BASELINE_DAYS})


def outcome_context(session: Session, actor: Actor, measured: ProjectOutcome, locale: str) -> dict[str, object]:
    subject, outcome = measured.subject, measured.outcome
    shown = shown_outcome(measured)
    productivity = shown.measures[Measure.PRODUCTIVITY]
    levels = (productivity.baseline_value, productivity.after_value if outcome is not None else None)
    return {
        "measured": measured, "subject": subject, "rows": measure_rows(measured, shown, locale),
        "company": get_organization(session, actor=actor, organization_id=subject.organization_id).name,
        "track": track_label(subject.track.value, locale),
        "period_text": _period_text(measured, locale),
        "forest": forest_plot(outcome, measured.targets.targets, locale) if outcome is not None else None,
        "daily": daily_chart(measured, levels),
        "notes": [problem_text(p, locale) for p in (outcome.unmeasured if outcome is not None else (ON_TIME,))],
        "target_problems": [problem_text(p, locale) for p in measured.targets.problems],
        "declared_targets": bool(measured.targets.targets),
        "met_label": MET_LABELS[measured.met_targets],
        "minimum_days": MINIMUM_DAYS,
    }


@router.get("/projects/{project_id}/outcome")
def project_outcome_page(project_id: int, request: Request, session: DbSession, actor: SignedInActor) -> Response:
    """A supported project's PQCD before and after, with 95 % intervals, its targets and daily productivity."""
    measured = _measured(session, actor, project_id)
    return render(request, "kpi/outcome.html", outcome_context(session, actor, measured, request_locale(request)))


# One project: CSV ----------------------------------------------------------------------------------------------

CSV_HEADERS: Final = ("측정 / Measure", "단위 / Unit", "판단 / Finding", "사업 전 값 / Baseline",
                      "완료 후 값 / After", "개선율 % / Improvement %", "95% 구간 하한 % / Interval low %",
                      "95% 구간 상한 % / Interval high %", "사업 전 자료 일수 / Baseline days",
                      "완료 후 자료 일수 / After days", "목표 개선율 % / Target %", "목표 달성 / Target met",
                      "이유 / Reason")
Cell = str | float | int | None


def _plain(cell: Cell) -> Cell:
    """A text a spreadsheet would read as a formula, written as text (as the KPI exports do)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _csv_row(measured: ProjectOutcome, value: MeasureOutcome, locale: str) -> list[Cell]:
    compared = measured.outcome is not None
    target = target_cell(measured, value.measure, locale)
    required = measured.targets.targets.get(value.measure.value)
    met = {True: "달성 / met", False: "미달성 / not met", None: ""}[target.met]
    reason = problem_text(value.reason, locale) if compared and value.reason is not None else target.problem
    return [f"{translate('ko', MEASURE_LABELS[value.measure])} / {MEASURE_LABELS[value.measure]}", value.unit,
            value.finding.value if compared else "", value.baseline_value, value.after_value if compared else None,
            value.improvement_pct, value.ci_low_pct, value.ci_high_pct, value.baseline_days,
            value.after_days if compared else None, required, met, reason]


def outcome_csv(measured: ProjectOutcome, locale: str) -> bytes:
    """The project's measures as CSV: a line naming the project and its periods, then one row per measure.
    UTF-8 with a byte order mark so that Excel reads the Korean; values only, never a formula."""
    subject, outcome = measured.subject, shown_outcome(measured)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    after = measured.after
    writer.writerow([_plain(c) for c in ("과제 / Project", subject.project_id, subject.title,
                                         "사업 전 / Baseline", measured.baseline[0].isoformat(),
                                         measured.baseline[1].isoformat(), "완료 후 / After",
                                         after[0].isoformat() if after else "", after[1].isoformat() if after else "")])
    writer.writerow([])
    writer.writerow(CSV_HEADERS)
    for measure in Measure:
        writer.writerow(["" if c is None else _plain(c) for c in _csv_row(measured, outcome.measures[measure], locale)])
    return (BOM + buffer.getvalue()).encode("utf-8")


@router.get("/projects/{project_id}/outcome.csv")
def project_outcome_csv(project_id: int, request: Request, session: DbSession, actor: SignedInActor) -> Response:
    """The project's PQCD measures as CSV (UTF-8 with BOM, for Excel)."""
    measured = _measured(session, actor, project_id)
    return Response(outcome_csv(measured, request_locale(request)), media_type=CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="outcome_project-{project_id}.csv"'})


# Roll-ups ------------------------------------------------------------------------------------------------------


def parse_group(value: str | None) -> OutcomeGroup:
    """A grouping from the page's picker; an unknown one is a clear problem, not a 500."""
    if not value:
        return OutcomeGroup.TRACK
    try:
        return OutcomeGroup(value)
    except ValueError:
        raise InvalidInput.single("by", "Group by track, region, ksic or year, not {value}",
                                  {"value": value[:20]}) from None


def group_label(by: OutcomeGroup, key: str, locale: str) -> str:
    """A group's name: the track's label, the region's or KSIC division's name (with the code), or the year."""
    if by is OutcomeGroup.TRACK:
        return track_label(key, locale)
    if by is OutcomeGroup.REGION:
        region = regions().get(key)
        return region.name(locale) if region is not None else key
    if by is OutcomeGroup.KSIC:
        division = ksic_divisions().get(key)
        return f"{key} {division.name(locale)}" if division is not None else key
    return key


@dataclass(frozen=True, slots=True)
class RollupRow:
    key: str
    label: str
    summary: OutcomeRollup
    medians: tuple[str, ...]  # per measure, in PQCD order
    share_met: str


def rollup_rows(groups: Sequence[tuple[str, OutcomeRollup]], by: OutcomeGroup, locale: str) -> list[RollupRow]:
    rows = []
    for key, summary in groups:
        share = summary.share_met
        rows.append(RollupRow(key, group_label(by, key, locale), summary,
                              tuple(percent_text(summary.measures[m].median_improvement_pct) for m in Measure),
                              f"{share * 100:.0f} %" if share is not None else ""))
    return rows


@dataclass(frozen=True, slots=True)
class RollupBar:
    measure: Measure
    x: float
    y: float
    width: float
    title: str


@dataclass(frozen=True, slots=True)
class RollupGroupBars:
    label: str
    label_y: float
    bars: tuple[RollupBar, ...]


@dataclass(frozen=True, slots=True)
class RollupChart:
    groups: tuple[RollupGroupBars, ...]
    ticks: tuple[tuple[float, str], ...]
    zero_x: float
    axis_y: float
    width: int
    height: int
    bar_height: int


def rollup_chart(rows: Sequence[RollupRow], locale: str) -> RollupChart | None:
    """The median improvement of each measure per group as bars from 0 (right is better); None when no group
    has a median."""
    medians = [r.summary.measures[m].median_improvement_pct for r in rows for m in Measure]
    known = [abs(v) for v in medians if v is not None]
    if not known:
        return None
    step = nice_step(max(10.0, *known), 3)
    limit = math.ceil(max(10.0, *known) / step) * step
    left, right = LEFT - FOREST_SIDE * 2, WIDTH - RIGHT
    half = (right - left) / 2

    def x(value: float) -> float:
        return left + half + half * value / limit

    groups, top = [], float(FOREST_TOP)
    for row in rows:
        bars = []
        for index, measure in enumerate(Measure):
            median = row.summary.measures[measure].median_improvement_pct
            if median is None:
                continue
            y = top + GROUP_LABEL + index * (BAR_HEIGHT + BAR_GAP)
            title = f"{row.label} · {translate(locale, MEASURE_LABELS[measure])}: {percent_text(median)}"
            bars.append(RollupBar(measure, min(x(0.0), x(median)), y, abs(x(median) - x(0.0)), title))
        groups.append(RollupGroupBars(row.label, top + 14, tuple(bars)))
        top += GROUP_LABEL + len(Measure) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    count = round(limit / step)
    ticks = tuple((x(step * i), f"{step * i:+g}%" if i else "0") for i in range(-count, count + 1))
    return RollupChart(tuple(groups), ticks, x(0.0), top, WIDTH, int(top + FOREST_AXIS), BAR_HEIGHT)


@router.get("/outcomes")
def outcome_rollups_page(request: Request, session: DbSession, actor: SignedInActor,
                         by: Annotated[str | None, Query()] = None) -> Response:
    """The stored outcomes grouped by track, region, KSIC division or year, with the median improvements."""
    group = parse_group(by)
    locale = request_locale(request)
    rows = rollup_rows(outcome_rollups(session, actor=actor, by=group), group, locale)
    return render(request, "kpi/outcomes.html", {
        "rows": rows, "chart": rollup_chart(rows, locale), "by": group, "group_label": GROUP_LABELS[group],
        "groups": [(g.value, GROUP_LABELS[g]) for g in OutcomeGroup], "measures": list(Measure),
        "measure_labels": MEASURE_LABELS, "stored": measured_projects(session),
        "staff": actor.can(Permission.KPI_VIEW_ALL), "minimum_projects": MIN_PROJECTS_IN_GROUP,
    })
