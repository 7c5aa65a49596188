"""The ISO 22400-2 KPI formulas over summed elements, and the structural checks that refuse a KPI outright.

This module is pure: it knows nothing of the database. The engine (:mod:`midas.kpi.service`) sums the additive
elements of :mod:`midas.kpi.elements` over a scope (a work unit's shift, a factory's month, a KSIC division's
year, the nation) and hands the sums to :func:`compute`. Every KPI is a product of ratios of those sums, so an
aggregate is always "sum first, divide after" and never a mean of ratios: the mean of two shifts' availabilities
is not the availability of the two shifts together.

Names, formulas and IRIs are those of the ISO 22400-2 ontology (``http://www.w3id.org/hsu-aut/ISO22400-2#``);
``tests/kpi/test_ontology.py`` checks each formula against the ontology's.

**Effectiveness is not Nakajima's performance.** ISO 22400-2 defines OEE as Availability x Effectiveness x
Quality ratio, with Effectiveness = PRU x PQ / APT: the planned run time of what was produced over the *actual
production time* (APT, the time the unit actually produced, after setup, delays and down time are taken out).
The Nakajima/TPM "performance" factor that many OEE tools use is ideal cycle time x total count / *run time*
(operating time after down time), and it treats speed losses and minor stops as losses inside that run time.
The denominators differ: ISO's APT already excludes delays (ADET), which ISO counts separately in technical
efficiency, while Nakajima's run time includes the short stops. The two "OEE"s are therefore not comparable, and
a PRU (planned time per item) is not necessarily an ideal (fastest possible) cycle time; ISO's effectiveness can
exceed 100 % when the plan was slow.

**What K-MDS cannot give.** Two ontology KPIs need an element no K-MDS production record carries:

- Finished goods ratio = GQ / CM needs the consumed material (CM). It is declared with element ``cm`` and is
  reported as not computable (with that reason) unless an engine supplies ``cm``.
- Fall off ratio = SQ / PQ *of the first production order sequence* needs the produced quantity of the first
  operation of each production order. K-MDS records carry an ``OperationId`` but do not mark which operation is
  the first of its order, so the ratio is declared over element ``pq_first_operation`` and is not computable
  unless an engine supplies it. Computing SQ / PQ over the scope instead would just repeat the scrap ratio under
  another name.

**MTBF and MTTR** have IRIs in the ontology but no formula. Ours, over a scope:

- MTBF = AUPT / failures: the ontology's operating time between failures (TBF) "includes setup time and
  production time ... but no delay times", which is the actual unit processing time AUPT = APT + ASUT;
- MTTR = ADOT / failures: the ontology's time to restoration is the time "in a down state due to a failure",
  the actual unit down time ADOT.

``failures`` counts the records that reported ADOT > 0 (see :mod:`midas.kpi.elements`): with one record per
stoppage (the MTConnect, OPC UA and Sparkplug converters) it is the number of failures; with daily reports a day
with down time counts as one failure, which overstates MTBF and MTTR. A scope with no failure has no MTBF: we say
so rather than report an infinite or zero time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from midas.errors import NotFound, Problem
from midas.kpi.elements import ELEMENT_SOURCES, Elements

__all__ = [
    "KPIS",
    "KPIS_BY_ID",
    "MESSAGES",
    "ONTOLOGY",
    "KpiDefinition",
    "KpiUnit",
    "KpiValue",
    "Ratio",
    "compute",
    "compute_all",
    "cycle_problem",
    "element_name",
    "find_cycle",
    "overlap_problem",
    "overlapping",
    "refuse_all",
]

#: The namespace of the ISO 22400-2 ontology's KPI and element IRIs.
ONTOLOGY: Final = "http://www.w3id.org/hsu-aut/ISO22400-2#"

#: Seconds in an hour: throughput is shown per hour while the elements are in seconds.
SECONDS_PER_HOUR: Final = 3600.0

#: How the elements that are not a single K-MDS variable read in a message.
_DERIVED_ELEMENT_NAMES: Final[Mapping[str, str]] = {
    "pru_pq": "PlannedRuntimePerItem x ProducedQuantity",
    "failures": "failures (records with ActualUnitDownTime > 0)",
    "records": "records",
    "cm": "ConsumedMaterial",
    "pq_first_operation": "ProducedQuantity of the first operation",
}

# Why a KPI is not computable: English message ids, translated in midas/locale/ko/LC_MESSAGES/kpi-compute.po.
# A KPI's problem also carries the parameter "kpi" (its ISO name) for a page that lists problems apart.
NO_RECORDS: Final = "Not computable because the scope has no production records"
NO_PLANNED_BUSY_TIME: Final = "Not computable because no planned busy time is recorded for the period"
NOT_REPORTED: Final = "Not computable because no record reported {element}"
NO_CONSUMED_MATERIAL: Final = "Not computable because K-MDS production records carry no consumed material (CM)"
NO_FIRST_OPERATION: Final = (
    "Not computable because K-MDS production records do not mark the first operation of a production order, "
    "so the produced quantity of the first operation is unknown"
)
NOT_A_SUM: Final = "Not computable because {element} is {value}, not a non-negative number"
NO_FAILURES: Final = "Not computable because no failure (ActualUnitDownTime > 0) was reported in the period"
ZERO_DENOMINATOR: Final = "Not computable because {denominator} is zero"
OVERLAPPING_PERIODS: Final = (
    "Not computable because work unit {work_unit} reports overlapping periods {first} and {second}"
)
HIERARCHY_CYCLE: Final = "Not computable because the equipment hierarchy has a cycle: {path}"
UNKNOWN_KPI: Final = "There is no KPI {kpi}"

#: Every message this module can give, for the translation check.
MESSAGES: Final = (
    NO_RECORDS, NO_PLANNED_BUSY_TIME, NOT_REPORTED, NO_CONSUMED_MATERIAL, NO_FIRST_OPERATION, NOT_A_SUM,
    NO_FAILURES, ZERO_DENOMINATOR, OVERLAPPING_PERIODS, HIERARCHY_CYCLE, UNKNOWN_KPI,
)

#: Elements a formula needs but no K-MDS production record carries: why each KPI using one is not computable.
_ELEMENTS_KMDS_LACKS: Final[Mapping[str, str]] = {"cm": NO_CONSUMED_MATERIAL, "pq_first_operation": NO_FIRST_OPERATION}


class KpiUnit(StrEnum):
    """What a KPI's value measures, and so how it is shown."""

    RATIO = "ratio"  # a fraction (0.83), shown as a percentage (83 %)
    PER_HOUR = "per_hour"  # quantity units per hour
    SECONDS = "seconds"  # a duration


