"""The applications part of the support JSON API (under /api/v1/support): applications with their plan, attachments,
submission and withdrawal, the operators' list, and a round's eligibility run and results."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from starlette.responses import Response

from midas.support import applications_service, eligibility_service
from midas.support.applications_schemas import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationsPage,
    ApplicationStatusPublic,
    ApplicationUpdate,
    AttachmentPublic,
    EligibilityResultsPublic,
    EligibilitySummaryPublic,
    WithdrawBody,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/support", tags=["support"])
CHANGES = [Depends(verify_csrf)]


def download(filename: str, content_type: str, content: bytes) -> Response:
    """A file to save, its (possibly Korean) name kept through RFC 5987."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=content_type, headers={"Content-Disposition": disposition,
                                                               "X-Content-Type-Options": "nosniff"})


@router.post("/applications", response_model=ApplicationPublic, status_code=201, dependencies=CHANGES)
def start_application(body: ApplicationCreate, session: DbSession, actor: SignedInActor) -> ApplicationPublic:
    """A draft application of the signed-in company to a track of an open round."""
    return ApplicationPublic.of(applications_service.start_application(
        session, actor=actor, round_id=body.round_id, track=body.track, factory_id=body.factory_id,
        title=body.title, scope=body.scope))


@router.get("/applications", response_model=ApplicationsPage)
def list_applications(
    session: DbSession, actor: SignedInActor, round: int | None = None, track: int | None = None,
    status: str | None = None, region: str | None = None, page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=applications_service.MAX_PAGE_SIZE)] = 50,
) -> ApplicationsPage:
    """Applications for operators and auditors, filtered by round, track, status and region."""
    return ApplicationsPage.of(applications_service.list_applications(
        session, actor=actor, round_id=round, track_id=track, status=status, region=region, page=page,
        page_size=page_size))


@router.get("/my/applications", response_model=list[ApplicationPublic])
def my_applications(session: DbSession, actor: SignedInActor) -> list[ApplicationPublic]:
    """The signed-in company's applications, newest first."""
    return [ApplicationPublic.of(a) for a in applications_service.list_my_applications(session, actor=actor)]


@router.get("/applications/{application_id}", response_model=ApplicationStatusPublic)
def get_application(application_id: int, session: DbSession, actor: SignedInActor) -> ApplicationStatusPublic:
    """The application with what it lacks, its eligibility checks, its current decision and its links."""
    return ApplicationStatusPublic.of(applications_service.get_application_status(
        session, actor=actor, application_id=application_id))


@router.put("/applications/{application_id}", response_model=ApplicationPublic, dependencies=CHANGES)
def update_application(application_id: int, body: ApplicationUpdate, session: DbSession,
                       actor: SignedInActor) -> ApplicationPublic:
    """Change a draft's plan; problems of form are refused at their place, nothing changed."""
    return ApplicationPublic.of(applications_service.update_application(
        session, actor=actor, application_id=application_id, raw=body.changes()))


@router.post("/applications/{application_id}/submit", response_model=ApplicationPublic, dependencies=CHANGES)
def submit_application(application_id: int, session: DbSession, actor: SignedInActor) -> ApplicationPublic:
    """Submit a complete draft while the call is open; every reason it cannot be is given at once (422)."""
    return ApplicationPublic.of(applications_service.submit_application(session, actor=actor,
                                                                        application_id=application_id))


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationPublic, dependencies=CHANGES)
def withdraw_application(application_id: int, session: DbSession, actor: SignedInActor,
                         body: WithdrawBody | None = None) -> ApplicationPublic:
    return ApplicationPublic.of(applications_service.withdraw_application(
        session, actor=actor, application_id=application_id, reason=body.reason if body else ""))


@router.post("/applications/{application_id}/decline", response_model=ApplicationPublic, dependencies=CHANGES)
def decline_grant(application_id: int, body: WithdrawBody, session: DbSession,
                  actor: SignedInActor) -> ApplicationPublic:
    """The company gives up a funded application's grant before any project agreement (a reason is required)."""
    return ApplicationPublic.of(applications_service.decline_grant(
        session, actor=actor, application_id=application_id, reason=body.reason))


@router.post("/applications/{application_id}/attachments", response_model=AttachmentPublic, status_code=201,
             dependencies=CHANGES)
def add_attachment(application_id: int, session: DbSession, actor: SignedInActor,
                   file: Annotated[UploadFile, File()], title: Annotated[str, Form()] = "") -> AttachmentPublic:
    """Attach a PDF, image, XLSX, DOCX or HWP file of at most 10 MB to a draft."""
    content = file.file.read(applications_service.MAX_ATTACHMENT_BYTES + 1)
    return AttachmentPublic.of(applications_service.add_attachment(
        session, actor=actor, application_id=application_id, title=title, filename=file.filename or "",
        content_type=file.content_type or "", content=content))


@router.get("/applications/{application_id}/attachments/{attachment_id}")
def get_attachment(application_id: int, attachment_id: int, session: DbSession, actor: SignedInActor) -> Response:
    attachment = applications_service.get_attachment(session, actor=actor, application_id=application_id,
                                                     attachment_id=attachment_id)
    return download(attachment.filename, attachment.content_type, attachment.content)


@router.delete("/applications/{application_id}/attachments/{attachment_id}", status_code=204, dependencies=CHANGES)
def remove_attachment(application_id: int, attachment_id: int, session: DbSession, actor: SignedInActor) -> Response:
    applications_service.remove_attachment(session, actor=actor, application_id=application_id,
                                           attachment_id=attachment_id)
    return Response(status_code=204)


@router.post("/rounds/{round_id}/eligibility", response_model=EligibilitySummaryPublic, dependencies=CHANGES)
def evaluate_round(round_id: int, session: DbSession, actor: SignedInActor) -> EligibilitySummaryPublic:
    """Evaluate the eligibility of every submitted application of a closed round."""
    return EligibilitySummaryPublic.of(eligibility_service.evaluate_round(session, actor=actor, round_id=round_id))


@router.post("/applications/{application_id}/eligibility", response_model=ApplicationPublic, dependencies=CHANGES)
def evaluate_application(application_id: int, session: DbSession, actor: SignedInActor) -> ApplicationPublic:
    """Re-check one application's eligibility with today's data."""
    return ApplicationPublic.of(eligibility_service.evaluate_application(session, actor=actor,
                                                                         application_id=application_id))


@router.get("/rounds/{round_id}/eligibility", response_model=EligibilityResultsPublic)
def eligibility_results(
    round_id: int, session: DbSession, actor: SignedInActor, passed: bool | None = None, track: int | None = None,
    rule: str | None = None, page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=eligibility_service.MAX_PAGE_SIZE)] = 50,
) -> EligibilityResultsPublic:
    """The stored verdicts of a round: counts, failures by rule, and each application's rule checks."""
    return EligibilityResultsPublic.of(eligibility_service.list_eligibility_results(
        session, actor=actor, round_id=round_id, passed=passed, track_id=track, failed_rule=rule, page=page,
        page_size=page_size))
