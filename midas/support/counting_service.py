"""National counting: which companies count toward the MIDAS 2027 targets, and the counts by year, region and
industry for the public page and the dashboard.

The rules are stored with each program (``SupportProgram.counting_rules``)::

    [{"category": "advanced_digital", "tracks": ["advanced", "leading"], "min_level": 3},
     {"category": "transformed", "tracks": ["basic", "winwin", "regional"], "min_level": 1}]

(``midas2027.yaml`` adds ``"requires": "completed_project"`` to each rule, which is what counting requires anyway;
the key is optional and no other value is accepted.)

How a company counts:

1. A *qualifying project* is a :class:`SupportProject` with status COMPLETED (its ``completed_at`` is the moment)
   of an application in a track whose kind one of its program's rules lists, where the application's linked
   assessment has a ``final_level`` at or above that rule's ``min_level``. An application without a finished
   assessment never qualifies.
2. A company counts **once**. If it has a qualifying project in the ``advanced_digital`` category it counts there
   (the stricter target), in the year of its first advanced-digital qualification, even when an earlier project
   had made it a transformed company; otherwise it counts as ``transformed`` in the year of its first transformed
   qualification.
3. Years are calendar years in Korea (Asia/Seoul); only qualifications from 2023 to 2027, the years of MIDAS
   2027, count.

Everything is aggregated by the database in one grouped query (category × year × region × KSIC division, a few
thousand cells at most), from which the totals, the trajectory and the breakdowns are summed; fast for tens of
thousands of projects. The aggregates are public and name no company; :func:`counted_companies` lists the
companies, for operators and auditors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from midas.assessment import Assessment
from midas.auth import Actor, Permission
from midas.db import UtcDateTime
from midas.errors import InvalidInput, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Organization, ksic_divisions, regions
from midas.support.enums import COUNTING_TARGETS, CountingCategory, ProjectStatus, TrackKind
from midas.support.models import SupportApplication, SupportProgram, SupportProject, SupportRound, SupportTrack

SEOUL = ZoneInfo("Asia/Seoul")
FIRST_YEAR = 2023
TARGET_YEAR = 2027
COUNTING_YEARS = tuple(range(FIRST_YEAR, TARGET_YEAR + 1))
# The stricter target first: a company that qualifies for both counts in the first category listed here.
CATEGORY_ORDER = (CountingCategory.ADVANCED_DIGITAL, CountingCategory.TRANSFORMED)
TOTAL_TARGET = sum(COUNTING_TARGETS.values())
MAX_LEVEL = 10
RULE_KEYS = ("category", "tracks", "min_level")
# What a rule may say it requires; a completed project is what counting always requires (the key is optional).
REQUIREMENTS = ("completed_project",)
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class CountingRule:
    """Completing a project in one of ``tracks`` with an assessed level of at least ``min_level`` counts the
    company in ``category``."""

    category: CountingCategory
    tracks: tuple[TrackKind, ...]
    min_level: int

    def to_data(self) -> dict[str, Any]:
        return {"category": self.category.value, "tracks": [track.value for track in self.tracks],
                "min_level": self.min_level}


def parse_counting_rules(data: object) -> tuple[CountingRule, ...]:
    """Read a program's counting rules from their JSON form; :class:`InvalidInput` names every problem and where
    (``counting_rules[1].tracks[0]``). An empty list is allowed: that program's projects count toward nothing."""
    if not isinstance(data, list):
        raise InvalidInput([Problem("counting_rules", "The counting rules must be a list")])
    problems: list[Problem] = []
    rules: list[CountingRule] = []
    for position, item in enumerate(data):
        where = f"counting_rules[{position}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "A counting rule must be an object with category, tracks and min_level"))
            continue
        found = len(problems)
        for key in sorted(str(key) for key in item if key not in (*RULE_KEYS, "requires")):
            problems.append(Problem(f"{where}.{key}", "A counting rule has no key {key}", {"key": key}))
        for key in RULE_KEYS:
            if key not in item:
                problems.append(Problem(f"{where}.{key}", "A counting rule needs the key {key}", {"key": key}))
        category = _category(item.get("category"), f"{where}.category", problems) if "category" in item else None
        tracks = _tracks(item.get("tracks"), f"{where}.tracks", problems) if "tracks" in item else None
        level = _level(item.get("min_level"), f"{where}.min_level", problems) if "min_level" in item else None
        if "requires" in item and item["requires"] not in REQUIREMENTS:
            problems.append(Problem(f"{where}.requires", "Unknown requirement {value}; known are {known}",
                                    {"value": str(item["requires"]), "known": ", ".join(REQUIREMENTS)}))
        if len(problems) == found and category is not None and tracks is not None and level is not None:
            rules.append(CountingRule(category, tracks, level))
    if problems:
        raise InvalidInput(problems)
    return tuple(rules)


