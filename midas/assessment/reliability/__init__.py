"""Reliability and calibration of expert assessment, and the triggers of reconciliation: a pure library.

Krippendorff's alpha (ordinal) across experts with a bootstrap interval (:mod:`.alpha`), each expert's leniency
and consistency against co-raters (:mod:`.calibration`), which assessments need reconciliation
(:mod:`.disagreement`), and distributions of levels with a CSV export (:mod:`.distributions`). Nothing here
touches the database or the web; the service layer feeds it ratings and shows the results to operators.
"""

from midas.assessment.reliability.alpha import (
    DEFAULT_BOOTSTRAP_SAMPLES,
    MIN_BOOTSTRAP_SAMPLES,
    Resampling,
    alpha_from_coincidences,
    ordinal_alpha,
    ordinal_alpha_exact,
    percentile_interval,
)
from midas.assessment.reliability.calibration import calibrate_experts, calibration_from_scores
from midas.assessment.reliability.disagreement import (
    DEFAULT_TOLERATED_ITEM_SPREAD,
    DEFAULT_TOLERATED_LEVEL_SPREAD,
    find_reconciliation_cases,
)
from midas.assessment.reliability.distributions import CSV_COLUMN_LABELS, distribution_csv, summarize_levels
from midas.assessment.reliability.model import (
    ALPHA_UNDEFINED_LABELS,
    CALIBRATION_FLAG_LABELS,
    DISAGREEMENT_KIND_LABELS,
    GROUPING_LABELS,
    AlphaResult,
    AlphaUndefined,
    CalibrationBounds,
    CalibrationFlag,
    DisagreementKind,
    DisagreementReason,
    Distribution,
    ExpertCalibration,
    ExpertLevel,
    ExpertScore,
    GroupedLevel,
    Grouping,
    GroupSummary,
    LevelCount,
    Rating,
    ReconciliationCase,
)

__all__ = [
    "ALPHA_UNDEFINED_LABELS",
    "CALIBRATION_FLAG_LABELS",
    "CSV_COLUMN_LABELS",
    "DEFAULT_BOOTSTRAP_SAMPLES",
    "DEFAULT_TOLERATED_ITEM_SPREAD",
    "DEFAULT_TOLERATED_LEVEL_SPREAD",
    "DISAGREEMENT_KIND_LABELS",
    "GROUPING_LABELS",
    "MIN_BOOTSTRAP_SAMPLES",
    "AlphaResult",
    "AlphaUndefined",
    "CalibrationBounds",
    "CalibrationFlag",
    "DisagreementKind",
    "DisagreementReason",
    "Distribution",
    "ExpertCalibration",
    "ExpertLevel",
    "ExpertScore",
    "GroupSummary",
    "GroupedLevel",
    "Grouping",
    "LevelCount",
    "Rating",
    "ReconciliationCase",
    "Resampling",
    "alpha_from_coincidences",
    "calibrate_experts",
    "calibration_from_scores",
    "distribution_csv",
    "find_reconciliation_cases",
    "ordinal_alpha",
    "ordinal_alpha_exact",
    "percentile_interval",
    "summarize_levels",
]
