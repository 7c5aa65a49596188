"""The API shapes of scoring: sheets, evidence, the reconciliation thread, self-assessment and the report.

Scores come in loose (any JSON value per item): the service checks them against the framework, so the API and
the pages report the same problems, each located at ``scores.<item id>``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midas.assessment.enums import AssessmentStatus, EvidenceKind, ResponseKind, ResponseStatus
from midas.assessment.frameworks import LocalizedText
from midas.assessment.models import Evidence, ReconciliationMessage, ReportResponse
from midas.assessment.report_service import Report
from midas.assessment.scoring_service import AssessmentView, ExpertSummary, OtherSheet, SelfView, SheetView


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SheetInput(_Input):
    scores: dict[str, Any] = Field(default_factory=dict, description="{item id: whole score on the scale}")
    justifications: dict[str, Any] = Field(default_factory=dict,
                                           description="{item id: text}; required on submit for extreme scores")


class SubmitInput(_Input):
    scores: dict[str, Any] | None = Field(None, description="When given, saved before submitting")
    justifications: dict[str, Any] | None = None


class SelfInput(_Input):
    scores: dict[str, Any] = Field(default_factory=dict)


class SelfSubmitInput(_Input):
    scores: dict[str, Any] | None = None


class MessageInput(_Input):
    body: str


class FinalizeInput(_Input):
    reason: str = Field("", description="Needed only while the experts still disagree and no third expert scored")


class ResponseInput(_Input):
    kind: ResponseKind
    body: str


class AnswerInput(_Input):
    answer: str


class Text(BaseModel):
    ko: str
    en: str

    @classmethod
    def of(cls, text: LocalizedText) -> Text:
        return cls(ko=text.ko, en=text.en)


class OtherSheetPublic(BaseModel):
    label: str
    scores: dict[str, int]
    justifications: dict[str, str]
    overall: Decimal | None
    level: int | None

    @classmethod
    def of(cls, sheet: OtherSheet) -> OtherSheetPublic:
        return cls(label=sheet.label, scores=dict(sheet.scores), justifications=dict(sheet.justifications),
                   overall=sheet.overall, level=sheet.level)


class SheetPublic(BaseModel):
    assessment_id: int
    scores: dict[str, int]
    justifications: dict[str, str]
    submitted_at: datetime | None
    revised_at: datetime | None
    overall: Decimal | None
    level: int | None
    can_edit: bool
    deadline: datetime
    others: list[OtherSheetPublic] | None = Field(description="Other experts' sheets; null while scoring is blind")

    @classmethod
    def of(cls, view: SheetView) -> SheetPublic:
        return cls(assessment_id=view.assessment.id, scores=dict(view.scores),
                   justifications=dict(view.justifications), submitted_at=view.submitted_at,
                   revised_at=view.revised_at, overall=view.overall, level=view.level, can_edit=view.can_edit,
                   deadline=view.deadline,
                   others=None if view.others is None else [OtherSheetPublic.of(o) for o in view.others])


class ExpertSummaryPublic(BaseModel):
    label: str
    is_additional: bool
    submitted_at: datetime | None
    revised_at: datetime | None
    overall: Decimal | None
    level: int | None
    scores: dict[str, int] | None

    @classmethod
    def of(cls, summary: ExpertSummary) -> ExpertSummaryPublic:
        return cls(label=summary.label, is_additional=summary.is_additional, submitted_at=summary.submitted_at,
                   revised_at=summary.revised_at, overall=summary.overall, level=summary.level,
                   scores=None if summary.scores is None else dict(summary.scores))


class AssessmentPublic(BaseModel):
    id: int
    role: str
    status: AssessmentStatus
    organization_id: int
    round_code: str
    framework: str
    deadline: datetime
    final_score: Decimal | None
    final_level: int | None
    recommended_track: str | None
    experts: list[ExpertSummaryPublic]
    disagreements: list[dict[str, Any]]

    @classmethod
    def of(cls, view: AssessmentView) -> AssessmentPublic:
        assessment = view.assessment
        reported = assessment.status in (AssessmentStatus.FINAL, AssessmentStatus.APPEALED)
        return cls(
            id=assessment.id, role=view.role, status=assessment.status, organization_id=assessment.organization_id,
            round_code=assessment.round.code, framework=f"{view.framework.id} {view.framework.version}",
            deadline=assessment.round.deadline,
            final_score=assessment.final_score if reported or view.role == "operator" else None,
            final_level=assessment.final_level if reported or view.role == "operator" else None,
            recommended_track=assessment.recommended_track if reported or view.role == "operator" else None,
            experts=[ExpertSummaryPublic.of(e) for e in view.experts],
            disagreements=[{"kind": r.kind.value, "item_id": r.item_id, "spread": r.spread, "tolerated": r.tolerated}
                           for r in view.disagreements],
        )


class EvidencePublic(BaseModel):
    id: int
    kind: EvidenceKind
    title: str
    note: str
    item_id: str | None
    filename: str | None
    content_type: str | None
    size_bytes: int
    created_by_label: str
    created_at: datetime

    @classmethod
    def of(cls, evidence: Evidence) -> EvidencePublic:
        return cls(id=evidence.id, kind=evidence.kind, title=evidence.title, note=evidence.note,
                   item_id=evidence.item_id, filename=evidence.filename, content_type=evidence.content_type,
                   size_bytes=evidence.size_bytes, created_by_label=evidence.created_by_label,
                   created_at=evidence.created_at)


class MessagePublic(BaseModel):
    id: int
    author_label: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, message: ReconciliationMessage) -> MessagePublic:
        return cls(id=message.id, author_label=message.author_label, body=message.body,
                   created_at=message.created_at)


class ThirdExpertPublic(BaseModel):
    assignment_id: int
    expert_id: int


class SelfPublic(BaseModel):
    assessment_id: int
    scores: dict[str, int]
    submitted_at: datetime | None
    overall: Decimal | None
    level: int | None
    can_edit: bool

    @classmethod
    def of(cls, view: SelfView) -> SelfPublic:
        return cls(assessment_id=view.assessment.id, scores=dict(view.scores), submitted_at=view.submitted_at,
                   overall=view.overall, level=view.level, can_edit=view.can_edit)


class ResponsePublic(BaseModel):
    id: int
    kind: ResponseKind
    body: str
    status: ResponseStatus
    author_label: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, response: ReportResponse) -> ResponsePublic:
        return cls(id=response.id, kind=response.kind, body=response.body, status=response.status,
                   author_label=response.author_label, answer=response.answer, created_at=response.created_at,
                   answered_at=response.answered_at)


class AreaLinePublic(BaseModel):
    area_id: str
    name: Text
    score: Decimal
    maximum: Decimal
    percent: Decimal
    self_score: Decimal | None
    difference: Decimal | None


class ReportPublic(BaseModel):
    """The report in both languages; expert identities are never part of it."""

    assessment_id: int
    status: AssessmentStatus
    framework: Text
    level: int
    level_name: Text
    level_description: Text
    score: Decimal
    maximum: Decimal
    areas: list[AreaLinePublic]
    strengths: list[str]
    gaps: list[dict[str, Any]]
    self_gap: dict[str, Any] | None
    recommended_track: str
    responses: list[ResponsePublic]

    @classmethod
    def of(cls, report: Report) -> ReportPublic:
        return cls(
            assessment_id=report.assessment.id, status=report.assessment.status,
            framework=Text.of(report.framework.name), level=report.level.level,
            level_name=Text.of(report.level.name), level_description=Text.of(report.level.description),
            score=report.score, maximum=report.maximum,
            areas=[AreaLinePublic(area_id=line.area.id, name=Text.of(line.area.name), score=line.score,
                                  maximum=line.maximum, percent=line.percent, self_score=line.self_score,
                                  difference=line.difference) for line in report.areas],
            strengths=[line.area.id for line in report.strengths],
            gaps=[{"area_id": weak.line.area.id, "items": [{"item_id": i.item.id, "score": i.score}
                                                            for i in weak.items]} for weak in report.gaps],
            self_gap=None if report.self_gap is None else {
                "self_overall": str(report.self_gap.self_overall),
                "expert_overall": str(report.self_gap.expert_overall),
                "difference": str(report.self_gap.difference), "self_level": report.self_gap.self_level,
                "items": [{"item_id": item.id, "self": g.self_score, "expert": g.expert_score,
                           "difference": g.difference} for item, g in report.self_gap.items],
            },
            recommended_track=report.track, responses=[ResponsePublic.of(r) for r in report.responses],
        )
