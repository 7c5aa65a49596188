"""Eligibility of the applications of a closed round: each track's rules (data, read by
:mod:`midas.support.eligibility`) checked against each application's facts, every rule kept with the value it saw
and whether it passed.

The facts of a round's applications are read in a few batched queries (organizations and factories, the linked
assessments, the sanctions in force at the close of the call, the earlier projects of the same factories), not one
query per application, so that a national round of 25,000 applications is evaluated in seconds. The run writes the
verdicts in one bulk update and one audit event with its counts.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from midas.assessment import Assessment
from midas.audit import record
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Factory, Organization, SizeBand
from midas.support.applications_service import can_read_all
from midas.support.eligibility import (
    RULE_LABELS,
    ApplicantFacts,
    EligibilityRule,
    PriorFunding,
    evaluate,
    parse_rules,
    verdict_to_json,
)
from midas.support.enums import ApplicationStatus, ProjectStatus, RoundStatus
from midas.support.models import SanctionRecord, SupportApplication, SupportProject, SupportRound, SupportTrack
from midas.support.sanctions_service import BARRING_KINDS

SEOUL = ZoneInfo("Asia/Seoul")
# Applications whose eligibility a run (re)evaluates: submitted, or evaluated before.
EVALUATED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE)
# Round states in which one application may be re-checked (after the call closed, also after selection).
RECHECK_ROUND_STATUSES = frozenset({RoundStatus.CLOSED, RoundStatus.SELECTED, RoundStatus.DECIDED})
# Earlier support that counts as funding the same factory and scope: any project not terminated.
FUNDING_PROJECT_STATUSES = tuple(status for status in ProjectStatus if status is not ProjectStatus.TERMINATED)
MAX_PAGE_SIZE = 200
# Short names of the rules for charts and table headings (the full labels, with parameters, are RULE_LABELS).
RULE_SHORT_LABELS: dict[str, str] = {
    "level_in_range": "Assessed level",
    "size_band": "Company size",
    "ksic_division": "Industry (KSIC)",
    "region": "Region",
    "no_active_sanction": "Sanctions",
    "no_double_funding": "Double funding",
    "matching_declared": "Matching share",
}
_CHUNK = 2000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
T = TypeVar("T")


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def size_band_of(employees: int) -> str:
    """The registry's size band of an employee count (its bounds, not a copy of them)."""
    for band in SizeBand:
        low, high = band.bounds
        if employees >= low and (high is None or employees <= high):
            return band.value
    return SizeBand.MICRO.value


def matching_share_percent(company_krw: int, co_funder_krw: int, total_cost_krw: int) -> Decimal:
    """The declared matching share in percent, cut (not rounded) to two decimals: 49.999 % stays below 50 %."""
    if total_cost_krw <= 0:
        return Decimal(0)
    share = Decimal((company_krw + co_funder_krw) * 100) / Decimal(total_cost_krw)
    return share.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _close_date(support_round: SupportRound) -> date:
    return support_round.call_closes_at.astimezone(SEOUL).date()


def _rules_of(track: SupportTrack) -> tuple[EligibilityRule, ...]:
    try:
        return parse_rules(track.eligibility_rules)
    except InvalidInput as error:
        raise InvalidInput([Problem(f"tracks[{track.kind.value}].eligibility_{p.field}", p.message, p.params)
                            for p in error.problems],
                           "The eligibility rules of a track have {count} problem(s)") from None


class _Row(NamedTuple):
    """What one application contributes to its facts, read in the batch query."""

    id: int
    track_id: int
    organization_id: int
    factory_id: int | None
    assessment_id: int | None
    scope: str
    total_cost_krw: int
    company_krw: int
    co_funder_krw: int
    employees: int
    ksic_code: str
    organization_region: str
    factory_region: str | None


