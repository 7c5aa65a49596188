"""The projects part of the support JSON API (under /api/v1/support): the agreement, milestones, payments,
delivery, the completion inspection, outcomes, clawbacks and termination."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from midas.support import projects_service as service
from midas.support.projects_schemas import (
    ClawbackCreate,
    ClawbackPublic,
    InspectionSubmit,
    InspectorAssign,
    MilestoneCreate,
    MilestoneDone,
    MilestonePublic,
    OutcomeRecord,
    PaymentCreate,
    PaymentPublic,
    ProjectCreate,
    ProjectListPublic,
    ProjectPublic,
    TerminateBody,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/support", tags=["support"])
CHANGES = [Depends(verify_csrf)]


@router.post("/projects", response_model=ProjectPublic, status_code=201, dependencies=CHANGES)
def create_project(body: ProjectCreate, session: DbSession, actor: SignedInActor) -> ProjectPublic:
    """Agree the project of an application whose current decision is FUNDED; the plan's schedule gives milestones."""
    return ProjectPublic.of(service.create_project(session, actor=actor, application_id=body.application_id,
                                                   starts_on=body.starts_on, ends_on=body.ends_on,
                                                   supplier_id=body.supplier_id))


@router.get("/projects", response_model=ProjectListPublic)
def list_projects(session: DbSession, actor: SignedInActor, status: str = "", round: str = "",
                  page: int = 1, page_size: int = service.PROJECTS_PAGE_SIZE) -> ProjectListPublic:
    """Projects (all for operators and auditors, the organization's own for members) and counts by status."""
    return ProjectListPublic.of(service.list_projects(session, actor=actor, status=status, round_ref=round, page=page,
                                                      page_size=page_size))


@router.get("/projects/{project_id}", response_model=ProjectPublic)
def get_project(project_id: int, session: DbSession, actor: SignedInActor) -> ProjectPublic:
    return ProjectPublic.of(service.get_project(session, actor=actor, project_id=project_id))


@router.post("/projects/{project_id}/milestones", response_model=MilestonePublic, status_code=201,
             dependencies=CHANGES)
def add_milestone(project_id: int, body: MilestoneCreate, session: DbSession, actor: SignedInActor) -> MilestonePublic:
    return MilestonePublic.of(service.add_milestone(session, actor=actor, project_id=project_id, title=body.title,
                                                    due_on=body.due_on))


@router.post("/projects/{project_id}/milestones/{milestone_id}/done", response_model=MilestonePublic,
             dependencies=CHANGES)
def complete_milestone(project_id: int, milestone_id: int, body: MilestoneDone, session: DbSession,
                       actor: SignedInActor) -> MilestonePublic:
    return MilestonePublic.of(service.complete_milestone(session, actor=actor, project_id=project_id,
                                                         milestone_id=milestone_id, note=body.note))


@router.post("/projects/{project_id}/payments", response_model=PaymentPublic, status_code=201, dependencies=CHANGES)
def record_payment(project_id: int, body: PaymentCreate, session: DbSession, actor: SignedInActor) -> PaymentPublic:
    """A payment of the government's or the company's share; one beyond the agreement is refused (422)."""
    return PaymentPublic.of(service.record_payment(session, actor=actor, project_id=project_id, payer=body.payer,
                                                   amount_krw=body.amount_krw, paid_on=body.paid_on,
                                                   milestone_id=body.milestone_id, note=body.note))


@router.post("/projects/{project_id}/delivered", response_model=ProjectPublic, dependencies=CHANGES)
def mark_delivered(project_id: int, session: DbSession, actor: SignedInActor) -> ProjectPublic:
    """The company says the supplier has delivered."""
    return ProjectPublic.of(service.mark_delivered(session, actor=actor, project_id=project_id))


@router.post("/projects/{project_id}/inspector", response_model=ProjectPublic, dependencies=CHANGES)
def assign_inspector(project_id: int, body: InspectorAssign, session: DbSession,
                     actor: SignedInActor) -> ProjectPublic:
    return ProjectPublic.of(service.assign_inspector(session, actor=actor, project_id=project_id,
                                                     expert_id=body.expert_id))


@router.post("/projects/{project_id}/inspection", response_model=ProjectPublic, dependencies=CHANGES)
def submit_inspection(project_id: int, body: InspectionSubmit, session: DbSession,
                      actor: SignedInActor) -> ProjectPublic:
    """The assigned inspector passes or fails the delivered project; anyone else is refused and audited."""
    return ProjectPublic.of(service.submit_inspection(session, actor=actor, project_id=project_id,
                                                      passed=body.passed, note=body.note))


@router.post("/projects/{project_id}/outcome", response_model=ProjectPublic, dependencies=CHANGES)
def record_outcome(project_id: int, body: OutcomeRecord, session: DbSession, actor: SignedInActor) -> ProjectPublic:
    """Achieved values for every target KPI of the plan; each is stored met or not."""
    return ProjectPublic.of(service.record_outcome(session, actor=actor, project_id=project_id,
                                                   achieved=body.achieved))


@router.post("/projects/{project_id}/clawbacks", response_model=ClawbackPublic, status_code=201,
             dependencies=CHANGES)
def apply_clawback(project_id: int, body: ClawbackCreate, session: DbSession, actor: SignedInActor) -> ClawbackPublic:
    """Demand paid support back under an active CLAWBACK sanction; at most what was paid less earlier clawbacks."""
    return ClawbackPublic.of(service.apply_clawback(session, actor=actor, project_id=project_id,
                                                    sanction_id=body.sanction_id, amount_krw=body.amount_krw,
                                                    reason=body.reason, terminate=body.terminate))


@router.post("/projects/{project_id}/terminate", response_model=ProjectPublic, dependencies=CHANGES)
def terminate_project(project_id: int, body: TerminateBody, session: DbSession,
                      actor: SignedInActor) -> ProjectPublic:
    return ProjectPublic.of(service.terminate_project(session, actor=actor, project_id=project_id,
                                                      reason=body.reason))
