"""The demo's support programs: the national program MIDAS2027 with its rounds 2023-2026, a region-led program,
and everything the rounds produced (applications, eligibility, selection runs, decisions, appeals, projects).

:func:`load_support_demo` runs after the registry and the assessment demo and writes with bulk Core inserts. It is
deterministic for a seed (the dates that must stay "recent" hang on the day of loading: the region-led round's
open appeal window, the open re-review, the projects waiting for inspection).

What it writes:

- **Programs and rounds.** MIDAS2027 as ``midas/support/data/midas2027.yaml`` describes it (read through the
  programs service's ``load_midas2027``: names, counting rules, round defaults, and each track's framework, level
  range, shares, cap, eligibility rules, quotas and which tracks split their money by region) with the rounds
  SF2023-SF2026. The file's budgets are a single round's example; the demo sizes each round's track budgets to the
  national counts it funds (:data:`TRACK_SHAPES`) and splits a region-split track's money in proportion to the
  regions' demand, each region's part at least its largest request. A region-led program of the second demo
  company's region has one recent round whose decisions are still open for appeal (its funded applications get
  their agreements after the appeal window, so it has no projects yet).
- **Assessments.** Applications stand on finished assessments. The assessment demo's finished round 2025-1
  (with sheets) serves SF2026; the other years get finished rounds written here, **without experts' sheets**:
  2023-1 (SF2023), 2024-1 (SF2024), 2024-2 (SF2025) and 2025-2 (SF2026 and the region-led round). Their final
  scores lie in the KS X 9001-3 level bands and their levels are the framework's ``level_for`` of the score; the
  area profile is the overall ratio applied to every area.
- **Applications** of SMEs of the demo country with plans (goals, target KPIs, a technology supplier of the
  country and its solution, budget lines, schedule), evaluated with the real eligibility library (the verdict's
  checks are stored in ``eligibility_checks``, as the eligibility service stores them), and a **selection run**
  per round made with the real selection library, scored as the selection service scores (final score x 10 plus
  the round's adjustments x 10), with an entry per eligible application and every candidate's reason; at the
  national scale the solver runs under a time limit and the run keeps the status it reports.
- **Decisions** as the decision service writes them (funded; waitlisted with the position in the track; not
  funded for failed eligibility rules, each with the value it saw; final for past rounds), a few **appeals**
  (upheld, and granted with a superseding decision), waitlist promotions, and **projects** for the funded
  applications: past rounds' projects are mostly completed (payments of both shares, milestones, an expert's
  completion inspection, the outcome follow-up of the target KPIs), some were terminated with a clawback under a
  sanction; SF2026's projects are in progress, a few delivered and waiting for an expert's inspection.

Scale: the national demo country has 21,350 SMEs (fewer with a factory). The funded counts of
:data:`TRACK_SHAPES` make the national counting reach a little over half of each target by the end of 2026; the
small scale takes the same shape in proportion to its SMEs.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.orm import Session

from midas.assessment import (
    TECHNOLOGIES,
    Assessment,
    AssessmentRound,
    AssessmentStatus,
    Expert,
    Framework,
    FrameworkVersion,
    RoundStatus,
    framework_of,
)
from midas.demo import distributions as shape
from midas.demo.national import DEMO_EMAIL_DOMAIN, DemoCountry
from midas.errors import MidasError
from midas.registry import Factory, OrganizationKind, regions
from midas.support import (
    CAPITAL_REGIONS,
    AppealStatus,
    ApplicantFacts,
    ApplicationStatus,
    Candidate,
    DecisionOutcome,
    MilestoneStatus,
    PayerKind,
    PriorFunding,
    ProjectStatus,
    Quota,
    RegionBudget,
    ReviewStatus,
    SanctionKind,
    SelectionProblem,
    SelectionResult,
    TrackBudget,
    TrackKind,
    evaluate,
    load_midas2027,
    parse_rules,
    select_applications,
    ticket,
    verdict_to_json,
)
from midas.support import RoundStatus as SupportRoundStatus

# The pure libraries and the kinds and states, until midas.support exports them (then: from midas.support import).
from midas.support.models import (
    AppealReview,
    ProjectClawback,
    ProjectMilestone,
    ProjectPayment,
    SanctionRecord,
    SelectionEntry,
    SelectionRun,
    SupportAppeal,
    SupportApplication,
    SupportDecision,
    SupportNotification,
    SupportProgram,
    SupportProject,
    SupportRound,
    SupportTrack,
    TrackRegionBudget,
)

SEOUL = ZoneInfo("Asia/Seoul")
FRAMEWORK_CODE = "ksx9001-3"
EXISTING_ASSESSMENT_ROUND = "2025-1"  # the assessment demo's finished round, with sheets
NON_CAPITAL_REGIONS = sorted(set(shape.REGION_WEIGHTS) - set(CAPITAL_REGIONS))
OPERATOR_LABEL = "operator1@" + DEMO_EMAIL_DOMAIN
# The national selection is stopped after this many seconds (the run keeps the solver's status); small is exact.
NATIONAL_TIME_LIMIT = 5.0
ELIGIBLE_PER_FUNDED = 1.3
INELIGIBLE_SHARE = 0.06
TERMINATED_SHARE = 0.02
APPEAL_SHARE = 0.015
PROMOTED_SHARE = 0.01
MKRW = 1_000_000
MARGINAL_PER_SIDE = 10
# The message ids the decision and appeal services write (their Korean is in those services' catalogs).
PROMOTED_MESSAGE = "Promoted from the waitlist: funds freed up"
WAITLIST_POSITION = "Waitlist position {position} in the track"
APPEAL_GRANTED_MESSAGE = "Appeal {appeal_id} was granted after a re-review by {count} experts"
NOTICES = {
    "funded": "Your application \"{title}\" is funded. You may appeal until {deadline}.",
    "waitlisted": "Your application \"{title}\" is on the waitlist. You may appeal until {deadline}.",
    "rejected": "Your application \"{title}\" is not funded. You may appeal until {deadline}.",
}
TERMINATION_REASON = "보조금 목적 외 사용 확인에 따른 협약 해지 / agreement ended: subsidy used for other purposes"


@dataclass(frozen=True, slots=True)
class TrackShape:
    """What the demo adds to a MIDAS 2027 track of ``midas2027.yaml``: project sizes and the national counts it
    funds each year (assumed: enough for the national counting to reach 55-60 % of the targets by 2026)."""

    cost_steps: tuple[int, int]  # total project cost, in 10M KRW steps
    months: tuple[int, int]
    funded: Mapping[int, int]
    levels: Mapping[int, float]  # the assessed levels of its eligible applicants, weighted
    co_funder_percent: int = 0


TRACK_SHAPES: Mapping[TrackKind, TrackShape] = {
    TrackKind.BASIC: TrackShape((8, 22), (5, 8), {2023: 3_000, 2024: 3_600, 2025: 4_300, 2026: 3_500},
                                {1: 0.2, 2: 0.8}),
    TrackKind.ADVANCED: TrackShape((16, 42), (6, 10), {2023: 800, 2024: 1_000, 2025: 1_300, 2026: 1_300},
                                   {2: 0.2, 3: 0.8}),
    TrackKind.LEADING: TrackShape((40, 90), (9, 12), {2023: 100, 2024: 150, 2025: 200, 2026: 250},
                                  {3: 0.35, 4: 0.5, 5: 0.15}),
    TrackKind.WINWIN: TrackShape((10, 30), (5, 8), {2023: 250, 2024: 300, 2025: 350, 2026: 350},
                                 {1: 0.15, 2: 0.6, 3: 0.25}, co_funder_percent=30),
    TrackKind.REGIONAL: TrackShape((8, 20), (5, 8), {2023: 350, 2024: 450, 2025: 550, 2026: 500},
                                   {1: 0.15, 2: 0.65, 3: 0.2}),
}


@dataclass(frozen=True, slots=True)
class TrackPlan:
    """A MIDAS 2027 track: its configuration from ``midas2027.yaml`` and the demo's shape of it."""

    config: Mapping[str, Any]
    shape: TrackShape

    @property
    def kind(self) -> TrackKind:
        return TrackKind(self.config["kind"])

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @property
    def level_min(self) -> int:
        return int(self.config["level_min"])

    @property
    def level_max(self) -> int:
        return int(self.config["level_max"])

    @property
    def government_share_percent(self) -> int:
        return int(self.config["government_share_percent"])

    @property
    def matching_share_percent(self) -> int:
        return int(self.config["matching_share_percent"])

    @property
    def cap_krw(self) -> int:
        return int(self.config["cap_krw"])

    @property
    def cost_steps(self) -> tuple[int, int]:
        return self.shape.cost_steps

    @property
    def months(self) -> tuple[int, int]:
        return self.shape.months

    @property
    def funded(self) -> Mapping[int, int]:
        return self.shape.funded

    @property
    def co_funder_percent(self) -> int:
        return self.shape.co_funder_percent

    def region_shares(self) -> dict[str, float]:
        """The file's split of the track's money over the regions, as shares of its budget (empty: national)."""
        parts = self.config.get("region_budgets") or {}
        budget = int(self.config["budget_krw"]) or 1
        return {str(code): int(amount) / budget for code, amount in parts.items()}


