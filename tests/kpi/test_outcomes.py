"""Program outcomes (PQCD): hand-computed cases, synthetic effects with known truth, thin data, targets, roll-ups."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midas.errors import InvalidInput
from midas.kpi.outcomes import (
    ENERGY_KEY,
    MINIMUM_DAYS,
    ORDERS_KEY,
    Finding,
    Measure,
    Outcome,
    compare,
    met_target,
    rollup,
    targets_from_plan,
)

HOUR = 3600.0


def day(pq: float, apt_hours: float, *, sq: float | None = None, rq: float | None = None,
        energy: float | None = None, aoet_hours: float | None = None, orders: float | None = None) -> dict[str, float]:
    """One day of element sums, as the engine hands them over."""
    row = {"pq": pq, "apt": apt_hours * HOUR}
    optional = {"sq": sq, "rq": rq, ENERGY_KEY: energy, ORDERS_KEY: orders,
                "aoet": None if aoet_hours is None else aoet_hours * HOUR}
    row.update({key: value for key, value in optional.items() if value is not None})
    return row


def same(count: int, **kwargs: float) -> list[dict[str, float]]:
    pq, apt = kwargs.pop("pq"), kwargs.pop("apt_hours")
    return [day(pq, apt, **kwargs) for _ in range(count)]


def noisy_days(rng: np.random.Generator, count: int, rate: float, noise: float = 0.05) -> list[dict[str, float]]:
    """Days of 8 to 10 production hours at a productivity of ``rate`` units/h with multiplicative noise."""
    hours = rng.uniform(8, 10, count)
    produced = hours * rate * rng.lognormal(0.0, noise, count)
    scrap = rng.poisson(0.03 * produced)
    return [day(float(p), float(h), sq=float(s)) for p, h, s in zip(produced, hours, scrap, strict=True)]


# Hand-computed cases ------------------------------------------------------------------------------------------


def test_productivity_is_units_per_actual_production_hour_with_its_improvement() -> None:
    outcome = compare(same(20, pq=100, apt_hours=10), same(20, pq=120, apt_hours=10), seed=1)
    productivity = outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.baseline_value == pytest.approx(10.0)
    assert productivity.after_value == pytest.approx(12.0)
    assert productivity.improvement_pct == pytest.approx(20.0)
    # Every day alike: every resample is the same series, so the interval is the point itself.
    assert productivity.ci_low_pct == pytest.approx(20.0)
    assert productivity.ci_high_pct == pytest.approx(20.0)
    assert productivity.finding is Finding.BETTER
    assert productivity.unit == "units/h"
    assert productivity.reason is None


def test_a_period_value_is_the_ratio_of_sums_not_the_mean_of_daily_ratios() -> None:
    # 10 units in 1 h and 200 units in 10 h: 210 / 11 h = 19.09 units/h (the mean of daily rates would be 15).
    baseline = [day(10, 1), day(200, 10)] * 10
    outcome = compare(baseline, baseline, seed=1)
    assert outcome.measures[Measure.PRODUCTIVITY].baseline_value == pytest.approx(210 / 11)


def test_quality_is_the_defect_rate_and_falling_is_better() -> None:
    baseline = same(20, pq=100, apt_hours=8, sq=3, rq=2)  # 5 defects per 100
    better = compare(baseline, same(20, pq=100, apt_hours=8, sq=4), seed=1).measures[Measure.QUALITY]
    worse = compare(baseline, same(20, pq=100, apt_hours=8, sq=6), seed=1).measures[Measure.QUALITY]
    assert better.baseline_value == pytest.approx(0.05)
    assert better.after_value == pytest.approx(0.04)
    assert not better.higher_is_better
    assert better.improvement_pct == pytest.approx(20.0)
    assert better.finding is Finding.BETTER
    assert worse.improvement_pct == pytest.approx(-20.0)
    assert worse.finding is Finding.WORSE


def test_cost_is_energy_per_unit_and_falling_is_better() -> None:
    cost = compare(same(20, pq=100, apt_hours=8, energy=50), same(20, pq=100, apt_hours=8, energy=40),
                   seed=1).measures[Measure.COST]
    assert cost.baseline_value == pytest.approx(0.5)
    assert cost.after_value == pytest.approx(0.4)
    assert cost.improvement_pct == pytest.approx(20.0)
    assert cost.unit == "kWh/unit"


def test_cost_without_reported_energy_is_not_computable_with_the_reason() -> None:
    cost = compare(same(20, pq=100, apt_hours=8), same(20, pq=100, apt_hours=8, energy=40),
                   seed=1).measures[Measure.COST]
    assert cost.finding is Finding.NOT_COMPUTABLE
    assert cost.improvement_pct is None
    assert cost.reason is not None
    assert cost.reason.message == ("Not computable because no day before the project reports {elements} with "
                                   "{denominator} above zero")
    assert "EnergyConsumption" in cost.reason.english()


def test_delivery_is_lead_time_per_unit_or_per_order_when_orders_are_counted() -> None:
    per_unit = compare(same(20, pq=100, apt_hours=8, aoet_hours=50), same(20, pq=100, apt_hours=8, aoet_hours=40),
                       seed=1).measures[Measure.DELIVERY]
    assert per_unit.unit == "h/unit"
    assert per_unit.baseline_value == pytest.approx(0.5)
    assert per_unit.improvement_pct == pytest.approx(20.0)
    per_order = compare(same(20, pq=100, apt_hours=8, aoet_hours=50, orders=5),
                        same(20, pq=100, apt_hours=8, aoet_hours=40, orders=5), seed=1).measures[Measure.DELIVERY]
    assert per_order.unit == "h/order"
    assert per_order.baseline_value == pytest.approx(10.0)
    assert per_order.after_value == pytest.approx(8.0)


def test_delivery_falls_back_to_per_unit_when_any_day_lacks_its_order_count() -> None:
    after = same(20, pq=100, apt_hours=8, aoet_hours=40, orders=5)
    after[3] = day(100, 8, aoet_hours=40)
    outcome = compare(same(20, pq=100, apt_hours=8, aoet_hours=50, orders=5), after, seed=1)
    assert outcome.measures[Measure.DELIVERY].unit == "h/unit"


def test_the_on_time_rate_is_reported_as_not_computable() -> None:
    outcome = compare(same(20, pq=100, apt_hours=8), same(20, pq=100, apt_hours=8), seed=1)
    assert [p.field for p in outcome.unmeasured] == ["delivery.on_time_rate"]
    assert "no due date" in outcome.unmeasured[0].english()


# Known truth ---------------------------------------------------------------------------------------------------


def test_a_true_fifteen_percent_gain_is_found_with_an_interval_around_it() -> None:
    rng = np.random.default_rng(2026)
    outcome = compare(noisy_days(rng, 60, 100.0), noisy_days(rng, 60, 115.0), seed=7)
    productivity = outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.ci_low_pct is not None
    assert productivity.ci_high_pct is not None
    assert productivity.ci_low_pct < 15.0 < productivity.ci_high_pct
    assert productivity.ci_low_pct > 0
    assert productivity.finding is Finding.BETTER


def test_no_effect_gives_an_interval_spanning_zero_and_says_so() -> None:
    rng = np.random.default_rng(11)
    outcome = compare(noisy_days(rng, 40, 100.0, noise=0.1), noisy_days(rng, 40, 100.0, noise=0.1), seed=3)
    productivity = outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.ci_low_pct is not None
    assert productivity.ci_high_pct is not None
    assert productivity.ci_low_pct < 0 < productivity.ci_high_pct
    assert productivity.finding is Finding.NO_CLEAR_CHANGE
    assert productivity.reason is not None
    assert productivity.reason.message.startswith("No clear change")
    assert productivity.reason.params["confidence"] == 95


# Thin data -----------------------------------------------------------------------------------------------------


def test_fewer_than_the_minimum_days_is_too_thin_but_keeps_the_values() -> None:
    outcome = compare(same(MINIMUM_DAYS - 1, pq=100, apt_hours=10), same(30, pq=120, apt_hours=10), seed=1)
    productivity = outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.finding is Finding.TOO_THIN
    assert productivity.baseline_days == MINIMUM_DAYS - 1
    assert productivity.baseline_value == pytest.approx(10.0)
    assert productivity.improvement_pct is None
    assert productivity.ci_low_pct is None
    assert productivity.reason is not None
    assert productivity.reason.params == {"days": MINIMUM_DAYS - 1, "minimum": MINIMUM_DAYS}
    assert not outcome.computable


def test_days_without_production_time_do_not_count_as_days_with_data() -> None:
    after = same(25, pq=120, apt_hours=10)
    after[5:15] = same(10, pq=0, apt_hours=0)
    productivity = compare(same(25, pq=100, apt_hours=10), after, seed=1).measures[Measure.PRODUCTIVITY]
    assert productivity.after_days == 15
    assert productivity.finding is Finding.TOO_THIN
    assert productivity.reason is not None
    assert "after completion" in productivity.reason.message


def test_a_period_whose_denominator_is_always_zero_is_not_computable() -> None:
    productivity = compare(same(20, pq=100, apt_hours=8), same(20, pq=100, apt_hours=0),
                           seed=1).measures[Measure.PRODUCTIVITY]
    assert productivity.finding is Finding.NOT_COMPUTABLE
    assert productivity.after_days == 0
    assert productivity.after_value is None
    assert productivity.reason is not None
    assert productivity.reason.params["denominator"] == "ActualProductionTime"
    assert "after completion" in productivity.reason.message


def test_a_zero_baseline_value_makes_the_change_not_computable() -> None:
    outcome = compare(same(20, pq=0, apt_hours=8, sq=0), same(20, pq=50, apt_hours=8), seed=1)
    productivity = outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.finding is Finding.NOT_COMPUTABLE
    assert productivity.baseline_value == 0
    assert productivity.reason is not None
    assert "zero" in productivity.reason.message
    # No day of the baseline produced anything, so it has no defect rate at all.
    assert outcome.measures[Measure.QUALITY].finding is Finding.NOT_COMPUTABLE
    assert outcome.measures[Measure.QUALITY].baseline_days == 0


def test_a_rare_defect_baseline_is_too_thin_when_resamples_can_miss_it() -> None:
    baseline = same(20, pq=100, apt_hours=8, sq=0)
    baseline[10] = day(100, 8, sq=2)
    quality = compare(baseline, same(20, pq=100, apt_hours=8, sq=1), seed=1).measures[Measure.QUALITY]
    assert quality.baseline_value == pytest.approx(2 / 2000)
    assert quality.finding is Finding.TOO_THIN
    assert quality.reason is not None
    assert "unbounded" in quality.reason.message


# Determinism and input ---------------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_outcome_and_another_seed_another_interval() -> None:
    rng = np.random.default_rng(5)
    baseline, after = noisy_days(rng, 30, 100.0), noisy_days(rng, 30, 110.0)
    first, again = compare(baseline, after, seed=42), compare(baseline, after, seed=42)
    other = compare(baseline, after, seed=43)
    assert first == again
    assert first.measures[Measure.PRODUCTIVITY].ci_low_pct != other.measures[Measure.PRODUCTIVITY].ci_low_pct
    assert first.measures[Measure.PRODUCTIVITY].improvement_pct == other.measures[Measure.PRODUCTIVITY].improvement_pct


def test_decimal_sums_from_postgresql_are_read_as_numbers() -> None:
    baseline = [{"pq": Decimal(100), "apt": Decimal(36000)}] * 20
    outcome = compare(baseline, same(20, pq=110, apt_hours=10), seed=1)
    assert outcome.measures[Measure.PRODUCTIVITY].improvement_pct == pytest.approx(10.0)


def test_bad_sums_and_settings_are_refused_each_at_its_place() -> None:
    baseline = same(20, pq=100, apt_hours=8)
    baseline[2] = {"pq": float("nan"), "apt": -1.0}
    with pytest.raises(InvalidInput) as caught:
        compare(baseline, same(20, pq=100, apt_hours=8), seed=-1, resamples=5)
    assert [p.field for p in caught.value.problems] == ["seed", "resamples", "baseline[2].pq", "baseline[2].apt"]


# Targets ---------------------------------------------------------------------------------------------------------


def _twenty_percent_better() -> Outcome:
    return compare(same(20, pq=100, apt_hours=10, sq=5), same(20, pq=120, apt_hours=10, sq=3), seed=1)


def test_met_target_compares_each_improvement_with_its_declared_percent() -> None:
    outcome = _twenty_percent_better()  # productivity +20 %, defect rate 5 % -> 2.5 %: +50 %
    assert met_target(outcome, {"productivity": 20.0}) is True  # met exactly, despite 12/10 - 1 < 0.2 in floats
    assert met_target(outcome, {"productivity": 20.0, "quality": 50.0}) is True
    assert met_target(outcome, {"productivity": 20.1}) is False
    assert met_target(outcome, {"productivity": 10.0, "quality": 50.1}) is False


def test_met_target_is_none_when_a_target_cannot_be_judged() -> None:
    outcome = _twenty_percent_better()
    assert met_target(outcome, {}) is None
    assert met_target(outcome, {"productivity": 10.0, "cost": 5.0}) is None  # no energy reported
    # a target that is not comparable is left out; the comparable ones are judged
    assert met_target(outcome, {"productivity": 10.0, "delivery": None}) is True
    assert met_target(outcome, {"productivity": 30.0, "delivery": None}) is False
    assert met_target(outcome, {"delivery": None}) is None  # nothing comparable to judge


def test_met_target_refuses_an_unknown_measure() -> None:
    with pytest.raises(InvalidInput) as caught:
        met_target(_twenty_percent_better(), {"speed": 10.0})
    assert caught.value.problems[0].field == "targets.speed"


def test_plan_targets_become_required_improvements_in_percent() -> None:
    plan = targets_from_plan({
        "productivity": {"baseline": 100, "target": 120, "unit": "ea/h"},
        "quality": {"baseline": "5", "target": "4", "unit": "%"},
        "cost": {"baseline": "1,000", "target": 900, "unit": "KRW/ea"},
        "delivery": {"baseline": 90, "target": 95, "unit": "% on time"},
    })
    assert plan.targets["productivity"] == pytest.approx(20.0)
    assert plan.targets["quality"] == pytest.approx(20.0)
    assert plan.targets["cost"] == pytest.approx(10.0)
    assert plan.targets["delivery"] is None  # a rising delivery KPI is an on-time rate, not a lead time
    assert [p.field for p in plan.problems] == ["target_kpis.delivery"]


def test_plan_targets_that_cannot_be_read_are_declared_but_none() -> None:
    plan = targets_from_plan({"productivity": {"baseline": 0, "target": 5}, "quality": {"baseline": "x"},
                              "cost": "not an object"})
    assert plan.targets == {"productivity": None, "quality": None}
    assert [p.params["kpi"] for p in plan.problems] == ["productivity", "quality"]


# Roll-ups ------------------------------------------------------------------------------------------------------


def test_rollup_counts_projects_medians_and_the_share_that_met_targets() -> None:
    better = _twenty_percent_better()
    thin = compare(same(5, pq=100, apt_hours=10), same(5, pq=150, apt_hours=10), seed=1)
    small_gain = compare(same(20, pq=100, apt_hours=10), same(20, pq=105, apt_hours=10), seed=1)
    result = rollup([
        ("basic", better, {"productivity": 10.0}),
        ("basic", small_gain, {"productivity": 10.0}),
        ("basic", thin, {"productivity": 10.0}),
        ("advanced", better, None),
    ])
    assert list(result) == ["basic", "advanced"]
    basic = result["basic"]
    assert basic.projects == 3
    assert basic.computable == 2
    assert basic.measures[Measure.PRODUCTIVITY].computable == 2
    assert basic.measures[Measure.PRODUCTIVITY].median_improvement_pct == pytest.approx(12.5)
    assert basic.measures[Measure.PRODUCTIVITY].better == 2
    assert basic.measures[Measure.COST].median_improvement_pct is None
    assert basic.with_targets == 2
    assert basic.met_targets == 1
    assert basic.share_met == pytest.approx(0.5)
    assert result["advanced"].share_met is None


# Invariants ------------------------------------------------------------------------------------------------------

_days = st.lists(
    st.fixed_dictionaries({
        "pq": st.floats(1, 1e4), "apt": st.floats(60, 86_400), "sq": st.floats(0, 100),
        "rq": st.floats(0, 100), ENERGY_KEY: st.floats(0.1, 1e4), "aoet": st.floats(60, 1e6),
    }),
    min_size=MINIMUM_DAYS, max_size=40,
)


def _improvements(outcome: Outcome) -> Mapping[Measure, float | None]:
    return {measure: result.improvement_pct for measure, result in outcome.measures.items()}


@settings(max_examples=40, deadline=None)
@given(days=_days, seed=st.integers(0, 2**32))
def test_identical_periods_improve_by_nothing_and_their_interval_holds_zero(
        days: list[dict[str, float]], seed: int) -> None:
    outcome = compare(days, days, seed=seed, resamples=400)
    for result in outcome.measures.values():
        if result.computable:
            assert result.improvement_pct == 0.0
            assert result.ci_low_pct is not None
            assert result.ci_high_pct is not None
            assert result.ci_low_pct <= 0.0 <= result.ci_high_pct
            assert result.finding is not Finding.BETTER


@settings(max_examples=40, deadline=None)
@given(baseline=_days, after=_days)
def test_swapping_the_periods_inverts_the_ratio_and_lower_is_better_never_exceeds_100(
        baseline: list[dict[str, float]], after: list[dict[str, float]]) -> None:
    forward = compare(baseline, after, seed=1, resamples=100)
    backward = compare(after, baseline, seed=1, resamples=100)
    for measure in Measure:
        there, back = forward.measures[measure], backward.measures[measure]
        if there.baseline_value and there.after_value:
            assert back.baseline_value == pytest.approx(there.after_value)
        there_pct, back_pct = there.improvement_pct, back.improvement_pct
        if there_pct is not None and back_pct is not None:
            sign = 1 if there.higher_is_better else -1
            assert (1 + sign * there_pct / 100) * (1 + sign * back_pct / 100) == pytest.approx(1.0)
            if not there.higher_is_better:
                assert there_pct <= 100.0
