"""Assessment rounds: creation on a pinned framework version, enrolment, the optimal expert assignment, and the
experts' answers (accept, or decline and be replaced while every other pair stays).

Experts per assessment (k) default by track: a *start* or *advance* company is assessed by 2 experts, a *leading*
model (the largest investments, and the hardest to judge) by 3 (:data:`TRACK_EXPERTS`); an operator may set any k
from 1 to 5 for a round.

The assignment run (:func:`run_assignment`) records the conflicts the data shows, builds the national problem from
the available experts and the round's waiting assessments, solves it exactly, solves it greedily as the baseline,
and stores every pair with its affinity and its terms (the "why"). An expert's load limit in the run is their
``max_load`` less the assignments they already hold in open rounds. Conflicts and earlier declines are never
offered. An infeasible problem changes nothing and names the assessments that cannot be filled.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as day_time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from midas.assessment.assignment import (
    AffinityBreakdown,
    AssessmentNeed,
    AssignmentProblem,
    AssignmentResult,
    ConflictPair,
    ExpertProfile,
    GreedyResult,
    affinity,
    greedy_assignment,
    reassign_after_decline,
    solve_assignment,
)
from midas.assessment.assignment import ExpertAssignment as Pair
from midas.assessment.enums import (
    AssessmentStatus,
    AssignmentStatus,
    FrameworkStatus,
    RoundStatus,
)
from midas.assessment.framework_service import framework_of
from midas.assessment.models import Assessment, AssessmentRound, Expert, ExpertAssignment, FrameworkVersion
from midas.assessment.pool_service import TECHNOLOGIES, active_conflict_pairs, detect_conflicts
from midas.audit import record, record_refusal
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, ParamValue, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Organization, normalize_brn

SEOUL = ZoneInfo("Asia/Seoul")
# k by track: two experts for start and advance companies, three for a leading model (see the module docstring).
TRACK_EXPERTS: dict[str, int] = {"start": 2, "advance": 2, "leading": 3}
MAX_EXPERTS_PER_ASSESSMENT = 5
MAX_PAGE_SIZE = 200
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y"})
# Assignments that still hold a place (and use the expert's load): not declined.
HOLDING = (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED)
# Assessments whose experts are still at work; a final one no longer uses anyone's load.
OPEN_ASSESSMENT = (AssessmentStatus.WAITING, AssessmentStatus.SCORING, AssessmentStatus.RECONCILIATION)


class AssignmentPhase(StrEnum):
    """The steps of an assignment run, in order, for progress reports."""

    CONFLICTS = "conflicts"
    PROBLEM = "problem"
    SOLVE = "solve"
    GREEDY = "greedy"
    STORE = "store"


PHASE_LABELS: dict[AssignmentPhase, str] = {
    AssignmentPhase.CONFLICTS: "Detecting conflicts of interest",
    AssignmentPhase.PROBLEM: "Building the assignment problem",
    AssignmentPhase.SOLVE: "Solving exactly",
    AssignmentPhase.GREEDY: "Computing the greedy baseline",
    AssignmentPhase.STORE: "Storing the assignments",
}
# progress(phase, steps done, steps in all): called as each phase starts and once more when the run is done.
Progress = Callable[[AssignmentPhase, int, int], None]


def _no_progress(phase: AssignmentPhase, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


# Input parsing ---------------------------------------------------------------------------------------------


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _whole(raw: Mapping[str, object], name: str, default: int, low: int, high: int,
           problems: list[Problem]) -> int:
    value = _text(raw, name)
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        problems.append(Problem(name, "Enter a whole number from {minimum} to {maximum}",
                                {"minimum": low, "maximum": high}))
        return default
    return int(value)


def parse_deadline(value: object) -> datetime | None:
    """A deadline from a date (the end of that day in Korea) or an ISO date and time (Korean time if no zone)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, day_time(23, 59), tzinfo=SEOUL)
    else:
        text = "" if value is None else str(value).strip()
        try:
            moment = (datetime.combine(date.fromisoformat(text), day_time(23, 59), tzinfo=SEOUL) if len(text) == 10
                      else datetime.fromisoformat(text))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SEOUL)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class RoundInput:
    code: str
    name: str
    framework_id: int
    track: str
    experts_per_assessment: int
    limit_own_region: bool
    item_tolerance: int
    level_tolerance: int
    deadline: datetime


