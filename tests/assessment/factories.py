"""Rows of the assessment tables for tests, made directly (not through the services under test)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from midas.assessment.enums import (
    AffiliationKind,
    AssessmentStatus,
    AssignmentStatus,
    RelationKind,
    RoundStatus,
)
from midas.assessment.framework_service import framework_of, store_shipped_frameworks
from midas.assessment.frameworks import Framework
from midas.assessment.models import (
    Assessment,
    AssessmentRound,
    Expert,
    ExpertAffiliation,
    ExpertAssignment,
    FrameworkVersion,
    OrganizationRelation,
    ScoreSheet,
)
from midas.auth import Role, User
from midas.registry import Organization
from tests.factories import make_organization, make_user

_sequence = itertools.count(1)


def shipped_version(session: Session, code: str = "ksx9001-3") -> FrameworkVersion:
    """A shipped framework stored as published: "ksx9001-3" (95 items, points) or "siri16" (16 items, bands)."""
    return next(v for v in store_shipped_frameworks(session) if v.code == code)


def make_expert(session: Session, *, user: User | None = None, with_user: bool = False, **overrides: Any) -> Expert:
    """An available expert in machinery (KSIC 29) and MES in Gyeonggi (41), employed by a new organization."""
    n = next(_sequence)
    if with_user and user is None:
        user = make_user(session, Role.EXPERT)
    if "employer_id" not in overrides and "employer" not in overrides:
        overrides["employer_id"] = make_organization(session, name=f"전문가소속{n}").id
    values: dict[str, Any] = {
        "name": f"전문가 {n}", "email": f"expert{n}@example.kr", "employer_name": f"소속기관 {n}",
        "region_code": "41", "ksic_divisions": "29", "technologies": "mes,automation", "qualifications": "",
        "years_of_experience": 12, "max_load": 10, "is_available": True,
        "user_id": user.id if user else None,
    }
    values.update(overrides)
    expert = Expert(**values)
    session.add(expert)
    session.flush()
    return expert


def make_affiliation(session: Session, expert: Expert, organization: Organization, *,
                     kind: AffiliationKind = AffiliationKind.EMPLOYEE, started_on: date = date(2015, 1, 1),
                     ended_on: date | None = None) -> ExpertAffiliation:
    row = ExpertAffiliation(expert_id=expert.id, organization_id=organization.id, organization_name=organization.name,
                            kind=kind, started_on=started_on, ended_on=ended_on)
    session.add(row)
    session.flush()
    return row


def make_relation(session: Session, organization: Organization, related: Organization, *,
                  kind: RelationKind = RelationKind.SUPPLIER, source: str = "quote",
                  ended_on: date | None = None) -> OrganizationRelation:
    row = OrganizationRelation(organization_id=organization.id, related_organization_id=related.id, kind=kind,
                               source=source, ended_on=ended_on)
    session.add(row)
    session.flush()
    return row


def make_round(session: Session, *, version: FrameworkVersion | None = None, **overrides: Any) -> AssessmentRound:
    """A draft round on the KS X 9001-3 framework, 2 experts per assessment, deadline in 30 days."""
    version = version or shipped_version(session)
    n = next(_sequence)
    values: dict[str, Any] = {
        "code": f"T{n:04d}", "name": f"시험 평가 {n}", "framework_id": version.id,
        "framework_hash": version.content_hash, "track": "advance", "experts_per_assessment": 2,
        "limit_own_region": False, "item_tolerance": 2, "level_tolerance": 0,
        "deadline": datetime.now(UTC) + timedelta(days=30), "status": RoundStatus.DRAFT,
    }
    values.update(overrides)
    row = AssessmentRound(**values)
    session.add(row)
    session.flush()
    return row


def make_assessment(session: Session, assessment_round: AssessmentRound, organization: Organization | None = None,
                    **overrides: Any) -> Assessment:
    organization = organization or make_organization(session)
    values: dict[str, Any] = {"round_id": assessment_round.id, "organization_id": organization.id,
                              "needs": "mes", "status": AssessmentStatus.WAITING}
    values.update(overrides)
    row = Assessment(**values)
    session.add(row)
    session.flush()
    return row


def make_assignment(session: Session, assessment: Assessment, expert: Expert, **overrides: Any) -> ExpertAssignment:
    values: dict[str, Any] = {"assessment_id": assessment.id, "expert_id": expert.id,
                              "status": AssignmentStatus.ACCEPTED, "affinity": 70,
                              "breakdown": {"industry": 40, "technology": 30, "region": 0, "experience": 0}}
    values.update(overrides)
    row = ExpertAssignment(**values)
    session.add(row)
    session.flush()
    return row


def uniform_scores(framework: Framework, value: int) -> dict[str, int]:
    """Every item of the framework scored ``value``."""
    return {item.id: value for item in framework.items}


def make_sheet(session: Session, assignment: ExpertAssignment, scores: dict[str, int], *,
               submitted: bool = True) -> ScoreSheet:
    """A sheet stored directly (with its overall and level computed by the framework), submitted or not."""
    from midas.assessment.frameworks import score

    assessment = session.get(Assessment, assignment.assessment_id)
    assert assessment is not None
    framework = framework_of(assessment.round.framework)
    result = score(framework, scores) if submitted else None
    sheet = ScoreSheet(assignment_id=assignment.id, scores=scores, justifications={},
                       overall=result.overall if result else None, level=result.level if result else None,
                       submitted_at=datetime.now(UTC) if submitted else None)
    session.add(sheet)
    session.flush()
    return sheet


def scoring_setup(session: Session, *, experts: int = 2, **round_overrides: Any) -> tuple[
        AssessmentRound, Assessment, list[Expert]]:
    """An assigned round with one assessment in scoring and ``experts`` accepted experts who can sign in."""
    assessment_round = make_round(session, status=RoundStatus.ASSIGNED, **round_overrides)
    assessment = make_assessment(session, assessment_round, status=AssessmentStatus.SCORING)
    pool = [make_expert(session, with_user=True) for _ in range(experts)]
    for expert in pool:
        make_assignment(session, assessment, expert)
    return assessment_round, assessment, pool
