"""The demo's production data: K-MDS records of supported companies and their peers, so that the KPI pages and
the project outcomes have something true to show.

:func:`load_production_demo` runs after the support demo. It picks about 60 companies with a completed support
project (those of the most recent rounds first, since their data window is the shortest; the demo accounts'
companies always) and about 40 peers without any project, spread over KSIC divisions so that the divisions used
hold at least :data:`MIN_DIVISION_FACTORIES` factories (peer comparison needs five peers besides the factory).

For each such company's first factory (the factory its application named) it writes:

- a FactoryStructure record: enterprise, site, area, one work center and one work unit per main process of the
  factory (2-4);
- one ProductionPerformance record per work unit and working day (Mon-Fri, Saturdays half a day in factories
  that work them; public holidays, a summer week and a few days without data left out), from
  :data:`BASELINE_LEAD_DAYS` days before the project started (peers: :data:`PEER_FIRST_DAY`) until yesterday;
  for supported companies other than the demo accounts', the project's own months are skipped and the data stops
  :data:`AFTER_DAYS` after completion (what the outcome measures), which keeps the seed short;
- one EnergyCarbon record per factory and day.

Values are those of Korean SMEs: 8- or 16-hour days, availability 70-90 %, OEE 45-75 %, scrap 0.5-3 %, times in
whole seconds so that the K-MDS time model holds exactly (processing = production + setup, busy = processing +
delay, busy + down <= planned busy time <= period). After a project the factory changes: most improve
(productivity +5..+25 %, defect rate -10..-40 %, energy per unit -5..-15 %, half of it during the project), some
do not change, a few get worse, and a few stop sending data soon after completion, so that "too thin to say"
appears. Every draw comes from a generator seeded with the demo's seed and the factory; the dates hang on the
day of loading, as in the support demo.

The records go in with bulk Core inserts (one IngestBatch per company, source FILE, label "demo"), with the typed
columns of :func:`midas.ingest.facts_of`; then the KPI aggregates are rebuilt and the outcomes measured.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from midas.auth import SYSTEM
from midas.demo import distributions as shape
from midas.ingest import IngestBatch, IngestSource, ProductionRecord, facts_of
from midas.kpi import rebuild, refresh_outcomes
from midas.registry import Factory, Organization, OrganizationKind
from midas.support import ProjectStatus
from midas.support.models import SupportApplication, SupportProject, SupportRound

__all__ = [
    "BASELINE_LEAD_DAYS",
    "MIN_DIVISION_FACTORIES",
    "PEER_FIRST_DAY",
    "PRODUCTION_SCALES",
    "ProductionDemoSummary",
    "ProductionScale",
    "load_production_demo",
    "production_scale_for",
]

SEOUL: Final = ZoneInfo("Asia/Seoul")
BATCH_LABEL: Final = "demo"
CREATED_BY: Final = "demo"
INSERT_ROWS: Final = 5_000
BASELINE_LEAD_DAYS: Final = 120
PEER_FIRST_DAY: Final = date(2025, 6, 1)
#: Data of a supported factory (other than the demo members') stops this long after its project's completion, and
#: skips the project's own months: enough for its outcome (90 days each side) at a fraction of the seed time.
AFTER_DAYS: Final = 110
# Peer comparison needs five peers besides the factory itself.
MIN_DIVISION_FACTORIES: Final = 6
PRODUCTION: Final = "ProductionPerformance"
ENERGY: Final = "EnergyCarbon"
STRUCTURE: Final = "FactoryStructure"
# Korea's grid emission factor (tCO2/MWh, i.e. kg/kWh; 온실가스종합정보센터, 2021) and LNG's, approximate.
GRID_KG_CO2_PER_KWH: Final = 0.4567
GAS_KG_CO2_PER_KWH: Final = 0.202
# How the companies' outcomes are spread: most improve, some do not change, a few get worse.
OUTCOME_SHARES: Final[Mapping[str, float]] = {"better": 0.80, "flat": 0.12, "worse": 0.08}
# Of the supported factories, those of the round before the latest (a longer history, a spread of years).
OLDER_ROUND_SHARE: Final = 0.15
THIN_SHARE: Final = 0.03  # of supported factories, stop sending data 5-19 days after completion
MISSING_DAY_SHARE: Final = 0.015  # working days without data (a sensor gateway down, a file not sent)
SATURDAY_SHARE: Final = 0.6  # factories that work Saturday mornings
SIXTEEN_HOUR_SHARE: Final = 0.35

# Public holidays 2023-2026 (fixed ones each year, lunar ones and substitutes by year).
_FIXED_HOLIDAYS: Final = ((1, 1), (3, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25))
_LUNAR_HOLIDAYS: Final = (
    date(2023, 1, 21), date(2023, 1, 23), date(2023, 1, 24), date(2023, 5, 29), date(2023, 9, 28),
    date(2023, 9, 29), date(2023, 10, 2), date(2024, 2, 9), date(2024, 2, 12), date(2024, 4, 10),
    date(2024, 5, 6), date(2024, 5, 15), date(2024, 9, 16), date(2024, 9, 17), date(2024, 9, 18),
    date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 3, 3), date(2025, 5, 6),
    date(2025, 6, 3), date(2025, 10, 6), date(2025, 10, 7), date(2025, 10, 8), date(2026, 2, 16),
    date(2026, 2, 17), date(2026, 2, 18), date(2026, 3, 2), date(2026, 5, 25), date(2026, 6, 3),
    date(2026, 8, 17), date(2026, 9, 24), date(2026, 9, 25), date(2026, 10, 5),
)
HOLIDAYS: Final = frozenset({*_LUNAR_HOLIDAYS, *(date(year, month, day) for year in range(2023, 2027)
                                                  for month, day in _FIXED_HOLIDAYS)})


@dataclass(frozen=True, slots=True)
class LineShape:
    """What a division's work units make: cycle time per item (s), quantity unit, energy per item (kWh)."""

    cycle_seconds: tuple[float, float]
    quantity_unit: str
    kwh_per_item: tuple[float, float]


