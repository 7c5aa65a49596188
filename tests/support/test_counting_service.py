"""National counting: the rules, once per company, the stricter category, min_level, only completed projects,
the years (in Korea), and the aggregates by region and industry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from midas.auth import Role, actor_for
from midas.errors import InvalidInput, PermissionDenied
from midas.registry import Organization
from midas.support.counting_service import (
    counted_companies,
    counts_by_industry,
    counts_by_region,
    counts_by_year,
    national_counts,
    national_overview,
    parse_counting_rules,
)
from midas.support.enums import CountingCategory, ProjectStatus, TrackKind
from midas.support.models import SupportProgram, SupportProject, SupportRound
from tests.assessment.factories import make_assessment
from tests.assessment.factories import make_round as make_assessment_round
from tests.factories import make_organization, make_user
from tests.support.factories import make_application, make_program, make_round, make_track

ADVANCED = CountingCategory.ADVANCED_DIGITAL
TRANSFORMED = CountingCategory.TRANSFORMED


class World:
    """One program with a round and all five tracks, and a way to add completed projects."""

    def __init__(self, session: Session, program: SupportProgram | None = None) -> None:
        self.session = session
        self.program = program or make_program(session)
        self.round: SupportRound = make_round(session, self.program)
        self.tracks = {kind: make_track(session, self.round, kind=kind, level_min=1, level_max=5)
                       for kind in TrackKind}
        self.assessment_round = make_assessment_round(session)

    def project(self, kind: TrackKind, level: int | None, completed_at: datetime | None, *,
                organization: Organization | None = None, status: ProjectStatus = ProjectStatus.COMPLETED,
                **organization_fields: Any) -> SupportProject:
        organization = organization or make_organization(self.session, **organization_fields)
        assessment_round = make_assessment_round(self.session)  # one assessment per company and round
        assessment = make_assessment(self.session, assessment_round, organization, final_level=level,
                                     final_score=None if level is None else Decimal(200 * level - 100))
        application = make_application(self.session, self.tracks[kind], organization, assessment_id=assessment.id,
                                       status="funded")
        project = SupportProject(application_id=application.id, organization_id=organization.id,
                                 status=status, government_krw=80_000_000, company_krw=80_000_000,
                                 starts_on=date(2023, 1, 2), ends_on=date(2027, 12, 31), completed_at=completed_at)
        self.session.add(project)
        self.session.flush()
        return project


def at(year: int, month: int = 6, day: int = 15, hour: int = 3) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def counts(session: Session) -> dict[CountingCategory, int]:
    return {row.category: row.count for row in national_counts(session).categories}


# -- the rules -------------------------------------------------------------------------------------------------


def test_parse_counting_rules_reads_the_program_rules() -> None:
    rules = parse_counting_rules([
        {"category": "advanced_digital", "tracks": ["advanced", "leading"], "min_level": 3},
        {"category": "transformed", "tracks": ["basic", "winwin", "regional"], "min_level": 1},
    ])
    assert [(rule.category, rule.tracks, rule.min_level) for rule in rules] == [
        (ADVANCED, (TrackKind.ADVANCED, TrackKind.LEADING), 3),
        (TRANSFORMED, (TrackKind.BASIC, TrackKind.WINWIN, TrackKind.REGIONAL), 1),
    ]
    assert parse_counting_rules([]) == ()
    required = parse_counting_rules([{"category": "transformed", "tracks": ["basic"], "min_level": 2,
                                      "requires": "completed_project"}])
    assert required[0].min_level == 2
    assert next(rule.to_data() for rule in rules) == {"category": "advanced_digital",
                                                      "tracks": ["advanced", "leading"], "min_level": 3}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"category": "advanced_digital"}, "counting_rules", "The counting rules must be a list"),
    (["x"], "counting_rules[0]", "A counting rule must be an object with category, tracks and min_level"),
    ([{"category": "gold", "tracks": ["basic"], "min_level": 1}], "counting_rules[0].category",
     "Unknown counting category {value}; known are {known}"),
    ([{"category": "transformed", "tracks": [], "min_level": 1}], "counting_rules[0].tracks",
     "The tracks of a counting rule must be a non-empty list of track kinds"),
    ([{"category": "transformed", "tracks": ["basic", "space"], "min_level": 1}], "counting_rules[0].tracks[1]",
     "Unknown track kind {value}; known are {known}"),
    ([{"category": "transformed", "tracks": ["basic", "basic"], "min_level": 1}], "counting_rules[0].tracks[1]",
     "The track {value} is listed twice"),
    ([{"category": "transformed", "tracks": ["basic"], "min_level": "3"}], "counting_rules[0].min_level",
     "The minimum level must be a whole number from 1 to {max}"),
    ([{"category": "transformed", "tracks": ["basic"], "min_level": True}], "counting_rules[0].min_level",
     "The minimum level must be a whole number from 1 to {max}"),
    ([{"category": "transformed", "tracks": ["basic"]}], "counting_rules[0].min_level",
     "A counting rule needs the key {key}"),
    ([{"category": "transformed", "tracks": ["basic"], "min_level": 1, "weight": 2}], "counting_rules[0].weight",
     "A counting rule has no key {key}"),
    ([{"category": "transformed", "tracks": ["basic"], "min_level": 1, "requires": "a_visit"}],
     "counting_rules[0].requires", "Unknown requirement {value}; known are {known}"),
])
def test_parse_counting_rules_names_each_problem_and_where(data: object, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_counting_rules(data)
    assert [(p.field, p.message) for p in caught.value.problems] == [(field, message)]


def test_parse_counting_rules_reports_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_counting_rules([{"category": "x", "tracks": ["basic"], "min_level": 1},
                              {"category": "transformed", "tracks": "basic", "min_level": -1}])
    assert [p.field for p in caught.value.problems] == [
        "counting_rules[0].category", "counting_rules[1].tracks", "counting_rules[1].min_level"]


# -- who counts ------------------------------------------------------------------------------------------------


def test_a_company_counts_in_the_category_of_its_track(session: Session) -> None:
    world = World(session)
    world.project(TrackKind.BASIC, 1, at(2024))
    world.project(TrackKind.WINWIN, 2, at(2024))
    world.project(TrackKind.REGIONAL, 2, at(2025))
    world.project(TrackKind.ADVANCED, 3, at(2025))
    world.project(TrackKind.LEADING, 5, at(2026))
    assert counts(session) == {ADVANCED: 2, TRANSFORMED: 3}
    totals = national_counts(session)
    assert totals.total == 5
    assert totals.total_target == 25_000
    assert [(row.target, row.share_percent) for row in totals.categories] == [(5_000, 0.0), (20_000, 0.0)]


def test_only_completed_projects_with_a_finished_assessment_count(session: Session) -> None:
    world = World(session)
    for status in (ProjectStatus.AGREED, ProjectStatus.IN_PROGRESS, ProjectStatus.DELIVERED,
                   ProjectStatus.TERMINATED):
        world.project(TrackKind.BASIC, 2, at(2024), status=status)
    world.project(TrackKind.BASIC, None, at(2024))  # assessment without a final level
    assert counts(session) == {ADVANCED: 0, TRANSFORMED: 0}
    world.project(TrackKind.BASIC, 2, at(2024))
    assert counts(session) == {ADVANCED: 0, TRANSFORMED: 1}


def test_min_level_is_the_assessed_level_of_the_application(session: Session) -> None:
    world = World(session)
    # Below 3: not advanced digital, and the advanced track is not a transformed track either.
    world.project(TrackKind.ADVANCED, 2, at(2024))
    world.project(TrackKind.LEADING, 3, at(2024))
    assert counts(session) == {ADVANCED: 1, TRANSFORMED: 0}


def test_each_company_counts_once_in_the_year_of_its_first_project(session: Session) -> None:
    world = World(session)
    company = make_organization(session)
    world.project(TrackKind.BASIC, 1, at(2025), organization=company)
    world.project(TrackKind.REGIONAL, 2, at(2023), organization=company)
    world.project(TrackKind.WINWIN, 2, at(2026), organization=company)
    assert counts(session) == {ADVANCED: 0, TRANSFORMED: 1}
    years = {row.year: row for row in counts_by_year(session)}
    assert years[2023].new[TRANSFORMED] == 1
    assert years[2025].new[TRANSFORMED] == 0
    assert [years[y].cumulative[TRANSFORMED] for y in range(2023, 2028)] == [1, 1, 1, 1, 1]


def test_the_stricter_category_wins_in_the_year_it_was_reached(session: Session) -> None:
    world = World(session)
    company = make_organization(session)
    world.project(TrackKind.BASIC, 2, at(2023), organization=company)
    world.project(TrackKind.ADVANCED, 3, at(2025), organization=company)
    world.project(TrackKind.ADVANCED, 4, at(2026), organization=company)
    assert counts(session) == {ADVANCED: 1, TRANSFORMED: 0}
    years = {row.year: row for row in counts_by_year(session)}
    assert years[2023].new == {ADVANCED: 0, TRANSFORMED: 0}
    assert years[2025].new == {ADVANCED: 1, TRANSFORMED: 0}


def test_years_are_korean_calendar_years_from_2023_to_2027(session: Session) -> None:
    world = World(session)
    world.project(TrackKind.BASIC, 1, datetime(2023, 12, 31, 16, 30, tzinfo=UTC))  # 2024-01-01 01:30 in Seoul
    world.project(TrackKind.BASIC, 1, datetime(2023, 12, 31, 14, 30, tzinfo=UTC))  # 2023-12-31 23:30 in Seoul
    world.project(TrackKind.BASIC, 1, at(2022))  # before MIDAS 2027
    world.project(TrackKind.BASIC, 1, at(2028))  # after it
    years = {row.year: row for row in counts_by_year(session)}
    assert sorted(years) == [2023, 2024, 2025, 2026, 2027]
    assert years[2023].new[TRANSFORMED] == 1
    assert years[2024].new[TRANSFORMED] == 1
    assert years[2027].cumulative[TRANSFORMED] == 2
    assert counts(session)[TRANSFORMED] == 2


def test_the_straight_path_reaches_the_targets_in_2027(session: Session) -> None:
    years = counts_by_year(session)
    assert [row.path[ADVANCED] for row in years] == [1_000, 2_000, 3_000, 4_000, 5_000]
    assert [row.path_total for row in years] == [5_000, 10_000, 15_000, 20_000, 25_000]


def test_the_rules_are_those_of_the_project_s_program(session: Session) -> None:
    strict = make_program(session, counting_rules=[
        {"category": "advanced_digital", "tracks": ["leading"], "min_level": 4}])
    world = World(session, strict)
    world.project(TrackKind.BASIC, 2, at(2024))  # basic counts toward nothing in this program
    world.project(TrackKind.ADVANCED, 4, at(2024))
    world.project(TrackKind.LEADING, 3, at(2024))
    world.project(TrackKind.LEADING, 4, at(2024))
    assert counts(session) == {ADVANCED: 1, TRANSFORMED: 0}


def test_counts_by_region_and_industry(session: Session) -> None:
    world = World(session)
    world.project(TrackKind.BASIC, 1, at(2024), region_code="48", ksic_code="29")
    world.project(TrackKind.BASIC, 2, at(2024), region_code="48", ksic_code="25")
    world.project(TrackKind.ADVANCED, 3, at(2024), region_code="11", ksic_code="26")
    world.project(TrackKind.BASIC, 2, at(2024), region_code="11", ksic_code="26", status=ProjectStatus.IN_PROGRESS)
    by_region = {row.code: row for row in counts_by_region(session)}
    assert len(by_region) == 17
    assert by_region["48"].counts == {ADVANCED: 0, TRANSFORMED: 2}
    assert by_region["11"].counts == {ADVANCED: 1, TRANSFORMED: 0}
    assert by_region["11"].name_ko == "서울특별시"
    assert by_region["26"].total == 0
    industries = counts_by_industry(session)
    assert [(row.code, row.total) for row in industries] == [("25", 1), ("26", 1), ("29", 1)]
    assert industries[1].counts[ADVANCED] == 1
    assert industries[1].name("en")
    overview = national_overview(session)
    assert overview.counts.total == 3
    assert len(overview.regions) == 17


def test_counted_companies_lists_the_project_that_made_each_count(session: Session) -> None:
    world = World(session)
    first = world.project(TrackKind.BASIC, 2, at(2023))
    later = world.project(TrackKind.ADVANCED, 3, at(2025), organization=session.get(Organization,
                                                                                     first.organization_id))
    other = world.project(TrackKind.REGIONAL, 1, at(2024))
    operator = actor_for(make_user(session, Role.OPERATOR))
    page = counted_companies(session, actor=operator)
    assert page.total == 2
    assert [(item.organization_id, item.category, item.year, item.project_id, item.track, item.level)
            for item in page.items] == [
        (first.organization_id, ADVANCED, 2025, later.id, TrackKind.ADVANCED, 3),
        (other.organization_id, TRANSFORMED, 2024, other.id, TrackKind.REGIONAL, 1),
    ]
    only = counted_companies(session, actor=operator, category=TRANSFORMED, year=2024)
    assert [item.project_id for item in only.items] == [other.id]
    assert counted_companies(session, actor=operator, year=2023).total == 0


def test_counted_companies_is_for_operators_and_checks_its_input(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    with pytest.raises(PermissionDenied):
        counted_companies(session, actor=member)
    auditor = actor_for(make_user(session, Role.AUDITOR))
    with pytest.raises(InvalidInput) as caught:
        counted_companies(session, actor=auditor, page=0, page_size=500, year=2031)
    assert [p.field for p in caught.value.problems] == ["page", "page_size", "year"]
