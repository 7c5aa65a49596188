"""The KPI part of the JSON API (under /api/v1/kpi): the KPI definitions, a factory's report and roll-ups.

Periods are production days from ``start`` to ``end`` (both included, ISO dates); without them, the last 30 days
up to today in Korea. Errors come in the platform's envelope (a bad date is 422, a factory the caller may not see
is 404, a roll-up too small to hide its factories is 403).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request

from midas.kpi import service
from midas.kpi.compute import KPIS
from midas.kpi.schemas import FactoryReportPublic, KpiDefinitionPublic, RollupReportPublic
from midas.kpi.service import Grain, ScopeKind
from midas.web.context import DbSession, SignedInActor, request_locale

router = APIRouter(prefix="/kpi", tags=["kpi"])

SEOUL: Final = ZoneInfo("Asia/Seoul")
StartQuery = Annotated[str | None, Query(description="First production day, YYYY-MM-DD (default: 29 days before "
                                                     "the end)")]
EndQuery = Annotated[str | None, Query(description="Last production day, YYYY-MM-DD (default: today in Korea)")]


def today_in_korea() -> date:
    """Production days are Korean calendar days."""
    return datetime.now(SEOUL).date()


@router.get("/kpis", response_model=list[KpiDefinitionPublic])
def list_kpis() -> list[KpiDefinitionPublic]:
    """Every KPI MIDAS computes: its id, ISO 22400-2 name, Korean name, ontology IRI, formula and unit."""
    return [KpiDefinitionPublic.of(kpi) for kpi in KPIS]


@router.get("/kpis/{kpi_id}", response_model=KpiDefinitionPublic)
def get_kpi(kpi_id: str) -> KpiDefinitionPublic:
    """One KPI definition."""
    return KpiDefinitionPublic.of(service.kpi_by_id(kpi_id))


@router.get("/factories/{factory_id}", response_model=FactoryReportPublic)
def factory_kpis(
    factory_id: int,
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    start: StartQuery = None,
    end: EndQuery = None,
    grain: Annotated[Grain, Query(description="The length of one trend point")] = Grain.DAY,
) -> FactoryReportPublic:
    """A factory's KPIs over a period: totals, the trend, work units, work centers, shifts, overlapping records,
    a hierarchy problem, and its standing among the factories of its KSIC division (never a peer's value).
    Members of the factory's organization and program staff only."""
    period = service.parse_period(start, end, today=today_in_korea())
    report = service.factory_report(session, actor=actor, factory_id=factory_id, period=period, grain=grain)
    return FactoryReportPublic.of(report, request_locale(request))


@router.get("/rollup/{kind}/{key}", response_model=RollupReportPublic)
def rollup_kpis(
    kind: ScopeKind,
    key: str,
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    start: StartQuery = None,
    end: EndQuery = None,
    grain: Annotated[Grain, Query(description="The length of one trend point")] = Grain.MONTH,
) -> RollupReportPublic:
    """The KPIs of an organization (key: its id), a region (two-digit code), a KSIC division (two digits) or the
    nation (key: anything, e.g. ``all``), summed before they are divided. A region or division of fewer than 3
    factories is shown to program staff only."""
    period = service.parse_period(start, end, today=today_in_korea())
    report = service.rollup_report(session, actor=actor, kind=kind, key=key, period=period, grain=grain)
    return RollupReportPublic.of(report, request_locale(request))