def parse_round(raw: Mapping[str, object]) -> RoundInput:
    """A round from raw field values; every problem is reported at once, by field."""
    problems: list[Problem] = []
    code = _text(raw, "code")
    if not _CODE.match(code):
        problems.append(Problem("code", "Enter a code of up to 32 letters, digits, - or _"))
    name = _text(raw, "name")
    if not name or len(name) > 200:
        problems.append(Problem("name", "Enter a name of up to 200 characters"))
    framework_text = _text(raw, "framework_id")
    if not framework_text.isdigit():
        problems.append(Problem("framework_id", "Choose a published framework version"))
    track = _text(raw, "track").lower() or "advance"
    if track not in TRACK_EXPERTS:
        problems.append(Problem("track", "Unknown track {value}", {"value": track[:20]}))
    k = _whole(raw, "experts_per_assessment", TRACK_EXPERTS.get(track, 2), 1, MAX_EXPERTS_PER_ASSESSMENT, problems)
    item_tolerance = _whole(raw, "item_tolerance", 2, 0, 100, problems)
    level_tolerance = _whole(raw, "level_tolerance", 0, 0, 10, problems)
    deadline = parse_deadline(raw.get("deadline"))
    if deadline is None:
        problems.append(Problem("deadline", "Enter a date as YYYY-MM-DD"))
    if problems:
        raise InvalidInput(problems)
    assert deadline is not None
    return RoundInput(code=code, name=name, framework_id=int(framework_text), track=track,
                      experts_per_assessment=k, limit_own_region=_text(raw, "limit_own_region").lower() in _TRUE_WORDS,
                      item_tolerance=item_tolerance, level_tolerance=level_tolerance, deadline=deadline)


# Rounds ----------------------------------------------------------------------------------------------------


def create_round(session: Session, *, actor: Actor, raw: Mapping[str, object]) -> AssessmentRound:
    """A draft round pinned to a published framework version and the hash of its content."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    data = parse_round(raw)
    version = session.get(FrameworkVersion, data.framework_id)
    if version is None or version.status is not FrameworkStatus.PUBLISHED:
        raise InvalidInput.single("framework_id", "Choose a published framework version")
    framework = framework_of(version)
    if session.scalar(select(AssessmentRound.id).where(AssessmentRound.code == data.code)) is not None:
        raise InvalidInput.single("code", "A round with the code {code} exists already", {"code": data.code})
    row = AssessmentRound(
        code=data.code, name=data.name, framework_id=version.id, framework_hash=framework.content_hash,
        track=data.track, experts_per_assessment=data.experts_per_assessment, limit_own_region=data.limit_own_region,
        item_tolerance=data.item_tolerance, level_tolerance=data.level_tolerance, deadline=data.deadline,
        status=RoundStatus.DRAFT,
    )
    session.add(row)
    session.flush()
    record(session, actor=actor, action="assessment.round.created", object_type="assessment_round", object_id=row.id,
           details={"code": row.code, "framework": f"{version.code} {version.version}",
                    "hash": row.framework_hash, "track": row.track, "k": row.experts_per_assessment})
    return row


def _round(session: Session, round_code: str, *, lock: bool = False) -> AssessmentRound:
    """The round with this code; ``lock`` holds its row until commit (PostgreSQL), so two runs never overlap."""
    query = select(AssessmentRound).where(AssessmentRound.code == round_code)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("No assessment round with the code {code}", {"code": round_code})
    return row


@dataclass(frozen=True, slots=True)
class RoundOverview:
    """A round with how many of its assessments and assignments stand in each status."""

    round: AssessmentRound
    assessments: Mapping[AssessmentStatus, int]
    assignments: Mapping[AssignmentStatus, int]
    # Places left empty on assessments being scored: a decline nobody could take (the operator adds someone).
    open_places: int = 0

    @property
    def assessment_total(self) -> int:
        return sum(self.assessments.values())

    @property
    def waiting(self) -> int:
        return self.assessments.get(AssessmentStatus.WAITING, 0)


def _assessment_counts(session: Session, round_ids: Collection[int]) -> dict[int, dict[AssessmentStatus, int]]:
    counts: dict[int, dict[AssessmentStatus, int]] = {round_id: {} for round_id in round_ids}
    rows = session.execute(select(Assessment.round_id, Assessment.status, func.count())
                           .where(Assessment.round_id.in_(list(round_ids)))
                           .group_by(Assessment.round_id, Assessment.status))
    for round_id, status, count in rows:
        counts[round_id][status] = count
    return counts


def _assignment_counts(session: Session, round_ids: Collection[int]) -> dict[int, dict[AssignmentStatus, int]]:
    counts: dict[int, dict[AssignmentStatus, int]] = {round_id: {} for round_id in round_ids}
    rows = session.execute(select(Assessment.round_id, ExpertAssignment.status, func.count())
                           .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
                           .where(Assessment.round_id.in_(list(round_ids)))
                           .group_by(Assessment.round_id, ExpertAssignment.status))
    for round_id, status, count in rows:
        counts[round_id][status] = count
    return counts


def _open_places(session: Session, rounds: Sequence[AssessmentRound]) -> dict[int, int]:
    """Per round, the expert places still empty on its assessments in scoring or reconciliation."""
    k = {r.id: r.experts_per_assessment for r in rounds}
    holding = (select(ExpertAssignment.assessment_id, func.count().label("held"))
               .where(ExpertAssignment.status.in_(HOLDING), ExpertAssignment.is_additional.is_(False))
               .group_by(ExpertAssignment.assessment_id).subquery())
    rows = session.execute(select(Assessment.round_id, func.coalesce(holding.c.held, 0))
                           .outerjoin(holding, holding.c.assessment_id == Assessment.id)
                           .where(Assessment.round_id.in_(list(k)),
                                  Assessment.status.in_((AssessmentStatus.SCORING, AssessmentStatus.RECONCILIATION))))
    places = dict.fromkeys(k, 0)
    for round_id, held in rows:
        places[round_id] += max(k[round_id] - held, 0)
    return places


def _overviews(session: Session, rounds: Sequence[AssessmentRound]) -> list[RoundOverview]:
    ids = [r.id for r in rounds]
    assessments = _assessment_counts(session, ids)
    assignments = _assignment_counts(session, ids)
    places = _open_places(session, rounds)
    return [RoundOverview(r, assessments[r.id], assignments[r.id], places[r.id]) for r in rounds]


def list_rounds(session: Session, *, actor: Actor) -> list[RoundOverview]:
    """Every round, newest first, with its counts by status."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    rounds = session.scalars(select(AssessmentRound).options(selectinload(AssessmentRound.framework))
                             .order_by(AssessmentRound.created_at.desc(), AssessmentRound.id.desc())).all()
    return _overviews(session, rounds)


