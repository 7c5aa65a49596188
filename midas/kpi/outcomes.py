"""Program outcomes (PQCD): what a supported project changed on the shop floor, with how sure we can be.

The engine (:mod:`midas.kpi.service`) hands over, per supported project's factory, the daily sums of elements
(:mod:`midas.kpi.elements`) over a baseline period before the project and the same-length period after its
completion. This module is pure: no database, only the statistics.

Measures (ratios of sums over the period, never means of daily ratios):

- **productivity** = ProducedQuantity per hour of ActualProductionTime (``pq / (apt / 3600)``), higher is better;
- **quality** = defect rate ``(sq + rq) / pq``, lower is better (an unreported scrap or rework count is 0 when the
  day reports the other one);
- **cost** = energy per unit ``energy_kwh / pq`` (kWh from the K-MDS EnergyCarbon records), lower is better;
  not computable when no energy use is reported;
- **delivery** = throughput lead time: hours of ActualOrderExecutionTime per order when every day that reports
  ``aoet`` also counts its orders (``orders``), else per unit produced; lower is better. The on-time rate is not
  computable: K-MDS records carry no due date, and it is reported as such rather than guessed.

Confidence: a circular block bootstrap of days (blocks of :data:`BLOCK_DAYS` = a week, so that weekday patterns
and day-to-day dependence stay inside the resampled series; circular so that every day is drawn as often as any
other), each period resampled on its own, the percentile interval of the improvement. Deterministic given the
seed. A measure needs :data:`MINIMUM_DAYS` days with data in each period to be said anything about.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

from midas.errors import InvalidInput, Problem

__all__ = [
    "BLOCK_DAYS",
    "DEFAULT_RESAMPLES",
    "ENERGY_KEY",
    "FINDING_LABELS",
    "MEASURE_LABELS",
    "MINIMUM_DAYS",
    "ORDERS_KEY",
    "Finding",
    "Measure",
    "MeasureOutcome",
    "MeasureRollup",
    "Outcome",
    "OutcomeRollup",
    "PlanTargets",
    "Targets",
    "compare",
    "met_target",
    "rollup",
    "targets_from_plan",
]

#: Days with data a period needs, per measure, before a change is stated. Twenty is about a month of working
#: days: enough for three weekly blocks, below which a percentile bootstrap interval is too narrow to trust.
MINIMUM_DAYS: Final = 20
#: Length of a bootstrap block: a week, the strongest cycle in daily production data.
BLOCK_DAYS: Final = 7
DEFAULT_RESAMPLES: Final = 2000
MIN_RESAMPLES: Final = 100
MAX_RESAMPLES: Final = 100_000
CONFIDENCE_PERCENT: Final = 95
#: Slack in comparing an improvement with its target: 12/10 - 1 is 0.19999999999999996 in floating point, and a
#: target of exactly +20 % reached exactly must count as met.
TARGET_TOLERANCE_PCT: Final = 1e-9

#: The daily key of energy use in kWh (summed from the K-MDS EnergyCarbon records), when reported.
ENERGY_KEY: Final = "energy_kwh"
#: The daily key of the number of production orders executed, when the engine can count them.
ORDERS_KEY: Final = "orders"

SECONDS_PER_HOUR: Final = 3600.0


class Measure(StrEnum):
    PRODUCTIVITY = "productivity"
    QUALITY = "quality"
    COST = "cost"
    DELIVERY = "delivery"


class Finding(StrEnum):
    """What can be said of one measure's change."""

    BETTER = "better"  # the whole interval is above 0
    WORSE = "worse"  # the whole interval is below 0
    NO_CLEAR_CHANGE = "no_clear_change"  # the interval spans 0
    TOO_THIN = "too_thin"  # some data, too little to say
    NOT_COMPUTABLE = "not_computable"  # the measure cannot be formed at all


MEASURE_LABELS: Final[Mapping[Measure, str]] = {
    Measure.PRODUCTIVITY: "Productivity",
    Measure.QUALITY: "Quality (defect rate)",
    Measure.COST: "Cost (energy per unit)",
    Measure.DELIVERY: "Delivery (lead time)",
}

