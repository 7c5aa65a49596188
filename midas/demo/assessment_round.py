"""The demo's expert assessment: an expert pool, its ties and conflicts, a finished national round and an open one.

:func:`generate_pool` is pure and deterministic (the same seed gives the same experts, affiliations and supplier
quotes); :func:`load_assessment_demo` writes it after the registry rows, detects the conflicts the way the pool
service does, assigns experts with the real assignment library (the exact solver, or its greedy baseline when
the solver would be slow) and writes the score sheets.

Every expert's 95 item scores come from a latent capability of the company (larger firms, electronics and cars,
and the capital area score higher), an area profile of the company, the item's difficulty, the expert's own
leniency and the expert's item noise. A few experts are deliberately lenient, severe or erratic, so that the
operators' calibration table has flags to show. Overall scores and levels are computed by the framework's
scoring, and the final score of an assessment is the median of its experts' overall scores.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from statistics import median
from typing import Any

import numpy as np
from sqlalchemy import BindParameter, Connection, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from midas.assessment import (
    TECHNOLOGIES,
    AffiliationKind,
    AssessmentNeed,
    AssessmentStatus,
    AssignmentProblem,
    AssignmentStatus,
    ConflictPair,
    ConflictSource,
    ExpertProfile,
    Framework,
    RelationKind,
    RoundStatus,
    affinity,
    assignment_summary,
    find_conflicts,
    framework_of,
    greedy_assignment,
    score,
    solve_assignment,
    store_shipped_frameworks,
)
from midas.assessment.models import (
    Assessment,
    AssessmentRound,
    ConflictOfInterest,
    Expert,
    ExpertAffiliation,
    ExpertAssignment,
    FrameworkVersion,
    OrganizationRelation,
    ScoreSheet,
)
from midas.demo import distributions as shape
from midas.demo.names import GIVEN_NAMES, SURNAMES
from midas.demo.national import DEMO_EMAIL_DOMAIN, DemoCountry
from midas.registry import OrganizationKind

EMPLOYER_KINDS = (OrganizationKind.INSTITUTE, OrganizationKind.TECHNOLOGY_SUPPLIER,
                  OrganizationKind.LARGE_ENTERPRISE)
FRAMEWORK_CODE = "ksx9001-3"
CLOSED_ROUND = "2025-1"
OPEN_ROUND = "2026-1"
# The day the demo's conflicts are detected and the closed round's dates hang on.
DETECTED_ON = date(2025, 3, 3)
CLOSED_ASSIGNED_AT = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
CLOSED_DEADLINE = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
CLOSED_AT = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)
QUALIFICATIONS = ("스마트공장 수준확인 심사원", "공장관리기술사", "정보관리기술사", "품질경영기사", "산업안전지도사",
                  "스마트공장 전문위원", "기계기술사", "경영지도사")
# Share of experts whose scoring is off: the calibration table flags them.
LENIENT_SHARE = 0.02
SEVERE_SHARE = 0.02
ERRATIC_SHARE = 0.01
ITEM_NOISE = 0.35
ERRATIC_NOISE = 1.15
CENTS = Decimal("0.01")
# Sheets are scored in several processes from this many on, by at most this many processes.
PARALLEL_SCORING_FROM = 1_000
MAX_SCORING_PROCESSES = 4
TRACK_BY_LEVEL = {1: "start", 2: "start", 3: "advance", 4: "advance", 5: "leading"}


@dataclass(frozen=True, slots=True)
class AssessmentScale:
    """How large the assessment demo is at one scale of the country."""

    experts: int
    closed_assessments: int
    open_assessments: int
    supplier_quotes: int


ASSESSMENT_SCALES: Mapping[str, AssessmentScale] = {
    "national": AssessmentScale(experts=1_500, closed_assessments=3_000, open_assessments=600, supplier_quotes=3_000),
    "small": AssessmentScale(experts=60, closed_assessments=120, open_assessments=30, supplier_quotes=40),
}


def assessment_scale_for(scale: shape.Scale) -> AssessmentScale:
    """The assessment demo of a named scale, or one in proportion to the organizations of another scale."""
    known = ASSESSMENT_SCALES.get(scale.name)
    if known is not None:
        return known
    closed = max(10, scale.organizations // 8)
    return AssessmentScale(experts=max(10, closed // 2), closed_assessments=closed,
                           open_assessments=max(4, closed // 5), supplier_quotes=max(4, closed))


@dataclass(frozen=True, slots=True)
class ExpertRow:
    """One expert; ``employer_index`` points into the country's organizations. ``leniency`` and ``noise`` are
    the hidden scoring habits the demo draws the expert's scores with (not stored)."""

    name: str
    email: str
    employer_index: int
    region_code: str
    ksic_divisions: tuple[str, ...]
    technologies: tuple[str, ...]
    qualifications: str
    years_of_experience: int
    max_load: int
    leniency: float
    noise: float
    demo_account: str | None


