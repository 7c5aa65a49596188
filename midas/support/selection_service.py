"""The selection run of a support round: the eligible applications, scored and adjusted by the round's policy, chosen
optimally under every track budget, region budget and quota (:mod:`midas.support.selection`), stored with the
inputs, the published lottery seed, the solver's status and objective, and the reason of every candidate.

Scores are integers: the linked assessment's final score (one decimal) times 10, plus the round's adjustments
(``{"kind": "first_time" | "non_capital", "points": p}``, worth ``p * 10``). A company is a first-time applicant
when no application of it in another round has ever been decided FUNDED; a factory is outside the capital area when
its region is none of Seoul (11), Incheon (28) and Gyeonggi (41).

The seed must have been published (``SupportRound.lottery_seed`` and ``seed_published_at``) before the run and be
the one given: anyone can then recompute every ticket from the stored entries. The ``inputs_hash`` is the SHA-256
of the canonical JSON of the inputs *with* every candidate (id, track, region, score, grant), so a later run on the
same data can be shown to have seen the same problem.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from midas.assessment import Assessment
from midas.audit import record, record_refusal
from midas.auth import Actor, Permission
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Factory, Organization
from midas.support.enums import ApplicationStatus, DecisionOutcome, RoundStatus
from midas.support.models import (
    SelectionEntry,
    SelectionRun,
    SupportApplication,
    SupportDecision,
    SupportRound,
    SupportTrack,
)
from midas.support.selection import (
    Candidate,
    MarginalCandidate,
    Quota,
    RegionBudget,
    SelectionProblem,
    SelectionResult,
    TrackBudget,
    select_applications,
    ticket,
)

# The capital area: Seoul, Incheon, Gyeonggi. Every other region is "non-capital" for the policy adjustment.
CAPITAL_REGIONS = frozenset({"11", "28", "41"})
ADJUSTMENT_KINDS = ("first_time", "non_capital")
# How many funded and unfunded candidates per track the run keeps as its "marginal" applications.
MARGINAL_PER_SIDE = 10
MAX_PAGE_SIZE = 200
SCORE_SCALE = 10


class SelectionPhase(StrEnum):
    """The steps of a selection run, in order, for progress reports."""

    CANDIDATES = "candidates"
    SOLVE = "solve"
    STORE = "store"


PHASE_LABELS: dict[SelectionPhase, str] = {
    SelectionPhase.CANDIDATES: "Scoring the eligible applications",
    SelectionPhase.SOLVE: "Choosing the optimal selection",
    SelectionPhase.STORE: "Storing the selection",
}
# Where region budgets and quotas let the round split into the regions' knapsacks the selection is proven optimal in
# seconds; where a quota binds across regions, branch and bound may not close the last fraction of a percent. It
# stops here, and the run says so: the status, the best selection found and the bound proven so far.
SOLVER_TIME_LIMIT_SECONDS = 120.0
# The solver's status words (midas.support.selection.solver.STATUS) as people read them.
SOLVER_STATUS_LABELS: dict[str, str] = {
    "optimal": "Optimal (proven)",
    "time or node limit reached": "Stopped at the time limit (best found)",
    "infeasible": "Infeasible",
    "unbounded": "Unbounded",
    "solver error": "Solver error",
}
# progress(phase, steps done, steps in all): called as each phase starts and once more when the run is done.
Progress = Callable[[SelectionPhase, int, int], None]


def _no_progress(phase: SelectionPhase, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


@dataclass(frozen=True, slots=True)
class ScoredApplication:
    """An eligible application as the run sees it."""

    application_id: int
    track_key: str
    region: str
    assessment_score: int
    adjusted_score: int
    grant_krw: int
    first_time: bool


@dataclass(frozen=True, slots=True)
class RoundSelection:
    """A round with its tracks, its current run (if any) and every run, newest first."""

    round: SupportRound
    current: SelectionRun | None
    runs: Sequence[SelectionRun]
    eligible: int


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One entry of a run with what a reader needs of its application."""

    entry: SelectionEntry
    application: SupportApplication
    track_key: str


# Reading ---------------------------------------------------------------------------------------------------------


def require_view(actor: Actor) -> None:
    if not (actor.can(Permission.SUPPORT_MANAGE) or actor.can(Permission.SUPPORT_VIEW_ALL)):
        raise PermissionDenied("You do not have the permission {permission}",
                               {"permission": str(Permission.SUPPORT_VIEW_ALL)})


