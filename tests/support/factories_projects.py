"""Rows for the appeals and projects tests: decisions, appeals with reviews, projects, sanctions, expert users."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from midas.assessment import Expert
from midas.auth import Actor, Role, User, actor_for
from midas.registry import Organization
from midas.support.enums import (
    AppealStatus,
    ApplicationStatus,
    DecisionOutcome,
    ProjectStatus,
    ReviewStatus,
    SanctionKind,
)
from midas.support.models import (
    AppealReview,
    ProjectMilestone,
    SanctionRecord,
    SupportAppeal,
    SupportApplication,
    SupportDecision,
    SupportProject,
    SupportTrack,
)
from midas.support.projects_service import seoul_today
from tests.assessment.factories import make_expert, shipped_version
from tests.factories import make_organization, make_user
from tests.support.factories import make_application, make_track


def make_decision(session: Session, application: SupportApplication, **overrides: Any) -> SupportDecision:
    """A current, non-final WAITLISTED decision whose appeal window closes in 14 days."""
    values: dict[str, Any] = {
        "application_id": application.id, "outcome": DecisionOutcome.WAITLISTED,
        "reasons": [{"message": "Not funded within the budget", "params": {}}], "is_final": False,
        "appeal_deadline": datetime.now(UTC) + timedelta(days=14), "is_current": True,
        "decided_by_label": "test",
    }
    values.update(overrides)
    decision = SupportDecision(**values)
    session.add(decision)
    session.flush()
    return decision


def decided_application(session: Session, *, outcome: DecisionOutcome = DecisionOutcome.WAITLISTED,
                        track: SupportTrack | None = None, organization: Organization | None = None,
                        **decision: Any) -> tuple[SupportApplication, SupportDecision]:
    """An application (on a basic track with a stored framework) and its current decision."""
    shipped_version(session)
    track = track or make_track(session)
    status = {DecisionOutcome.FUNDED: ApplicationStatus.FUNDED, DecisionOutcome.WAITLISTED:
              ApplicationStatus.WAITLISTED, DecisionOutcome.REJECTED: ApplicationStatus.REJECTED}[outcome]
    application = make_application(session, track, organization, status=status)
    return application, make_decision(session, application, outcome=outcome, **decision)


def make_appeal(session: Session, decision: SupportDecision, **overrides: Any) -> SupportAppeal:
    values: dict[str, Any] = {"decision_id": decision.id, "application_id": decision.application_id,
                              "reason": "평가 점수에 반영되지 않은 MES 구축 실적이 있습니다.",
                              "status": AppealStatus.OPEN, "filed_by_label": "test"}
    values.update(overrides)
    appeal = SupportAppeal(**values)
    session.add(appeal)
    session.flush()
    return appeal


def make_review(session: Session, appeal: SupportAppeal, expert: Expert, **overrides: Any) -> AppealReview:
    values: dict[str, Any] = {"appeal_id": appeal.id, "expert_id": expert.id, "status": ReviewStatus.ASSIGNED}
    values.update(overrides)
    review = AppealReview(**values)
    session.add(review)
    session.flush()
    session.refresh(appeal, ["reviews"])
    return review


def make_project(session: Session, application: SupportApplication | None = None, **overrides: Any) -> SupportProject:
    """An agreed project (government 80M KRW, company 80M KRW) of a funded application, with two milestones."""
    if application is None:
        application, _ = decided_application(session, outcome=DecisionOutcome.FUNDED)
    values: dict[str, Any] = {
        "application_id": application.id, "organization_id": application.organization_id,
        "status": ProjectStatus.AGREED, "government_krw": application.government_krw,
        "company_krw": application.company_krw + application.co_funder_krw,
        "starts_on": date(2027, 3, 1), "ends_on": date(2027, 12, 31),
    }
    values.update(overrides)
    project = SupportProject(**values)
    session.add(project)
    session.flush()
    for title, due in (("착수", date(2027, 3, 1)), ("구축 완료", date(2027, 9, 30))):
        session.add(ProjectMilestone(project_id=project.id, title=title, due_on=due))
    session.flush()
    session.refresh(project, ["milestones"])
    return project


def make_sanction(session: Session, organization_id: int, **overrides: Any) -> SanctionRecord:
    """An active CLAWBACK sanction since a year ago, with no amount named."""
    values: dict[str, Any] = {"organization_id": organization_id, "kind": SanctionKind.CLAWBACK,
                              "reason": "보조금 목적 외 사용", "starts_on": seoul_today() - timedelta(days=365),
                              "created_by_label": "test"}
    values.update(overrides)
    sanction = SanctionRecord(**values)
    session.add(sanction)
    session.flush()
    return sanction


def expert_user(session: Session, **overrides: Any) -> tuple[Expert, User]:
    """An expert who can sign in (machinery KSIC 29, MES)."""
    user = make_user(session, Role.EXPERT)
    return make_expert(session, user=user, **overrides), user


def member_of(session: Session, organization_id: int) -> User:
    organization = session.get(Organization, organization_id)
    assert organization is not None
    return make_user(session, Role.COMPANY_MEMBER, organization=organization)


def actor_of(user: User) -> Actor:
    return actor_for(user)


def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


def other_company(session: Session) -> Actor:
    return actor_for(make_user(session, Role.COMPANY_MEMBER, organization=make_organization(session)))
