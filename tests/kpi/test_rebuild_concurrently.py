"""`midas kpi rebuild` (rebuild_concurrently): several connections fill new tables from the committed records and
one transaction swaps them in. It must reproduce what the deliveries built, keep the schema as migrated, count a
delivery stored during the rebuild exactly once, and leave everything as it was when it fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas import migrations
from midas.auth import Actor, Role
from midas.db import make_engine, make_session_factory, transaction
from midas.ingest import accept
from midas.kpi import FACTORY_DAY, FACTORY_MONTH, UNIT_DAY, RebuildProgress, aggregate_service, rebuild_concurrently
from midas.standard import example_record
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_factory, make_organization
from tests.test_migrations import empty_database_url  # noqa: F401 - the fixture, on both databases

TEMPLATE = "ProductionPerformance"


@pytest.fixture
def engine(empty_database_url: str) -> Iterator[Engine]:  # noqa: F811 - the imported fixture's value
    migrations.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def record(day: str, unit: str = "P01", **values: Any) -> dict[str, Any]:
    data = example_record(TEMPLATE)
    data.update({"WorkUnitId": unit, "PeriodStart": f"{day}T08:00:00+09:00", "PeriodEnd": f"{day}T16:00:00+09:00"})
    data.update(values)
    return data


def energy(day: str) -> dict[str, Any]:
    data = example_record("EnergyCarbon")
    data.update({"PeriodStart": f"{day}T08:00:00+09:00", "PeriodEnd": f"{day}T17:00:00+09:00"})
    return data


def deliver(engine: Engine, factory_id: int, organization_id: int, *records: dict[str, Any],
            template: str = TEMPLATE) -> None:
    member = Actor(user_id=None, label="member", role=Role.COMPANY_MEMBER, organization_id=organization_id)
    with transaction(make_session_factory(engine)) as session:
        receipt = accept(session, actor=member, items=[
            {"factory_id": factory_id, "template": template, "record": r} for r in records])
        assert receipt.rejected == 0, receipt.refused


def aggregates(engine: Engine) -> list[list[dict[str, Any]]]:
    with engine.connect() as connection:
        return [[dict(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns)).mappings()]
            for table in (UNIT_DAY, FACTORY_DAY, FACTORY_MONTH)]


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


@pytest.fixture
def factories(engine: Engine) -> list[tuple[int, int]]:
    return committed_factories(engine)


@pytest.fixture
def postgres_factories(postgres_engine: Engine) -> list[tuple[int, int]]:
    return committed_factories(postgres_engine)


def committed_factories(engine: Engine) -> list[tuple[int, int]]:
    """Three factories of two companies, with production over two months and energy on one day, committed."""
    with transaction(make_session_factory(engine)) as session:
        first, second = make_organization(session), make_organization(session)
        made = [make_factory(session, first), make_factory(session, first), make_factory(session, second)]
        ids = [(factory.id, factory.organization_id) for factory in made]
    (a, org_a), (b, _), (c, org_c) = ids
    deliver(engine, a, org_a, record("2026-10-30"), record("2026-10-30", unit="P02"), record("2026-11-02"))
    deliver(engine, b, org_a, record("2026-11-03", ActualQueuingTime=60), record("2026-11-30"))
    deliver(engine, c, org_c, record("2026-11-03"), record("2026-12-01", ActualUnitDownTime=0))
    deliver(engine, c, org_c, energy("2026-11-03"), template="EnergyCarbon")
    return ids


def test_the_rebuild_reproduces_what_the_deliveries_built_and_keeps_the_schema(
        engine: Engine, factories: list[tuple[int, int]]) -> None:
    grown = aggregates(engine)
    assert [len(rows) for rows in grown] == [7, 6, 5]
    seen: list[RebuildProgress] = []
    done = rebuild_concurrently(engine, on_progress=seen.append, factories_per_step=1, workers=2)
    assert aggregates(engine) == grown
    assert (done.factories, done.unit_days) == (3, 7)
    assert sorted(step.factories_done for step in seen) == [1, 2, 3]
    tables = set(inspect(engine).get_table_names())
    assert not {name for name in tables if name.endswith("_rebuild")}, "the new tables were left beside the live"
    migrations.check(engine.url.render_as_string(hide_password=False))  # keys and indexes under their own names


@pytest.mark.postgres
def test_a_delivery_stored_during_a_rebuild_waits_and_counts_once(
        postgres_engine: Engine, postgres_factories: list[tuple[int, int]]) -> None:
    """(SQLite rebuilds in one transaction: another writer waits for it as for any writer.)"""
    engine, factories = postgres_engine, postgres_factories
    (factory_id, organization_id), *_ = factories
    errors: list[BaseException] = []
    writer = threading.Thread(target=_deliver_noting_errors, args=(
        engine, factory_id, organization_id, errors, record("2026-11-02", unit="P09"), record("2026-12-05")))
    waited: list[bool] = []

    def start_writer_once(step: RebuildProgress) -> None:
        if not waited:
            writer.start()
            waited.append(_a_backend_waits_for_a_lock(engine))

    rebuild_concurrently(engine, on_progress=start_writer_once, factories_per_step=1, workers=2)
    writer.join(timeout=30)
    assert not errors, errors
    assert waited == [True], "the delivery did not wait for the rebuild: this test proved nothing"
    after = aggregates(engine)
    rebuild_concurrently(engine)
    assert aggregates(engine) == after  # what a rebuild from the records gives: counted once, not lost
    unit_days, factory_days, _ = after
    assert sum(row["records"] for row in unit_days) == 9
    assert sum(row["records"] or 0 for row in factory_days) == 9


def _deliver_noting_errors(engine: Engine, factory_id: int, organization_id: int, errors: list[BaseException],
                           *records: dict[str, Any]) -> None:
    try:
        deliver(engine, factory_id, organization_id, *records)
    except BaseException as error:  # handed to the test thread
        errors.append(error)


def _a_backend_waits_for_a_lock(engine: Engine, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            if connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                       "AND datname = current_database()")).scalar():
                return True
            connection.rollback()
            time.sleep(0.05)
    return False


@pytest.mark.postgres
def test_a_failed_rebuild_leaves_the_figures_and_no_new_tables(
        postgres_engine: Engine, postgres_factories: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """(SQLite rebuilds in one transaction, which a failure rolls back.)"""
    engine, factories = postgres_engine, postgres_factories
    grown = aggregates(engine)

    def broken(*_args: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(aggregate_service, "_index_shadows", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        rebuild_concurrently(engine, factories_per_step=1)
    assert aggregates(engine) == grown
    assert not {name for name in inspect(engine).get_table_names() if name.endswith("_rebuild")}
    deliver(engine, factories[0][0], factories[0][1], record("2026-11-20"))  # ingestion is not left blocked
    assert sum(row["records"] for row in aggregates(engine)[0]) == 8


def test_the_command_rebuilds_from_the_raw_records_with_progress(
        engine: Engine, factories: list[tuple[int, int]]) -> None:
    from typer.testing import CliRunner

    from midas.cli.main import app
    from midas.config import get_settings

    grown = aggregates(engine)
    with engine.begin() as connection:  # figures that disagree with the records, and typed columns wiped
        connection.execute(UNIT_DAY.update().values(pq=0))
        connection.execute(text("UPDATE production_record SET pq = NULL"))
    url = engine.url.render_as_string(hide_password=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["kpi", "rebuild", "--from-raw", "--workers", "2", "--factories-per-step",
                                          "1"], env={"MIDAS_DATABASE_URL": url, "COLUMNS": "200"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "공장 3곳의 KPI 집계를 다시 만들었습니다: 설비-일 7건" in result.output
    assert aggregates(engine) == grown