@dataclass(frozen=True, slots=True)
class AffiliationRow:
    expert_index: int
    organization_index: int
    kind: AffiliationKind
    started_on: date
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """A technology supplier's quote to an SME on the portal: a supplier relation."""

    supplier_index: int
    company_index: int
    started_on: date


@dataclass(frozen=True, slots=True)
class EnrolledRow:
    """A company enrolled in a round, with the technologies it wants judged and its latent capability (0-5)."""

    organization_index: int
    needs: tuple[str, ...]
    capability: float


@dataclass(frozen=True, slots=True)
class AssessmentPool:
    """Everything :func:`generate_pool` draws before the database gives ids."""

    experts: Sequence[ExpertRow]
    affiliations: Sequence[AffiliationRow]
    quotes: Sequence[QuoteRow]
    closed: Sequence[EnrolledRow]
    open: Sequence[EnrolledRow]


@dataclass(frozen=True, slots=True)
class AssessmentDemoSummary:
    """What the assessment demo wrote and how long it took."""

    experts: int
    conflicts: int
    assessments: int
    sheets: int
    closed_round: str
    open_round: str
    seconds: float


def _stream(seed: int, concern: str) -> random.Random:
    return random.Random(f"midas-demo-assessment:{seed}:{concern}")


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


# Industries where smart factories went furthest (electronics, cars, chemicals) score higher, labour-intensive
# ones lower: an approximate reading of the KOSMO level surveys, enough for the demo's charts to differ.
INDUSTRY_EFFECT: Mapping[str, float] = {
    "26": 0.45, "30": 0.35, "21": 0.35, "20": 0.25, "27": 0.25, "29": 0.1, "28": 0.1, "24": 0.05,
    "10": -0.1, "13": -0.3, "14": -0.45, "15": -0.35, "16": -0.35, "18": -0.25, "31": -0.05, "32": -0.3,
    "33": -0.2,
}
CAPITAL_AREA = {"11": 0.15, "41": 0.15, "28": 0.1, "30": 0.1, "36": 0.05}


def capability_of(rng: random.Random, employees: int, ksic_code: str, region_code: str) -> float:
    """A company's latent capability on the 0-5 item scale: size, industry and region, and the company itself."""
    size = 0.55 * math.log10(max(employees, 1) / 30)
    value = 2.95 + size + INDUSTRY_EFFECT.get(ksic_code[:2], 0.0) + CAPITAL_AREA.get(region_code, 0.0)
    return min(4.9, max(0.4, value + rng.gauss(0, 0.7)))


def generate_pool(country: DemoCountry, scale: AssessmentScale, seed: int) -> AssessmentPool:
    """The expert pool, its affiliations, the supplier quotes and the companies of both rounds, for ``seed``."""
    organizations = country.organizations
    employers = [index for index, row in enumerate(organizations) if row.kind in EMPLOYER_KINDS]
    smes = [index for index, row in enumerate(organizations) if row.kind is OrganizationKind.SME]
    suppliers = [index for index, row in enumerate(organizations) if row.kind is OrganizationKind.TECHNOLOGY_SUPPLIER]
    experts = _experts(_stream(seed, "experts"), scale.experts, employers, organizations)
    affiliations = _affiliations(_stream(seed, "affiliations"), experts, smes)
    quote_rng = _stream(seed, "quotes")
    quotes = sorted({(quote_rng.choice(suppliers), quote_rng.choice(smes)) for _ in range(scale.supplier_quotes)})
    quote_rows = [QuoteRow(supplier, company, DETECTED_ON - timedelta(days=quote_rng.randint(30, 900)))
                  for supplier, company in quotes]
    enrol_rng = _stream(seed, "enrolment")
    closed = sorted(enrol_rng.sample(smes, min(scale.closed_assessments, len(smes))))
    reopened = sorted(enrol_rng.sample(smes, min(scale.open_assessments, len(smes))))
    capability_rng = _stream(seed, "capability")
    capabilities = {index: capability_of(capability_rng, organizations[index].employees,
                                         organizations[index].ksic_code, organizations[index].region_code)
                    for index in sorted(set(closed) | set(reopened))}
    needs_rng = _stream(seed, "needs")

    def enrol(indexes: Sequence[int]) -> list[EnrolledRow]:
        return [EnrolledRow(index, tuple(sorted(needs_rng.sample(TECHNOLOGIES, needs_rng.randint(1, 3)))),
                            capabilities[index]) for index in indexes]

    return AssessmentPool(experts=experts, affiliations=affiliations, quotes=quote_rows, closed=enrol(closed),
                          open=enrol(reopened))