def load_round(session: Session, round_id: int, *, lock: bool = False) -> SupportRound:
    query = select(SupportRound).where(SupportRound.id == round_id).options(
        selectinload(SupportRound.tracks).selectinload(SupportTrack.region_budgets))
    if lock:
        query = query.with_for_update()
    found = session.scalars(query).first()
    if found is None:
        raise NotFound("No support round with id {id}", {"id": round_id})
    return found


def round_id_of_code(session: Session, code: str) -> int:
    """The id of the round with ``code`` (the command line names rounds by code)."""
    found = session.scalar(select(SupportRound.id).where(SupportRound.code == code))
    if found is None:
        raise NotFound("No support round with code {code}", {"code": code})
    return found


def current_run(session: Session, round_id: int) -> SelectionRun | None:
    return session.scalars(select(SelectionRun).where(SelectionRun.round_id == round_id,
                                                      SelectionRun.is_current.is_(True))
                           .order_by(SelectionRun.id.desc())).first()


def get_round_selection(session: Session, *, actor: Actor, round_id: int) -> RoundSelection:
    """The round, its current selection run and the earlier ones (operators and auditors)."""
    require_view(actor)
    support_round = load_round(session, round_id)
    runs = list(session.scalars(select(SelectionRun).where(SelectionRun.round_id == round_id)
                                .order_by(SelectionRun.id.desc())))
    current = next((run for run in runs if run.is_current), None)
    eligible = session.scalar(select(func.count()).select_from(SupportApplication).where(
        SupportApplication.round_id == round_id, SupportApplication.status == ApplicationStatus.ELIGIBLE)) or 0
    return RoundSelection(support_round, current, runs, int(eligible))


def get_selection_run(session: Session, *, actor: Actor, run_id: int) -> SelectionRun:
    require_view(actor)
    run = session.get(SelectionRun, run_id)
    if run is None:
        raise NotFound("No selection run with id {id}", {"id": run_id})
    return run


def list_selection_entries(session: Session, *, actor: Actor, run_id: int, track: str | None = None,
                           funded: bool | None = None, page: int = 1, page_size: int = 50) -> Page[EntryRow]:
    """The entries of a run, by track then rank; ``track`` is a track kind (``basic``, ...)."""
    run = get_selection_run(session, actor=actor, run_id=run_id)
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    conditions = [SelectionEntry.run_id == run.id]
    if track:
        conditions.append(SupportTrack.kind == track)
    if funded is not None:
        conditions.append(SelectionEntry.funded.is_(funded))
    base = (select(SelectionEntry, SupportApplication, SupportTrack.kind)
            .join(SupportApplication, SupportApplication.id == SelectionEntry.application_id)
            .join(SupportTrack, SupportTrack.id == SupportApplication.track_id).where(*conditions))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.options(selectinload(SupportApplication.organization),
                                        selectinload(SupportApplication.factory))
                           .order_by(SupportTrack.id, SelectionEntry.rank)
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return Page([EntryRow(entry, application, str(kind)) for entry, application, kind in rows], int(total), page,
                page_size)


# Building the problem --------------------------------------------------------------------------------------------


def region_of(application: SupportApplication) -> str:
    """The region the application's money goes to: its factory's, else its organization's."""
    if application.factory is not None and application.factory.region_code:
        return application.factory.region_code
    return application.organization.region_code or ""