def _rows(session: Session, conditions: Iterable[Any]) -> list[_Row]:
    query = (select(SupportApplication.id, SupportApplication.track_id, SupportApplication.organization_id,
                    SupportApplication.factory_id, SupportApplication.assessment_id, SupportApplication.scope,
                    SupportApplication.total_cost_krw, SupportApplication.company_krw,
                    SupportApplication.co_funder_krw, Organization.employees, Organization.ksic_code,
                    Organization.region_code, Factory.region_code)
             .join(Organization, SupportApplication.organization_id == Organization.id)
             .outerjoin(Factory, SupportApplication.factory_id == Factory.id)
             .where(*conditions).order_by(SupportApplication.id))
    return [_Row._make(row) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class _Lookups:
    levels: dict[int, int | None]
    sanctions: dict[int, tuple[str, ...]]
    fundings: dict[str, tuple[PriorFunding, ...]]


def _lookups(session: Session, support_round: SupportRound, rows: Sequence[_Row]) -> _Lookups:
    """The assessed levels, sanctions in force and earlier fundings of all ``rows``, a few queries per 2,000."""
    assessment_ids = sorted({r.assessment_id for r in rows if r.assessment_id is not None})
    levels: dict[int, int | None] = {}
    for chunk in _chunks(assessment_ids):
        for assessment_id, level in session.execute(select(Assessment.id, Assessment.final_level)
                                                    .where(Assessment.id.in_(chunk))):
            levels[assessment_id] = level
    on = _close_date(support_round)
    organization_ids = sorted({r.organization_id for r in rows})
    sanctions: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(organization_ids):
        query = (select(SanctionRecord.organization_id, SanctionRecord.kind, SanctionRecord.id)
                 .where(SanctionRecord.organization_id.in_(chunk), SanctionRecord.kind.in_(BARRING_KINDS),
                        SanctionRecord.starts_on <= on,
                        or_(SanctionRecord.ends_on.is_(None), SanctionRecord.ends_on >= on),
                        SanctionRecord.lifted_at.is_(None))
                 .order_by(SanctionRecord.starts_on, SanctionRecord.id))
        for organization_id, kind, sanction_id in session.execute(query):
            sanctions[organization_id].append(f"{kind.value} #{sanction_id}")
    factory_ids = sorted({r.factory_id for r in rows if r.factory_id is not None})
    fundings: dict[str, list[PriorFunding]] = defaultdict(list)
    for chunk in _chunks(factory_ids):
        prior = (select(SupportApplication.factory_id, SupportApplication.scope, SupportRound.year)
                 .join(SupportProject, SupportProject.application_id == SupportApplication.id)
                 .join(SupportRound, SupportApplication.round_id == SupportRound.id)
                 .where(SupportApplication.factory_id.in_(chunk), SupportRound.id != support_round.id,
                        SupportProject.status.in_(FUNDING_PROJECT_STATUSES)))
        for factory_id, scope, year in session.execute(prior):
            fundings[str(factory_id)].append(PriorFunding(str(factory_id), scope, year))
    return _Lookups(levels, {k: tuple(v) for k, v in sanctions.items()},
                    {k: tuple(v) for k, v in fundings.items()})


def _facts(row: _Row, support_round: SupportRound, lookups: _Lookups) -> ApplicantFacts:
    factory = "" if row.factory_id is None else str(row.factory_id)
    return ApplicantFacts(
        assessed_level=lookups.levels.get(row.assessment_id) if row.assessment_id is not None else None,
        size_band=size_band_of(row.employees),
        ksic_division=row.ksic_code[:2],
        region=row.factory_region or row.organization_region,
        active_sanctions=lookups.sanctions.get(row.organization_id, ()),
        prior_fundings=lookups.fundings.get(factory, ()),
        factory_id=factory,
        scope=row.scope,
        round_year=support_round.year,
        matching_share_percent=matching_share_percent(row.company_krw, row.co_funder_krw, row.total_cost_krw),
    )


@dataclass(frozen=True, slots=True)
class EligibilitySummary:
    """The outcome of an evaluation: how many applications were evaluated, passed and failed, and how many failed
    each rule (an application failing two rules counts under both)."""

    round_id: int
    evaluated: int
    passed: int
    failed: int
    failures_by_rule: dict[str, int]
    evaluated_at: datetime | None
    seconds: float = 0.0


def _evaluate_rows(session: Session, support_round: SupportRound, rows: Sequence[_Row],
                   ) -> tuple[list[dict[str, Any]], Counter[str], int]:
    tracks = {t.id: t for t in support_round.tracks}
    rules = {track_id: _rules_of(track) for track_id, track in tracks.items()}
    lookups = _lookups(session, support_round, rows)
    now = utc_now()
    changes: list[dict[str, Any]] = []
    failures: Counter[str] = Counter()
    passed = 0
    for row in rows:
        verdict = evaluate(rules[row.track_id], _facts(row, support_round, lookups))
        stored = verdict_to_json(verdict)
        changes.append({"id": row.id, "eligibility_passed": verdict.passed, "eligibility_checks": stored["checks"],
                        "eligibility_at": now,
                        "status": ApplicationStatus.ELIGIBLE if verdict.passed else ApplicationStatus.INELIGIBLE})
        passed += verdict.passed
        failures.update(check.rule for check in verdict.checks if not check.passed)
    for chunk in _chunks(changes):
        session.execute(update(SupportApplication), list(chunk))
    return changes, failures, passed


def _round(session: Session, round_id: int) -> SupportRound:
    support_round = session.get(SupportRound, round_id)
    if support_round is None:
        raise NotFound("No support round with id {id}", {"id": round_id})
    return support_round


def evaluate_round(session: Session, *, actor: Actor, round_id: int) -> EligibilitySummary:
    """Evaluate every submitted (or earlier evaluated) application of a closed round, store each verdict with the
    application (ELIGIBLE or INELIGIBLE), and audit the run once with its counts. Refused while the call is open."""
    actor.require(Permission.SUPPORT_MANAGE)
    started = time.perf_counter()
    support_round = _round(session, round_id)
    if support_round.status is not RoundStatus.CLOSED:
        raise Conflict("Eligibility is evaluated once the call is closed; round {round} is {status}",
                       {"round": support_round.code, "status": support_round.status.value})
    for track in support_round.tracks:
        _rules_of(track)
    rows = _rows(session, [SupportApplication.round_id == support_round.id,
                           SupportApplication.status.in_(EVALUATED_STATUSES)])
    changes, failures, passed = _evaluate_rows(session, support_round, rows)
    session.expire_all()
    summary = EligibilitySummary(support_round.id, len(changes), passed, len(changes) - passed,
                                 dict(sorted(failures.items())), changes[0]["eligibility_at"] if changes else None,
                                 round(time.perf_counter() - started, 3))
    record(session, actor=actor, action="support.eligibility.evaluate_round", object_type="support_round",
           object_id=support_round.id, reason="eligibility evaluated after the call closed",
           details={"evaluated": summary.evaluated, "passed": summary.passed, "failed": summary.failed,
                    "failures_by_rule": summary.failures_by_rule, "on": _close_date(support_round).isoformat()})
    session.flush()
    return summary


def evaluate_application(session: Session, *, actor: Actor, application_id: int) -> SupportApplication:
    """Re-check one application (after a correction or a lifted sanction) with today's data; audited."""
    actor.require(Permission.SUPPORT_MANAGE)
    application = session.get(SupportApplication, application_id)
    if application is None:
        raise NotFound("No application with id {id}", {"id": application_id})
    support_round = application.round
    if support_round.status not in RECHECK_ROUND_STATUSES:
        raise Conflict("Eligibility is evaluated once the call is closed; round {round} is {status}",
                       {"round": support_round.code, "status": support_round.status.value})
    if application.status not in EVALUATED_STATUSES:
        raise Conflict("Application {id} is {status}; only submitted applications are evaluated",
                       {"id": application.id, "status": application.status.value})
    before = application.eligibility_passed
    rows = _rows(session, [SupportApplication.id == application.id])
    _, failures, passed = _evaluate_rows(session, support_round, rows)
    session.expire(application)
    record(session, actor=actor, action="support.eligibility.evaluate_application",
           object_type="support_application", object_id=application.id, reason="eligibility re-checked",
           details={"passed": bool(passed), "before": before, "failed_rules": sorted(failures)})
    session.flush()
    return application


@dataclass(frozen=True, slots=True)
class EligibilityResults:
    """A round's stored eligibility: the summary over all its evaluated applications, the rules of its tracks, and
    one page of applications (filtered by result, track and failed rule)."""

    round: SupportRound
    summary: EligibilitySummary
    rule_labels: dict[str, str]
    page: Page[SupportApplication]


def list_eligibility_results(session: Session, *, actor: Actor, round_id: int, passed: bool | None = None,
                             track_id: int | None = None, failed_rule: str | None = None, page: int = 1,
                             page_size: int = 50) -> EligibilityResults:
    """The stored verdicts of a round for operators and auditors (nothing is re-evaluated)."""
    if not can_read_all(actor):
        raise PermissionDenied("You do not have the permission {permission}",
                               {"permission": str(Permission.SUPPORT_VIEW_ALL)})
    support_round = _round(session, round_id)
    problems: list[Problem] = []
    if failed_rule and failed_rule not in RULE_LABELS:
        problems.append(Problem("rule", "Unknown rule {rule} in the filter; known are {known}",
                                {"rule": failed_rule, "known": ", ".join(RULE_LABELS)}))
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(Problem("page", "Enter a whole number from {minimum} to {maximum}",
                                {"minimum": 1, "maximum": MAX_PAGE_SIZE}))
    if problems:
        raise InvalidInput(problems)
    query = (select(SupportApplication.id, SupportApplication.track_id, SupportApplication.eligibility_passed,
                    SupportApplication.eligibility_checks, SupportApplication.eligibility_at)
             .where(SupportApplication.round_id == support_round.id,
                    SupportApplication.eligibility_at.is_not(None))
             .order_by(SupportApplication.id))
    failures: Counter[str] = Counter()
    evaluated = passed_count = 0
    latest: datetime | None = None
    chosen: list[int] = []
    for application_id, row_track, row_passed, checks, at in session.execute(query):
        evaluated += 1
        passed_count += bool(row_passed)
        failed_rules = {c.get("rule") for c in checks or [] if not c.get("passed")}
        failures.update(rule for rule in failed_rules if isinstance(rule, str))
        latest = at if latest is None or (at is not None and at > latest) else latest
        if passed is not None and bool(row_passed) != passed:
            continue
        if track_id is not None and row_track != track_id:
            continue
        if failed_rule and failed_rule not in failed_rules:
            continue
        chosen.append(application_id)
    window = chosen[(page - 1) * page_size: page * page_size]
    loaded = session.scalars(
        select(SupportApplication).where(SupportApplication.id.in_(window))
        .options(selectinload(SupportApplication.organization), selectinload(SupportApplication.track)))
    rows = {a.id: a for a in loaded} if window else {}
    summary = EligibilitySummary(support_round.id, evaluated, passed_count, evaluated - passed_count,
                                 dict(sorted(failures.items())), latest)
    return EligibilityResults(support_round, summary, dict(RULE_LABELS),
                              Page([rows[i] for i in window], len(chosen), page, page_size))
