"""Reliability, calibration and reconciliation triggers of expert assessment (midas.assessment.reliability)."""

from __future__ import annotations

import csv
import io
import random
import statistics
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midas.assessment.reliability import (
    ALPHA_UNDEFINED_LABELS,
    CALIBRATION_FLAG_LABELS,
    CSV_COLUMN_LABELS,
    DISAGREEMENT_KIND_LABELS,
    GROUPING_LABELS,
    AlphaResult,
    AlphaUndefined,
    CalibrationBounds,
    CalibrationFlag,
    DisagreementKind,
    ExpertLevel,
    ExpertScore,
    GroupedLevel,
    Grouping,
    Rating,
    Resampling,
    alpha_from_coincidences,
    calibrate_experts,
    distribution_csv,
    find_reconciliation_cases,
    ordinal_alpha,
    ordinal_alpha_exact,
    summarize_levels,
)
from midas.errors import InvalidInput
from midas.i18n import translate

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers, 12 units, values 1-5,
# missing data. He reports alpha = 0.815 at the ordinal level. Rows are observers, columns units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def ratings_from_matrix(matrix: list[list[int | None]], *, items_per_assessment: int = 1) -> list[Rating]:
    """Rows are experts, columns units; consecutive columns form one assessment."""
    return [
        Rating(f"A{column // items_per_assessment}", f"I{column}", f"E{row}", score)
        for row, scores in enumerate(matrix)
        for column, score in enumerate(scores)
        if score is not None
    ]


def reliability_matrix(ratings: list[Rating]) -> np.ndarray:
    """The `krippendorff` package's input: experts x units, NaN where missing."""
    experts = sorted({r.expert_id for r in ratings})
    units = sorted({r.unit for r in ratings})
    matrix = np.full((len(experts), len(units)), np.nan)
    for r in ratings:
        matrix[experts.index(r.expert_id), units.index(r.unit)] = r.score
    return matrix


ratings_strategy = st.lists(
    st.builds(
        Rating,
        assessment_id=st.sampled_from(["A1", "A2", "A3"]),
        item_id=st.sampled_from(["1.1", "1.2", "2.1"]),
        expert_id=st.sampled_from(["E1", "E2", "E3", "E4"]),
        score=st.integers(min_value=1, max_value=5),
    ),
    max_size=36,
    unique_by=lambda r: (r.assessment_id, r.item_id, r.expert_id),
)


def simulated_round(
    n_assessments: int, *, seed: int, experts: dict[str, str], items: int = 5, per_assessment: int = 3
) -> list[Rating]:
    """Experts score a true level 2-5 on a 1-7 scale; ``experts`` maps an id to fair, lenient, severe or noisy."""
    rng = random.Random(seed)
    ratings = []
    for a in range(n_assessments):
        panel = rng.sample(sorted(experts), per_assessment)
        for i in range(items):
            true = rng.randint(2, 5)
            for expert in panel:
                ratings.append(Rating(f"A{a}", f"I{i}", expert, true + _error(experts[expert], rng)))
    return ratings


def interval_width(result: AlphaResult) -> float:
    assert result.ci_low is not None
    assert result.ci_high is not None
    return result.ci_high - result.ci_low


def _error(kind: str, rng: random.Random) -> int:
    if kind == "lenient":
        return 1
    if kind == "severe":
        return -1
    if kind == "noisy":
        return rng.randint(-2, 2)
    return rng.choice([-1, 1]) if rng.random() < 0.2 else 0


# --- Krippendorff's alpha -------------------------------------------------------------------------------------------


def test_krippendorffs_own_ordinal_example_gives_0_815() -> None:
    ratings = ratings_from_matrix(KRIPPENDORFF_2011)
    exact = ordinal_alpha_exact(ratings)
    result = ordinal_alpha(ratings)
    assert exact is not None
    assert round(float(exact), 3) == 0.815
    assert result.alpha == pytest.approx(float(exact), abs=1e-12)
    assert (result.n_units, result.n_unpaired_units, result.n_pairable) == (11, 1, 40)


def test_a_hand_computed_case() -> None:
    # Units (1,1), (2,2), (1,2): o11 = o22 = 2, o12 = o21 = 1, n1 = n2 = 3, delta12 = (6 - 3)^2 = 9,
    # Do = 2 * 9 = 18, De = 2 * 3 * 3 * 9 / 5 = 162/5, alpha = 1 - 18 * 5 / 162 = 4/9.
    ratings = ratings_from_matrix([[1, 2, 1], [1, 2, 2]])
    assert ordinal_alpha_exact(ratings) == Fraction(4, 9)
    assert ordinal_alpha(ratings, n_bootstrap=100).alpha == pytest.approx(4 / 9)


