"""KPI reports from the aggregates: totals sum first, trends by grain, units and centers, overlaps, cycles, peers,
roll-ups and who may read them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas.auth import Actor, Role
from midas.errors import InvalidInput, NotFound, PermissionDenied
from midas.i18n import translate
from midas.ingest import accept
from midas.kpi.service import (
    Grain,
    Period,
    ScopeKind,
    factory_report,
    latest_production_day,
    parse_period,
    rollup_report,
)
from midas.registry import Factory, Organization
from midas.standard import example_record
from tests.factories import make_factory, make_organization

TEMPLATE = "ProductionPerformance"
OPERATOR = Actor(user_id=None, label="operator", role=Role.OPERATOR)
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def member_of(organization: Organization) -> Actor:
    return Actor(user_id=None, label=f"member@{organization.id}", role=Role.COMPANY_MEMBER,
                 organization_id=organization.id)


def day_record(day: int, unit: str = "P01", *, start_hour: int = 8, hours: int = 8, **values: Any) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record.pop("ShiftName")
    record.update({"WorkUnitId": unit, "PeriodKind": "Day",
                   "PeriodStart": f"2026-11-{day:02d}T{start_hour:02d}:00:00+09:00",
                   "PeriodEnd": f"2026-11-{day:02d}T{start_hour + hours:02d}:00:00+09:00"})
    record.update(values)
    return balanced(record)


def balanced(record: dict[str, Any]) -> dict[str, Any]:
    """The ISO 22400 time model of K-MDS (KMDS-PP-003) kept after a test changed the planned or production time:
    processing = production + setup, busy = processing + delay, busy + down <= planned busy time."""
    production, planned = record["ActualProductionTime"], record.get("PlannedBusyTime", 28_800)
    record["ActualUnitSetupTime"] = setup = min(1_200, max(0, planned - production) // 4)
    record["ActualUnitDelayTime"] = delay = min(900, max(0, planned - production - setup) // 4)
    record["ActualUnitProcessingTime"] = production + setup
    record["ActualUnitBusyTime"] = production + setup + delay
    record["ActualUnitDownTime"] = max(0, planned - production - setup - delay) // 2
    return record


def send(session: Session, factory: Factory, *records: dict[str, Any], template: str = TEMPLATE) -> None:
    member = member_of(factory.organization)
    receipt = accept(session, actor=member, items=[{"factory_id": factory.id, "template": template, "record": r}
                                                   for r in records])
    assert receipt.rejected == 0, receipt.refused


def value(kpis: Any, kpi_id: str) -> float | None:
    return next(k.value for k in kpis if k.definition.id == kpi_id)


def problem(kpis: Any, kpi_id: str) -> str:
    found = next(k.problem for k in kpis if k.definition.id == kpi_id)
    return "" if found is None else found.message


@pytest.fixture
def factory(session: Session) -> Factory:
    return make_factory(session, make_organization(session, ksic_code="29199"))


def test_the_factory_total_sums_elements_before_dividing(session: Session, factory: Factory) -> None:
    send(session, factory, day_record(2, PlannedBusyTime=10_000, ActualProductionTime=9_000),
         day_record(3, hours=10, PlannedBusyTime=30_000, ActualProductionTime=6_000))
    report = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id, period=NOVEMBER)
    assert value(report.kpis, "availability") == pytest.approx(15_000 / 40_000)  # not (0.9 + 0.2) / 2
    assert [point.label for point in report.series] == ["2026-11-02", "2026-11-03"]
    assert value(report.series[0].kpis, "availability") == pytest.approx(0.9)


def test_weeks_and_months_bucket_the_days(session: Session, factory: Factory) -> None:
    send(session, factory, day_record(1), day_record(2), day_record(9))
    member = member_of(factory.organization)
    weekly = factory_report(session, actor=member, factory_id=factory.id, period=NOVEMBER, grain=Grain.WEEK)
    assert [(p.label, p.elements["records"]) for p in weekly.series] == [("2026-W44", 1), ("2026-W45", 1),
                                                                          ("2026-W46", 1)]
    monthly = factory_report(session, actor=member, factory_id=factory.id, period=NOVEMBER, grain=Grain.MONTH)
    assert [(p.label, p.start, p.end) for p in monthly.series] == [("2026-11", date(2026, 11, 1),
                                                                    date(2026, 11, 30))]


def test_shifts_have_their_own_series_and_table(session: Session, factory: Factory) -> None:
    send(session, factory, day_record(2, ShiftName="주간"), day_record(2, start_hour=15, ShiftName="야간"))
    report = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id, period=NOVEMBER,
                            grain=Grain.SHIFT)
    assert [p.label for p in report.series] == ["2026-11-02 야간", "2026-11-02 주간"]
    assert [g.key for g in report.shifts] == ["야간", "주간"]


def test_overlapping_records_make_the_kpis_not_computable(session: Session, factory: Factory) -> None:
    send(session, factory, day_record(4, "P01"), day_record(4, "P01", start_hour=12), day_record(4, "P02"))
    report = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id, period=NOVEMBER)
    assert [(o.work_unit, o.day) for o in report.overlaps] == [("P01", date(2026, 11, 4))]
    assert value(report.kpis, "oee_index") is None
    assert "overlap" in problem(report.kpis, "oee_index")
    refusal = next(k.problem for k in report.kpis if k.problem is not None)
    assert translate("ko", refusal.message, refusal.params) != refusal.message  # translated, every {param} given
    units = {unit.key: unit for unit in report.units}
    assert value(units["P01"].kpis, "availability") is None
    assert value(units["P02"].kpis, "availability") is not None


def test_work_units_roll_up_to_the_work_centers_of_the_factory_structure(session: Session, factory: Factory) -> None:
    send(session, factory, example_record("FactoryStructure"), template="FactoryStructure")
    send(session, factory, day_record(5, "HB-CW-M-L1-P01"), day_record(5, "HB-CW-M-L1-P02"), day_record(5, "X9"))
    report = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id, period=NOVEMBER)
    assert report.hierarchy_problem is None
    assert [(c.key, c.elements["records"]) for c in report.centers] == [("", 1.0), ("HB-CW-M-L1", 2.0)]


def test_an_equipment_placed_below_itself_is_a_cycle(session: Session, factory: Factory) -> None:
    structure = example_record("FactoryStructure")
    line = structure["EntryNode"]["Node"][0]["Node"][0]["Node"][0]
    line["Node"].append({"idShort": "Again", "EquipmentId": "HB-CW-M", "EquipmentLevel": "WorkUnit"})
    send(session, factory, structure, template="FactoryStructure")
    send(session, factory, day_record(5, "HB-CW-M-L1-P01"))
    report = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id, period=NOVEMBER)
    assert report.hierarchy_problem is not None
    assert "HB-CW-M" in str(report.hierarchy_problem.params["path"])
    assert report.centers == ()


def test_a_period_without_planned_time_says_so(session: Session, factory: Factory) -> None:
    record = day_record(6)
    record.pop("PlannedBusyTime")
    send(session, factory, record)
    report = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id, period=NOVEMBER)
    assert value(report.kpis, "availability") is None
    assert "planned busy time" in problem(report.kpis, "availability")
    empty = factory_report(session, actor=member_of(factory.organization), factory_id=factory.id,
                           period=Period(date(2026, 1, 1), date(2026, 1, 31)))
    assert "no production records" in problem(empty.kpis, "availability")


def test_peers_are_shown_as_standing_only_with_enough_of_them(session: Session, factory: Factory) -> None:
    send(session, factory, day_record(7, ActualProductionTime=27_000))
    member = member_of(factory.organization)
    few = factory_report(session, actor=member, factory_id=factory.id, period=NOVEMBER)
    availability = next(s for s in few.peers if s.kpi.id == "availability")
    assert availability.better_than_share is None
    for n in range(6):
        peer = make_factory(session, make_organization(session, ksic_code="29120"))
        send(session, peer, day_record(7, ActualProductionTime=20_000 + n * 1_500))
    other_division = make_factory(session, make_organization(session, ksic_code="10110"))
    send(session, other_division, day_record(7, ActualProductionTime=28_000))
    report = factory_report(session, actor=member, factory_id=factory.id, period=NOVEMBER)
    availability = next(s for s in report.peers if s.kpi.id == "availability")
    assert availability.peers == 6
    assert availability.better_than_share == pytest.approx(5 / 6)  # 27,000 beats 20,000 to 26,000, not 27,500
    assert availability.lower_quartile is not None
    assert availability.upper_quartile is not None


def test_another_organization_cannot_read_a_factory(session: Session, factory: Factory) -> None:
    stranger = member_of(make_organization(session))
    with pytest.raises(NotFound):
        factory_report(session, actor=stranger, factory_id=factory.id, period=NOVEMBER)
    factory_report(session, actor=OPERATOR, factory_id=factory.id, period=NOVEMBER)


def test_rollups_sum_factories_and_hide_small_ones(session: Session, factory: Factory) -> None:
    send(session, factory, day_record(8, PlannedBusyTime=10_000, ActualProductionTime=5_000))
    member = member_of(factory.organization)
    with pytest.raises(PermissionDenied):
        rollup_report(session, actor=member, kind=ScopeKind.KSIC, key="29", period=NOVEMBER)
    for _ in range(2):
        other = make_factory(session, make_organization(session, ksic_code="29110"))
        send(session, other, day_record(8, hours=10, PlannedBusyTime=30_000, ActualProductionTime=30_000))
    division = rollup_report(session, actor=member, kind=ScopeKind.KSIC, key="29", period=NOVEMBER)
    assert division.factories == 3
    assert value(division.kpis, "availability") == pytest.approx(65_000 / 70_000)
    nation = rollup_report(session, actor=OPERATOR, kind=ScopeKind.NATION, key="", period=NOVEMBER)
    assert nation.factories >= 3
    own = rollup_report(session, actor=member, kind=ScopeKind.ORGANIZATION, key=str(factory.organization_id),
                        period=NOVEMBER)
    assert own.factories == 1
    with pytest.raises(InvalidInput):
        rollup_report(session, actor=member, kind=ScopeKind.REGION, key="Seoul", period=NOVEMBER)


def test_periods_are_checked() -> None:
    today = date(2026, 11, 26)
    assert parse_period(None, None, today=today) == Period(date(2026, 10, 28), today)
    with pytest.raises(InvalidInput):
        parse_period("2026-11-30", "2026-11-01", today=today)
    with pytest.raises(InvalidInput):
        parse_period("yesterday", None, today=today)


def test_the_latest_production_day_opens_the_page_on_data(session: Session, factory: Factory) -> None:
    member = member_of(factory.organization)
    assert latest_production_day(session, actor=member, factory_id=factory.id, today=date(2026, 11, 30)) is None
    send(session, factory, day_record(3), day_record(9))
    assert latest_production_day(session, actor=member, factory_id=factory.id,
                                 today=date(2026, 11, 30)) == date(2026, 11, 9)
    assert latest_production_day(session, actor=member, factory_id=factory.id,
                                 today=date(2026, 11, 5)) == date(2026, 11, 3)
    with pytest.raises(NotFound):
        latest_production_day(session, actor=member_of(make_organization(session)), factory_id=factory.id,
                              today=date(2026, 11, 30))


def test_a_period_splits_into_whole_months_and_the_days_at_its_ends() -> None:
    from midas.kpi.service import split_by_month

    assert split_by_month(NOVEMBER) == ((), NOVEMBER)
    assert split_by_month(Period(date(2026, 10, 30), date(2027, 1, 2))) == (
        (Period(date(2026, 10, 30), date(2026, 10, 31)), Period(date(2027, 1, 1), date(2027, 1, 2))),
        Period(date(2026, 11, 1), date(2026, 12, 31)))
    assert split_by_month(Period(date(2026, 11, 2), date(2026, 11, 29))) == (
        (Period(date(2026, 11, 2), date(2026, 11, 29)),), None)
    assert split_by_month(Period(date(2026, 11, 15), date(2026, 12, 14))) == (
        (Period(date(2026, 11, 15), date(2026, 12, 14)),), None)
    assert split_by_month(Period(date(2028, 2, 1), date(2028, 2, 29))) == ((), Period(date(2028, 2, 1),
                                                                                      date(2028, 2, 29)))


def dated_record(day: str, **values: Any) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record.pop("ShiftName")
    record.update({"WorkUnitId": "P01", "PeriodKind": "Day", "PeriodStart": f"{day}T08:00:00+09:00",
                   "PeriodEnd": f"{day}T16:00:00+09:00"})
    record.update(values)
    return balanced(record)


def test_whole_months_from_the_month_sums_give_what_the_days_give(session: Session, factory: Factory) -> None:
    days = ("2026-10-30", "2026-10-31", "2026-11-01", "2026-11-15", "2026-12-31", "2027-01-01", "2027-01-02")
    send(session, factory, *(dated_record(day, ActualProductionTime=20_000 + 500 * n) for n, day in enumerate(days)))
    peers = []
    for n in range(5):
        peer = make_factory(session, make_organization(session, ksic_code="29120"))
        send(session, peer, *(dated_record(day, ActualProductionTime=18_000 + 700 * n) for day in days[1:]))
        peers.append(peer)
    member = member_of(factory.organization)
    for period in (Period(date(2026, 10, 31), date(2027, 1, 1)), Period(date(2026, 11, 1), date(2026, 12, 31)),
                   Period(date(2026, 10, 30), date(2026, 11, 14))):
        monthly = rollup_report(session, actor=OPERATOR, kind=ScopeKind.KSIC, key="29", period=period,
                                grain=Grain.MONTH)
        daily = rollup_report(session, actor=OPERATOR, kind=ScopeKind.KSIC, key="29", period=period, grain=Grain.DAY)
        assert monthly.elements == pytest.approx(daily.elements)  # months + ends against the days alone
        assert monthly.factories == daily.factories == 6
        by_month: dict[str, float] = {}
        for point in daily.series:
            by_month[point.label[:7]] = by_month.get(point.label[:7], 0) + point.elements["records"]
        assert {point.label: point.elements["records"] for point in monthly.series} == by_month
        assert sum(part.elements["records"] for part in daily.parts) == daily.elements["records"]
        report = factory_report(session, actor=member, factory_id=factory.id, period=period)
        availability = next(s for s in report.peers if s.kpi.id == "availability")
        assert availability.peers == 5
        in_period = [day for day in days[1:] if period.start.isoformat() <= day <= period.end.isoformat()]
        expected_share = sum(
            1 for n in range(5)
            if value(report.kpis, "availability") > _availability(len(in_period), 18_000 + 700 * n)) / 5
        assert availability.better_than_share == pytest.approx(expected_share)


def _availability(days: int, production_time: int) -> float:
    return (days * production_time) / (days * 28_800) if days else 0.0