FINDING_LABELS: Final[Mapping[Finding, str]] = {
    Finding.BETTER: "Better",
    Finding.WORSE: "Worse",
    Finding.NO_CLEAR_CHANGE: "No clear change",
    Finding.TOO_THIN: "Too thin to say",
    Finding.NOT_COMPUTABLE: "Not computable",
}

HIGHER_IS_BETTER: Final[Mapping[Measure, bool]] = {
    Measure.PRODUCTIVITY: True,
    Measure.QUALITY: False,
    Measure.COST: False,
    Measure.DELIVERY: False,
}

#: What a day must report for each measure, as K-MDS variable names (shown untranslated in every language).
REQUIRED_REPORTS: Final[Mapping[Measure, str]] = {
    Measure.PRODUCTIVITY: "ProducedQuantity, ActualProductionTime",
    Measure.QUALITY: "ProducedQuantity, ScrapQuantity/ReworkQuantity",
    Measure.COST: "ProducedQuantity, EnergyConsumption (kWh)",
    Measure.DELIVERY: "ProducedQuantity, ActualOrderExecutionTime",
}
#: The variable each measure divides by: a day where it is zero has no value of the measure.
DENOMINATORS: Final[Mapping[Measure, str]] = {
    Measure.PRODUCTIVITY: "ActualProductionTime",
    Measure.QUALITY: "ProducedQuantity",
    Measure.COST: "ProducedQuantity",
    Measure.DELIVERY: "ProducedQuantity",
}

#: Declared targets: required improvement in % per measure (positive = better, as :attr:`MeasureOutcome.
#: improvement_pct`); None = declared in the plan but not comparable with what is measured.
Targets = Mapping[str, float | None]

Day = Mapping[str, float]
Pairs = npt.NDArray[np.float64]  # shape (days, 2): numerator, denominator
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class MeasureOutcome:
    """One measure before and after, and its improvement in % (positive = better) with a confidence interval.

    Values are shown even when the finding is TOO_THIN (the page may show them), but then no improvement is
    stated. ``reason`` says why a measure is flagged (thin, not computable, no clear change)."""

    measure: Measure
    finding: Finding
    unit: str
    higher_is_better: bool
    baseline_days: int
    after_days: int
    baseline_value: float | None = None
    after_value: float | None = None
    improvement_pct: float | None = None
    ci_low_pct: float | None = None
    ci_high_pct: float | None = None
    reason: Problem | None = None

    @property
    def computable(self) -> bool:
        """Whether an improvement is stated (clear or not)."""
        return self.improvement_pct is not None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A project's PQCD outcome: every measure, and what could not be measured at all and why."""

    measures: Mapping[Measure, MeasureOutcome]
    unmeasured: tuple[Problem, ...]
    resamples: int
    seed: int
    confidence_pct: int = CONFIDENCE_PERCENT
    block_days: int = BLOCK_DAYS

    @property
    def computable(self) -> bool:
        """Whether at least one measure states an improvement."""
        return any(m.computable for m in self.measures.values())


@dataclass(frozen=True, slots=True)
class PlanTargets:
    """Targets read from an application plan, as required improvements in %, with what could not be read."""

    targets: dict[str, float | None]
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class MeasureRollup:
    """One measure over a group of projects."""

    computable: int
    better: int
    worse: int
    no_clear_change: int
    median_improvement_pct: float | None


@dataclass(frozen=True, slots=True)
class OutcomeRollup:
    """A group of projects (a track, region, KSIC division or year): counts, medians and targets met."""

    projects: int
    computable: int
    measures: Mapping[Measure, MeasureRollup]
    with_targets: int  # projects whose targets could be judged
    met_targets: int

    @property
    def share_met(self) -> float | None:
        """The share (0..1) of judged projects that met their targets; None when none could be judged."""
        return self.met_targets / self.with_targets if self.with_targets else None


