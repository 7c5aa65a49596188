"""The programs part of the support JSON API (under /api/v1/support): programs, rounds and their tracks, the call
opened and closed, the lottery seed published, and the sanctions operators record and lift."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from midas.support import programs_service, sanctions_service
from midas.support.programs_schemas import (
    CloseBody,
    LiftBody,
    ProgramCreate,
    ProgramPublic,
    RoundCreate,
    RoundDetail,
    RoundListed,
    RoundPublic,
    SanctionCreate,
    SanctionPublic,
    SanctionsPage,
    SeedBody,
    TrackPublic,
    TrackUpdate,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/support", tags=["support"])
CHANGES = [Depends(verify_csrf)]


@router.get("/programs", response_model=list[ProgramPublic])
def list_programs(session: DbSession, actor: SignedInActor) -> list[ProgramPublic]:
    return [ProgramPublic.of(p) for p in programs_service.list_programs(session, actor=actor)]


@router.post("/programs", response_model=ProgramPublic, status_code=201, dependencies=CHANGES)
def create_program(body: ProgramCreate, session: DbSession, actor: SignedInActor) -> ProgramPublic:
    """A program with its rules for counting toward the national targets."""
    return ProgramPublic.of(programs_service.create_program(session, actor=actor, raw=body.model_dump()))


@router.get("/rounds", response_model=list[RoundListed])
def list_rounds(session: DbSession, actor: SignedInActor, program_id: int | None = None,
                year: int | None = None) -> list[RoundListed]:
    """Rounds by program and year, with their track budgets and application counts."""
    return [RoundListed.of_summary(s)
            for s in programs_service.list_rounds(session, actor=actor, program_id=program_id, year=year)]


@router.post("/rounds", response_model=RoundDetail, status_code=201, dependencies=CHANGES)
def create_round(body: RoundCreate, session: DbSession, actor: SignedInActor) -> RoundDetail:
    """A draft round; ``midas2027`` adds the five MIDAS 2027 tracks (all or nothing)."""
    raw = body.model_dump(exclude={"midas2027"})
    if body.midas2027:
        created = programs_service.create_round_from_midas2027(session, actor=actor, raw=raw)
    else:
        created = programs_service.create_round(session, actor=actor, raw=raw)
    return RoundDetail.of_overview(programs_service.get_round_overview(session, actor=actor, round_id=created.id))


@router.get("/rounds/{round_id}", response_model=RoundDetail)
def get_round(round_id: int, session: DbSession, actor: SignedInActor) -> RoundDetail:
    """A round with its tracks, region budgets and applications counted by status."""
    return RoundDetail.of_overview(programs_service.get_round_overview(session, actor=actor, round_id=round_id))


@router.put("/rounds/{round_id}/tracks/{kind}", response_model=TrackPublic, dependencies=CHANGES)
def set_track(round_id: int, kind: str, body: TrackUpdate, session: DbSession, actor: SignedInActor) -> TrackPublic:
    """Add or replace a track; refused with every problem at ``tracks[kind].<field>``, nothing changed."""
    track = programs_service.set_track(session, actor=actor, round_id=round_id, kind=kind,
                                       raw=body.model_dump(exclude={"reason"}), reason=body.reason or "")
    return TrackPublic.of(track)


@router.post("/rounds/{round_id}/open", response_model=RoundPublic, dependencies=CHANGES)
def open_round(round_id: int, session: DbSession, actor: SignedInActor) -> RoundPublic:
    return RoundPublic.of(programs_service.open_round(session, actor=actor, round_id=round_id))


@router.post("/rounds/{round_id}/close", response_model=RoundPublic, dependencies=CHANGES)
def close_round(round_id: int, session: DbSession, actor: SignedInActor, body: CloseBody | None = None) -> RoundPublic:
    """Close the call; before its closing time only with a reason."""
    reason = (body.reason if body else None) or ""
    return RoundPublic.of(programs_service.close_round(session, actor=actor, round_id=round_id, reason=reason))


@router.post("/rounds/{round_id}/seed", response_model=RoundPublic, dependencies=CHANGES)
def publish_seed(round_id: int, body: SeedBody, session: DbSession, actor: SignedInActor) -> RoundPublic:
    """Publish the lottery seed before the selection; a published seed never changes (409)."""
    return RoundPublic.of(programs_service.publish_seed(session, actor=actor, round_id=round_id,
                                                        seed=body.seed or ""))


@router.get("/sanctions", response_model=SanctionsPage)
def list_sanctions(session: DbSession, actor: SignedInActor, active_on: date | None = None,
                   organization_id: int | None = None, page: Annotated[int, Query(ge=1)] = 1,
                   page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> SanctionsPage:
    """Sanctions, newest first, a page at a time; ``active_on`` keeps those in force that day."""
    listed = sanctions_service.list_sanctions(session, actor=actor, active_on=active_on,
                                              organization_id=organization_id, page=page, page_size=page_size)
    return SanctionsPage(items=[SanctionPublic.of(s) for s in listed.items], total=listed.total, page=listed.page,
                         page_size=listed.page_size)


@router.post("/sanctions", response_model=SanctionPublic, status_code=201, dependencies=CHANGES)
def create_sanction(body: SanctionCreate, session: DbSession, actor: SignedInActor) -> SanctionPublic:
    return SanctionPublic.of(sanctions_service.create_sanction(session, actor=actor, raw=body.model_dump()))


@router.post("/sanctions/{sanction_id}/lift", response_model=SanctionPublic, dependencies=CHANGES)
def lift_sanction(sanction_id: int, body: LiftBody, session: DbSession, actor: SignedInActor) -> SanctionPublic:
    return SanctionPublic.of(sanctions_service.lift_sanction(session, actor=actor, sanction_id=sanction_id,
                                                             reason=body.reason or ""))