@dataclass(frozen=True, slots=True)
class Ratio:
    """A sum of elements over a sum of elements: one factor of a KPI."""

    numerator: tuple[str, ...]
    denominator: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KpiDefinition:
    """One KPI: its ISO 22400-2 identity and how it is computed from the summed elements.

    ``factors`` are multiplied, then ``scale`` converts to the shown unit (seconds to hours for throughput).
    ``formula_in_ontology`` is False for a formula of ours (MTBF, MTTR) where the ontology has none.
    """

    id: str
    name: str
    name_ko: str
    iri: str
    formula: str
    unit: KpiUnit
    higher_is_better: bool
    factors: tuple[Ratio, ...]
    scale: float = 1.0
    formula_in_ontology: bool = True

    @property
    def elements(self) -> tuple[str, ...]:
        """Every element the KPI reads, each once, numerators first."""
        names = [n for factor in self.factors for n in (*factor.numerator, *factor.denominator)]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class KpiValue:
    """A KPI over one scope: a value, or the problem that made it not computable (never both)."""

    definition: KpiDefinition
    value: float | None
    problem: Problem | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.problem is None):
            raise ValueError("a KPI value has either a value or a problem")

    @property
    def shown(self) -> float | None:
        """The value in the unit people read: a ratio as a percentage, others as they are."""
        if self.value is None:
            return None
        return self.value * 100.0 if self.definition.unit is KpiUnit.RATIO else self.value