def track_plans() -> tuple[TrackPlan, ...]:
    """The five tracks of ``midas2027.yaml`` (read through the programs service), each with its demo shape."""
    return tuple(TrackPlan(track, TRACK_SHAPES[TrackKind(track["kind"])]) for track in load_midas2027()["tracks"])


# Score bands of the KS X 9001-3 levels the demo draws from (points of 1,000; the framework's level_for decides).
SCORE_BANDS: Mapping[int, tuple[int, int]] = {1: (25_000, 39_999), 2: (40_000, 59_999), 3: (60_000, 74_999),
                                              4: (75_000, 89_999), 5: (90_000, 97_000)}


@dataclass(frozen=True, slots=True)
class RoundPlan:
    year: int
    assessment_round: str
    call_opens_at: datetime
    call_closes_at: datetime
    decided_at: datetime

    @property
    def code(self) -> str:
        return f"SF{self.year}"


def _utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SEOUL).astimezone(UTC)


ROUND_PLANS: tuple[RoundPlan, ...] = (
    RoundPlan(2023, "2023-1", _utc(2023, 2, 13, 9), _utc(2023, 3, 14, 18), _utc(2023, 4, 17, 10)),
    RoundPlan(2024, "2024-1", _utc(2024, 3, 25, 9), _utc(2024, 4, 12, 18), _utc(2024, 5, 13, 10)),
    RoundPlan(2025, "2024-2", _utc(2025, 4, 14, 9), _utc(2025, 5, 13, 18), _utc(2025, 6, 16, 10)),
    RoundPlan(2026, "2025-2", _utc(2026, 2, 2, 9), _utc(2026, 3, 3, 18), _utc(2026, 4, 6, 10)),
)
# Finished assessment rounds written here (no sheets): code -> (name, finalized at).
ASSESSMENT_ROUNDS: Mapping[str, tuple[str, datetime]] = {
    "2023-1": ("2023년 스마트공장 수준확인", _utc(2023, 1, 27, 18)),
    "2024-1": ("2024년 상반기 스마트공장 수준확인", _utc(2024, 3, 8, 18)),
    "2024-2": ("2024년 하반기 스마트공장 수준확인", _utc(2024, 12, 13, 18)),
    "2025-2": ("2025년 하반기 스마트공장 수준확인", _utc(2025, 12, 12, 18)),
}


@dataclass(frozen=True, slots=True)
class SupportScale:
    """The share of the national support figures one scale of the country carries."""

    factor: float
    regional_applicants: int
    time_limit: float | None


SUPPORT_SCALES: Mapping[str, SupportScale] = {
    "national": SupportScale(1.0, 60, NATIONAL_TIME_LIMIT),
    "small": SupportScale(shape.SMALL.smes / shape.NATIONAL.smes, 8, None),
}


def support_scale_for(scale: shape.Scale) -> SupportScale:
    """The support demo of a named scale, or one in proportion to the SMEs of another scale."""
    known = SUPPORT_SCALES.get(scale.name)
    if known is not None:
        return known
    factor = scale.smes / shape.NATIONAL.smes
    return SupportScale(factor, max(6, round(60 * factor)), None if factor < 0.2 else NATIONAL_TIME_LIMIT)


@dataclass(frozen=True, slots=True)
class SupportDemoSummary:
    """What the support demo wrote and how long it took."""

    programs: int
    rounds: int
    applications: int
    decisions: int
    appeals: int
    projects: int
    completed_projects: int
    assessments: int
    seconds: float


# -- rows before the database gives ids ---------------------------------------------------------------------


@dataclass(slots=True)
class _Applicant:
    organization_id: int
    factory_id: int
    region: str  # the factory's region
    size_band: str
    division: str
    track: TrackPlan
    level: int
    score: Decimal
    assessment_key: tuple[str, int]  # (assessment round code, organization id)
    scope: str
    total_krw: int
    government_krw: int
    company_krw: int
    co_funder_krw: int
    co_funder_id: int | None
    supplier_id: int
    supplier_name: str
    title: str
    plan: dict[str, Any]
    created_at: datetime
    forced: str | None = None  # "win" / "lose" for the demo accounts' applications
    application_id: int = 0
    passed: bool = False
    checks: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(connection: Connection, model: type[Any], rows: Sequence[dict[str, Any]], batch: int = 2_000) -> None:
    for start in range(0, len(rows), batch):
        connection.execute(insert(_table(model)), list(rows[start:start + batch]))


def _size_band(employees: int) -> str:
    return "micro" if employees < 10 else "small" if employees < 50 else "medium" if employees < 300 else "large"