def _experts(rng: random.Random, count: int, employers: Sequence[int],
             organizations: Sequence[Any]) -> list[ExpertRow]:
    surnames = [(ko, en) for ko, en, _ in SURNAMES]
    surname_weights = [weight for _, _, weight in SURNAMES]
    demo_accounts = [f"expert{n}" for n in range(1, 4)]
    rows = []
    for number in range(count):
        surname, surname_en = rng.choices(surnames, surname_weights)[0]
        given, given_en = rng.choice(GIVEN_NAMES)
        employer = rng.choice(employers)
        habit = rng.random()
        leniency = rng.gauss(0, 0.1)
        if habit < LENIENT_SHARE:
            leniency = rng.uniform(0.8, 1.3)
        elif habit < LENIENT_SHARE + SEVERE_SHARE:
            leniency = -rng.uniform(0.8, 1.3)
        erratic = LENIENT_SHARE + SEVERE_SHARE <= habit < LENIENT_SHARE + SEVERE_SHARE + ERRATIC_SHARE
        account = demo_accounts[number] if number < len(demo_accounts) else None
        email = (f"{account}@{DEMO_EMAIL_DOMAIN}" if account
                 else f"{given_en}.{surname_en}.{number:05d}@experts.{DEMO_EMAIL_DOMAIN}")
        divisions = sorted({_weighted(rng, shape.KSIC_WEIGHTS) for _ in range(rng.randint(1, 3))})
        rows.append(ExpertRow(
            name=surname + given, email=email, employer_index=employer,
            region_code=_weighted(rng, shape.REGION_WEIGHTS), ksic_divisions=tuple(divisions),
            technologies=tuple(sorted(rng.sample(TECHNOLOGIES, rng.randint(2, 5)))),
            qualifications=", ".join(rng.sample(QUALIFICATIONS, rng.randint(1, 2))),
            years_of_experience=rng.randint(3, 35), max_load=20 if account else rng.randint(8, 20),
            leniency=0.0 if account else leniency, noise=ERRATIC_NOISE if erratic and not account else ITEM_NOISE,
            demo_account=account,
        ))
    return rows


def _affiliations(rng: random.Random, experts: Sequence[ExpertRow], smes: Sequence[int]) -> list[AffiliationRow]:
    """Each expert's current employment, and for some a past job or consulting at an SME (recent ones conflict)."""
    rows = []
    for index, expert in enumerate(experts):
        hired = DETECTED_ON - timedelta(days=365 * rng.randint(1, min(expert.years_of_experience, 20)))
        rows.append(AffiliationRow(index, expert.employer_index, AffiliationKind.EMPLOYEE, hired, None))
        if rng.random() < 0.15:
            ended = DETECTED_ON - timedelta(days=rng.randint(60, 5 * 365))
            rows.append(AffiliationRow(index, rng.choice(smes), AffiliationKind.CONSULTANT,
                                       ended - timedelta(days=rng.randint(60, 400)), ended))
        if rng.random() < 0.05:
            rows.append(AffiliationRow(index, rng.choice(smes), AffiliationKind.EMPLOYEE,
                                       hired - timedelta(days=365 * rng.randint(3, 10)), hired))
    return rows


