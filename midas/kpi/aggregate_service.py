"""Keeping the KPI aggregates (:mod:`midas.kpi.models`) equal to the sums of the raw production records.

The statements go through SQLAlchemy Core, so they run on SQLite and PostgreSQL alike: ``INSERT ... SELECT ...
GROUP BY`` over ``production_record``, summing the typed columns ingestion derived from each record's JSON when it
stored it (:mod:`midas.ingest.facts`; ``midas kpi rebuild --from-raw`` derives them again first).

- **As data arrives** (:func:`add_batch`): ingestion calls it in the transaction that stored a delivery, with the
  delivery's batch id; the statements group that batch's records and *add* them to the existing rows of the three
  tables (``ON CONFLICT ... DO UPDATE SET x = x + excluded.x``). Records are append-only and stored once per key,
  so adding is exact; keys are sorted so that concurrent deliveries lock rows in the same order.
- **Full recompute in the caller's transaction** (:func:`rebuild`): empty the aggregates and group all records
  again, a range of factories per statement, reporting progress. It sees what the caller's transaction wrote (the
  demo seeds records and rebuilds in one transaction; the tests roll everything back).
- **Full recompute of the committed records, in parallel** (:func:`rebuild_concurrently`, what ``midas kpi
  rebuild`` runs): on PostgreSQL, several connections fill new tables beside the live ones, a range of factories
  per statement; the keys and indexes are built once at the end, and one short transaction swaps the new tables
  in. Deliveries stored meanwhile wait (the live tables are locked against writes, not reads) and are added to
  the new tables when the swap commits, so none is counted twice or lost. Pages keep reading the old figures
  until then. 10 million records: about 35 s on 2 cores, where one statement over all records took 77-150 s
  (a sort of 10 million rows to disk, then a single-process insert). On SQLite it is :func:`rebuild`.

On PostgreSQL a range of factories is read through the record table's (factory, template) index, already in
factory order, so each factory's records are sorted in memory (an incremental sort) instead of sorting millions
of rows on disk; one statement writes the range's unit-days, factory-days and factory-months (data-modifying
WITH queries), so no range is read twice.

Every path sums the same expressions, so a rebuild reproduces what the increments built (tests check both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final

from sqlalchemy import (
    Date,
    Float,
    MetaData,
    Select,
    Table,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from midas.ingest import ProductionRecord
from midas.kpi.elements import ELEMENT_SOURCES, ELEMENTS
from midas.kpi.models import FACTORY_DAY, FACTORY_MONTH, UNIT_DAY
from midas.registry import Factory

__all__ = ["RebuildProgress", "add_batch", "month_of", "rebuild", "rebuild_concurrently"]

PRODUCTION: Final = "ProductionPerformance"
ENERGY: Final = "EnergyCarbon"
REBUILD_FACTORIES_PER_STEP: Final = 100
REBUILD_WORKERS: Final = 2
REBUILD_WORK_MEM: Final = "256MB"
REBUILD_INDEX_MEMORY: Final = "1GB"
UNIT_KEY: Final = ("factory_id", "day", "work_unit", "shift")
#: The aggregate tables, in the order a rebuild fills them.
AGGREGATES: Final = (UNIT_DAY, FACTORY_DAY, FACTORY_MONTH)
#: Planner settings for one range of factories on PostgreSQL: read the range through the (factory, template) index
#: in factory order and sort each factory in memory. Left to itself the planner scanned the whole record table
#: and hashed the groups (0.8 s instead of 0.4 s per 335,000 records), and compiling each statement (JIT) cost
#: 0.27 s.
_RANGE_SETTINGS: Final = {"enable_seqscan": "off", "enable_bitmapscan": "off", "enable_hashagg": "off",
                          "jit": "off", "max_parallel_workers_per_gather": "0", "work_mem": REBUILD_WORK_MEM}


class month_of(FunctionElement[date]):  # noqa: N801 - an SQL function, named as SQL names them
    """The first day of the month of a date column, on either database."""

    type = Date()
    inherit_cache = True
    name = "month_of"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


# The grouped selects -------------------------------------------------------------------------------------------


#: The record table's columns the aggregates read; a delivery's records are read once with only these (PostgreSQL).
_SUMMED_COLUMNS: Final = ("factory_id", "organization_id", "template", "work_unit", "day", "shift", "period_start",
                          "period_end", *ELEMENT_SOURCES, "pri", "energy_kwh")


def _records() -> Any:
    """The production record table, where the aggregates read from by default."""
    return ProductionRecord.__table__


def _production_values(*conditions: ColumnElement[bool], source: Any = None) -> Any:
    """Each production record's keys and element values from its typed columns (a subquery to group), read from
    ``source`` (the record table, or a WITH query of some of its rows and :data:`_SUMMED_COLUMNS`)."""
    records = _records() if source is None else source
    down = records.c.adot
    return (
        select(records.c.factory_id, records.c.organization_id, records.c.work_unit,
               records.c.day, records.c.shift, records.c.period_start.label("start"),
               records.c.period_end.label("end"),
               *(records.c[name].label(name) for name in ELEMENT_SOURCES),
               (records.c.pri * records.c.pq).label("pru_pq"),
               case((down.is_(None), None), (down > 0, 1.0), else_=0.0).label("failures"))
        .where(records.c.template == PRODUCTION, *conditions)
        .subquery("production")
    )


def _element_sums(values: Any) -> list[ColumnElement[Any]]:
    """Each element's SUM over the grouped records (NULL when no record reports it), in :data:`ELEMENTS` order."""
    return [func.count().label(name) if name == "records" else func.sum(values.c[name]).label(name)
            for name in ELEMENTS]


