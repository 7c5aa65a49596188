"""Krippendorff's alpha for ordinal scores across experts, with a bootstrap confidence interval.

A unit is one item of one assessment; its values are the scores the assigned experts gave it. Units with a
single rating carry no information about agreement and are left out (Krippendorff's rule: only pairable values
count). The point estimate comes from the ``krippendorff`` package; :func:`ordinal_alpha_exact` computes the
same number from the coincidence matrix in exact fractions, so the tests can hold the two against each other.

The interval is a percentile bootstrap that resamples whole assessments by default (a cluster bootstrap): the
items of one assessment share the company and the pair of experts, so they are not independent, and resampling
single items would make the interval too narrow. :attr:`Resampling.ITEM` resamples units instead, the bootstrap
Zapf et al. (2016) studied; it is the better choice only when a round holds very few assessments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from enum import StrEnum
from fractions import Fraction

import krippendorff
import numpy as np
import numpy.typing as npt

from midas.assessment.reliability.model import (
    AlphaResult,
    AlphaUndefined,
    Rating,
    check_confidence,
    check_one_rating_per_unit,
)
from midas.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_BOOTSTRAP_SAMPLES = 2000
MIN_BOOTSTRAP_SAMPLES = 100
# Replicates are drawn in batches so that memory stays bounded for rounds with thousands of assessments.
BOOTSTRAP_BATCH = 250


class Resampling(StrEnum):
    """What the bootstrap draws with replacement."""

    ASSESSMENT = "assessment"
    ITEM = "item"


def ordinal_alpha(
    ratings: Iterable[Rating],
    *,
    confidence: float = 0.95,
    n_bootstrap: int = DEFAULT_BOOTSTRAP_SAMPLES,
    resampling: Resampling = Resampling.ASSESSMENT,
    seed: int = 0,
) -> AlphaResult:
    """Krippendorff's alpha (ordinal) of ``ratings`` with a percentile bootstrap interval at ``confidence``.

    The seed is fixed by default so that the same ratings always give the same interval (an operator's report
    must be reproducible). Alpha is None, with the reason, when no item has two ratings or when every pairable
    score is the same.
    """
    listed = check_one_rating_per_unit(ratings)
    check_confidence(confidence)
    if n_bootstrap < MIN_BOOTSTRAP_SAMPLES:
        raise InvalidInput.single(
            "n_bootstrap", "At least {minimum} bootstrap samples are needed", {"minimum": MIN_BOOTSTRAP_SAMPLES}
        )
    method = f"krippendorff-ordinal; percentile bootstrap over {resampling.value}s"
    scores_by_unit = _scores_by_unit(listed)
    pairable = {unit: scores for unit, scores in scores_by_unit.items() if len(scores) >= 2}

    def undefined(reason: AlphaUndefined) -> AlphaResult:
        return AlphaResult(
            alpha=None, ci_low=None, ci_high=None, confidence=confidence, n_units=len(pairable),
            n_unpaired_units=len(scores_by_unit) - len(pairable),
            n_pairable=sum(len(scores) for scores in pairable.values()), n_bootstrap=0, method=method,
            undefined=reason,
        )

    if not pairable:
        return undefined(AlphaUndefined.NO_PAIRABLE_UNITS)
    domain = sorted({score for scores in pairable.values() for score in scores})
    units = list(pairable)
    counts = _value_counts([pairable[unit] for unit in units], domain)
    clusters = _cluster_index([unit[0] if resampling is Resampling.ASSESSMENT else unit for unit in units])
    per_cluster = _coincidences_by_cluster(counts, clusters)
    point = alpha_from_coincidences(per_cluster.sum(axis=0))
    if np.isnan(point):
        return undefined(AlphaUndefined.NO_VARIATION)
    value = float(krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement="ordinal"))
    low, high = percentile_interval(per_cluster, confidence=confidence, n_bootstrap=n_bootstrap, seed=seed)
    return AlphaResult(
        alpha=value, ci_low=low, ci_high=high, confidence=confidence, n_units=len(units),
        n_unpaired_units=len(scores_by_unit) - len(units), n_pairable=int(counts.sum()), n_bootstrap=n_bootstrap,
        method=method,
    )


def ordinal_alpha_exact(ratings: Iterable[Rating]) -> Fraction | None:
    """Krippendorff's alpha (ordinal) by the coincidence-matrix formula, in exact fractions; None if undefined.

    Pure Python and quadratic in the ratings per unit: it is the reference the fast path is checked against,
    written the way Krippendorff (2011, "Computing Krippendorff's alpha-reliability") writes it.
    """
    pairable = [scores for scores in _scores_by_unit(check_one_rating_per_unit(ratings)).values() if len(scores) >= 2]
    coincidences: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    for scores in pairable:
        for i, first in enumerate(scores):
            for j, second in enumerate(scores):
                if i != j:
                    coincidences[(first, second)] += Fraction(1, len(scores) - 1)
    values = sorted({score for scores in pairable for score in scores})
    marginals = {c: sum((coincidences[(c, k)] for k in values), Fraction(0)) for c in values}
    total = sum(marginals.values(), Fraction(0))
    if total == 0:
        return None

    def squared_distance(c: int, k: int) -> Fraction:
        low, high = min(c, k), max(c, k)
        between = sum((marginals[g] for g in values if low <= g <= high), Fraction(0))
        return (between - (marginals[c] + marginals[k]) / 2) ** 2

    observed = sum((coincidences[(c, k)] * squared_distance(c, k) for c in values for k in values), Fraction(0))
    expected = sum(
        (marginals[c] * marginals[k] * squared_distance(c, k) for c in values for k in values), Fraction(0)
    ) / (total - 1)
    if expected == 0:
        return None
    return 1 - observed / expected


def alpha_from_coincidences(coincidences: FloatArray) -> FloatArray:
    """Alpha (ordinal) of one coincidence matrix (V x V) or of a stack of them (... x V x V); NaN where undefined.

    The ordinal distance between values c and k is the squared difference of their mid-ranks in the pooled
    pairable values, which is Krippendorff's (sum of n_g from c to k - (n_c + n_k) / 2) squared.
    """
    marginals = coincidences.sum(axis=-1)
    total = marginals.sum(axis=-1)
    midranks = np.cumsum(marginals, axis=-1) - marginals / 2
    distances = (midranks[..., :, np.newaxis] - midranks[..., np.newaxis, :]) ** 2
    observed = (coincidences * distances).sum(axis=(-2, -1))
    by_chance = (marginals[..., :, np.newaxis] * marginals[..., np.newaxis, :] * distances).sum(axis=(-2, -1))
    expected = np.divide(by_chance, total - 1, out=np.zeros_like(by_chance), where=total > 1)
    ratio = np.divide(observed, expected, out=np.full_like(observed, np.nan), where=expected > 0)
    result: FloatArray = 1 - ratio
    return result


def _scores_by_unit(ratings: Sequence[Rating]) -> dict[tuple[str, str], list[int]]:
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rating in ratings:
        scores[rating.unit].append(rating.score)
    return dict(scores)


def _value_counts(unit_scores: Sequence[Sequence[int]], domain: Sequence[int]) -> IntArray:
    """How many experts gave each value of ``domain`` to each unit (units x values)."""
    position = {value: index for index, value in enumerate(domain)}
    counts = np.zeros((len(unit_scores), len(domain)), dtype=np.int64)
    for row, scores in enumerate(unit_scores):
        for score in scores:
            counts[row, position[score]] += 1
    return counts


def _cluster_index(keys: Sequence[object]) -> IntArray:
    index: dict[object, int] = {}
    return np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)


def _coincidences_by_cluster(counts: IntArray, clusters: IntArray) -> FloatArray:
    """Each cluster's share of the coincidence matrix: per unit (c c^T - diag c) / (m_u - 1), summed by cluster."""
    values = counts.astype(np.float64)
    per_unit = values[:, :, np.newaxis] * values[:, np.newaxis, :]
    per_unit -= values[:, :, np.newaxis] * np.eye(values.shape[1])[np.newaxis, :, :]
    per_unit /= (values.sum(axis=1) - 1)[:, np.newaxis, np.newaxis]
    per_cluster = np.zeros((int(clusters.max()) + 1, values.shape[1], values.shape[1]))
    np.add.at(per_cluster, clusters, per_unit)
    return per_cluster


def percentile_interval(
    per_cluster: FloatArray, *, confidence: float, n_bootstrap: int, seed: int
) -> tuple[float | None, float | None]:
    """Percentile interval of alpha over ``n_bootstrap`` resamples of the clusters (undefined replicates dropped)."""
    rng = np.random.default_rng(seed)
    n_clusters, n_values, _ = per_cluster.shape
    flat = per_cluster.reshape(n_clusters, n_values * n_values)
    draw = np.full(n_clusters, 1.0 / n_clusters)
    replicates = []
    for start in range(0, n_bootstrap, BOOTSTRAP_BATCH):
        size = min(BOOTSTRAP_BATCH, n_bootstrap - start)
        times_drawn = rng.multinomial(n_clusters, draw, size=size).astype(np.float64)
        replicates.append(alpha_from_coincidences((times_drawn @ flat).reshape(size, n_values, n_values)))
    alphas = np.concatenate(replicates)
    defined = alphas[~np.isnan(alphas)]
    if defined.size == 0:
        return None, None
    tail = (1 - confidence) / 2
    low, high = np.quantile(defined, [tail, 1 - tail])
    return float(low), float(high)