def get_round(session: Session, *, actor: Actor, round_code: str) -> RoundOverview:
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    return _overviews(session, [_round(session, round_code)])[0]


def published_framework_versions(session: Session, *, actor: Actor) -> Sequence[FrameworkVersion]:
    """The versions a new round may pin."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    return session.scalars(select(FrameworkVersion).where(FrameworkVersion.status == FrameworkStatus.PUBLISHED)
                           .order_by(FrameworkVersion.code, FrameworkVersion.version)).all()


# Enrolment -------------------------------------------------------------------------------------------------


def split_codes(value: object) -> list[str]:
    """Technology codes from a list or from text separated by commas or spaces, lower-cased, without repeats."""
    parts = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", "" if value is None else str(value))
    return list(dict.fromkeys(str(part).strip().lower() for part in parts if str(part).strip()))


def parse_enrolment_lines(text: str) -> list[dict[str, object]]:
    """Enrolments typed one a line: a business registration number (or organization id), then the needs.

    ``220-81-62517 mes, quality`` enrols that company needing MES and quality management.
    """
    entries: list[dict[str, object]] = []
    for line in text.splitlines():
        identifier, *rest = re.split(r"[\s,;:]+", line.strip(), maxsplit=1)
        if identifier:
            entries.append({"organization": identifier, "needs": rest[0] if rest else ""})
    return entries


def _resolve_organizations(session: Session, identifiers: Sequence[str]) -> dict[str, Organization]:
    """Organizations by the identifiers given: ten digits are a BRN, fewer digits an id."""
    brns = {i: normalize_brn(i) for i in identifiers if len(normalize_brn(i)) == 10 and normalize_brn(i).isdigit()}
    ids = {i: int(i) for i in identifiers if i not in brns and i.isdigit()}
    found: dict[str, Organization] = {}
    if brns:
        by_brn = {o.brn: o for o in session.scalars(select(Organization)
                                                    .where(Organization.brn.in_(set(brns.values()))))}
        found.update({i: by_brn[b] for i, b in brns.items() if b in by_brn})
    if ids:
        by_id = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(set(ids.values()))))}
        found.update({i: by_id[n] for i, n in ids.items() if n in by_id})
    return found


def _unknown_needs(value: object, field: str) -> list[Problem]:
    """A problem for each need outside the technology vocabulary experts are profiled with."""
    return [Problem(field, "Unknown technology area {value}; use one of {allowed}",
                    {"value": code[:40], "allowed": ", ".join(TECHNOLOGIES)})
            for code in split_codes(value) if code not in TECHNOLOGIES]


def enrol_organizations(session: Session, *, actor: Actor, round_code: str,
                        entries: Sequence[Mapping[str, object]]) -> list[Assessment]:
    """Enrol organizations (by id or BRN, each with its technology needs) as assessments waiting for experts.

    All or nothing: an unknown or inactive organization, one named twice, or one already in the round refuses the
    whole request, each problem at ``entries[i]``.
    """
    actor.require(Permission.ASSESSMENT_MANAGE)
    assessment_round = _round(session, round_code)
    if assessment_round.status is RoundStatus.CLOSED:
        raise Conflict("Round {code} is closed", {"code": round_code})
    if not entries:
        raise InvalidInput.single("entries", "Name at least one organization")
    identifiers = [str(entry.get("organization") or "").strip() for entry in entries]
    organizations = _resolve_organizations(session, identifiers)
    enrolled = set(session.scalars(select(Assessment.organization_id)
                                   .where(Assessment.round_id == assessment_round.id)))
    problems: list[Problem] = []
    seen: set[int] = set()
    for position, identifier in enumerate(identifiers):
        field = f"entries[{position}].organization"
        organization = organizations.get(identifier)
        if organization is None or not organization.is_active:
            problems.append(Problem(field, "No active organization {value}", {"value": identifier[:40]}))
        elif organization.id in enrolled:
            problems.append(Problem(field, "{name} is enrolled in this round already", {"name": organization.name}))
        elif organization.id in seen:
            problems.append(Problem(field, "{name} is named twice", {"name": organization.name}))
        else:
            seen.add(organization.id)
        problems.extend(_unknown_needs(entries[position].get("needs"), f"entries[{position}].needs"))
    if problems:
        raise InvalidInput(problems)
    created = []
    for identifier, entry in zip(identifiers, entries, strict=True):
        organization = organizations[identifier]
        row = Assessment(round_id=assessment_round.id, organization_id=organization.id,
                         needs=",".join(split_codes(entry.get("needs")))[:300], status=AssessmentStatus.WAITING)
        session.add(row)
        created.append(row)
    session.flush()
    record(session, actor=actor, action="assessment.round.enrolled", object_type="assessment_round",
           object_id=assessment_round.id, details={"assessments": [a.id for a in created]})
    return created


# The assignment problem ------------------------------------------------------------------------------------


def _csv(value: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def _employer_key(expert: Expert) -> str:
    """Experts of one employer share a key: the registered organization, else the employer's name as given."""
    if expert.employer_id is not None:
        return f"organization:{expert.employer_id}"
    return "name:" + re.sub(r"\s+", "", expert.employer_name).lower()


