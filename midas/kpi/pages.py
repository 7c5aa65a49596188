"""The KPI pages (under /kpi): a factory's KPIs with its trend, breakdown, parts and peers; the roll-ups of an
organization, a region, a KSIC division and the nation; the company's own factories; CSV and Excel exports.

The charts are drawn on the server (SVG and HTML bars, no script): their geometry is computed here from the
report's values, so the templates only place what is computed. Korean first: names are shown in Korean with the
ISO (English) name beside them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from midas.auth import Actor, Permission
from midas.errors import InvalidInput
from midas.i18n import translate
from midas.kpi import service
from midas.kpi.api import today_in_korea
from midas.kpi.compute import KPIS_BY_ID, KpiDefinition, KpiValue
from midas.kpi.export import (
    ExportTables,
    factory_tables,
    problem_text,
    rollup_tables,
    to_csv,
    to_xlsx,
    value_text,
)
from midas.kpi.service import (
    GRAIN_LABELS,
    MIN_PEERS,
    FactoryReport,
    Grain,
    GroupKpis,
    PeerStanding,
    Period,
    RollupReport,
    ScopeKind,
    SeriesPoint,
)
from midas.registry import CodeName, Factory, get_organization, ksic_divisions, list_factories, regions
from midas.web.context import DbSession, SignedInActor, request_locale
from midas.web.rendering import render

router = APIRouter(prefix="/kpi", include_in_schema=False)

#: The four KPIs of the headline cards, the trend chart and the parts tables: OEE and its three factors.
HEADLINE: Final = ("oee_index", "availability", "effectiveness", "quality_ratio")
FACTORS: Final = ("availability", "effectiveness", "quality_ratio")

# The trend chart's drawing area (viewBox units).
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 14, 34
MAX_X_LABELS: Final = 6

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPE_LABELS: Final = {ScopeKind.ORGANIZATION: "Organization", ScopeKind.REGION: "Region",
                       ScopeKind.KSIC: "KSIC division", ScopeKind.NATION: "Nation"}
#: What the parts of a roll-up are.
PART_LABELS: Final = {ScopeKind.ORGANIZATION: "Factory", ScopeKind.REGION: "KSIC division",
                      ScopeKind.KSIC: "Region", ScopeKind.NATION: "Region"}
#: The bars of the OEE waterfall, and the names of parts without a key.
BREAKDOWN_LABELS: Final = ("Planned busy time", "After availability", "After effectiveness", "After quality = OEE")
BLANK_LABELS: Final = {"center": "Not placed in the factory structure", "shift": "No shift name"}
NATION_KEY: Final = "all"


# Presenting values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownValue:
    """A KPI as a cell shows it: the text of its value, or a dash with the reason it is not computable."""

    kpi: KpiDefinition
    text: str
    problem: str

    @property
    def computable(self) -> bool:
        return not self.problem


def shown_value(value: KpiValue, locale: str) -> ShownValue:
    problem = problem_text(value.problem, locale) if value.problem is not None else ""
    return ShownValue(value.definition, value_text(value.definition, value.value, locale), problem)


def _by_id(kpis: Sequence[KpiValue]) -> dict[str, KpiValue]:
    return {value.definition.id: value for value in kpis}


@dataclass(frozen=True, slots=True)
class PeerText:
    """A factory's standing for one KPI, in words: the share it beats and the division's middle half."""

    standing: str
    band: str


def peer_text(standing: PeerStanding, division: str, locale: str) -> PeerText:
    """"better than N % of M factories in KSIC division XX" and the interquartile band, or "fewer than 5"."""
    kpi = standing.kpi
    if standing.better_than_share is None and standing.lower_quartile is None:
        return PeerText(translate(locale, "Fewer than {minimum} factories of KSIC division {division} have a value: "
                                          "no comparison", {"minimum": MIN_PEERS, "division": division}), "")
    band = translate(locale, "Middle half of the division: {low} to {high}",
                     {"low": value_text(kpi, standing.lower_quartile, locale),
                      "high": value_text(kpi, standing.upper_quartile, locale)})
    if standing.better_than_share is None:
        return PeerText(translate(locale, "No value of this factory to compare with {peers} factories of KSIC "
                                          "division {division}", {"peers": standing.peers, "division": division}),
                        band)
    return PeerText(translate(locale, "Better than {percent} % of {peers} factories in KSIC division {division}",
                              {"percent": round(standing.better_than_share * 100), "peers": standing.peers,
                               "division": division}), band)


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One row of the full KPI table."""

    value: ShownValue
    peer: PeerText | None


