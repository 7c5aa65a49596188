"""Database plumbing: the declarative Base, engines and sessions for SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, DateTime, Engine, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic's batch mode on SQLite find and change them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: The ``info`` key of a model constraint made only on the databases it names (with ``ddl_if``): the comparison
#: of models and database in :mod:`midas.migrations.env` leaves it out on the others.
ONLY_ON_DIALECTS = "only_on_dialects"


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(kind: type[StrEnum]) -> Enum:
    """A portable enum column that stores the members' values (VARCHAR + CHECK on both databases)."""
    return Enum(kind, native_enum=False, length=32, validate_strings=True, create_constraint=True,
                values_callable=lambda members: [m.value for m in members])


def utc_now() -> datetime:
    return datetime.now(UTC)


def _configure_sqlite_connection(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy, not the sqlite3 module, open transactions: SAVEPOINTs then work as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite files get their folder, foreign keys and WAL mode."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False},
                               json_serializer=json_text)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    # psycopg prepares a statement on the server after its fifth run, and PostgreSQL may then plan it once for any
    # parameters: the peers of a year's KPI page (300 factory ids, a range of months) went from 70 ms to 200 ms on
    # such a generic plan. Planning each run for its own parameters costs well under a millisecond.
    return create_engine(url, echo=echo, pool_pre_ping=True, json_serializer=json_text,
                         connect_args={"options": "-c plan_cache_mode=force_custom_plan"})


def json_text(value: object) -> str:
    """JSON columns are written with orjson (about five times faster than the standard library, which matters for
    production records); keys that are not strings are written as strings, as the standard library does. What
    orjson refuses (an integer beyond 64 bits, a Decimal) goes to the standard library, which writes or refuses
    it as before."""
    try:
        return orjson.dumps(value).decode()  # most values have text keys only; the option below costs a quarter
    except TypeError:
        pass
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def load_all_models() -> None:
    """Import every domain's models so that Base.metadata knows every table and foreign key.

    A script that touches only accounts still needs the organization table that users refer to.
    """
    import midas.assessment.models
    import midas.audit.models
    import midas.auth.models
    import midas.ingest.models
    import midas.kpi.models
    import midas.registry.models
    import midas.support.models  # noqa: F401


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    load_all_models()
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