_DEFAULT_LINE: Final = LineShape((20.0, 90.0), "pcs", (0.05, 0.4))
LINE_SHAPES: Final[Mapping[str, LineShape]] = {
    "10": LineShape((1.0, 4.0), "pcs", (0.01, 0.05)),  # food: filling and packing
    "11": LineShape((1.0, 3.0), "l", (0.02, 0.06)),
    "13": LineShape((10.0, 30.0), "m", (0.05, 0.2)),
    "17": LineShape((2.0, 6.0), "kg", (0.3, 0.8)),
    "19": LineShape((1.0, 3.0), "l", (0.05, 0.2)),
    "20": LineShape((2.0, 8.0), "kg", (0.2, 0.9)),
    "21": LineShape((0.5, 2.0), "pcs", (0.005, 0.02)),
    "22": LineShape((20.0, 60.0), "pcs", (0.08, 0.3)),  # injection moulding
    "23": LineShape((5.0, 20.0), "kg", (0.3, 1.2)),
    "24": LineShape((4.0, 15.0), "kg", (0.5, 1.5)),
    "25": LineShape((5.0, 60.0), "pcs", (0.03, 0.3)),  # presses, machining, welding
    "26": LineShape((15.0, 45.0), "pcs", (0.02, 0.1)),  # SMT boards
    "29": LineShape((60.0, 300.0), "pcs", (0.3, 2.0)),  # CNC machining
    "30": LineShape((8.0, 45.0), "pcs", (0.05, 0.4)),
    "31": LineShape((600.0, 1800.0), "pcs", (5.0, 20.0)),
}


@dataclass(frozen=True, slots=True)
class ProductionScale:
    """How many factories get production data (with a completed project, and peers without any), and at most how
    many work units each (the small scale keeps tests quick)."""

    supported: int
    peers: int
    max_units: int = 4


PRODUCTION_SCALES: Final[Mapping[str, ProductionScale]] = {
    # Each factory costs about a second of seeding (records, aggregates, outcome): 100 keep `midas seed` short.
    "national": ProductionScale(60, 40),
    "small": ProductionScale(8, 6, max_units=1),
}


def production_scale_for(scale: shape.Scale) -> ProductionScale:
    """The production demo of a named scale, or one in proportion to the SMEs of another scale (at least small)."""
    known = PRODUCTION_SCALES.get(scale.name)
    if known is not None:
        return known
    factor = scale.smes / shape.NATIONAL.smes
    small = PRODUCTION_SCALES["small"]
    return ProductionScale(max(small.supported, round(60 * factor)), max(small.peers, round(40 * factor)),
                           max_units=4 if factor >= 0.2 else small.max_units)


