"""The API shapes of projects: the agreement, milestones, payments, inspection, outcomes and clawbacks.

Input fields are loose on purpose (text or numbers): the service parses them, so the API and the pages report the
same problems, per field, in the caller's language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from midas.support.enums import MilestoneStatus, PayerKind, ProjectStatus
from midas.support.models import ProjectClawback, ProjectMilestone, ProjectPayment, SupportProject
from midas.support.projects_service import ProjectList, clawed_total, paid_total

Loose = str | int | bool | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectCreate(_Input):
    application_id: int
    starts_on: str | None = None
    ends_on: str | None = None
    supplier_id: Loose = None


class MilestoneCreate(_Input):
    title: str = ""
    due_on: str | None = None


class MilestoneDone(_Input):
    note: str = ""


class PaymentCreate(_Input):
    payer: str = ""
    amount_krw: Loose = None
    paid_on: str | None = None
    milestone_id: Loose = None
    note: str = ""


class InspectorAssign(_Input):
    expert_id: Loose = None


class InspectionSubmit(_Input):
    passed: Loose = None
    note: str = ""


class OutcomeRecord(_Input):
    achieved: dict[str, str | int | float | None]


class ClawbackCreate(_Input):
    sanction_id: Loose = None
    amount_krw: Loose = None
    reason: str = ""
    terminate: Loose = False


class TerminateBody(_Input):
    reason: str = ""


class MilestonePublic(BaseModel):
    id: int
    title: str
    due_on: date
    status: MilestoneStatus
    done_at: datetime | None
    note: str

    @classmethod
    def of(cls, row: ProjectMilestone) -> MilestonePublic:
        return cls(id=row.id, title=row.title, due_on=row.due_on, status=row.status, done_at=row.done_at,
                   note=row.note)


class PaymentPublic(BaseModel):
    id: int
    payer: PayerKind
    amount_krw: int
    paid_on: date
    milestone_id: int | None
    note: str
    recorded_by_label: str

    @classmethod
    def of(cls, row: ProjectPayment) -> PaymentPublic:
        return cls(id=row.id, payer=row.payer, amount_krw=row.amount_krw, paid_on=row.paid_on,
                   milestone_id=row.milestone_id, note=row.note, recorded_by_label=row.recorded_by_label)


class ClawbackPublic(BaseModel):
    id: int
    sanction_id: int
    amount_krw: int
    reason: str
    demanded_at: datetime
    recovered_at: datetime | None

    @classmethod
    def of(cls, row: ProjectClawback) -> ClawbackPublic:
        return cls(id=row.id, sanction_id=row.sanction_id, amount_krw=row.amount_krw, reason=row.reason,
                   demanded_at=row.demanded_at, recovered_at=row.recovered_at)


class ProjectSummary(BaseModel):
    id: int
    application_id: int
    round_id: int
    organization_id: int
    organization_name: str
    title: str
    status: ProjectStatus
    government_krw: int
    company_krw: int
    starts_on: date
    ends_on: date

    @classmethod
    def of(cls, row: SupportProject) -> ProjectSummary:
        return cls(id=row.id, application_id=row.application_id, round_id=row.application.round_id,
                   organization_id=row.organization_id, organization_name=row.application.organization.name,
                   title=row.application.title, status=row.status, government_krw=row.government_krw,
                   company_krw=row.company_krw, starts_on=row.starts_on, ends_on=row.ends_on)


class ProjectPublic(ProjectSummary):
    supplier_id: int | None
    agreed_at: datetime
    delivered_at: datetime | None
    inspector_expert_id: int | None
    inspection_passed: bool | None
    inspection_note: str | None
    inspected_at: datetime | None
    completed_at: datetime | None
    achieved_kpis: dict[str, Any] | None
    followed_up_at: datetime | None
    terminated_reason: str | None
    government_paid_krw: int
    company_paid_krw: int
    clawed_back_krw: int
    milestones: list[MilestonePublic]
    payments: list[PaymentPublic]
    clawbacks: list[ClawbackPublic]

    @classmethod
    def of(cls, row: SupportProject) -> ProjectPublic:
        summary = ProjectSummary.of(row).model_dump()
        return cls(**summary, supplier_id=row.supplier_id, agreed_at=row.agreed_at, delivered_at=row.delivered_at,
                   inspector_expert_id=row.inspector_expert_id, inspection_passed=row.inspection_passed,
                   inspection_note=row.inspection_note, inspected_at=row.inspected_at,
                   completed_at=row.completed_at, achieved_kpis=row.achieved_kpis,
                   followed_up_at=row.followed_up_at, terminated_reason=row.terminated_reason,
                   government_paid_krw=paid_total(row, PayerKind.GOVERNMENT),
                   company_paid_krw=paid_total(row, PayerKind.COMPANY), clawed_back_krw=clawed_total(row),
                   milestones=[MilestonePublic.of(m) for m in row.milestones],
                   payments=[PaymentPublic.of(p) for p in row.payments],
                   clawbacks=[ClawbackPublic.of(c) for c in row.clawbacks])


class ProjectListPublic(BaseModel):
    items: list[ProjectSummary]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]

    @classmethod
    def of(cls, listed: ProjectList) -> ProjectListPublic:
        return cls(items=[ProjectSummary.of(p) for p in listed.items], total=listed.page.total,
                   page=listed.page.page, page_size=listed.page.page_size,
                   counts={status.value: count for status, count in listed.counts.items()})
