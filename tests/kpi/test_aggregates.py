"""The KPI aggregates on both databases: grown by ingestion in the same transaction, reproduced by a rebuild."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas import migrations
from midas.auth import Actor, Role
from midas.db import make_engine, make_session_factory, transaction
from midas.ingest import accept
from midas.kpi import ELEMENTS, FACTORY_DAY, FACTORY_MONTH, UNIT_DAY, RebuildProgress, rebuild
from midas.kpi.aggregate_service import _add_batch_statements
from midas.registry import Factory, Organization
from midas.standard import example_record
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_factory, make_organization

TEMPLATE = "ProductionPerformance"


def member_of(organization: Organization) -> Actor:
    return Actor(user_id=None, label=f"member@{organization.id}", role=Role.COMPANY_MEMBER,
                 organization_id=organization.id)


def shift_record(day: int, start_hour: int, hours: int, unit: str = "P01", shift: str | None = "주간",
                 **values: Any) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record["WorkUnitId"] = unit
    record["PeriodStart"] = f"2026-11-{day:02d}T{start_hour:02d}:00:00+09:00"
    end_day, end_hour = (day, start_hour + hours) if start_hour + hours < 24 else (day + 1, start_hour + hours - 24)
    record["PeriodEnd"] = f"2026-11-{end_day:02d}T{end_hour:02d}:00:00+09:00"
    if shift is None:
        record.pop("ShiftName")
    else:
        record["ShiftName"] = shift
    record.update(values)
    return record


def send(session: Session, factory: Factory, member: Actor, *records: dict[str, Any],
         template: str = TEMPLATE) -> None:
    receipt = accept(session, actor=member, items=[{"factory_id": factory.id, "template": template, "record": r}
                                                   for r in records])
    assert receipt.rejected == 0, receipt.refused


def unit_days(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(UNIT_DAY).order_by(UNIT_DAY.c.factory_id, UNIT_DAY.c.work_unit, UNIT_DAY.c.day,
                                                     UNIT_DAY.c.shift)).mappings()
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


def factory_days(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(FACTORY_DAY).order_by(FACTORY_DAY.c.factory_id, FACTORY_DAY.c.day)).mappings()
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


def factory_months(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(FACTORY_MONTH).order_by(FACTORY_MONTH.c.factory_id, FACTORY_MONTH.c.month))
    return [dict(row) for row in rows.mappings()]


def days_summed_by_month(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    months: dict[tuple[int, date], dict[str, Any]] = {}
    for row in days:
        key = (row["factory_id"], row["day"].replace(day=1))
        month = months.setdefault(key, {"factory_id": key[0], "organization_id": row["organization_id"],
                                        "month": key[1], **dict.fromkeys(("energy_kwh", *ELEMENTS))})
        for name in ("energy_kwh", *ELEMENTS):
            if row[name] is not None:
                month[name] = (month[name] or 0) + row[name]
    return [months[key] for key in sorted(months)]


@pytest.fixture
def company(session: Session) -> tuple[Organization, Factory, Actor]:
    organization = make_organization(session)
    return organization, make_factory(session, organization), member_of(organization)


def test_a_delivery_adds_its_records_to_the_unit_day_and_factory_day(
        session: Session, company: tuple[Organization, Factory, Actor]) -> None:
    organization, factory, member = company
    send(session, factory, member, shift_record(2, 6, 8), shift_record(2, 14, 8, shift="야간"))
    send(session, factory, member, shift_record(2, 6, 8, ProducedQuantity=100, GoodQuantity=90, ScrapQuantity=5,
                                                ReworkQuantity=5, InspectedPart=100, ActualUnitDownTime=0))
    rows = unit_days(session)
    assert [(r["work_unit"], r["day"], r["shift"]) for r in rows] == [
        ("P01", date(2026, 11, 2), "야간"), ("P01", date(2026, 11, 2), "주간")]
    day_shift = rows[1]
    assert day_shift["organization_id"] == organization.id
    assert day_shift["records"] == 2
    assert day_shift["pq"] == 780 + 100
    assert day_shift["gq"] == 752 + 90
    assert day_shift["pru_pq"] == 30 * 780 + 30 * 100
    assert day_shift["failures"] == 1  # one of the two records reported down time
    assert day_shift["period_seconds"] == 2 * 8 * 3600
    assert day_shift["last_end"] - day_shift["first_start"] == 8 * 3600  # the two records overlap exactly
    assert day_shift["aqt"] is None  # no record reported queuing time: not zero, unknown
    (whole_day,) = factory_days(session)
    assert whole_day["records"] == 3
    assert whole_day["pq"] == 780 * 2 + 100
    assert whole_day["energy_kwh"] is None


def test_a_night_shift_belongs_to_the_day_it_started_in_the_record_offset(
        session: Session, company: tuple[Organization, Factory, Actor]) -> None:
    _, factory, member = company
    send(session, factory, member, shift_record(3, 22, 8, shift="야간"))
    (row,) = unit_days(session)
    assert row["day"] == date(2026, 11, 3)
    assert row["period_seconds"] == 8 * 3600


def test_a_duplicate_delivery_adds_nothing(session: Session, company: tuple[Organization, Factory, Actor]) -> None:
    _, factory, member = company
    send(session, factory, member, shift_record(4, 6, 8))
    before = unit_days(session), factory_days(session)
    send(session, factory, member, shift_record(4, 6, 8))
    assert (unit_days(session), factory_days(session)) == before


def test_energy_records_add_to_the_factory_day(session: Session,
                                               company: tuple[Organization, Factory, Actor]) -> None:
    _, factory, member = company
    energy = example_record("EnergyCarbon")
    energy["PeriodStart"], energy["PeriodEnd"] = "2026-11-05T08:00:00+09:00", "2026-11-05T17:00:00+09:00"
    send(session, factory, member, energy, template="EnergyCarbon")
    send(session, factory, member, shift_record(5, 8, 9))
    (row,) = factory_days(session)
    assert row["energy_kwh"] == pytest.approx(1250.5)
    assert row["pq"] == 780
    assert len(unit_days(session)) == 1


def test_a_rebuild_reproduces_what_the_deliveries_built(session: Session,
                                                        company: tuple[Organization, Factory, Actor]) -> None:
    organization, factory, member = company
    other_factory = make_factory(session, organization)
    send(session, factory, member, shift_record(6, 6, 8), shift_record(6, 14, 8, shift="야간", unit="P02"))
    send(session, factory, member, shift_record(7, 6, 8, shift=None, ActualQueuingTime=60))
    send(session, other_factory, member, shift_record(6, 6, 8), shift_record(8, 6, 8, ActualUnitDownTime=0))
    energy = example_record("EnergyCarbon")
    energy["PeriodStart"], energy["PeriodEnd"] = "2026-11-06T08:00:00+09:00", "2026-11-06T17:00:00+09:00"
    send(session, other_factory, member, energy, template="EnergyCarbon")
    december = shift_record(1, 6, 8, unit="P02")  # and one in another month
    december["PeriodStart"], december["PeriodEnd"] = "2026-12-01T06:00:00+09:00", "2026-12-01T14:00:00+09:00"
    send(session, factory, member, december)
    grown = unit_days(session), factory_days(session), factory_months(session)
    assert grown[2] == days_summed_by_month(grown[1])
    assert len(grown[2]) == 3  # the first factory in November and December, the other in November
    seen: list[RebuildProgress] = []
    done = rebuild(session, on_progress=seen.append, factories_per_step=1)
    assert (unit_days(session), factory_days(session), factory_months(session)) == grown
    assert done.factories == 2
    assert done.unit_days == len(grown[0])
    done = [p.factories_done for p in seen]
    assert done == sorted(done)
    assert done[-1] == 2  # SQLite reports each factory, PostgreSQL the one pass over all


def test_every_element_is_a_column_of_every_table() -> None:
    for table in (UNIT_DAY, FACTORY_DAY, FACTORY_MONTH):
        assert set(ELEMENTS) <= set(table.c.keys())


@pytest.fixture
def postgres_engine(postgres_admin_url: str) -> Iterator[Engine]:
    url = create_postgres_database(postgres_admin_url)
    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_postgres_database(postgres_admin_url, url)


def _index_names(plan: Any) -> set[str]:
    """Every index an EXPLAIN (FORMAT JSON) plan reads."""
    if isinstance(plan, dict):
        found = {plan["Index Name"]} if "Index Name" in plan else set()
        return found.union(*(_index_names(value) for value in plan.values()))
    if isinstance(plan, list):
        return set().union(*(_index_names(value) for value in plan))
    return set()


@pytest.mark.postgres
def test_postgresql_reads_a_delivery_back_by_its_batch_id_alone(postgres_engine: Engine) -> None:
    """Given the template and factory conditions with the batch id, the planner, before the table's first
    statistics, ANDed the batch id index with a scan of the whole (factory, template) index: a cost that grew with
    the table, so ingestion slowed as the data grew."""
    with transaction(make_session_factory(postgres_engine)) as session:
        organization = make_organization(session)
        factory, member = make_factory(session, organization), member_of(organization)
        send(session, factory, member, shift_record(1, 8, 8))
        connection = session.connection()
        # 50,000 records stored before, as they stand in the record table and its indexes (a quick stand-in for
        # earlier deliveries); no statistics yet, as in a new installation.
        connection.execute(text(
            "INSERT INTO production_record (organization_id, factory_id, batch_id, template, idempotency_key, record,"
            " received_at) SELECT organization_id, factory_id, batch_id, template, 'earlier-' || n, record,"
            " received_at FROM production_record, generate_series(1, 50000) AS n"))
        receipt = accept(session, actor=member, items=[{"factory_id": factory.id, "template": TEMPLATE,
                                                        "record": shift_record(5, hour, 8)} for hour in (0, 8, 16)])
        assert receipt.accepted == 3
        statement = _add_batch_statements("postgresql")[0].compile(dialect=postgres_engine.dialect)
        (plan,) = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                                             {**statement.params, "batch_id": receipt.batch_id}).one()
        session.rollback()
    indexes = _index_names(plan if isinstance(plan, list) else json.loads(plan))
    assert indexes >= {"ix_production_record_batch_id"}
    assert "ix_production_record_factory_template" not in indexes
