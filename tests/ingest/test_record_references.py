"""A stored record's references to its factory (of its own organization) and to its batch hold on both databases.

SQLite checks them with foreign keys; PostgreSQL with the triggers of migration 0008, which check a whole INSERT
statement at once. Either way: a record cannot refer to a factory of another organization or to a missing batch,
and a factory or batch that records refer to cannot be deleted or re-keyed. On PostgreSQL the triggers lock what a
statement refers to as a foreign key would, so a delete racing an insert waits for it and is then refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, exc, func, insert, select, text, update
from sqlalchemy.orm import Session

from midas import migrations
from midas.db import make_engine, make_session_factory, transaction, utc_now
from midas.ingest import IngestSource, ProductionRecord
from midas.ingest.models import IngestBatch
from midas.registry import Factory
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_factory, make_organization

RECORDS = ProductionRecord.__table__
BATCHES = IngestBatch.__table__
FACTORIES = Factory.__table__


def new_batch(connection: Connection, organization_id: int) -> int:
    return int(connection.execute(insert(BATCHES).values(
        organization_id=organization_id, source=IngestSource.HTTP.value, label="test", accepted=0, duplicates=0,
        rejected=0, created_by_label="test", received_at=utc_now())).inserted_primary_key[0])


def rows(organization_id: int, factory_id: int, batch_id: int, count: int, prefix: str = "k") -> list[dict[str, Any]]:
    return [{"organization_id": organization_id, "factory_id": factory_id, "batch_id": batch_id,
             "template": "ProductionPerformance", "idempotency_key": f"{prefix}-{n}", "record": {"n": n},
             "received_at": utc_now()} for n in range(count)]


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    own = make_organization(session)
    other = make_organization(session)
    factory = make_factory(session, own)
    session.flush()
    return {"organization": own.id, "other": other.id, "factory": factory.id,
            "batch": new_batch(session.connection(), own.id)}


def refused(connection: Connection, statement: Any, parameters: Any = None) -> str:
    """Run the statement in a savepoint and return the foreign key error it must raise."""
    savepoint = connection.begin_nested()
    with pytest.raises(exc.IntegrityError) as raised:
        connection.execute(statement, parameters) if parameters is not None else connection.execute(statement)
    savepoint.rollback()
    return str(raised.value.orig)


def test_records_with_existing_references_are_stored_in_one_statement(session: Session, world: dict[str, int]) -> None:
    connection = session.connection()
    connection.execute(insert(RECORDS), rows(world["organization"], world["factory"], world["batch"], 50))
    assert connection.scalar(select(func.count()).select_from(RECORDS)
                             .where(RECORDS.c.batch_id == world["batch"])) == 50


def test_a_record_cannot_refer_to_a_factory_of_another_organization(session: Session, world: dict[str, int]) -> None:
    connection = session.connection()
    good = rows(world["organization"], world["factory"], world["batch"], 3)
    wrong = rows(world["other"], world["factory"], world["batch"], 1, prefix="wrong")
    message = refused(connection, insert(RECORDS), good + wrong)
    assert "fk_production_record_factory_id_factory" in message or "FOREIGN KEY" in message
    connection.execute(insert(RECORDS), good)  # without the wrong one, the same records are taken
    assert connection.scalar(select(func.count()).select_from(RECORDS)
                             .where(RECORDS.c.batch_id == world["batch"])) == 3


def test_a_record_cannot_refer_to_a_missing_factory_or_batch(session: Session, world: dict[str, int]) -> None:
    connection = session.connection()
    missing_factory = rows(world["organization"], world["factory"] + 10_000, world["batch"], 1)
    missing_batch = rows(world["organization"], world["factory"], world["batch"] + 10_000, 1)
    factory_message = refused(connection, insert(RECORDS), missing_factory)
    batch_message = refused(connection, insert(RECORDS), missing_batch)
    if connection.dialect.name == "postgresql":
        assert "fk_production_record_factory_id_factory" in factory_message
        assert f"({world['factory'] + 10_000}, {world['organization']})" in factory_message
        assert "fk_production_record_batch_id_ingest_batch" in batch_message


def test_a_stored_records_references_cannot_be_changed_to_missing_ones(session: Session, world: dict[str, int]) -> None:
    connection = session.connection()
    connection.execute(insert(RECORDS), rows(world["organization"], world["factory"], world["batch"], 2))
    refused(connection, update(RECORDS).where(RECORDS.c.batch_id == world["batch"])
            .values(organization_id=world["other"]))
    refused(connection, update(RECORDS).where(RECORDS.c.batch_id == world["batch"])
            .values(batch_id=world["batch"] + 10_000))
    connection.execute(update(RECORDS).where(RECORDS.c.batch_id == world["batch"]).values(apt=1.0))  # others may


def test_a_factory_or_batch_with_records_is_kept(session: Session, world: dict[str, int]) -> None:
    connection = session.connection()
    connection.execute(insert(RECORDS), rows(world["organization"], world["factory"], world["batch"], 2))
    refused(connection, delete(FACTORIES).where(FACTORIES.c.id == world["factory"]))
    refused(connection, update(FACTORIES).where(FACTORIES.c.id == world["factory"])
            .values(organization_id=world["other"]))
    refused(connection, delete(BATCHES).where(BATCHES.c.id == world["batch"]))
    connection.execute(update(FACTORIES).where(FACTORIES.c.id == world["factory"]).values(name="새 이름"))
    connection.execute(update(BATCHES).where(BATCHES.c.id == world["batch"]).values(accepted=2))
    assert connection.scalar(select(func.count()).select_from(FACTORIES)
                             .where(FACTORIES.c.id == world["factory"])) == 1


def test_a_factory_and_batch_without_records_can_go(session: Session, world: dict[str, int]) -> None:
    connection = session.connection()
    connection.execute(delete(BATCHES).where(BATCHES.c.id == world["batch"]))
    connection.execute(delete(FACTORIES).where(FACTORIES.c.id == world["factory"]))
    assert connection.scalar(select(func.count()).select_from(FACTORIES)
                             .where(FACTORIES.c.id == world["factory"])) == 0


# PostgreSQL: what a foreign key's lock gives, with two transactions.

@pytest.fixture
def committed_engine(postgres_admin_url: str) -> Iterator[Engine]:
    url = create_postgres_database(postgres_admin_url)
    engine = make_engine(url)
    try:
        migrations.upgrade(url)
        yield engine
    finally:
        engine.dispose()
        drop_postgres_database(postgres_admin_url, url)


def committed_world(engine: Engine) -> dict[str, int]:
    with transaction(make_session_factory(engine)) as session:
        own = make_organization(session)
        factory = make_factory(session, own)
        session.flush()
        return {"organization": own.id, "factory": factory.id, "batch": new_batch(session.connection(), own.id)}


def blocked_until_released(engine: Engine, statement: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run the statement in its own transaction on a thread; what it raised lands in the returned dict."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '20s'"))
                connection.execute(statement)
            outcome["done"] = True
        except exc.DBAPIError as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def waiting_for_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")))


def wait_until(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the other transaction never waited")


@pytest.mark.postgres
def test_deleting_a_factory_waits_for_a_delivery_and_is_then_refused(committed_engine: Engine) -> None:
    world = committed_world(committed_engine)
    with committed_engine.connect() as delivery:
        outer = delivery.begin()
        delivery.execute(insert(RECORDS), rows(world["organization"], world["factory"], world["batch"], 5))
        thread, outcome = blocked_until_released(committed_engine,
                                                 delete(FACTORIES).where(FACTORIES.c.id == world["factory"]))
        wait_until(lambda: waiting_for_lock(committed_engine))
        outer.commit()
    thread.join(30)
    assert "error" in outcome, "the factory was deleted under the delivery's records"
    assert "fk_production_record_factory_id_factory" in str(outcome["error"].orig)


@pytest.mark.postgres
def test_a_delivery_waits_for_a_factory_being_deleted_and_is_then_refused(committed_engine: Engine) -> None:
    world = committed_world(committed_engine)
    with committed_engine.connect() as deleting:
        outer = deleting.begin()
        deleting.execute(delete(FACTORIES).where(FACTORIES.c.id == world["factory"]))
        thread, outcome = blocked_until_released(committed_engine, insert(RECORDS).values(
            rows(world["organization"], world["factory"], world["batch"], 3)))
        wait_until(lambda: waiting_for_lock(committed_engine))
        outer.commit()
    thread.join(30)
    assert "error" in outcome, "records were stored for a deleted factory"
    assert "fk_production_record_factory_id_factory" in str(outcome["error"].orig)
