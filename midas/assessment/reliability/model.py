"""The typed inputs and outputs of reliability, calibration and reconciliation triggers.

Every value is a frozen dataclass or a StrEnum so that results can be hashed, compared in tests and handed to
the service layer unchanged. Ids are strings, as in :mod:`midas.assessment.assignment`; scores and levels are
whole numbers on an ordinal scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from midas.errors import InvalidInput, Problem

# A standard deviation, and so a standard error, needs two deviations.
MIN_COUNT_FOR_SPREAD = 2


@dataclass(frozen=True, slots=True)
class Rating:
    """The score one expert gave one item of one assessment."""

    assessment_id: str
    item_id: str
    expert_id: str
    score: int

    @property
    def unit(self) -> tuple[str, str]:
        """What reliability calls a unit: one item of one assessment, rated by several experts."""
        return (self.assessment_id, self.item_id)


@dataclass(frozen=True, slots=True)
class ExpertLevel:
    """The level an assessment reaches by one expert's scores (computed by the scoring, not here)."""

    assessment_id: str
    expert_id: str
    level: int


class AlphaUndefined(StrEnum):
    """Why alpha has no value for a set of ratings."""

    NO_PAIRABLE_UNITS = "no-pairable-units"
    NO_VARIATION = "no-variation"