@dataclass(frozen=True, slots=True)
class ProductionDemoSummary:
    """What the production demo wrote and how long it took."""

    factories: int
    supported: int
    peers: int
    records: int
    unit_days: int
    outcomes: int
    seconds: float


# -- which factories ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Project:
    """The supported project that changes a factory's figures: when it ran."""

    starts_on: date
    completed_on: date


@dataclass(frozen=True, slots=True)
class Site:
    """One factory that gets production data: from when, and the project that changes it (None for a peer)."""

    organization_id: int
    factory_id: int
    division: str
    processes: tuple[str, ...]
    first_day: date
    project: Project | None
    to_yesterday: bool = True  # False: data stops AFTER_DAYS after the project's completion


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _completed_projects(connection: Connection) -> dict[int, list[tuple[Project, int, int]]]:
    """Organization -> its completed projects with the factory its application named and the round's year."""
    projects, applications, rounds = _table(SupportProject), _table(SupportApplication), _table(SupportRound)
    rows = connection.execute(
        select(projects.c.organization_id, applications.c.factory_id, projects.c.starts_on, projects.c.completed_at,
               rounds.c.year)
        .join(applications, applications.c.id == projects.c.application_id)
        .join(rounds, rounds.c.id == applications.c.round_id)
        .where(projects.c.status == ProjectStatus.COMPLETED, applications.c.factory_id.is_not(None))
        .order_by(projects.c.id)).all()
    found: dict[int, list[tuple[Project, int, int]]] = defaultdict(list)
    for organization_id, factory_id, starts_on, completed_at, year in rows:
        completed = completed_at.replace(tzinfo=completed_at.tzinfo or UTC).astimezone(SEOUL).date()
        found[organization_id].append((Project(starts_on, completed), factory_id, year))
    return found


def _sme_factories(connection: Connection) -> dict[int, tuple[int, str, tuple[str, ...]]]:
    """SME -> (its first factory, KSIC division, the factory's main processes)."""
    factories, organizations = _table(Factory), _table(Organization)
    rows = connection.execute(
        select(factories.c.organization_id, factories.c.id, organizations.c.ksic_code, factories.c.main_processes)
        .join(organizations, organizations.c.id == factories.c.organization_id)
        .where(organizations.c.kind == OrganizationKind.SME).order_by(factories.c.id)).all()
    found: dict[int, tuple[int, str, tuple[str, ...]]] = {}
    for organization_id, factory_id, ksic_code, processes in rows:
        steps = tuple(step.strip() for step in (processes or "").split(",") if step.strip())
        found.setdefault(organization_id, (factory_id, ksic_code[:2], steps))
    return found


def choose_sites(connection: Connection, size: ProductionScale, rng: random.Random,
                 always: Sequence[int] = ()) -> list[Site]:
    """The supported factories (the ``always`` organizations first, then the latest projects, some a year older
    for a spread of years) and the peers that fill their divisions."""
    completed = _completed_projects(connection)
    smes = _sme_factories(connection)
    supported: list[Site] = []
    by_year: dict[int, list[int]] = defaultdict(list)
    for organization_id, projects in sorted(completed.items()):
        if organization_id in smes:
            by_year[max(year for _, _, year in projects)].append(organization_id)
    years = sorted(by_year, reverse=True)
    chosen = list(dict.fromkeys(organization for organization in always
                                if organization in completed and organization in smes))
    older = round(size.supported * OLDER_ROUND_SHARE) if len(years) > 1 else 0
    wanted = [size.supported - older - len(chosen), older]
    for year, count in zip(years, wanted, strict=False):
        pool = [organization for organization in by_year[year] if organization not in chosen]
        chosen += rng.sample(pool, min(max(0, count), len(pool)))
    chosen = _with_one_full_division(chosen, [o for year in years for o in by_year[year]], smes, len(chosen) - len(
        [o for o in chosen if o not in always]))
    for organization_id in chosen:
        factory_id, division, processes = smes[organization_id]
        project = min((project for project, _, _ in completed[organization_id]), key=lambda p: p.starts_on)
        last = max((project for project, _, _ in completed[organization_id]), key=lambda p: p.completed_on)
        supported.append(Site(organization_id, factory_id, division, processes,
                              project.starts_on - timedelta(days=BASELINE_LEAD_DAYS),
                              Project(last.starts_on, last.completed_on), organization_id in always))
    return supported + _peers(connection, supported, smes, size.peers, rng)


