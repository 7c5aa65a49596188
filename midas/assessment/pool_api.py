"""The pool part of the assessment JSON API (under /api/v1/assessment): experts, their affiliations, business
ties between organizations, and conflicts of interest (detected, declared, added, lifted)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from midas.assessment import pool_service as service
from midas.assessment.pool_schemas import (
    AffiliationCreate,
    AffiliationPublic,
    ConflictCreate,
    ConflictDeclaration,
    ConflictPublic,
    ConflictsPage,
    DetectionPublic,
    EndDate,
    ExpertCreate,
    ExpertDetail,
    ExpertPublic,
    ExpertsPage,
    ExpertUpdate,
    LiftRequest,
    MyConflicts,
    RelationCreate,
    RelationPublic,
)
from midas.config import Settings
from midas.web.context import DbSession, SignedInActor, settings_of
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/assessment", tags=["assessment"])
CHANGES = [Depends(verify_csrf)]
AppSettings = Annotated[Settings, Depends(settings_of)]


@router.get("/experts", response_model=ExpertsPage)
def list_experts(
    session: DbSession,
    actor: SignedInActor,
    settings: AppSettings,
    q: Annotated[str, Query(description="Part of the name, employer or e-mail")] = "",
    ksic_division: Annotated[str | None, Query(description="KSIC manufacturing division, 10-34")] = None,
    technology: Annotated[str | None, Query(description="A technology area code, e.g. mes")] = None,
    region_code: Annotated[str | None, Query(description="Administrative code or name of a region")] = None,
    available: Annotated[str | None, Query(description="true, false or empty (both)")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=service.MAX_PAGE_SIZE)] = None,
) -> ExpertsPage:
    """Experts of the pool matching a search text and filters, ordered by name (operators and auditors)."""
    query = service.parse_expert_query(
        {"q": q, "ksic_division": ksic_division, "technology": technology, "region_code": region_code,
         "available": available, "page": page, "page_size": page_size},
        default_page_size=settings.page_size,
    )
    return ExpertsPage.of(service.list_experts(session, actor=actor, query=query))


@router.post("/experts", response_model=ExpertPublic, status_code=201, dependencies=CHANGES)
def create_expert(body: ExpertCreate, session: DbSession, actor: SignedInActor) -> ExpertPublic:
    """Add an expert to the pool (operators); conflicts their employer brings are detected at once."""
    return ExpertPublic.of(service.create_expert(session, actor=actor, raw=body.model_dump(exclude_unset=True)))


@router.get("/experts/{expert_id}", response_model=ExpertDetail)
def get_expert(expert_id: int, session: DbSession, actor: SignedInActor) -> ExpertDetail:
    """An expert with their affiliation history and conflicts."""
    profile = service.get_expert_profile(session, actor=actor, expert_id=expert_id)
    return ExpertDetail.of_profile(profile.expert, profile.affiliations, profile.conflicts)


@router.patch("/experts/{expert_id}", response_model=ExpertPublic, dependencies=CHANGES)
def update_expert(expert_id: int, body: ExpertUpdate, session: DbSession, actor: SignedInActor) -> ExpertPublic:
    """Change some fields of an expert profile; the whole profile is checked again."""
    return ExpertPublic.of(service.update_expert(session, actor=actor, expert_id=expert_id, changes=body.changes()))


@router.post("/experts/{expert_id}/affiliations", response_model=AffiliationPublic, status_code=201,
             dependencies=CHANGES)
def add_affiliation(
    expert_id: int, body: AffiliationCreate, session: DbSession, actor: SignedInActor
) -> AffiliationPublic:
    """Record where the expert worked, directed, owned or consulted, and when."""
    affiliation = service.add_affiliation(session, actor=actor, expert_id=expert_id, raw=body.model_dump())
    return AffiliationPublic.of(affiliation)


@router.post("/affiliations/{affiliation_id}/end", response_model=AffiliationPublic, dependencies=CHANGES)
def end_affiliation(
    affiliation_id: int, body: EndDate, session: DbSession, actor: SignedInActor
) -> AffiliationPublic:
    """Close an open affiliation on a date."""
    affiliation = service.end_affiliation(session, actor=actor, affiliation_id=affiliation_id, raw=body.model_dump())
    return AffiliationPublic.of(affiliation)


@router.post("/relations", response_model=RelationPublic, status_code=201, dependencies=CHANGES)
def add_relation(body: RelationCreate, session: DbSession, actor: SignedInActor) -> RelationPublic:
    """Record a business tie between two organizations (supplier, competitor, shared ownership or management)."""
    return RelationPublic.of(service.add_relation(session, actor=actor, raw=body.model_dump()))


@router.get("/relations", response_model=list[RelationPublic])
def list_relations(
    session: DbSession,
    actor: SignedInActor,
    organization: Annotated[str, Query(description="Business registration number or id (required)")] = "",
) -> list[RelationPublic]:
    """The business ties of one organization, in either direction (operators and auditors)."""
    found = service.find_organization(session, actor=actor, reference=organization)
    return [RelationPublic.of(r) for r in service.list_relations(session, actor=actor, organization_id=found.id)]


@router.post("/relations/{relation_id}/end", response_model=RelationPublic, dependencies=CHANGES)
def end_relation(relation_id: int, body: EndDate, session: DbSession, actor: SignedInActor) -> RelationPublic:
    """Close a business tie on a date."""
    return RelationPublic.of(service.end_relation(session, actor=actor, relation_id=relation_id,
                                                  raw=body.model_dump()))


@router.get("/conflicts", response_model=ConflictsPage)
def list_conflicts(
    session: DbSession,
    actor: SignedInActor,
    settings: AppSettings,
    expert_id: Annotated[str | None, Query(description="Only this expert's conflicts")] = None,
    organization: Annotated[str | None, Query(description="Business registration number or id")] = None,
    kind: Annotated[str | None, Query(description="A conflict kind, e.g. supplier")] = None,
    source: Annotated[str | None, Query(description="detected, declared or operator")] = None,
    status: Annotated[str | None, Query(description="active, lifted or empty (both)")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=service.MAX_PAGE_SIZE)] = None,
) -> ConflictsPage:
    """Conflicts of interest matching the filters, newest first (operators and auditors)."""
    query = service.parse_conflict_query(
        session, {"expert_id": expert_id, "organization": organization, "kind": kind, "source": source,
                  "status": status, "page": page, "page_size": page_size},
        default_page_size=settings.page_size,
    )
    return ConflictsPage.of(service.list_conflicts(session, actor=actor, query=query))


@router.post("/conflicts", response_model=ConflictPublic, status_code=201, dependencies=CHANGES)
def add_conflict(body: ConflictCreate, session: DbSession, actor: SignedInActor) -> ConflictPublic:
    """Record a conflict the data does not show (operators); the expert can no longer be assigned there."""
    return ConflictPublic.of(service.add_conflict(session, actor=actor, raw=body.model_dump()))


@router.post("/conflicts/detect", response_model=DetectionPublic, dependencies=CHANGES)
def detect_conflicts(session: DbSession, actor: SignedInActor) -> DetectionPublic:
    """Detect conflicts across the whole pool (operators); lifted conflicts stay lifted."""
    return DetectionPublic.of(service.run_detection(session, actor=actor))


@router.post("/conflicts/{conflict_id}/lift", response_model=ConflictPublic, dependencies=CHANGES)
def lift_conflict(conflict_id: int, body: LiftRequest, session: DbSession, actor: SignedInActor) -> ConflictPublic:
    """Lift a conflict with a reason (operators); it stays on record."""
    conflict = service.lift_conflict(session, actor=actor, conflict_id=conflict_id, reason=body.reason or "")
    return ConflictPublic.of(conflict)


@router.get("/my/conflicts", response_model=MyConflicts)
def my_conflicts(session: DbSession, actor: SignedInActor) -> MyConflicts:
    """The signed-in expert's conflicts of interest."""
    expert, conflicts = service.my_conflicts(session, actor=actor)
    return MyConflicts(expert_id=expert.id, expert_name=expert.name, conflicts=ConflictPublic.all_of(conflicts))


@router.post("/my/conflicts", response_model=ConflictPublic, status_code=201, dependencies=CHANGES)
def declare_conflict(body: ConflictDeclaration, session: DbSession, actor: SignedInActor) -> ConflictPublic:
    """Declare your own conflict with an organization (experts), saying why."""
    return ConflictPublic.of(service.declare_conflict(session, actor=actor, raw=body.model_dump()))
