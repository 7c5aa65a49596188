"""The API shapes of the KPIs: definitions, a factory report and a roll-up report.

Values are the raw ISO 22400-2 values (a ratio as a fraction, throughput per hour, MTBF and MTTR in seconds);
``unit`` says which. A KPI that is not computable has ``value: null`` and a ``problem`` that says why, in the
caller's language, with its message id and parameters for a program that reads it.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from midas.errors import ParamValue, Problem
from midas.kpi.compute import KpiDefinition, KpiValue
from midas.kpi.export import problem_text
from midas.kpi.service import FactoryReport, GroupKpis, Overlap, PeerStanding, Period, RollupReport, SeriesPoint


class KpiDefinitionPublic(BaseModel):
    """One ISO 22400-2 KPI as MIDAS computes it."""

    id: str = Field(description="MIDAS's id of the KPI, e.g. oee_index")
    name: str = Field(description="The ISO 22400-2 name")
    name_ko: str = Field(description="The Korean name")
    iri: str = Field(description="The KPI's IRI in the ISO 22400-2 ontology")
    formula: str = Field(description="The formula, as the ontology writes it (MTBF and MTTR: MIDAS's own)")
    unit: str = Field(description="ratio (a fraction), per_hour or seconds")
    higher_is_better: bool
    formula_in_ontology: bool = Field(description="False where the ontology gives no formula (MTBF, MTTR)")

    @classmethod
    def of(cls, kpi: KpiDefinition) -> KpiDefinitionPublic:
        return cls(id=kpi.id, name=kpi.name, name_ko=kpi.name_ko, iri=kpi.iri, formula=kpi.formula,
                   unit=kpi.unit.value, higher_is_better=kpi.higher_is_better,
                   formula_in_ontology=kpi.formula_in_ontology)


class ProblemPublic(BaseModel):
    """Why something is not computable."""

    field: str
    message: str = Field(description="In the caller's language")
    message_id: str = Field(description="The English message id, the same in every language")
    params: dict[str, ParamValue]

    @classmethod
    def of(cls, problem: Problem, locale: str) -> ProblemPublic:
        return cls(field=problem.field, message=problem_text(problem, locale), message_id=problem.message,
                   params=dict(problem.params))


class KpiValuePublic(BaseModel):
    """One KPI over a scope: a value, or the problem that made it not computable."""

    kpi: str
    value: float | None
    problem: ProblemPublic | None

    @classmethod
    def of(cls, value: KpiValue, locale: str) -> KpiValuePublic:
        return cls(kpi=value.definition.id, value=value.value,
                   problem=ProblemPublic.of(value.problem, locale) if value.problem is not None else None)


def _values(kpis: tuple[KpiValue, ...], locale: str) -> list[KpiValuePublic]:
    return [KpiValuePublic.of(value, locale) for value in kpis]


class PeriodPublic(BaseModel):
    start: date
    end: date
    days: int

    @classmethod
    def of(cls, period: Period) -> PeriodPublic:
        return cls(start=period.start, end=period.end, days=period.days)


class SeriesPointPublic(BaseModel):
    """One point of a trend: KPI id -> value (null when not computable)."""

    label: str
    start: date
    end: date
    elements: dict[str, float]
    values: dict[str, float | None]

    @classmethod
    def of(cls, point: SeriesPoint) -> SeriesPointPublic:
        return cls(label=point.label, start=point.start, end=point.end, elements=dict(point.elements),
                   values={value.definition.id: value.value for value in point.kpis})


class GroupPublic(BaseModel):
    """One part of a scope (a work unit, a work center, a shift, a region, a division, a factory)."""

    key: str
    elements: dict[str, float]
    kpis: list[KpiValuePublic]

    @classmethod
    def of(cls, group: GroupKpis, locale: str) -> GroupPublic:
        return cls(key=group.key, elements=dict(group.elements), kpis=_values(group.kpis, locale))


class OverlapPublic(BaseModel):
    """A work unit whose records of one day overlap."""

    work_unit: str
    day: date
    recorded_seconds: float
    span_seconds: float

    @classmethod
    def of(cls, overlap: Overlap) -> OverlapPublic:
        return cls(work_unit=overlap.work_unit, day=overlap.day, recorded_seconds=overlap.recorded_seconds,
                   span_seconds=overlap.span_seconds)


class PeerStandingPublic(BaseModel):
    """Where the factory stands among the factories of its KSIC division; no peer's own value."""

    kpi: str
    peers: int = Field(description="Peers with a value for this KPI")
    better_than_share: float | None = Field(description="Share of those peers this factory does better than; null "
                                                        "with fewer than 5 peers or without an own value")
    lower_quartile: float | None
    upper_quartile: float | None

    @classmethod
    def of(cls, standing: PeerStanding) -> PeerStandingPublic:
        return cls(kpi=standing.kpi.id, peers=standing.peers, better_than_share=standing.better_than_share,
                   lower_quartile=standing.lower_quartile, upper_quartile=standing.upper_quartile)


class FactoryReportPublic(BaseModel):
    """A factory's KPIs over a period: totals, trend, work units, work centers, shifts, overlaps and peers."""

    factory_id: int
    factory_name: str
    organization_id: int
    organization_name: str
    ksic_division: str
    period: PeriodPublic
    grain: str
    elements: dict[str, float]
    kpis: list[KpiValuePublic]
    series: list[SeriesPointPublic]
    work_units: list[GroupPublic]
    work_centers: list[GroupPublic]
    shifts: list[GroupPublic]
    overlaps: list[OverlapPublic]
    hierarchy_problem: ProblemPublic | None
    peers: list[PeerStandingPublic]

    @classmethod
    def of(cls, report: FactoryReport, locale: str) -> FactoryReportPublic:
        return cls(
            factory_id=report.factory.id, factory_name=report.factory.name,
            organization_id=report.organization.id, organization_name=report.organization.name,
            ksic_division=report.ksic_division, period=PeriodPublic.of(report.period), grain=report.grain.value,
            elements=dict(report.elements), kpis=_values(report.kpis, locale),
            series=[SeriesPointPublic.of(point) for point in report.series],
            work_units=[GroupPublic.of(group, locale) for group in report.units],
            work_centers=[GroupPublic.of(group, locale) for group in report.centers],
            shifts=[GroupPublic.of(group, locale) for group in report.shifts],
            overlaps=[OverlapPublic.of(overlap) for overlap in report.overlaps],
            hierarchy_problem=(ProblemPublic.of(report.hierarchy_problem, locale)
                               if report.hierarchy_problem is not None else None),
            peers=[PeerStandingPublic.of(standing) for standing in report.peers],
        )


class RollupReportPublic(BaseModel):
    """The KPIs of an organization, a region, a KSIC division or the nation over a period."""

    kind: str
    key: str
    period: PeriodPublic
    grain: str
    factories: int
    elements: dict[str, float]
    kpis: list[KpiValuePublic]
    series: list[SeriesPointPublic]
    parts: list[GroupPublic] = Field(description="Per factory for an organization, per KSIC division for a region, "
                                                 "per region for a division or the nation")

    @classmethod
    def of(cls, report: RollupReport, locale: str) -> RollupReportPublic:
        return cls(kind=report.kind.value, key=report.key, period=PeriodPublic.of(report.period),
                   grain=report.grain.value, factories=report.factories, elements=dict(report.elements),
                   kpis=_values(report.kpis, locale), series=[SeriesPointPublic.of(point) for point in report.series],
                   parts=[GroupPublic.of(group, locale) for group in report.parts])