def _with_one_full_division(chosen: list[int], pool: Sequence[int],
                            smes: Mapping[int, tuple[int, str, tuple[str, ...]]], keep: int) -> list[int]:
    """The chosen companies, with picks of other divisions (never the first ``keep``) swapped for companies of the
    most chosen division until it holds :data:`MIN_DIVISION_FACTORIES` (a small scale has few peers to fill it)."""
    divisions = Counter(smes[organization][1] for organization in chosen)
    if not divisions:
        return chosen
    top, have = divisions.most_common(1)[0]
    extra = [organization for organization in pool if smes[organization][1] == top and organization not in chosen]
    result = list(chosen)
    for index in range(len(result) - 1, keep - 1, -1):
        if have >= MIN_DIVISION_FACTORIES or not extra:
            break
        if smes[result[index]][1] != top:
            result[index] = extra.pop()
            have += 1
    return result


def _peers(connection: Connection, supported: Sequence[Site], smes: Mapping[int, tuple[int, str, tuple[str, ...]]],
           count: int, rng: random.Random) -> list[Site]:
    """SMEs without any project: first the divisions that lack factories for a peer comparison (largest first),
    then in proportion to the supported factories' divisions."""
    with_projects = set(connection.scalars(select(_table(SupportProject).c.organization_id).distinct()))
    pools: dict[str, list[int]] = defaultdict(list)
    for organization_id, (_, division, _) in sorted(smes.items()):
        if organization_id not in with_projects:
            pools[division].append(organization_id)
    for pool in pools.values():
        rng.shuffle(pool)
    have = Counter(site.division for site in supported)
    picked: list[int] = []
    for division, number in have.most_common():
        lacking = min(max(0, MIN_DIVISION_FACTORIES - number), len(pools[division]), count - len(picked))
        picked += [pools[division].pop() for _ in range(lacking)]
    weights = [(division, number) for division, number in have.most_common() if pools[division]]
    while len(picked) < count and weights:
        division = rng.choices([d for d, _ in weights], [w for _, w in weights])[0]
        picked.append(pools[division].pop())
        weights = [(d, w) for d, w in weights if pools[d]]
    return [Site(organization_id, smes[organization_id][0], smes[organization_id][1], smes[organization_id][2],
                 PEER_FIRST_DAY, None) for organization_id in picked]


# -- what each factory does --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """One work unit: its id, product, cycle time, energy per item and crew."""

    equipment_id: str
    product_id: str
    cycle_seconds: float
    kwh_per_item: float
    workers: int


@dataclass(frozen=True, slots=True)
class Effect:
    """What the project changed, as fractions: productivity up, defect rate down, energy per unit down."""

    productivity: float
    defects: float
    energy: float
    downtime: float