def _category(value: object, where: str, problems: list[Problem]) -> CountingCategory | None:
    if isinstance(value, str) and value in {category.value for category in CountingCategory}:
        return CountingCategory(value)
    problems.append(Problem(where, "Unknown counting category {value}; known are {known}",
                            {"value": str(value), "known": ", ".join(c.value for c in CountingCategory)}))
    return None


def _tracks(value: object, where: str, problems: list[Problem]) -> tuple[TrackKind, ...] | None:
    if not isinstance(value, list) or not value:
        problems.append(Problem(where, "The tracks of a counting rule must be a non-empty list of track kinds"))
        return None
    known = ", ".join(kind.value for kind in TrackKind)
    tracks: list[TrackKind] = []
    bad = False
    for position, entry in enumerate(value):
        if not isinstance(entry, str) or entry not in {kind.value for kind in TrackKind}:
            problems.append(Problem(f"{where}[{position}]", "Unknown track kind {value}; known are {known}",
                                    {"value": str(entry), "known": known}))
            bad = True
        elif TrackKind(entry) in tracks:
            problems.append(Problem(f"{where}[{position}]", "The track {value} is listed twice", {"value": entry}))
            bad = True
        else:
            tracks.append(TrackKind(entry))
    return None if bad else tuple(tracks)


def _level(value: object, where: str, problems: list[Problem]) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LEVEL:
        problems.append(Problem(where, "The minimum level must be a whole number from 1 to {max}",
                                {"max": MAX_LEVEL}))
        return None
    return value


# -- the aggregates ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryCount:
    """How many companies count in one category, against its target."""

    category: CountingCategory
    count: int
    target: int

    @property
    def share_percent(self) -> float:
        return round(100 * self.count / self.target, 1) if self.target else 0.0


@dataclass(frozen=True, slots=True)
class NationalCounts:
    """The counts of both categories and their total toward 25,000."""

    categories: tuple[CategoryCount, ...]
    total: int
    total_target: int

    @property
    def total_share_percent(self) -> float:
        return round(100 * self.total / self.total_target, 1) if self.total_target else 0.0


@dataclass(frozen=True, slots=True)
class YearCount:
    """One year of the trajectory: companies newly counted that year and counted so far, per category, and
    where the straight path from 0 (start of 2023) to the targets (end of 2027) stands at the end of the year."""

    year: int
    new: Mapping[CountingCategory, int]
    cumulative: Mapping[CountingCategory, int]
    path: Mapping[CountingCategory, int]

    @property
    def new_total(self) -> int:
        return sum(self.new.values())

    @property
    def cumulative_total(self) -> int:
        return sum(self.cumulative.values())

    @property
    def path_total(self) -> int:
        return sum(self.path.values())


