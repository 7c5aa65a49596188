"""The support tables: programs, rounds, tracks and their budgets, applications, sanctions, selection runs,
decisions, appeals and their re-reviews, projects with milestones, payments and clawbacks, and notifications.

Money is integer KRW (``BigInteger``). Rule sets, plans and run outcomes are JSON: they are read and written
whole, and the service validates them (the pure libraries in ``midas.support.eligibility`` and
``midas.support.selection`` parse them) before they are stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from midas.db import Base, UtcDateTime, enum_column, utc_now
from midas.registry import Factory, Organization
from midas.support.enums import (
    AppealStatus,
    ApplicationStatus,
    DecisionOutcome,
    MilestoneStatus,
    PayerKind,
    ProjectStatus,
    ReviewStatus,
    RoundStatus,
    SanctionKind,
    SelectionObjective,
    TrackKind,
)


class SupportProgram(Base):
    """A support program (the national smart-factory program, a region's own program), with the rules that say
    when a company it supported counts toward the national targets."""

    __tablename__ = "support_program"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # The regional government that runs the program (a two-digit region code); None for a national program.
    region_code: Mapped[str | None] = mapped_column(String(2))
    # [{"category": "advanced_digital", "tracks": ["advanced", "leading"], "min_level": 3}, ...]
    counting_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    rounds: Mapped[list[SupportRound]] = relationship(back_populates="program", order_by="SupportRound.year")


class SupportRound(Base):
    """One call of a program: a year, the dates of the call, its policy adjustments and the selection objective."""

    __tablename__ = "support_round"
    __table_args__ = (
        CheckConstraint("call_closes_at > call_opens_at", name="call_ordered"),
        CheckConstraint("appeal_days >= 1", name="appeal_window_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("support_program.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    call_opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    call_closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.DRAFT)
    objective: Mapped[SelectionObjective] = mapped_column(enum_column(SelectionObjective),
                                                          default=SelectionObjective.TOTAL_SCORE)
    # Points added to the assessment score: [{"kind": "first_time", "points": 3}, {"kind": "non_capital", ...}]
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    appeal_days: Mapped[int] = mapped_column(Integer, default=14)
    # The lottery seed, published (with its time) before any selection run may use it.
    lottery_seed: Mapped[str | None] = mapped_column(String(200))
    seed_published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    program: Mapped[SupportProgram] = relationship(back_populates="rounds")
    tracks: Mapped[list[SupportTrack]] = relationship(back_populates="round", order_by="SupportTrack.id",
                                                      cascade="all, delete-orphan")


class SupportTrack(Base):
    """A track of a round: who may apply (eligibility rules), how much the government pays, the budget."""

    __tablename__ = "support_track"
    __table_args__ = (
        UniqueConstraint("round_id", "kind"),
        CheckConstraint("government_share_percent BETWEEN 0 AND 100", name="government_share_range"),
        CheckConstraint("matching_share_percent BETWEEN 0 AND 100", name="matching_share_range"),
        CheckConstraint("cap_krw > 0", name="cap_positive"),
        CheckConstraint("budget_krw >= 0", name="budget_not_negative"),
        CheckConstraint("level_min <= level_max", name="level_range_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("support_round.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TrackKind] = mapped_column(enum_column(TrackKind))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # The assessment framework (a code such as "kssf", any published version) and the levels the track serves.
    framework_code: Mapped[str] = mapped_column(String(64))
    level_min: Mapped[int] = mapped_column(Integer)
    level_max: Mapped[int] = mapped_column(Integer)
    government_share_percent: Mapped[int] = mapped_column(Integer)
    cap_krw: Mapped[int] = mapped_column(BigInteger)  # the most the government pays one company
    matching_share_percent: Mapped[int] = mapped_column(Integer)  # the least the company pays itself
    budget_krw: Mapped[int] = mapped_column(BigInteger)
    eligibility_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"regions": ["26", ...], "min_share_percent": 50, "measure": "amount"}]
    quotas: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    allows_multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_co_funder: Mapped[bool] = mapped_column(Boolean, default=False)  # win-win: a large enterprise

    round: Mapped[SupportRound] = relationship(back_populates="tracks")
    region_budgets: Mapped[list[TrackRegionBudget]] = relationship(
        back_populates="track", order_by="TrackRegionBudget.region_code", cascade="all, delete-orphan"
    )


class TrackRegionBudget(Base):
    __tablename__ = "support_track_region_budget"
    __table_args__ = (
        UniqueConstraint("track_id", "region_code"),
        CheckConstraint("budget_krw >= 0", name="budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("support_track.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(String(2))
    budget_krw: Mapped[int] = mapped_column(BigInteger)

    track: Mapped[SupportTrack] = relationship(back_populates="region_budgets")


class SupportApplication(Base):
    """A company's application to a track, with its plan, and where it stands.

    The plan is JSON: ``goals`` (text), ``target_kpis`` ({productivity|quality|cost|delivery: {baseline, target,
    unit}}), ``suppliers`` ([{organization_id, name, solution}]), ``budget_lines`` ([{item, amount_krw}]),
    ``schedule`` ([{title, due_on}]). The eligibility verdict of the last evaluation is kept with it.
    """

    __tablename__ = "support_application"
    __table_args__ = (
        CheckConstraint("government_krw >= 0", name="government_not_negative"),
        CheckConstraint("company_krw >= 0", name="company_not_negative"),
        Index("ix_support_application_round_organization", "round_id", "organization_id"),
        Index("ix_support_application_track_status", "track_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("support_round.id", ondelete="RESTRICT"))
    track_id: Mapped[int] = mapped_column(ForeignKey("support_track.id", ondelete="RESTRICT"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factory.id", ondelete="SET NULL"))
    # The finished assessment the application stands on (None until one is linked).
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"))
    co_funder_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus),
                                                      default=ApplicationStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    # What is funded, in the pool's technology vocabulary ("mes", "automation", ...): the double-funding key.
    scope: Mapped[str] = mapped_column(String(32))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_cost_krw: Mapped[int] = mapped_column(BigInteger, default=0)
    government_krw: Mapped[int] = mapped_column(BigInteger, default=0)  # requested from the government
    company_krw: Mapped[int] = mapped_column(BigInteger, default=0)  # the company's matching funds
    co_funder_krw: Mapped[int] = mapped_column(BigInteger, default=0)  # the large enterprise's share (win-win)
    eligibility_passed: Mapped[bool | None] = mapped_column(Boolean)
    eligibility_checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    eligibility_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    round: Mapped[SupportRound] = relationship()
    track: Mapped[SupportTrack] = relationship()
    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    factory: Mapped[Factory | None] = relationship()
    attachments: Mapped[list[ApplicationAttachment]] = relationship(
        back_populates="application", order_by="ApplicationAttachment.id", cascade="all, delete-orphan"
    )


class ApplicationAttachment(Base):
    __tablename__ = "support_application_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("support_application.id", ondelete="CASCADE"),
                                                index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    application: Mapped[SupportApplication] = relationship(back_populates="attachments")


class SanctionRecord(Base):
    """A sanction on an organization. Operators edit this table until the reporting center fills it from cases;
    ``source`` says which (``operator`` or ``compliance``) and ``case_reference`` names the case."""

    __tablename__ = "support_sanction"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(enum_column(SanctionKind))
    reason: Mapped[str] = mapped_column(String(1000))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(32), default="operator")
    case_reference: Mapped[str | None] = mapped_column(String(64))
    clawback_krw: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lift_reason: Mapped[str | None] = mapped_column(String(1000))

    organization: Mapped[Organization] = relationship()


class SelectionRun(Base):
    """One run of the optimal selection of a round: its inputs, seed, solver status, objective and outcome."""

    __tablename__ = "support_selection_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("support_round.id", ondelete="CASCADE"), index=True)
    seed: Mapped[str] = mapped_column(String(200))
    inputs_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical JSON of the inputs
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)  # budgets, quotas, adjustments, objective (not the rows)
    solver_status: Mapped[str] = mapped_column(String(64))
    objective: Mapped[int] = mapped_column(BigInteger)
    upper_bound: Mapped[float] = mapped_column(Float)
    greedy_objective: Mapped[int] = mapped_column(BigInteger)
    gain_percent: Mapped[float] = mapped_column(Float)
    candidates: Mapped[int] = mapped_column(Integer)
    funded_count: Mapped[int] = mapped_column(Integer)
    budget_use: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    marginal: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class SelectionEntry(Base):
    """One eligible application in a selection run: its scores, its lottery ticket, funded or not, and why."""

    __tablename__ = "support_selection_entry"
    __table_args__ = (UniqueConstraint("run_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("support_selection_run.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("support_application.id", ondelete="CASCADE"),
                                                index=True)
    rank: Mapped[int] = mapped_column(Integer)  # within the track, by adjusted score then ticket
    assessment_score: Mapped[int] = mapped_column(Integer)  # points x 10 from the final assessment score
    adjusted_score: Mapped[int] = mapped_column(Integer)  # with the round's policy adjustments
    ticket: Mapped[str] = mapped_column(String(64))
    funded: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"message": English id, "params": {...}}


class SupportDecision(Base):
    """A decision on an application, with its reasons; an appeal's outcome is a new decision that supersedes."""

    __tablename__ = "support_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("support_application.id", ondelete="CASCADE"),
                                                index=True)
    selection_run_id: Mapped[int | None] = mapped_column(ForeignKey("support_selection_run.id",
                                                                    ondelete="SET NULL"))
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_column(DecisionOutcome))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"message": English id, "params": {...}}]
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)  # after an appeal, or the window closed
    appeal_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("support_decision.id", ondelete="SET NULL"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    decided_by_label: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    application: Mapped[SupportApplication] = relationship()


class SupportAppeal(Base):
    __tablename__ = "support_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("support_decision.id", ondelete="CASCADE"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("support_application.id", ondelete="CASCADE"),
                                                index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(enum_column(AppealStatus), default=AppealStatus.OPEN)
    filed_by_label: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    decision: Mapped[SupportDecision] = relationship()
    reviews: Mapped[list[AppealReview]] = relationship(back_populates="appeal", order_by="AppealReview.id",
                                                       cascade="all, delete-orphan")


class AppealReview(Base):
    """A re-review of an appealed application by an expert who did not assess it."""

    __tablename__ = "support_appeal_review"
    __table_args__ = (
        UniqueConstraint("appeal_id", "expert_id"),
        CheckConstraint("score IS NULL OR score >= 0", name="score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("support_appeal.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus), default=ReviewStatus.ASSIGNED)
    score: Mapped[int | None] = mapped_column(Integer)  # the re-assessed overall score x 10 (as in selection)
    supports_appeal: Mapped[bool | None] = mapped_column(Boolean)
    opinion: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    appeal: Mapped[SupportAppeal] = relationship(back_populates="reviews")


class SupportProject(Base):
    """The project of a funded application: the agreement, delivery, completion inspection and outcomes."""

    __tablename__ = "support_project"
    __table_args__ = (
        CheckConstraint("government_krw >= 0", name="government_not_negative"),
        CheckConstraint("company_krw >= 0", name="company_not_negative"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        Index("ix_support_project_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("support_application.id", ondelete="RESTRICT"),
                                                unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus), default=ProjectStatus.AGREED)
    government_krw: Mapped[int] = mapped_column(BigInteger)  # agreed government share
    company_krw: Mapped[int] = mapped_column(BigInteger)  # agreed company share (with a co-funder's)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    agreed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    inspector_expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id", ondelete="SET NULL"))
    inspection_passed: Mapped[bool | None] = mapped_column(Boolean)
    inspection_note: Mapped[str | None] = mapped_column(Text)
    inspected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Outcome follow-up: {productivity|quality|cost|delivery: {baseline, target, achieved, unit}}
    achieved_kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    followed_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    terminated_reason: Mapped[str | None] = mapped_column(String(1000))

    application: Mapped[SupportApplication] = relationship()
    milestones: Mapped[list[ProjectMilestone]] = relationship(
        back_populates="project", order_by="ProjectMilestone.due_on", cascade="all, delete-orphan"
    )
    payments: Mapped[list[ProjectPayment]] = relationship(
        back_populates="project", order_by="ProjectPayment.id", cascade="all, delete-orphan"
    )
    clawbacks: Mapped[list[ProjectClawback]] = relationship(
        back_populates="project", order_by="ProjectClawback.id", cascade="all, delete-orphan"
    )


class ProjectMilestone(Base):
    __tablename__ = "support_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("support_project.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MilestoneStatus] = mapped_column(enum_column(MilestoneStatus), default=MilestoneStatus.PLANNED)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[SupportProject] = relationship(back_populates="milestones")


class ProjectPayment(Base):
    __tablename__ = "support_payment"
    __table_args__ = (CheckConstraint("amount_krw > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("support_project.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("support_milestone.id", ondelete="SET NULL"))
    payer: Mapped[PayerKind] = mapped_column(enum_column(PayerKind))
    amount_krw: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_label: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    project: Mapped[SupportProject] = relationship(back_populates="payments")


class ProjectClawback(Base):
    """Paid government support demanded back, because a sanction requires it."""

    __tablename__ = "support_clawback"
    __table_args__ = (CheckConstraint("amount_krw > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("support_project.id", ondelete="CASCADE"), index=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("support_sanction.id", ondelete="RESTRICT"))
    amount_krw: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(1000))
    demanded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    recovered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_by_label: Mapped[str] = mapped_column(String(200))

    project: Mapped[SupportProject] = relationship(back_populates="clawbacks")


class SupportNotification(Base):
    """A message in the platform to an organization's members (a decision, an appeal outcome, a payment)."""

    __tablename__ = "support_notification"
    __table_args__ = (Index("ix_support_notification_organization", "organization_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(500))  # an English message id
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