def _load_in_use(session: Session, expert_ids: Collection[int] | None = None) -> Counter[int]:
    """Places each expert holds on open assessments of rounds that are not closed."""
    query = (select(ExpertAssignment.expert_id, func.count())
             .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
             .join(AssessmentRound, Assessment.round_id == AssessmentRound.id)
             .where(ExpertAssignment.status.in_(HOLDING), Assessment.status.in_(OPEN_ASSESSMENT),
                    AssessmentRound.status != RoundStatus.CLOSED)
             .group_by(ExpertAssignment.expert_id))
    if expert_ids is not None:
        query = query.where(ExpertAssignment.expert_id.in_(list(expert_ids)))
    return Counter({row[0]: row[1] for row in session.execute(query)})


def profile_of(expert: Expert, used: int) -> ExpertProfile:
    """An expert as the solver sees them; the load limit is what their ``max_load`` leaves after ``used``."""
    return ExpertProfile(id=str(expert.id), expertise=_csv(expert.ksic_divisions),
                         technologies=_csv(expert.technologies), region=expert.region_code,
                         employer=_employer_key(expert), years_of_experience=expert.years_of_experience,
                         load_limit=max(expert.max_load - used, 0))


def need_of(assessment: Assessment, assessment_round: AssessmentRound, experts_needed: int | None = None,
            ) -> AssessmentNeed:
    organization = assessment.organization
    return AssessmentNeed(id=str(assessment.id), industry=organization.ksic_code.upper().removeprefix("C")[:2],
                          technologies=_csv(assessment.needs), region=organization.region_code,
                          experts_needed=experts_needed or assessment_round.experts_per_assessment,
                          limit_own_region=assessment_round.limit_own_region)