@settings(max_examples=150, deadline=None)
@given(ratings_strategy)
def test_alpha_equals_the_coincidence_formula_and_the_krippendorff_package(ratings: list[Rating]) -> None:
    exact = ordinal_alpha_exact(ratings)
    result = ordinal_alpha(ratings, n_bootstrap=100)
    if exact is None:
        assert result.alpha is None
        assert result.undefined is not None
        return
    assert result.alpha == pytest.approx(float(exact), abs=1e-9)
    package = krippendorff.alpha(reliability_data=reliability_matrix(ratings), level_of_measurement="ordinal")
    assert float(package) == pytest.approx(float(exact), abs=1e-9)


def test_the_vectorised_formula_reads_a_stack_of_coincidence_matrices() -> None:
    disagreeing = np.array([[2.0, 1.0], [1.0, 2.0]])  # the hand-computed case above
    agreeing = np.array([[2.0, 0.0], [0.0, 2.0]])
    alphas = alpha_from_coincidences(np.stack([disagreeing, agreeing]))
    assert alphas.tolist() == pytest.approx([4 / 9, 1.0])


def test_perfect_agreement_gives_one_with_a_closed_interval() -> None:
    ratings = ratings_from_matrix([[1, 2, 3, 4, 5, 3], [1, 2, 3, 4, 5, 3], [1, 2, None, 4, 5, 3]])
    result = ordinal_alpha(ratings)
    assert (result.alpha, result.ci_low, result.ci_high) == (1.0, 1.0, 1.0)


def test_an_item_with_a_single_rating_is_left_out() -> None:
    both = [[1, 2, 3, 4, 2], [2, 2, 3, 5, 2]]
    with_missing = [[1, 2, 3, 4, 2, 5], [2, 2, 3, 5, 2, None]]
    result = ordinal_alpha(ratings_from_matrix(with_missing))
    assert result.alpha == ordinal_alpha(ratings_from_matrix(both)).alpha
    assert (result.n_units, result.n_unpaired_units, result.n_pairable) == (5, 1, 10)


def test_alpha_is_undefined_without_pairs_or_without_variation() -> None:
    no_pairs = ordinal_alpha(ratings_from_matrix([[1, None, 3], [None, 2, None]]))
    no_variation = ordinal_alpha(ratings_from_matrix([[3, 3, 1], [3, 3, None]]))
    assert (no_pairs.alpha, no_pairs.ci_low, no_pairs.undefined) == (None, None, AlphaUndefined.NO_PAIRABLE_UNITS)
    assert (no_variation.alpha, no_variation.ci_high, no_variation.undefined) == (
        None, None, AlphaUndefined.NO_VARIATION)
    assert no_variation.n_unpaired_units == 1


def test_the_interval_holds_the_estimate_and_narrows_with_more_assessments() -> None:
    experts = {f"E{n}": "fair" for n in range(4)} | {"N": "noisy"}
    small = ordinal_alpha(simulated_round(12, seed=7, experts=experts), seed=3)
    large = ordinal_alpha(simulated_round(240, seed=7, experts=experts), seed=3)
    for result in (small, large):
        assert result.ci_low is not None
        assert result.ci_high is not None
        assert result.alpha is not None
        assert result.ci_low <= result.alpha <= result.ci_high
    assert 0 < interval_width(large) < interval_width(small) / 2


def test_the_interval_is_reproducible_from_its_seed() -> None:
    ratings = simulated_round(20, seed=1, experts={"E1": "fair", "E2": "fair", "E3": "noisy"})
    assert ordinal_alpha(ratings, seed=11) == ordinal_alpha(ratings, seed=11)
    assert ordinal_alpha(ratings, seed=11).ci_low != ordinal_alpha(ratings, seed=12).ci_low


def test_resampling_assessments_keeps_the_items_of_one_assessment_together() -> None:
    one_assessment = ratings_from_matrix(KRIPPENDORFF_2011, items_per_assessment=12)
    by_assessment = ordinal_alpha(one_assessment)
    by_item = ordinal_alpha(one_assessment, resampling=Resampling.ITEM)
    # One assessment: every resample is that assessment, so the interval is the point (to rounding).
    assert by_assessment.ci_low == by_assessment.ci_high == pytest.approx(by_assessment.alpha, abs=1e-12)
    assert interval_width(by_item) > 0
    assert by_assessment.method.endswith("over assessments")
    assert by_item.method.endswith("over items")


