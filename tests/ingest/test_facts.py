"""The typed columns of stored records: what facts_of reads, that accept() stores it, that rederive_facts gives the
same again, and that migration 0006 fills records stored before it exactly as facts_of would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from midas import migrations
from midas.auth import Actor, Role
from midas.db import make_engine
from midas.ingest import FACT_COLUMNS, ProductionRecord, accept, facts_of, rederive_facts
from midas.standard import example_record
from tests.factories import make_factory, make_organization
from tests.test_migrations import empty_database_url  # noqa: F401 - the fixture, on both databases


def test_a_production_record_gives_its_unit_day_shift_period_and_variables() -> None:
    facts = facts_of("ProductionPerformance", example_record("ProductionPerformance"))
    assert facts["work_unit"] == "HB-CW-M-L1-P01"
    assert facts["shift"] == "주간"
    assert facts["day"] == date(2025, 3, 3)
    assert facts["period_start"] == datetime.fromisoformat("2025-03-03T08:00:00+09:00").timestamp()
    assert facts["period_end"] - facts["period_start"] == 9 * 3600
    assert (facts["pbt"], facts["pri"], facts["apt"], facts["pq"], facts["gq"]) == (28800, 30, 24000, 780, 752)
    assert facts["gp"] is None  # not in the record: unknown, not zero
    assert facts["energy_kwh"] is None


@pytest.mark.parametrize(("value", "column"), [
    (7, 7.0), (7.5, 7.5), (Decimal("2.25"), 2.25), (0, 0.0), (-3, -3.0),
    (True, None), (False, None), ("7", None), (None, None), ([7], None),
    (float("nan"), None), (float("inf"), None), (float("-inf"), None), (Decimal("NaN"), None),
    (10**400, None),  # an int beyond a float's range
])
def test_a_variable_is_a_finite_number_or_unknown(value: Any, column: float | None) -> None:
    record = example_record("ProductionPerformance")
    record["PlannedBusyTime"] = value
    got = facts_of("ProductionPerformance", record)["pbt"]
    assert got == column
    assert got is None or type(got) is float


def test_variables_whose_sum_overflows_are_each_still_taken() -> None:
    """The all-at-once conversion checks finiteness on the sum; two finite maxima overflow it, and the values
    must still come out one by one."""
    record = example_record("ProductionPerformance")
    record["PlannedBusyTime"] = record["ProducedQuantity"] = 1e308
    record["GoodQuantity"] = float("inf")
    facts = facts_of("ProductionPerformance", record)
    assert (facts["pbt"], facts["pq"], facts["gq"], facts["sq"]) == (1e308, 1e308, None, 18.0)


def test_the_day_is_the_local_date_of_the_record_not_the_utc_date() -> None:
    record = example_record("ProductionPerformance")
    record["PeriodStart"], record["PeriodEnd"] = "2025-03-03T01:00:00+09:00", "2025-03-03T08:00:00+09:00"
    assert facts_of("ProductionPerformance", record)["day"] == date(2025, 3, 3)  # 2025-03-02 in UTC


def test_energy_records_give_their_energy_and_other_templates_nothing() -> None:
    energy = facts_of("EnergyCarbon", example_record("EnergyCarbon"))
    assert energy["energy_kwh"] == 1250.5
    assert energy["day"] == date(2025, 3, 3)
    assert energy["work_unit"] is None
    assert set(facts_of("Quality", example_record("Quality")).values()) == {None}


def test_accept_stores_the_facts_and_rederiving_them_changes_nothing(session: Session) -> None:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = Actor(user_id=None, label="m", role=Role.COMPANY_MEMBER, organization_id=organization.id)
    items = [{"factory_id": factory.id, "template": template, "record": example_record(template)}
             for template in ("ProductionPerformance", "EnergyCarbon", "Quality")]
    assert accept(session, actor=member, items=items).accepted == 3
    stored = _facts(session)
    assert [row["pq"] for row in stored] == [780, None, None]
    done = rederive_facts(session)
    assert done.total == 2
    session.expire_all()
    assert _facts(session) == stored


def test_text_and_numbers_are_stored_exactly_as_sent(session: Session) -> None:
    """PostgreSQL takes the rows by a binary COPY: text with quotes, backslashes, tabs and characters outside the
    BMP, and floats that text would round, come back as they were."""
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = Actor(user_id=None, label="m", role=Role.COMPANY_MEMBER, organization_id=organization.id)
    record = example_record("ProductionPerformance")
    record["WorkUnitId"] = 'L1\\P01\t"프레스" 😀'
    record["ShiftName"] = "야간\\N"
    record["PlannedRuntimePerItem"] = 0.1 + 0.2
    assert accept(session, actor=member, items=[{"factory_id": factory.id, "template": "ProductionPerformance",
                                                 "record": record}]).accepted == 1
    stored = session.scalars(select(ProductionRecord)).one()
    assert stored.record == record
    assert (stored.work_unit, stored.shift, stored.pri) == (record["WorkUnitId"], "야간\\N", 0.30000000000000004)


def _facts(session: Session) -> list[dict[str, Any]]:
    columns = [ProductionRecord.__table__.c[name] for name in FACT_COLUMNS]
    return [dict(row) for row in session.execute(select(*columns).order_by(ProductionRecord.id)).mappings()]


@pytest.fixture
def engine_at_0005(empty_database_url: str) -> Iterator[tuple[str, Engine]]:  # noqa: F811
    migrations.upgrade(empty_database_url, "0005")
    engine = make_engine(empty_database_url)
    yield empty_database_url, engine
    engine.dispose()


def test_migration_0006_fills_the_records_stored_before_it(engine_at_0005: tuple[str, Engine]) -> None:
    url, engine = engine_at_0005
    records = {"ProductionPerformance": example_record("ProductionPerformance"),
               "EnergyCarbon": example_record("EnergyCarbon")}
    records["ProductionPerformance"]["GoodQuantity"] = 752.5
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organization (brn, name, name_key, kind, ksic_code, region_code, employees, is_active,"
            " created_at, updated_at) VALUES ('1234567891', 'x', 'x', 'sme', '29199', '41', 1, true,"
            " '2025-01-01', '2025-01-01')"))
        connection.execute(text(
            "INSERT INTO factory (organization_id, name, address, region_code, main_processes, production_lines,"
            " is_active, created_at, updated_at) VALUES (1, 'f', 'a', '41', '', 0, true, '2025-01-01', '2025-01-01')"))
        connection.execute(text(
            "INSERT INTO ingest_batch (organization_id, source, label, accepted, duplicates, rejected,"
            " created_by_label, received_at) VALUES (1, 'http', '', 0, 0, 0, 'x', '2025-01-01')"))
        for n, (template, record) in enumerate(records.items()):
            connection.execute(text(
                "INSERT INTO production_record (organization_id, factory_id, batch_id, template, idempotency_key,"
                " record, received_at) VALUES (1, 1, 1, :template, :key, :record, '2025-01-01')"),
                {"template": template, "key": f"k{n}", "record": json.dumps(record, ensure_ascii=False)})
    migrations.upgrade(url)
    engine.dispose()
    columns = ", ".join(FACT_COLUMNS)
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT template, {columns} FROM production_record ORDER BY id")).mappings()
        for row in rows:
            expected = facts_of(row["template"], records[row["template"]])
            got = {name: row[name] for name in FACT_COLUMNS}
            got["day"] = got["day"] if got["day"] is None or isinstance(got["day"], date) \
                else date.fromisoformat(str(got["day"]))
            assert _close(got, expected), (row["template"], got)


def _close(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    for name, value in expected.items():
        if isinstance(value, float) and got[name] is not None:
            if abs(got[name] - value) > 1e-3:
                return False
        elif got[name] != value:
            return False
    return True