def _declined_pairs(session: Session, assessment_ids: Collection[int]) -> set[tuple[int, int]]:
    """(expert id, assessment id) of every decline on these assessments: never offered again."""
    pairs: set[tuple[int, int]] = set()
    ids = sorted(assessment_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(ExpertAssignment.expert_id, ExpertAssignment.assessment_id)
                               .where(ExpertAssignment.assessment_id.in_(ids[start:start + 500]),
                                      ExpertAssignment.status == AssignmentStatus.DECLINED))
        pairs.update((expert_id, assessment_id) for expert_id, assessment_id in rows)
    return pairs


def _forbidden_pairs(session: Session, assessments: Sequence[Assessment]) -> set[tuple[int, int]]:
    """(expert id, assessment id) pairs that may never be made: active conflicts with the company, and declines."""
    by_organization: dict[int, list[int]] = {}
    for assessment in assessments:
        by_organization.setdefault(assessment.organization_id, []).append(assessment.id)
    forbidden = _declined_pairs(session, [a.id for a in assessments])
    for expert_id, organization_id in active_conflict_pairs(session, by_organization):
        forbidden.update((expert_id, assessment_id) for assessment_id in by_organization.get(organization_id, []))
    return forbidden


def _available_experts(session: Session) -> list[Expert]:
    return list(session.scalars(select(Expert).where(Expert.is_available.is_(True)).order_by(Expert.id)))


def _waiting_assessments(session: Session, assessment_round: AssessmentRound) -> list[Assessment]:
    return list(session.scalars(select(Assessment).options(selectinload(Assessment.organization))
                                .where(Assessment.round_id == assessment_round.id,
                                       Assessment.status == AssessmentStatus.WAITING)
                                .order_by(Assessment.id)))


def _problem(experts: Iterable[ExpertProfile], needs: Sequence[AssessmentNeed],
             forbidden: Iterable[tuple[int, int]]) -> AssignmentProblem:
    pool = tuple(experts)
    known_experts, known_needs = {e.id for e in pool}, {n.id for n in needs}
    conflicts = frozenset(ConflictPair(str(expert_id), str(assessment_id)) for expert_id, assessment_id in forbidden
                          if str(expert_id) in known_experts and str(assessment_id) in known_needs)
    return AssignmentProblem(experts=pool, assessments=tuple(needs), conflicts=conflicts)


def _named(error: InvalidInput, assessments: Sequence[Assessment]) -> InvalidInput:
    """The solver's problems with each assessment id replaced by its company's name (and the id)."""
    names = {str(a.id): f"{a.organization.name} (#{a.id})" for a in assessments}

    def rename(key: str, value: ParamValue) -> ParamValue:
        if key in ("assessment", "assessments") and isinstance(value, str):
            return ", ".join(names.get(part, part) for part in value.split(", "))
        return value

    problems = [replace(p, params={k: rename(k, v) for k, v in p.params.items()}) for p in error.problems]
    return InvalidInput(problems, error.message)


def breakdown_json(breakdown: AffinityBreakdown, need: AssessmentNeed) -> dict[str, Any]:
    """The terms of an affinity as stored with the assignment: the "why" an operator and the expert read."""
    return {
        "industry": breakdown.industry, "technology": breakdown.technology, "region": breakdown.region,
        "experience": breakdown.experience, "industry_matched": breakdown.industry_matched,
        "matched_technologies": list(breakdown.matched_technologies),
        "needed_technologies": sorted(need.technologies), "travel": breakdown.travel,
    }


# The run -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentRun:
    """What a run did: the round, the pairs stored and the summary kept on the round."""

    round: AssessmentRound
    assignments: tuple[ExpertAssignment, ...]
    summary: Mapping[str, Any]


def gap_percent(objective: int, greedy: int) -> float:
    """How much better the exact assignment is than the greedy one, as a share of the exact objective."""
    return round(100 * (objective - greedy) / objective, 2) if objective else 0.0


def run_assignment(session: Session, *, actor: Actor, round_code: str, today: date | None = None,
                   progress: Progress = _no_progress) -> AssignmentRun:
    """Assign k experts to every waiting assessment of the round, optimally; audited.

    On :class:`InvalidInput` (nothing to assign, or no assignment meets every rule) nothing is changed, not even
    the conflicts detection found: the whole run is one savepoint.
    """
    actor.require(Permission.ASSESSMENT_MANAGE)
    assessment_round = _round(session, round_code, lock=True)
    if assessment_round.status is RoundStatus.CLOSED:
        raise Conflict("Round {code} is closed", {"code": round_code})
    framework_of(assessment_round.framework)
    if assessment_round.framework.content_hash != assessment_round.framework_hash:
        raise Conflict("Round {code} was pinned to other framework content", {"code": round_code})
    with session.begin_nested():
        return _run(session, actor, assessment_round, today or datetime.now(SEOUL).date(), progress)


