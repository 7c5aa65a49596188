"""The API shapes of selection runs, their entries, and decisions (issued for a round, made by hand, promoted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midas.paging import Page
from midas.support.decisions_service import DecisionsOverview, IssuedDecisions
from midas.support.enums import DecisionOutcome, RoundStatus
from midas.support.models import SelectionRun, SupportDecision
from midas.support.selection_service import EntryRow, RoundSelection


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelectionRunCreate(_Input):
    seed: str = Field(description="The lottery seed published for the round before the draw")


class DecisionCreate(_Input):
    outcome: str = Field(description="funded, waitlisted or rejected")
    reasons: list[str] = Field(default_factory=list, description="At least one reason, in words")
    final: bool = Field(default=False, description="A final decision (an appeal's outcome) opens no appeal window")


class SelectionRunPublic(BaseModel):
    id: int
    round_id: int
    seed: str
    inputs_hash: str
    inputs: dict[str, Any]
    solver_status: str
    objective: int
    upper_bound: float
    greedy_objective: int
    gain_percent: float = Field(description="Gain of the optimum over the greedy rank list, in percent (-1: the "
                                            "greedy objective is 0)")
    candidates: int
    funded_count: int
    seconds: float
    is_current: bool
    created_by_label: str
    created_at: datetime

    @classmethod
    def of(cls, run: SelectionRun) -> SelectionRunPublic:
        return cls(id=run.id, round_id=run.round_id, seed=run.seed, inputs_hash=run.inputs_hash, inputs=run.inputs,
                   solver_status=run.solver_status, objective=run.objective, upper_bound=run.upper_bound,
                   greedy_objective=run.greedy_objective, gain_percent=run.gain_percent, candidates=run.candidates,
                   funded_count=run.funded_count, seconds=run.seconds, is_current=run.is_current,
                   created_by_label=run.created_by_label, created_at=run.created_at)


class SelectionRunDetail(SelectionRunPublic):
    budget_use: list[dict[str, Any]] = Field(description="Per track and region: budget, used, remaining; per quota: "
                                                         "required and achieved share")
    marginal: list[dict[str, Any]] = Field(description="The applications at each track's line, with the reason")

    @classmethod
    def of_run(cls, run: SelectionRun) -> SelectionRunDetail:
        return cls(**SelectionRunPublic.of(run).model_dump(), budget_use=run.budget_use, marginal=run.marginal)


class RoundSelectionPublic(BaseModel):
    round_id: int
    round_code: str
    status: RoundStatus
    lottery_seed: str | None
    seed_published_at: datetime | None
    eligible: int
    current: SelectionRunDetail | None
    runs: list[SelectionRunPublic]

    @classmethod
    def of(cls, selection: RoundSelection) -> RoundSelectionPublic:
        r = selection.round
        return cls(round_id=r.id, round_code=r.code, status=r.status, lottery_seed=r.lottery_seed,
                   seed_published_at=r.seed_published_at, eligible=selection.eligible,
                   current=SelectionRunDetail.of_run(selection.current) if selection.current else None,
                   runs=[SelectionRunPublic.of(run) for run in selection.runs])


class SelectionEntryPublic(BaseModel):
    application_id: int
    organization_id: int
    organization_name: str
    title: str
    track: str
    rank: int
    assessment_score: int
    adjusted_score: int
    grant_krw: int
    ticket: str
    funded: bool
    reason: dict[str, Any]

    @classmethod
    def of(cls, row: EntryRow) -> SelectionEntryPublic:
        e, a = row.entry, row.application
        return cls(application_id=a.id, organization_id=a.organization_id, organization_name=a.organization.name,
                   title=a.title, track=row.track_key, rank=e.rank, assessment_score=e.assessment_score,
                   adjusted_score=e.adjusted_score, grant_krw=a.government_krw, ticket=e.ticket, funded=e.funded,
                   reason=e.reason)


class SelectionEntriesPage(BaseModel):
    items: list[SelectionEntryPublic]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Page[EntryRow]) -> SelectionEntriesPage:
        return cls(items=[SelectionEntryPublic.of(r) for r in page.items], total=page.total, page=page.page,
                   page_size=page.page_size)


class DecisionPublic(BaseModel):
    id: int
    application_id: int
    organization_id: int
    track_id: int
    selection_run_id: int | None
    outcome: DecisionOutcome
    reasons: list[dict[str, Any]]
    is_final: bool
    is_current: bool
    appeal_deadline: datetime | None
    supersedes_id: int | None
    decided_by_label: str
    decided_at: datetime

    @classmethod
    def of(cls, d: SupportDecision) -> DecisionPublic:
        return cls(id=d.id, application_id=d.application_id, organization_id=d.application.organization_id,
                   track_id=d.application.track_id, selection_run_id=d.selection_run_id, outcome=d.outcome,
                   reasons=d.reasons, is_final=d.is_final, is_current=d.is_current, appeal_deadline=d.appeal_deadline,
                   supersedes_id=d.supersedes_id, decided_by_label=d.decided_by_label, decided_at=d.decided_at)


class DecisionsPage(BaseModel):
    items: list[DecisionPublic]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Page[SupportDecision]) -> DecisionsPage:
        return cls(items=[DecisionPublic.of(d) for d in page.items], total=page.total, page=page.page,
                   page_size=page.page_size)


class IssuedDecisionsPublic(BaseModel):
    round_id: int
    run_id: int
    counts: dict[str, int]
    by_track: dict[str, dict[str, int]]

    @classmethod
    def of(cls, issued: IssuedDecisions) -> IssuedDecisionsPublic:
        return cls(round_id=issued.round.id, run_id=issued.run_id, counts=dict(issued.counts),
                   by_track={k: dict(v) for k, v in issued.by_track.items()})


class TrackDecisionsPublic(BaseModel):
    track_id: int
    track: str
    budget_krw: int
    funded_krw: int
    remaining_krw: int
    counts: dict[str, int]


class DecisionsOverviewPublic(BaseModel):
    round_id: int
    status: RoundStatus
    total: int
    tracks: list[TrackDecisionsPublic]

    @classmethod
    def of(cls, overview: DecisionsOverview) -> DecisionsOverviewPublic:
        return cls(round_id=overview.round.id, status=overview.round.status, total=overview.total, tracks=[
            TrackDecisionsPublic(track_id=t.track.id, track=t.track.kind.value, budget_krw=t.track.budget_krw,
                                 funded_krw=t.funded_krw, remaining_krw=t.remaining_krw, counts=dict(t.counts))
            for t in overview.tracks])


class PromotionPublic(BaseModel):
    track_id: int
    promoted: list[DecisionPublic]
