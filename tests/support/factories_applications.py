"""Helpers for the applications and eligibility tests: actors, complete drafts and final assessments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from midas.assessment import Assessment, AssessmentStatus
from midas.auth import Actor, Role
from midas.registry import Organization
from midas.support.enums import ApplicationStatus
from midas.support.models import SupportApplication, SupportTrack
from tests.assessment.factories import make_assessment
from tests.assessment.factories import make_round as make_assessment_round
from tests.support.factories import make_application

FULL_KPIS: dict[str, dict[str, Any]] = {
    "productivity": {"baseline": 100, "target": 115, "unit": "개/시간"},
    "quality": {"baseline": 3.0, "target": 1.5, "unit": "%"},
    "cost": {"baseline": 1200, "target": 1100, "unit": "원/개"},
    "delivery": {"baseline": 92, "target": 97, "unit": "%"},
}


def company(organization: Organization, label: str = "company member") -> Actor:
    return Actor(user_id=None, label=label, role=Role.COMPANY_MEMBER, organization_id=organization.id)


OPERATOR = Actor(user_id=None, label="operator", role=Role.OPERATOR)
AUDITOR = Actor(user_id=None, label="auditor", role=Role.AUDITOR)
EXPERT = Actor(user_id=None, label="expert", role=Role.EXPERT)


def complete_draft(session: Session, track: SupportTrack, organization: Organization | None = None,
                   **overrides: Any) -> SupportApplication:
    """A draft that is complete and within the basic track's money rules (80M of 160M KRW from the government)."""
    application = make_application(session, track, organization, status=ApplicationStatus.DRAFT, submitted_at=None,
                                   **overrides)
    if "plan" not in overrides:
        application.plan = {**application.plan, "target_kpis": FULL_KPIS}
        session.flush()
    return application


def final_assessment(session: Session, organization: Organization, level: int, *,
                     finalized_at: datetime | None = None) -> Assessment:
    """A final assessment of ``organization`` at ``level`` on the shipped KS X 9001-3 framework."""
    assessment_round = make_assessment_round(session)
    return make_assessment(session, assessment_round, organization, status=AssessmentStatus.FINAL,
                           final_level=level, final_score=level * 20, finalized_at=finalized_at or datetime.now(UTC))
