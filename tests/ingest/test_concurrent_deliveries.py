"""Deliveries that repeat keys, alone and racing each other, on PostgreSQL's two ways of storing.

PostgreSQL stores a delivery by a COPY straight into production_record and, when one of its keys is stored
already, by the staging table and ``ON CONFLICT DO NOTHING`` instead (:func:`midas.ingest.service._store_by_copy`).
Either way a key is stored once and the receipt counts the repeats as duplicates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from midas import migrations
from midas.auth import Actor, Role
from midas.db import make_engine, make_session_factory, transaction
from midas.ingest import ProductionRecord, Receipt, accept
from midas.standard import example_record
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_factory, make_organization

TEMPLATE = "ProductionPerformance"


def shift(hour: int) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record["PeriodStart"] = f"2026-11-26T{hour:02d}:00:00+09:00"
    record["PeriodEnd"] = f"2026-11-26T{hour + 9:02d}:00:00+09:00"
    return record


def items(factory_id: int, hours: range | list[int]) -> list[dict[str, Any]]:
    return [{"factory_id": factory_id, "template": TEMPLATE, "record": shift(hour), "message_id": f"m-{hour}"}
            for hour in hours]


def member(organization_id: int) -> Actor:
    return Actor(user_id=None, label="mes", role=Role.COMPANY_MEMBER, organization_id=organization_id)


def test_a_delivery_with_keys_stored_before_among_new_ones_stores_only_the_new(session: Session) -> None:
    factory = make_factory(session, organization := make_organization(session))
    sender = member(organization.id)
    assert accept(session, actor=sender, items=items(factory.id, [3, 5])).accepted == 2
    mixed = accept(session, actor=sender, items=items(factory.id, [2, 3, 4, 5, 6]))
    assert (mixed.accepted, mixed.duplicates, mixed.rejected) == (3, 2, 0)
    keys = session.scalars(select(ProductionRecord.idempotency_key)
                           .where(ProductionRecord.organization_id == organization.id)).all()
    assert sorted(keys) == ["m-2", "m-3", "m-4", "m-5", "m-6"]
    batch = session.scalars(select(ProductionRecord.idempotency_key)
                            .where(ProductionRecord.batch_id == mixed.batch_id)).all()
    assert sorted(batch) == ["m-2", "m-4", "m-6"]


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


def waiting_for_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")))


@pytest.mark.postgres
def test_two_deliveries_of_the_same_records_racing_store_each_record_once(committed_engine: Engine) -> None:
    sessions = make_session_factory(committed_engine)
    with transaction(sessions) as session:
        factory = make_factory(session, organization := make_organization(session))
        session.flush()
        organization_id, factory_id = organization.id, factory.id
    outcome: dict[str, Any] = {}

    def second_delivery() -> None:
        try:
            with transaction(sessions) as session:
                session.execute(text("SET LOCAL lock_timeout = '20s'"))
                outcome["receipt"] = accept(session, actor=member(organization_id), items=items(factory_id, [4, 5, 6]))
        except Exception as error:  # the assertion below shows it
            outcome["error"] = error

    with transaction(sessions) as first:
        receipt = accept(first, actor=member(organization_id), items=items(factory_id, [1, 2, 3, 4, 5]))
        thread = threading.Thread(target=second_delivery)
        thread.start()
        for _ in range(200):  # the second delivery waits on the first one's uncommitted keys 4 and 5
            if waiting_for_lock(committed_engine):
                break
            thread.join(0.05)
        else:
            raise AssertionError("the second delivery never waited for the first")
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    second: Receipt = outcome["receipt"]
    assert (receipt.accepted, second.accepted, second.duplicates) == (5, 1, 2)
    with committed_engine.connect() as connection:
        keys = connection.scalars(select(ProductionRecord.idempotency_key).order_by(ProductionRecord.id)).all()
        assert sorted(keys) == ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"]
        assert connection.scalar(select(func.count()).select_from(ProductionRecord)
                                 .where(ProductionRecord.batch_id == second.batch_id)) == 1
