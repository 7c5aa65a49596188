"""The scoring part of the assessment JSON API (under /api/v1/assessment)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, UploadFile
from starlette.responses import Response

from midas.assessment import report_service
from midas.assessment import scoring_service as service
from midas.assessment.scoring_schemas import (
    AnswerInput,
    AssessmentPublic,
    EvidencePublic,
    FinalizeInput,
    MessageInput,
    MessagePublic,
    ReportPublic,
    ResponseInput,
    ResponsePublic,
    SelfInput,
    SelfPublic,
    SelfSubmitInput,
    SheetInput,
    SheetPublic,
    SubmitInput,
    ThirdExpertPublic,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/assessment", tags=["assessment"])
CHANGES = [Depends(verify_csrf)]


@router.get("/assessments/{assessment_id}", response_model=AssessmentPublic)
def get_assessment(assessment_id: int, session: DbSession, actor: SignedInActor) -> AssessmentPublic:
    """The assessment as the caller may see it: operators everything, experts their own sheet (others' after
    blind scoring), the company its status and result without expert identities."""
    return AssessmentPublic.of(service.view_assessment(session, actor=actor, assessment_id=assessment_id))


@router.get("/assessments/{assessment_id}/sheet", response_model=SheetPublic)
def get_sheet(assessment_id: int, session: DbSession, actor: SignedInActor) -> SheetPublic:
    return SheetPublic.of(service.get_my_sheet(session, actor=actor, assessment_id=assessment_id))


@router.put("/assessments/{assessment_id}/sheet", response_model=SheetPublic, dependencies=CHANGES)
def save_sheet(assessment_id: int, body: SheetInput, session: DbSession, actor: SignedInActor) -> SheetPublic:
    """Save a draft (partial); during reconciliation, revise a submitted sheet (complete)."""
    view = service.save_sheet(session, actor=actor, assessment_id=assessment_id, scores=body.scores,
                              justifications=body.justifications)
    return SheetPublic.of(view)


@router.post("/assessments/{assessment_id}/sheet/submit", response_model=SheetPublic, dependencies=CHANGES)
def submit_sheet(assessment_id: int, body: SubmitInput, session: DbSession, actor: SignedInActor) -> SheetPublic:
    view = service.submit_sheet(session, actor=actor, assessment_id=assessment_id, scores=body.scores,
                                justifications=body.justifications)
    return SheetPublic.of(view)


@router.get("/assessments/{assessment_id}/evidence", response_model=list[EvidencePublic])
def list_evidence(assessment_id: int, session: DbSession, actor: SignedInActor) -> list[EvidencePublic]:
    return [EvidencePublic.of(e) for e in service.list_evidence(session, actor=actor, assessment_id=assessment_id)]


@router.post("/assessments/{assessment_id}/evidence", response_model=EvidencePublic, status_code=201,
             dependencies=CHANGES)
def add_evidence(
    assessment_id: int, session: DbSession, actor: SignedInActor,
    kind: Annotated[str, Form(description="note, photo, file or kpi")],
    title: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    item_id: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File(description="A photo, PDF or office file, at most 10 MB")] = None,
) -> EvidencePublic:
    """Add a note, photo or file (multipart form), optionally tied to an item."""
    upload = None
    if file is not None:
        # One byte more than the limit is enough to refuse a file that is too large.
        upload = service.Upload(file.filename or "", file.content_type or "",
                                file.file.read(service.MAX_EVIDENCE_BYTES + 1))
    evidence = service.add_evidence(session, actor=actor, assessment_id=assessment_id, kind=kind, title=title,
                                    note=note, item_id=item_id or None, upload=upload)
    return EvidencePublic.of(evidence)


@router.get("/evidence/{evidence_id}/download", response_class=Response)
def download_evidence(evidence_id: int, session: DbSession, actor: SignedInActor) -> Response:
    """The evidence file as an attachment (never rendered inline by the browser)."""
    evidence = service.get_evidence_file(session, actor=actor, evidence_id=evidence_id)
    name = evidence.filename or "file"
    return Response(evidence.content or b"", media_type=evidence.content_type or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/assessments/{assessment_id}/reconciliation/messages", response_model=list[MessagePublic])
def list_messages(assessment_id: int, session: DbSession, actor: SignedInActor) -> list[MessagePublic]:
    return [MessagePublic.of(m) for m in service.list_messages(session, actor=actor, assessment_id=assessment_id)]


@router.post("/assessments/{assessment_id}/reconciliation/messages", response_model=MessagePublic,
             status_code=201, dependencies=CHANGES)
def post_message(assessment_id: int, body: MessageInput, session: DbSession, actor: SignedInActor) -> MessagePublic:
    return MessagePublic.of(service.post_message(session, actor=actor, assessment_id=assessment_id,
                                                 body=body.body))


@router.post("/assessments/{assessment_id}/reconciliation/third-expert", response_model=ThirdExpertPublic,
             status_code=201, dependencies=CHANGES)
def call_third_expert(assessment_id: int, session: DbSession, actor: SignedInActor) -> ThirdExpertPublic:
    assignment = service.call_third_expert(session, actor=actor, assessment_id=assessment_id)
    return ThirdExpertPublic(assignment_id=assignment.id, expert_id=assignment.expert_id)


@router.post("/assessments/{assessment_id}/finalize", response_model=AssessmentPublic, dependencies=CHANGES)
def finalize(assessment_id: int, body: FinalizeInput, session: DbSession, actor: SignedInActor) -> AssessmentPublic:
    """Compute the final result of a reconciliation (operators). The score and level are computed, not sent."""
    service.finalize(session, actor=actor, assessment_id=assessment_id, reason=body.reason)
    return AssessmentPublic.of(service.view_assessment(session, actor=actor, assessment_id=assessment_id))


@router.get("/assessments/{assessment_id}/self-assessment", response_model=SelfPublic)
def get_self_assessment(assessment_id: int, session: DbSession, actor: SignedInActor) -> SelfPublic:
    return SelfPublic.of(service.get_self_assessment(session, actor=actor, assessment_id=assessment_id))


@router.put("/assessments/{assessment_id}/self-assessment", response_model=SelfPublic, dependencies=CHANGES)
def save_self_assessment(assessment_id: int, body: SelfInput, session: DbSession,
                         actor: SignedInActor) -> SelfPublic:
    return SelfPublic.of(service.save_self_assessment(session, actor=actor, assessment_id=assessment_id,
                                                      scores=body.scores))


@router.post("/assessments/{assessment_id}/self-assessment/submit", response_model=SelfPublic,
             dependencies=CHANGES)
def submit_self_assessment(assessment_id: int, body: SelfSubmitInput, session: DbSession,
                           actor: SignedInActor) -> SelfPublic:
    return SelfPublic.of(service.submit_self_assessment(session, actor=actor, assessment_id=assessment_id,
                                                        scores=body.scores))


@router.get("/assessments/{assessment_id}/report", response_model=ReportPublic)
def get_report(assessment_id: int, session: DbSession, actor: SignedInActor) -> ReportPublic:
    """The company's report in Korean and English (the company, operators and auditors; once final)."""
    return ReportPublic.of(report_service.build_report(session, actor=actor, assessment_id=assessment_id))


@router.post("/assessments/{assessment_id}/responses", response_model=ResponsePublic, status_code=201,
             dependencies=CHANGES)
def add_response(assessment_id: int, body: ResponseInput, session: DbSession, actor: SignedInActor) -> ResponsePublic:
    """The company comments on or appeals its report; an appeal marks the assessment appealed."""
    return ResponsePublic.of(service.add_response(session, actor=actor, assessment_id=assessment_id,
                                                  kind=body.kind.value, body=body.body))


@router.post("/responses/{response_id}/answer", response_model=ResponsePublic, dependencies=CHANGES)
def answer_response(response_id: int, body: AnswerInput, session: DbSession, actor: SignedInActor) -> ResponsePublic:
    return ResponsePublic.of(service.answer_response(session, actor=actor, response_id=response_id,
                                                     answer=body.answer))
