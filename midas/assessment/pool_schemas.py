"""The API shapes of the expert pool and conflicts of interest.

Input fields are loose on purpose (text or numbers, none required here): the service's parsers check them, so
the API and the pages report the same problems, per field, in the caller's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midas.assessment.enums import AffiliationKind, ConflictKind, ConflictSource, RelationKind
from midas.assessment.models import ConflictOfInterest, Expert, ExpertAffiliation, OrganizationRelation
from midas.assessment.pool_service import ConflictDetection
from midas.paging import Page
from midas.registry import Organization, format_brn, regions

Text = str | None
# A code, a number or a date may come as JSON numbers or as text ("41", "경기도", "2024-03-01").
Code = str | int | None
Number = str | int | float | None
Codes = list[str | int] | str | None
Flag = bool | str | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """Only the fields the caller sent: a PATCH changes those and keeps the rest."""
        return self.model_dump(exclude_unset=True)


class ExpertCreate(_Input):
    """An expert profile as a client sends it; the service checks every field."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "김서연", "email": "seoyeon.kim@example.kr", "employer": "220-81-62517",
        "region_code": "41", "ksic_divisions": ["29", "30"], "technologies": ["mes", "quality"],
        "qualifications": "공장자동화 기술사", "years_of_experience": 15, "max_load": 8, "is_available": True,
    }]})

    name: Text = Field(None, description="(required)")
    email: Text = None
    employer: Code = Field(None, description="The employer on the platform: business registration number "
                                             "(123-45-67890) or organization id")
    employer_name: Text = Field(None, description="The employer's name as the expert gives it (default: the "
                                                  "registered name)")
    region_code: Code = Field(None, description="Region: administrative code (41) or name (required)")
    ksic_divisions: Codes = Field(None, description="KSIC manufacturing divisions 10-34, a list or comma-separated")
    technologies: Codes = Field(None, description="mes, automation, quality, ai_data, plm, scm, energy, robotics, "
                                                  "iot, safety: a list or comma-separated")
    qualifications: Text = None
    years_of_experience: Number = Field(None, description="0-60 (default 0)")
    max_load: Number = Field(None, description="Most assessments per round, 0-50 (default 10)")
    is_available: Flag = Field(None, description="Available for assignment (default true)")
    user_email: Text = Field(None, description="E-mail of the user account (expert role) that signs in as this "
                                               "expert")


class ExpertUpdate(ExpertCreate):
    """Any subset of an expert's fields; the whole profile is checked again."""


class AffiliationCreate(_Input):
    """Where an expert worked, directed, owned or consulted, and when."""

    organization: Code = Field(None, description="Business registration number or organization id (or give "
                                                 "organization_name for one not on the platform)")
    organization_name: Text = None
    kind: Text = Field(None, description="employee, executive, owner or consultant (required)")
    started_on: Code = Field(None, description="YYYY-MM-DD (required)")
    ended_on: Code = Field(None, description="YYYY-MM-DD; none while it lasts")


class EndDate(_Input):
    """The day something ended."""

    ended_on: Code = Field(None, description="YYYY-MM-DD (required)")


class RelationCreate(_Input):
    """A business tie between two organizations."""

    organization: Code = Field(None, description="Business registration number or id (required)")
    related_organization: Code = Field(None, description="Business registration number or id (required)")
    kind: Text = Field(None, description="supplier, competitor, shared_ownership or shared_management, read as "
                                         "'organization IS kind OF related organization' (required)")
    source: Text = Field(None, description="quote, registry, declared or operator (default operator)")
    note: Text = None
    started_on: Code = None
    ended_on: Code = None


class ConflictCreate(_Input):
    """A conflict an operator adds."""

    expert_id: Number = Field(None, description="(required)")
    organization: Code = Field(None, description="Business registration number or organization id (required)")
    reason: Text = Field(None, description="Why, at least 5 characters; kept in the audit log (required)")


class ConflictDeclaration(_Input):
    """A conflict an expert declares for themselves."""

    organization: Code = Field(None, description="Business registration number or organization id (required)")
    reason: Text = Field(None, description="Why, at least 5 characters (required)")


class LiftRequest(_Input):
    """Why a conflict is lifted."""

    reason: Text = Field(None, description="Why the conflict no longer stands, at least 5 characters (required)")


class OrganizationRef(BaseModel):
    """An organization named by id, business registration number and name."""

    id: int
    brn: str
    brn_formatted: str
    name: str

    @classmethod
    def of(cls, organization: Organization | None) -> OrganizationRef | None:
        """The API shape of a stored row."""
        if organization is None:
            return None
        return cls(id=organization.id, brn=organization.brn, brn_formatted=format_brn(organization.brn),
                   name=organization.name)


def _split(codes: str) -> list[str]:
    return [code for code in codes.split(",") if code]


class AffiliationPublic(BaseModel):
    """One affiliation of an expert."""

    id: int
    expert_id: int
    organization_id: int | None
    organization_name: str
    kind: AffiliationKind
    started_on: date
    ended_on: date | None

    @classmethod
    def of(cls, affiliation: ExpertAffiliation) -> AffiliationPublic:
        """The API shape of a stored row."""
        return cls(id=affiliation.id, expert_id=affiliation.expert_id, organization_id=affiliation.organization_id,
                   organization_name=affiliation.organization_name, kind=affiliation.kind,
                   started_on=affiliation.started_on, ended_on=affiliation.ended_on)