def kpi_rows(kpis: Sequence[KpiValue], peers: Sequence[PeerStanding], division: str, locale: str) -> list[KpiRow]:
    standings = {standing.kpi.id: standing for standing in peers}
    return [KpiRow(shown_value(value, locale),
                   peer_text(standings[value.definition.id], division, locale)
                   if value.definition.id in standings else None)
            for value in kpis]


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A part of a scope with its four headline KPIs."""

    key: str
    label: str
    href: str | None
    values: tuple[ShownValue, ...]


def group_rows(groups: Sequence[GroupKpis], locale: str, *, labels: Mapping[str, str] | None = None,
               href: str | None = None, blank: str = "") -> list[GroupRow]:
    """Rows of a parts table; ``labels`` names a key, ``href`` (with ``{key}``) links it, ``blank`` names ""."""
    rows = []
    for group in groups:
        values = _by_id(group.kpis)
        label = (labels or {}).get(group.key) or group.key or blank
        rows.append(GroupRow(group.key, label, href.format(key=group.key) if href and group.key else None,
                             tuple(shown_value(values[kpi_id], locale) for kpi_id in HEADLINE)))
    return rows


# Charts ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrendLine:
    """One KPI's line: polylines broken where the KPI is not computable, and lone points drawn as dots."""

    kpi: KpiDefinition
    segments: tuple[str, ...]
    dots: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True, slots=True)
class TrendChart:
    """OEE and its three factors over a series, in percent, as SVG coordinates."""

    lines: tuple[TrendLine, ...]
    y_ticks: tuple[tuple[float, str], ...]
    x_labels: tuple[tuple[float, str], ...]
    points: int
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT


def _percent(point: SeriesPoint, kpi_id: str) -> float | None:
    value = _by_id(point.kpis)[kpi_id].value
    return None if value is None else value * 100.0


def trend_chart(series: Sequence[SeriesPoint]) -> TrendChart:
    """The trend of OEE, availability, effectiveness and quality ratio; the scale reaches at least 100 %."""
    values = {kpi_id: [_percent(point, kpi_id) for point in series] for kpi_id in HEADLINE}
    highest = max((v for line in values.values() for v in line if v is not None), default=100.0)
    step = 25.0 if highest <= 150 else math.ceil(highest / 100.0) * 25.0
    top = max(100.0, math.ceil(highest / step) * step)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(series)

    def x(index: int) -> float:
        return LEFT + plot_width * (index / (count - 1) if count > 1 else 0.5)

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    lines = tuple(_line(KPIS_BY_ID[kpi_id], values[kpi_id], x, y, series) for kpi_id in HEADLINE)
    y_ticks = tuple((y(value), f"{value:.0f}%") for value in _steps(top, step))
    every = max(1, math.ceil(count / MAX_X_LABELS))
    x_labels = tuple((x(i), _short_label(series[i].label)) for i in range(0, count, every))
    return TrendChart(lines, y_ticks, x_labels, count)


