"""The program outcomes in the JSON API (under /api/v1/kpi): one project's PQCD before and after, and the roll-ups
of the stored outcomes.

A project's outcome is computed when asked (the interval is seeded with the project id, so it is the same on every
call); roll-ups read what ``midas kpi outcomes`` stored. Improvements are in percent, positive = better. A project
the caller may not see is 404, as on the page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from midas.errors import ParamValue, Problem
from midas.kpi.api import today_in_korea
from midas.kpi.export import problem_text
from midas.kpi.outcomes import Measure, OutcomeRollup
from midas.kpi.outcomes_service import (
    OutcomeGroup,
    ProjectOutcome,
    outcome_rollups,
    outcome_to_json,
    project_outcome,
)
from midas.web.context import DbSession, SignedInActor, request_locale

router = APIRouter(prefix="/kpi", tags=["kpi"])


class ReasonPublic(BaseModel):
    """Why a measure is flagged or a target cannot be compared."""

    field: str
    message: str = Field(description="The English message id, the same in every language")
    params: dict[str, ParamValue]
    text: str = Field(description="The message in the caller's language")

    @classmethod
    def of(cls, data: dict[str, Any], locale: str) -> ReasonPublic:
        problem = Problem(str(data["field"]), str(data["message"]), dict(data["params"]))
        return cls(field=problem.field, message=problem.message, params=dict(problem.params),
                   text=problem_text(problem, locale))


class MeasureOutcomePublic(BaseModel):
    """One measure before and after, its improvement in % (positive = better) and 95 % interval."""

    finding: str = Field(description="better, worse, no_clear_change, too_thin or not_computable")
    unit: str = Field(description="units/h, defects/unit, kWh/unit, h/order or h/unit")
    higher_is_better: bool
    baseline_days: int = Field(description="Days of the baseline period with data for this measure")
    after_days: int = Field(description="Days of the comparison period with data for this measure")
    baseline_value: float | None
    after_value: float | None
    improvement_pct: float | None
    ci_low_pct: float | None
    ci_high_pct: float | None
    reason: ReasonPublic | None


class OutcomePublic(BaseModel):
    """A project's PQCD outcome, as stored for the roll-ups, with reasons in the caller's language."""

    measures: dict[str, MeasureOutcomePublic] = Field(description="productivity, quality, cost, delivery")
    unmeasured: list[ReasonPublic] = Field(description="What cannot be measured at all (the on-time rate)")
    resamples: int
    seed: int
    confidence_pct: int
    block_days: int

    @classmethod
    def of(cls, data: dict[str, Any], locale: str) -> OutcomePublic:
        measures = {key: MeasureOutcomePublic(**{**m, "reason": ReasonPublic.of(m["reason"], locale)
                                                 if m["reason"] is not None else None})
                    for key, m in data["measures"].items()}
        return cls(measures=measures, unmeasured=[ReasonPublic.of(p, locale) for p in data["unmeasured"]],
                   resamples=data["resamples"], seed=data["seed"], confidence_pct=data["confidence_pct"],
                   block_days=data["block_days"])


class PeriodSpanPublic(BaseModel):
    """A period compared: its first and last day, and how many of its days have production data."""

    start: date
    end: date
    days_with_data: int


class ProjectOutcomePublic(BaseModel):
    """A supported project's outcome: the periods, the measures (null before completion), targets and whether
    every declared target was met (null when it cannot be judged)."""

    project_id: int
    organization_id: int
    title: str
    track: str
    year: int
    region_code: str
    ksic_division: str
    starts_on: date
    completed_on: date | None
    baseline: PeriodSpanPublic
    after: PeriodSpanPublic | None = Field(description="Null until the day after the project's completion")
    outcome: OutcomePublic | None
    targets: dict[str, float | None] = Field(
        description="Declared targets as required improvement in % per measure; null: not comparable")
    target_problems: list[ReasonPublic]
    met_targets: bool | None

    @classmethod
    def of(cls, measured: ProjectOutcome, locale: str) -> ProjectOutcomePublic:
        subject, after = measured.subject, measured.after
        return cls(
            project_id=subject.project_id, organization_id=subject.organization_id, title=subject.title,
            track=subject.track.value, year=subject.year, region_code=subject.region_code,
            ksic_division=subject.ksic_division, starts_on=subject.starts_on, completed_on=subject.completed_on,
            baseline=PeriodSpanPublic(start=measured.baseline[0], end=measured.baseline[1],
                                      days_with_data=len(measured.baseline_days)),
            after=(PeriodSpanPublic(start=after[0], end=after[1], days_with_data=len(measured.after_days))
                   if after is not None else None),
            outcome=(OutcomePublic.of(outcome_to_json(measured.outcome), locale)
                     if measured.outcome is not None else None),
            targets=dict(measured.targets.targets),
            target_problems=[ReasonPublic.of({"field": p.field, "message": p.message, "params": dict(p.params)},
                                             locale) for p in measured.targets.problems],
            met_targets=measured.met_targets)


class MeasureRollupPublic(BaseModel):
    computable: int
    better: int
    worse: int
    no_clear_change: int
    median_improvement_pct: float | None = Field(description="Including projects with no clear change")


class OutcomeRollupPublic(BaseModel):
    """A group of projects with stored outcomes."""

    key: str = Field(description="The track, region code, KSIC division or year")
    projects: int
    computable: int = Field(description="Projects that state an improvement of at least one measure")
    measures: dict[str, MeasureRollupPublic]
    with_targets: int = Field(description="Projects whose targets could be judged")
    met_targets: int
    share_met: float | None = Field(description="met_targets / with_targets, 0 to 1")

    @classmethod
    def of(cls, key: str, summary: OutcomeRollup) -> OutcomeRollupPublic:
        measures = {measure.value: MeasureRollupPublic(
            computable=m.computable, better=m.better, worse=m.worse, no_clear_change=m.no_clear_change,
            median_improvement_pct=m.median_improvement_pct)
            for measure, m in ((measure, summary.measures[measure]) for measure in Measure)}
        return cls(key=key, projects=summary.projects, computable=summary.computable, measures=measures,
                   with_targets=summary.with_targets, met_targets=summary.met_targets, share_met=summary.share_met)


@router.get("/projects/{project_id}/outcome", response_model=ProjectOutcomePublic)
def get_project_outcome(project_id: int, request: Request, session: DbSession,
                        actor: SignedInActor) -> ProjectOutcomePublic:
    """A supported project's productivity, quality, cost and delivery in the 90 days before it started and the
    same length after its completion, with bootstrap 95 % intervals and its declared targets. Members of the
    project's organization and program staff only."""
    measured = project_outcome(session, actor=actor, project_id=project_id, today=today_in_korea())
    return ProjectOutcomePublic.of(measured, request_locale(request))


@router.get("/outcomes", response_model=list[OutcomeRollupPublic])
def list_outcome_rollups(
    session: DbSession,
    actor: SignedInActor,
    by: Annotated[OutcomeGroup, Query(description="Group by track, region, ksic (division) or year")] = (
        OutcomeGroup.TRACK),
) -> list[OutcomeRollupPublic]:
    """The stored outcomes of completed projects per group, in key order. A group of fewer than 3 projects is
    shown to program staff only."""
    return [OutcomeRollupPublic.of(key, summary) for key, summary in outcome_rollups(session, actor=actor, by=by)]