NO_EFFECT: Final = Effect(0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Profile:
    """A factory's habits: shift length, Saturdays, the base levels of its KPIs, its units, and its project."""

    site: Site
    enterprise: str
    hours: int
    saturdays: bool
    summer_week: date
    quantity_unit: str
    oee: float
    availability: float
    scrap: float
    rework: float
    electricity_share: float
    units: tuple[Unit, ...]
    effect: Effect
    last_day: date


def _effect(rng: random.Random) -> Effect:
    kind = rng.choices(list(OUTCOME_SHARES), list(OUTCOME_SHARES.values()))[0]
    if kind == "better":
        return Effect(rng.uniform(0.05, 0.25), rng.uniform(0.10, 0.40), rng.uniform(0.05, 0.15), rng.uniform(0, 0.3))
    if kind == "worse":
        return Effect(rng.uniform(-0.10, -0.03), rng.uniform(-0.30, -0.10), rng.uniform(-0.08, -0.02), 0.0)
    return NO_EFFECT


def profile_of(site: Site, seed: int, yesterday: date, *, max_units: int = 4) -> Profile:
    """The factory's habits, drawn from a generator of its own (the same for the same seed and factory)."""
    rng = random.Random(f"midas-demo-production:{seed}:{site.factory_id}")
    line = LINE_SHAPES.get(site.division, _DEFAULT_LINE)
    enterprise = f"F{site.factory_id}"
    processes = site.processes or ("가공", "조립")
    units = tuple(Unit(f"{enterprise}-S1-A1-L1-U{index + 1:02d}", f"P{site.factory_id}-{index + 1:02d}",
                       round(rng.uniform(*line.cycle_seconds), 2), rng.uniform(*line.kwh_per_item),
                       rng.randint(1, 3)) for index in range(min(max_units, 4, max(2, len(processes)))))
    oee = rng.uniform(0.45, 0.75)
    scrap, rework = rng.uniform(0.005, 0.03), rng.uniform(0.002, 0.012)
    availability = rng.uniform(max(0.70, oee / (0.93 * (1 - scrap - rework))), 0.90)
    last_day = yesterday
    effect = NO_EFFECT
    if site.project is not None:
        effect = _effect(rng)
        if not site.to_yesterday:
            last_day = min(yesterday, site.project.completed_on + timedelta(days=AFTER_DAYS))
        if rng.random() < THIN_SHARE:
            last_day = min(yesterday, site.project.completed_on + timedelta(days=rng.randint(5, 19)))
    summer = date(2025, 7, 28) + timedelta(days=7 * rng.randint(0, 1))
    return Profile(site, enterprise, 16 if rng.random() < SIXTEEN_HOUR_SHARE else 8, rng.random() < SATURDAY_SHARE,
                   summer, line.quantity_unit, oee, availability, scrap, rework, rng.uniform(0.8, 1.0), units,
                   effect, last_day)


def structure_record(profile: Profile) -> dict[str, Any]:
    """The factory's FactoryStructure record: enterprise, site, area, one work center and its work units."""
    prefix = profile.enterprise

    def node(id_short: str, equipment: str, level: str, children: list[dict[str, Any]]) -> dict[str, Any]:
        return {"idShort": id_short, "EquipmentId": equipment, "EquipmentLevel": level,
                **({"Node": children} if children else {})}

    units = [node(f"Unit{index + 1:02d}", unit.equipment_id, "WorkUnit", [])
             for index, unit in enumerate(profile.units)]
    center = node("Line1", f"{prefix}-S1-A1-L1", "WorkCenter", units)
    area = node("Production", f"{prefix}-S1-A1", "Area", [center])
    site = node("Plant1", f"{prefix}-S1", "Site", [area])
    return {"EntryNode": node(f"Factory{profile.site.factory_id}", prefix, "Enterprise", [site]), "ArcheType": "Full"}


def working_days(profile: Profile, seed: int) -> Iterator[date]:
    """The factory's working days with data: Mon-Fri (and Saturdays if it works them), not holidays, not its
    summer week, and not the few days its data did not come."""
    rng = random.Random(f"midas-demo-production:{seed}:{profile.site.factory_id}:missing")
    day = profile.site.first_day
    project = profile.site.project
    while day <= profile.last_day:
        if project is not None and not profile.site.to_yesterday and project.starts_on <= day <= project.completed_on:
            day = project.completed_on + timedelta(days=1)  # the project's own months are not measured
            continue
        weekday = day.weekday()
        if (weekday < 5 or (weekday == 5 and profile.saturdays)) and day not in HOLIDAYS \
                and not profile.summer_week <= day < profile.summer_week + timedelta(days=5) \
                and rng.random() >= MISSING_DAY_SHARE:
            yield day
        day += timedelta(days=1)


def _phase(profile: Profile, day: date) -> float:
    """How much of the project's effect shows on ``day``: none before, half by the end of the work, all after."""
    project = profile.site.project
    if project is None or day < project.starts_on:
        return 0.0
    if day > project.completed_on:
        return 1.0
    length = max(1, (project.completed_on - project.starts_on).days)
    return 0.5 * (day - project.starts_on).days / length


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def day_records(profile: Profile, day: date, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ProductionPerformance record of each work unit on ``day``, and the factory's EnergyCarbon record."""
    hours = 4 if day.weekday() == 5 else profile.hours
    span = hours + (1 if hours == 8 else 2 if hours == 16 else 0)  # lunch (and dinner) breaks
    start = datetime(day.year, day.month, day.day, 8, tzinfo=SEOUL)
    start_text, end_text = start.isoformat(), (start + timedelta(hours=span)).isoformat()
    phase, effect = _phase(profile, day), profile.effect
    planned = hours * 3600
    records, produced, energy = [], 0, 0.0
    for unit in profile.units:
        quality_loss = 1 - (profile.scrap + profile.rework) * (1 - effect.defects * phase)
        availability = _clip(profile.availability * rng.gauss(1, 0.03), 0.55, 0.97)
        if rng.random() < 0.03:  # a breakdown
            availability *= rng.uniform(0.55, 0.8)
        losses = planned * (1 - availability)
        # Down, setup and delay take at most 95 % of the lost time (the rest is idle), so busy + down <= planned.
        down = round(losses * rng.uniform(0.3, 0.45) * (1 - effect.downtime * phase))
        setup = round(losses * rng.uniform(0.2, 0.3))
        delay = round(losses * rng.uniform(0.1, 0.2))
        production = round(planned * availability)
        speed = 1 + effect.productivity * phase
        effectiveness = _clip(profile.oee / (profile.availability * quality_loss) * rng.gauss(1, 0.04), 0.3, 0.97)
        effectiveness_after = min(0.97, effectiveness * math.sqrt(speed))
        cycle = round(unit.cycle_seconds * effectiveness_after / (effectiveness * speed), 2)
        quantity = max(1, int(production * effectiveness_after / cycle))
        defect_share = (profile.scrap + profile.rework) * (1 - effect.defects * phase) * rng.gauss(1, 0.2)
        # Rounded at random, so that a unit making a few large items a day still scraps its share on average.
        defects = int(quantity * _clip(defect_share, 0.0, 0.2) + rng.random())
        scrap = int(defects * profile.scrap / (profile.scrap + profile.rework) + rng.random())
        rework = defects - scrap
        good = quantity - defects
        busy = production + setup + delay
        queuing, transport = round(busy * rng.uniform(0.02, 0.08)), round(busy * rng.uniform(0.01, 0.04))
        attendance = unit.workers * planned
        records.append({
            "WorkUnitId": unit.equipment_id, "PeriodKind": "Day", "PeriodStart": start_text, "PeriodEnd": end_text,
            "OrderId": f"WO-{day:%y%m%d}-{unit.equipment_id[-2:]}", "ProductId": unit.product_id,
            "QuantityUnit": profile.quantity_unit, "PlannedBusyTime": planned, "PlannedRuntimePerItem": cycle,
            "ActualProductionTime": production, "ActualUnitSetupTime": setup,
            "ActualUnitProcessingTime": production + setup, "ActualUnitDelayTime": delay,
            "ActualUnitBusyTime": busy, "ActualUnitDownTime": down,
            "ActualOrderExecutionTime": busy + queuing + transport, "ActualQueuingTime": queuing,
            "ActualTransportTime": transport, "ActualPersonnelWorkTime": round(attendance * rng.uniform(0.8, 0.95)),
            "ActualPersonnelAttendanceTime": attendance, "ProducedQuantity": quantity, "GoodQuantity": good,
            "ScrapQuantity": scrap, "ReworkQuantity": rework, "GoodPart": good, "InspectedPart": quantity,
        })
        produced += quantity
        energy += quantity * unit.kwh_per_item * (1 - effect.energy * phase) * rng.gauss(1, 0.04)
    energy = round(max(energy, 0.1), 1)
    electricity = round(energy * profile.electricity_share, 1)
    emissions = electricity * GRID_KG_CO2_PER_KWH + (energy - electricity) * GAS_KG_CO2_PER_KWH
    return records, {
        "EquipmentId": f"{profile.enterprise}-S1", "PeriodStart": start_text, "PeriodEnd": end_text,
        "EnergyConsumption": energy, "ElectricityConsumption": electricity, "ProducedQuantity": produced,
        "QuantityUnit": profile.quantity_unit, "EnergyPerUnit": round(energy / produced, 6),
        "GreenhouseGasEmissions": round(emissions, 1),
    }


def factory_records(profile: Profile, seed: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(template, idempotency key, record) of every record of the factory, the structure first."""
    site = profile.site
    rng = random.Random(f"midas-demo-production:{seed}:{site.factory_id}:days")
    yield STRUCTURE, f"demo:{site.factory_id}:structure", structure_record(profile)
    for day in working_days(profile, seed):
        units, energy = day_records(profile, day, rng)
        for record in units:
            yield PRODUCTION, f"demo:{site.factory_id}:{record['WorkUnitId']}:{day.isoformat()}", record
        yield ENERGY, f"demo:{site.factory_id}:energy:{day.isoformat()}", energy


# -- writing -----------------------------------------------------------------------------------------------------


def _insert_batches(connection: Connection, sites: Sequence[Site], received: datetime) -> dict[int, int]:
    """One IngestBatch per company (an uploaded history file); organization -> batch id."""
    batches = _table(IngestBatch)
    connection.execute(insert(batches), [
        {"organization_id": site.organization_id, "source": IngestSource.FILE, "label": BATCH_LABEL, "accepted": 0,
         "duplicates": 0, "rejected": 0, "created_by_label": CREATED_BY, "received_at": received}
        for site in sites])
    wanted = {site.organization_id for site in sites}
    return {organization_id: batch_id for organization_id, batch_id in connection.execute(
        select(batches.c.organization_id, batches.c.id).where(batches.c.label == BATCH_LABEL))
        if organization_id in wanted}


def _write_factory(connection: Connection, profile: Profile, seed: int, batch_id: int, received: datetime,
                   pending: list[dict[str, Any]]) -> int:
    """Queue the factory's records, flushing every :data:`INSERT_ROWS`; how many records it has."""
    site, table, count = profile.site, _table(ProductionRecord), 0
    for template, key, record in factory_records(profile, seed):
        pending.append({"organization_id": site.organization_id, "factory_id": site.factory_id, "batch_id": batch_id,
                        "template": template, "idempotency_key": key, "record": record, "received_at": received,
                        **facts_of(template, record)})
        count += 1
        if len(pending) >= INSERT_ROWS:
            connection.execute(insert(table), pending)
            pending.clear()
    return count


def load_production_demo(session: Session, size: ProductionScale, seed: int, *, today: date,
                         always: Sequence[int] = (), on_total: Callable[[int], None] | None = None,
                         advance: Callable[[int], None] | None = None) -> ProductionDemoSummary:
    """Write the production demo (see the module docstring), rebuild the KPI aggregates and measure the
    outcomes; ``on_total`` hears how many steps there are (one per factory, one for the aggregates, one for the
    outcomes), ``advance`` each step as it is done."""
    # Imported here until midas.kpi exports it (the lead adds the export), so that midas.demo imports meanwhile.


    started = time.perf_counter()
    step = advance or (lambda _: None)
    connection = session.connection()
    rng = random.Random(f"midas-demo-production:{seed}")
    sites = choose_sites(connection, size, rng, always)
    if on_total is not None:
        on_total(len(sites) + 2)
    received = datetime.now(UTC)
    batch_ids = _insert_batches(connection, sites, received)
    yesterday = today - timedelta(days=1)
    pending: list[dict[str, Any]] = []
    counts: dict[int, int] = {}
    for site in sites:
        profile = profile_of(site, seed, yesterday, max_units=size.max_units)
        counts[site.organization_id] = _write_factory(connection, profile, seed, batch_ids[site.organization_id],
                                                      received, pending)
        step(1)
    if pending:
        connection.execute(insert(_table(ProductionRecord)), pending)
    batches = _table(IngestBatch)
    connection.execute(batches.update().where(batches.c.id == bindparam("batch")), [
        {"batch": batch_ids[organization_id], "accepted": count} for organization_id, count in counts.items()])
    built = rebuild(session)
    step(1)
    measured = refresh_outcomes(session, actor=SYSTEM, today=today)
    step(1)
    supported = sum(1 for site in sites if site.project is not None)
    return ProductionDemoSummary(factories=len(sites), supported=supported, peers=len(sites) - supported,
                                 records=sum(counts.values()), unit_days=built.unit_days or 0,
                                 outcomes=measured.total, seconds=time.perf_counter() - started)