# Input ---------------------------------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    """A finite number as float (int, float or Decimal, as SQL sums come back), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _clean_days(days: Sequence[Mapping[str, object]], where: str, problems: list[Problem]) -> list[Day]:
    """Every daily sum as a float, finite and not negative: a NaN or a negative sum is an engine fault, not a
    measurement, and is refused with its place (``baseline[3].pq``)."""
    cleaned: list[Day] = []
    for index, day in enumerate(days):
        row: dict[str, float] = {}
        for key, value in day.items():
            number = _number(value)
            if number is None or number < 0:
                problems.append(Problem(f"{where}[{index}].{key}",
                                        "A daily sum must be a finite number of zero or more, not {value}",
                                        {"value": str(value)[:30]}))
            else:
                row[key] = number
        cleaned.append(row)
    return cleaned


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_settings(seed: object, resamples: object) -> list[Problem]:
    problems = []
    whole_seed, whole_resamples = _whole(seed), _whole(resamples)
    if whole_seed is None or whole_seed < 0:
        problems.append(Problem("seed", "The seed must be a whole number of zero or more, not {value}",
                                {"value": str(seed)[:30]}))
    if whole_resamples is None or not MIN_RESAMPLES <= whole_resamples <= MAX_RESAMPLES:
        problems.append(Problem("resamples", "The number of resamples must be between {minimum} and {maximum}, "
                                "not {value}", {"minimum": MIN_RESAMPLES, "maximum": MAX_RESAMPLES,
                                                "value": str(resamples)[:30]}))
    return problems


# Daily numerators and denominators ------------------------------------------------------------------------------


def _counts_orders(days: Iterable[Day]) -> bool:
    """Whether delivery can be per order: some day reports ``aoet`` and every such day counts its orders."""
    with_time = [day for day in days if "aoet" in day]
    return bool(with_time) and all(day.get(ORDERS_KEY, 0) > 0 for day in with_time)


def _productivity_pair(day: Day) -> tuple[float, float] | None:
    if "pq" not in day or day.get("apt", 0) <= 0:
        return None
    return day["pq"], day["apt"] / SECONDS_PER_HOUR


def _quality_pair(day: Day) -> tuple[float, float] | None:
    if day.get("pq", 0) <= 0 or ("sq" not in day and "rq" not in day):
        return None
    return day.get("sq", 0.0) + day.get("rq", 0.0), day["pq"]


def _cost_pair(day: Day) -> tuple[float, float] | None:
    if ENERGY_KEY not in day or day.get("pq", 0) <= 0:
        return None
    return day[ENERGY_KEY], day["pq"]


def _delivery_pair(day: Day, per_order: bool) -> tuple[float, float] | None:
    denominator = day.get(ORDERS_KEY, 0) if per_order else day.get("pq", 0)
    if "aoet" not in day or denominator <= 0:
        return None
    return day["aoet"] / SECONDS_PER_HOUR, denominator


def _pairs(measure: Measure, days: Sequence[Day], per_order: bool) -> Pairs:
    """The (numerator, denominator) of each day with data for the measure, in day order; days without are left
    out (a factory that did not run that day says nothing about its productivity)."""
    rows: list[tuple[float, float]] = []
    for day in days:
        if measure is Measure.PRODUCTIVITY:
            pair = _productivity_pair(day)
        elif measure is Measure.QUALITY:
            pair = _quality_pair(day)
        elif measure is Measure.COST:
            pair = _cost_pair(day)
        else:
            pair = _delivery_pair(day, per_order)
        if pair is not None:
            rows.append(pair)
    return np.array(rows, dtype=np.float64).reshape(len(rows), 2)


def _unit(measure: Measure, per_order: bool) -> str:
    return {Measure.PRODUCTIVITY: "units/h", Measure.QUALITY: "defects/unit", Measure.COST: "kWh/unit",
            Measure.DELIVERY: "h/order" if per_order else "h/unit"}[measure]


# Statistics ----------------------------------------------------------------------------------------------------