def _run(session: Session, actor: Actor, assessment_round: AssessmentRound, today: date,
         progress: Progress) -> AssignmentRun:
    steps = len(AssignmentPhase)
    started = time.perf_counter()
    assessments = _waiting_assessments(session, assessment_round)
    if not assessments:
        raise InvalidInput.single("round", "Round {code} has no assessment waiting for experts",
                                  {"code": assessment_round.code})
    progress(AssignmentPhase.CONFLICTS, 0, steps)
    detection = detect_conflicts(session, actor=actor, today=today,
                                 organization_ids={a.organization_id for a in assessments})
    progress(AssignmentPhase.PROBLEM, 1, steps)
    used = _load_in_use(session)
    experts = [e for e in _available_experts(session) if e.max_load - used[e.id] > 0]
    needs = [need_of(a, assessment_round) for a in assessments]
    problem = _problem((profile_of(e, used[e.id]) for e in experts), needs, _forbidden_pairs(session, assessments))
    progress(AssignmentPhase.SOLVE, 2, steps)
    try:
        result = solve_assignment(problem)
    except InvalidInput as error:
        raise _named(error, assessments) from None
    progress(AssignmentPhase.GREEDY, 3, steps)
    greedy = greedy_assignment(problem)
    progress(AssignmentPhase.STORE, 4, steps)
    needs_by_id = {n.id: n for n in needs}
    stored = tuple(_store_pair(session, pair, needs_by_id[pair.assessment_id]) for pair in result.assignments)
    for assessment in assessments:
        assessment.status = AssessmentStatus.SCORING
    summary = assignment_summary(result, greedy, problem, pairs=len(stored), conflicts_detected=detection.added,
                           seconds=time.perf_counter() - started)
    assessment_round.assignment_summary = summary
    assessment_round.status = RoundStatus.ASSIGNED
    assessment_round.assigned_at = utc_now()
    session.flush()
    record(session, actor=actor, action="assessment.round.assigned", object_type="assessment_round",
           object_id=assessment_round.id, details={k: v for k, v in summary.items() if k != "run_at"})
    progress(AssignmentPhase.STORE, steps, steps)
    return AssignmentRun(round=assessment_round, assignments=stored, summary=summary)


def assignment_summary(result: AssignmentResult, greedy: GreedyResult, problem: AssignmentProblem, *, pairs: int,
                 conflicts_detected: int, seconds: float) -> dict[str, Any]:
    """What the round keeps of a run: the objective against greedy, the optimality certificate, the sizes, time."""
    certificate = result.certificate
    return {
        "assessments": len(problem.assessments), "experts": len(problem.experts), "pairs": pairs,
        "objective": result.objective, "greedy_objective": greedy.objective,
        "greedy_unfilled": len(greedy.unfilled), "gap_percent": gap_percent(result.objective, greedy.objective),
        "upper_bound": certificate.upper_bound, "method": certificate.method,
        "pairs_considered": certificate.pairs_considered, "pairs_total": certificate.pairs_total,
        "pricing_rounds": certificate.pricing_rounds, "excluded_pairs": len(problem.conflicts),
        "conflicts_detected": conflicts_detected, "seconds": round(seconds, 3), "run_at": utc_now().isoformat(),
    }


def _store_pair(session: Session, pair: Pair, need: AssessmentNeed, *, additional: bool = False) -> ExpertAssignment:
    row = ExpertAssignment(assessment_id=int(pair.assessment_id), expert_id=int(pair.expert_id),
                           status=AssignmentStatus.PROPOSED, affinity=pair.affinity,
                           breakdown=breakdown_json(pair.breakdown, need), is_additional=additional)
    session.add(row)
    return row