ALPHA_UNDEFINED_LABELS = {
    AlphaUndefined.NO_PAIRABLE_UNITS: "No item was rated by two or more experts",
    AlphaUndefined.NO_VARIATION: "Every paired rating has the same score, so agreement cannot be told from chance",
}


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Krippendorff's alpha (ordinal) with a bootstrap confidence interval.

    ``alpha`` and the interval are None when alpha is undefined (``undefined`` says why). ``n_units`` counts the
    units rated by two or more experts, ``n_unpaired_units`` those left out because they have a single rating,
    ``n_pairable`` the ratings inside the counted units (Krippendorff's n). ``method`` names the interval method.
    """

    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    n_units: int
    n_unpaired_units: int
    n_pairable: int
    n_bootstrap: int
    method: str
    undefined: AlphaUndefined | None = None


class CalibrationFlag(StrEnum):
    """What an operator should look at in one expert's scoring."""

    LENIENT = "lenient"
    SEVERE = "severe"
    INCONSISTENT = "inconsistent"
    TOO_FEW_RATINGS = "too-few-ratings"


CALIBRATION_FLAG_LABELS = {
    CalibrationFlag.LENIENT: "Lenient",
    CalibrationFlag.SEVERE: "Severe",
    CalibrationFlag.INCONSISTENT: "Inconsistent",
    CalibrationFlag.TOO_FEW_RATINGS: "Too few co-rated items",
}


@dataclass(frozen=True, slots=True)
class CalibrationBounds:
    """Where an expert's numbers become a flag; see docs/assessment/reliability.md for why these defaults.

    ``leniency_bound``: the mean deviation from co-raters (scale points) beyond which an expert is lenient or
    severe, provided the confidence interval also excludes zero. ``spread_bound``: the standard deviation of the
    deviations (scale points) beyond which an expert is inconsistent. ``min_corated``: below this many co-rated
    items the expert is flagged as having too few ratings and not judged otherwise.
    """

    leniency_bound: float = 0.5
    spread_bound: float = 1.0
    min_corated: int = 10
    confidence: float = 0.95

    def check(self) -> None:
        """Raise InvalidInput naming every bound that cannot be used."""
        problems = []
        if not self.leniency_bound > 0:
            problems.append(Problem("leniency_bound", "The bound must be greater than 0"))
        if not self.spread_bound > 0:
            problems.append(Problem("spread_bound", "The bound must be greater than 0"))
        if self.min_corated < MIN_COUNT_FOR_SPREAD:
            problems.append(Problem(
                "min_corated", "The minimum number of co-rated items must be at least {minimum}",
                {"minimum": MIN_COUNT_FOR_SPREAD},
            ))
        if not 0 < self.confidence < 1:
            problems.append(Problem("confidence", "The confidence level must be greater than 0 and less than 1"))
        if problems:
            raise InvalidInput(problems)



@dataclass(frozen=True, slots=True)
class ExpertCalibration:
    """One expert's scoring against co-raters, for operators only (never shown to companies).

    ``n_ratings`` counts all the expert's ratings, ``n_corated`` those on items another expert also rated.
    ``leniency`` is the mean of (own score - mean of the co-raters' scores), in scale points: positive means
    lenient. ``leniency_se`` is its standard error, ``leniency_ci_low``/``leniency_ci_high`` a t interval.
    ``spread`` is the standard deviation of those deviations (how inconsistently the expert departs from
    co-raters once the constant leniency is removed); ``correlation`` is Pearson's r between own scores and the
    co-raters' means (None when either side is constant).
    """

    expert_id: str
    n_ratings: int
    n_corated: int
    leniency: float | None
    leniency_se: float | None
    leniency_ci_low: float | None
    leniency_ci_high: float | None
    spread: float | None
    correlation: float | None
    flags: tuple[CalibrationFlag, ...]


class DisagreementKind(StrEnum):
    """Why an assessment goes to reconciliation."""

    ITEM_SPREAD = "item-spread"
    LEVEL_SPREAD = "level-spread"


DISAGREEMENT_KIND_LABELS = {
    DisagreementKind.ITEM_SPREAD: "Item scores differ beyond the tolerated spread",
    DisagreementKind.LEVEL_SPREAD: "Resulting levels differ beyond the tolerated spread",
}


@dataclass(frozen=True, slots=True)
class ExpertScore:
    """One expert's score (or level) inside a disagreement."""

    expert_id: str
    score: int


@dataclass(frozen=True, slots=True)
class DisagreementReason:
    """One disagreement: on an item (``item_id`` set) or on the resulting level (``item_id`` None)."""

    kind: DisagreementKind
    item_id: str | None
    spread: int
    tolerated: int
    scores: tuple[ExpertScore, ...]


@dataclass(frozen=True, slots=True)
class ReconciliationCase:
    """An assessment whose experts disagree beyond the thresholds, with every reason found."""

    assessment_id: str
    reasons: tuple[DisagreementReason, ...]


class Grouping(StrEnum):
    """The dimension an operator splits a distribution of levels by."""

    REGION = "region"
    INDUSTRY = "industry"
    EXPERT = "expert"


GROUPING_LABELS = {
    Grouping.REGION: "Region",
    Grouping.INDUSTRY: "Industry",
    Grouping.EXPERT: "Expert",
}


@dataclass(frozen=True, slots=True)
class GroupedLevel:
    """One level observed in a group (a region's name, an industry's name, an expert's name)."""

    group: str
    level: int


@dataclass(frozen=True, slots=True)
class LevelCount:
    level: int
    count: int


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """Count, mean, quartiles (linear interpolation between order statistics) and a histogram of one group."""

    group: str
    count: int
    mean: float
    minimum: int
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: int
    histogram: tuple[LevelCount, ...]


@dataclass(frozen=True, slots=True)
class Distribution:
    """Levels split by one grouping: each group, then all groups together (``overall`` is None when empty)."""

    grouping: Grouping
    groups: tuple[GroupSummary, ...]
    overall: GroupSummary | None


def check_one_rating_per_unit(ratings: Iterable[Rating]) -> list[Rating]:
    """The ratings as a list, or InvalidInput when an expert rated the same item of an assessment twice."""
    listed = list(ratings)
    seen: set[tuple[str, str, str]] = set()
    problems = []
    for row, rating in enumerate(listed):
        key = (rating.assessment_id, rating.item_id, rating.expert_id)
        if key in seen:
            problems.append(Problem(
                "ratings", "Expert {expert_id} rated item {item_id} of assessment {assessment_id} more than once",
                {"expert_id": rating.expert_id, "item_id": rating.item_id, "assessment_id": rating.assessment_id},
                row=row,
            ))
        seen.add(key)
    if problems:
        raise InvalidInput(problems)
    return listed


def check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise InvalidInput.single("confidence", "The confidence level must be greater than 0 and less than 1")
