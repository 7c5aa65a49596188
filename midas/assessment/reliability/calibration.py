"""Each expert's leniency or severity against co-raters, and how consistently they depart from them.

For every item an expert rated together with others, the deviation is the expert's score minus the mean of the
other experts' scores on that item. Leniency is the mean deviation (scale points; positive = lenient), with a
t interval; spread is the standard deviation of the deviations: an expert who is always one point above the
others is lenient but consistent, one who is above on some items and below on others is inconsistent.

These numbers are for operators; the service layer must not show them to companies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from midas.assessment.reliability.model import (
    MIN_COUNT_FOR_SPREAD,
    CalibrationBounds,
    CalibrationFlag,
    ExpertCalibration,
    Rating,
    check_one_rating_per_unit,
)


@dataclass(slots=True)
class _CoRated:
    """One expert's scores on co-rated items and the co-raters' means on the same items."""

    own: list[int] = field(default_factory=list)
    others: list[float] = field(default_factory=list)


def calibrate_experts(
    ratings: Iterable[Rating], bounds: CalibrationBounds | None = None
) -> tuple[ExpertCalibration, ...]:
    """One calibration per expert who appears in ``ratings``, sorted by expert id.

    An expert with fewer than ``bounds.min_corated`` co-rated items is flagged TOO_FEW_RATINGS and not judged
    lenient, severe or inconsistent: the numbers are shown, but they are not yet evidence.
    """
    bounds = bounds or CalibrationBounds()
    bounds.check()
    listed = check_one_rating_per_unit(ratings)
    totals: dict[str, int] = defaultdict(int)
    for rating in listed:
        totals[rating.expert_id] += 1
    corated = _corated_scores(listed)
    return tuple(
        _calibration(expert_id, totals[expert_id], corated.get(expert_id, _CoRated()), bounds)
        for expert_id in sorted(totals)
    )


def _corated_scores(ratings: Sequence[Rating]) -> dict[str, _CoRated]:
    by_unit: dict[tuple[str, str], list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_unit[rating.unit].append(rating)
    corated: dict[str, _CoRated] = defaultdict(_CoRated)
    for unit_ratings in by_unit.values():
        if len(unit_ratings) < 2:
            continue
        total = sum(rating.score for rating in unit_ratings)
        for rating in unit_ratings:
            entry = corated[rating.expert_id]
            entry.own.append(rating.score)
            entry.others.append((total - rating.score) / (len(unit_ratings) - 1))
    return dict(corated)


def _calibration(expert_id: str, n_ratings: int, scores: _CoRated, bounds: CalibrationBounds) -> ExpertCalibration:
    return calibration_from_scores(expert_id, n_ratings, np.array(scores.own, dtype=np.float64),
                                   np.array(scores.others, dtype=np.float64), bounds)


def calibration_from_scores(expert_id: str, n_ratings: int, own: npt.NDArray[np.float64],
                            others: npt.NDArray[np.float64], bounds: CalibrationBounds) -> ExpertCalibration:
    """One expert's calibration from their scores on co-rated items and the co-raters' means on the same items.

    :func:`calibrate_experts` gathers these pairs from ratings; a caller that holds a whole round as a score matrix
    (the service does) hands them over directly and gets exactly the same numbers and flags.
    """
    deviations = own - others
    n = int(deviations.size)
    leniency = float(deviations.mean()) if n else None
    spread = float(deviations.std(ddof=1)) if n >= MIN_COUNT_FOR_SPREAD else None
    standard_error = spread / math.sqrt(n) if spread is not None else None
    ci_low = ci_high = None
    if leniency is not None and standard_error is not None:
        from scipy import stats  # type: ignore[import-untyped]  # imported when needed: it is slow to import

        margin = float(stats.t.ppf((1 + bounds.confidence) / 2, n - 1)) * standard_error
        ci_low, ci_high = leniency - margin, leniency + margin
    correlation = None
    if n >= MIN_COUNT_FOR_SPREAD and np.ptp(own) > 0 and np.ptp(others) > 0:
        correlation = float(np.corrcoef(own, others)[0, 1])
    return ExpertCalibration(
        expert_id=expert_id, n_ratings=n_ratings, n_corated=n, leniency=leniency, leniency_se=standard_error,
        leniency_ci_low=ci_low, leniency_ci_high=ci_high, spread=spread, correlation=correlation,
        flags=_flags(n, leniency, ci_low, ci_high, spread, bounds),
    )


def _flags(
    n_corated: int,
    leniency: float | None,
    ci_low: float | None,
    ci_high: float | None,
    spread: float | None,
    bounds: CalibrationBounds,
) -> tuple[CalibrationFlag, ...]:
    if n_corated < bounds.min_corated or leniency is None or ci_low is None or ci_high is None or spread is None:
        return (CalibrationFlag.TOO_FEW_RATINGS,)
    flags = []
    # The interval must exclude zero too, so that a few unlucky items do not brand an expert.
    if leniency > bounds.leniency_bound and ci_low > 0:
        flags.append(CalibrationFlag.LENIENT)
    if leniency < -bounds.leniency_bound and ci_high < 0:
        flags.append(CalibrationFlag.SEVERE)
    if spread > bounds.spread_bound:
        flags.append(CalibrationFlag.INCONSISTENT)
    return tuple(flags)