@dataclass(frozen=True, slots=True)
class AreaCount:
    """Counted companies in one region or one KSIC division, per category."""

    code: str
    name_ko: str
    name_en: str
    counts: Mapping[CountingCategory, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ko


@dataclass(frozen=True, slots=True)
class NationalOverview:
    """Everything the public page and the API show: totals, the trajectory, regions and industries."""

    counts: NationalCounts
    years: tuple[YearCount, ...]
    regions: tuple[AreaCount, ...]
    industries: tuple[AreaCount, ...]


@dataclass(frozen=True, slots=True)
class _Cell:
    category: CountingCategory
    year: int
    region: str
    division: str
    count: int


def _year_start(year: int) -> datetime:
    """The first moment of ``year`` in Korea, in UTC."""
    return datetime(year, 1, 1, tzinfo=SEOUL).astimezone(UTC)


def _rules_by_program(session: Session) -> dict[int, tuple[CountingRule, ...]]:
    """Each program's parsed rules; a program whose stored rules no longer parse counts nothing (it is refused
    when it is saved, so this only guards against a hand-edited row)."""
    found: dict[int, tuple[CountingRule, ...]] = {}
    for program_id, data in session.execute(select(SupportProgram.id, SupportProgram.counting_rules)):
        try:
            found[program_id] = parse_counting_rules(data)
        except InvalidInput:
            found[program_id] = ()
    return found


def _qualifies(rules: Mapping[int, Sequence[CountingRule]], category: CountingCategory) -> ColumnElement[bool]:
    """The SQL condition "this completed project qualifies its company in ``category``"."""
    terms = [
        and_(SupportRound.program_id == program_id,
             SupportTrack.kind.in_([track.value for track in rule.tracks]),
             Assessment.final_level >= rule.min_level)
        for program_id, program_rules in sorted(rules.items()) for rule in program_rules if rule.category is category
    ]
    return or_(*terms) if terms else false()


def _firsts(session: Session) -> Any:
    """Per company that qualifies: the first moment it qualified in each category (NULL when it never did),
    and the project and application that made it (the earliest in the category it counts in)."""
    rules = _rules_by_program(session)
    advanced = _qualifies(rules, CountingCategory.ADVANCED_DIGITAL)
    transformed = _qualifies(rules, CountingCategory.TRANSFORMED)
    first_advanced = func.min(case((advanced, SupportProject.completed_at), else_=None))
    first_transformed = func.min(case((transformed, SupportProject.completed_at), else_=None))
    return (
        select(SupportProject.organization_id.label("organization_id"),
               first_advanced.label("advanced_at"), first_transformed.label("transformed_at"))
        .join(SupportApplication, SupportApplication.id == SupportProject.application_id)
        .join(SupportTrack, SupportTrack.id == SupportApplication.track_id)
        .join(SupportRound, SupportRound.id == SupportTrack.round_id)
        .join(Assessment, Assessment.id == SupportApplication.assessment_id)
        .where(SupportProject.status == ProjectStatus.COMPLETED, SupportProject.completed_at.is_not(None),
               or_(advanced, transformed))
        .group_by(SupportProject.organization_id)
        .subquery("firsts")
    )


def _counted(session: Session) -> Any:
    """One row per counted company: its category, the moment it counted, its region and KSIC division."""
    firsts = _firsts(session)
    is_advanced = firsts.c.advanced_at.is_not(None)
    counted_at = case((is_advanced, firsts.c.advanced_at), else_=firsts.c.transformed_at)
    category = case((is_advanced, literal(CountingCategory.ADVANCED_DIGITAL.value)),
                    else_=literal(CountingCategory.TRANSFORMED.value))
    start, end = _bound(_year_start(FIRST_YEAR)), _bound(_year_start(TARGET_YEAR + 1))
    year = case(*[(counted_at < _bound(_year_start(year + 1)), literal(year)) for year in COUNTING_YEARS[:-1]],
                else_=literal(TARGET_YEAR))
    return (
        select(firsts.c.organization_id.label("organization_id"), category.label("category"),
               counted_at.label("counted_at"), year.label("year"), Organization.region_code.label("region"),
               func.substr(Organization.ksic_code, 1, 2).label("division"))
        .join(Organization, Organization.id == firsts.c.organization_id)
        .where(counted_at >= start, counted_at < end)
        .subquery("counted")
    )


def _bound(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, UtcDateTime())


def _cells(session: Session) -> list[_Cell]:
    counted = _counted(session)
    query: Select[Any] = (
        select(counted.c.category, counted.c.year, counted.c.region, counted.c.division, func.count())
        .group_by(counted.c.category, counted.c.year, counted.c.region, counted.c.division)
    )
    return [_Cell(CountingCategory(category), int(year), region, division, int(count))
            for category, year, region, division, count in session.execute(query)]


def _zeros() -> dict[CountingCategory, int]:
    return dict.fromkeys(CATEGORY_ORDER, 0)


def _national(cells: Iterable[_Cell]) -> NationalCounts:
    counts = _zeros()
    for cell in cells:
        counts[cell.category] += cell.count
    return NationalCounts(
        categories=tuple(CategoryCount(category, counts[category], COUNTING_TARGETS[category])
                         for category in CATEGORY_ORDER),
        total=sum(counts.values()), total_target=TOTAL_TARGET)


def _years(cells: Iterable[_Cell]) -> tuple[YearCount, ...]:
    new: dict[int, dict[CountingCategory, int]] = {year: _zeros() for year in COUNTING_YEARS}
    for cell in cells:
        new[cell.year][cell.category] += cell.count
    running = _zeros()
    rows = []
    span = TARGET_YEAR - FIRST_YEAR + 1
    for year in COUNTING_YEARS:
        for category in CATEGORY_ORDER:
            running[category] += new[year][category]
        path = {category: COUNTING_TARGETS[category] * (year - FIRST_YEAR + 1) // span for category in CATEGORY_ORDER}
        rows.append(YearCount(year, dict(new[year]), dict(running), path))
    return tuple(rows)


def _regions(cells: Iterable[_Cell]) -> tuple[AreaCount, ...]:
    counts: dict[str, dict[CountingCategory, int]] = defaultdict(_zeros)
    for cell in cells:
        counts[cell.region][cell.category] += cell.count
    return tuple(AreaCount(code, name.name_ko, name.name_en, dict(counts.get(code) or _zeros()))
                 for code, name in sorted(regions().items()))


def _industries(cells: Iterable[_Cell]) -> tuple[AreaCount, ...]:
    counts: dict[str, dict[CountingCategory, int]] = defaultdict(_zeros)
    for cell in cells:
        counts[cell.division][cell.category] += cell.count
    names = ksic_divisions()
    rows = [AreaCount(code, names[code].name_ko if code in names else code,
                      names[code].name_en if code in names else code, dict(values))
            for code, values in counts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.total, row.code)))