def list_round_assignments(session: Session, *, actor: Actor, round_code: str, page: int = 1,
                           page_size: int = 50) -> Page[ExpertAssignment]:
    """The round's assignments by company, a page at a time, with their experts and affinities."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    assessment_round = _round(session, round_code)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    page = max(page, 1)
    base = (select(ExpertAssignment).join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
            .where(Assessment.round_id == assessment_round.id))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = session.scalars(base.options(selectinload(ExpertAssignment.expert),
                                         selectinload(ExpertAssignment.assessment).selectinload(Assessment.organization))
                            .order_by(Assessment.id, ExpertAssignment.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=items, total=total, page=page, page_size=page_size)


# The experts' answers ----------------------------------------------------------------------------------------


def _assignment(session: Session, assignment_id: int) -> ExpertAssignment:
    row = session.get(ExpertAssignment, assignment_id)
    if row is None:
        raise NotFound("No assignment with id {id}", {"id": assignment_id})
    return row


def _refuse_stranger(session: Session, actor: Actor, assignment: ExpertAssignment, action: str) -> None:
    """Only the assigned expert answers; anyone else is refused, and the attempt is audited.

    The attempt is audited with :func:`~midas.audit.record_refusal`, committed on its own before
    :class:`PermissionDenied` is raised, so it stays on record though the request fails and changes nothing.
    """
    if actor.user_id is not None and assignment.expert.user_id == actor.user_id:
        return
    assignment_id, expert_id = assignment.id, assignment.expert_id
    record_refusal(session, actor=actor, action="assessment.assignment.refused", object_type="expert_assignment",
                   object_id=assignment_id, reason=f"{action} by someone who is not the assigned expert",
                   details={"expert_id": expert_id, "attempted": action})
    raise PermissionDenied("Only the assigned expert may answer this assignment")


@dataclass(frozen=True, slots=True)
class AssignmentAnswer:
    """An expert's answer: the assignment answered and, after a decline, who replaces them (None: nobody could)."""

    assignment: ExpertAssignment
    replacement: ExpertAssignment | None
    problems: tuple[Problem, ...] = ()


def respond_to_assignment(session: Session, *, actor: Actor, assignment_id: int, accept: bool,
                          reason: str = "") -> AssignmentAnswer:
    """The assigned expert accepts or declines (with a reason); a decline is replaced at once, others kept."""
    assignment = _assignment(session, assignment_id)
    action = "accept" if accept else "decline"
    _refuse_stranger(session, actor, assignment, action)
    actor.require(Permission.ASSESSMENT_SCORE)
    if assignment.status is AssignmentStatus.DECLINED or (accept and assignment.status is AssignmentStatus.ACCEPTED):
        raise Conflict("This assignment is answered already")
    if assignment.assessment.status not in OPEN_ASSESSMENT:
        raise Conflict("The assessment is final; its assignments no longer change")
    if assignment.sheet is not None and assignment.sheet.submitted_at is not None:
        raise Conflict("The score sheet is submitted; the assignment can no longer be declined")
    if not accept and not reason.strip():
        raise InvalidInput.single("reason", "Say why")
    assignment.responded_at = utc_now()
    if accept:
        assignment.status = AssignmentStatus.ACCEPTED
        record(session, actor=actor, action="assessment.assignment.accepted", object_type="expert_assignment",
               object_id=assignment.id, details={"assessment_id": assignment.assessment_id})
        return AssignmentAnswer(assignment, None)
    assignment.status = AssignmentStatus.DECLINED
    assignment.decline_reason = reason.strip()[:1000]
    record(session, actor=actor, action="assessment.assignment.declined", object_type="expert_assignment",
           object_id=assignment.id, reason=assignment.decline_reason,
           details={"assessment_id": assignment.assessment_id, "expert_id": assignment.expert_id})
    session.flush()
    return _replace_decliner(session, actor, assignment)


def _single_problem(session: Session, assessment: Assessment, experts_needed: int) -> AssignmentProblem:
    """The whole available pool (with its loads) and one assessment, for a replacement or an additional expert."""
    holding = [a for a in assessment.assignments if a.status in HOLDING]
    pool = {e.id: e for e in _available_experts(session)}
    pool.update({a.expert_id: a.expert for a in assessment.assignments})
    used = _load_in_use(session, pool)
    profiles = [profile_of(e, used[e.id]) for e in pool.values()]
    # The experts on the assessment keep their place whatever their load now is.
    keep = {str(a.expert_id) for a in holding}
    profiles = [p if p.id not in keep else replace(p, load_limit=max(p.load_limit, 1)) for p in profiles]
    need = need_of(assessment, assessment.round, experts_needed)
    return _problem(profiles, [need], _forbidden_pairs(session, [assessment]))


def _current_pairs(assessment: Assessment, problem: AssignmentProblem,
                   statuses: Collection[AssignmentStatus]) -> list[Pair]:
    experts = {e.id: e for e in problem.experts}
    need = problem.assessments[0]
    pairs = []
    for row in assessment.assignments:
        if row.status in statuses:
            breakdown = affinity(experts[str(row.expert_id)], need)
            pairs.append(Pair(str(assessment.id), str(row.expert_id), breakdown.total, breakdown))
    return pairs