def _unit_day_select(*conditions: ColumnElement[bool], in_key_order: bool = False, source: Any = None) -> Select[Any]:
    values = _production_values(*conditions, source=source)
    keys = [values.c[name] for name in UNIT_KEY]
    query = (
        select(values.c.factory_id, values.c.organization_id, values.c.work_unit, values.c.day, values.c.shift,
               func.min(values.c.start).label("first_start"), func.max(values.c.end).label("last_end"),
               func.sum(values.c.end - values.c.start).label("period_seconds"), *_element_sums(values))
        .where(values.c.factory_id.is_not(None))  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        .group_by(*keys, values.c.organization_id)  # the key first: a factory's records sort in memory
    )
    return query.order_by(*keys) if in_key_order else query


def _factory_select(*conditions: ColumnElement[bool], monthly: bool = False) -> Select[Any]:
    """The production records' sums per factory and day (or month: the column is then ``month``)."""
    values = _production_values(*conditions)
    period = month_of(values.c.day).label("month") if monthly else values.c.day
    return (
        select(values.c.factory_id, values.c.organization_id, period, *_element_sums(values))
        .where(values.c.factory_id.is_not(None))
        .group_by(values.c.factory_id, values.c.organization_id, period)
        .order_by(values.c.factory_id, period)
    )


def _energy_values(*conditions: ColumnElement[bool], source: Any = None) -> Any:
    records = _records() if source is None else source
    return (
        select(records.c.factory_id, records.c.organization_id, records.c.day, records.c.energy_kwh.label("energy"))
        .where(records.c.template == ENERGY, *conditions)
        .subquery("energy")
    )


def _energy_select(*conditions: ColumnElement[bool], monthly: bool = False) -> Select[Any]:
    values = _energy_values(*conditions)
    period = month_of(values.c.day).label("month") if monthly else values.c.day
    return (
        select(values.c.factory_id, values.c.organization_id, period,
               func.sum(values.c.energy).label("energy_kwh"))
        .where(values.c.factory_id.is_not(None))
        .group_by(values.c.factory_id, values.c.organization_id, period)
        .order_by(values.c.factory_id, period)
    )


def _months_from_days(source: Any) -> Select[Any]:
    """Factory-day rows (a table or a WITH query) summed per factory and month."""
    month = month_of(source.c.day).label("month")
    return (select(source.c.factory_id, func.min(source.c.organization_id).label("organization_id"), month,
                   func.sum(source.c.energy_kwh).label("energy_kwh"),
                   *(func.sum(source.c[name]).label(name) for name in ELEMENTS))
            .group_by(source.c.factory_id, month))


# Adding a delivery ---------------------------------------------------------------------------------------------


def _insert(session: Session | Connection, table: Any) -> Any:
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    return _dialect_insert(dialect)(table)


