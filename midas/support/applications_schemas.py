"""The API shapes of applications, their attachments and status, and a round's eligibility results.

Input fields are loose on purpose (text or numbers): the services parse them, so the API and the pages report the
same problems, at the same places (``plan.budget_lines[1].amount_krw``), in the caller's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midas.errors import Problem
from midas.paging import Page
from midas.support.applications_service import ApplicationStatusView, as_problems
from midas.support.eligibility_service import EligibilityResults, EligibilitySummary
from midas.support.enums import ApplicationStatus, DecisionOutcome, TrackKind
from midas.support.models import ApplicationAttachment, SupportApplication, SupportDecision

Loose = str | int | float | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationCreate(_Input):
    round_id: int
    track: str | int = Field(description="The track's id, or its kind in the round (basic, advanced, ...)")
    factory_id: Loose = None
    title: str = ""
    scope: str = Field("", description="The scope of work: one of the pool's technologies (mes, automation, ...)")


class ApplicationUpdate(_Input):
    """The parts of the plan to change; a part left out keeps its value, a part given replaces it whole."""

    title: str | None = None
    scope: str | None = None
    factory_id: Loose = None
    goals: str | None = None
    target_kpis: Any = Field(None, description="{productivity|quality|cost|delivery: {baseline, target, unit}}")
    suppliers: Any = Field(None, description="[{organization_id (a registered supplier, optional), name, solution}]")
    budget_lines: Any = Field(None, description="[{item, amount_krw}]; the total cost is their sum")
    schedule: Any = Field(None, description="[{title, due_on (YYYY-MM-DD)}]")
    co_funder_id: Loose = None
    government_krw: Loose = None
    company_krw: Loose = None
    co_funder_krw: Loose = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class WithdrawBody(_Input):
    reason: str = ""


class AttachmentPublic(BaseModel):
    id: int
    title: str
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime
    href: str

    @classmethod
    def of(cls, row: ApplicationAttachment) -> AttachmentPublic:
        return cls(id=row.id, title=row.title, filename=row.filename, content_type=row.content_type,
                   size_bytes=row.size_bytes, uploaded_at=row.uploaded_at,
                   href=f"/api/v1/support/applications/{row.application_id}/attachments/{row.id}")


class ApplicationPublic(BaseModel):
    id: int
    round_id: int
    track_id: int
    track_kind: TrackKind
    organization_id: int
    factory_id: int | None
    assessment_id: int | None
    co_funder_id: int | None
    status: ApplicationStatus
    title: str
    scope: str
    plan: dict[str, Any]
    total_cost_krw: int
    government_krw: int
    company_krw: int
    co_funder_krw: int
    eligibility_passed: bool | None
    eligibility_at: datetime | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    attachments: list[AttachmentPublic]

    @classmethod
    def of(cls, row: SupportApplication) -> ApplicationPublic:
        return cls(id=row.id, round_id=row.round_id, track_id=row.track_id, track_kind=row.track.kind,
                   organization_id=row.organization_id, factory_id=row.factory_id, assessment_id=row.assessment_id,
                   co_funder_id=row.co_funder_id, status=row.status, title=row.title, scope=row.scope,
                   plan=dict(row.plan or {}), total_cost_krw=row.total_cost_krw, government_krw=row.government_krw,
                   company_krw=row.company_krw, co_funder_krw=row.co_funder_krw,
                   eligibility_passed=row.eligibility_passed, eligibility_at=row.eligibility_at,
                   created_at=row.created_at, updated_at=row.updated_at, submitted_at=row.submitted_at,
                   attachments=[AttachmentPublic.of(a) for a in row.attachments])


class ProblemPublic(BaseModel):
    field: str
    message: str
    params: dict[str, Any]
    text: str = Field(description="The message in English with its parameters")


def problems_public(problems: list[Problem]) -> list[ProblemPublic]:
    return [ProblemPublic(**p) for p in as_problems(problems)]


class RuleCheckPublic(BaseModel):
    rule: str
    label: str
    params: dict[str, Any]
    seen: str
    passed: bool


class DecisionPublic(BaseModel):
    id: int
    outcome: DecisionOutcome
    reasons: list[dict[str, Any]]
    is_final: bool
    appeal_deadline: datetime | None
    decided_at: datetime

    @classmethod
    def of(cls, row: SupportDecision) -> DecisionPublic:
        return cls(id=row.id, outcome=row.outcome, reasons=list(row.reasons or []), is_final=row.is_final,
                   appeal_deadline=row.appeal_deadline, decided_at=row.decided_at)


class StepPublic(BaseModel):
    key: str
    done: bool
    current: bool


class ApplicationStatusPublic(BaseModel):
    application: ApplicationPublic
    missing: list[ProblemPublic] = Field(description="What a draft still lacks, each at its place")
    funding_problems: list[ProblemPublic] = Field(description="The track's money rules a draft breaks")
    checks: list[RuleCheckPublic] = Field(description="Every eligibility rule with the value it saw")
    decision: DecisionPublic | None
    can_appeal: bool
    project_id: int | None
    steps: list[StepPublic]
    links: dict[str, str]

    @classmethod
    def of(cls, view: ApplicationStatusView) -> ApplicationStatusPublic:
        return cls(application=ApplicationPublic.of(view.application), missing=problems_public(view.missing),
                   funding_problems=problems_public(view.funding),
                   checks=[RuleCheckPublic(**c) for c in view.checks],
                   decision=DecisionPublic.of(view.decision) if view.decision else None, can_appeal=view.can_appeal,
                   project_id=view.project.id if view.project else None,
                   steps=[StepPublic(key=s.key, done=s.done, current=s.current) for s in view.steps],
                   links=dict(view.links))


class ApplicationsPage(BaseModel):
    items: list[ApplicationPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page[SupportApplication]) -> ApplicationsPage:
        return cls(items=[ApplicationPublic.of(a) for a in page.items], total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)


class EligibilitySummaryPublic(BaseModel):
    round_id: int
    evaluated: int
    passed: int
    failed: int
    failures_by_rule: dict[str, int]
    evaluated_at: datetime | None
    seconds: float

    @classmethod
    def of(cls, summary: EligibilitySummary) -> EligibilitySummaryPublic:
        return cls(round_id=summary.round_id, evaluated=summary.evaluated, passed=summary.passed,
                   failed=summary.failed, failures_by_rule=dict(summary.failures_by_rule),
                   evaluated_at=summary.evaluated_at, seconds=summary.seconds)


class EligibilityResultPublic(BaseModel):
    application_id: int
    organization_id: int
    track_id: int
    status: ApplicationStatus
    passed: bool | None
    checks: list[RuleCheckPublic]


class EligibilityResultsPublic(BaseModel):
    summary: EligibilitySummaryPublic
    rule_labels: dict[str, str]
    items: list[EligibilityResultPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, results: EligibilityResults) -> EligibilityResultsPublic:
        page = results.page
        return cls(summary=EligibilitySummaryPublic.of(results.summary), rule_labels=results.rule_labels,
                   items=[EligibilityResultPublic(application_id=a.id, organization_id=a.organization_id,
                                                  track_id=a.track_id, status=a.status, passed=a.eligibility_passed,
                                                  checks=[RuleCheckPublic(**c) for c in a.eligibility_checks or []])
                          for a in page.items],
                   total=page.total, page=page.page, page_size=page.page_size, pages=page.pages)