def test_an_expert_who_rated_an_item_twice_is_refused_with_the_row() -> None:
    ratings = [Rating("A", "1", "E1", 3), Rating("A", "1", "E2", 3), Rating("A", "1", "E1", 4)]
    with pytest.raises(InvalidInput) as caught:
        ordinal_alpha(ratings)
    assert [(p.field, p.row, p.params["expert_id"]) for p in caught.value.problems] == [("ratings", 2, "E1")]


@pytest.mark.parametrize(("confidence", "n_bootstrap", "field"), [
    (1.0, 1000, "confidence"), (0.0, 1000, "confidence"), (0.95, 99, "n_bootstrap"),
])
def test_unusable_interval_settings_are_refused(confidence: float, n_bootstrap: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ordinal_alpha(ratings_from_matrix(KRIPPENDORFF_2011), confidence=confidence, n_bootstrap=n_bootstrap)
    assert caught.value.problems[0].field == field


# --- expert calibration ---------------------------------------------------------------------------------------------

POOL = {f"F{n}": "fair" for n in range(6)} | {"L": "lenient", "S": "severe", "N": "noisy"}


def test_a_lenient_a_severe_and_a_noisy_expert_are_flagged_and_fair_ones_are_not() -> None:
    calibrations = {c.expert_id: c for c in calibrate_experts(simulated_round(150, seed=2026, experts=POOL))}
    assert calibrations["L"].flags == (CalibrationFlag.LENIENT,)
    assert calibrations["S"].flags == (CalibrationFlag.SEVERE,)
    assert calibrations["N"].flags == (CalibrationFlag.INCONSISTENT,)
    for expert in (e for e, kind in POOL.items() if kind == "fair"):
        assert calibrations[expert].flags == (), calibrations[expert]
    lenient = calibrations["L"]
    assert lenient.leniency is not None
    assert lenient.leniency_ci_low is not None
    assert lenient.spread is not None
    assert lenient.leniency == pytest.approx(1.0, abs=0.25)
    assert lenient.leniency_ci_low > 0.5
    assert lenient.spread < 1.0


def test_leniency_is_the_mean_deviation_from_co_raters() -> None:
    ratings = [Rating("A", "1", "E1", 3), Rating("A", "1", "E2", 2), Rating("A", "1", "E3", 1),
               Rating("A", "2", "E1", 4), Rating("A", "2", "E2", 4), Rating("A", "3", "E1", 5)]
    calibrations = {c.expert_id: c for c in calibrate_experts(ratings, CalibrationBounds(min_corated=2))}
    first = calibrations["E1"]
    # Item 1: 3 - (2 + 1) / 2 = 1.5; item 2: 4 - 4 = 0; item 3 has no co-rater.
    assert (first.n_ratings, first.n_corated) == (3, 2)
    assert first.leniency == pytest.approx(0.75)
    assert first.spread == pytest.approx(statistics.stdev([1.5, 0.0]))
    assert first.leniency_se == pytest.approx(statistics.stdev([1.5, 0.0]) / 2 ** 0.5)
    assert calibrations["E3"].n_corated == 1
    assert calibrations["E3"].flags == (CalibrationFlag.TOO_FEW_RATINGS,)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=-3, max_value=3), st.integers(min_value=0, max_value=10_000))
def test_shifting_an_experts_scores_shifts_their_leniency_by_as_much(shift: int, seed: int) -> None:
    ratings = simulated_round(15, seed=seed, experts={"E1": "fair", "E2": "fair", "E3": "noisy"})
    shifted = [Rating(r.assessment_id, r.item_id, r.expert_id, r.score + shift) if r.expert_id == "E1" else r
               for r in ratings]
    before, after = calibrate_experts(ratings)[0], calibrate_experts(shifted)[0]
    assert before.leniency is not None
    assert after.leniency is not None
    assert after.leniency == pytest.approx(before.leniency + shift)
    assert after.spread == pytest.approx(before.spread)


def test_an_expert_without_co_raters_has_no_numbers_and_too_few_ratings() -> None:
    [alone] = calibrate_experts([Rating("A", "1", "E1", 3), Rating("A", "2", "E1", 4)])
    assert (alone.n_ratings, alone.n_corated) == (2, 0)
    assert (alone.leniency, alone.leniency_se, alone.spread, alone.correlation) == (None, None, None, None)
    assert alone.flags == (CalibrationFlag.TOO_FEW_RATINGS,)


