"""Keeping the KPI aggregates (:mod:`midas.kpi.models`) equal to the sums of the raw production records.

One SQL statement shape does both jobs, through SQLAlchemy Core so it runs on SQLite and PostgreSQL alike: an
``INSERT ... SELECT ... GROUP BY`` over ``production_record``, summing the typed columns ingestion derived from each
record's JSON when it stored it (:mod:`midas.ingest.facts`; ``midas kpi rebuild --from-raw`` derives them again
first).

- **As data arrives** (:func:`add_batch`): ingestion calls it in the transaction that stored a delivery, with the
  delivery's batch id; the statement groups that batch's records and *adds* them to the existing rows
  (``ON CONFLICT ... DO UPDATE SET x = x + excluded.x``). Records are append-only and stored once per key, so
  adding is exact; keys are sorted so that concurrent deliveries lock rows in the same order.
- **Full recompute** (:func:`rebuild`): empty the aggregates and run the same grouping over all records (plain
  inserts), reporting progress; then the factory-day table is summed from the unit-day table. Everything in one
  transaction: no reader ever sees half a rebuild.

Both paths sum the same expressions, so a rebuild reproduces what the increments built (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Select, case, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from midas.ingest import ProductionRecord
from midas.kpi.elements import ELEMENT_SOURCES, ELEMENTS
from midas.kpi.models import FACTORY_DAY, UNIT_DAY

__all__ = ["RebuildProgress", "add_batch", "rebuild"]

PRODUCTION: Final = "ProductionPerformance"
ENERGY: Final = "EnergyCarbon"
REBUILD_FACTORIES_PER_STEP: Final = 500
REBUILD_WORK_MEM: Final = "256MB"


def _production_values(*conditions: ColumnElement[bool]) -> Any:
    """Each production record's keys and element values from its typed columns (a subquery to group)."""
    down = ProductionRecord.adot
    return (
        select(ProductionRecord.factory_id, ProductionRecord.organization_id, ProductionRecord.work_unit,
               ProductionRecord.day, ProductionRecord.shift, ProductionRecord.period_start.label("start"),
               ProductionRecord.period_end.label("end"),
               *(ProductionRecord.__table__.c[name].label(name) for name in ELEMENT_SOURCES),
               (ProductionRecord.pri * ProductionRecord.pq).label("pru_pq"),
               case((down.is_(None), None), (down > 0, 1.0), else_=0.0).label("failures"))
        .where(ProductionRecord.template == PRODUCTION, *conditions)
        .subquery("production")
    )


def _element_sums(values: Any) -> list[ColumnElement[Any]]:
    """Each element's SUM over the grouped records (NULL when no record reports it), in :data:`ELEMENTS` order."""
    return [func.count().label(name) if name == "records" else func.sum(values.c[name]).label(name)
            for name in ELEMENTS]


def _unit_day_select(*conditions: ColumnElement[bool], in_key_order: bool = False) -> Select[Any]:
    values = _production_values(*conditions)
    keys = (values.c.factory_id, values.c.work_unit, values.c.day, values.c.shift)
    query = (
        select(values.c.factory_id, values.c.organization_id, values.c.work_unit, values.c.day, values.c.shift,
               func.min(values.c.start).label("first_start"), func.max(values.c.end).label("last_end"),
               func.sum(values.c.end - values.c.start).label("period_seconds"), *_element_sums(values))
        .where(values.c.factory_id.is_not(None))  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        .group_by(values.c.organization_id, *keys)
    )
    return query.order_by(*keys) if in_key_order else query


def _factory_day_select(*conditions: ColumnElement[bool]) -> Select[Any]:
    values = _production_values(*conditions)
    return (
        select(values.c.factory_id, values.c.organization_id, values.c.day, *_element_sums(values))
        .where(values.c.factory_id.is_not(None))
        .group_by(values.c.factory_id, values.c.organization_id, values.c.day)
        .order_by(values.c.factory_id, values.c.day)
    )


def _energy_select(*conditions: ColumnElement[bool]) -> Select[Any]:
    values = (
        select(ProductionRecord.factory_id, ProductionRecord.organization_id, ProductionRecord.day,
               ProductionRecord.energy_kwh.label("energy"))
        .where(ProductionRecord.template == ENERGY, *conditions)
        .subquery("energy")
    )
    return (
        select(values.c.factory_id, values.c.organization_id, values.c.day,
               func.sum(values.c.energy).label("energy_kwh"))
        .where(values.c.factory_id.is_not(None))
        .group_by(values.c.factory_id, values.c.organization_id, values.c.day)
        .order_by(values.c.factory_id, values.c.day)
    )


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the KPI engine supports SQLite and PostgreSQL, not {dialect}")


