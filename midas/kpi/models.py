"""The KPI aggregate tables: sums of ISO 22400-2 elements per work unit, day and shift, and per factory and day.

Both are derived data, maintained as records arrive (in the same transaction as the records, so they never
disagree with them) and rebuilt from the raw records by ``midas kpi rebuild``. Pages and roll-ups read only these
tables, never the raw records. The engine works on them with SQLAlchemy Core, so they are Core tables.

- ``kpi_unit_day``: one row per factory, work unit, production day and shift (``""`` for a record without a
  shift name). The day is the calendar date of the record's PeriodStart in the record's own UTC offset (the
  factory's local date), so a night shift belongs to the day it started. Besides the element sums, each row keeps
  the earliest start, the latest end and the summed length of its record periods, so overlapping records of a unit
  can be detected without the raw records.
- ``kpi_factory_day``: the same sums per factory and day (all units and shifts), plus the energy (kWh) of the
  factory's EnergyCarbon records; organization, region, KSIC division and national roll-ups read this one.
- ``kpi_factory_month``: the factory-day sums per calendar month (``month`` is its first day). A period of many
  months reads its whole months here and only the days at its two ends from ``kpi_factory_day``: a year of a
  factory's 300 peers is 3,600 rows instead of 110,000.

Element columns hold NULL until some record of the row reports the element (see :mod:`midas.kpi.elements`).

The tables have no foreign keys: every row is derived from records that reference their factory and organization
(which are never deleted), and a rebuild writes millions of rows, where a foreign-key check per row took 60 % of
the time on PostgreSQL. Each table has its key as its only index (and the factory-day table one by day and one
by organization for roll-ups), for the same reason.

The unit-day key starts with the factory and the day, then the unit: a factory's period is one range of the key,
and a new day of a factory's units lands on one leaf page of the index instead of one per unit (appending a day
of 30,000 units touched 30,000 leaf pages with the unit before the day).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import JSON, Boolean, Column, Date, Float, Index, Integer, PrimaryKeyConstraint, String, Table

from midas.db import Base, UtcDateTime
from midas.kpi.elements import ELEMENTS

__all__ = ["FACTORY_DAY", "FACTORY_MONTH", "PROJECT_OUTCOME", "UNIT_DAY"]


def _element_columns() -> list[Column[float]]:
    return [Column(name, Float, nullable=True) for name in ELEMENTS]


UNIT_DAY: Final = Table(
    "kpi_unit_day",
    Base.metadata,
    Column("factory_id", Integer, nullable=False),
    Column("organization_id", Integer, nullable=False),
    Column("work_unit", String(200), nullable=False),
    Column("day", Date, nullable=False),
    Column("shift", String(100), nullable=False),
    Column("first_start", Float),  # seconds since the epoch
    Column("last_end", Float),
    Column("period_seconds", Float),
    *_element_columns(),
    # The key is the only index: a factory's rows are found by its prefix, and a rebuild writes one index only.
    PrimaryKeyConstraint("factory_id", "day", "work_unit", "shift"),
)

FACTORY_DAY: Final = Table(
    "kpi_factory_day",
    Base.metadata,
    Column("factory_id", Integer, nullable=False),
    Column("organization_id", Integer, nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("energy_kwh", Float),
    *_element_columns(),
    PrimaryKeyConstraint("factory_id", "day"),
    Index("ix_kpi_factory_day_day", "day"),
)

FACTORY_MONTH: Final = Table(
    "kpi_factory_month",
    Base.metadata,
    Column("factory_id", Integer, nullable=False),
    Column("organization_id", Integer, nullable=False),
    Column("month", Date, nullable=False),  # the first day of the calendar month
    Column("energy_kwh", Float),
    *_element_columns(),
    PrimaryKeyConstraint("factory_id", "month"),
    Index("ix_kpi_factory_month_month", "month"),
)

#: The measured outcome of each completed project with production data, for the roll-ups
#: (midas.kpi.outcomes_service.refresh_outcomes writes it; a page computes one project live).
PROJECT_OUTCOME: Final = Table(
    "kpi_project_outcome",
    Base.metadata,
    Column("project_id", Integer, primary_key=True, autoincrement=False),
    Column("organization_id", Integer, nullable=False),
    Column("track", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("region_code", String(2), nullable=False),
    Column("ksic_division", String(2), nullable=False),
    Column("baseline_start", Date, nullable=False),
    Column("baseline_end", Date, nullable=False),
    Column("after_start", Date, nullable=False),
    Column("after_end", Date, nullable=False),
    Column("computable", Boolean, nullable=False),
    Column("met_targets", Boolean),
    Column("targets", JSON, nullable=False),
    Column("outcome", JSON, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
)