def test_the_bounds_are_parameters() -> None:
    ratings = simulated_round(150, seed=2026, experts=POOL)
    strict = {c.expert_id: c for c in calibrate_experts(ratings, CalibrationBounds(spread_bound=0.1))}
    loose = {c.expert_id: c for c in calibrate_experts(ratings, CalibrationBounds(leniency_bound=2.0))}
    assert CalibrationFlag.INCONSISTENT in strict["F0"].flags
    assert loose["L"].flags == ()
    too_few = {c.expert_id: c for c in calibrate_experts(ratings, CalibrationBounds(min_corated=10_000))}
    assert {c.flags for c in too_few.values()} == {(CalibrationFlag.TOO_FEW_RATINGS,)}


def test_unusable_bounds_are_refused_all_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        calibrate_experts([], CalibrationBounds(leniency_bound=0, spread_bound=-1, min_corated=1, confidence=1.5))
    assert [p.field for p in caught.value.problems] == ["leniency_bound", "spread_bound", "min_corated", "confidence"]


# --- reconciliation triggers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("scores", "tolerated", "needed"), [
    ((3, 4), 1, False), ((3, 5), 1, True), ((3, 5), 2, False), ((3, 6), 2, True), ((3, 3), 0, False),
    ((3, 4), 0, True), ((2, 3, 4), 2, False), ((2, 3, 5), 2, True),
])
def test_item_disagreement_triggers_just_beyond_the_tolerated_spread(
    scores: tuple[int, ...], tolerated: int, needed: bool
) -> None:
    ratings = [Rating("A", "1.1", f"E{n}", score) for n, score in enumerate(scores)]
    cases = find_reconciliation_cases(ratings, tolerated_item_spread=tolerated)
    assert bool(cases) is needed
    if needed:
        [reason] = cases[0].reasons
        assert (reason.kind, reason.item_id, reason.spread, reason.tolerated) == (
            DisagreementKind.ITEM_SPREAD, "1.1", max(scores) - min(scores), tolerated)


@pytest.mark.parametrize(("levels", "tolerated", "needed"), [
    ((2, 2), 0, False), ((2, 3), 0, True), ((2, 3), 1, False), ((2, 4), 1, True),
])
def test_level_disagreement_triggers_just_beyond_the_tolerated_spread(
    levels: tuple[int, int], tolerated: int, needed: bool
) -> None:
    expert_levels = [ExpertLevel("A", f"E{n}", level) for n, level in enumerate(levels)]
    cases = find_reconciliation_cases([], expert_levels, tolerated_level_spread=tolerated)
    assert bool(cases) is needed
    if needed:
        [reason] = cases[0].reasons
        assert (reason.kind, reason.item_id) == (DisagreementKind.LEVEL_SPREAD, None)
        assert reason.scores == (ExpertScore("E0", levels[0]), ExpertScore("E1", levels[1]))


def test_every_reason_is_given_items_first_and_agreeing_assessments_are_left_out() -> None:
    ratings = [Rating("B", "2", "E1", 1), Rating("B", "2", "E2", 4), Rating("B", "1", "E1", 5),
               Rating("B", "1", "E2", 2), Rating("A", "1", "E1", 3), Rating("A", "1", "E2", 3),
               Rating("C", "1", "E1", 1)]
    levels = [ExpertLevel("B", "E1", 2), ExpertLevel("B", "E2", 3), ExpertLevel("A", "E1", 3),
              ExpertLevel("A", "E2", 3), ExpertLevel("C", "E1", 1)]
    [case] = find_reconciliation_cases(ratings, levels)
    assert case.assessment_id == "B"
    assert [(r.kind, r.item_id) for r in case.reasons] == [
        (DisagreementKind.ITEM_SPREAD, "1"), (DisagreementKind.ITEM_SPREAD, "2"), (DisagreementKind.LEVEL_SPREAD, None)]


@settings(max_examples=100, deadline=None)
@given(ratings_strategy, st.integers(min_value=0, max_value=4))
def test_an_assessment_is_sent_exactly_when_some_item_spread_exceeds_the_tolerance(
    ratings: list[Rating], tolerated: int
) -> None:
    spreads: dict[tuple[str, str], list[int]] = {}
    for r in ratings:
        spreads.setdefault(r.unit, []).append(r.score)
    expected = sorted({unit[0] for unit, scores in spreads.items() if max(scores) - min(scores) > tolerated})
    cases = find_reconciliation_cases(ratings, tolerated_item_spread=tolerated)
    assert [case.assessment_id for case in cases] == expected


