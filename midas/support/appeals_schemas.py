"""The API shapes of appeals and their re-reviews.

Input fields are loose on purpose (text or numbers): the service parses them, so the API and the pages report the
same problems, per field, in the caller's language.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from midas.support.enums import AppealStatus, DecisionOutcome, ReviewStatus
from midas.support.models import AppealReview, SupportAppeal

Loose = str | int | bool | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppealCreate(_Input):
    reason: str = ""


class ReviewersAssign(_Input):
    count: Loose = 2


class ReviewSubmit(_Input):
    score: Loose = None
    supports_appeal: Loose = None
    opinion: str = ""


class AppealResolve(_Input):
    granted: Loose = None
    resolution: str = ""


class ReviewPublic(BaseModel):
    id: int
    expert_id: int
    status: ReviewStatus
    score: int | None
    supports_appeal: bool | None
    opinion: str | None
    assigned_at: datetime
    submitted_at: datetime | None

    @classmethod
    def of(cls, row: AppealReview) -> ReviewPublic:
        return cls(id=row.id, expert_id=row.expert_id, status=row.status, score=row.score,
                   supports_appeal=row.supports_appeal, opinion=row.opinion, assigned_at=row.assigned_at,
                   submitted_at=row.submitted_at)


class AppealPublic(BaseModel):
    id: int
    decision_id: int
    application_id: int
    organization_id: int
    outcome: DecisionOutcome
    reason: str
    status: AppealStatus
    filed_by_label: str
    filed_at: datetime
    resolution: str | None
    resolved_at: datetime | None
    reviews: list[ReviewPublic]

    @classmethod
    def of(cls, row: SupportAppeal) -> AppealPublic:
        return cls(id=row.id, decision_id=row.decision_id, application_id=row.application_id,
                   organization_id=row.decision.application.organization_id, outcome=row.decision.outcome,
                   reason=row.reason, status=row.status, filed_by_label=row.filed_by_label, filed_at=row.filed_at,
                   resolution=row.resolution, resolved_at=row.resolved_at,
                   reviews=[ReviewPublic.of(r) for r in row.reviews])
