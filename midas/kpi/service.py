"""KPI reports read from the aggregates: a factory with its trend, work units, work centers, shifts and peers;
an organization, a region, a KSIC division or the nation with its trend.

Every report sums the elements of its scope and period first and computes the KPIs after
(:func:`midas.kpi.compute.compute_all`); a ratio is never averaged. Reports read only the aggregate tables (and,
for a factory, its latest FactoryStructure record by index), never scan raw records.

Who may read what:

- a factory or an organization: members of that organization, and staff with ``kpi.view_all`` (operators,
  auditors);
- a region, a KSIC division or the nation: anyone signed in, because a roll-up of at least
  :data:`MIN_FACTORIES_IN_ROLLUP` factories reveals no single one; a smaller one is refused for everyone but staff.

Peer comparison: a factory sees, per KPI, the share of the factories of its KSIC division (two-digit) that it
does better than, and the division's interquartile band, only when at least :data:`MIN_PEERS` peers have a value,
so that no single peer's figure can be read off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from midas.auth import Actor, Permission
from midas.errors import InvalidInput, NotFound, PermissionDenied, Problem
from midas.ingest import ProductionRecord
from midas.kpi.compute import (
    HIERARCHY_CYCLE,
    KPIS,
    KPIS_BY_ID,
    KpiDefinition,
    KpiValue,
    compute_all,
    find_cycle,
    refuse_all,
)
from midas.kpi.elements import ELEMENTS, Elements
from midas.kpi.models import FACTORY_DAY, FACTORY_MONTH, UNIT_DAY
from midas.registry import Factory, Organization

__all__ = [
    "MAX_PERIOD_DAYS",
    "MIN_FACTORIES_IN_ROLLUP",
    "MIN_PEERS",
    "FactoryReport",
    "Grain",
    "GroupKpis",
    "Overlap",
    "PeerStanding",
    "Period",
    "RollupReport",
    "ScopeKind",
    "SeriesPoint",
    "factory_report",
    "latest_production_day",
    "parse_period",
    "rollup_report",
]

MAX_PERIOD_DAYS: Final = 3_660  # ten years
MIN_PEERS: Final = 5
MIN_FACTORIES_IN_ROLLUP: Final = 3
MAX_OVERLAPS_SHOWN: Final = 20
PEER_CHUNK: Final = 900  # factory ids per IN (...): below SQLite's bound-parameter limit
OVERLAP_TOLERANCE_SECONDS: Final = 1.0
UNASSIGNED: Final = ""  # the work center of units the factory structure does not place
STRUCTURE_TEMPLATE: Final = "FactoryStructure"
OVERLAPPING_RECORDS: Final = ("Not computable because the records of work unit {work_unit} overlap in time on {day}: "
                              "{recorded} h recorded within a span of {span} h")


class Grain(StrEnum):
    """The length of one point of a trend."""

    SHIFT = "shift"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


GRAIN_LABELS: Final = {Grain.SHIFT: "Shift", Grain.DAY: "Day", Grain.WEEK: "Week", Grain.MONTH: "Month",
                       Grain.YEAR: "Year"}


class ScopeKind(StrEnum):
    """What a roll-up covers."""

    ORGANIZATION = "organization"
    REGION = "region"
    KSIC = "ksic"
    NATION = "nation"


@dataclass(frozen=True, slots=True)
class Period:
    """Production days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One point of a trend: its label (2026-11-02, 2026-W45, 2026-11, 2026, or a day and shift), the days it
    covers, its summed elements and its KPIs."""

    label: str
    start: date
    end: date
    elements: Elements
    kpis: tuple[KpiValue, ...]


@dataclass(frozen=True, slots=True)
class GroupKpis:
    """The KPIs of one part of a scope (a work unit, a work center, a shift)."""

    key: str
    elements: Elements
    kpis: tuple[KpiValue, ...]


@dataclass(frozen=True, slots=True)
class Overlap:
    """A work unit whose records of one day cover more time than the day's span of records: they overlap."""

    work_unit: str
    day: date
    recorded_seconds: float
    span_seconds: float


