"""The JSON shapes of the reliability API: rounds, alpha with its interval, expert calibration, distributions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from midas.assessment.enums import RoundStatus
from midas.assessment.reliability import AlphaResult, Distribution, GroupSummary
from midas.assessment.reliability_service import AlphaVerdict, ExpertCalibrationRow, RoundOverview, RoundReliability


class RoundPublic(BaseModel):
    code: str
    name: str
    status: RoundStatus
    framework_code: str
    assessments: int
    finalized: int
    sheets: int
    has_data: bool
    closed_at: datetime | None

    @classmethod
    def of(cls, overview: RoundOverview) -> RoundPublic:
        return cls(code=overview.code, name=overview.name, status=overview.status,
                   framework_code=overview.framework_code, assessments=overview.assessments,
                   finalized=overview.finalized, sheets=overview.sheets, has_data=overview.has_data,
                   closed_at=overview.closed_at)


class AlphaPublic(BaseModel):
    """Krippendorff's alpha (ordinal) with its bootstrap interval; None with ``undefined`` when it has no value."""

    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    n_units: int
    n_unpaired_units: int
    n_pairable: int
    n_bootstrap: int
    method: str
    undefined: str | None

    @classmethod
    def of(cls, result: AlphaResult) -> AlphaPublic:
        return cls(alpha=result.alpha, ci_low=result.ci_low, ci_high=result.ci_high, confidence=result.confidence,
                   n_units=result.n_units, n_unpaired_units=result.n_unpaired_units, n_pairable=result.n_pairable,
                   n_bootstrap=result.n_bootstrap, method=result.method,
                   undefined=result.undefined.value if result.undefined else None)


class LevelCountPublic(BaseModel):
    level: int
    count: int


class GroupSummaryPublic(BaseModel):
    group: str
    count: int
    mean: float
    minimum: int
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: int
    histogram: list[LevelCountPublic]

    @classmethod
    def of(cls, summary: GroupSummary) -> GroupSummaryPublic:
        return cls(group=summary.group, count=summary.count, mean=summary.mean, minimum=summary.minimum,
                   lower_quartile=summary.lower_quartile, median=summary.median,
                   upper_quartile=summary.upper_quartile, maximum=summary.maximum,
                   histogram=[LevelCountPublic(level=b.level, count=b.count) for b in summary.histogram])


class RoundReliabilityPublic(BaseModel):
    round: RoundPublic
    alpha: AlphaPublic
    verdict: AlphaVerdict
    experts: int
    flagged_experts: int
    scale: list[int]
    levels: GroupSummaryPublic | None

    @classmethod
    def of(cls, result: RoundReliability) -> RoundReliabilityPublic:
        overall = result.levels.overall
        return cls(round=RoundPublic.of(result.overview), alpha=AlphaPublic.of(result.alpha), verdict=result.verdict,
                   experts=result.experts, flagged_experts=result.flagged_experts, scale=list(result.scale),
                   levels=GroupSummaryPublic.of(overall) if overall else None)


class ExpertCalibrationPublic(BaseModel):
    """One expert against co-raters: leniency in scale points (positive = lenient) with its interval, spread."""

    expert_id: int
    name: str
    region_code: str
    sheets: int
    n_ratings: int
    n_corated: int
    leniency: float | None
    leniency_ci_low: float | None
    leniency_ci_high: float | None
    spread: float | None
    correlation: float | None
    flags: list[str]

    @classmethod
    def of(cls, row: ExpertCalibrationRow) -> ExpertCalibrationPublic:
        c = row.calibration
        return cls(expert_id=row.expert_id, name=row.name, region_code=row.region_code, sheets=row.sheets,
                   n_ratings=c.n_ratings, n_corated=c.n_corated, leniency=c.leniency,
                   leniency_ci_low=c.leniency_ci_low, leniency_ci_high=c.leniency_ci_high, spread=c.spread,
                   correlation=c.correlation, flags=[flag.value for flag in c.flags])


class DistributionPublic(BaseModel):
    grouping: str
    groups: list[GroupSummaryPublic]
    overall: GroupSummaryPublic | None

    @classmethod
    def of(cls, distribution: Distribution) -> DistributionPublic:
        return cls(grouping=distribution.grouping.value,
                   groups=[GroupSummaryPublic.of(group) for group in distribution.groups],
                   overall=GroupSummaryPublic.of(distribution.overall) if distribution.overall else None)
