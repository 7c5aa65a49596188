"""What supported projects achieved: PQCD before and after each project, from the factory-day aggregates.

For a project, the **baseline** is the :data:`BASELINE_DAYS` days before it started and the **after** period the
same number of days from the day after its completion inspection passed (cut at today while it is still
running). The days are the factory-day sums of the factory the application named, or of all the organization's
factories when it named none. :func:`midas.kpi.outcomes.compare` turns them into improvements with bootstrap
intervals (seeded with the project id, so a page shows the same interval every time) and flags thin data.

A page computes one project's outcome live. Roll-ups (per track, region, KSIC division and year) read the
stored outcomes of ``kpi_project_outcome``, which :func:`refresh_outcomes` (``midas kpi outcomes``) computes for
every completed project whose organization has production data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import NotFound, PermissionDenied, Problem
from midas.kpi.elements import ELEMENTS
from midas.kpi.models import FACTORY_DAY, PROJECT_OUTCOME
from midas.kpi.outcomes import (
    ENERGY_KEY,
    Finding,
    Measure,
    MeasureOutcome,
    Outcome,
    OutcomeRollup,
    PlanTargets,
    compare,
    met_target,
    rollup,
    targets_from_plan,
)
from midas.support import OutcomeSubject, outcome_subjects

__all__ = [
    "BASELINE_DAYS",
    "MIN_PROJECTS_IN_GROUP",
    "OutcomeGroup",
    "ProjectOutcome",
    "RefreshProgress",
    "outcome_rollups",
    "project_outcome",
    "refresh_outcomes",
]

BASELINE_DAYS: Final = 90
MIN_PROJECTS_IN_GROUP: Final = 3  # a smaller group is shown to program staff only


class OutcomeGroup(StrEnum):
    """How the dashboard groups projects."""

    TRACK = "track"
    REGION = "region"
    KSIC = "ksic"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    """One project's outcome: the periods compared, the outcome (None before completion) and its targets."""

    subject: OutcomeSubject
    baseline: tuple[date, date]
    after: tuple[date, date] | None
    outcome: Outcome | None
    targets: PlanTargets
    met_targets: bool | None
    baseline_days: tuple[tuple[date, Mapping[str, float]], ...]
    after_days: tuple[tuple[date, Mapping[str, float]], ...]


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """Projects measured so far, of the completed projects whose organization has production data."""

    done: int
    total: int


def _periods(subject: OutcomeSubject, today: date) -> tuple[tuple[date, date], tuple[date, date] | None]:
    baseline = (subject.starts_on - timedelta(days=BASELINE_DAYS), subject.starts_on - timedelta(days=1))
    if subject.completed_on is None or subject.completed_on >= today:
        return baseline, None
    first = subject.completed_on + timedelta(days=1)
    return baseline, (first, min(first + timedelta(days=BASELINE_DAYS - 1), today - timedelta(days=1)))


def _days(session: Session, subject: OutcomeSubject,
          period: tuple[date, date]) -> tuple[tuple[date, dict[str, float]], ...]:
    """The daily sums of the project's factory (or all its organization's factories), in date order."""
    scope = (FACTORY_DAY.c.factory_id == subject.factory_id if subject.factory_id is not None
             else FACTORY_DAY.c.organization_id == subject.organization_id)
    query = (select(FACTORY_DAY.c.day, func.sum(FACTORY_DAY.c.energy_kwh).label(ENERGY_KEY),
                    *(func.sum(FACTORY_DAY.c[name]).label(name) for name in ELEMENTS))
             .where(scope, FACTORY_DAY.c.day.between(*period))
             .group_by(FACTORY_DAY.c.day).order_by(FACTORY_DAY.c.day))
    days = []
    for row in session.execute(query).mappings():
        sums = {key: float(value) for key, value in row.items() if key != "day" and value is not None}
        day = row["day"] if isinstance(row["day"], date) else date.fromisoformat(str(row["day"]))
        days.append((day, sums))
    return tuple(days)


def _measured(session: Session, subject: OutcomeSubject, today: date) -> ProjectOutcome:
    baseline, after = _periods(subject, today)
    targets = targets_from_plan(subject.target_kpis)
    baseline_days = _days(session, subject, baseline)
    after_days = _days(session, subject, after) if after is not None else ()
    outcome = None
    if after is not None:
        outcome = compare([sums for _, sums in baseline_days], [sums for _, sums in after_days],
                          seed=subject.project_id)
    met = met_target(outcome, targets.targets) if outcome is not None else None
    return ProjectOutcome(subject, baseline, after, outcome, targets, met, baseline_days, after_days)


def project_outcome(session: Session, *, actor: Actor, project_id: int, today: date) -> ProjectOutcome:
    """One project's outcome, computed now: for the organization's members and program staff."""
    if not (actor.can(Permission.KPI_VIEW_ALL) or actor.can(Permission.KPI_VIEW_OWN)):
        raise NotFound("No project with id {id}", {"id": project_id})
    subjects = outcome_subjects(session, actor=actor, project_ids=[project_id])
    if not subjects or not (actor.can(Permission.KPI_VIEW_ALL) or subjects[0].organization_id
                            == actor.organization_id):
        raise NotFound("No project with id {id}", {"id": project_id})
    return _measured(session, subjects[0], today)


# Stored outcomes and roll-ups ----------------------------------------------------------------------------------


