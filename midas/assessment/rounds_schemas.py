"""The API shapes of frameworks, rounds, enrolments, assignments and the experts' answers.

Input fields are loose on purpose (text or numbers): the services parse them, so the API and the pages report the
same problems, per field, in the caller's language.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from midas.assessment.enums import AssessmentStatus, AssignmentStatus, FrameworkStatus, RoundStatus
from midas.assessment.framework_service import FrameworkOverview
from midas.assessment.frameworks import FrameworkPreview
from midas.assessment.models import ExpertAssignment, FrameworkVersion
from midas.assessment.rounds_service import AssignmentAnswer, RoundOverview
from midas.paging import Page

Text = str | None
Number = str | int | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FrameworkImport(_Input):
    source: str = Field(description="The text of the framework file")
    file_format: Literal["yaml", "json"] = "yaml"


class FrameworkVersionPublic(BaseModel):
    id: int
    code: str
    version: str
    name: str
    name_en: str
    source_format: str
    content_hash: str
    status: FrameworkStatus
    created_at: datetime
    published_at: datetime | None

    @classmethod
    def of(cls, row: FrameworkVersion) -> FrameworkVersionPublic:
        return cls(id=row.id, code=row.code, version=row.version, name=row.name, name_en=row.name_en,
                   source_format=row.source_format, content_hash=row.content_hash, status=row.status,
                   created_at=row.created_at, published_at=row.published_at)


class TierCountPublic(BaseModel):
    tier: str
    name_ko: str
    name_en: str
    count: int


class LevelSamplePublic(BaseModel):
    score: int = Field(description="Every item scored this value")
    overall: Decimal
    maximum: Decimal
    level: int


class FrameworkDetail(FrameworkVersionPublic):
    item_count: int
    total: Decimal
    tiers: list[TierCountPublic]
    samples: list[LevelSamplePublic] = Field(description="The scoring of uniform scores at each scale value")

    @classmethod
    def of_overview(cls, overview: FrameworkOverview) -> FrameworkDetail:
        first = overview.samples[0].preview
        return cls(
            **FrameworkVersionPublic.of(overview.version).model_dump(), item_count=first.item_count,
            total=first.total,
            tiers=[TierCountPublic(tier=t.tier.key, name_ko=t.tier.name.ko, name_en=t.tier.name.en, count=t.count)
                   for t in first.tiers],
            samples=[LevelSamplePublic(score=s.score, overall=s.preview.result.overall,
                                       maximum=s.preview.result.maximum, level=s.preview.result.level)
                     for s in overview.samples],
        )


class SampleScores(_Input):
    scores: dict[str, Any] = Field(description="{item id: score}; may be partial (the rest count at the scale's "
                                               "bottom) or partly wrong (left out, listed in problems)")


class SamplePreviewPublic(BaseModel):
    overall: Decimal
    maximum: Decimal
    level: int
    areas: dict[str, Decimal]
    unscored: list[str]
    problems: list[str]

    @classmethod
    def of(cls, result: FrameworkPreview) -> SamplePreviewPublic:
        return cls(overall=result.result.overall, maximum=result.result.maximum, level=result.result.level,
                   areas={a.area_id: a.score for a in result.result.areas}, unscored=list(result.unscored),
                   problems=[f"{p.field}: {p.english()}" for p in result.problems])


class RoundCreate(_Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "2027-1", "name": "2027년 1차 역량 진단", "framework_id": 1, "track": "advance",
        "limit_own_region": True, "deadline": "2027-06-30",
    }]})

    code: Text = Field(None, description="Up to 32 letters, digits, - or _ (required)")
    name: Text = Field(None, description="(required)")
    framework_id: Number = Field(None, description="A published framework version (required)")
    track: Text = Field(None, description="start, advance (default) or leading")
    experts_per_assessment: Number = Field(None, description="1-5; by default 2 (start, advance) or 3 (leading)")
    limit_own_region: bool = Field(False, description="At most one expert from the company's own region")
    item_tolerance: Number = Field(None, description="Item disagreement tolerated (default 2)")
    level_tolerance: Number = Field(None, description="Level disagreement tolerated (default 0)")
    deadline: Text = Field(None, description="YYYY-MM-DD (end of that day in Korea) or an ISO date and time")


class RoundPublic(BaseModel):
    id: int
    code: str
    name: str
    framework_id: int
    framework_hash: str
    track: str
    experts_per_assessment: int
    limit_own_region: bool
    item_tolerance: int
    level_tolerance: int
    deadline: datetime
    status: RoundStatus
    assessments: dict[AssessmentStatus, int]
    assignments: dict[AssignmentStatus, int]
    open_places: int = Field(description="Expert places left empty after a decline nobody could take")
    assignment_summary: dict[str, Any] | None
    created_at: datetime
    assigned_at: datetime | None

    @classmethod
    def of(cls, overview: RoundOverview) -> RoundPublic:
        r = overview.round
        return cls(id=r.id, code=r.code, name=r.name, framework_id=r.framework_id, framework_hash=r.framework_hash,
                   track=r.track, experts_per_assessment=r.experts_per_assessment,
                   limit_own_region=r.limit_own_region, item_tolerance=r.item_tolerance,
                   level_tolerance=r.level_tolerance, deadline=r.deadline, status=r.status,
                   assessments=dict(overview.assessments), assignments=dict(overview.assignments),
                   open_places=overview.open_places, assignment_summary=r.assignment_summary,
                   created_at=r.created_at, assigned_at=r.assigned_at)


class EnrolmentEntry(_Input):
    organization: str | int = Field(description="Organization id or business registration number")
    needs: list[str] | str = Field(default_factory=list, description="Technology areas to judge: list or 'a, b'")


class EnrolmentCreate(_Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entries": [{"organization": "220-81-62517", "needs": ["mes", "quality"]}]}]})

    entries: list[EnrolmentEntry]


class AssessmentPublic(BaseModel):
    id: int
    organization_id: int
    needs: list[str]
    status: AssessmentStatus


class NamedPublic(BaseModel):
    id: int
    name: str


class AssignmentPublic(BaseModel):
    id: int
    assessment_id: int
    organization: NamedPublic
    organization_region: str
    expert: NamedPublic
    status: AssignmentStatus
    affinity: int
    breakdown: dict[str, Any] = Field(description="The terms of the affinity: why this expert")
    is_additional: bool
    decline_reason: str | None
    assigned_at: datetime
    responded_at: datetime | None
    round_code: str
    deadline: datetime

    @classmethod
    def of(cls, row: ExpertAssignment) -> AssignmentPublic:
        organization = row.assessment.organization
        return cls(id=row.id, assessment_id=row.assessment_id,
                   organization=NamedPublic(id=organization.id, name=organization.name),
                   organization_region=organization.region_code,
                   expert=NamedPublic(id=row.expert.id, name=row.expert.name), status=row.status,
                   affinity=row.affinity, breakdown=row.breakdown, is_additional=row.is_additional,
                   decline_reason=row.decline_reason, assigned_at=row.assigned_at, responded_at=row.responded_at,
                   round_code=row.assessment.round.code, deadline=row.assessment.round.deadline)


class AssignmentsPage(BaseModel):
    items: list[AssignmentPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page[ExpertAssignment]) -> AssignmentsPage:
        return cls(items=[AssignmentPublic.of(a) for a in page.items], total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)


class AssignmentRunPublic(BaseModel):
    round: str
    summary: dict[str, Any]


class AnswerBody(_Input):
    reason: Text = Field(None, description="Why (required to decline)")


class AnswerPublic(BaseModel):
    assignment: AssignmentPublic
    replacement: AssignmentPublic | None = Field(description="Who takes a declined place; null when nobody can")
    problems: list[str] = Field(description="Why nobody could take the place, in English")

    @classmethod
    def of(cls, answer: AssignmentAnswer) -> AnswerPublic:
        return cls(assignment=AssignmentPublic.of(answer.assignment),
                   replacement=AssignmentPublic.of(answer.replacement) if answer.replacement else None,
                   problems=[p.english() for p in answer.problems])