def national_counts(session: Session) -> NationalCounts:
    """Companies counted toward each target (advanced digital 5,000; transformed 20,000), its share of the target
    and the total toward 25,000. Public: no company is named."""
    return _national(_cells(session))


def counts_by_year(session: Session) -> tuple[YearCount, ...]:
    """For 2023-2027: companies newly counted each year and counted so far, per category, against the straight
    path to the 2027 targets."""
    return _years(_cells(session))


def counts_by_region(session: Session) -> tuple[AreaCount, ...]:
    """Counted companies in each of the 17 regions (the organization's region), per category; regions with none
    are listed with zeros, in the order of their codes."""
    return _regions(_cells(session))


def counts_by_industry(session: Session) -> tuple[AreaCount, ...]:
    """Counted companies per KSIC division of the organization, per category, most first."""
    return _industries(_cells(session))


def national_overview(session: Session) -> NationalOverview:
    """The totals, the trajectory and both breakdowns from one grouped query (what the public page shows)."""
    cells = _cells(session)
    return NationalOverview(_national(cells), _years(cells), _regions(cells), _industries(cells))


# -- the counted companies, for operators ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountedCompany:
    """A counted company and the completed project that made it count (the first one of its category)."""

    organization_id: int
    name: str
    region_code: str
    division: str
    category: CountingCategory
    year: int
    counted_at: datetime
    project_id: int
    application_id: int
    track: TrackKind
    level: int


def counted_companies(session: Session, *, actor: Actor, page: int = 1, page_size: int = 50,
                      category: CountingCategory | None = None, year: int | None = None) -> Page[CountedCompany]:
    """The counted companies, newest count first, each with the project that made it count; for operators and
    auditors (it names companies, so it is not public)."""
    if not (actor.can(Permission.SUPPORT_VIEW_ALL) or actor.can(Permission.SUPPORT_MANAGE)):
        raise PermissionDenied("Only operators and auditors see which companies count")
    problems = []
    if page < 1:
        problems.append(Problem("page", "The page must be 1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(Problem("page_size", "The page size must be from 1 to {max}", {"max": MAX_PAGE_SIZE}))
    if year is not None and year not in COUNTING_YEARS:
        problems.append(Problem("year", "The year must be from {first} to {last}",
                                {"first": FIRST_YEAR, "last": TARGET_YEAR}))
    if problems:
        raise InvalidInput(problems)
    counted = _counted(session)
    conditions = []
    if category is not None:
        conditions.append(counted.c.category == category.value)
    if year is not None:
        conditions.append(counted.c.year == year)
    total = int(session.scalar(select(func.count()).select_from(counted).where(*conditions)) or 0)
    rows = session.execute(
        select(counted.c.organization_id, counted.c.category, counted.c.counted_at, counted.c.year,
               counted.c.region, counted.c.division, Organization.name)
        .join(Organization, Organization.id == counted.c.organization_id)
        .where(*conditions)
        .order_by(counted.c.counted_at.desc(), counted.c.organization_id)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    projects = _counting_projects(session, [(row.organization_id, row.counted_at) for row in rows])
    items = []
    for row in rows:
        project_id, application_id, track, level = projects[(row.organization_id, row.counted_at)]
        items.append(CountedCompany(row.organization_id, row.name, row.region, row.division,
                                    CountingCategory(row.category), int(row.year), row.counted_at, project_id,
                                    application_id, track, level))
    return Page(items, total, page, page_size)


def _counting_projects(session: Session, keys: Sequence[tuple[int, datetime]]
                       ) -> dict[tuple[int, datetime], tuple[int, int, TrackKind, int]]:
    """The completed project of each (company, moment) pair: the one that made the company count."""
    if not keys:
        return {}
    query = (
        select(SupportProject.organization_id, SupportProject.completed_at, SupportProject.id,
               SupportApplication.id, SupportTrack.kind, Assessment.final_level)
        .join(SupportApplication, SupportApplication.id == SupportProject.application_id)
        .join(SupportTrack, SupportTrack.id == SupportApplication.track_id)
        .join(Assessment, Assessment.id == SupportApplication.assessment_id)
        .where(SupportProject.status == ProjectStatus.COMPLETED,
               SupportProject.organization_id.in_(sorted({organization for organization, _ in keys})))
        .order_by(SupportProject.id)
    )
    wanted = set(keys)
    found: dict[tuple[int, datetime], tuple[int, int, TrackKind, int]] = {}
    for organization_id, completed_at, project_id, application_id, kind, level in session.execute(query):
        key = (organization_id, completed_at)
        if key in wanted and key not in found:
            found[key] = (project_id, application_id, TrackKind(kind), int(level or 0))
    return found
