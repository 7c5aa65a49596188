"""The rounds part of the assessment JSON API (under /api/v1/assessment): framework versions, rounds, enrolment,
the assignment run, and the experts' accept or decline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from midas.assessment import framework_service, rounds_service
from midas.assessment.rounds_schemas import (
    AnswerBody,
    AnswerPublic,
    AssessmentPublic,
    AssignmentPublic,
    AssignmentRunPublic,
    AssignmentsPage,
    EnrolmentCreate,
    FrameworkDetail,
    FrameworkImport,
    FrameworkVersionPublic,
    RoundCreate,
    RoundPublic,
    SamplePreviewPublic,
    SampleScores,
)
from midas.auth import Actor
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/assessment", tags=["assessment"])
CHANGES = [Depends(verify_csrf)]


@router.get("/frameworks", response_model=list[FrameworkVersionPublic])
def list_frameworks(session: DbSession, actor: SignedInActor) -> list[FrameworkVersionPublic]:
    """Every stored framework version, drafts included."""
    return [FrameworkVersionPublic.of(v) for v in framework_service.list_framework_versions(session, actor=actor)]


@router.post("/frameworks", response_model=FrameworkVersionPublic, status_code=201, dependencies=CHANGES)
def import_framework(body: FrameworkImport, session: DbSession, actor: SignedInActor) -> FrameworkVersionPublic:
    """Store a YAML or JSON framework file as a draft; a file with problems is refused at each problem's place."""
    version = framework_service.import_framework(session, actor=actor, source=body.source,
                                                 file_format=body.file_format)
    return FrameworkVersionPublic.of(version)


@router.get("/frameworks/{version_id}", response_model=FrameworkDetail)
def get_framework(version_id: int, session: DbSession, actor: SignedInActor) -> FrameworkDetail:
    """A version with its structure counts and the scoring of uniform scores at each scale value."""
    overview = framework_service.preview_framework_version(session, actor=actor, version_id=version_id)
    return FrameworkDetail.of_overview(overview)


@router.post("/frameworks/{version_id}/preview", response_model=SamplePreviewPublic)
def preview_framework(version_id: int, body: SampleScores, session: DbSession,
                      actor: SignedInActor) -> SamplePreviewPublic:
    """How sample item scores come out under a version: overall score, level and area scores (nothing is stored)."""
    return SamplePreviewPublic.of(framework_service.preview_scores(session, actor=actor, version_id=version_id,
                                                                   scores=body.scores))


@router.post("/frameworks/{version_id}/publish", response_model=FrameworkVersionPublic, dependencies=CHANGES)
def publish_framework(version_id: int, session: DbSession, actor: SignedInActor) -> FrameworkVersionPublic:
    return FrameworkVersionPublic.of(framework_service.publish_framework(session, actor=actor, version_id=version_id))


@router.get("/rounds", response_model=list[RoundPublic])
def list_rounds(session: DbSession, actor: SignedInActor) -> list[RoundPublic]:
    return [RoundPublic.of(o) for o in rounds_service.list_rounds(session, actor=actor)]


@router.post("/rounds", response_model=RoundPublic, status_code=201, dependencies=CHANGES)
def create_round(body: RoundCreate, session: DbSession, actor: SignedInActor) -> RoundPublic:
    """A draft round pinned to a published framework version; k defaults by track (start 2, advance 2, leading 3)."""
    created = rounds_service.create_round(session, actor=actor, raw=body.model_dump())
    return RoundPublic.of(rounds_service.get_round(session, actor=actor, round_code=created.code))


@router.get("/rounds/{round_code}", response_model=RoundPublic)
def get_round(round_code: str, session: DbSession, actor: SignedInActor) -> RoundPublic:
    return RoundPublic.of(rounds_service.get_round(session, actor=actor, round_code=round_code))


@router.post("/rounds/{round_code}/enrolments", response_model=list[AssessmentPublic], status_code=201,
             dependencies=CHANGES)
def enrol(round_code: str, body: EnrolmentCreate, session: DbSession, actor: SignedInActor) -> list[AssessmentPublic]:
    """Enrol organizations with their technology needs; all or nothing."""
    created = rounds_service.enrol_organizations(session, actor=actor, round_code=round_code,
                                                 entries=[entry.model_dump() for entry in body.entries])
    return [AssessmentPublic(id=a.id, organization_id=a.organization_id, needs=rounds_service.split_codes(a.needs),
                             status=a.status) for a in created]


@router.post("/rounds/{round_code}/assignment", response_model=AssignmentRunPublic, dependencies=CHANGES)
def run_assignment(round_code: str, session: DbSession, actor: SignedInActor) -> AssignmentRunPublic:
    """Assign experts to every waiting assessment, optimally; an infeasible round changes nothing (422)."""
    run = rounds_service.run_assignment(session, actor=actor, round_code=round_code)
    return AssignmentRunPublic(round=run.round.code, summary=dict(run.summary))


@router.get("/rounds/{round_code}/assignments", response_model=AssignmentsPage)
def list_assignments(
    round_code: str, session: DbSession, actor: SignedInActor,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=rounds_service.MAX_PAGE_SIZE)] = 50,
) -> AssignmentsPage:
    """The round's assignments with each pair's affinity and its terms."""
    return AssignmentsPage.of(rounds_service.list_round_assignments(session, actor=actor, round_code=round_code,
                                                                    page=page, page_size=page_size))


@router.get("/my/assignments", response_model=list[AssignmentPublic])
def my_assignments(session: DbSession, actor: SignedInActor) -> list[AssignmentPublic]:
    """The signed-in expert's assignments."""
    return [AssignmentPublic.of(a) for a in rounds_service.list_my_assignments(session, actor=actor)]


def answer(session: DbSession, actor: Actor, assignment_id: int, *, accept: bool, reason: str) -> AnswerPublic:
    """Answer for the assigned expert; a refusal keeps its audit event (the service commits it on its own)."""
    result = rounds_service.respond_to_assignment(session, actor=actor, assignment_id=assignment_id,
                                                  accept=accept, reason=reason)
    return AnswerPublic.of(result)


@router.post("/assignments/{assignment_id}/accept", response_model=AnswerPublic, dependencies=CHANGES)
def accept_assignment(assignment_id: int, session: DbSession, actor: SignedInActor,
                      body: AnswerBody | None = None) -> AnswerPublic:
    return answer(session, actor, assignment_id, accept=True, reason=(body.reason if body else None) or "")


@router.post("/assignments/{assignment_id}/decline", response_model=AnswerPublic, dependencies=CHANGES)
def decline_assignment(assignment_id: int, body: AnswerBody, session: DbSession, actor: SignedInActor) -> AnswerPublic:
    """Decline with a reason; the place is given at once to the best expert every rule allows, others kept."""
    return answer(session, actor, assignment_id, accept=False, reason=body.reason or "")