@dataclass(frozen=True, slots=True)
class PeerStanding:
    """Where a factory stands among its KSIC division for one KPI, without any peer's own figure."""

    kpi: KpiDefinition
    peers: int
    better_than_share: float | None  # of the peers with a value, the share this factory does better than
    lower_quartile: float | None
    upper_quartile: float | None


@dataclass(frozen=True, slots=True)
class FactoryReport:
    """Everything the factory KPI page shows."""

    factory: Factory
    organization: Organization
    period: Period
    grain: Grain
    elements: Elements
    kpis: tuple[KpiValue, ...]
    series: tuple[SeriesPoint, ...]
    units: tuple[GroupKpis, ...]
    centers: tuple[GroupKpis, ...]
    shifts: tuple[GroupKpis, ...]
    overlaps: tuple[Overlap, ...]
    hierarchy_problem: Problem | None
    peers: tuple[PeerStanding, ...]
    ksic_division: str


@dataclass(frozen=True, slots=True)
class RollupReport:
    """The KPIs of an organization, a region, a KSIC division or the nation over a period."""

    kind: ScopeKind
    key: str
    period: Period
    grain: Grain
    factories: int
    elements: Elements
    kpis: tuple[KpiValue, ...]
    series: tuple[SeriesPoint, ...]
    parts: tuple[GroupKpis, ...]  # per region for the nation, per factory for an organization


# Periods -------------------------------------------------------------------------------------------------------


def parse_period(start: str | date | None, end: str | date | None, *, today: date) -> Period:
    """A period from two ISO dates (either may be missing: the last 30 days up to ``today`` by default)."""
    problems: list[Problem] = []
    end_day = _parse_day(end, "end", problems) or today
    start_day = _parse_day(start, "start", problems) or end_day - timedelta(days=29)
    if not problems and start_day > end_day:
        problems.append(Problem("start", "The period starts ({start}) after it ends ({end})",
                                {"start": start_day.isoformat(), "end": end_day.isoformat()}))
    if not problems and (end_day - start_day).days + 1 > MAX_PERIOD_DAYS:
        problems.append(Problem("start", "A period is at most {days} days long", {"days": MAX_PERIOD_DAYS}))
    if problems:
        raise InvalidInput(problems)
    return Period(start_day, end_day)