def _added(existing: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    """existing + new, where NULL means "not reported" (so NULL + x = x, not NULL)."""
    return func.coalesce(existing + new, existing, new)


def _least(existing: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((existing.is_(None), new), (new.is_(None), existing), (new < existing, new), else_=existing)


def _greatest(existing: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((existing.is_(None), new), (new.is_(None), existing), (new > existing, new), else_=existing)


def _upsert_adding(session: Session, table: Any, query: Select[Any], keys: Sequence[str],
                   columns: Sequence[str]) -> None:
    statement = _insert(session, table).from_select(list(query.selected_columns.keys()), query)
    excluded = statement.excluded
    updates: dict[str, Any] = {name: _added(table.c[name], excluded[name]) for name in columns}
    if "first_start" in query.selected_columns:
        updates["first_start"] = _least(table.c.first_start, excluded.first_start)
        updates["last_end"] = _greatest(table.c.last_end, excluded.last_end)
        updates["period_seconds"] = _added(table.c.period_seconds, excluded.period_seconds)
    session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=updates))


def add_batch(session: Session, batch_id: int) -> None:
    """Add one stored delivery's production and energy records to the aggregates (called by ingestion)."""
    in_batch = ProductionRecord.batch_id == batch_id
    _upsert_adding(session, UNIT_DAY, _unit_day_select(in_batch, in_key_order=True),
                   ("factory_id", "work_unit", "day", "shift"), ELEMENTS)
    _upsert_adding(session, FACTORY_DAY, _factory_day_select(in_batch), ("factory_id", "day"), ELEMENTS)
    _upsert_adding(session, FACTORY_DAY, _energy_select(in_batch), ("factory_id", "day"), ("energy_kwh",))


@dataclass(frozen=True, slots=True)
class RebuildProgress:
    """Where a rebuild is: factories done of all factories with records; at the end, the unit-day rows written."""

    factories_done: int
    factories: int
    unit_days: int | None = None


def rebuild(session: Session, *, on_progress: Callable[[RebuildProgress], None] | None = None,
            factories_per_step: int = REBUILD_FACTORIES_PER_STEP) -> RebuildProgress:
    """Recompute both aggregate tables from the raw records (the caller commits).

    PostgreSQL empties the tables with TRUNCATE (readers wait for the rebuild's commit rather than see half of it)
    and groups every record in one statement, which it reads with parallel workers: grouping a range of factories
    at a time read the whole record table once per range. SQLite groups a range of factories at a time, so the
    progress moves with the work."""
    factory_ids = sorted(session.scalars(select(ProductionRecord.factory_id).distinct()))
    if session.get_bind().dialect.name == "postgresql":
        # Grouping millions of records sorts them; 4 MB (the default) sends the sort to disk.
        session.execute(text(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'"))
        session.execute(text(f"TRUNCATE {UNIT_DAY.name}, {FACTORY_DAY.name}"))
        steps = [factory_ids]
    else:
        session.execute(delete(UNIT_DAY))
        session.execute(delete(FACTORY_DAY))
        size = max(1, factories_per_step)
        steps = [factory_ids[start:start + size] for start in range(0, len(factory_ids), size)]
    done = 0
    for step in steps:
        if not step:
            continue
        query = _unit_day_select(ProductionRecord.factory_id.between(step[0], step[-1]))
        session.execute(_insert(session, UNIT_DAY).from_select(list(query.selected_columns.keys()), query))
        done += len(step)
        if on_progress is not None:
            on_progress(RebuildProgress(done, len(factory_ids)))
    _factory_days_from_unit_days(session)
    _upsert_adding(session, FACTORY_DAY, _energy_select(), ("factory_id", "day"), ("energy_kwh",))
    for table in (UNIT_DAY, FACTORY_DAY):
        # Fresh statistics: with those of the empty tables the planner picked a peer query 60 times slower.
        session.execute(text(f"ANALYZE {table.name}"))
    written = int(session.scalar(select(func.count()).select_from(UNIT_DAY)) or 0)
    return RebuildProgress(len(factory_ids), len(factory_ids), written)


def _factory_days_from_unit_days(session: Session) -> None:
    columns = ("factory_id", "organization_id", "day", *ELEMENTS)
    query = (select(UNIT_DAY.c.factory_id, UNIT_DAY.c.organization_id, UNIT_DAY.c.day,
                    *(func.sum(UNIT_DAY.c[name]).label(name) for name in ELEMENTS))
             .where(UNIT_DAY.c.factory_id.is_not(None))
             .group_by(UNIT_DAY.c.factory_id, UNIT_DAY.c.organization_id, UNIT_DAY.c.day))
    session.execute(_insert(session, FACTORY_DAY).from_select(list(columns), query))