def _dialect_insert(dialect: str) -> Callable[[Any], Any]:
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"the KPI engine supports SQLite and PostgreSQL, not {dialect}")


def _added(existing: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    """existing + new, where NULL means "not reported" (so NULL + x = x, not NULL)."""
    return func.coalesce(existing + new, existing, new)


def _least(existing: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((existing.is_(None), new), (new.is_(None), existing), (new < existing, new), else_=existing)


def _greatest(existing: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((existing.is_(None), new), (new.is_(None), existing), (new > existing, new), else_=existing)


def _adding(statement: Any, table: Any, keys: Sequence[str], columns: Sequence[str]) -> Any:
    """``statement`` (an INSERT ... SELECT) made to add its rows to existing rows of the same key."""
    excluded = statement.excluded
    updates: dict[str, Any] = {name: _added(table.c[name], excluded[name]) for name in columns}
    if "first_start" in table.c:  # the unit-day table: the span and length of the record periods
        updates["first_start"] = _least(table.c.first_start, excluded.first_start)
        updates["last_end"] = _greatest(table.c.last_end, excluded.last_end)
        updates["period_seconds"] = _added(table.c.period_seconds, excluded.period_seconds)
    return statement.on_conflict_do_update(index_elements=list(keys), set_=updates)


def _upsert_adding(session: Session, table: Any, query: Select[Any], keys: Sequence[str],
                   columns: Sequence[str]) -> None:
    session.execute(_upsert_adding_statement(_dialect_insert(session.get_bind().dialect.name), table, query, keys,
                                             columns))


def _upsert_adding_statement(insert: Callable[[Any], Any], table: Any, query: Select[Any], keys: Sequence[str],
                             columns: Sequence[str]) -> Any:
    return _adding(insert(table).from_select(list(query.selected_columns.keys()), query), table, keys, columns)


def add_batch(session: Session, batch_id: int) -> None:
    """Add one stored delivery's production and energy records to the aggregates (called by ingestion)."""
    for statement in _add_batch_statements(session.get_bind().dialect.name):
        session.execute(statement, {"batch_id": batch_id})


@cache
def _add_batch_statements(dialect: str) -> tuple[Any, ...]:
    """The statements that add a delivery (its id bound as ``batch_id``), built once: building them took a tenth
    of an MQTT worker's time. PostgreSQL: one statement that reads the delivery's records once (WITH queries);
    SQLite: one per table and source."""
    in_batch = ProductionRecord.batch_id == bindparam("batch_id")
    insert = _dialect_insert(dialect)
    if dialect == "postgresql":
        return (_add_batch_postgresql(in_batch),)
    statements = [_upsert_adding_statement(insert, UNIT_DAY, _unit_day_select(in_batch, in_key_order=True),
                                           UNIT_KEY, ELEMENTS)]
    for table, monthly, key in ((FACTORY_DAY, False, "day"), (FACTORY_MONTH, True, "month")):
        statements.append(_upsert_adding_statement(insert, table, _factory_select(in_batch, monthly=monthly),
                                                   ("factory_id", key), ELEMENTS))
        statements.append(_upsert_adding_statement(insert, table, _energy_select(in_batch, monthly=monthly),
                                                   ("factory_id", key), ("energy_kwh",)))
    return tuple(statements)


def _add_batch_postgresql(in_batch: ColumnElement[bool]) -> Any:
    """One statement: the delivery's records read once, by the batch id alone, then grouped into the three tables.

    The batch id is the only condition of that read on purpose. Given the template and factory conditions as well,
    the planner, before the table's first statistics (a new installation, or one that grows faster than autovacuum
    analyzes it), ANDed the batch id index with a scan of the whole (factory, template) index: a cost that grew
    with the table, 44-81 ms a delivery of 5,000 at 1,000,000 records against 18-33 ms for this plan, so
    ingestion slowed as the data grew. With statistics it chose this plan; now it does not depend on them."""
    batch = (select(*(ProductionRecord.__table__.c[name] for name in _SUMMED_COLUMNS))
             .where(in_batch).cte("batch").prefix_with("MATERIALIZED"))
    units = _unit_day_select(source=batch).cte("unit_delta")
    unit_columns = list(units.c.keys())
    add_units = _adding(postgresql.insert(UNIT_DAY).from_select(
        unit_columns, select(units).order_by(*(units.c[name] for name in UNIT_KEY))),
        UNIT_DAY, UNIT_KEY, ELEMENTS).returning(literal(1).label("added")).cte("units_added")
    days = _days_with_energy(units, source=batch).cte("day_delta")
    day_columns = ["factory_id", "organization_id", "day", "energy_kwh", *ELEMENTS]
    add_days = _adding(postgresql.insert(FACTORY_DAY).from_select(
        day_columns, select(days).order_by(days.c.factory_id, days.c.day)),
        FACTORY_DAY, ("factory_id", "day"), ("energy_kwh", *ELEMENTS)).returning(literal(1).label("added")).cte(
        "days_added")
    months = _months_from_days(days).subquery("month_delta")
    add_months = _adding(postgresql.insert(FACTORY_MONTH).from_select(
        ["factory_id", "organization_id", "month", "energy_kwh", *ELEMENTS],
        select(months).order_by(months.c.factory_id, months.c.month)),
        FACTORY_MONTH, ("factory_id", "month"), ("energy_kwh", *ELEMENTS)).returning(literal(1).label("added")).cte(
        "months_added")
    # Every WITH query runs to completion; counting each makes SQLAlchemy write all three.
    return select(*(select(func.count()).select_from(added).scalar_subquery()
                    for added in (add_units, add_days, add_months)))


def _days_with_energy(units: Any, *conditions: ColumnElement[bool], source: Any = None) -> Select[Any]:
    """Unit-day rows (a WITH query) summed per factory and day, with the energy records of the same records."""
    energy = _energy_values(*conditions, source=source)
    no_value = cast(null(), Float)
    parts = union_all(
        select(units.c.factory_id, units.c.organization_id, units.c.day,
               no_value.label("energy_kwh"), *(units.c[name] for name in ELEMENTS)),
        select(energy.c.factory_id, energy.c.organization_id, energy.c.day, energy.c.energy.label("energy_kwh"),
               *(no_value.label(name) for name in ELEMENTS)),
    ).subquery("parts")
    return (select(parts.c.factory_id, parts.c.organization_id, parts.c.day,
                   func.sum(parts.c.energy_kwh).label("energy_kwh"),
                   *(func.sum(parts.c[name]).label(name) for name in ELEMENTS))
            .group_by(parts.c.factory_id, parts.c.organization_id, parts.c.day))


# Rebuilding ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RebuildProgress:
    """Where a rebuild is: factories done of all factories of the registry; at the end, the factories with
    production data and the unit-day rows written."""

    factories_done: int
    factories: int
    unit_days: int | None = None


def _factory_ranges(session: Session | Connection, factories_per_step: int) -> list[tuple[int, int, int]]:
    """(first id, last id, factories) of consecutive ranges of factory ids."""
    ids = list(session.scalars(select(Factory.id).order_by(Factory.id)))
    size = max(1, factories_per_step)
    return [(ids[start], ids[min(start + size, len(ids)) - 1], len(ids[start:start + size]))
            for start in range(0, len(ids), size)]


def rebuild(session: Session, *, on_progress: Callable[[RebuildProgress], None] | None = None,
            factories_per_step: int = REBUILD_FACTORIES_PER_STEP) -> RebuildProgress:
    """Recompute the aggregate tables from the records the session sees (the caller commits).

    Readers keep the old figures until the caller commits: PostgreSQL empties the tables with TRUNCATE (readers
    wait for the commit rather than see half a rebuild), SQLite within its one writer's transaction."""
    ranges = _factory_ranges(session, factories_per_step)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text(f"TRUNCATE {', '.join(table.name for table in AGGREGATES)}"))
    else:
        for table in AGGREGATES:
            session.execute(delete(table))
    total, done, unit_days = sum(count for _, _, count in ranges), 0, 0
    with _range_settings(session, postgres):
        for low, high, count in ranges:
            unit_days += (_write_range_postgresql(session, AGGREGATES, low, high) if postgres
                          else _write_range_sqlite(session, low, high))
            done += count
            if on_progress is not None:
                on_progress(RebuildProgress(done, total))
    if not postgres:
        session.execute(_insert(session, FACTORY_MONTH).from_select(
            ["factory_id", "organization_id", "month", "energy_kwh", *ELEMENTS], _months_from_days(FACTORY_DAY)))
    for table in AGGREGATES:
        # Fresh statistics: with those of the empty tables the planner picked a peer query 60 times slower.
        session.execute(text(f"ANALYZE {table.name}"))
    with_data = _factories_with_data(session, FACTORY_DAY)
    return RebuildProgress(with_data, with_data, unit_days)


def _factories_with_data(executor: Session | Connection, factory_days: Table) -> int:
    """How many factories the rebuilt figures cover (the progress counted every factory of the registry)."""
    return int(executor.scalar(select(func.count(func.distinct(factory_days.c.factory_id)))) or 0)


@contextmanager
def _range_settings(session: Session | Connection, postgres: bool) -> Iterator[None]:
    if not postgres:
        yield
        return
    for name, value in _RANGE_SETTINGS.items():
        session.execute(text(f"SET LOCAL {name} = '{value}'"))
    yield
    for name in _RANGE_SETTINGS:
        session.execute(text(f"SET LOCAL {name} TO DEFAULT"))


def _write_range_sqlite(session: Session, low: int, high: int) -> int:
    in_range = ProductionRecord.factory_id.between(low, high)
    query = _unit_day_select(in_range)
    written: Any = session.execute(_insert(session, UNIT_DAY).from_select(list(query.selected_columns.keys()),
                                                                          query))
    factory_days = _factory_select(in_range)
    session.execute(_insert(session, FACTORY_DAY).from_select(list(factory_days.selected_columns.keys()),
                                                              factory_days))
    _upsert_adding(session, FACTORY_DAY, _energy_select(in_range), ("factory_id", "day"), ("energy_kwh",))
    return int(written.rowcount or 0)


def _write_range_postgresql(executor: Session | Connection, targets: Sequence[Table], low: int, high: int) -> int:
    """One statement: the range's unit-days into the first target, their factory-days (with the energy records)
    into the second, and those summed per month into the third; the number of unit-days written."""
    unit_target, day_target, month_target = targets
    in_range = ProductionRecord.factory_id.between(low, high)
    units = _unit_day_select(in_range)
    unit_rows = (_insert(executor, unit_target).from_select(list(units.selected_columns.keys()), units)
                 .returning(*(unit_target.c[name] for name in ("factory_id", "organization_id", "day", *ELEMENTS)))
                 .cte("unit_rows"))
    days = _days_with_energy(unit_rows, in_range)
    day_columns = ["factory_id", "organization_id", "day", "energy_kwh", *ELEMENTS]
    day_rows = (_insert(executor, day_target).from_select(day_columns, days)
                .returning(*(day_target.c[name] for name in day_columns)).cte("day_rows"))
    months = _months_from_days(day_rows)
    month_rows = (_insert(executor, month_target)
                  .from_select(["factory_id", "organization_id", "month", "energy_kwh", *ELEMENTS], months)
                  .returning(literal(1).label("written")).cte("month_rows"))
    counted = select(select(func.count()).select_from(unit_rows).scalar_subquery(),
                     select(func.count()).select_from(month_rows).scalar_subquery())
    written, _months = executor.execute(counted).one()
    return int(written)


# Rebuilding in parallel ----------------------------------------------------------------------------------------


def rebuild_concurrently(engine: Engine, *, on_progress: Callable[[RebuildProgress], None] | None = None,
                         factories_per_step: int = REBUILD_FACTORIES_PER_STEP,
                         workers: int = REBUILD_WORKERS) -> RebuildProgress:
    """Recompute the aggregate tables from the committed records and commit (``midas kpi rebuild``).

    PostgreSQL: ``workers`` connections fill new tables a range of factories at a time, and one transaction swaps
    them in (see the module's docstring). SQLite: :func:`rebuild` in one transaction."""
    if engine.dialect.name != "postgresql":
        with Session(engine) as session, session.begin():
            return rebuild(session, on_progress=on_progress, factories_per_step=factories_per_step)
    shadows = _shadow_tables()
    with engine.connect() as coordinator:
        swap = coordinator.begin()
        try:
            # Writers (deliveries being stored) wait from here until the swap commits; readers do not.
            coordinator.execute(text(f"LOCK TABLE {', '.join(t.name for t in AGGREGATES)} IN EXCLUSIVE MODE"))
            ranges = _factory_ranges(coordinator, factories_per_step)
            _create_shadows(engine, shadows)
            unit_days = _fill_shadows(engine, shadows, ranges, on_progress, workers)
            _index_shadows(engine, shadows)
            with_data = _factories_with_data(coordinator, shadows[1])
            _swap_in(coordinator, shadows)
            swap.commit()
        except BaseException:
            swap.rollback()
            _drop_shadows(engine, shadows)
            raise
    return RebuildProgress(with_data, with_data, unit_days)


def _shadow_name(name: str) -> str:
    return f"{name}_rebuild"


def _shadow_tables() -> tuple[Table, ...]:
    """The aggregate tables' new copies (their columns; keys and indexes come at the end, by name)."""
    metadata = MetaData()
    return tuple(table.to_metadata(metadata, name=_shadow_name(table.name)) for table in AGGREGATES)


def _create_shadows(engine: Engine, shadows: Sequence[Table]) -> None:
    with engine.begin() as connection:
        for table, shadow in zip(AGGREGATES, shadows, strict=True):
            connection.execute(text(f"DROP TABLE IF EXISTS {shadow.name}"))  # left by a rebuild that failed
            connection.execute(text(f"CREATE TABLE {shadow.name} (LIKE {table.name} INCLUDING DEFAULTS)"))


def _drop_shadows(engine: Engine, shadows: Sequence[Table]) -> None:
    with engine.begin() as connection:
        for shadow in shadows:
            connection.execute(text(f"DROP TABLE IF EXISTS {shadow.name}"))


def _fill_shadows(engine: Engine, shadows: Sequence[Table], ranges: Sequence[tuple[int, int, int]],
                  on_progress: Callable[[RebuildProgress], None] | None, workers: int) -> int:
    total, done, unit_days = sum(count for _, _, count in ranges), 0, 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kpi-rebuild") as pool:
        futures: dict[Future[int], int] = {
            pool.submit(_fill_range, engine, shadows, low, high): count for low, high, count in ranges}
        try:
            for future in as_completed(futures):
                unit_days += future.result()
                done += futures[future]
                if on_progress is not None:
                    on_progress(RebuildProgress(done, total))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return unit_days


def _fill_range(engine: Engine, shadows: Sequence[Table], low: int, high: int) -> int:
    with engine.begin() as connection, _range_settings(connection, postgres=True):
        return _write_range_postgresql(connection, shadows, low, high)


def _index_shadows(engine: Engine, shadows: Sequence[Table]) -> None:
    """The live tables' keys and indexes on the new tables (under new names until the swap), and statistics."""
    with engine.begin() as connection:
        connection.execute(text(f"SET LOCAL maintenance_work_mem = '{REBUILD_INDEX_MEMORY}'"))
        for table, shadow in zip(AGGREGATES, shadows, strict=True):
            key = ", ".join(column.name for column in table.primary_key.columns)
            connection.execute(text(f"ALTER TABLE {shadow.name} ADD CONSTRAINT {_shadow_name('pk_' + table.name)}"
                                    f" PRIMARY KEY ({key})"))
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                columns = ", ".join(column.name for column in index.columns)
                connection.execute(text(f"CREATE INDEX {_shadow_name(str(index.name))} ON {shadow.name} "
                                        f"({columns})"))
            connection.execute(text(f"ANALYZE {shadow.name}"))


def _swap_in(coordinator: Connection, shadows: Sequence[Table]) -> None:
    for table, shadow in zip(AGGREGATES, shadows, strict=True):
        coordinator.execute(text(f"DROP TABLE {table.name}"))
        coordinator.execute(text(f"ALTER TABLE {shadow.name} RENAME TO {table.name}"))
        coordinator.execute(text(f"ALTER TABLE {table.name} RENAME CONSTRAINT {_shadow_name('pk_' + table.name)}"
                                 f" TO pk_{table.name}"))
        for index in table.indexes:
            coordinator.execute(text(f"ALTER INDEX {_shadow_name(str(index.name))} RENAME TO {index.name}"))