def _deadline_text(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def _canonical_hash(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode()).hexdigest()


GOALS: Mapping[str, str] = {
    "mes": "작업지시·생산실적을 MES로 실시간 관리해 불량과 재공을 줄인다",
    "automation": "수작업 공정을 자동화 설비와 PLC 제어로 바꿔 생산성을 높인다",
    "quality": "검사 데이터를 수집·분석해 공정 불량을 조기에 잡는다",
    "ai_data": "설비·공정 데이터를 AI로 분석해 품질과 설비 고장을 예측한다",
    "plm": "설계 변경 이력을 PLM으로 관리해 개발 기간을 단축한다",
    "scm": "ERP·SCM으로 자재 수급과 납기를 한눈에 관리한다",
    "energy": "설비별 에너지 사용량을 계측해 에너지 비용을 줄인다",
    "robotics": "협동로봇을 도입해 반복 작업을 자동화한다",
    "iot": "IoT 센서로 설비 가동 상태를 실시간으로 모니터링한다",
    "safety": "위험 구역 감지와 설비 인터록으로 산업재해를 예방한다",
}
SOLUTIONS: Mapping[str, str] = {
    "mes": "MES 표준형", "automation": "PLC 자동화 라인", "quality": "SPC 품질관리", "ai_data": "AI 예지보전",
    "plm": "PLM 클라우드", "scm": "ERP·SCM 패키지", "energy": "FEMS", "robotics": "협동로봇 셀",
    "iot": "IoT 설비 모니터링", "safety": "스마트 안전 관제",
}
LEADING_SOLUTIONS = ("디지털트윈 공정 시뮬레이션", "AI 자율 공정 제어", "자율형 공장 통합 플랫폼")


class _Writer:
    """Generates and writes the support demo; state shared between rounds lives here."""

    def __init__(self, session: Session, country: DemoCountry, organization_ids: Sequence[int], scale: SupportScale,
                 seed: int, user_ids: Mapping[str, int]) -> None:
        self.session = session
        self.connection = session.connection()
        self.country = country
        self.organization_ids = organization_ids
        self.scale = scale
        self.seed = seed
        self.now = datetime.now(UTC)
        self.rng = random.Random(f"midas-demo-support:{seed}")
        organizations = country.organizations
        self.organization_row = {organization_ids[i]: row for i, row in enumerate(organizations)}
        kinds = defaultdict(list)
        for index, row in enumerate(organizations):
            kinds[row.kind].append(organization_ids[index])
        self.smes: list[int] = kinds[OrganizationKind.SME]
        self.suppliers: list[int] = kinds[OrganizationKind.TECHNOLOGY_SUPPLIER]
        self.large: list[int] = kinds[OrganizationKind.LARGE_ENTERPRISE]
        factory = _table(Factory)
        self.factory_of: dict[int, tuple[int, str]] = {}
        for factory_id, organization_id, region in self.connection.execute(
                select(factory.c.id, factory.c.organization_id, factory.c.region_code).order_by(factory.c.id)):
            self.factory_of.setdefault(organization_id, (factory_id, region))
        self.smes = [organization for organization in self.smes if organization in self.factory_of]
        expert = _table(Expert)
        experts = self.connection.execute(select(expert.c.id, expert.c.email).order_by(expert.c.id)).all()
        self.demo_experts = {email.split("@")[0]: expert_id for expert_id, email in experts
                             if email and email.endswith("@" + DEMO_EMAIL_DOMAIN)}
        self.pool_experts = [expert_id for expert_id, _ in experts if expert_id not in self.demo_experts.values()] \
            or [expert_id for expert_id, _ in experts]
        self.members = self._member_organizations(user_ids)
        version = self.session.scalar(select(FrameworkVersion).where(FrameworkVersion.code == FRAMEWORK_CODE)
                                      .order_by(FrameworkVersion.id.desc()).limit(1))
        if version is None:
            raise RuntimeError("the assessment demo must store the KS X 9001-3 framework first")
        self.version = version
        self.framework: Framework = framework_of(version)
        self.config = load_midas2027()
        self.points = {str(item["kind"]): int(item["points"]) * 10 for item in self.config["round"]["adjustments"]}
        # Carried between rounds.
        self.assessments: dict[tuple[str, int], tuple[int, Decimal]] = {}  # key -> (level, score), to insert
        self.assessment_ids: dict[tuple[str, int], int] = {}
        self.funded_before: set[int] = set()
        self.prior: dict[int, list[PriorFunding]] = defaultdict(list)
        self.sanctioned: dict[int, str] = {}
        self.graduates: list[int] = []  # completed basic-type projects: candidates to advance later
        self.counters: dict[str, int] = defaultdict(int)
        self.existing_ids: dict[int, int] = {}  # organization -> assessment id in the existing finished round
        self.assessment_round_ids: dict[str, int] = {}
        self.decided_at: dict[int, datetime] = {}  # application -> when its funding was decided

    def _member_organizations(self, user_ids: Mapping[str, int]) -> list[int]:
        from midas.auth import User  # the users are read by e-mail; auth is a platform package, not a domain

        table = _table(User)
        emails = [f"member{n}@{DEMO_EMAIL_DOMAIN}" for n in range(1, 4)]
        found = dict(self.connection.execute(select(table.c.email, table.c.organization_id)
                                             .where(table.c.email.in_(emails))).all())
        return [found[email] for email in emails if found.get(email) in self.factory_of]

    # -- assessments ------------------------------------------------------------------------------------------
    def existing_assessments(self) -> dict[int, tuple[int, int, Decimal]]:
        """The assessment demo's finished round: organization -> (assessment id, level, score)."""
        assessment, rounds = _table(Assessment), _table(AssessmentRound)
        rows = self.connection.execute(
            select(assessment.c.organization_id, assessment.c.id, assessment.c.final_level, assessment.c.final_score)
            .join(rounds, rounds.c.id == assessment.c.round_id)
            .where(rounds.c.code == EXISTING_ASSESSMENT_ROUND, assessment.c.final_level.is_not(None))).all()
        return {organization: (assessment_id, int(level), Decimal(score)) for organization, assessment_id, level, score
                in rows}

    def draw_score(self, rng: random.Random, level: int, *, top: bool = False, bottom: bool = False) -> Decimal:
        low, high = SCORE_BANDS[level]
        hundredths = high - 50 if top else low + 50 if bottom else rng.randint(low, high)
        value = (Decimal(hundredths) / 100).quantize(Decimal("0.01"))
        assert self.framework.level_for(value).level == level, (level, value)
        return value

    def write_assessment_rounds(self) -> None:
        """The finished historical assessment rounds (no sheets)."""
        rounds_table = _table(AssessmentRound)
        _insert(self.connection, AssessmentRound, [{
            "code": code, "name": name, "framework_id": self.version.id, "framework_hash": self.version.content_hash,
            "track": "advance", "experts_per_assessment": 2, "limit_own_region": False, "item_tolerance": 2,
            "level_tolerance": 0, "deadline": finalized - timedelta(days=7), "status": RoundStatus.CLOSED,
            "assignment_summary": None, "created_at": finalized - timedelta(days=90),
            "assigned_at": finalized - timedelta(days=75), "closed_at": finalized,
        } for code, (name, finalized) in ASSESSMENT_ROUNDS.items()])
        self.assessment_round_ids = dict(self.connection.execute(
            select(rounds_table.c.code, rounds_table.c.id).where(rounds_table.c.code.in_(list(ASSESSMENT_ROUNDS)))
        ).all())

    def write_assessments_for(self, applicants: Sequence[_Applicant]) -> None:
        """The final assessments the applicants stand on that are not written yet."""
        new = sorted({applicant.assessment_key for applicant in applicants
                      if applicant.assessment_key[0] != EXISTING_ASSESSMENT_ROUND
                      and applicant.assessment_key not in self.assessment_ids})
        rows = []
        for code, organization_id in new:
            level, score = self.assessments[(code, organization_id)]
            finalized = ASSESSMENT_ROUNDS[code][1]
            ratio = score / 1000
            areas = {area.id: str((Decimal(area.points) * ratio).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
                     for area in self.framework.areas if area.points is not None}
            rows.append({
                "round_id": self.assessment_round_ids[code], "organization_id": organization_id,
                "factory_id": self.factory_of[organization_id][0], "needs": "mes", "status": AssessmentStatus.FINAL,
                "final_score": score, "final_level": level, "final_areas": areas,
                "recommended_track": {1: "start", 2: "start", 3: "advance", 4: "advance", 5: "leading"}[level],
                "finalized_at": finalized, "created_at": finalized - timedelta(days=90),
            })
        _insert(self.connection, Assessment, rows)
        table = _table(Assessment)
        for code in sorted({code for code, _ in new}):
            wanted = {organization for round_code, organization in new if round_code == code}
            for organization_id, assessment_id in self.connection.execute(
                    select(table.c.organization_id, table.c.id)
                    .where(table.c.round_id == self.assessment_round_ids[code])):
                if organization_id in wanted:
                    self.assessment_ids[(code, organization_id)] = assessment_id
        self.counters["assessments"] += len(rows)

    # -- programs, rounds and tracks --------------------------------------------------------------------------
    def write_programs(self, regional_code: str) -> tuple[int, int]:
        """MIDAS2027 as ``midas2027.yaml`` describes it, and a region-led program of ``regional_code``."""
        region = regions()[regional_code]
        program = self.config["program"]
        regional_rules = [dict(rule, tracks=["regional"]) for rule in program["counting_rules"]
                          if "regional" in rule["tracks"]]
        regional_program = f"R{regional_code}-SF"
        _insert(self.connection, SupportProgram, [
            {"code": program["code"], "name": program["name"], "name_en": program["name_en"], "region_code": None,
             "counting_rules": program["counting_rules"], "created_at": _utc(2022, 12, 1, 9)},
            {"code": regional_program, "name": f"{region.name_ko} 지역주도 스마트공장 지원사업",
             "name_en": f"{region.name_en} region-led smart factory program", "region_code": regional_code,
             "counting_rules": regional_rules, "created_at": _utc(2025, 12, 1, 9)},
        ])
        table = _table(SupportProgram)
        ids = dict(self.connection.execute(select(table.c.code, table.c.id)).all())
        return ids[program["code"]], ids[regional_program]

    def insert_round(self, program_id: int, code: str, year: int, name: str, name_en: str, opens: datetime,
                     closes: datetime, decided: datetime) -> int:
        seed = f"{code}-{hashlib.sha256(f'{self.seed}:{code}'.encode()).hexdigest()[:16]}"
        defaults = self.config["round"]
        _insert(self.connection, SupportRound, [{
            "program_id": program_id, "code": code, "year": year, "name": name, "name_en": name_en,
            "call_opens_at": opens, "call_closes_at": closes, "status": SupportRoundStatus.DECIDED,
            "objective": defaults["objective"], "adjustments": defaults["adjustments"],
            "appeal_days": defaults["appeal_days"], "lottery_seed": seed,
            "seed_published_at": closes + timedelta(days=1), "created_at": opens - timedelta(days=30),
            "decided_at": decided,
        }])
        table = _table(SupportRound)
        return int(self.connection.execute(select(table.c.id).where(table.c.code == code)).scalar_one())

    @staticmethod
    def track_rules(plan: TrackPlan, region: str | None = None) -> list[dict[str, Any]]:
        """The file's rules; a region-led program's track allows its own region only."""
        rules = [dict(rule) for rule in plan.config["eligibility_rules"]]
        if region is not None:
            rules = [rule for rule in rules if rule["rule"] != "region"]
            rules.insert(len(rules) - 3, {"rule": "region", "allowed": [region]})
        parse_rules(rules)  # what an operator could save
        return rules

    # -- applicants -------------------------------------------------------------------------------------------
    def applicant(self, rng: random.Random, organization_id: int, plan: TrackPlan, level: int, score: Decimal,
                  assessment_key: tuple[str, int], opens: datetime, *, year: int, short_matching: bool = False,
                  cost: str = "drawn", scope: str | None = None) -> _Applicant:
        row = self.organization_row[organization_id]
        factory_id, region = self.factory_of[organization_id]
        used = {funding.scope for funding in self.prior.get(organization_id, [])}
        scope = scope or rng.choice([tech for tech in TECHNOLOGIES if tech not in used] or list(TECHNOLOGIES))
        low, high = plan.cost_steps
        total = {"low": low, "high": high}.get(cost, 0) or rng.randint(low, high)
        total *= 10 * MKRW
        co_funder = total * plan.co_funder_percent // 100
        government = min(plan.cap_krw, total * plan.government_share_percent // 100)
        if short_matching:  # declares less than the required matching share: not eligible
            government = min(plan.cap_krw, total * (100 - plan.matching_share_percent + 10) // 100 - co_funder)
        company = total - government - co_funder
        supplier_id = rng.choice(self.suppliers)
        supplier_name = self.organization_row[supplier_id].name
        solution = rng.choice(LEADING_SOLUTIONS) if plan.kind is TrackKind.LEADING else SOLUTIONS[scope]
        start = date(year, opens.month, 1) + timedelta(days=120)
        months = rng.randint(*plan.months)
        kpis: dict[str, dict[str, Any]] = {
            "productivity": {"baseline": 100, "target": 100 + rng.randint(8, 30), "unit": "%"},
            "quality": {"baseline": round(rng.uniform(1.5, 6.0), 1), "target": None, "unit": "% 불량률"},
            "cost": {"baseline": 100, "target": 100 - rng.randint(5, 20), "unit": "%"},
            "delivery": {"baseline": round(rng.uniform(85, 95), 1), "target": None, "unit": "% 납기준수율"},
        }
        kpis["quality"]["target"] = round(kpis["quality"]["baseline"] * rng.uniform(0.4, 0.8), 1)
        kpis["delivery"]["target"] = round(min(99.5, kpis["delivery"]["baseline"] + rng.uniform(3, 8)), 1)
        software = total * rng.randint(45, 70) // 100 // MKRW * MKRW
        plan_data = {
            "goals": GOALS[scope], "target_kpis": kpis,
            "suppliers": [{"organization_id": supplier_id, "name": supplier_name, "solution": solution}],
            "budget_lines": [{"item": f"{solution} 소프트웨어·구축", "amount_krw": software},
                             {"item": "설비 연동·센서", "amount_krw": total - software}],
            "schedule": [{"title": "착수", "due_on": start.isoformat()},
                         {"title": "중간 점검", "due_on": (start + timedelta(days=15 * months)).isoformat()},
                         {"title": "구축 완료", "due_on": (start + timedelta(days=30 * months)).isoformat()}],
        }
        return _Applicant(
            organization_id=organization_id, factory_id=factory_id, region=region,
            size_band=_size_band(row.employees), division=row.ksic_code[:2], track=plan, level=level, score=score,
            assessment_key=assessment_key, scope=scope, total_krw=total, government_krw=government,
            company_krw=company, co_funder_krw=co_funder,
            co_funder_id=rng.choice(self.large) if plan.co_funder_percent and self.large else None,
            supplier_id=supplier_id, supplier_name=supplier_name, title=f"{solution} 도입 ({plan.name.split(' (')[0]})",
            plan=plan_data, created_at=opens + timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600)))

    def national_applicants(self, plan_round: RoundPlan, existing: Mapping[int, tuple[int, int, Decimal]]
                            ) -> list[_Applicant]:
        rng = random.Random(f"midas-demo-support:{self.seed}:{plan_round.code}")
        year, code = plan_round.year, plan_round.assessment_round
        taken: set[int] = set()
        applicants: list[_Applicant] = []

        def assess(organization_id: int, level: int, score: Decimal) -> tuple[str, int]:
            if year == 2026 and organization_id in existing:
                return (EXISTING_ASSESSMENT_ROUND, organization_id)
            key = (code, organization_id)
            self.assessments.setdefault(key, (level, score))
            return key

        for organization_id, kind, level, outcome, scope in self._forced(year):
            plan = next(p for p in track_plans() if p.kind is kind)
            score = self.draw_score(rng, level, top=outcome == "win", bottom=outcome == "lose")
            key = (code, organization_id)  # the demo accounts stand on an assessment written here
            self.assessments[key] = (level, score)
            applicants.append(self.applicant(rng, organization_id, plan, level, score, key, plan_round.call_opens_at,
                                             year=year, cost="low" if outcome == "win" else "high", scope=scope))
            applicants[-1].forced = outcome
            taken.add(organization_id)
        members = set(self.members)
        fresh = [organization for organization in self.smes
                 if organization not in self.funded_before and organization not in members]
        rng.shuffle(fresh)
        in_existing = {o for o in fresh if o in existing} if year == 2026 else set()
        fresh_iter = iter([o for o in fresh if o not in in_existing])
        existing_by_level: dict[int, list[int]] = defaultdict(list)
        for assessed in (o for o in fresh if o in in_existing):
            existing_by_level[existing[assessed][1]].append(assessed)
        graduates = [organization for organization in self.graduates if organization not in members]
        rng.shuffle(graduates)
        graduates_iter = iter(graduates)
        for plan in track_plans():
            funded = max(2, round(plan.funded[year] * self.scale.factor))
            eligible = math.ceil(funded * ELIGIBLE_PER_FUNDED)
            ineligible = max(1, round(eligible * INELIGIBLE_SHARE))
            for number in range(eligible + ineligible):
                is_ineligible = number >= eligible
                organization: int | None = None
                level = rng.choices(list(plan.shape.levels), list(plan.shape.levels.values()))[0]
                if is_ineligible and rng.random() < 0.7:  # a level outside the track's range
                    level = plan.level_max + 1 if plan.level_max < 5 else plan.level_min - 1
                score = self.draw_score(rng, level)
                if plan.kind is TrackKind.ADVANCED and year >= 2025 and rng.random() < 0.25:
                    organization = next((g for g in graduates_iter if g not in taken), None)
                if organization is None and existing_by_level.get(level):
                    organization = existing_by_level[level].pop()
                    level, score = existing[organization][1], existing[organization][2]
                if organization is None:
                    organization = next((o for o in fresh_iter if o not in taken), None)
                if organization is None:
                    break
                taken.add(organization)
                key = assess(organization, level, score)
                stored_level, stored_score = (existing[organization][1], existing[organization][2]) \
                    if key[0] == EXISTING_ASSESSMENT_ROUND else self.assessments[key]
                applicants.append(self.applicant(
                    rng, organization, plan, stored_level, stored_score, key, plan_round.call_opens_at, year=year,
                    short_matching=is_ineligible and stored_level in range(plan.level_min, plan.level_max + 1)))
        return applicants

    def _forced(self, year: int) -> list[tuple[int, TrackKind, int, str, str | None]]:
        """The demo accounts' companies: member1 completed a basic project and runs an advanced one; member2
        completed a basic project (and waits on the region-led round); member3 completed a region-led-track
        project and applied for an advanced one in 2026 with a low score."""
        members = self.members
        plans: list[tuple[int, TrackKind, int, str, str | None]] = []
        if len(members) >= 1:
            if year == 2024:
                plans.append((members[0], TrackKind.BASIC, 2, "win", "mes"))
            if year == 2026:
                plans.append((members[0], TrackKind.ADVANCED, 3, "win", "ai_data"))
        if len(members) >= 2 and year == 2025:
            plans.append((members[1], TrackKind.BASIC, 2, "win", "quality"))
        if len(members) >= 3:
            if year == 2023:
                plans.append((members[2], TrackKind.REGIONAL, 2, "win", "iot"))
            if year == 2026:
                plans.append((members[2], TrackKind.ADVANCED, 3, "lose", "automation"))
        return plans

    # -- eligibility ------------------------------------------------------------------------------------------
    def evaluate(self, applicants: Sequence[_Applicant], rules: Mapping[TrackKind, Any], year: int) -> None:
        for applicant in applicants:
            declared = Decimal(applicant.company_krw + applicant.co_funder_krw) * 100 / applicant.total_krw
            facts = ApplicantFacts(
                assessed_level=applicant.level, size_band=applicant.size_band, ksic_division=applicant.division,
                region=applicant.region,
                active_sanctions=(self.sanctioned[applicant.organization_id],)
                if applicant.organization_id in self.sanctioned else (),
                prior_fundings=tuple(self.prior.get(applicant.organization_id, ())),
                factory_id=str(applicant.factory_id), scope=applicant.scope, round_year=year,
                matching_share_percent=declared.quantize(Decimal("0.1")))
            verdict = evaluate(rules[applicant.track.kind], facts)
            applicant.passed = verdict.passed
            applicant.checks = verdict_to_json(verdict)["checks"]  # type: ignore[assignment]
            applicant.failed = [{"message": check.label, "params": dict(check.params), "rule": check.rule,
                                 "seen": check.seen} for check in verdict.checks if not check.passed]

    # -- one round --------------------------------------------------------------------------------------------
    def write_round(self, round_id: int, round_code: str, year: int, tracks: Sequence[TrackPlan],
                    applicants: list[_Applicant], *, opens: datetime, closes: datetime, decided: datetime,
                    final: bool, region: str | None, funded_share: float | None = None) -> list[_Applicant]:
        """Tracks with budgets, applications, the selection run, entries and decisions; the funded applicants."""
        rules = {plan.kind: parse_rules(self.track_rules(plan, region)) for plan in tracks}
        self.evaluate(applicants, rules, year)
        eligible = [applicant for applicant in applicants if applicant.passed]
        budgets: dict[TrackKind, int] = {}
        for plan in tracks:
            grants = sorted(a.government_krw for a in eligible if a.track.kind is plan.kind)
            # The plan's count, but never more than most of the eligible: a thin pool gets a smaller budget, not
            # money that nobody can use.
            planned = max(2, round(plan.funded[year] * self.scale.factor))
            wanted = min(planned, max(1, round(len(grants) * THIN_POOL_SHARE))) if funded_share is None \
                else max(1, round(len(grants) * funded_share))
            mean = sum(grants) / len(grants) if grants else plan.cap_krw
            budgets[plan.kind] = max(plan.cap_krw, int(wanted * mean) // (10 * MKRW) * 10 * MKRW)
        region_parts = self._region_budgets(tracks, budgets, eligible, region)
        for kind in {kind for kind, _ in region_parts}:  # the regions' parts add up to at most the track's budget
            budgets[kind] = max(budgets[kind], sum(v for (k, _), v in region_parts.items() if k is kind))
        track_ids = self._insert_tracks(round_id, tracks, budgets, region)
        _insert(self.connection, TrackRegionBudget, [
            {"track_id": track_ids[kind], "region_code": code, "budget_krw": amount}
            for (kind, code), amount in sorted(region_parts.items())])
        self._insert_applications(round_id, track_ids, applicants, closes, decided)
        run_id, result_funded, entries = self._select(round_id, tracks, budgets, region_parts, eligible, decided)
        return self._decide(applicants, run_id, result_funded, entries, decided, final)

    def _insert_tracks(self, round_id: int, tracks: Sequence[TrackPlan], budgets: Mapping[TrackKind, int],
                       region: str | None) -> dict[TrackKind, int]:
        _insert(self.connection, SupportTrack, [{
            "round_id": round_id, "kind": plan.kind, "name": plan.name, "name_en": plan.config["name_en"],
            "framework_code": plan.config["framework_code"], "level_min": plan.level_min,
            "level_max": plan.level_max, "government_share_percent": plan.government_share_percent,
            "cap_krw": plan.cap_krw, "matching_share_percent": plan.matching_share_percent,
            "budget_krw": budgets[plan.kind], "eligibility_rules": self.track_rules(plan, region),
            "quotas": [] if region is not None else list(plan.config.get("quotas") or []),
            "allows_multiple": False, "requires_co_funder": bool(plan.config.get("requires_co_funder")),
        } for plan in tracks])
        table = _table(SupportTrack)
        return {TrackKind(kind): track_id for kind, track_id in self.connection.execute(
            select(table.c.kind, table.c.id).where(table.c.round_id == round_id))}

    @staticmethod
    def _region_budgets(tracks: Sequence[TrackPlan], budgets: Mapping[TrackKind, int],
                        eligible: Sequence[_Applicant], region: str | None) -> dict[tuple[TrackKind, str], int]:
        """The money of the tracks the file splits by region, split in proportion to each region's demand (whole
        millions), each region's part at least its largest request so that every region can fund someone."""
        parts: dict[tuple[TrackKind, str], int] = {}
        if region is not None:
            return parts
        for plan in tracks:
            if not plan.region_shares():
                continue
            demand: dict[str, int] = defaultdict(int)
            largest: dict[str, int] = defaultdict(int)
            for applicant in eligible:
                if applicant.track.kind is plan.kind:
                    demand[applicant.region] += applicant.government_krw
                    largest[applicant.region] = max(largest[applicant.region], applicant.government_krw)
            total = sum(demand.values()) or 1
            for code in sorted(plan.region_shares()):
                share = budgets[plan.kind] * demand.get(code, 0) // total // MKRW * MKRW
                parts[(plan.kind, code)] = max(share, largest.get(code, 0))
        return parts

    def _insert_applications(self, round_id: int, track_ids: Mapping[TrackKind, int],
                             applicants: Sequence[_Applicant], closes: datetime, decided: datetime) -> None:
        rows = []
        for applicant in applicants:
            key = applicant.assessment_key
            rows.append({
                "round_id": round_id, "track_id": track_ids[applicant.track.kind],
                "organization_id": applicant.organization_id, "factory_id": applicant.factory_id,
                "assessment_id": self.assessment_ids.get(key) if key[0] != EXISTING_ASSESSMENT_ROUND
                else self.existing_ids[key[1]],
                "co_funder_id": applicant.co_funder_id, "status": ApplicationStatus.SUBMITTED,
                "title": applicant.title, "scope": applicant.scope, "plan": applicant.plan,
                "total_cost_krw": applicant.total_krw, "government_krw": applicant.government_krw,
                "company_krw": applicant.company_krw, "co_funder_krw": applicant.co_funder_krw,
                "eligibility_passed": applicant.passed, "eligibility_checks": applicant.checks,
                "eligibility_at": closes + timedelta(days=5), "created_by_label": "demo",
                "created_at": applicant.created_at, "updated_at": decided,
                "submitted_at": applicant.created_at + timedelta(days=2),
            })
        _insert(self.connection, SupportApplication, rows, batch=1_000)
        table = _table(SupportApplication)
        ids = dict(self.connection.execute(select(table.c.organization_id, table.c.id)
                                           .where(table.c.round_id == round_id)).all())
        for applicant in applicants:
            applicant.application_id = ids[applicant.organization_id]
        self.counters["applications"] += len(rows)

    def _score(self, applicant: _Applicant) -> tuple[int, int]:
        """As the selection service scores: the final score (one decimal) times 10, plus the round's adjustments
        (points times 10) for a first-time applicant and a factory outside the capital area."""
        base = int((applicant.score * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        adjusted = base
        if applicant.organization_id not in self.funded_before:
            adjusted += self.points.get("first_time", 0)
        if applicant.region not in CAPITAL_REGIONS:
            adjusted += self.points.get("non_capital", 0)
        return base, adjusted

    def _select(self, round_id: int, tracks: Sequence[TrackPlan], budgets: Mapping[TrackKind, int],
                region_parts: Mapping[tuple[TrackKind, str], int], eligible: Sequence[_Applicant],
                decided: datetime) -> tuple[int, set[str], list[dict[str, Any]]]:
        """The real selection of the eligible applications, stored as the selection service stores a run: every
        candidate explained, an entry each, the marginal ones kept with the run."""
        rounds = _table(SupportRound)
        seed = self.connection.execute(select(rounds.c.lottery_seed).where(rounds.c.id == round_id)).scalar_one()
        scores = {applicant.application_id: self._score(applicant) for applicant in eligible}
        candidates = tuple(Candidate(str(a.application_id), a.track.kind.value, a.region,
                                               scores[a.application_id][1], a.government_krw,
                                               a.organization_id not in self.funded_before) for a in eligible)
        quotas = tuple(Quota(plan.kind.value, frozenset(str(r) for r in quota["regions"]),
                                       int(quota["min_share_percent"]), str(quota.get("measure", "amount")))
                       for plan in tracks if not plan.config.get("region_only")
                       for quota in (plan.config.get("quotas") or []) if len(tracks) > 1)
        problem = SelectionProblem(
            candidates=candidates,
            track_budgets=tuple(TrackBudget(plan.kind.value, budgets[plan.kind]) for plan in tracks),
            region_budgets=tuple(RegionBudget(kind.value, code, amount)
                                 for (kind, code), amount in sorted(region_parts.items())),
            quotas=quotas, objective=str(self.config["round"]["objective"]), seed=seed)
        started = time.perf_counter()
        result = _solve(problem, self.scale.time_limit)
        seconds = time.perf_counter() - started
        inputs = {
            "objective": problem.objective, "seed": seed, "adjustments": self.config["round"]["adjustments"],
            "track_budgets": [{"track": b.track, "budget_krw": b.budget_krw} for b in problem.track_budgets],
            "region_budgets": [{"track": b.track, "region": b.region, "budget_krw": b.budget_krw}
                               for b in problem.region_budgets],
            "quotas": [{"track": q.track, "regions": sorted(q.regions), "min_share_percent": q.min_share_percent,
                        "measure": q.measure} for q in quotas],
        }
        everything = {**inputs, "candidates": [[c.id, c.track, c.region, c.score, c.grant_krw] for c in candidates]}
        marginal_rows: list[dict[str, Any]] = []
        taken: dict[tuple[str, bool], int] = defaultdict(int)
        for m in result.marginal:
            if taken[(m.track, m.funded)] < MARGINAL_PER_SIDE:
                taken[(m.track, m.funded)] += 1
                marginal_rows.append({"application_id": int(m.candidate_id), "track": m.track, "region": m.region,
                                      "score": m.score, "grant_krw": m.grant_krw, "funded": m.funded,
                                      "code": m.reason, "message": m.message, "params": dict(m.params)})
        budget_use: list[dict[str, Any]] = [
            {"kind": "track" if u.region is None else "region", "track": u.track, "region": u.region,
             "budget_krw": u.budget_krw, "used_krw": u.used_krw, "remaining_krw": u.remaining_krw}
            for u in result.budget_use]
        budget_use += [{"kind": "quota", "track": q.track, "regions": list(q.regions), "measure": q.measure,
                        "required_percent": q.required_percent, "achieved_percent": round(q.achieved_percent, 2),
                        "in_regions": q.in_regions, "total": q.total} for q in result.quota_use]
        _insert(self.connection, SelectionRun, [{
            "round_id": round_id, "seed": seed, "inputs_hash": _canonical_hash(everything), "inputs": inputs,
            "solver_status": result.status, "objective": result.objective,
            "upper_bound": float(result.upper_bound) if math.isfinite(result.upper_bound) else 0.0,
            "greedy_objective": result.greedy_objective,
            "gain_percent": result.gain_percent if math.isfinite(result.gain_percent) else 0.0,
            "candidates": len(candidates), "funded_count": len(result.funded), "budget_use": budget_use,
            "marginal": marginal_rows, "is_current": True, "seconds": round(seconds, 3),
            "created_by_label": OPERATOR_LABEL, "created_at": decided - timedelta(days=7),
        }])
        runs = _table(SelectionRun)
        run_id = int(self.connection.execute(select(runs.c.id).where(runs.c.round_id == round_id)
                                             .order_by(runs.c.id.desc()).limit(1)).scalar_one())
        funded = set(result.funded)
        reasons = {m.candidate_id: {"code": m.reason, "message": m.message, "params": dict(m.params)}
                   for m in result.marginal}
        by_id = {str(a.application_id): a for a in eligible}
        tickets = {candidate_id: ticket(seed, candidate_id) for candidate_id in by_id}
        ranks: dict[str, int] = {}
        per_track: dict[str, int] = defaultdict(int)
        for candidate_id in sorted(by_id, key=lambda cid: (by_id[cid].track.kind.value, -scores[int(cid)][1],
                                                          tickets[cid], int(cid))):
            per_track[by_id[candidate_id].track.kind.value] += 1
            ranks[candidate_id] = per_track[by_id[candidate_id].track.kind.value]
        entries = [{"run_id": run_id, "application_id": int(candidate_id), "rank": ranks[candidate_id],
                    "assessment_score": scores[int(candidate_id)][0], "adjusted_score": scores[int(candidate_id)][1],
                    "ticket": tickets[candidate_id], "funded": candidate_id in funded,
                    "reason": reasons[candidate_id]}
                   for candidate_id in by_id]
        _insert(self.connection, SelectionEntry, entries)
        return run_id, funded, entries

    def _decide(self, applicants: Sequence[_Applicant], run_id: int, funded: set[str],
                entries: Sequence[Mapping[str, Any]], decided: datetime, final: bool) -> list[_Applicant]:
        """As the decision service decides: funded, waitlisted with a position in the track (every eligible one
        not funded), not funded for failing eligibility (each failed rule with the value it saw)."""
        by_application = {a.application_id: a for a in applicants}
        reasons = {int(entry["application_id"]): entry["reason"] for entry in entries}
        unfunded: dict[TrackKind, list[tuple[int, int]]] = defaultdict(list)
        for entry in entries:
            if not entry["funded"]:
                unfunded[by_application[int(entry["application_id"])].track.kind].append(
                    (int(entry["rank"]), int(entry["application_id"])))
        positions = {application_id: position for rows in unfunded.values()
                     for position, (_, application_id) in enumerate(sorted(rows), start=1)}
        decisions, statuses, winners = [], [], []
        deadline = decided + timedelta(days=int(self.config["round"]["appeal_days"]))
        for applicant in applicants:
            application_id = applicant.application_id
            if not applicant.passed:
                outcome, status = DecisionOutcome.REJECTED, ApplicationStatus.INELIGIBLE
                why = applicant.failed
            elif str(application_id) in funded:
                outcome, status = DecisionOutcome.FUNDED, ApplicationStatus.FUNDED
                why = [reasons[application_id]]
                winners.append(applicant)
                self.decided_at[application_id] = decided
            else:
                outcome, status = DecisionOutcome.WAITLISTED, ApplicationStatus.WAITLISTED
                why = [reasons[application_id], {"message": WAITLIST_POSITION,
                                                 "params": {"position": positions[application_id]}}]
            decisions.append({
                "application_id": application_id, "selection_run_id": run_id, "outcome": outcome, "reasons": why,
                "is_final": final, "appeal_deadline": deadline, "supersedes_id": None, "is_current": True,
                "decided_by_label": OPERATOR_LABEL, "decided_at": decided,
            })
            statuses.append((application_id, status))
        _insert(self.connection, SupportDecision, decisions)
        self._set_statuses(statuses)
        self.counters["decisions"] += len(decisions)
        return winners

    def _set_statuses(self, statuses: Sequence[tuple[int, ApplicationStatus]]) -> None:
        table = _table(SupportApplication)
        grouped: dict[ApplicationStatus, list[int]] = defaultdict(list)
        for application_id, status in statuses:
            grouped[status].append(application_id)
        for status, ids in grouped.items():
            for start in range(0, len(ids), 900):
                self.connection.execute(table.update().where(table.c.id.in_(ids[start:start + 900]))
                                        .values(status=status))


class _Projects:
    """Appeals, waitlist promotions, projects (milestones, payments, inspections, outcomes, clawbacks), the
    region-led round and the notifications of the demo companies."""

    def __init__(self, writer: _Writer) -> None:
        self.w = writer
        self.connection = writer.connection
        self.rng = random.Random(f"midas-demo-support:{writer.seed}:projects")
        self.expert1_inspections = 0

    def _current_decisions(self, application_ids: Sequence[int]) -> dict[int, tuple[int, DecisionOutcome]]:
        table = _table(SupportDecision)
        found: dict[int, tuple[int, DecisionOutcome]] = {}
        for start in range(0, len(application_ids), 900):
            for decision_id, application_id, outcome in self.connection.execute(
                    select(table.c.id, table.c.application_id, table.c.outcome)
                    .where(table.c.application_id.in_(application_ids[start:start + 900]), table.c.is_current)):
                found[application_id] = (decision_id, DecisionOutcome(outcome))
        return found

    def _supersede(self, replaced: Sequence[tuple[int, int, datetime, list[dict[str, Any]]]]) -> None:
        """New FUNDED decisions (application, old decision, when, reasons) that supersede the old ones."""
        if not replaced:
            return
        decisions = _table(SupportDecision)
        self.connection.execute(decisions.update().where(decisions.c.id.in_([old for _, old, _, _ in replaced]))
                                .values(is_current=False))
        _insert(self.connection, SupportDecision, [{
            "application_id": application_id, "selection_run_id": None, "outcome": DecisionOutcome.FUNDED,
            "reasons": reasons, "is_final": True, "appeal_deadline": None,
            "supersedes_id": old, "is_current": True, "decided_by_label": OPERATOR_LABEL, "decided_at": when,
        } for application_id, old, when, reasons in replaced])
        self.w._set_statuses([(application_id, ApplicationStatus.FUNDED) for application_id, _, _, _ in replaced])
        self.w.counters["decisions"] += len(replaced)

    def appeals_and_promotions(self, applicants: Sequence[_Applicant], plan_round: RoundPlan) -> list[_Applicant]:
        """Some not-funded companies appeal (most are upheld, some granted); the best waitlisted are promoted
        when funds free up. The applicants funded this way."""
        rng = random.Random(f"midas-demo-support:{self.w.seed}:{plan_round.code}:appeals")
        decisions = self._current_decisions([a.application_id for a in applicants])
        candidates = [a for a in applicants if a.passed and a.forced is None
                      and decisions[a.application_id][1] is not DecisionOutcome.FUNDED]
        waitlisted = [a for a in candidates if decisions[a.application_id][1] is DecisionOutcome.WAITLISTED]
        promoted = sorted(waitlisted, key=lambda a: -a.score)[:max(1, round(len(waitlisted) * PROMOTED_SHARE))] \
            if waitlisted else []
        rest = [a for a in candidates if a not in promoted]
        appealing = rng.sample(rest, min(len(rest), max(2, round(len(rest) * APPEAL_SHARE))))
        appeals: list[dict[str, Any]] = []
        reviews_of: list[tuple[_Applicant, bool, datetime]] = []
        funded = list(promoted)
        replaced = [(applicant.application_id, decisions[applicant.application_id][0],
                     plan_round.decided_at + timedelta(days=45), [{"message": PROMOTED_MESSAGE, "params": {}}])
                    for applicant in promoted]
        granted_at: dict[int, datetime] = {}
        for number, applicant in enumerate(appealing):
            granted = number % 4 == 3
            filed = plan_round.decided_at + timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 8))
            resolved = filed + timedelta(days=rng.randint(18, 30))
            appeals.append({
                "decision_id": decisions[applicant.application_id][0], "application_id": applicant.application_id,
                "reason": "평가 점수 산정에 이견이 있어 재심사를 요청합니다. 현장 자동화 설비 현황이 빠졌습니다.",
                "status": AppealStatus.GRANTED if granted else AppealStatus.UPHELD,
                "filed_by_label": f"organization {applicant.organization_id}", "filed_at": filed,
                "resolution": "재심사 결과 점수를 상향 조정하여 지원을 결정합니다." if granted
                else "재심사 결과 원 결정을 유지합니다.", "resolved_at": resolved,
            })
            reviews_of.append((applicant, granted, filed))
            if granted:
                granted_at[applicant.application_id] = resolved
                funded.append(applicant)
        _insert(self.connection, SupportAppeal, appeals)
        appeal_ids = self._reviews(reviews_of, rng)
        replaced += [(application_id, decisions[application_id][0], resolved,
                      [{"message": APPEAL_GRANTED_MESSAGE,
                        "params": {"appeal_id": appeal_ids[application_id], "count": 2}}])
                     for application_id, resolved in granted_at.items()]
        self._supersede(replaced)
        for application_id, _, when, _ in replaced:
            self.w.decided_at[application_id] = when
        self.w.counters["appeals"] += len(appeals)
        return funded

    def _reviews(self, appealed: Sequence[tuple[_Applicant, bool, datetime]], rng: random.Random) -> dict[int, int]:
        """Two submitted re-reviews of each appeal by pool experts; the appeal ids by application."""
        if not appealed:
            return {}
        table = _table(SupportAppeal)
        ids = dict(self.connection.execute(select(table.c.application_id, table.c.id).where(
            table.c.application_id.in_([a.application_id for a, _, _ in appealed]))).all())
        rows = []
        for applicant, granted, filed in appealed:
            experts = rng.sample(self.w.pool_experts, min(2, len(self.w.pool_experts)))
            for expert_id in experts:
                base = int(applicant.score * 10)
                rows.append({
                    "appeal_id": ids[applicant.application_id], "expert_id": expert_id,
                    "status": ReviewStatus.SUBMITTED, "score": base + (rng.randint(150, 400) if granted
                                                                       else rng.randint(-80, 60)),
                    "supports_appeal": granted,
                    "opinion": "현장 확인 결과 자동화 수준이 평가보다 높음" if granted else "원 평가가 타당함",
                    "assigned_at": filed + timedelta(days=2),
                    "submitted_at": filed + timedelta(days=rng.randint(8, 16)),
                })
        _insert(self.connection, AppealReview, rows)
        return ids

    # -- projects ---------------------------------------------------------------------------------------------
    def write(self, funded: Sequence[_Applicant], plan_round: RoundPlan) -> None:
        rng = random.Random(f"midas-demo-support:{self.w.seed}:{plan_round.code}:projects")
        now = self.w.now
        year = plan_round.year
        delivered_wanted = max(2, len(funded) // 10) if year == 2026 else 0
        rows, details = [], []
        for applicant in funded:
            plan = applicant.track
            agreed = self.w.decided_at[applicant.application_id] + timedelta(days=rng.randint(10, 30))
            starts = agreed.astimezone(SEOUL).date()
            ends = starts + timedelta(days=30 * rng.randint(*plan.months))
            row: dict[str, Any] = {
                "application_id": applicant.application_id, "organization_id": applicant.organization_id,
                "supplier_id": applicant.supplier_id, "government_krw": applicant.government_krw,
                "company_krw": applicant.company_krw + applicant.co_funder_krw, "agreed_at": agreed,
                "delivered_at": None, "inspector_expert_id": None, "inspection_passed": None,
                "inspection_note": None, "inspected_at": None, "completed_at": None, "achieved_kpis": None,
                "followed_up_at": None, "terminated_reason": None,
            }
            terminated_on = None
            if year < 2026:
                if applicant.forced is None and rng.random() < TERMINATED_SHARE:
                    terminated_on = starts + timedelta(days=rng.randint(40, 120))
                    row.update(status=ProjectStatus.TERMINATED, terminated_reason=TERMINATION_REASON)
                else:
                    delivered = datetime.combine(ends - timedelta(days=rng.randint(0, 10)), datetime.min.time(),
                                                 SEOUL).astimezone(UTC) + timedelta(hours=rng.randint(1, 8))
                    inspected = delivered + timedelta(days=rng.randint(5, 20))
                    row.update(delivered_at=delivered, inspector_expert_id=rng.choice(self.w.pool_experts))
                    if inspected < now:
                        row.update(status=ProjectStatus.COMPLETED, inspection_passed=True, inspected_at=inspected,
                                   completed_at=inspected, inspection_note="완료점검: 계획된 기능 정상 동작 확인")
                        followed = inspected + timedelta(days=180)
                        if followed < now:
                            row.update(achieved_kpis=self._achieved(rng, applicant.plan["target_kpis"]),
                                       followed_up_at=followed)
                    else:
                        row.update(status=ProjectStatus.DELIVERED)
            else:
                ends = max(ends, date(2026, 12, 10) + timedelta(days=rng.randint(0, 100)))
                if applicant.forced is None and delivered_wanted > 0:
                    delivered_wanted -= 1
                    inspector = self.w.demo_experts.get("expert1") if self.expert1_inspections < 3 else None
                    if inspector is not None:
                        self.expert1_inspections += 1
                    row.update(status=ProjectStatus.DELIVERED,
                               delivered_at=now - timedelta(days=rng.randint(1, 20)),
                               inspector_expert_id=inspector or rng.choice(self.w.pool_experts))
                elif applicant.forced is None and rng.random() < 0.15:
                    row.update(status=ProjectStatus.AGREED)
                else:
                    row.update(status=ProjectStatus.IN_PROGRESS)
            row.update(starts_on=starts, ends_on=ends)
            rows.append(row)
            details.append((applicant, terminated_on))
        _insert(self.connection, SupportProject, rows)
        table = _table(SupportProject)
        ids: dict[int, int] = {}
        wanted = [a.application_id for a in funded]
        for start in range(0, len(wanted), 900):
            ids.update(dict(self.connection.execute(select(table.c.application_id, table.c.id).where(
                table.c.application_id.in_(wanted[start:start + 900]))).all()))
        self._children(rows, details, ids, rng)
        for row, (applicant, _) in zip(rows, details, strict=True):
            self.w.funded_before.add(applicant.organization_id)
            self.w.prior[applicant.organization_id].append(
                PriorFunding(str(applicant.factory_id), applicant.scope, year))
            if row["status"] is ProjectStatus.COMPLETED:
                self.w.counters["completed"] += 1
                if applicant.track.kind is not TrackKind.LEADING:
                    self.w.graduates.append(applicant.organization_id)
        self.w.counters["projects"] += len(rows)

    @staticmethod
    def _achieved(rng: random.Random, targets: Mapping[str, Any]) -> dict[str, Any]:
        achieved = {}
        for name, kpi in targets.items():
            baseline, target = float(kpi["baseline"]), float(kpi["target"])
            achieved[name] = {**kpi, "achieved": round(baseline + (target - baseline) * rng.uniform(0.6, 1.25), 1)}
        return achieved

    def _children(self, rows: Sequence[Mapping[str, Any]], details: Sequence[tuple[_Applicant, date | None]],
                  ids: Mapping[int, int], rng: random.Random) -> None:
        """Milestones, payments (never more than the agreement), and for terminated projects a sanction and a
        clawback of the government's paid advance."""
        now = self.w.now
        today = now.astimezone(SEOUL).date()
        milestones, payments, sanctions, clawbacks = [], [], [], []
        for row, (applicant, terminated_on) in zip(rows, details, strict=True):
            project_id = ids[applicant.application_id]
            status: ProjectStatus = row["status"]
            starts, ends = row["starts_on"], row["ends_on"]
            middle = starts + (ends - starts) / 2
            for position, (title, due) in enumerate((("착수 보고", starts + timedelta(days=14)),
                                                     ("중간 점검", middle), ("구축 완료", ends))):
                done = (status is ProjectStatus.COMPLETED
                        or (status is ProjectStatus.TERMINATED and position == 0)
                        or (status is ProjectStatus.DELIVERED)
                        or (status is ProjectStatus.IN_PROGRESS and due < today))
                milestones.append({"project_id": project_id, "title": title, "due_on": due,
                                   "status": MilestoneStatus.DONE if done else MilestoneStatus.PLANNED,
                                   "done_at": datetime.combine(due, datetime.min.time(), SEOUL).astimezone(UTC)
                                   if done else None, "note": ""})
            government, company = row["government_krw"], row["company_krw"]
            advance = government // 2 // 1000 * 1000
            first = company // 2 // 1000 * 1000
            paid: list[tuple[PayerKind, int, date, str]] = []
            if status is not ProjectStatus.AGREED:
                paid += [(PayerKind.GOVERNMENT, advance, starts + timedelta(days=7), "선급금 / advance"),
                         (PayerKind.COMPANY, first, starts + timedelta(days=7), "자부담 1차 / first share")]
            if status in (ProjectStatus.DELIVERED, ProjectStatus.COMPLETED):
                delivered = row["delivered_at"].astimezone(SEOUL).date()
                paid.append((PayerKind.COMPANY, company - first, min(delivered, today), "자부담 잔금 / balance"))
            if status is ProjectStatus.COMPLETED:
                paid.append((PayerKind.GOVERNMENT, government - advance,
                             min(row["completed_at"].astimezone(SEOUL).date() + timedelta(days=10), today),
                             "잔금 / balance"))
            payments += [{"project_id": project_id, "milestone_id": None, "payer": payer, "amount_krw": amount,
                          "paid_on": on, "note": note, "recorded_by_label": OPERATOR_LABEL,
                          "recorded_at": datetime.combine(on, datetime.min.time(), SEOUL).astimezone(UTC)}
                         for payer, amount, on, note in paid if amount > 0]
            if terminated_on is not None:
                sanctions.append({
                    "organization_id": applicant.organization_id, "kind": SanctionKind.CLAWBACK,
                    "reason": "보조금 목적 외 사용 / subsidy used for other purposes", "starts_on": terminated_on,
                    "ends_on": terminated_on + timedelta(days=3 * 365), "source": "operator", "case_reference": None,
                    "clawback_krw": advance, "created_by_label": OPERATOR_LABEL,
                    "created_at": datetime.combine(terminated_on, datetime.min.time(), SEOUL).astimezone(UTC),
                })
                clawbacks.append((project_id, applicant.organization_id, advance, terminated_on))
                self.w.sanctioned[applicant.organization_id] = "clawback"
        _insert(self.connection, ProjectMilestone, milestones)
        _insert(self.connection, ProjectPayment, payments)
        _insert(self.connection, SanctionRecord, sanctions)
        if clawbacks:
            table = _table(SanctionRecord)
            sanction_ids = dict(self.connection.execute(select(table.c.organization_id, table.c.id).where(
                table.c.organization_id.in_([organization for _, organization, _, _ in clawbacks]))).all())
            _insert(self.connection, ProjectClawback, [{
                "project_id": project_id, "sanction_id": sanction_ids[organization], "amount_krw": amount,
                "reason": "제재(환수)에 따른 선급금 환수 / advance recovered under the sanction",
                "demanded_at": datetime.combine(on + timedelta(days=10), datetime.min.time(), SEOUL).astimezone(UTC),
                "recovered_at": datetime.combine(on + timedelta(days=70), datetime.min.time(), SEOUL).astimezone(UTC)
                if on + timedelta(days=70) < today else None,
                "recorded_by_label": OPERATOR_LABEL,
            } for project_id, organization, amount, on in clawbacks if amount > 0])

    # -- the region-led round ---------------------------------------------------------------------------------
    def regional_round(self, program_id: int, region: str, existing: Mapping[int, tuple[int, int, Decimal]]) -> None:
        """A recent call of the region-led program: decided three days ago, the appeal window still open, one
        appeal under re-review by the demo experts expert2 and expert3."""
        w = self.w
        rng = random.Random(f"midas-demo-support:{w.seed}:regional")
        year = w.now.astimezone(SEOUL).year
        decided = w.now - timedelta(days=3)
        opens, closes = w.now - timedelta(days=75), w.now - timedelta(days=45)
        base = next(plan for plan in track_plans() if plan.kind is TrackKind.REGIONAL)
        plan = TrackPlan(base.config, TrackShape(base.cost_steps, base.months, {year: 0}, base.shape.levels))
        members = set(w.members)
        local = [organization for organization in w.smes
                 if w.factory_of[organization][1] == region and organization not in members]
        rng.shuffle(local)
        applicants = []
        if len(w.members) > 1:
            level = 2
            key = ("2025-2", w.members[1])
            w.assessments.setdefault(key, (level, w.draw_score(rng, level, bottom=True)))
            level, score = w.assessments[key]
            applicants.append(w.applicant(rng, w.members[1], plan, level, score, key, opens, year=year,
                                          cost="high", scope="energy"))
            applicants[-1].forced = "lose"
        for organization in local[:w.scale.regional_applicants]:
            if organization in existing:
                key = (EXISTING_ASSESSMENT_ROUND, organization)
                level, score = existing[organization][1], existing[organization][2]
            else:
                key = ("2025-2", organization)
                level = rng.choice([1, 2, 2, 3])
                w.assessments.setdefault(key, (level, w.draw_score(rng, level)))
                level, score = w.assessments[key]
            applicants.append(w.applicant(rng, organization, plan, level, score, key, opens, year=year))
        w.write_assessments_for(applicants)
        code = f"R{region}-{year}"
        round_id = w.insert_round(program_id, code, year, f"{year}년 {regions()[region].name_ko} 스마트공장 지원사업",
                                  f"{year} {regions()[region].name_en} smart factory call", opens, closes, decided)
        w.write_round(round_id, code, year, (plan,), applicants, opens=opens, closes=closes, decided=decided,
                      final=False, region=region, funded_share=0.5)
        decisions = self._current_decisions([a.application_id for a in applicants])
        appealing = next((a for a in applicants if a.forced is None and a.assessment_key[0] == "2025-2"
                          and decisions[a.application_id][1] is not DecisionOutcome.FUNDED), None) \
            or next((a for a in applicants if a.forced is None
                     and decisions[a.application_id][1] is not DecisionOutcome.FUNDED), None)
        if appealing is None:
            return
        _insert(self.connection, SupportAppeal, [{
            "decision_id": decisions[appealing.application_id][0], "application_id": appealing.application_id,
            "reason": "지역 가점이 반영되지 않은 것으로 보여 재심사를 요청합니다.",
            "status": AppealStatus.UNDER_REVIEW,
            "filed_by_label": f"organization {appealing.organization_id}", "filed_at": w.now - timedelta(days=1),
            "resolution": None, "resolved_at": None,
        }])
        table = _table(SupportAppeal)
        appeal_id = self.connection.execute(select(table.c.id).where(
            table.c.application_id == appealing.application_id)).scalar_one()
        reviewers = [w.demo_experts[name] for name in ("expert2", "expert3") if name in w.demo_experts] \
            or w.pool_experts[:2]
        _insert(self.connection, AppealReview, [{
            "appeal_id": appeal_id, "expert_id": expert_id, "status": ReviewStatus.ASSIGNED, "score": None,
            "supports_appeal": None, "opinion": None, "assigned_at": w.now - timedelta(hours=20),
            "submitted_at": None} for expert_id in reviewers])
        w.counters["appeals"] += 1

    def finish(self) -> None:
        """Notifications of the decisions to the demo companies (whose members sign in)."""
        w = self.w
        if not w.members:
            return
        applications, decisions = _table(SupportApplication), _table(SupportDecision)
        rows = self.connection.execute(
            select(applications.c.organization_id, applications.c.id, applications.c.title, decisions.c.outcome,
                   decisions.c.decided_at, decisions.c.appeal_deadline)
            .join(decisions, decisions.c.application_id == applications.c.id)
            .where(applications.c.organization_id.in_(w.members), decisions.c.is_current)).all()
        _insert(self.connection, SupportNotification, [{
            "organization_id": organization_id, "message": NOTICES[str(outcome)],
            "params": {"title": title, "deadline": _deadline_text(deadline or decided_at)},
            "link": f"/support/applications/{application_id}",
            "created_at": decided_at, "read_at": decided_at + timedelta(days=1) if decided_at < w.now - timedelta(
                days=30) else None,
        } for organization_id, application_id, title, outcome, decided_at, deadline in rows])


def _solve(problem: SelectionProblem, time_limit: float | None) -> SelectionResult:
    """The real selection; under a time limit the limit grows when the solver found no selection yet (a busy
    machine), and the run keeps whatever status the solver reports."""
    limits = [None] if time_limit is None else [time_limit, time_limit * 5, time_limit * 20]
    for position, limit in enumerate(limits):
        try:
            # Every candidate explained, as the selection service does: each entry keeps its own reason.
            return select_applications(problem, per_side=len(problem.candidates), time_limit=limit)
        except MidasError:
            if position == len(limits) - 1:
                raise
    raise AssertionError("unreachable")


# The support demo's steps as progress: the four national rounds, the region-led round, the projects.
SUPPORT_STEPS = len(ROUND_PLANS) + 2
# The most of a track's eligible applications a round's budget funds when there are fewer than the plan wants.
THIN_POOL_SHARE = 0.7


def load_support_demo(session: Session, country: DemoCountry, organization_ids: Sequence[int],
                      scale: SupportScale, seed: int, *, user_ids: Mapping[str, int],
                      advance: Callable[[int], None] | None = None) -> SupportDemoSummary:
    """Write the support demo for ``country`` after the assessment demo (see the module docstring); ``advance``
    hears each of the :data:`SUPPORT_STEPS` steps as it is done."""
    started = time.perf_counter()
    writer = _Writer(session, country, organization_ids, scale, seed, user_ids)
    return _Loader(writer, advance or (lambda _: None)).run(started)


class _Loader:
    """The order of the work: assessments and programs, the national rounds, the region-led round, projects."""

    def __init__(self, writer: _Writer, advance: Callable[[int], None]) -> None:
        self.w = writer
        self.advance = advance

    def run(self, started: float) -> SupportDemoSummary:
        w = self.w
        existing = w.existing_assessments()
        w.existing_ids = {organization: values[0] for organization, values in existing.items()}
        w.write_assessment_rounds()
        regional_code = w.factory_of[w.members[1]][1] if len(w.members) > 1 else "48"
        national_id, regional_id = w.write_programs(regional_code)
        projects = _Projects(w)
        rounds = 0
        for plan_round in ROUND_PLANS:
            applicants = w.national_applicants(plan_round, existing)
            w.write_assessments_for(applicants)
            round_id = w.insert_round(national_id, plan_round.code, plan_round.year,
                                      f"{plan_round.year}년 스마트제조혁신 지원사업 공모",
                                      f"{plan_round.year} smart manufacturing innovation call",
                                      plan_round.call_opens_at, plan_round.call_closes_at, plan_round.decided_at)
            funded = w.write_round(round_id, plan_round.code, plan_round.year, track_plans(), applicants,
                                   opens=plan_round.call_opens_at, closes=plan_round.call_closes_at,
                                   decided=plan_round.decided_at, final=True, region=None)
            funded += projects.appeals_and_promotions(applicants, plan_round)
            projects.write(funded, plan_round)
            rounds += 1
            self.advance(1)
        projects.regional_round(regional_id, regional_code, existing)
        rounds += 1
        self.advance(1)
        projects.finish()
        self.advance(1)
        for table in ("support_application", "support_decision", "support_project", "support_selection_entry",
                      "support_payment", "assessment"):
            w.session.execute(text(f"ANALYZE {table}"))
        return SupportDemoSummary(programs=2, rounds=rounds, applications=w.counters["applications"],
                                  decisions=w.counters["decisions"], appeals=w.counters["appeals"],
                                  projects=w.counters["projects"], completed_projects=w.counters["completed"],
                                  assessments=w.counters["assessments"], seconds=time.perf_counter() - started)
