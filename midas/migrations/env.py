from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from midas.db import ONLY_ON_DIALECTS, Base, load_all_models, make_engine

load_all_models()
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode drops the old copy of a table; with foreign keys on, SQLite would first delete its rows
        # (setting the references of other tables to NULL). Off during the migration, and checked before it commits.
        _sqlite_foreign_keys(connection, "OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER much; batch mode copies the table instead
        compare_type=True,
        include_object=_made_on(connection.dialect.name),
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _refuse_broken_references(connection)
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, "ON")


def _made_on(dialect: str) -> Any:
    """Leave out of the comparison the model constraints made only on other databases (``ONLY_ON_DIALECTS``)."""
    def include(item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        dialects = getattr(item, "info", {}).get(ONLY_ON_DIALECTS)
        return reflected or dialects is None or dialect in dialects
    return include


def _sqlite_foreign_keys(connection: Connection, state: str) -> None:
    """PRAGMA foreign_keys, on the driver's connection: SQLite ignores it inside a transaction."""
    driver = connection.connection.driver_connection
    if driver is not None:
        driver.execute(f"PRAGMA foreign_keys = {state}")


def _refuse_broken_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} rows referring to missing rows, first {broken[0]}")


run_migrations_online()
