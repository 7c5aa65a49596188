"""The migrations on both databases: up to head without drift, down to an empty database, up again, one
revision at a time in both directions, and a head schema that takes what the models write."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text

from midas import migrations
from midas.auth import Role, User
from midas.db import Base, load_all_models, make_engine, make_session_factory, transaction
from midas.ingest import idempotency_key
from midas.ingest.models import refusal_digest
from midas.registry import Factory, Organization
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_factory, make_organization, make_user

BOOKKEEPING_TABLES = {"alembic_version"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new, empty database of each backend, for this test alone."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'midas.db'}"
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    url = create_postgres_database(admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(admin_url, url)


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def platform_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - BOOKKEEPING_TABLES


def revisions_from_base() -> list[str]:
    """Every revision id in order from the first to head (one line of history, no branches)."""
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions("base", "heads")))]


def test_history_has_a_single_head() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them (alembic merge) or rebase one revision"


def test_upgrade_check_downgrade_and_upgrade_again(empty_database_url: str, empty_engine: Engine) -> None:
    migrations.upgrade(empty_database_url)
    tables = platform_tables(empty_engine)
    load_all_models()
    assert tables == set(Base.metadata.tables), "the migrated tables differ from the models' tables"
    migrations.check(empty_database_url)  # raises when the models and the migrations disagree

    migrations.downgrade(empty_database_url, "base")
    empty_engine.dispose()
    assert platform_tables(empty_engine) == set()

    migrations.upgrade(empty_database_url)
    empty_engine.dispose()
    assert platform_tables(empty_engine) == tables
    migrations.check(empty_database_url)


def test_each_revision_upgrades_and_downgrades_on_its_own(empty_database_url: str, empty_engine: Engine) -> None:
    revisions = revisions_from_base()
    assert revisions, "no migrations found"
    seen: list[set[str]] = [platform_tables(empty_engine)]
    for revision in revisions:
        migrations.upgrade(empty_database_url, revision)
        empty_engine.dispose()
        seen.append(platform_tables(empty_engine))
    for revision, tables_before in zip(reversed(revisions), reversed(seen[:-1]), strict=True):
        migrations.downgrade(empty_database_url, "-1")
        empty_engine.dispose()
        assert platform_tables(empty_engine) == tables_before, f"downgrading {revision} left other tables"


def test_the_head_schema_takes_rows_written_through_the_models(
    empty_database_url: str, empty_engine: Engine
) -> None:
    migrations.upgrade(empty_database_url)
    factory = make_session_factory(empty_engine)
    with transaction(factory) as session:
        organization = make_organization(session, name="(주)마이그레이션정밀", employees=77)
        make_factory(session, organization, name="시험공장", production_lines=2)
        make_user(session, Role.COMPANY_MEMBER, organization=organization, email="member@migration.example.kr")
        organization_id = organization.id

    with transaction(factory) as session:
        stored = session.get(Organization, organization_id)
        assert stored is not None
        assert (stored.name, stored.employees) == ("(주)마이그레이션정밀", 77)
        assert stored.created_at.tzinfo is not None
        factories = session.scalars(select(Factory).where(Factory.organization_id == organization_id)).all()
        assert [(f.name, f.production_lines) for f in factories] == [("시험공장", 2)]
        member = session.scalars(select(User).where(User.email == "member@migration.example.kr")).one()
        assert member.organization_id == organization_id
        assert member.role is Role.COMPANY_MEMBER


def test_copying_the_record_table_keeps_what_refers_to_its_rows(empty_database_url: str,
                                                                 empty_engine: Engine) -> None:
    """0007 changes production_record's foreign keys, which SQLite does by copying the table: a replayed dead
    letter's reference to its record must survive (SQLite, with foreign keys on, would set it to NULL)."""
    migrations.upgrade(empty_database_url, "0006")
    factory = make_session_factory(empty_engine)
    with transaction(factory) as session:
        organization = make_organization(session)
        plant = make_factory(session, organization)
        ids = {"organization": organization.id, "factory": plant.id}
    with empty_engine.begin() as connection:  # the 0006 tables, written as 0006 knew them
        batch = connection.execute(text(
            "INSERT INTO ingest_batch (organization_id, source, label, accepted, duplicates, rejected, "
            "created_by_label, received_at) VALUES (:organization, 'http', 'x', 1, 0, 1, 'test', "
            "'2026-11-27 00:00:00') RETURNING id"), ids).scalar_one()
        record = connection.execute(text(
            "INSERT INTO production_record (organization_id, factory_id, batch_id, template, idempotency_key, "
            "record, received_at) VALUES (:organization, :factory, :batch, 'ProductionPerformance', 'k1', '{}', "
            "'2026-11-27 00:00:00') RETURNING id"), {**ids, "batch": batch}).scalar_one()
        letter = connection.execute(text(
            "INSERT INTO ingest_dead_letter (organization_id, batch_id, source, position, raw, problems, status, "
            "received_at, replayed_record_id) VALUES (:organization, :batch, 'http', 'item 2', '{}', '[]', "
            "'replayed', '2026-11-27 00:00:00', :record) RETURNING id"),
            {**ids, "batch": batch, "record": record}).scalar_one()
    empty_engine.dispose()
    migrations.upgrade(empty_database_url)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT replayed_record_id FROM ingest_dead_letter WHERE id = :id"),
                                  {"id": letter}).scalar_one() == record
        assert connection.execute(text("SELECT id FROM production_record")).scalars().all() == [record]