def test_bad_tolerances_and_a_second_level_from_one_expert_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        find_reconciliation_cases([], tolerated_item_spread=-1, tolerated_level_spread=-1)
    assert [p.field for p in caught.value.problems] == ["tolerated_item_spread", "tolerated_level_spread"]
    with pytest.raises(InvalidInput) as caught:
        find_reconciliation_cases([], [ExpertLevel("A", "E1", 2), ExpertLevel("A", "E1", 3)])
    assert [(p.field, p.row) for p in caught.value.problems] == [("levels", 1)]


# --- distributions and export ---------------------------------------------------------------------------------------

REGIONS = [
    GroupedLevel("서울특별시", 3), GroupedLevel("서울특별시", 4), GroupedLevel("경기도", 1), GroupedLevel("경기도", 2),
    GroupedLevel("경기도", 2), GroupedLevel("경기도", 5), GroupedLevel("부산광역시", 3),
]


def test_a_distribution_summarises_each_group_and_all_together() -> None:
    distribution = summarize_levels(REGIONS, grouping=Grouping.REGION, scale=range(1, 6))
    assert [g.group for g in distribution.groups] == ["경기도", "부산광역시", "서울특별시"]
    gyeonggi = distribution.groups[0]
    assert (gyeonggi.count, gyeonggi.mean, gyeonggi.minimum, gyeonggi.maximum) == (4, 2.5, 1, 5)
    assert [gyeonggi.lower_quartile, gyeonggi.median, gyeonggi.upper_quartile] == pytest.approx(
        statistics.quantiles([1, 2, 2, 5], n=4, method="inclusive"))
    assert [(b.level, b.count) for b in gyeonggi.histogram] == [(1, 1), (2, 2), (3, 0), (4, 0), (5, 1)]
    assert distribution.overall is not None
    assert distribution.overall.count == len(REGIONS)
    assert sum(b.count for b in distribution.overall.histogram) == len(REGIONS)


def test_the_csv_export_round_trips_with_korean_labels() -> None:
    distribution = summarize_levels(REGIONS, grouping=Grouping.REGION, scale=range(1, 6))
    exported = distribution_csv(distribution, locale="ko")
    assert exported.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0] == ["지역", "건수", "평균", "최솟값", "하위 사분위수", "중앙값", "상위 사분위수", "최댓값",
                       "1수준", "2수준", "3수준", "4수준", "5수준"]
    summaries = [*distribution.groups, distribution.overall]
    assert [row[0] for row in rows[1:]] == ["경기도", "부산광역시", "서울특별시", "전체"]
    for row, summary in zip(rows[1:], summaries, strict=True):
        assert summary is not None
        assert int(row[1]) == summary.count
        assert float(row[2]) == pytest.approx(summary.mean, abs=0.005)
        assert float(row[5]) == pytest.approx(summary.median, abs=0.005)
        assert [int(cell) for cell in row[8:]] == [b.count for b in summary.histogram]


def test_the_csv_export_speaks_english_and_keeps_formulas_out() -> None:
    observations = [GroupedLevel("=HYPERLINK(\"x\")", 2), GroupedLevel("Kim", 3)]
    exported = distribution_csv(summarize_levels(observations, grouping=Grouping.EXPERT, scale=[1, 2, 3]), locale="en")
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Expert", "Count", "Mean"]
    assert rows[0][-1] == "Level 3"
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"x\")", "Kim", "All"]


def test_an_empty_distribution_exports_the_heading_only() -> None:
    distribution = summarize_levels([], grouping=Grouping.INDUSTRY, scale=[1, 2])
    assert (distribution.groups, distribution.overall) == ((), None)
    rows = list(csv.reader(io.StringIO(distribution_csv(distribution).decode("utf-8-sig"))))
    assert rows == [["업종", *(translate("ko", label) for label in CSV_COLUMN_LABELS.values())]]


def test_levels_off_the_scale_and_an_empty_scale_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        summarize_levels([GroupedLevel("경기도", 1), GroupedLevel("경기도", 7)], grouping=Grouping.REGION, scale=[1, 2])
    assert [(p.row, p.params["level"]) for p in caught.value.problems] == [(1, 7)]
    with pytest.raises(InvalidInput):
        summarize_levels([], grouping=Grouping.REGION, scale=[])


@pytest.mark.parametrize("labels", [
    ALPHA_UNDEFINED_LABELS, CALIBRATION_FLAG_LABELS, DISAGREEMENT_KIND_LABELS, GROUPING_LABELS, CSV_COLUMN_LABELS,
], ids=["alpha", "flags", "disagreement", "grouping", "csv"])
def test_every_label_is_shown_in_korean(labels: dict[object, str]) -> None:
    assert all(translate("ko", label) != label for label in labels.values())