def _ratio(numerator: str | tuple[str, ...], denominator: str | tuple[str, ...]) -> Ratio:
    return Ratio(_as_tuple(numerator), _as_tuple(denominator))


def _as_tuple(elements: str | tuple[str, ...]) -> tuple[str, ...]:
    return (elements,) if isinstance(elements, str) else elements


def _kpi(
    kpi_id: str,
    iri_name: str,
    name: str,
    name_ko: str,
    formula: str,
    factors: tuple[Ratio, ...],
    *,
    unit: KpiUnit = KpiUnit.RATIO,
    higher_is_better: bool = True,
    scale: float = 1.0,
    formula_in_ontology: bool = True,
) -> KpiDefinition:
    return KpiDefinition(
        id=kpi_id,
        name=name,
        name_ko=name_ko,
        iri=ONTOLOGY + iri_name,
        formula=formula,
        unit=unit,
        higher_is_better=higher_is_better,
        factors=factors,
        scale=scale,
        formula_in_ontology=formula_in_ontology,
    )


_AVAILABILITY = _ratio("apt", "pbt")
_EFFECTIVENESS = _ratio("pru_pq", "apt")
_QUALITY = _ratio("gq", "pq")

#: The KPIs, in the order they are shown. Formulas are the ontology's text, verbatim.
KPIS: Final[tuple[KpiDefinition, ...]] = (
    _kpi("availability", "Availability", "Availability", "가용률", "Availability = APT / PBT", (_AVAILABILITY,)),
    _kpi("effectiveness", "Effectiveness", "Effectiveness", "유효성", "Effectiveness = PRU * PQ / APT",
         (_EFFECTIVENESS,)),
    _kpi("quality_ratio", "QualityRatio", "Quality ratio", "양품률", "Quality ratio = GQ / PQ", (_QUALITY,)),
    _kpi("oee_index", "OverallEquipmentEffectiveness", "OEE index", "설비종합효율(OEE) 지수",
         "OEE index = Availability * Effectiveness * Quality rate", (_AVAILABILITY, _EFFECTIVENESS, _QUALITY)),
    _kpi("nee_index", "NetEquipmentEffectiveness", "NEE index", "순설비효율(NEE) 지수",
         "NEE index = AUPT / PBT * Effectiveness * Quality rate", (_ratio("aupt", "pbt"), _EFFECTIVENESS, _QUALITY)),
    _kpi("throughput_rate", "ThroughputRate", "Throughput rate", "처리율", "Throughput rate = PQ / AOET",
         (_ratio("pq", "aoet"),), unit=KpiUnit.PER_HOUR, scale=SECONDS_PER_HOUR),
    _kpi("setup_rate", "SetUpRate", "Setup rate", "셋업 비율", "Setup rate = ASUT / AUPT", (_ratio("aust", "aupt"),),
         higher_is_better=False),
    _kpi("technical_efficiency", "TechnicalEfficiency", "Technical efficiency", "기술 효율",
         "Technical efficiency = APT / (APT + ADET)", (_ratio("apt", ("apt", "adet")),)),
    _kpi("production_process_ratio", "ProductionProcessRate", "Production process ratio", "생산 공정 비율",
         "Production process ratio = APT / AOET", (_ratio("apt", "aoet"),)),
    _kpi("allocation_ratio", "AllocationRatio", "Allocation ratio", "할당 비율", "Allocation ratio = AUBT / AOET",
         (_ratio("aubt", "aoet"),)),
    _kpi("allocation_efficiency", "AllocationEfficiency", "Allocation efficiency", "할당 효율",
         "Allocation efficiency = AUBT / PBT", (_ratio("aubt", "pbt"),)),
    _kpi("utilization_efficiency", "UtilizationEfficiency", "Utilization efficiency", "활용 효율",
         "Utilization efficiency = APT / AUBT", (_ratio("apt", "aubt"),)),
    _kpi("worker_efficiency", "WorkerEfficiency", "Worker efficiency", "작업자 효율",
         "Worker efficiency = APWT / APAT", (_ratio("apwt", "apat"),)),
    _kpi("scrap_ratio", "ScrapRatio", "Scrap ratio", "스크랩률", "Scrap ratio = SQ / PQ", (_ratio("sq", "pq"),),
         higher_is_better=False),
    _kpi("rework_ratio", "ReworkRatio", "Rework ratio", "재작업률", "Rework ratio = RQ / PQ", (_ratio("rq", "pq"),),
         higher_is_better=False),
    _kpi("fall_off_ratio", "FallOfRatio", "Fall off ratio", "탈락률",
         "Fall off ratio = SQ / PQ of the first production order sequence", (_ratio("sq", "pq_first_operation"),),
         higher_is_better=False),
    _kpi("finished_goods_ratio", "FinishedGoodsRatio", "Finished goods ratio", "완제품 비율",
         "Finished goods ratio = GQ / CM", (_ratio("gq", "cm"),)),
    _kpi("first_pass_yield", "FirstPassYield", "First pass yield", "직행률(FPY)", "FPY = GP / IP",
         (_ratio("gp", "ip"),)),
    _kpi("mtbf", "MeanOperationTimeBetweenFailures", "Mean operating time between failures",
         "평균 고장 간격(MTBF)", "MTBF = AUPT / failures", (_ratio("aupt", "failures"),), unit=KpiUnit.SECONDS,
         formula_in_ontology=False),
    _kpi("mttr", "MeanTimeToRestoration", "Mean time to restoration", "평균 복구 시간(MTTR)",
         "MTTR = ADOT / failures", (_ratio("adot", "failures"),), unit=KpiUnit.SECONDS, higher_is_better=False,
         formula_in_ontology=False),
)

