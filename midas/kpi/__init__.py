"""ISO 22400-2 KPIs from K-MDS production data, and what supported projects achieved.

Importing the package registers :func:`midas.kpi.aggregate_service.add_batch` with ingestion, so the per-unit
per-day aggregates grow in the transaction that stores each delivery. (The formula function
:func:`midas.kpi.compute.compute` is not re-exported: the name belongs to its module.)
"""

from midas.ingest import on_records_stored
from midas.kpi.aggregate_service import RebuildProgress, add_batch, rebuild
from midas.kpi.compute import (
    KPIS,
    KPIS_BY_ID,
    KpiDefinition,
    KpiUnit,
    KpiValue,
    compute_all,
    cycle_problem,
    find_cycle,
    overlap_problem,
    overlapping,
    refuse_all,
)
from midas.kpi.elements import ELEMENTS, Elements
from midas.kpi.models import FACTORY_DAY, UNIT_DAY
from midas.kpi.outcomes import (
    FINDING_LABELS,
    MEASURE_LABELS,
    MINIMUM_DAYS,
    Finding,
    Measure,
    MeasureOutcome,
    MeasureRollup,
    Outcome,
    OutcomeRollup,
    PlanTargets,
    Targets,
    compare,
    met_target,
    rollup,
    targets_from_plan,
)
from midas.kpi.outcomes_service import (
    BASELINE_DAYS,
    OutcomeGroup,
    ProjectOutcome,
    RefreshProgress,
    outcome_rollups,
    project_outcome,
    refresh_outcomes,
)
from midas.kpi.service import (
    FactoryReport,
    Grain,
    GroupKpis,
    Overlap,
    PeerStanding,
    Period,
    RollupReport,
    ScopeKind,
    SeriesPoint,
    factory_report,
    latest_production_day,
    parse_period,
    rollup_report,
)

on_records_stored(add_batch)

__all__ = [
    "BASELINE_DAYS",
    "ELEMENTS",
    "FACTORY_DAY",
    "FINDING_LABELS",
    "KPIS",
    "KPIS_BY_ID",
    "MEASURE_LABELS",
    "MINIMUM_DAYS",
    "UNIT_DAY",
    "Elements",
    "FactoryReport",
    "Finding",
    "Grain",
    "GroupKpis",
    "KpiDefinition",
    "KpiUnit",
    "KpiValue",
    "Measure",
    "MeasureOutcome",
    "MeasureRollup",
    "Outcome",
    "OutcomeGroup",
    "OutcomeRollup",
    "Overlap",
    "PeerStanding",
    "Period",
    "PlanTargets",
    "ProjectOutcome",
    "RebuildProgress",
    "RefreshProgress",
    "RollupReport",
    "ScopeKind",
    "SeriesPoint",
    "Targets",
    "add_batch",
    "compare",
    "compute_all",
    "cycle_problem",
    "factory_report",
    "find_cycle",
    "latest_production_day",
    "met_target",
    "outcome_rollups",
    "overlap_problem",
    "overlapping",
    "parse_period",
    "project_outcome",
    "rebuild",
    "refresh_outcomes",
    "refuse_all",
    "rollup",
    "rollup_report",
    "targets_from_plan",
]