def refresh_outcomes(session: Session, *, actor: Actor, today: date,
                     on_progress: Callable[[RefreshProgress], None] | None = None) -> RefreshProgress:
    """Measure every completed project whose organization has production data, and store the outcomes (the
    caller commits). Program staff only."""
    if not actor.can(Permission.KPI_VIEW_ALL):
        raise PermissionDenied("Only program staff may measure every project")
    with_data = set(session.scalars(select(FACTORY_DAY.c.organization_id).distinct()))
    subjects = [s for s in outcome_subjects(session, actor=actor, completed_only=True)
                if s.organization_id in with_data and s.completed_on is not None and s.completed_on < today]
    session.execute(delete(PROJECT_OUTCOME))
    rows: list[dict[str, Any]] = []
    for index, subject in enumerate(subjects):
        rows.append(_outcome_row(_measured(session, subject, today)))
        if len(rows) >= 500 or index == len(subjects) - 1:
            session.execute(PROJECT_OUTCOME.insert(), rows)
            rows = []
            if on_progress is not None:
                on_progress(RefreshProgress(index + 1, len(subjects)))
    return RefreshProgress(len(subjects), len(subjects))


def _outcome_row(measured: ProjectOutcome) -> dict[str, Any]:
    subject, outcome, after = measured.subject, measured.outcome, measured.after
    if outcome is None or after is None:
        raise ValueError(f"project {subject.project_id} has no after period to store")
    return {"project_id": subject.project_id, "organization_id": subject.organization_id,
            "track": subject.track.value, "year": subject.year, "region_code": subject.region_code,
            "ksic_division": subject.ksic_division, "baseline_start": measured.baseline[0],
            "baseline_end": measured.baseline[1], "after_start": after[0], "after_end": after[1],
            "computable": outcome.computable, "met_targets": measured.met_targets,
            "targets": dict(measured.targets.targets), "outcome": outcome_to_json(outcome),
            "computed_at": utc_now()}


def outcome_rollups(session: Session, *, actor: Actor, by: OutcomeGroup) -> list[tuple[str, OutcomeRollup]]:
    """The stored outcomes grouped by track, region, KSIC division or year (groups in key order). Anyone signed
    in may read them; a group of fewer than :data:`MIN_PROJECTS_IN_GROUP` projects is shown to staff only."""
    actor.require(Permission.REGISTRY_VIEW)
    column = {OutcomeGroup.TRACK: PROJECT_OUTCOME.c.track, OutcomeGroup.REGION: PROJECT_OUTCOME.c.region_code,
              OutcomeGroup.KSIC: PROJECT_OUTCOME.c.ksic_division, OutcomeGroup.YEAR: PROJECT_OUTCOME.c.year}[by]
    rows = session.execute(select(column, PROJECT_OUTCOME.c.outcome, PROJECT_OUTCOME.c.targets)
                           .order_by(column, PROJECT_OUTCOME.c.project_id)).all()
    grouped = rollup((str(key), outcome_from_json(outcome), targets) for key, outcome, targets in rows)
    staff = actor.can(Permission.KPI_VIEW_ALL)
    return [(key, summary) for key, summary in grouped.items() if staff or summary.projects >= MIN_PROJECTS_IN_GROUP]


def measured_projects(session: Session) -> int:
    """How many projects have a stored outcome."""
    return int(session.scalar(select(func.count()).select_from(PROJECT_OUTCOME)) or 0)


# Outcome <-> JSON ----------------------------------------------------------------------------------------------


def _problem_json(problem: Problem | None) -> dict[str, Any] | None:
    return None if problem is None else {"field": problem.field, "message": problem.message,
                                         "params": dict(problem.params)}


def _problem_from(data: Mapping[str, Any] | None) -> Problem | None:
    return None if data is None else Problem(str(data["field"]), str(data["message"]), dict(data["params"]))


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome as plain JSON (stored, and served by the API)."""
    return {
        "measures": {measure.value: {
            "finding": m.finding.value, "unit": m.unit, "higher_is_better": m.higher_is_better,
            "baseline_days": m.baseline_days, "after_days": m.after_days, "baseline_value": m.baseline_value,
            "after_value": m.after_value, "improvement_pct": m.improvement_pct, "ci_low_pct": m.ci_low_pct,
            "ci_high_pct": m.ci_high_pct, "reason": _problem_json(m.reason)}
            for measure, m in outcome.measures.items()},
        "unmeasured": [_problem_json(problem) for problem in outcome.unmeasured],
        "resamples": outcome.resamples, "seed": outcome.seed, "confidence_pct": outcome.confidence_pct,
        "block_days": outcome.block_days,
    }


def outcome_from_json(data: Mapping[str, Any]) -> Outcome:
    """The outcome :func:`outcome_to_json` wrote."""
    measures = {Measure(key): MeasureOutcome(
        measure=Measure(key), finding=Finding(m["finding"]), unit=str(m["unit"]),
        higher_is_better=bool(m["higher_is_better"]), baseline_days=int(m["baseline_days"]),
        after_days=int(m["after_days"]), baseline_value=m["baseline_value"], after_value=m["after_value"],
        improvement_pct=m["improvement_pct"], ci_low_pct=m["ci_low_pct"], ci_high_pct=m["ci_high_pct"],
        reason=_problem_from(m["reason"])) for key, m in data["measures"].items()}
    unmeasured = tuple(p for p in (_problem_from(item) for item in data["unmeasured"]) if p is not None)
    return Outcome(measures, unmeasured, int(data["resamples"]), int(data["seed"]), int(data["confidence_pct"]),
                   int(data["block_days"]))