def test_content_keys_gain_their_day_and_lose_it_again(empty_database_url: str, empty_engine: Engine) -> None:
    """0009 rewrites the keys ingestion made from content (the digest of their own row) to begin with the record's
    day, so that content sent again is still known; a sender's message id that looks like one is left alone."""
    migrations.upgrade(empty_database_url, "0008")
    with transaction(make_session_factory(empty_engine)) as session:
        organization = make_organization(session)
        plant = make_factory(session, organization)
        ids = {"organization": organization.id, "factory": plant.id}
    data = {"WorkUnitId": "L1", "PeriodStart": "2026-11-02T08:00:00+09:00", "ProducedQuantity": 5}
    canonical = json.dumps({"factory_id": ids["factory"], "template": "ProductionPerformance", "record": data},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    lookalike = "sha256:" + "0" * 64
    with empty_engine.begin() as connection:
        batch = connection.execute(text(
            "INSERT INTO ingest_batch (organization_id, source, label, accepted, duplicates, rejected, "
            "created_by_label, received_at) VALUES (:organization, 'http', 'x', 2, 0, 0, 'test', "
            "'2026-11-27 00:00:00') RETURNING id"), ids).scalar_one()
        for key in (f"sha256:{digest}", lookalike):
            connection.execute(text(
                "INSERT INTO production_record (organization_id, factory_id, batch_id, template, idempotency_key, "
                "record, received_at) VALUES (:organization, :factory, :batch, 'ProductionPerformance', :key, "
                ":record, '2026-11-27 00:00:00')"), {**ids, "batch": batch, "key": key, "record": json.dumps(data)})
    empty_engine.dispose()

    def keys() -> list[str]:
        with empty_engine.connect() as connection:
            return list(connection.execute(text("SELECT idempotency_key FROM production_record ORDER BY id"))
                        .scalars())

    migrations.upgrade(empty_database_url)
    assert keys() == [f"sha256:2026-11-02:{digest}", lookalike]
    assert keys()[0] == idempotency_key(ids["factory"], "ProductionPerformance", data)  # what ingestion makes now
    empty_engine.dispose()
    migrations.downgrade(empty_database_url, "0008")
    assert keys() == [f"sha256:{digest}", lookalike]


def test_dead_letters_written_before_their_digest_get_it(empty_database_url: str, empty_engine: Engine) -> None:
    """0010 gives every dead letter the digest that makes copies of one refused record known as copies."""
    migrations.upgrade(empty_database_url, "0009")
    with transaction(make_session_factory(empty_engine)) as session:
        organization = make_organization(session)
        ids = {"organization": organization.id}
    rows = [("mes-1", '{"record": {}}'), ("mes-1", '{"record": {}}'), (None, '{"factory_id": ')]
    with empty_engine.begin() as connection:  # the 0009 table, written as 0009 knew it
        batch = connection.execute(text(
            "INSERT INTO ingest_batch (organization_id, source, label, accepted, duplicates, rejected, "
            "created_by_label, received_at) VALUES (:organization, 'http', 'x', 0, 0, 3, 'test', "
            "'2026-11-27 00:00:00') RETURNING id"), ids).scalar_one()
        for key, raw in rows:
            connection.execute(text(
                "INSERT INTO ingest_dead_letter (organization_id, batch_id, source, position, idempotency_key, raw, "
                "problems, status, received_at) VALUES (:organization, :batch, 'http', 'item 1', :key, :raw, '[]', "
                "'open', '2026-11-27 00:00:00')"), {**ids, "batch": batch, "key": key, "raw": raw})
    empty_engine.dispose()

    migrations.upgrade(empty_database_url)
    with empty_engine.connect() as connection:
        digests = connection.execute(text("SELECT content_digest FROM ingest_dead_letter ORDER BY id")).scalars().all()
    assert digests == [refusal_digest(key, raw) for key, raw in rows]
    assert digests[0] == digests[1] != digests[2]
    empty_engine.dispose()
    migrations.downgrade(empty_database_url, "0009")
    columns = {column["name"] for column in inspect(empty_engine).get_columns("ingest_dead_letter")}
    assert "content_digest" not in columns