def _ratio_of_sums(pairs: Pairs) -> float:
    return float(pairs[:, 0].sum() / pairs[:, 1].sum())


def _improvement(baseline: npt.NDArray[np.float64] | float, after: npt.NDArray[np.float64] | float,
                 higher_is_better: bool) -> npt.NDArray[np.float64]:
    """Change in %, signed so that positive is better: up for higher-is-better, down for lower-is-better."""
    change = (np.asarray(after, dtype=np.float64) / np.asarray(baseline, dtype=np.float64) - 1.0) * 100.0
    return change if higher_is_better else -change


def _block_indices(days: int, resamples: int, rng: np.random.Generator) -> npt.NDArray[np.intp]:
    """Circular block bootstrap: per resample, random week-long runs of consecutive days (wrapping at the end)
    laid end to end and cut to the period's length."""
    block = min(BLOCK_DAYS, days)
    blocks = -(-days // block)
    starts = rng.integers(0, days, size=(resamples, blocks))
    runs = (starts[:, :, None] + np.arange(block)[None, None, :]) % days
    return runs.reshape(resamples, blocks * block)[:, :days]


def _resampled_values(pairs: Pairs, resamples: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """The ratio of sums over each resampled series of days."""
    index = _block_indices(len(pairs), resamples, rng)
    sums: npt.NDArray[np.float64] = pairs[index].sum(axis=1)
    return sums[:, 0] / sums[:, 1]


# One measure ---------------------------------------------------------------------------------------------------


def _none_reported(measure: Measure, baseline: Pairs, after: Pairs) -> Problem | None:
    """No day of a period has the measure: its variables unreported, or its denominator zero every day."""
    params = {"elements": REQUIRED_REPORTS[measure], "denominator": DENOMINATORS[measure]}
    if not len(baseline):
        return Problem(measure.value, "Not computable because no day before the project reports {elements} with "
                       "{denominator} above zero", params)
    if not len(after):
        return Problem(measure.value, "Not computable because no day after completion reports {elements} with "
                       "{denominator} above zero", params)
    return None


def _too_few_days(measure: Measure, baseline: Pairs, after: Pairs, minimum: int) -> Problem | None:
    if len(baseline) < minimum:
        return Problem(measure.value, "Too thin to say because only {days} day(s) before the project have data, "
                       "fewer than the {minimum} needed", {"days": len(baseline), "minimum": minimum})
    if len(after) < minimum:
        return Problem(measure.value, "Too thin to say because only {days} day(s) after completion have data, "
                       "fewer than the {minimum} needed", {"days": len(after), "minimum": minimum})
    return None


def _finding(low: float, high: float) -> Finding:
    if low > 0:
        return Finding.BETTER
    if high < 0:
        return Finding.WORSE
    return Finding.NO_CLEAR_CHANGE


def _measure_outcome(measure: Measure, baseline_days: Sequence[Day], after_days: Sequence[Day], *,
                     per_order: bool, rng: np.random.Generator, resamples: int, minimum: int) -> MeasureOutcome:
    baseline, after = _pairs(measure, baseline_days, per_order), _pairs(measure, after_days, per_order)
    higher = HIGHER_IS_BETTER[measure]
    base = MeasureOutcome(measure, Finding.NOT_COMPUTABLE, _unit(measure, per_order), higher, len(baseline),
                          len(after))
    missing = _none_reported(measure, baseline, after)
    if missing is not None:
        return replace(base, reason=missing)
    before_value, after_value = _ratio_of_sums(baseline), _ratio_of_sums(after)
    valued = replace(base, baseline_value=before_value, after_value=after_value)
    thin = _too_few_days(measure, baseline, after, minimum)
    if thin is not None:
        return replace(valued, finding=Finding.TOO_THIN, reason=thin)
    if before_value == 0:
        return replace(valued, reason=Problem(
            measure.value, "Not computable because the value before the project is zero, so a change in percent is "
            "undefined"))
    resampled_before = _resampled_values(baseline, resamples, rng)
    resampled_after = _resampled_values(after, resamples, rng)
    if np.any(resampled_before == 0):
        return replace(valued, finding=Finding.TOO_THIN, reason=Problem(
            measure.value, "Too thin to say because resampled days before the project give a value of zero, so the "
            "interval of the change is unbounded"))
    improvement = float(_improvement(before_value, after_value, higher))
    tail = (100 - CONFIDENCE_PERCENT) / 2
    low, high = (float(v) for v in np.percentile(_improvement(resampled_before, resampled_after, higher),
                                                 [tail, 100 - tail]))
    finding = _finding(low, high)
    reason = None
    if finding is Finding.NO_CLEAR_CHANGE:
        reason = Problem(measure.value, "No clear change because the {confidence} % interval of the improvement, "
                         "{low} % to {high} %, includes zero",
                         {"confidence": CONFIDENCE_PERCENT, "low": round(low, 1), "high": round(high, 1)})
    return replace(valued, finding=finding, improvement_pct=improvement, ci_low_pct=low, ci_high_pct=high,
                    reason=reason)


# Public API ----------------------------------------------------------------------------------------------------


def compare(baseline_days: Sequence[Mapping[str, object]], after_days: Sequence[Mapping[str, object]], *, seed: int,
            resamples: int = DEFAULT_RESAMPLES, minimum_days: int = MINIMUM_DAYS) -> Outcome:
    """The PQCD outcome of a project from the daily element sums before it and after its completion.

    Each list holds one mapping of element sums per day, in date order (the order matters to the block
    bootstrap); the keys are those of :mod:`midas.kpi.elements` plus :data:`ENERGY_KEY` and :data:`ORDERS_KEY`
    when known. Each measure gets its own random stream spawned from ``seed``, so its interval does not depend
    on which other measures could be computed. Raises :class:`InvalidInput` for NaN or negative sums.
    """
    problems = _check_settings(seed, resamples)
    before, after = _clean_days(baseline_days, "baseline", problems), _clean_days(after_days, "after", problems)
    if problems:
        raise InvalidInput(problems)
    per_order = _counts_orders([*before, *after])
    streams = np.random.SeedSequence(seed).spawn(len(Measure))
    measures = {
        measure: _measure_outcome(measure, before, after, per_order=per_order,
                                  rng=np.random.default_rng(stream), resamples=resamples, minimum=minimum_days)
        for measure, stream in zip(Measure, streams, strict=True)
    }
    on_time = Problem("delivery.on_time_rate", "On-time rate not computable because K-MDS records carry no due date")
    return Outcome(measures=measures, unmeasured=(on_time,), resamples=resamples, seed=seed)


def _check_targets(targets: Mapping[str, object]) -> None:
    problems = []
    known = ", ".join(m.value for m in Measure)
    for name, value in targets.items():
        if name not in {m.value for m in Measure}:
            problems.append(Problem(f"targets.{name}", "No measure is named {name}; the measures are {known}",
                                    {"name": str(name)[:40], "known": known}))
        elif value is not None and _number(value) is None:
            problems.append(Problem(f"targets.{name}", "A target is a change in percent, a finite number, not {value}",
                                    {"value": str(value)[:30]}))
    if problems:
        raise InvalidInput(problems)


def met_target(outcome: Outcome, targets: Targets) -> bool | None:
    """Whether the project met its declared targets that can be measured: each comparable measure's improvement
    (the point estimate, as the support follow-up judges an achieved value) at least the target's %. A target that
    is not comparable with what K-MDS measures (None: e.g. a delivery target stated as an on-time rate) is left
    out rather than making every such project unjudgeable. None when no comparable target is declared, or when a
    comparable target's measure is not computable or too thin to say."""
    _check_targets(targets)
    comparable = {name: required for name, required in targets.items() if required is not None}
    if not comparable:
        return None
    met = True
    for name, required in comparable.items():
        improvement = outcome.measures[Measure(name)].improvement_pct
        if improvement is None:
            return None
        met = met and improvement >= required - TARGET_TOLERANCE_PCT
    return met


def _plan_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and value.strip():
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _plan_target(measure: Measure, entry: Mapping[str, object]) -> tuple[float | None, Problem | None]:
    """A plan's {baseline, target} as the improvement in % the measured value must reach."""
    baseline, target = _plan_number(entry.get("baseline")), _plan_number(entry.get("target"))
    name = measure.value
    if baseline is None or target is None:
        return None, Problem(f"target_kpis.{name}", "The plan's baseline or target for {kpi} is not a number",
                             {"kpi": name})
    if baseline == 0:
        return None, Problem(f"target_kpis.{name}", "The plan's baseline for {kpi} is zero, so its target cannot be "
                             "read as a change in percent", {"kpi": name})
    change = (target - baseline) / abs(baseline) * 100.0
    required = change if HIGHER_IS_BETTER[measure] else -change
    if required < 0:
        return None, Problem(f"target_kpis.{name}", "The plan's target for {kpi} ({baseline} to {target}) moves "
                             "against the direction in which the measured {kpi} improves; it measures something "
                             "else and cannot be compared", {"kpi": name, "baseline": baseline, "target": target})
    return required, None


def targets_from_plan(target_kpis: Mapping[str, object]) -> PlanTargets:
    """The targets of an application plan's ``target_kpis`` ({measure: {baseline, target, unit}}, in the
    company's own units) as required improvements in %: ``(target - baseline) / |baseline|``, signed so that
    positive = better. The plan's unit is the company's, so only the relative change is carried over; a target
    that moves against the measured direction (a delivery target that rises, i.e. an on-time rate) measures
    something else: declared, but None (not comparable). Unknown keys are ignored (the support domain refuses
    them when the plan is written)."""
    targets: dict[str, float | None] = {}
    problems: list[Problem] = []
    for measure in Measure:
        entry = target_kpis.get(measure.value)
        if not isinstance(entry, Mapping):
            continue
        required, problem = _plan_target(measure, entry)
        targets[measure.value] = required
        if problem is not None:
            problems.append(problem)
    return PlanTargets(targets=targets, problems=tuple(problems))


def _measure_rollup(outcomes: Sequence[Outcome], measure: Measure) -> MeasureRollup:
    results = [o.measures[measure] for o in outcomes]
    improvements = [r.improvement_pct for r in results if r.improvement_pct is not None]
    return MeasureRollup(
        computable=len(improvements),
        better=sum(r.finding is Finding.BETTER for r in results),
        worse=sum(r.finding is Finding.WORSE for r in results),
        no_clear_change=sum(r.finding is Finding.NO_CLEAR_CHANGE for r in results),
        median_improvement_pct=statistics.median(improvements) if improvements else None,
    )


def _group_rollup(entries: Sequence[tuple[Outcome, Targets | None]]) -> OutcomeRollup:
    outcomes = [outcome for outcome, _ in entries]
    verdicts = [met_target(outcome, targets) for outcome, targets in entries if targets is not None]
    judged = [v for v in verdicts if v is not None]
    return OutcomeRollup(
        projects=len(outcomes),
        computable=sum(o.computable for o in outcomes),
        measures={measure: _measure_rollup(outcomes, measure) for measure in Measure},
        with_targets=len(judged),
        met_targets=sum(judged),
    )


def rollup(entries: Iterable[tuple[K, Outcome, Targets | None]]) -> dict[K, OutcomeRollup]:
    """Per key (a track, region, KSIC division or year): projects, how many computable, per measure the median
    improvement (over every project that states one, clear or not: leaving out unclear ones would flatter the
    median) and the findings, and how many of the projects whose targets could be judged met them. Keys keep
    the order they first appear in."""
    groups: dict[K, list[tuple[Outcome, Targets | None]]] = {}
    for key, outcome, targets in entries:
        groups.setdefault(key, []).append((outcome, targets))
    return {key: _group_rollup(group) for key, group in groups.items()}
