"""The ISO 22400-2 formulas over summed elements: hand-computed values, sums before ratios, and every refusal."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midas.errors import NotFound
from midas.i18n import catalog
from midas.kpi import compute as kpi_compute
from midas.kpi.compute import (
    KPIS,
    KPIS_BY_ID,
    MESSAGES,
    KpiUnit,
    KpiValue,
    compute,
    compute_all,
    cycle_problem,
    find_cycle,
    overlap_problem,
    overlapping,
    refuse_all,
)
from midas.kpi.elements import ELEMENT_SOURCES
from midas.standard.model.examples import EXAMPLE_RECORDS

EXAMPLE: Mapping[str, Any] = EXAMPLE_RECORDS["ProductionPerformance"]


def summed(records: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """What the engine keeps for a scope: each element summed over the records that reported it."""
    sums: dict[str, float] = {"records": 0, "failures": 0}
    for record in records:
        sums["records"] += 1
        for element, variable in ELEMENT_SOURCES.items():
            if variable in record:
                sums[element] = sums.get(element, 0) + record[variable]
        if "PlannedRuntimePerItem" in record and "ProducedQuantity" in record:
            sums["pru_pq"] = sums.get("pru_pq", 0) + record["PlannedRuntimePerItem"] * record["ProducedQuantity"]
        if record.get("ActualUnitDownTime", 0) > 0:
            sums["failures"] += 1
    return sums


def value_of(kpi_id: str, elements: Mapping[str, float]) -> float:
    result = compute(kpi_id, elements)
    assert result.problem is None, result.problem
    assert result.value is not None
    return result.value


# The example shift: PBT 28800 s, APT 24000 s, ASUT 1200 s, AUPT 25200 s, ADET 900 s, AUBT 26100 s, ADOT 1800 s,
# PRU 30 s, PQ 780, GQ 752, SQ 18, RQ 10, IP 780; one record with down time, so one failure.
HAND_COMPUTED = {
    "availability": 24000 / 28800,  # 0.8333
    "effectiveness": 30 * 780 / 24000,  # 23400 / 24000 = 0.975
    "quality_ratio": 752 / 780,  # 0.9641
    "oee_index": (23400 * 752) / (28800 * 780),  # 0.7833: the three factors multiplied, APT cancels
    "nee_index": (25200 * 23400 * 752) / (28800 * 24000 * 780),  # 0.8225
    "setup_rate": 1200 / 25200,
    "technical_efficiency": 24000 / 24900,
    "allocation_efficiency": 26100 / 28800,
    "utilization_efficiency": 24000 / 26100,
    "scrap_ratio": 18 / 780,
    "rework_ratio": 10 / 780,
    "mtbf": 25200.0,
    "mttr": 1800.0,
}


@pytest.mark.parametrize(("kpi_id", "expected"), HAND_COMPUTED.items())
def test_the_example_shift_gives_the_hand_computed_value(kpi_id: str, expected: float) -> None:
    assert value_of(kpi_id, summed([EXAMPLE])) == pytest.approx(expected, rel=1e-12)


def test_the_example_oee_is_about_78_percent_and_shown_as_a_percentage() -> None:
    result = compute("oee_index", summed([EXAMPLE]))
    assert result.shown == pytest.approx(78.333, abs=1e-3)
    assert compute("mttr", summed([EXAMPLE])).shown == 1800.0


@pytest.mark.parametrize(
    ("kpi_id", "element"),
    [
        ("throughput_rate", "ActualOrderExecutionTime"),
        ("production_process_ratio", "ActualOrderExecutionTime"),
        ("allocation_ratio", "ActualOrderExecutionTime"),
        ("worker_efficiency", "ActualPersonnelWorkTime"),
        ("first_pass_yield", "GoodPart"),
    ],
)
def test_an_element_no_record_reported_is_named_instead_of_a_number(kpi_id: str, element: str) -> None:
    result = compute(kpi_id, summed([EXAMPLE]))
    assert result.value is None
    assert result.problem is not None
    assert result.problem.message == kpi_compute.NOT_REPORTED
    assert result.problem.params["element"] == element
    assert result.problem.field == kpi_id
    assert element in result.problem.english()


def test_throughput_is_produced_quantity_per_hour_of_order_execution() -> None:
    elements = {**summed([EXAMPLE]), "aoet": 32400.0}
    assert value_of("throughput_rate", elements) == pytest.approx(780 / 9)  # 780 pieces in 9 hours
    assert KPIS_BY_ID["throughput_rate"].unit is KpiUnit.PER_HOUR


def test_finished_goods_ratio_says_k_mds_has_no_consumed_material() -> None:
    problem = compute("finished_goods_ratio", summed([EXAMPLE])).problem
    assert problem is not None
    assert problem.message == kpi_compute.NO_CONSUMED_MATERIAL


def test_finished_goods_ratio_is_computed_when_an_engine_supplies_consumed_material() -> None:
    assert value_of("finished_goods_ratio", {**summed([EXAMPLE]), "cm": 800.0}) == pytest.approx(752 / 800)


def test_fall_off_ratio_says_the_first_operation_is_not_marked() -> None:
    problem = compute("fall_off_ratio", summed([EXAMPLE])).problem
    assert problem is not None
    assert problem.message == kpi_compute.NO_FIRST_OPERATION
    assert value_of("fall_off_ratio", {**summed([EXAMPLE]), "pq_first_operation": 900.0}) == pytest.approx(18 / 900)


def test_two_shifts_are_summed_then_divided_not_averaged() -> None:
    full = {**EXAMPLE, "PlannedBusyTime": 28800, "ActualProductionTime": 28800}
    idle = {**EXAMPLE, "PlannedBusyTime": 3600, "ActualProductionTime": 0, "ProducedQuantity": 0, "GoodQuantity": 0}
    together = summed([full, idle])
    mean_of_ratios = (1.0 + 0.0) / 2
    assert value_of("availability", together) == pytest.approx(28800 / 32400)
    assert value_of("availability", together) != pytest.approx(mean_of_ratios)


def test_oee_over_two_records_is_not_the_product_of_averaged_factors() -> None:
    fast = {**EXAMPLE, "ActualProductionTime": 14400, "ProducedQuantity": 600, "GoodQuantity": 600}
    slow = {**EXAMPLE, "ActualProductionTime": 24000, "ProducedQuantity": 300, "GoodQuantity": 150}
    together = summed([fast, slow])
    expected = (30 * 900 * 750) / (2 * 28800 * 900)  # sum(PRU*PQ) * sum(GQ) / (sum(PBT) * sum(PQ))
    assert value_of("oee_index", together) == pytest.approx(expected)
    averaged = 1.0
    for factor in ("availability", "effectiveness", "quality_ratio"):
        averaged *= (value_of(factor, summed([fast])) + value_of(factor, summed([slow]))) / 2
    assert not math.isclose(value_of("oee_index", together), averaged, rel_tol=1e-6)


@given(
    st.lists(
        st.tuples(st.integers(1, 86400), st.integers(0, 86400)).map(lambda t: (t[0], min(t[0], t[1]))),
        min_size=1,
        max_size=20,
    )
)
def test_availability_of_a_scope_is_its_summed_times_divided(shifts: list[tuple[int, int]]) -> None:
    records = [{"PlannedBusyTime": pbt, "ActualProductionTime": apt} for pbt, apt in shifts]
    expected = sum(apt for _, apt in shifts) / sum(pbt for pbt, _ in shifts)
    assert value_of("availability", summed(records)) == pytest.approx(expected)


@pytest.mark.parametrize("elements", [{}, {"records": 0, "pbt": 0.0, "apt": 0.0}])
def test_a_scope_without_records_is_not_computable(elements: dict[str, float]) -> None:
    for result in compute_all(elements):
        assert result.value is None
        assert result.problem is not None
        assert result.problem.message == kpi_compute.NO_RECORDS


@pytest.mark.parametrize("kpi_id", ["availability", "oee_index", "nee_index", "allocation_efficiency"])
def test_no_planned_busy_time_is_said_so_when_missing_or_zero(kpi_id: str) -> None:
    without = {k: v for k, v in summed([EXAMPLE]).items() if k != "pbt"}
    zero = {**summed([EXAMPLE]), "pbt": 0.0}
    for elements in (without, zero):
        problem = compute(kpi_id, elements).problem
        assert problem is not None
        assert problem.message == kpi_compute.NO_PLANNED_BUSY_TIME


def test_a_zero_denominator_is_named_with_its_elements() -> None:
    elements = {**summed([EXAMPLE]), "apt": 0.0, "adet": 0.0}
    problem = compute("technical_efficiency", elements).problem
    assert problem is not None
    assert problem.message == kpi_compute.ZERO_DENOMINATOR
    assert problem.params["denominator"] == "ActualProductionTime + ActualUnitDelayTime"


def test_oee_with_no_production_time_is_refused_rather_than_zero() -> None:
    elements = {**summed([EXAMPLE]), "apt": 0.0}
    problem = compute("oee_index", elements).problem
    assert problem is not None
    assert problem.message == kpi_compute.ZERO_DENOMINATOR
    assert problem.params["denominator"] == "ActualProductionTime"


def test_a_zero_numerator_is_a_value_of_zero() -> None:
    assert value_of("scrap_ratio", {**summed([EXAMPLE]), "sq": 0.0}) == 0.0


def test_mtbf_and_mttr_without_a_failure_say_there_was_none() -> None:
    no_down_time = summed([{**EXAMPLE, "ActualUnitDownTime": 0}])
    for kpi_id in ("mtbf", "mttr"):
        problem = compute(kpi_id, no_down_time).problem
        assert problem is not None
        assert problem.message == kpi_compute.NO_FAILURES


def test_mtbf_and_mttr_divide_by_the_number_of_records_with_down_time() -> None:
    records = [EXAMPLE, {**EXAMPLE, "ActualUnitDownTime": 600}, {**EXAMPLE, "ActualUnitDownTime": 0}]
    assert value_of("mtbf", summed(records)) == pytest.approx(3 * 25200 / 2)
    assert value_of("mttr", summed(records)) == pytest.approx((1800 + 600) / 2)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_a_sum_that_is_negative_or_not_finite_is_refused(bad: float) -> None:
    problem = compute("availability", {**summed([EXAMPLE]), "apt": bad}).problem
    assert problem is not None
    assert problem.message == kpi_compute.NOT_A_SUM
    assert problem.params["element"] == "ActualProductionTime"


def test_an_unknown_kpi_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        compute("happiness", summed([EXAMPLE]))
    assert raised.value.params == {"kpi": "happiness"}


def test_compute_all_gives_every_kpi_once_in_order_and_accepts_definitions() -> None:
    results = compute_all(summed([EXAMPLE]))
    assert [r.definition.id for r in results] == [k.id for k in KPIS]
    assert len(set(KPIS_BY_ID)) == len(KPIS)
    assert compute(KPIS_BY_ID["availability"], summed([EXAMPLE])) == results[0]


def test_a_kpi_value_has_a_value_or_a_problem_never_both_nor_neither() -> None:
    problem = cycle_problem(("A", "B"))
    with pytest.raises(ValueError, match="either"):
        KpiValue(KPIS[0], 1.0, problem)
    with pytest.raises(ValueError, match="either"):
        KpiValue(KPIS[0], None, None)


def test_refuse_all_gives_every_kpi_the_same_problem() -> None:
    problem = cycle_problem(("A", "B"))
    refused = refuse_all(problem)
    assert [r.definition for r in refused] == list(KPIS)
    assert all(r.value is None and r.problem == problem for r in refused)


def test_higher_is_better_follows_the_ontology_rating_for_the_loss_ratios() -> None:
    lower = {k.id for k in KPIS if not k.higher_is_better}
    assert lower == {"setup_rate", "scrap_ratio", "rework_ratio", "fall_off_ratio", "mttr"}


# --- structural refusals ---------------------------------------------------------------------------------


def test_a_forest_has_no_cycle() -> None:
    assert find_cycle({"site": "enterprise", "line": "site", "cell": "line", "other": None, "orphan": "gone"}) is None
    assert find_cycle({}) is None


def test_a_self_parent_is_a_cycle_of_one() -> None:
    assert find_cycle({"a": None, "b": "b"}) == ("b",)


def test_a_cycle_reached_through_a_tail_is_given_from_its_smallest_id_child_first() -> None:
    parent_of = {"tail": "c", "c": "d", "d": "b", "b": "c", "root": None}
    assert find_cycle(parent_of) == ("b", "c", "d")
    assert find_cycle(dict(reversed(parent_of.items()))) == ("b", "c", "d")


@given(st.integers(2, 30), st.randoms(use_true_random=False))
def test_a_ring_is_found_whatever_the_order(size: int, rng: Any) -> None:
    ids = [f"u{i:02d}" for i in range(size)]
    ring = {ids[i]: ids[(i + 1) % size] for i in range(size)}
    items = list(ring.items())
    rng.shuffle(items)
    assert find_cycle(dict(items)) == tuple(ids)


def test_the_cycle_problem_writes_the_path_around() -> None:
    problem = cycle_problem(("b", "c", "d"))
    assert problem.message == kpi_compute.HIERARCHY_CYCLE
    assert problem.english() == "Not computable because the equipment hierarchy has a cycle: b -> c -> d -> b"


T0 = datetime(2025, 3, 2, 23, 0, tzinfo=UTC)


def hours(start: float, end: float) -> tuple[datetime, datetime]:
    return T0 + timedelta(hours=start), T0 + timedelta(hours=end)


def test_periods_that_touch_do_not_overlap() -> None:
    assert overlapping([hours(8, 16), hours(0, 8), hours(16, 24)]) is None
    assert overlapping([]) is None


def test_an_overlap_gives_both_indexes_earlier_start_first() -> None:
    assert overlapping([hours(16, 24), hours(0, 8), hours(7, 9)]) == (1, 2)


def test_a_period_inside_a_long_one_overlaps_even_after_a_short_one() -> None:
    assert overlapping([hours(0, 24), hours(1, 2), hours(5, 6)]) == (0, 1)
    assert overlapping([hours(0, 10), hours(1, 2), hours(3, 4)]) == (0, 1)


def test_an_empty_period_overlaps_nothing_and_a_reversed_one_is_an_error() -> None:
    assert overlapping([hours(0, 8), hours(4, 4)]) is None
    with pytest.raises(ValueError, match="before it starts"):
        overlapping([hours(8, 0)])


@given(st.lists(st.tuples(st.integers(0, 48), st.integers(1, 6)), max_size=12))
def test_overlapping_agrees_with_comparing_every_pair(spans: list[tuple[int, int]]) -> None:
    periods = [hours(start, start + length) for start, length in spans]
    pairs = [
        (i, j) for i in range(len(periods)) for j in range(len(periods))
        if i != j and periods[i][0] < periods[j][1] and periods[j][0] < periods[i][1]
    ]
    found = overlapping(periods)
    if not pairs:
        assert found is None
    else:
        assert found in pairs


def test_the_overlap_problem_names_the_work_unit_and_both_periods() -> None:
    problem = overlap_problem("HB-CW-M-L1-P01", hours(0, 9), hours(8, 12))
    assert problem.field == "HB-CW-M-L1-P01"
    assert problem.message == kpi_compute.OVERLAPPING_PERIODS
    assert problem.params["first"] == "2025-03-02T23:00:00+00:00/2025-03-03T08:00:00+00:00"
    assert "HB-CW-M-L1-P01" in problem.english()


# --- messages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("message", MESSAGES)
def test_every_message_has_a_korean_translation(message: str) -> None:
    assert message in catalog("ko")


def test_every_refusal_uses_a_listed_message() -> None:
    cases = [
        {},
        summed([EXAMPLE]),
        {**summed([EXAMPLE]), "apt": 0.0, "adet": 0.0, "aupt": -1.0},
        summed([{**EXAMPLE, "ActualUnitDownTime": 0}]),
    ]
    messages = {r.problem.message for e in cases for r in compute_all(e) if r.problem is not None}
    assert messages <= set(MESSAGES)
    assert len(messages) >= 6