class ConflictPublic(BaseModel):
    """A conflict of interest, who decided it and, if lifted, who lifted it and why."""

    id: int
    expert_id: int
    expert_name: str
    organization: OrganizationRef | None
    kind: ConflictKind
    source: ConflictSource
    reason: str
    is_active: bool
    created_by: str
    created_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None

    @classmethod
    def of(cls, conflict: ConflictOfInterest) -> ConflictPublic:
        """The API shape of a stored row."""
        return cls(id=conflict.id, expert_id=conflict.expert_id, expert_name=conflict.expert.name,
                   organization=OrganizationRef.of(conflict.organization), kind=conflict.kind,
                   source=conflict.source, reason=conflict.reason, is_active=conflict.is_active,
                   created_by=conflict.created_by_label, created_at=conflict.created_at,
                   lifted_by=conflict.lifted_by_label, lifted_at=conflict.lifted_at,
                   lift_reason=conflict.lift_reason)

    @classmethod
    def all_of(cls, conflicts: Sequence[ConflictOfInterest]) -> list[ConflictPublic]:
        """The API shape of a stored row."""
        return [cls.of(conflict) for conflict in conflicts]


class ExpertPublic(BaseModel):
    """An expert of the pool."""

    id: int
    name: str
    email: str | None
    employer: OrganizationRef | None
    employer_name: str
    region_code: str
    region_name_ko: str | None
    region_name_en: str | None
    ksic_divisions: list[str]
    technologies: list[str]
    qualifications: str
    years_of_experience: int
    max_load: int
    is_available: bool
    user_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, expert: Expert) -> ExpertPublic:
        """The API shape of a stored row."""
        return cls(**_expert_values(expert))


def _expert_values(expert: Expert) -> dict[str, Any]:
    region = regions().get(expert.region_code)
    return {
        "id": expert.id, "name": expert.name, "email": expert.email, "employer": OrganizationRef.of(expert.employer),
        "employer_name": expert.employer_name, "region_code": expert.region_code,
        "region_name_ko": region.name_ko if region else None, "region_name_en": region.name_en if region else None,
        "ksic_divisions": _split(expert.ksic_divisions), "technologies": _split(expert.technologies),
        "qualifications": expert.qualifications, "years_of_experience": expert.years_of_experience,
        "max_load": expert.max_load, "is_available": expert.is_available, "user_id": expert.user_id,
        "created_at": expert.created_at, "updated_at": expert.updated_at,
    }


class ExpertDetail(ExpertPublic):
    """An expert with their affiliation history and every conflict recorded for them."""

    affiliations: list[AffiliationPublic]
    conflicts: list[ConflictPublic]

    @classmethod
    def of_profile(cls, expert: Expert, affiliations: Sequence[ExpertAffiliation],
                   conflicts: Sequence[ConflictOfInterest]) -> ExpertDetail:
        """The expert with their history and conflicts."""
        return cls(**_expert_values(expert), affiliations=[AffiliationPublic.of(a) for a in affiliations],
                   conflicts=ConflictPublic.all_of(conflicts))


class ExpertsPage(BaseModel):
    """A page of experts."""

    items: list[ExpertPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page[Expert]) -> ExpertsPage:
        """The API shape of a stored row."""
        return cls(items=[ExpertPublic.of(e) for e in page.items], total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)


class ConflictsPage(BaseModel):
    """A page of conflicts."""

    items: list[ConflictPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page[ConflictOfInterest]) -> ConflictsPage:
        """The API shape of a stored row."""
        return cls(items=ConflictPublic.all_of(page.items), total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)


class RelationPublic(BaseModel):
    """A business tie between two organizations."""

    id: int
    organization_id: int
    related_organization_id: int
    kind: RelationKind
    source: str
    note: str
    started_on: date | None
    ended_on: date | None

    @classmethod
    def of(cls, relation: OrganizationRelation) -> RelationPublic:
        """The API shape of a stored row."""
        return cls(id=relation.id, organization_id=relation.organization_id,
                   related_organization_id=relation.related_organization_id, kind=relation.kind,
                   source=relation.source, note=relation.note, started_on=relation.started_on,
                   ended_on=relation.ended_on)


class DetectionPublic(BaseModel):
    """What a detection run did."""

    added: int = Field(description="Conflicts recorded by this run")
    already_known: int = Field(description="Conflicts found that were recorded (and active) already")
    lifted_kept: int = Field(description="Conflicts found that an operator had lifted: they stay lifted")

    @classmethod
    def of(cls, detection: ConflictDetection) -> DetectionPublic:
        """The API shape of a stored row."""
        return cls(added=detection.added, already_known=detection.already_known,
                   lifted_kept=detection.lifted_kept)


class MyConflicts(BaseModel):
    """The signed-in expert and every conflict recorded for them."""

    expert_id: int
    expert_name: str
    conflicts: list[ConflictPublic]
