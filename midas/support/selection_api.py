"""The selection part of the support JSON API (under /api/v1/support): selection runs and their entries, decisions
issued for a round or made by hand, and waitlist promotion."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from midas.support import decisions_service, selection_service
from midas.support.selection_schemas import (
    DecisionCreate,
    DecisionPublic,
    DecisionsOverviewPublic,
    DecisionsPage,
    IssuedDecisionsPublic,
    PromotionPublic,
    RoundSelectionPublic,
    SelectionEntriesPage,
    SelectionRunCreate,
    SelectionRunDetail,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/support", tags=["support"])
CHANGES = [Depends(verify_csrf)]
PageNumber = Annotated[int, Query(ge=1)]
PageSize = Annotated[int, Query(ge=1, le=selection_service.MAX_PAGE_SIZE)]


@router.post("/rounds/{round_id}/selection", response_model=SelectionRunDetail, status_code=201,
             dependencies=CHANGES)
def run_selection(round_id: int, body: SelectionRunCreate, session: DbSession,
                  actor: SignedInActor) -> SelectionRunDetail:
    """Run the optimal selection with the published seed; the new run becomes current (422 without the seed)."""
    return SelectionRunDetail.of_run(selection_service.run_selection(session, actor=actor, round_id=round_id,
                                                                     seed=body.seed))


@router.get("/rounds/{round_id}/selection", response_model=RoundSelectionPublic)
def get_selection(round_id: int, session: DbSession, actor: SignedInActor) -> RoundSelectionPublic:
    """The current run with its budget use and marginal applications, and the earlier runs."""
    return RoundSelectionPublic.of(selection_service.get_round_selection(session, actor=actor, round_id=round_id))


@router.get("/selection-runs/{run_id}/entries", response_model=SelectionEntriesPage)
def list_entries(run_id: int, session: DbSession, actor: SignedInActor, track: str | None = None,
                 funded: bool | None = None, page: PageNumber = 1, page_size: PageSize = 50) -> SelectionEntriesPage:
    """Every candidate of a run by track and rank, with its scores, ticket and reason."""
    return SelectionEntriesPage.of(selection_service.list_selection_entries(
        session, actor=actor, run_id=run_id, track=track, funded=funded, page=page, page_size=page_size))


@router.post("/rounds/{round_id}/decisions", response_model=IssuedDecisionsPublic, status_code=201,
             dependencies=CHANGES)
def issue_decisions(round_id: int, session: DbSession, actor: SignedInActor) -> IssuedDecisionsPublic:
    """Issue the round's decisions from its current run (once; 409 again)."""
    return IssuedDecisionsPublic.of(decisions_service.issue_decisions(session, actor=actor, round_id=round_id))


@router.get("/rounds/{round_id}/decisions", response_model=DecisionsPage)
def list_decisions(round_id: int, session: DbSession, actor: SignedInActor, outcome: str | None = None,
                   track_id: int | None = None, page: PageNumber = 1, page_size: PageSize = 50) -> DecisionsPage:
    """The round's current decisions, optionally of one outcome (funded, waitlisted, rejected) and one track."""
    return DecisionsPage.of(decisions_service.list_round_decisions(
        session, actor=actor, round_id=round_id, outcome=outcome, track_id=track_id, page=page, page_size=page_size))


@router.get("/rounds/{round_id}/decisions/summary", response_model=DecisionsOverviewPublic)
def decisions_summary(round_id: int, session: DbSession, actor: SignedInActor) -> DecisionsOverviewPublic:
    """Per track: current decisions by outcome and the money the funded ones take."""
    return DecisionsOverviewPublic.of(decisions_service.get_decisions_overview(session, actor=actor,
                                                                               round_id=round_id))


@router.post("/applications/{application_id}/decisions", response_model=DecisionPublic, status_code=201,
             dependencies=CHANGES)
def decide_application(application_id: int, body: DecisionCreate, session: DbSession,
                       actor: SignedInActor) -> DecisionPublic:
    """A decision by hand, with at least one reason; it supersedes the current one."""
    return DecisionPublic.of(decisions_service.decide_application(
        session, actor=actor, application_id=application_id, outcome=body.outcome, reasons=body.reasons,
        final=body.final))


@router.post("/tracks/{track_id}/promote", response_model=PromotionPublic, dependencies=CHANGES)
def promote_waitlist(track_id: int, session: DbSession, actor: SignedInActor) -> PromotionPublic:
    """Fund waitlisted applications in rank order while the track's (and region's) money left allows."""
    promoted = decisions_service.promote_waitlist(session, actor=actor, track_id=track_id)
    return PromotionPublic(track_id=track_id, promoted=[DecisionPublic.of(d) for d in promoted])
