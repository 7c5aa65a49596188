"""The appeals part of the support JSON API (under /api/v1/support): filing, re-reviewers, re-reviews and the
resolution."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from midas.support import appeals_service as service
from midas.support.appeals_schemas import (
    AppealCreate,
    AppealPublic,
    AppealResolve,
    ReviewersAssign,
    ReviewPublic,
    ReviewSubmit,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/support", tags=["support"])
CHANGES = [Depends(verify_csrf)]


@router.post("/decisions/{decision_id}/appeal", response_model=AppealPublic, status_code=201, dependencies=CHANGES)
def file_appeal(decision_id: int, body: AppealCreate, session: DbSession, actor: SignedInActor) -> AppealPublic:
    """Appeal the current, non-final decision before its deadline (members of the applying organization)."""
    return AppealPublic.of(service.file_appeal(session, actor=actor, decision_id=decision_id, reason=body.reason))


@router.get("/appeals", response_model=list[AppealPublic])
def list_appeals(session: DbSession, actor: SignedInActor, status: str = "") -> list[AppealPublic]:
    """Every appeal (operators, auditors) or the organization's own (members), optionally of one status."""
    return [AppealPublic.of(a) for a in service.list_appeals(session, actor=actor,
                                                             status=service.parse_status(status))]


@router.get("/appeals/{appeal_id}", response_model=AppealPublic)
def get_appeal(appeal_id: int, session: DbSession, actor: SignedInActor) -> AppealPublic:
    return AppealPublic.of(service.get_appeal(session, actor=actor, appeal_id=appeal_id))


@router.post("/appeals/{appeal_id}/reviewers", response_model=AppealPublic, dependencies=CHANGES)
def assign_reviewers(appeal_id: int, body: ReviewersAssign, session: DbSession,
                     actor: SignedInActor) -> AppealPublic:
    """Assign re-reviewers who neither assessed the application nor have a conflict with the organization."""
    return AppealPublic.of(service.assign_re_reviewers(session, actor=actor, appeal_id=appeal_id, count=body.count))


@router.post("/appeals/{appeal_id}/reviews", response_model=ReviewPublic, dependencies=CHANGES)
def submit_review(appeal_id: int, body: ReviewSubmit, session: DbSession, actor: SignedInActor) -> ReviewPublic:
    """An assigned re-reviewer's score (x 10), support for the appeal and opinion; other experts are refused."""
    return ReviewPublic.of(service.submit_review(session, actor=actor, appeal_id=appeal_id, score=body.score,
                                                 supports_appeal=body.supports_appeal, opinion=body.opinion))


@router.post("/appeals/{appeal_id}/resolve", response_model=AppealPublic, dependencies=CHANGES)
def resolve_appeal(appeal_id: int, body: AppealResolve, session: DbSession, actor: SignedInActor) -> AppealPublic:
    """Grant (a new final decision) or uphold (the decision becomes final) once every re-review is in."""
    return AppealPublic.of(service.resolve_appeal(session, actor=actor, appeal_id=appeal_id, granted=body.granted,
                                                  resolution=body.resolution))