def _parse_day(value: str | date | None, field: str, problems: list[Problem]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(Problem(field, "Give a date as YYYY-MM-DD, not {value}", {"value": value[:40]}))
        return None


def _bucket(day: date, grain: Grain) -> tuple[str, date, date]:
    if grain is Grain.WEEK:
        monday = day - timedelta(days=day.weekday())
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    if grain is Grain.MONTH:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return f"{day:%Y-%m}", first, following - timedelta(days=1)
    if grain is Grain.YEAR:
        return f"{day:%Y}", date(day.year, 1, 1), date(day.year, 12, 31)
    return day.isoformat(), day, day


# Sums ----------------------------------------------------------------------------------------------------------


def _sums(table: Any) -> list[Any]:
    return [func.sum(table.c[name]).label(name) for name in ELEMENTS]


def _elements_of(row: Mapping[Any, Any]) -> dict[str, float]:
    return {name: float(row[name]) for name in ELEMENTS if row.get(name) is not None}


def _added(totals: dict[str, float], elements: Mapping[str, float]) -> None:
    for name, value in elements.items():
        totals[name] = totals.get(name, 0.0) + value


def _total(parts: Iterable[Mapping[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for part in parts:
        _added(totals, part)
    return totals


def _series(rows: Iterable[tuple[date, Mapping[str, float]]], grain: Grain) -> tuple[SeriesPoint, ...]:
    buckets: dict[str, tuple[date, date, dict[str, float]]] = {}
    for day, elements in rows:
        label, first, last = _bucket(day, grain)
        _added(buckets.setdefault(label, (first, last, {}))[2], elements)
    return tuple(SeriesPoint(label, first, last, sums, compute_all(sums))
                 for label, (first, last, sums) in sorted(buckets.items(), key=lambda item: item[1][0]))


def _daily(session: Session, query: Select[Any]) -> list[tuple[date, dict[str, float]]]:
    return [(_as_date(row["day"]), _elements_of(row)) for row in session.execute(query).mappings()]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def split_by_month(period: Period) -> tuple[tuple[Period, ...], Period | None]:
    """The days at the two ends of a period that do not make a whole calendar month, and the whole months between
    (from the first day of the first to the last day of the last; None without any): the months are read from the
    factory-month sums, only the ends from the factory-day sums."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    last = period.end if _next_month(period.end) - timedelta(days=1) == period.end \
        else period.end.replace(day=1) - timedelta(days=1)
    if first > last:
        return (period,), None
    ends = tuple(end for end in (Period(period.start, first - timedelta(days=1)),
                                 Period(last + timedelta(days=1), period.end)) if end.start <= end.end)
    return ends, Period(first, last)


def _by_day_and_month(table_rows: Callable[[Any, Any, Period], Select[Any]],
                      period: Period) -> list[Select[Any]]:
    """Queries over the period: ``table_rows(table, its date column, part)`` for the factory-day table at the ends
    and the factory-month table over the whole months (its rows dated the first of their month)."""
    ends, months = split_by_month(period)
    queries = [table_rows(FACTORY_DAY, FACTORY_DAY.c.day, end) for end in ends]
    if months is not None:
        queries.append(table_rows(FACTORY_MONTH, FACTORY_MONTH.c.month, months))
    return queries


# Factory -------------------------------------------------------------------------------------------------------


def _can_view_organization(actor: Actor, organization_id: int) -> bool:
    return actor.can(Permission.KPI_VIEW_ALL) or (
        actor.can(Permission.KPI_VIEW_OWN) and actor.organization_id == organization_id)


def factory_report(session: Session, *, actor: Actor, factory_id: int, period: Period,
                   grain: Grain = Grain.DAY) -> FactoryReport:
    """The KPIs of one factory over a period: totals, trend, units, centers, shifts, overlaps and peers."""
    factory = session.get(Factory, factory_id)
    if factory is None or not _can_view_organization(actor, factory.organization_id):
        raise NotFound("No factory with id {id}", {"id": factory_id})
    organization = factory.organization
    in_period = (FACTORY_DAY.c.factory_id == factory.id, FACTORY_DAY.c.day.between(period.start, period.end))
    days = _daily(session, select(FACTORY_DAY.c.day, *_sums(FACTORY_DAY)).where(*in_period)
                  .group_by(FACTORY_DAY.c.day).order_by(FACTORY_DAY.c.day))
    totals = _total(elements for _, elements in days)
    overlaps = _overlaps(session, factory.id, period)
    units = _unit_groups(session, factory.id, period, UNIT_DAY.c.work_unit)
    parent_of = _structure_parents(session, factory.id)
    cycle = find_cycle(parent_of) if parent_of else None
    hierarchy_problem = (Problem("structure", HIERARCHY_CYCLE, {"path": " → ".join(cycle)})
                         if cycle is not None else None)
    return FactoryReport(
        factory=factory, organization=organization, period=period, grain=grain, elements=totals,
        kpis=_kpis_unless_overlapping(totals, overlaps),
        series=_shift_series(session, factory.id, period) if grain is Grain.SHIFT else _series(days, grain),
        units=tuple(_unit_kpis(unit, overlaps) for unit in units),
        centers=() if hierarchy_problem else _center_groups(units, parent_of),
        shifts=_unit_groups(session, factory.id, period, UNIT_DAY.c.shift),
        overlaps=overlaps, hierarchy_problem=hierarchy_problem,
        peers=_peer_standings(session, factory, period, totals),
        ksic_division=organization.ksic_code[:2],
    )


def latest_production_day(session: Session, *, actor: Actor, factory_id: int, today: date) -> date | None:
    """The factory's latest production day up to ``today`` (None without any); for the default period."""
    factory = session.get(Factory, factory_id)
    if factory is None or not _can_view_organization(actor, factory.organization_id):
        raise NotFound("No factory with id {id}", {"id": factory_id})
    latest = session.scalar(select(func.max(FACTORY_DAY.c.day))
                            .where(FACTORY_DAY.c.factory_id == factory_id, FACTORY_DAY.c.day <= today))
    return None if latest is None else _as_date(latest)


def _kpis_unless_overlapping(totals: Elements, overlaps: Sequence[Overlap]) -> tuple[KpiValue, ...]:
    if not overlaps:
        return compute_all(totals)
    first = overlaps[0]
    return refuse_all(Problem("records", OVERLAPPING_RECORDS, {
        "work_unit": first.work_unit, "day": first.day.isoformat(),
        "recorded": f"{first.recorded_seconds / 3600:.1f}", "span": f"{first.span_seconds / 3600:.1f}"}))


def _unit_kpis(unit: GroupKpis, overlaps: Sequence[Overlap]) -> GroupKpis:
    own = [overlap for overlap in overlaps if overlap.work_unit == unit.key]
    return unit if not own else GroupKpis(unit.key, unit.elements, _kpis_unless_overlapping(unit.elements, own))


def _unit_groups(session: Session, factory_id: int, period: Period, key: Any) -> tuple[GroupKpis, ...]:
    query = (select(key.label("key"), *_sums(UNIT_DAY))
             .where(UNIT_DAY.c.factory_id == factory_id, UNIT_DAY.c.day.between(period.start, period.end))
             .group_by(key).order_by(key))
    groups = []
    for row in session.execute(query).mappings():
        elements = _elements_of(row)
        groups.append(GroupKpis(str(row["key"]), elements, compute_all(elements)))
    return tuple(groups)


def _shift_series(session: Session, factory_id: int, period: Period) -> tuple[SeriesPoint, ...]:
    query = (select(UNIT_DAY.c.day, UNIT_DAY.c.shift, *_sums(UNIT_DAY))
             .where(UNIT_DAY.c.factory_id == factory_id, UNIT_DAY.c.day.between(period.start, period.end))
             .group_by(UNIT_DAY.c.day, UNIT_DAY.c.shift).order_by(UNIT_DAY.c.day, UNIT_DAY.c.shift))
    points = []
    for row in session.execute(query).mappings():
        day, elements = _as_date(row["day"]), _elements_of(row)
        label = f"{day.isoformat()} {row['shift']}".strip()
        points.append(SeriesPoint(label, day, day, elements, compute_all(elements)))
    return tuple(points)


def _overlaps(session: Session, factory_id: int, period: Period) -> tuple[Overlap, ...]:
    """Unit-days whose records cover more seconds than the span from their first start to their last end."""
    recorded = func.sum(UNIT_DAY.c.period_seconds)
    span = func.max(UNIT_DAY.c.last_end) - func.min(UNIT_DAY.c.first_start)
    query = (select(UNIT_DAY.c.work_unit, UNIT_DAY.c.day, recorded.label("recorded"), span.label("span"))
             .where(UNIT_DAY.c.factory_id == factory_id, UNIT_DAY.c.day.between(period.start, period.end))
             .group_by(UNIT_DAY.c.work_unit, UNIT_DAY.c.day)
             .having(recorded > span + OVERLAP_TOLERANCE_SECONDS)
             .order_by(UNIT_DAY.c.day, UNIT_DAY.c.work_unit).limit(MAX_OVERLAPS_SHOWN))
    return tuple(Overlap(str(row.work_unit), _as_date(row.day), float(row.recorded), float(row.span))
                 for row in session.execute(query))


def _structure_parents(session: Session, factory_id: int) -> dict[str, str | None]:
    """Child -> parent EquipmentId of the factory's latest FactoryStructure record (empty without one)."""
    record = session.scalar(select(ProductionRecord.record)
                            .where(ProductionRecord.factory_id == factory_id,
                                   ProductionRecord.template == STRUCTURE_TEMPLATE)
                            .order_by(ProductionRecord.id.desc()).limit(1))
    parents: dict[str, str | None] = {}
    if isinstance(record, Mapping) and isinstance(record.get("EntryNode"), Mapping):
        _walk_nodes(record["EntryNode"], None, parents)
    return parents


def _walk_nodes(node: Mapping[str, Any], parent: str | None, parents: dict[str, str | None]) -> None:
    equipment = str(node.get("EquipmentId", ""))
    if not equipment:
        return
    if equipment not in parents or _is_ancestor(equipment, parent, parents):
        # An id placed again below itself makes it its own ancestor: keep that edge so the cycle is found.
        parents[equipment] = parent
    for child in node.get("Node") or ():
        if isinstance(child, Mapping):
            _walk_nodes(child, equipment, parents)


def _is_ancestor(equipment: str, node: str | None, parents: Mapping[str, str | None]) -> bool:
    seen: set[str] = set()
    while node is not None and node not in seen:
        if node == equipment:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def _center_groups(units: Sequence[GroupKpis], parent_of: Mapping[str, str | None]) -> tuple[GroupKpis, ...]:
    sums: dict[str, dict[str, float]] = {}
    for unit in units:
        _added(sums.setdefault(parent_of.get(unit.key) or UNASSIGNED, {}), unit.elements)
    return tuple(GroupKpis(center, elements, compute_all(elements)) for center, elements in sorted(sums.items()))


# Peers ---------------------------------------------------------------------------------------------------------


def _peer_standings(session: Session, factory: Factory, period: Period,
                    own: Elements) -> tuple[PeerStanding, ...]:
    division = factory.organization.ksic_code[:2]
    # The peers' ids first, then their days by the factory-day key: one index range per peer. Filtering the
    # aggregate rows by a join on the division made the planner guess one peer and scan millions of rows.
    peer_ids = list(session.scalars(
        select(Factory.id).join(Organization, Organization.id == Factory.organization_id)
        .where(Organization.ksic_code.startswith(division), Factory.id != factory.id)))
    peer_values: dict[str, list[float]] = {kpi.id: [] for kpi in KPIS}
    for start in range(0, len(peer_ids), PEER_CHUNK):
        chunk = peer_ids[start:start + PEER_CHUNK]
        for elements in _factory_totals(session, chunk, period).values():
            for value in compute_all(elements):
                if value.value is not None:
                    peer_values[value.definition.id].append(value.value)
    own_values = {value.definition.id: value.value for value in compute_all(own)}
    return tuple(_standing(kpi, own_values[kpi.id], sorted(peer_values[kpi.id])) for kpi in KPIS)


def _factory_totals(session: Session, factory_ids: Sequence[int], period: Period) -> dict[int, dict[str, float]]:
    """Each factory's sums over the period: whole months from the month table, the ends from the day table."""

    def rows(table: Any, column: Any, part: Period) -> Select[Any]:
        return (select(table.c.factory_id, *_sums(table))
                .where(table.c.factory_id.in_(factory_ids), column.between(part.start, part.end))
                .group_by(table.c.factory_id))

    totals: dict[int, dict[str, float]] = {}
    for query in _by_day_and_month(rows, period):
        for row in session.execute(query).mappings():
            _added(totals.setdefault(int(row["factory_id"]), {}), _elements_of(row))
    return totals


def _standing(kpi: KpiDefinition, own: float | None, peers: Sequence[float]) -> PeerStanding:
    if len(peers) < MIN_PEERS:
        return PeerStanding(kpi, len(peers), None, None, None)
    better = None
    if own is not None:
        beaten = sum(1 for peer in peers if (own > peer if kpi.higher_is_better else own < peer))
        better = beaten / len(peers)
    return PeerStanding(kpi, len(peers), better, _quantile(peers, 0.25), _quantile(peers, 0.75))


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# Roll-ups ------------------------------------------------------------------------------------------------------


def rollup_report(session: Session, *, actor: Actor, kind: ScopeKind, key: str, period: Period,
                  grain: Grain = Grain.MONTH) -> RollupReport:
    """The KPIs of an organization (key: its id), a region (a two-digit code), a KSIC division (two digits) or the
    nation (key ignored), summed from the factory-month aggregates over whole months and the factory-day ones
    over the days at the ends of the period."""
    scope = _rollup_scope(session, actor, kind, key)
    factories = _rollup_factories(session, scope, period)
    if kind is not ScopeKind.ORGANIZATION and factories < MIN_FACTORIES_IN_ROLLUP \
            and not actor.can(Permission.KPI_VIEW_ALL):
        raise PermissionDenied("A roll-up of fewer than {minimum} factories would reveal them; it is shown to "
                               "program staff only", {"minimum": MIN_FACTORIES_IN_ROLLUP})

    def dated(table: Any, column: Any, part: Period) -> Select[Any]:
        return (select(column.label("day"), *_sums(table)).select_from(_joined(table))
                .where(scope.condition(table), column.between(part.start, part.end))
                .group_by(column).order_by(column))

    # A trend by month or year can take whole months from the month table; by day or week it needs the days.
    queries = (_by_day_and_month(dated, period) if grain in (Grain.MONTH, Grain.YEAR)
               else [dated(FACTORY_DAY, FACTORY_DAY.c.day, period)])
    days = sorted((row for query in queries for row in _daily(session, query)), key=lambda row: row[0])
    totals = _total(elements for _, elements in days)

    def by_part(table: Any, column: Any, part: Period) -> Select[Any]:
        part_key = scope.part_key(table)
        return (select(part_key.label("key"), *_sums(table)).select_from(_joined(table))
                .where(scope.condition(table), column.between(part.start, part.end)).group_by(part_key))

    part_sums: dict[Any, dict[str, float]] = {}  # by factory id (a number), KSIC division or region code
    for query in _by_day_and_month(by_part, period):
        for row in session.execute(query).mappings():
            _added(part_sums.setdefault(row["key"], {}), _elements_of(row))
    parts = tuple(GroupKpis(str(part), elements, compute_all(elements))
                  for part, elements in sorted(part_sums.items(), key=lambda item: item[0]))
    return RollupReport(kind, key if kind is not ScopeKind.NATION else "", period, grain, factories, totals,
                        compute_all(totals), _series(days, grain), parts)


def _joined(table: Any) -> Any:
    return (table.join(Factory.__table__, Factory.id == table.c.factory_id)
            .join(Organization.__table__, Organization.id == table.c.organization_id))


def _rollup_factories(session: Session, scope: _RollupScope, period: Period) -> int:
    """How many factories of the scope have data in the period."""
    seen: set[int] = set()

    def ids(table: Any, column: Any, part: Period) -> Select[Any]:
        return (select(table.c.factory_id).select_from(_joined(table))
                .where(scope.condition(table), column.between(part.start, part.end)).distinct())

    for query in _by_day_and_month(ids, period):
        seen.update(int(factory_id) for factory_id in session.scalars(query))
    return len(seen)


@dataclass(frozen=True, slots=True)
class _RollupScope:
    """Which aggregate rows a roll-up covers, and what its parts are, for either aggregate table."""

    kind: ScopeKind
    organization_id: int | None = None
    key: str = ""

    def condition(self, table: Any) -> Any:
        if self.kind is ScopeKind.ORGANIZATION:
            return table.c.organization_id == self.organization_id
        if self.kind is ScopeKind.REGION:
            return Factory.region_code == self.key
        if self.kind is ScopeKind.KSIC:
            return func.substr(Organization.ksic_code, 1, 2) == self.key
        return table.c.factory_id.is_not(None)

    def part_key(self, table: Any) -> Any:
        if self.kind is ScopeKind.ORGANIZATION:
            return table.c.factory_id
        if self.kind is ScopeKind.REGION:
            return func.substr(Organization.ksic_code, 1, 2)
        return Factory.region_code


def _rollup_scope(session: Session, actor: Actor, kind: ScopeKind, key: str) -> _RollupScope:
    """The scope of a roll-up, once the actor may see it and the key is well formed."""
    if kind is ScopeKind.ORGANIZATION:
        organization_id = int(key) if key.isdigit() else -1
        if session.get(Organization, organization_id) is None or not _can_view_organization(actor, organization_id):
            raise NotFound("No organization with id {id}", {"id": key[:20]})
        return _RollupScope(kind, organization_id=organization_id)
    actor.require(Permission.REGISTRY_VIEW)
    if kind is ScopeKind.REGION and not (len(key) == 2 and key.isdigit()):
        raise InvalidInput.single("key", "Give a region as its two-digit code, not {value}", {"value": key[:20]})
    if kind is ScopeKind.KSIC and not (len(key) == 2 and key.isdigit()):
        raise InvalidInput.single("key", "Give a KSIC division as two digits, not {value}", {"value": key[:20]})
    return _RollupScope(kind, key=key if kind is not ScopeKind.NATION else "")


def kpi_by_id(kpi_id: str) -> KpiDefinition:
    """One KPI definition; an unknown id is not found."""
    try:
        return KPIS_BY_ID[kpi_id]
    except KeyError:
        raise NotFound("There is no KPI {kpi}", {"kpi": kpi_id[:60]}) from None