def _steps(top: float, step: float) -> list[float]:
    return [step * index for index in range(int(top // step) + 1)]


def _short_label(label: str) -> str:
    """A day (2026-11-02, or with its shift) without its year, so that the axis labels fit a phone."""
    return label[5:] if len(label) >= 10 and label[4] == "-" and label[7] == "-" else label


def _line(kpi: KpiDefinition, values: Sequence[float | None], x: Callable[[int], float], y: Callable[[float], float],
          series: Sequence[SeriesPoint]) -> TrendLine:
    segments: list[list[tuple[float, float]]] = [[]]
    dots: list[tuple[float, float, str]] = []
    for index, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((x(index), y(value)))
        dots.append((x(index), y(value), f"{series[index].label}: {value:.1f} %"))
    polylines = tuple(" ".join(f"{px:.1f},{py:.1f}" for px, py in segment) for segment in segments if segment)
    return TrendLine(kpi, polylines, tuple(dots))


@dataclass(frozen=True, slots=True)
class BreakdownStep:
    """One bar of the OEE waterfall: what is left after a factor, and what the factor took (or added)."""

    label: str
    factor: ShownValue | None
    kept_percent: float  # of the chart's scale
    lost_percent: float
    gained_percent: float
    result: str


def breakdown(kpis: Sequence[KpiValue], locale: str) -> list[BreakdownStep] | None:
    """Planned busy time (100 %) x availability x effectiveness x quality ratio = OEE, as bars; None when a
    factor is not computable (the KPI table says why)."""
    values = _by_id(kpis)
    factors = [values[kpi_id] for kpi_id in FACTORS]
    if any(value.value is None for value in factors):
        return None
    levels = [1.0]
    for value in factors:
        levels.append(levels[-1] * float(value.value or 0.0))
    scale = max(levels)
    oee = KPIS_BY_ID["oee_index"]
    steps = [BreakdownStep(BREAKDOWN_LABELS[0], None, 100.0 / scale, 0.0, 0.0, value_text(oee, 1.0, locale))]
    for index, (label, value) in enumerate(zip(BREAKDOWN_LABELS[1:], factors, strict=True)):
        before, after = levels[index], levels[index + 1]
        steps.append(BreakdownStep(
            label, shown_value(value, locale), 100.0 * min(before, after) / scale,
            100.0 * max(0.0, before - after) / scale, 100.0 * max(0.0, after - before) / scale,
            value_text(oee, after, locale)))
    return steps


# Routes: factories ----------------------------------------------------------------------------------------------

StartQuery = Annotated[str | None, Query()]
EndQuery = Annotated[str | None, Query()]
GrainQuery = Annotated[str | None, Query()]


def parse_grain(value: str | None, default: Grain) -> Grain:
    """A grain from the picker; an unknown one is a clear problem, not a 500."""
    if not value:
        return default
    try:
        return Grain(value)
    except ValueError:
        raise InvalidInput.single("grain", "Choose a grain of shift, day, week, month or year, not {value}",
                                  {"value": value[:20]}) from None


def _period(start: str | None, end: str | None) -> Period:
    return service.parse_period(start, end, today=today_in_korea())


def _export_query(period: Period, grain: Grain) -> str:
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}&grain={grain.value}"


def _picker(period: Period, grain: Grain) -> dict[str, object]:
    return {"period": period, "grain": grain, "grains": [(g.value, GRAIN_LABELS[g]) for g in Grain],
            "grain_label": GRAIN_LABELS[grain],
            "export_query": _export_query(period, grain)}


@router.get("/factories")
def find_factory(factory_id: Annotated[str, Query()] = "") -> Response:
    """The factory search of the staff page: go to the factory's KPI page by its id."""
    if not factory_id.strip().isdigit():
        raise InvalidInput.single("factory_id", "Give a factory id as a number, not {value}",
                                  {"value": factory_id[:20]})
    return RedirectResponse(f"/kpi/factories/{int(factory_id)}", status_code=303)


def _factory_report(session: Session, actor: Actor, factory_id: int, start: str | None, end: str | None,
                    grain: str | None) -> FactoryReport:
    """Without an end, the period ends on the factory's latest production day (today when it has none), so a
    factory that stopped sending last month still opens on its data."""
    today = today_in_korea()
    if not end:
        end = (service.latest_production_day(session, actor=actor, factory_id=factory_id, today=today)
               or today).isoformat()
    return service.factory_report(session, actor=actor, factory_id=factory_id,
                                  period=service.parse_period(start, end, today=today),
                                  grain=parse_grain(grain, Grain.DAY))


@router.get("/factories/{factory_id}")
def factory_page(factory_id: int, request: Request, session: DbSession, actor: SignedInActor,
                 start: StartQuery = None, end: EndQuery = None, grain: GrainQuery = None) -> Response:
    """A factory's KPIs: headline cards, trend, breakdown, the full table with peers, parts, overlaps."""
    report = _factory_report(session, actor, factory_id, start, end, grain)
    locale = request_locale(request)
    values = _by_id(report.kpis)
    return render(request, "kpi/factory.html", {
        "report": report, "headline": [shown_value(values[kpi_id], locale) for kpi_id in HEADLINE],
        "trend": trend_chart(report.series), "breakdown": breakdown(report.kpis, locale),
        "rows": kpi_rows(report.kpis, report.peers, report.ksic_division, locale),
        "series_rows": [(p, [shown_value(_by_id(p.kpis)[k], locale) for k in HEADLINE]) for p in report.series],
        "units": group_rows(report.units, locale),
        "centers": group_rows(report.centers, locale, blank=BLANK_LABELS["center"]),
        "shifts": group_rows(report.shifts, locale, blank=BLANK_LABELS["shift"]),
        "hierarchy_problem": problem_text(report.hierarchy_problem, locale) if report.hierarchy_problem else "",
        "division_name": _name(ksic_divisions(), report.ksic_division, locale),
        "headline_ids": HEADLINE, "kpis_by_id": KPIS_BY_ID,
        **_picker(report.period, report.grain),
    })


def _download(tables: ExportTables, kind: str) -> Response:
    if kind == "csv":
        return Response(to_csv(tables), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="kpi_{tables.name}.csv"'})
    return Response(to_xlsx(tables), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="kpi_{tables.name}.xlsx"'})


@router.get("/factories/{factory_id}/export.csv")
def factory_csv(factory_id: int, request: Request, session: DbSession, actor: SignedInActor,
                start: StartQuery = None, end: EndQuery = None, grain: GrainQuery = None) -> Response:
    """The factory's KPIs, trend and work units as CSV (UTF-8 with BOM, for Excel)."""
    report = _factory_report(session, actor, factory_id, start, end, grain)
    return _download(factory_tables(report, request_locale(request)), "csv")


@router.get("/factories/{factory_id}/export.xlsx")
def factory_xlsx(factory_id: int, request: Request, session: DbSession, actor: SignedInActor,
                 start: StartQuery = None, end: EndQuery = None, grain: GrainQuery = None) -> Response:
    """The factory's KPIs, trend and work units as an Excel workbook."""
    report = _factory_report(session, actor, factory_id, start, end, grain)
    return _download(factory_tables(report, request_locale(request)), "xlsx")


# Routes: roll-ups and the start page ----------------------------------------------------------------------------


def _name(codes: Mapping[str, CodeName], code: str, locale: str) -> str:
    entry = codes.get(code)
    return entry.name(locale) if entry is not None else code


def _scope_kind(kind: str) -> ScopeKind:
    try:
        return ScopeKind(kind)
    except ValueError:
        raise InvalidInput.single("kind", "Choose a scope of organization, region, ksic or nation, not {value}",
                                  {"value": kind[:20]}) from None


def _rollup_report(session: Session, actor: Actor, kind: str, key: str, start: str | None, end: str | None,
                   grain: str | None) -> RollupReport:
    return service.rollup_report(session, actor=actor, kind=_scope_kind(kind), key=key, period=_period(start, end),
                                 grain=parse_grain(grain, Grain.DAY))


def _parts(session: Session, actor: Actor, report: RollupReport, locale: str) -> list[GroupRow]:
    """The parts of a roll-up, named and linked: factories of an organization, divisions of a region, regions."""
    if report.kind is ScopeKind.ORGANIZATION:
        names = {str(f.id): f.name for f in list_factories(session, actor=actor, organization_id=int(report.key))}
        return group_rows(report.parts, locale, labels=names, href="/kpi/factories/{key}")
    if report.kind is ScopeKind.REGION:
        labels = {code: name.name(locale) for code, name in ksic_divisions().items()}
        return group_rows(report.parts, locale, labels=labels, href="/kpi/rollup/ksic/{key}")
    labels = {code: name.name(locale) for code, name in regions().items()}
    return group_rows(report.parts, locale, labels=labels, href="/kpi/rollup/region/{key}")


def _scope_name(session: Session, actor: Actor, report: RollupReport, locale: str) -> str:
    if report.kind is ScopeKind.ORGANIZATION:
        return get_organization(session, actor=actor, organization_id=int(report.key)).name
    if report.kind is ScopeKind.REGION:
        return _name(regions(), report.key, locale)
    if report.kind is ScopeKind.KSIC:
        return f"{report.key} {_name(ksic_divisions(), report.key, locale)}"
    return ""


def _rollup_context(session: Session, actor: Actor, report: RollupReport, locale: str) -> dict[str, object]:
    values = _by_id(report.kpis)
    return {
        "report": report, "headline": [shown_value(values[kpi_id], locale) for kpi_id in HEADLINE],
        "trend": trend_chart(report.series), "breakdown": breakdown(report.kpis, locale),
        "rows": kpi_rows(report.kpis, (), "", locale), "parts": _parts(session, actor, report, locale),
        "scope_label": SCOPE_LABELS[report.kind], "scope_name": _scope_name(session, actor, report, locale),
        "part_label": PART_LABELS[report.kind],
        "rollup_path": f"/kpi/rollup/{report.kind.value}/{report.key or NATION_KEY}",
        "headline_ids": HEADLINE, "kpis_by_id": KPIS_BY_ID, **_picker(report.period, report.grain),
    }


@router.get("/rollup/{kind}/{key}")
def rollup_page(kind: str, key: str, request: Request, session: DbSession, actor: SignedInActor,
                start: StartQuery = None, end: EndQuery = None, grain: GrainQuery = None) -> Response:
    """The KPIs of an organization, a region, a KSIC division or the nation: trend, breakdown and parts."""
    report = _rollup_report(session, actor, kind, key, start, end, grain)
    return render(request, "kpi/rollup.html", _rollup_context(session, actor, report, request_locale(request)))


@router.get("/rollup/{kind}/{key}/export.csv")
def rollup_csv(kind: str, key: str, request: Request, session: DbSession, actor: SignedInActor,
               start: StartQuery = None, end: EndQuery = None, grain: GrainQuery = None) -> Response:
    report = _rollup_report(session, actor, kind, key, start, end, grain)
    return _download(rollup_tables(report, request_locale(request)), "csv")


@router.get("/rollup/{kind}/{key}/export.xlsx")
def rollup_xlsx(kind: str, key: str, request: Request, session: DbSession, actor: SignedInActor,
                start: StartQuery = None, end: EndQuery = None, grain: GrainQuery = None) -> Response:
    report = _rollup_report(session, actor, kind, key, start, end, grain)
    return _download(rollup_tables(report, request_locale(request)), "xlsx")


@dataclass(frozen=True, slots=True)
class OwnFactory:
    """A factory of the company's own organization with its OEE over the last 30 days."""

    factory: Factory
    oee: ShownValue | None  # None: no production records in the period


def own_factories(session: Session, actor: Actor, period: Period, locale: str) -> list[OwnFactory]:
    """The factories of the actor's organization, each with its OEE over ``period`` (none without records)."""
    if actor.organization_id is None:
        return []
    factories = list_factories(session, actor=actor, organization_id=actor.organization_id)
    report = service.rollup_report(session, actor=actor, kind=ScopeKind.ORGANIZATION,
                                   key=str(actor.organization_id), period=period)
    oee = {part.key: _by_id(part.kpis)["oee_index"] for part in report.parts}
    return [OwnFactory(factory, shown_value(oee[str(factory.id)], locale) if str(factory.id) in oee else None)
            for factory in factories]


@router.get("/my")
def my_factories_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    """The company's own factories with their OEE over the last 30 days."""
    actor.require(Permission.KPI_VIEW_OWN)
    period = _period(None, None)
    return render(request, "kpi/my.html", {
        "factories": own_factories(session, actor, period, request_locale(request)), "period": period,
        "organization_id": actor.organization_id,
    })


@router.get("")
def start_page(request: Request, session: DbSession, actor: SignedInActor, start: StartQuery = None,
               end: EndQuery = None, grain: GrainQuery = None) -> Response:
    """Program staff: the nation with its regions and divisions and a factory search; a company: its factories."""
    if not actor.can(Permission.KPI_VIEW_ALL):
        return my_factories_page(request, session, actor)
    locale = request_locale(request)
    report = _rollup_report(session, actor, ScopeKind.NATION.value, NATION_KEY, start, end, grain)
    return render(request, "kpi/nation.html", {
        **_rollup_context(session, actor, report, locale),
        "divisions": sorted(ksic_divisions().values(), key=lambda entry: entry.code),
    })


