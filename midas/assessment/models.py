"""The assessment tables: framework versions, the expert pool and its ties, conflicts, rounds, assessments,
assignments, score sheets, evidence, the reconciliation thread, self-assessments and the company's responses.

A score sheet holds one expert's item scores as a JSON object ``{item id: score}``: a sheet is always read and
written whole, a framework has up to a few hundred items, and the framework (not the database) knows the scale,
so the service validates every sheet against the pinned framework version before it is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from midas.assessment.enums import (
    AffiliationKind,
    AssessmentStatus,
    AssignmentStatus,
    ConflictKind,
    ConflictSource,
    EvidenceKind,
    FrameworkStatus,
    RelationKind,
    ResponseKind,
    ResponseStatus,
    RoundStatus,
)
from midas.db import Base, UtcDateTime, enum_column, utc_now
from midas.registry import Organization

Score = Numeric(10, 2)


class FrameworkVersion(Base):
    """One version of a capability framework, stored as the source text it was validated from."""

    __tablename__ = "assessment_framework"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    source_format: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[FrameworkStatus] = mapped_column(enum_column(FrameworkStatus), default=FrameworkStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Expert(Base):
    """An independent expert in the pool, optionally signed in as a user with the expert role."""

    __tablename__ = "expert"
    __table_args__ = (
        CheckConstraint("years_of_experience >= 0", name="experience_not_negative"),
        CheckConstraint("max_load >= 0", name="max_load_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    # The current employer: a registered organization where there is one, and its name as the expert gave it.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    employer_name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(2))
    # KSIC divisions and technology areas as comma-separated codes: few, short, always read together.
    ksic_divisions: Mapped[str] = mapped_column(String(200), default="")
    technologies: Mapped[str] = mapped_column(String(300), default="")
    qualifications: Mapped[str] = mapped_column(Text, default="")
    years_of_experience: Mapped[int] = mapped_column(Integer, default=0)
    max_load: Mapped[int] = mapped_column(Integer, default=10)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    employer: Mapped[Organization | None] = relationship()
    affiliations: Mapped[list[ExpertAffiliation]] = relationship(
        back_populates="expert", order_by="ExpertAffiliation.started_on", cascade="all, delete-orphan"
    )


class ExpertAffiliation(Base):
    """Where an expert worked, directed, owned or consulted, and when (no end date: still so)."""

    __tablename__ = "expert_affiliation"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    organization_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AffiliationKind] = mapped_column(enum_column(AffiliationKind))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    expert: Mapped[Expert] = relationship(back_populates="affiliations")


class OrganizationRelation(Base):
    """A business tie between two organizations that makes their people conflicted (supplier, competitor...)."""

    __tablename__ = "organization_relation"
    __table_args__ = (
        UniqueConstraint("organization_id", "related_organization_id", "kind"),
        CheckConstraint("organization_id <> related_organization_id", name="two_organizations"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    related_organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"),
                                                         index=True)
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind))
    # Where the tie is known from: "quote" (a supplier's quote on the portal), "registry", "declared"...
    source: Mapped[str] = mapped_column(String(32), default="registry")
    note: Mapped[str] = mapped_column(String(500), default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ConflictOfInterest(Base):
    """An expert who may not assess an organization: detected, declared by the expert, or added by an operator.

    A lifted conflict stays, with who lifted it and why; detection never brings back what an operator lifted.
    """

    __tablename__ = "conflict_of_interest"
    __table_args__ = (
        UniqueConstraint("expert_id", "organization_id", "kind"),
        Index("ix_conflict_of_interest_active", "organization_id", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    kind: Mapped[ConflictKind] = mapped_column(enum_column(ConflictKind))
    source: Mapped[ConflictSource] = mapped_column(enum_column(ConflictSource))
    reason: Mapped[str] = mapped_column(String(1000))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    lifted_by_label: Mapped[str | None] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lift_reason: Mapped[str | None] = mapped_column(String(1000))

    expert: Mapped[Expert] = relationship()
    organization: Mapped[Organization] = relationship()


class AssessmentRound(Base):
    """A call in which companies are assessed against one pinned framework version by k experts each."""

    __tablename__ = "assessment_round"
    __table_args__ = (
        CheckConstraint("experts_per_assessment BETWEEN 1 AND 5", name="experts_per_assessment_range"),
        CheckConstraint("item_tolerance >= 0 AND level_tolerance >= 0", name="tolerances_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    framework_id: Mapped[int] = mapped_column(ForeignKey("assessment_framework.id", ondelete="RESTRICT"),
                                              index=True)
    # The hash of the framework content at pinning: a round refuses a framework whose content changed.
    framework_hash: Mapped[str] = mapped_column(String(64))
    track: Mapped[str] = mapped_column(String(16), default="advance")
    experts_per_assessment: Mapped[int] = mapped_column(Integer, default=2)
    limit_own_region: Mapped[bool] = mapped_column(Boolean, default=False)
    item_tolerance: Mapped[int] = mapped_column(Integer, default=2)
    level_tolerance: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.DRAFT)
    # The last assignment run: objective, greedy baseline, gap, optimality certificate, timings.
    assignment_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    framework: Mapped[FrameworkVersion] = relationship()


class Assessment(Base):
    """One company assessed in one round; its final score and level are computed, never typed."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("round_id", "organization_id"),
        Index("ix_assessment_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id", ondelete="RESTRICT"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factory.id", ondelete="SET NULL"))
    # The technology areas the company wants judged, comma-separated (the same vocabulary as experts').
    needs: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[AssessmentStatus] = mapped_column(enum_column(AssessmentStatus), default=AssessmentStatus.WAITING)
    final_score: Mapped[Decimal | None] = mapped_column(Score)
    final_level: Mapped[int | None] = mapped_column(Integer)
    # {area id: score} of the final result, for the report's profile and the distributions.
    final_areas: Mapped[dict[str, str] | None] = mapped_column(JSON)
    recommended_track: Mapped[str | None] = mapped_column(String(16))
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    round: Mapped[AssessmentRound] = relationship()
    organization: Mapped[Organization] = relationship()
    assignments: Mapped[list[ExpertAssignment]] = relationship(
        back_populates="assessment", order_by="ExpertAssignment.id"
    )


class ExpertAssignment(Base):
    """An expert on an assessment, with the affinity that chose the pair and its terms (the "why")."""

    __tablename__ = "expert_assignment"
    __table_args__ = (
        UniqueConstraint("assessment_id", "expert_id"),
        Index("ix_expert_assignment_expert_status", "expert_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="RESTRICT"))
    status: Mapped[AssignmentStatus] = mapped_column(enum_column(AssignmentStatus),
                                                     default=AssignmentStatus.PROPOSED)
    affinity: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A third expert called in by reconciliation, beyond the round's k.
    is_additional: Mapped[bool] = mapped_column(Boolean, default=False)
    decline_reason: Mapped[str | None] = mapped_column(String(1000))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    assessment: Mapped[Assessment] = relationship(back_populates="assignments")
    expert: Mapped[Expert] = relationship()
    sheet: Mapped[ScoreSheet | None] = relationship(back_populates="assignment", uselist=False)


class ScoreSheet(Base):
    """One expert's scores for one assessment: {item id: score} and {item id: justification}."""

    __tablename__ = "score_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("expert_assignment.id", ondelete="CASCADE"), unique=True)
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    justifications: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    overall: Mapped[Decimal | None] = mapped_column(Score)
    level: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    assignment: Mapped[ExpertAssignment] = relationship(back_populates="sheet")


class Evidence(Base):
    """What an expert saw: a note, a photo or file from the site visit, or the company's K-MDS KPIs."""

    __tablename__ = "assessment_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("expert_assignment.id", ondelete="SET NULL"))
    item_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ReconciliationMessage(Base):
    """A message in an assessment's reconciliation thread, between its experts and the operators."""

    __tablename__ = "reconciliation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class SelfAssessment(Base):
    """A company's own scores on the round's framework, given before the experts come (optional)."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), unique=True)
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    overall: Mapped[Decimal | None] = mapped_column(Score)
    level: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class ReportResponse(Base):
    """A company's comment on or appeal against its report, and the operator's answer."""

    __tablename__ = "assessment_report_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResponseKind] = mapped_column(enum_column(ResponseKind))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus), default=ResponseStatus.OPEN)
    author_label: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