#: The KPIs by id.
KPIS_BY_ID: Final[Mapping[str, KpiDefinition]] = {kpi.id: kpi for kpi in KPIS}


def element_name(element: str) -> str:
    """The name an element goes by in a message: its K-MDS variable, or what the derived sum is."""
    return ELEMENT_SOURCES.get(element) or _DERIVED_ELEMENT_NAMES.get(element, element)


def _definition(kpi: str | KpiDefinition) -> KpiDefinition:
    if isinstance(kpi, KpiDefinition):
        return kpi
    try:
        return KPIS_BY_ID[kpi]
    except KeyError:
        raise NotFound(UNKNOWN_KPI, {"kpi": kpi}) from None


def _refusal(kpi: KpiDefinition, message: str, **params: str | float | None) -> KpiValue:
    return KpiValue(kpi, None, Problem(field=kpi.id, message=message, params={"kpi": kpi.name, **params}))


def _has_no_records(elements: Elements) -> bool:
    return not elements or elements.get("records") == 0


def _missing_element(kpi: KpiDefinition, elements: Elements) -> KpiValue | None:
    """Refuse when an element the KPI needs was reported by no record of the scope."""
    for element in kpi.elements:
        if element in elements:
            continue
        if element == "pbt":
            return _refusal(kpi, NO_PLANNED_BUSY_TIME)
        if element in _ELEMENTS_KMDS_LACKS:
            return _refusal(kpi, _ELEMENTS_KMDS_LACKS[element])
        return _refusal(kpi, NOT_REPORTED, element=element_name(element))
    return None


def _invalid_element(kpi: KpiDefinition, elements: Elements) -> KpiValue | None:
    """Refuse a sum that cannot be a sum of times or quantities: negative, infinite or not a number."""
    for element in kpi.elements:
        value = float(elements[element])
        if not math.isfinite(value) or value < 0:
            return _refusal(
                kpi, NOT_A_SUM,
                element=element_name(element), value=str(value),
            )
    return None


def _zero_denominator(kpi: KpiDefinition, ratio: Ratio) -> KpiValue:
    if ratio.denominator == ("pbt",):
        return _refusal(kpi, NO_PLANNED_BUSY_TIME)
    if ratio.denominator == ("failures",):
        return _refusal(kpi, NO_FAILURES)
    return _refusal(
        kpi, ZERO_DENOMINATOR,
        denominator=" + ".join(element_name(e) for e in ratio.denominator),
    )


