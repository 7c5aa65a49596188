"""The API shapes of support programs, rounds, tracks and sanctions.

Input fields are loose on purpose (text or numbers): the services parse them, so the API and the pages report the
same problems, per field, in the caller's language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midas.support.enums import (
    ApplicationStatus,
    RoundStatus,
    SanctionKind,
    SelectionObjective,
    TrackKind,
)
from midas.support.models import SanctionRecord, SupportProgram, SupportRound, SupportTrack
from midas.support.programs_service import RoundOverview, RoundSummary

Text = str | None
Number = str | int | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgramCreate(_Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "SF2027", "name": "스마트공장 보급확산", "name_en": "Smart factory program",
        "counting_rules": [{"category": "advanced_digital", "tracks": ["advanced", "leading"], "min_level": 3,
                            "requires": "completed_project"}],
    }]})

    code: Text = Field(None, description="Up to 32 letters, digits, - or _ (required)")
    name: Text = Field(None, description="Korean name (required)")
    name_en: Text = Field(None, description="English name (required)")
    region_code: Text = Field(None, description="The region running the program; empty for a national program")
    counting_rules: list[Any] | str | None = Field(
        None, description="[{category: advanced_digital|transformed, tracks: [kinds], min_level: >= 1, "
                          "requires: completed_project}]")


class ProgramPublic(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    region_code: str | None
    counting_rules: list[dict[str, Any]]
    created_at: datetime

    @classmethod
    def of(cls, row: SupportProgram) -> ProgramPublic:
        return cls(id=row.id, code=row.code, name=row.name, name_en=row.name_en, region_code=row.region_code,
                   counting_rules=list(row.counting_rules), created_at=row.created_at)


class RoundCreate(_Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "program_id": 1, "code": "2027-1", "year": 2027, "name": "2027년 1차 공모", "name_en": "2027 first call",
        "call_opens_at": "2027-02-01", "call_closes_at": "2027-03-15", "midas2027": True,
    }]})

    program_id: Number = Field(None, description="(required)")
    code: Text = Field(None, description="Up to 32 letters, digits, - or _ (required)")
    year: Number = Field(None, description="(required)")
    name: Text = Field(None, description="Korean name (required)")
    name_en: Text = Field(None, description="English name (required)")
    call_opens_at: Text = Field(None, description="YYYY-MM-DD (the start of that day in Korea) or ISO date-time")
    call_closes_at: Text = Field(None, description="YYYY-MM-DD (the end of that day in Korea) or ISO date-time")
    objective: Text = Field(None, description="total_score (default) or score_weighted_value")
    adjustments: list[Any] | str | None = Field(
        None, description="Points added to the assessment score: [{kind: first_time|non_capital, points: 0-100}]")
    appeal_days: Number = Field(None, description="Days to appeal a decision (default 14)")
    midas2027: bool = Field(False, description="Add the five MIDAS 2027 tracks (objective, adjustments and appeal "
                                               "window default to the MIDAS 2027 configuration's)")


class RegionBudgetPublic(BaseModel):
    region_code: str
    budget_krw: int


class TrackPublic(BaseModel):
    id: int
    kind: TrackKind
    name: str
    name_en: str
    framework_code: str
    level_min: int
    level_max: int
    government_share_percent: int
    matching_share_percent: int
    cap_krw: int
    budget_krw: int
    region_budgets: list[RegionBudgetPublic]
    quotas: list[dict[str, Any]]
    eligibility_rules: list[dict[str, Any]]
    allows_multiple: bool
    requires_co_funder: bool

    @classmethod
    def of(cls, row: SupportTrack) -> TrackPublic:
        return cls(id=row.id, kind=row.kind, name=row.name, name_en=row.name_en, framework_code=row.framework_code,
                   level_min=row.level_min, level_max=row.level_max,
                   government_share_percent=row.government_share_percent,
                   matching_share_percent=row.matching_share_percent, cap_krw=row.cap_krw, budget_krw=row.budget_krw,
                   region_budgets=[RegionBudgetPublic(region_code=b.region_code, budget_krw=b.budget_krw)
                                   for b in row.region_budgets],
                   quotas=list(row.quotas), eligibility_rules=list(row.eligibility_rules),
                   allows_multiple=row.allows_multiple, requires_co_funder=row.requires_co_funder)


class TrackUpdate(_Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "기초 (스마트공장 구축)", "name_en": "Basic: start a smart factory", "framework_code": "ksx9001-3",
        "level_min": 1, "level_max": 2, "government_share_percent": 50, "matching_share_percent": 50,
        "cap_krw": 100_000_000, "budget_krw": 3_000_000_000, "region_budgets": {"26": 500_000_000},
        "quotas": [{"regions": ["26", "27"], "min_share_percent": 50, "measure": "amount"}],
        "eligibility_rules": [{"rule": "level_in_range", "min": 1, "max": 2}, {"rule": "no_active_sanction"}],
    }]})

    name: Text = None
    name_en: Text = None
    framework_code: Text = Field(None, description="A framework with a published version (required)")
    level_min: Number = None
    level_max: Number = None
    government_share_percent: Number = None
    matching_share_percent: Number = Field(None, description="The least the company pays itself; with the "
                                                             "government share it adds up to 100, or less with a "
                                                             "co-funder")
    cap_krw: Number = Field(None, description="The most the government pays one company, KRW")
    budget_krw: Number = None
    region_budgets: dict[str, Any] | list[Any] | str | None = Field(None, description="{region code: KRW}")
    quotas: list[Any] | str | None = None
    eligibility_rules: list[Any] | str | None = None
    allows_multiple: bool = False
    requires_co_funder: bool = False
    reason: Text = Field(None, description="Why the track changes (kept in the audit trail)")


class RoundPublic(BaseModel):
    id: int
    program_id: int
    code: str
    year: int
    name: str
    name_en: str
    status: RoundStatus
    call_opens_at: datetime
    call_closes_at: datetime
    objective: SelectionObjective
    adjustments: list[dict[str, Any]]
    appeal_days: int
    lottery_seed: str | None
    seed_published_at: datetime | None
    created_at: datetime

    @classmethod
    def fields_of(cls, row: SupportRound) -> dict[str, Any]:
        return {"id": row.id, "program_id": row.program_id, "code": row.code, "year": row.year, "name": row.name,
                "name_en": row.name_en, "status": row.status, "call_opens_at": row.call_opens_at,
                "call_closes_at": row.call_closes_at, "objective": row.objective,
                "adjustments": list(row.adjustments), "appeal_days": row.appeal_days,
                "lottery_seed": row.lottery_seed, "seed_published_at": row.seed_published_at,
                "created_at": row.created_at}

    @classmethod
    def of(cls, row: SupportRound) -> RoundPublic:
        return cls(**cls.fields_of(row))


class RoundListed(RoundPublic):
    track_count: int
    budget_krw: int
    applications: int

    @classmethod
    def of_summary(cls, summary: RoundSummary) -> RoundListed:
        return cls(**cls.fields_of(summary.round), track_count=summary.track_count, budget_krw=summary.budget_krw,
                   applications=summary.applications)


class RoundDetail(RoundPublic):
    tracks: list[TrackPublic]
    budget_krw: int
    applications: dict[ApplicationStatus, int]
    applications_by_track: dict[TrackKind, dict[ApplicationStatus, int]]

    @classmethod
    def of_overview(cls, overview: RoundOverview) -> RoundDetail:
        return cls(**cls.fields_of(overview.round), tracks=[TrackPublic.of(t) for t in overview.tracks],
                   budget_krw=overview.budget_krw, applications=dict(overview.applications),
                   applications_by_track={t.kind: dict(overview.applications_by_track.get(t.id, {}))
                                          for t in overview.tracks})


class CloseBody(_Input):
    reason: Text = Field(None, description="Required to close before the call's closing time")


class SeedBody(_Input):
    seed: Text = Field(None, description="The lottery seed, published before the selection; it never changes")


class SanctionCreate(_Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "organization": "220-81-62517", "kind": "exclusion", "reason": "지원금 목적 외 사용",
        "starts_on": "2027-01-01", "ends_on": "2029-12-31",
    }]})

    organization: str | int | None = Field(None, description="Organization id or business registration number")
    kind: Text = Field(None, description="exclusion, clawback or warning")
    reason: Text = None
    starts_on: Text = Field(None, description="YYYY-MM-DD (default today)")
    ends_on: Text = Field(None, description="YYYY-MM-DD; empty: until lifted")
    clawback_krw: Number = Field(None, description="For a recovery order: the amount to recover, KRW")
    case_reference: Text = None


class LiftBody(_Input):
    reason: Text = None


class SanctionPublic(BaseModel):
    id: int
    organization_id: int
    organization_name: str
    kind: SanctionKind
    reason: str
    starts_on: date
    ends_on: date | None
    source: str
    case_reference: str | None
    clawback_krw: int
    created_by_label: str
    created_at: datetime
    lifted_at: datetime | None
    lift_reason: str | None

    @classmethod
    def of(cls, row: SanctionRecord) -> SanctionPublic:
        return cls(id=row.id, organization_id=row.organization_id, organization_name=row.organization.name,
                   kind=row.kind, reason=row.reason, starts_on=row.starts_on, ends_on=row.ends_on, source=row.source,
                   case_reference=row.case_reference, clawback_krw=row.clawback_krw,
                   created_by_label=row.created_by_label, created_at=row.created_at, lifted_at=row.lifted_at,
                   lift_reason=row.lift_reason)



class SanctionsPage(BaseModel):
    items: list[SanctionPublic]
    total: int
    page: int
    page_size: int