def load_assessment_demo(
    session: Session,
    country: DemoCountry,
    organization_ids: Sequence[int],
    scale: AssessmentScale,
    seed: int,
    *,
    user_ids: Mapping[str, int],
    advance: Callable[[str, int], None] | None = None,
) -> AssessmentDemoSummary:
    """Write the assessment demo for ``country``: pool, conflicts, the closed round with sheets, the open round.

    ``user_ids`` maps the demo accounts' e-mail addresses to their user ids, so that the demo experts sign in
    to their own expert profile. ``advance`` hears how many experts ("experts") and assessments ("assessments")
    went in.
    """
    started = time.perf_counter()
    step = advance or (lambda _step, _count: None)
    connection = session.connection()
    pool = generate_pool(country, scale, seed)
    version = next(row for row in store_shipped_frameworks(session) if row.code == FRAMEWORK_CODE)
    framework = framework_of(version)
    expert_ids = _insert_pool(connection, pool, organization_ids, country, user_ids)
    step("experts", len(pool.experts))
    conflicts = _insert_conflicts(session, connection)
    rounds = _insert_rounds(connection, version)
    writer = _RoundWriter(connection, framework, pool, country, organization_ids, expert_ids, conflicts, seed)
    closed_sheets = writer.closed_round(rounds[CLOSED_ROUND])
    step("assessments", len(pool.closed))
    open_sheets = writer.open_round(rounds[OPEN_ROUND])
    step("assessments", len(pool.open))
    return AssessmentDemoSummary(experts=len(pool.experts), conflicts=len(conflicts),
                                 assessments=len(pool.closed) + len(pool.open), sheets=closed_sheets + open_sheets,
                                 closed_round=CLOSED_ROUND, open_round=OPEN_ROUND,
                                 seconds=time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class Pair:
    """An expert placed on an assessment (ids as the assignment library spells them), with the affinity terms."""

    assessment_id: str
    expert_id: str
    affinity: int
    breakdown: Any


@dataclass(frozen=True, slots=True)
class SheetScore:
    """What the framework's scoring makes of one sheet: overall score, level and each area's score."""

    overall: Decimal
    level: int
    areas: dict[str, Decimal]


def _score_chunk(framework: Framework, chunk: Sequence[dict[str, int]]) -> list[SheetScore]:
    results = []
    for scores in chunk:
        result = score(framework, scores)
        results.append(SheetScore(result.overall, result.level, {area.area_id: area.score for area in result.areas}))
    return results


def score_sheets(framework: Framework, sheets: Sequence[dict[str, int]]) -> list[SheetScore]:
    """Every sheet scored by the framework's scoring, in order; across processes when there are many.

    The scoring computes in exact fractions (about 4 ms a sheet), so a national round of 6,000 sheets is spread
    over the machine's cores; a small round is scored in this process. Workers are forked (where the system
    can), so that they start at once and never import the caller's main module again.
    """
    workers = min(os.cpu_count() or 1, MAX_SCORING_PROCESSES)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if len(sheets) < PARALLEL_SCORING_FROM or workers < 2 or not can_fork:
        return _score_chunk(framework, sheets)
    size = math.ceil(len(sheets) / (workers * 4))
    chunks = [sheets[start:start + size] for start in range(0, len(sheets), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as executor:
        scored = executor.map(_score_chunk, [framework] * len(chunks), chunks)
        return [result for chunk in scored for result in chunk]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(connection: Connection, model: type[Any], rows: list[dict[str, Any]], batch: int = 2_000) -> None:
    for start in range(0, len(rows), batch):
        connection.execute(insert(_table(model)), rows[start:start + batch])


def _insert_pool(connection: Connection, pool: AssessmentPool, organization_ids: Sequence[int],
                 country: DemoCountry, user_ids: Mapping[str, int]) -> list[int]:
    """Experts, their affiliations and the supplier quotes; the experts' new ids in pool order."""
    now = datetime.now(UTC)
    organizations = country.organizations
    _insert(connection, Expert, [{
        "user_id": user_ids.get(row.email), "name": row.name, "email": row.email,
        "employer_id": organization_ids[row.employer_index], "employer_name": organizations[row.employer_index].name,
        "region_code": row.region_code, "ksic_divisions": ",".join(row.ksic_divisions),
        "technologies": ",".join(row.technologies), "qualifications": row.qualifications,
        "years_of_experience": row.years_of_experience, "max_load": row.max_load, "is_available": True,
        "created_at": now, "updated_at": now,
    } for row in pool.experts])
    expert_table = _table(Expert)
    by_email: dict[str, int] = dict(connection.execute(
        select(expert_table.c.email, expert_table.c.id)).all())
    expert_ids = [by_email[row.email] for row in pool.experts]
    _insert(connection, ExpertAffiliation, [{
        "expert_id": expert_ids[row.expert_index], "organization_id": organization_ids[row.organization_index],
        "organization_name": organizations[row.organization_index].name, "kind": row.kind,
        "started_on": row.started_on, "ended_on": row.ended_on,
    } for row in pool.affiliations])
    _insert(connection, OrganizationRelation, [{
        "organization_id": organization_ids[row.supplier_index],
        "related_organization_id": organization_ids[row.company_index], "kind": RelationKind.SUPPLIER,
        "source": "quote", "note": "스마트공장 구축 견적 / smart-factory quote", "started_on": row.started_on,
        "ended_on": None, "created_at": now,
    } for row in pool.quotes])
    return expert_ids


def _insert_conflicts(session: Session, connection: Connection) -> set[tuple[int, int]]:
    """Record what the pool service's detection finds, as detected conflicts; the (expert, organization) pairs."""
    found = find_conflicts(session, today=DETECTED_ON)
    now = datetime.now(UTC)
    _insert(connection, ConflictOfInterest, [{
        "expert_id": conflict.expert_id, "organization_id": conflict.organization_id, "kind": conflict.kind,
        "source": ConflictSource.DETECTED, "reason": conflict.reason, "is_active": True,
        "created_by_label": "system", "created_at": now,
    } for conflict in found])
    return {(conflict.expert_id, conflict.organization_id) for conflict in found}


def _insert_rounds(connection: Connection, version: FrameworkVersion) -> dict[str, int]:
    now = datetime.now(UTC)
    common = {"framework_id": version.id, "framework_hash": version.content_hash, "track": "advance",
              "experts_per_assessment": 2, "limit_own_region": False, "item_tolerance": 2, "level_tolerance": 0,
              "created_at": now}
    _insert(connection, AssessmentRound, [
        {**common, "code": CLOSED_ROUND, "name": "2025년 상반기 스마트공장 수준확인", "deadline": CLOSED_DEADLINE,
         "status": RoundStatus.CLOSED, "assigned_at": CLOSED_ASSIGNED_AT, "closed_at": CLOSED_AT,
         "created_at": CLOSED_ASSIGNED_AT - timedelta(days=30)},
        {**common, "code": OPEN_ROUND, "name": "2026년 스마트공장 수준확인", "deadline": now + timedelta(days=45),
         "status": RoundStatus.ASSIGNED, "assigned_at": now - timedelta(days=7), "closed_at": None},
    ])
    table = _table(AssessmentRound)
    return dict(connection.execute(
        select(table.c.code, table.c.id).where(table.c.code.in_([CLOSED_ROUND, OPEN_ROUND]))).all())


class _RoundWriter:
    """Writes one round's assessments, assignments and sheets."""

    def __init__(self, connection: Connection, framework: Framework, pool: AssessmentPool, country: DemoCountry,
                 organization_ids: Sequence[int], expert_ids: Sequence[int], conflicts: set[tuple[int, int]],
                 seed: int) -> None:
        self.connection = connection
        self.codes = [(row.ksic_code, row.region_code) for row in country.organizations]
        self.framework = framework
        self.pool = pool
        self.organization_ids = organization_ids
        self.expert_ids = expert_ids
        self.expert_position = {expert_id: position for position, expert_id in enumerate(expert_ids)}
        self.conflicts = conflicts
        self.seed = seed
        self.items = framework.items
        self.item_area = [self._top_area(item.id) for item in self.items]
        self.areas = sorted(set(self.item_area))
        self.difficulty = np.random.default_rng([seed, 1]).normal(0.0, 0.6, len(self.items))

    def _top_area(self, item_id: str) -> str:
        area = next(area for area in self.framework.areas if any(item.id == item_id for item in area.items))
        while area.parent_id is not None:
            area = self.framework.area(area.parent_id)
        return area.id

    # -- the closed round --------------------------------------------------------------------------------------
    def closed_round(self, round_id: int) -> int:
        """A finished round: every assessment final, two submitted sheets each; returns the sheets written."""
        assessment_ids = self._insert_assessments(round_id, self.pool.closed, AssessmentStatus.FINAL)
        problem = self._problem(self.pool.closed, assessment_ids, fixed=set())
        pairs, summary = _assign(problem)
        self._store_summary(round_id, summary)
        assignment_ids = self._insert_assignments(pairs, CLOSED_ASSIGNED_AT, lambda _: AssignmentStatus.ACCEPTED)
        rng = np.random.default_rng([self.seed, 2])
        by_assessment: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pair in pairs:
            by_assessment[int(pair.assessment_id)].append((int(pair.expert_id), assignment_ids[pair]))
        enrolled = dict(zip(assessment_ids, self.pool.closed, strict=True))
        sheets: list[dict[str, Any]] = []
        for assessment_id in assessment_ids:
            profile = rng.normal(0.0, 0.3, len(self.areas))
            for expert_id, assignment_id in by_assessment[assessment_id]:
                submitted = CLOSED_ASSIGNED_AT + timedelta(days=20 + int(rng.integers(0, 95)),
                                                           minutes=int(rng.integers(0, 600)))
                sheets.append({"assignment_id": assignment_id, "assessment_id": assessment_id, "justifications": {},
                               "scores": self._scores(rng, enrolled[assessment_id].capability, profile, expert_id),
                               "submitted_at": submitted, "updated_at": submitted})
        results_of: dict[int, list[SheetScore]] = defaultdict(list)
        for sheet, result in zip(sheets, score_sheets(self.framework, [sheet["scores"] for sheet in sheets]),
                                 strict=True):
            sheet.update(overall=result.overall, level=result.level)
            results_of[sheet.pop("assessment_id")].append(result)
        finals = [self._final(assessment_id, results_of[assessment_id]) for assessment_id in assessment_ids]
        _insert(self.connection, ScoreSheet, sheets, batch=500)
        self._finalize(finals)
        return len(sheets)

    def _final(self, assessment_id: int, results: Sequence[SheetScore]) -> dict[str, Any]:
        final_score = Decimal(str(median(result.overall for result in results))).quantize(CENTS, ROUND_HALF_EVEN)
        level = self.framework.level_for(final_score).level
        areas = {area.id: str(Decimal(str(median(result.areas[area.id] for result in results)))
                               .quantize(CENTS, ROUND_HALF_EVEN))
                 for area in self.framework.areas}
        return {"id": assessment_id, "final_score": final_score, "final_level": level, "final_areas": areas,
                "recommended_track": TRACK_BY_LEVEL.get(level, "advance"),
                "finalized_at": CLOSED_DEADLINE + timedelta(days=7)}

    def _finalize(self, finals: list[dict[str, Any]]) -> None:
        table = _table(Assessment)
        statement = table.update().where(table.c.id == _bind("id")).values(
            final_score=_bind("final_score"), final_level=_bind("final_level"), final_areas=_bind("final_areas"),
            recommended_track=_bind("recommended_track"), finalized_at=_bind("finalized_at"))
        renamed = [{f"b_{key}": value for key, value in row.items()} for row in finals]
        for start in range(0, len(renamed), 2_000):
            self.connection.execute(statement, renamed[start:start + 2_000])

    # -- the open round ----------------------------------------------------------------------------------------
    def open_round(self, round_id: int) -> int:
        """An assigned round in scoring: the demo experts hold assignments; some sheets are drafts, a few sent."""
        assessment_ids = self._insert_assessments(round_id, self.pool.open, AssessmentStatus.SCORING)
        fixed = self._demo_expert_places(assessment_ids)
        problem = self._problem(self.pool.open, assessment_ids, fixed=fixed)
        pairs, summary = _assign(problem)
        self._store_summary(round_id, {**summary, "placed_outside_the_solver": len(fixed)})
        profiles = {expert.id: expert for expert in problem.experts}
        needs = {need.id: need for need in problem.assessments}
        demo_pairs = []
        for expert_id, assessment_id in sorted(fixed):
            breakdown = affinity(profiles[str(expert_id)], needs[str(assessment_id)])
            demo_pairs.append(Pair(str(assessment_id), str(expert_id), breakdown.total, breakdown))
        rng = random.Random(f"midas-demo-assessment:{self.seed}:open")
        statuses = {pair: (AssignmentStatus.PROPOSED if rng.random() < 0.2 else AssignmentStatus.ACCEPTED)
                    for pair in pairs}
        for number, pair in enumerate(demo_pairs):
            statuses[pair] = AssignmentStatus.PROPOSED if number % 3 == 2 else AssignmentStatus.ACCEPTED
        everything = [*pairs, *demo_pairs]
        assigned = datetime.now(UTC) - timedelta(days=7)
        assignment_ids = self._insert_assignments(everything, assigned, statuses.__getitem__)
        return self._open_sheets(everything, assignment_ids, statuses, assessment_ids, rng)

    def _open_sheets(self, pairs: Sequence[Pair], assignment_ids: Mapping[Pair, int],
                     statuses: Mapping[Pair, AssignmentStatus], assessment_ids: Sequence[int],
                     rng: random.Random) -> int:
        enrolled = dict(zip(assessment_ids, self.pool.open, strict=True))
        demo_experts = {self.expert_ids[index] for index, row in enumerate(self.pool.experts) if row.demo_account}
        numbers = np.random.default_rng([self.seed, 3])
        now = datetime.now(UTC)
        sheets = []
        for pair in pairs:
            if statuses[pair] is not AssignmentStatus.ACCEPTED:
                continue
            expert_id, assessment_id = int(pair.expert_id), int(pair.assessment_id)
            draw = rng.random()
            if expert_id in demo_experts or draw < 0.5:
                continue
            profile = numbers.normal(0.0, 0.3, len(self.areas))
            scores = self._scores(numbers, enrolled[assessment_id].capability, profile, expert_id)
            if draw < 0.8:
                partial = dict(list(scores.items())[:rng.randint(10, len(scores) - 1)])
                sheets.append({"assignment_id": assignment_ids[pair], "scores": partial, "justifications": {},
                               "overall": None, "level": None, "submitted_at": None, "updated_at": now})
            else:
                result = score(self.framework, scores)
                sheets.append({"assignment_id": assignment_ids[pair], "scores": scores, "justifications": {},
                               "overall": result.overall, "level": result.level, "submitted_at": now,
                               "updated_at": now})
        _insert(self.connection, ScoreSheet, sheets, batch=500)
        return len(sheets)

    def _demo_expert_places(self, assessment_ids: Sequence[int]) -> set[tuple[int, int]]:
        """Three open-round assessments for each demo expert, none under a conflict: (expert, assessment) pairs."""
        places: set[tuple[int, int]] = set()
        taken: set[int] = set()
        for index, row in enumerate(self.pool.experts):
            if not row.demo_account:
                continue
            expert_id = self.expert_ids[index]
            chosen = 0
            for assessment_id, enrolled in zip(assessment_ids, self.pool.open, strict=True):
                organization_id = self.organization_ids[enrolled.organization_index]
                if assessment_id in taken or (expert_id, organization_id) in self.conflicts:
                    continue
                places.add((expert_id, assessment_id))
                taken.add(assessment_id)
                chosen += 1
                if chosen == 3:
                    break
        return places

    # -- shared ------------------------------------------------------------------------------------------------
    def _insert_assessments(self, round_id: int, enrolled: Sequence[EnrolledRow],
                            status: AssessmentStatus) -> list[int]:
        now = datetime.now(UTC)
        created = CLOSED_ASSIGNED_AT - timedelta(days=20) if status is AssessmentStatus.FINAL else now
        _insert(self.connection, Assessment, [{
            "round_id": round_id, "organization_id": self.organization_ids[row.organization_index],
            "needs": ",".join(row.needs), "status": status, "created_at": created,
        } for row in enrolled])
        table = _table(Assessment)
        ids = dict(self.connection.execute(
            select(table.c.organization_id, table.c.id).where(table.c.round_id == round_id)).all())
        return [ids[self.organization_ids[row.organization_index]] for row in enrolled]

    def _problem(self, enrolled: Sequence[EnrolledRow], assessment_ids: Sequence[int], *,
                 fixed: set[tuple[int, int]]) -> AssignmentProblem:
        """The assignment instance: every pool expert, the round's assessments, conflicts as forbidden pairs.

        ``fixed`` places (demo expert, assessment) are made outside the solver: the assessment needs one expert
        fewer, the expert's load shrinks, and the expert and colleagues of the same employer are kept off it.
        """
        pool = self.pool
        fixed_load: dict[int, int] = defaultdict(int)
        for expert_id, _ in fixed:
            fixed_load[expert_id] += 1
        employer_of = {self.expert_ids[index]: str(self.organization_ids[row.employer_index])
                       for index, row in enumerate(pool.experts)}
        experts = tuple(
            ExpertProfile(id=str(self.expert_ids[index]), expertise=frozenset(row.ksic_divisions),
                          technologies=frozenset(row.technologies), region=row.region_code,
                          employer=employer_of[self.expert_ids[index]], years_of_experience=row.years_of_experience,
                          load_limit=max(0, row.max_load - fixed_load[self.expert_ids[index]]))
            for index, row in enumerate(pool.experts)
        )
        fixed_on: dict[int, set[str]] = defaultdict(set)
        for expert_id, assessment_id in fixed:
            fixed_on[assessment_id].add(employer_of[expert_id])
        conflicted: dict[int, list[int]] = defaultdict(list)
        for expert_id, organization_id in self.conflicts:
            conflicted[organization_id].append(expert_id)
        experts_of_employer: dict[str, list[int]] = defaultdict(list)
        for expert_id, employer in employer_of.items():
            experts_of_employer[employer].append(expert_id)
        needs = []
        forbidden: set[ConflictPair] = set()
        for assessment_id, row in zip(assessment_ids, enrolled, strict=True):
            ksic_code, region_code = self.codes[row.organization_index]
            placed = fixed_on.get(assessment_id, set())
            needs.append(AssessmentNeed(id=str(assessment_id), industry=ksic_code[:2],
                                        technologies=frozenset(row.needs), region=region_code,
                                        experts_needed=2 - len(placed)))
            kept_off = [*conflicted.get(self.organization_ids[row.organization_index], ()),
                        *(expert_id for employer in placed for expert_id in experts_of_employer[employer])]
            forbidden.update(ConflictPair(str(expert_id), str(assessment_id)) for expert_id in kept_off)
        return AssignmentProblem(experts=experts, assessments=tuple(needs), conflicts=frozenset(forbidden))

    def _scores(self, rng: np.random.Generator, capability: float, profile: Any, expert_id: int) -> dict[str, int]:
        expert = self.pool.experts[self.expert_position[expert_id]]
        area_offset = np.array([profile[self.areas.index(area)] for area in self.item_area])
        raw = capability + self.difficulty + area_offset + expert.leniency + rng.normal(0.0, expert.noise,
                                                                                          len(self.items))
        values = np.clip(np.rint(raw), self.framework.scale.minimum, self.framework.scale.maximum).astype(int)
        return {item.id: int(value) for item, value in zip(self.items, values.tolist(), strict=True)}

    def _insert_assignments(self, pairs: Sequence[Pair], assigned_at: datetime,
                            status_of: Callable[[Pair], AssignmentStatus]) -> dict[Pair, int]:
        rows = []
        for pair in pairs:
            breakdown = pair.breakdown
            status = status_of(pair)
            rows.append({
                "assessment_id": int(pair.assessment_id), "expert_id": int(pair.expert_id), "status": status,
                "affinity": pair.affinity,
                "breakdown": {"industry": breakdown.industry, "technology": breakdown.technology,
                              "region": breakdown.region, "experience": breakdown.experience,
                              "industry_matched": breakdown.industry_matched,
                              "matched_technologies": list(breakdown.matched_technologies),
                              "travel": breakdown.travel},
                "is_additional": False, "assigned_at": assigned_at,
                "responded_at": assigned_at + timedelta(days=2) if status is AssignmentStatus.ACCEPTED else None,
            })
        _insert(self.connection, ExpertAssignment, rows)
        table = _table(ExpertAssignment)
        assessment_ids = sorted({int(pair.assessment_id) for pair in pairs})
        found: dict[tuple[int, int], int] = {}
        for start in range(0, len(assessment_ids), 500):
            found.update({(assessment_id, expert_id): assignment_id
                          for assessment_id, expert_id, assignment_id in self.connection.execute(
                              select(table.c.assessment_id, table.c.expert_id, table.c.id)
                              .where(table.c.assessment_id.in_(assessment_ids[start:start + 500])))})
        return {pair: found[(int(pair.assessment_id), int(pair.expert_id))] for pair in pairs}

    def _store_summary(self, round_id: int, summary: dict[str, Any]) -> None:
        table = _table(AssessmentRound)
        self.connection.execute(table.update().where(table.c.id == round_id).values(assignment_summary=summary))




def _bind(name: str) -> BindParameter[Any]:
    return bindparam(f"b_{name}")


def _pairs(assignments: Sequence[Any]) -> list[Pair]:
    return [Pair(made.assessment_id, made.expert_id, made.affinity, made.breakdown) for made in assignments]


def _assign(problem: AssignmentProblem) -> tuple[list[Pair], dict[str, Any]]:
    """The exact assignment with its greedy baseline, summarised as a real run of ``midas assessment assign`` is."""
    started = time.perf_counter()
    result = solve_assignment(problem)
    greedy = greedy_assignment(problem)
    summary = assignment_summary(result, greedy, problem, pairs=len(result.assignments), conflicts_detected=0,
                                 seconds=time.perf_counter() - started)
    return _pairs(result.assignments), summary