def assessment_points(final_score: Decimal) -> int:
    """A final score with one decimal as integer points times 10 (half up)."""
    return int((final_score * SCORE_SCALE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _adjustments(support_round: SupportRound) -> dict[str, int]:
    problems: list[Problem] = []
    points: dict[str, int] = {}
    raw: list[object] = list(support_round.adjustments or [])
    for position, item in enumerate(raw):
        where = f"adjustments[{position}]"
        kind = item.get("kind") if isinstance(item, Mapping) else None
        value = item.get("points") if isinstance(item, Mapping) else None
        if kind not in ADJUSTMENT_KINDS:
            problems.append(Problem(f"{where}.kind", "Unknown score adjustment {kind}; known are {known}",
                                    {"kind": str(kind), "known": ", ".join(ADJUSTMENT_KINDS)}))
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            problems.append(Problem(f"{where}.points", "The points of an adjustment must be a whole number from 0 "
                                    "to 100"))
        else:
            points[str(kind)] = points.get(str(kind), 0) + value * SCORE_SCALE
    if problems:
        raise InvalidInput(problems)
    return points


def _quotas(track: SupportTrack) -> list[Quota]:
    problems: list[Problem] = []
    quotas: list[Quota] = []
    raw: list[object] = list(track.quotas or [])
    for position, item in enumerate(raw):
        where = f"tracks.{track.kind.value}.quotas[{position}]"
        regions = item.get("regions") if isinstance(item, Mapping) else None
        share = item.get("min_share_percent") if isinstance(item, Mapping) else None
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            problems.append(Problem(f"{where}.regions", "A quota's regions must be a list of region codes"))
            continue
        if not isinstance(share, int) or isinstance(share, bool):
            problems.append(Problem(f"{where}.min_share_percent", "A quota's share must be a whole percentage from 0 "
                                    "to 100"))
            continue
        measure = item.get("measure", "amount") if isinstance(item, Mapping) else "amount"
        quotas.append(Quota(track.kind.value, frozenset(regions), share, str(measure)))
    if problems:
        raise InvalidInput(problems)
    return quotas


def _first_time_organizations(session: Session, support_round: SupportRound, organization_ids: set[int]) -> set[int]:
    """The organizations among ``organization_ids`` never funded in another round."""
    funded = set(session.scalars(
        select(SupportApplication.organization_id).distinct()
        .join(SupportDecision, SupportDecision.application_id == SupportApplication.id)
        .where(SupportDecision.outcome == DecisionOutcome.FUNDED, SupportApplication.round_id != support_round.id)))
    return organization_ids - funded


@dataclass(frozen=True, slots=True)
class EligibleRow:
    """What the selection reads of one eligible application (columns, not objects: a national round has 25,000)."""

    application_id: int
    track_id: int
    organization_id: int
    grant_krw: int
    region: str
    final_score: Decimal | None


def _eligible(session: Session, support_round: SupportRound) -> list[EligibleRow]:
    """The round's ELIGIBLE applications with their region (the factory's, else the organization's) and score."""
    query = (select(SupportApplication.id, SupportApplication.track_id, SupportApplication.organization_id,
                    SupportApplication.government_krw, Factory.region_code, Organization.region_code,
                    Assessment.final_score)
             .join(Organization, Organization.id == SupportApplication.organization_id)
             .outerjoin(Factory, Factory.id == SupportApplication.factory_id)
             .outerjoin(Assessment, Assessment.id == SupportApplication.assessment_id)
             .where(SupportApplication.round_id == support_round.id,
                    SupportApplication.status == ApplicationStatus.ELIGIBLE)
             .order_by(SupportApplication.id))
    return [EligibleRow(application_id, track_id, organization_id, grant, factory_region or own_region or "", score)
            for application_id, track_id, organization_id, grant, factory_region, own_region, score
            in session.execute(query)]


def score_applications(session: Session, support_round: SupportRound,
                       applications: Sequence[EligibleRow]) -> list[ScoredApplication]:
    """Every application with its assessment points and its adjusted score; refused when one has no final score."""
    points = _adjustments(support_round)
    kinds = {track.id: track.kind.value for track in support_round.tracks}
    missing = [a for a in applications if a.final_score is None]
    if missing:
        raise InvalidInput([Problem(f"applications[{a.application_id}].assessment_id",
                                    "Application {id} has no finished assessment with a final score",
                                    {"id": a.application_id}) for a in missing[:20]])
    first_time = _first_time_organizations(session, support_round, {a.organization_id for a in applications})
    scored = []
    for application in applications:
        assert application.final_score is not None
        base = assessment_points(application.final_score)
        is_first = application.organization_id in first_time
        adjusted = base + (points.get("first_time", 0) if is_first else 0) + (
            points.get("non_capital", 0) if application.region not in CAPITAL_REGIONS else 0)
        scored.append(ScoredApplication(application.application_id, kinds[application.track_id], application.region,
                                        base, adjusted, application.grant_krw, is_first))
    return scored


def _chunks(values: list[int], size: int = 900) -> list[list[int]]:
    # SQLite limits the bound parameters of one statement; 900 stays well below every limit.
    return [values[i:i + size] for i in range(0, len(values), size)]


def build_problem(support_round: SupportRound, scored: Sequence[ScoredApplication], seed: str) -> SelectionProblem:
    """The pure library's problem: one budget per track (keyed by its kind), its region budgets and quotas."""
    quotas = [quota for track in support_round.tracks for quota in _quotas(track)]
    return SelectionProblem(
        candidates=tuple(Candidate(str(s.application_id), s.track_key, s.region, s.adjusted_score, s.grant_krw,
                                   s.first_time) for s in scored),
        track_budgets=tuple(TrackBudget(t.kind.value, t.budget_krw) for t in support_round.tracks),
        region_budgets=tuple(RegionBudget(t.kind.value, r.region_code, r.budget_krw)
                             for t in support_round.tracks for r in t.region_budgets),
        quotas=tuple(quotas),
        objective=support_round.objective.value,
        seed=seed,
    )


def inputs_of(support_round: SupportRound, problem: SelectionProblem) -> dict[str, Any]:
    """What the run stores as its inputs (without the candidate rows)."""
    return {
        "round": support_round.code,
        "objective": problem.objective,
        "seed": problem.seed,
        "adjustments": [dict(item) for item in support_round.adjustments or []],
        "track_budgets": [{"track": b.track, "budget_krw": b.budget_krw} for b in problem.track_budgets],
        "region_budgets": [{"track": b.track, "region": b.region, "budget_krw": b.budget_krw}
                           for b in problem.region_budgets],
        "quotas": [{"track": q.track, "regions": sorted(q.regions), "min_share_percent": q.min_share_percent,
                    "measure": q.measure} for q in problem.quotas],
        "candidates": len(problem.candidates),
    }


def inputs_hash(inputs: Mapping[str, Any], problem: SelectionProblem) -> str:
    """SHA-256 of the canonical JSON of the inputs with every candidate (id, track, region, score, grant)."""
    whole = {**inputs, "candidates": [[c.id, c.track, c.region, c.score, c.grant_krw]
                                      for c in sorted(problem.candidates, key=lambda c: int(c.id))]}
    text = json.dumps(whole, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The run -----------------------------------------------------------------------------------------------------------


def run_selection(session: Session, *, actor: Actor, round_id: int, seed: str,
                  progress: Progress = _no_progress) -> SelectionRun:
    """Choose the optimal set of the round's eligible applications and store the run as the current one; audited.

    The round must be CLOSED or SELECTED (a re-run replaces the current run) and ``seed`` the seed published
    before; anything refused changes nothing.
    """
    actor.require(Permission.SUPPORT_MANAGE)
    support_round = load_round(session, round_id, lock=True)
    if support_round.status not in (RoundStatus.CLOSED, RoundStatus.SELECTED):
        raise Conflict("Round {code} is {status}: a selection runs only on a closed round before its decisions",
                       {"code": support_round.code, "status": support_round.status.value})
    if not support_round.lottery_seed or support_round.seed_published_at is None \
            or support_round.lottery_seed != seed:
        code = support_round.code
        record_refusal(session, actor=actor, action="support.selection.refused", object_type="support_round",
                       object_id=round_id, reason="The lottery seed must be published before the draw",
                       details={"seed": seed, "published": support_round.seed_published_at is not None})
        raise InvalidInput.single("seed", "The lottery seed must be published before the draw, and the run must use "
                                  "it (round {code})", {"code": code})
    with session.begin_nested():
        return _run(session, actor, support_round, seed, progress)


def _run(session: Session, actor: Actor, support_round: SupportRound, seed: str, progress: Progress) -> SelectionRun:
    steps = len(SelectionPhase)
    started = time.perf_counter()
    progress(SelectionPhase.CANDIDATES, 0, steps)
    applications = _eligible(session, support_round)
    if not applications:
        raise InvalidInput.single("round", "Round {code} has no eligible application to select from",
                                  {"code": support_round.code})
    scored = score_applications(session, support_round, applications)
    problem = build_problem(support_round, scored, seed)
    progress(SelectionPhase.SOLVE, 1, steps)
    # Every candidate is explained (not only the line), so that each entry carries the reason read off the optimum.
    result = select_applications(problem, per_side=len(problem.candidates), time_limit=SOLVER_TIME_LIMIT_SECONDS)
    progress(SelectionPhase.STORE, 2, steps)
    inputs = inputs_of(support_round, problem)
    by_id = {str(s.application_id): s for s in scored}
    session.execute(update(SelectionRun).where(SelectionRun.round_id == support_round.id,
                                               SelectionRun.is_current.is_(True)).values(is_current=False))
    run = SelectionRun(
        round_id=support_round.id, seed=seed, inputs_hash=inputs_hash(inputs, problem), inputs=inputs,
        solver_status=result.status, objective=result.objective, upper_bound=_finite(result.upper_bound),
        greedy_objective=result.greedy_objective, gain_percent=_finite(result.gain_percent),
        candidates=len(problem.candidates), funded_count=len(result.funded),
        budget_use=_budget_use(result), marginal=_marginal(result.marginal), is_current=True,
        created_by_label=actor.label,
    )
    session.add(run)
    session.flush()
    session.execute(insert(SelectionEntry), _entry_rows(run.id, result, by_id, seed))
    support_round.status = RoundStatus.SELECTED
    run.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    record(session, actor=actor, action="support.selection.run", object_type="support_round",
           object_id=support_round.id, reason=f"seed {seed}",
           details={"run_id": run.id, "candidates": run.candidates, "funded": run.funded_count,
                    "objective": run.objective, "status": run.solver_status, "inputs_hash": run.inputs_hash})
    progress(SelectionPhase.STORE, steps, steps)
    return run


def _finite(value: float) -> float:
    # JSON and some databases cannot hold an infinite gain (a greedy objective of 0); it is stored as -1.
    return value if value == value and abs(value) != float("inf") else -1.0


def _budget_use(result: SelectionResult) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"kind": "track" if use.region is None else "region", "track": use.track, "region": use.region,
         "budget_krw": use.budget_krw, "used_krw": use.used_krw, "remaining_krw": use.remaining_krw}
        for use in result.budget_use]
    rows += [{"kind": "quota", "track": q.track, "regions": list(q.regions), "measure": q.measure,
              "required_percent": q.required_percent, "achieved_percent": round(q.achieved_percent, 2),
              "in_regions": q.in_regions, "total": q.total} for q in result.quota_use]
    return rows


def _reason(m: MarginalCandidate) -> dict[str, Any]:
    return {"code": m.reason, "message": m.message, "params": dict(m.params)}


def _marginal(explained: Sequence[MarginalCandidate]) -> list[dict[str, Any]]:
    """Per track, the MARGINAL_PER_SIDE lowest funded and best unfunded of the full explanation."""
    taken: dict[tuple[str, bool], int] = defaultdict(int)
    rows = []
    for m in explained:
        if taken[(m.track, m.funded)] >= MARGINAL_PER_SIDE:
            continue
        taken[(m.track, m.funded)] += 1
        rows.append({"application_id": int(m.candidate_id), "track": m.track, "region": m.region, "score": m.score,
                     "grant_krw": m.grant_krw, "funded": m.funded, **_reason(m)})
    return rows


def _entry_rows(run_id: int, result: SelectionResult, by_id: Mapping[str, ScoredApplication],
                seed: str) -> list[dict[str, Any]]:
    """One row per candidate: its rank in its track (score, then ticket, then id), its ticket and its reason.

    The run explains every candidate (``per_side`` covers them all), so each has the reason read off the optimum.
    """
    reasons = {m.candidate_id: _reason(m) for m in result.marginal}
    tickets = {candidate_id: ticket(seed, candidate_id) for candidate_id in by_id}
    funded = set(result.funded)
    rank_in_track: dict[str, int] = defaultdict(int)
    rows = []
    for candidate_id in sorted(by_id, key=lambda cid: (-by_id[cid].adjusted_score, tickets[cid], cid)):
        scored = by_id[candidate_id]
        rank_in_track[scored.track_key] += 1
        rows.append({"run_id": run_id, "application_id": scored.application_id,
                     "rank": rank_in_track[scored.track_key], "assessment_score": scored.assessment_score,
                     "adjusted_score": scored.adjusted_score, "ticket": tickets[candidate_id],
                     "funded": candidate_id in funded, "reason": reasons[candidate_id]})
    return rows


@dataclass(frozen=True, slots=True)
class TrackOutcome:
    """One track of a run: how many candidates, how many funded, and its budget use."""

    track: str
    candidates: int
    funded: int
    budget_krw: int
    used_krw: int


def run_track_outcomes(session: Session, *, actor: Actor, run_id: int) -> list[TrackOutcome]:
    """Per track of the run's round (in track order): candidates, funded, budget and money used."""
    run = get_selection_run(session, actor=actor, run_id=run_id)
    counted = session.execute(
        select(SupportTrack.kind, func.count(), func.sum(case((SelectionEntry.funded.is_(True), 1), else_=0)))
        .select_from(SelectionEntry)
        .join(SupportApplication, SupportApplication.id == SelectionEntry.application_id)
        .join(SupportTrack, SupportTrack.id == SupportApplication.track_id)
        .where(SelectionEntry.run_id == run.id).group_by(SupportTrack.kind)).all()
    counts = {str(kind): (int(total), int(funded or 0)) for kind, total, funded in counted}
    use = {u["track"]: u for u in run.budget_use if u["kind"] == "track"}
    return [TrackOutcome(track, *counts.get(track, (0, 0)), int(u["budget_krw"]), int(u["used_krw"]))
            for track, u in use.items()]