def compute(kpi: str | KpiDefinition, elements: Elements) -> KpiValue:
    """One KPI from the elements summed over a scope: the value, or why it is not computable.

    The refusals, in the order they are checked: the scope has no records; an element the KPI needs is missing
    (no planned busy time, an element K-MDS does not carry, or an element no record reported); an element is
    negative or not finite; a denominator is zero. An unknown KPI id raises :class:`midas.errors.NotFound`.
    """
    definition = _definition(kpi)
    if _has_no_records(elements):
        return _refusal(definition, NO_RECORDS)
    refusal = _missing_element(definition, elements) or _invalid_element(definition, elements)
    if refusal is not None:
        return refusal
    value = definition.scale
    for ratio in definition.factors:
        denominator = sum(float(elements[e]) for e in ratio.denominator)
        if denominator == 0:
            return _zero_denominator(definition, ratio)
        value *= sum(float(elements[e]) for e in ratio.numerator) / denominator
    return KpiValue(definition, value)


def compute_all(elements: Elements, kpis: Iterable[KpiDefinition] = KPIS) -> tuple[KpiValue, ...]:
    """Every KPI (or those given) over one scope's summed elements, in the order of :data:`KPIS`."""
    return tuple(compute(kpi, elements) for kpi in kpis)


def refuse_all(problem: Problem, kpis: Iterable[KpiDefinition] = KPIS) -> tuple[KpiValue, ...]:
    """Every KPI refused for one structural reason (an overlap, a cycle) that holds for the whole scope."""
    return tuple(KpiValue(kpi, None, problem) for kpi in kpis)


def find_cycle(parent_of: Mapping[str, str | None]) -> tuple[str, ...] | None:
    """The ids on a cycle of an equipment hierarchy given as child -> parent, or None if it is a forest.

    The cycle is returned child first, each id followed by its parent, starting at its smallest id so that the
    answer does not depend on the mapping's order. A parent that is not a key is a root outside the mapping.
    """
    finished: set[str] = set()
    for start in parent_of:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node in parent_of and node not in finished:
            if node in on_path:
                cycle = path[path.index(node):]
                first = cycle.index(min(cycle))
                return tuple(cycle[first:] + cycle[:first])
            path.append(node)
            on_path.add(node)
            node = parent_of[node]
        finished.update(path)
    return None


def overlapping(periods: Sequence[tuple[datetime, datetime]]) -> tuple[int, int] | None:
    """The indexes of two periods that overlap, earlier start first, or None if none do.

    Periods are half-open, [start, end): one ending when the next starts does not overlap it. A period that ends
    before it starts is a caller's error (K-MDS validation refuses such records) and raises ValueError.
    """
    for index, (start, end) in enumerate(periods):
        if end < start:
            raise ValueError(f"period {index} ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    order = sorted((i for i, (start, end) in enumerate(periods) if end > start), key=lambda i: periods[i])
    latest: int | None = None
    for index in order:
        if latest is not None and periods[index][0] < periods[latest][1]:
            return latest, index
        if latest is None or periods[index][1] > periods[latest][1]:
            latest = index
    return None


def overlap_problem(work_unit: str, first: tuple[datetime, datetime], second: tuple[datetime, datetime]) -> Problem:
    """Why a work unit's KPIs are refused: two of its periods overlap, so its times would count twice."""
    return Problem(
        field=work_unit,
        message=OVERLAPPING_PERIODS,
        params={"work_unit": work_unit, "first": _period_text(first), "second": _period_text(second)},
    )


def cycle_problem(cycle: Sequence[str]) -> Problem:
    """Why KPIs along a hierarchy are refused: the equipment hierarchy has a cycle, so nothing rolls up."""
    path = " -> ".join((*cycle, cycle[0])) if cycle else ""
    return Problem(
        field=cycle[0] if cycle else "",
        message=HIERARCHY_CYCLE,
        params={"path": path},
    )


def _period_text(period: tuple[datetime, datetime]) -> str:
    return f"{period[0].isoformat()}/{period[1].isoformat()}"