def _replace_decliner(session: Session, actor: Actor, declined: ExpertAssignment) -> AssignmentAnswer:
    assessment = declined.assessment
    session.refresh(assessment, ["assignments"])
    holding = [a for a in assessment.assignments if a.status in HOLDING]
    places = max(assessment.round.experts_per_assessment, len(holding) + 1)
    problem = _single_problem(session, assessment, places)
    current = _current_pairs(assessment, problem, HOLDING)
    current.append(Pair(str(assessment.id), str(declined.expert_id), declined.affinity,
                        affinity(next(e for e in problem.experts if e.id == str(declined.expert_id)),
                                 problem.assessments[0])))
    before = frozenset(ConflictPair(str(a.expert_id), str(assessment.id)) for a in assessment.assignments
                       if a.status is AssignmentStatus.DECLINED and a.id != declined.id)
    try:
        outcome = reassign_after_decline(problem, current, ConflictPair(str(declined.expert_id), str(assessment.id)),
                                         declined_before=before)
    except InvalidInput as error:
        record(session, actor=actor, action="assessment.assignment.unfilled", object_type="assessment",
               object_id=assessment.id, reason="no expert can take the declined place",
               details={"problems": [p.english() for p in error.problems]})
        return AssignmentAnswer(declined, None, tuple(error.problems))
    added = [_store_pair(session, pair, problem.assessments[0]) for pair in outcome.added]
    session.flush()
    for row in added:
        record(session, actor=actor, action="assessment.assignment.reassigned", object_type="expert_assignment",
               object_id=row.id, details={"assessment_id": assessment.id, "replaces": declined.id,
                                          "expert_id": row.expert_id, "affinity": row.affinity})
    return AssignmentAnswer(declined, added[0] if added else None)


def add_additional_expert(session: Session, *, actor: Actor, assessment_id: int) -> ExpertAssignment:
    """One more expert on an assessment (reconciliation): the best one every rule still allows, others kept.

    Exactly a decline's re-assignment with one open place: conflicts, earlier declines, the employers and the
    own-region place already taken on the assessment, and every expert's load are respected. Raises
    :class:`InvalidInput` when nobody can come.
    """
    actor.require(Permission.ASSESSMENT_MANAGE)
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound("No assessment with id {id}", {"id": assessment_id})
    holding = [a for a in assessment.assignments if a.status in HOLDING]
    problem = _single_problem(session, assessment, len(holding) + 1)
    fixed = _current_pairs(assessment, problem, HOLDING)
    need = problem.assessments[0]
    experts = {e.id: e for e in problem.experts}
    colleagues = [experts[p.expert_id] for p in fixed]
    own_taken = need.limit_own_region and any(c.region == need.region for c in colleagues)
    employers = {c.employer for c in colleagues}
    excluded = {e.id for e in problem.experts if e.employer in employers or (own_taken and e.region == need.region)}
    excluded |= {c.expert_id for c in problem.conflicts}
    single = replace(problem, assessments=(replace(need, experts_needed=1,
                                                   limit_own_region=need.limit_own_region and not own_taken),),
                     conflicts=frozenset(ConflictPair(e, need.id) for e in sorted(excluded)))
    try:
        result = solve_assignment(single)
    except InvalidInput as error:
        raise _named(error, [assessment]) from None
    row = _store_pair(session, result.assignments[0], need, additional=True)
    session.flush()
    record(session, actor=actor, action="assessment.assignment.additional", object_type="expert_assignment",
           object_id=row.id, details={"assessment_id": assessment.id, "expert_id": row.expert_id,
                                      "affinity": row.affinity})
    return row


def list_my_assignments(session: Session, *, actor: Actor) -> list[ExpertAssignment]:
    """The signed-in expert's assignments, newest first; empty for someone who is not in the pool."""
    actor.require(Permission.ASSESSMENT_SCORE)
    if actor.user_id is None:
        return []
    return list(session.scalars(
        select(ExpertAssignment).join(Expert, ExpertAssignment.expert_id == Expert.id)
        .where(Expert.user_id == actor.user_id)
        .options(selectinload(ExpertAssignment.assessment).selectinload(Assessment.organization),
                 selectinload(ExpertAssignment.assessment).selectinload(Assessment.round))
        .order_by(ExpertAssignment.assigned_at.desc(), ExpertAssignment.id.desc())))
