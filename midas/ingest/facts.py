"""The typed columns of a stored production record: its K-MDS values read out of the JSON once, when it is stored.

The record is kept as received (the ``record`` JSON, the source of truth). Beside it, a ProductionPerformance
record also fills the columns below, and an EnergyCarbon record its period and energy, so that SQL can sum them
without parsing JSON again: reading 25 values out of each of 10 million JSON documents costs PostgreSQL about
100 s of one core, summing 25 float columns a few seconds. The columns are a pure function of the record
(:func:`facts_of`), so they can always be derived again from the JSON (:func:`rederive_facts`).

- ``work_unit``, ``shift`` (``""`` without a ShiftName), ``day``: the record's work unit, shift and production day,
  the calendar date of PeriodStart in the record's own UTC offset (the factory's local date);
- ``period_start``, ``period_end``: PeriodStart and PeriodEnd as seconds since the epoch;
- one column per IDTA 02066 process variable, named by its 02066 key in lower case (``pbt`` PlannedBusyTime,
  ``apt`` ActualProductionTime, ... ``ip`` InspectedPart), in seconds or in the record's quantity unit;
- ``energy_kwh``: an EnergyCarbon record's EnergyConsumption (kWh).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from midas.ingest.models import ProductionRecord
from midas.standard.fast_records import instant

__all__ = ["FACT_COLUMNS", "VARIABLE_COLUMNS", "RederiveProgress", "fact_values", "facts_of", "rederive_facts"]

PRODUCTION: Final = "ProductionPerformance"
ENERGY: Final = "EnergyCarbon"

#: Column -> K-MDS ProductionPerformance variable (the IDTA 02066 key in lower case).
VARIABLE_COLUMNS: Final[Mapping[str, str]] = {
    "pbt": "PlannedBusyTime",
    "pri": "PlannedRuntimePerItem",
    "apt": "ActualProductionTime",
    "aust": "ActualUnitSetupTime",
    "aupt": "ActualUnitProcessingTime",
    "adet": "ActualUnitDelayTime",
    "aubt": "ActualUnitBusyTime",
    "adot": "ActualUnitDownTime",
    "aoet": "ActualOrderExecutionTime",
    "aqt": "ActualQueuingTime",
    "att": "ActualTransportTime",
    "apwt": "ActualPersonnelWorkTime",
    "apat": "ActualPersonnelAttendanceTime",
    "pq": "ProducedQuantity",
    "gq": "GoodQuantity",
    "sq": "ScrapQuantity",
    "rq": "ReworkQuantity",
    "gp": "GoodPart",
    "ip": "InspectedPart",
}

#: Every typed column, in table order.
FACT_COLUMNS: Final = ("work_unit", "shift", "day", "period_start", "period_end", *VARIABLE_COLUMNS, "energy_kwh")

_NO_VALUES: Final[tuple[None, ...]] = (None,) * len(FACT_COLUMNS)
_NO_VARIABLES: Final[tuple[None, ...]] = (None,) * len(VARIABLE_COLUMNS)
_VARIABLE_NAMES: Final = tuple(VARIABLE_COLUMNS.values())
#: The types json.loads makes of a number or a missing value (bool is a subclass of int, not in this set).
_PLAIN_TYPES: Final = frozenset({float, int, type(None)})
REDERIVE_CHUNK: Final = 5_000
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def facts_of(template: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The typed columns of a valid record of ``template`` (all None for templates without any); numbers as
    floats, as the columns give them back."""
    return {name: float(value) if type(value) is int else value
            for name, value in zip(FACT_COLUMNS, fact_values(template, record), strict=True)}


def fact_values(template: str, record: Mapping[str, Any]) -> tuple[Any, ...]:
    """:func:`facts_of` as a tuple in :data:`FACT_COLUMNS` order: what ingestion copies into the table. A number
    may be a JSON integer still (within a float's range): its float column takes it as it is."""
    if template == PRODUCTION:
        shift = record.get("ShiftName")
        return (str(record.get("WorkUnitId", ""))[:200] or None, str(shift)[:100] if isinstance(shift, str) else "",
                *_period(record), *_variables(record), None)
    if template == ENERGY:
        return (None, None, *_period(record), *_NO_VARIABLES, _number(record.get("EnergyConsumption")))
    return _NO_VALUES


def _period(record: Mapping[str, Any]) -> tuple[date | None, float | None, float | None]:
    """The production day, and PeriodStart and PeriodEnd as seconds since the epoch."""
    day, start = _day_and_seconds(record.get("PeriodStart"))
    return day, start, _day_and_seconds(record.get("PeriodEnd"))[1]


_SEEN_CACHE_SIZE: Final = 4096
_seen: dict[str, tuple[date | None, float | None]] = {}


def _day_and_seconds(value: object) -> tuple[date | None, float | None]:
    """A timestamp's local date and its seconds since the epoch (None for what is not one). Shift and day
    boundaries repeat across the records of many work units, so recent answers are kept."""
    if not isinstance(value, str):
        return None, None
    answer = _seen.get(value)
    if answer is None:
        answer = _read_day_and_seconds(value)
        if len(_seen) >= _SEEN_CACHE_SIZE:
            _seen.clear()
        _seen[value] = answer
    return answer


def _read_day_and_seconds(value: str) -> tuple[date | None, float | None]:
    nanoseconds = instant(value)  # the fast path read it a moment ago, when it certified the record
    if nanoseconds is not None:  # an integer over an integer, rounded once: what total_seconds() gives
        return date.fromisoformat(value[:10]), nanoseconds / 1_000_000_000
    moment = _moment(value)
    return _local_day(value), (moment - _EPOCH).total_seconds() if moment is not None else None


def _variables(record: Mapping[str, Any]) -> list[float | int | None]:
    """The process variables in column order. Most records hold plain JSON numbers, taken as they are once their
    sum shows that each is finite and within a float's range (an int beyond it raises OverflowError); anything
    else goes value by value through :func:`_number`."""
    values = list(map(record.get, _VARIABLE_NAMES))
    if set(map(type, values)) <= _PLAIN_TYPES:
        try:
            if math.isfinite(sum(filter(None, values), 0.0)):
                return values
        except OverflowError:
            pass
    return list(map(_number, values))


def _number(value: object) -> float | None:
    """A finite number as a float, else None (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond a float's range
        return None
    return number if math.isfinite(number) else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _local_day(value: object) -> date | None:
    """The date as written in the record (the factory's local date), not the UTC date."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RederiveProgress:
    """How many records have had their typed columns derived again, of how many."""

    done: int
    total: int


def rederive_facts(session: Session, *,
                   on_progress: Callable[[RederiveProgress], None] | None = None) -> RederiveProgress:
    """Derive every record's typed columns again from its JSON (the caller commits); for an audit of the columns
    or after :func:`facts_of` changes."""
    templates = (PRODUCTION, ENERGY)
    ids = session.scalars(select(ProductionRecord.id).where(ProductionRecord.template.in_(templates))
                          .order_by(ProductionRecord.id)).all()
    for start in range(0, len(ids), REDERIVE_CHUNK):
        chunk = ids[start:start + REDERIVE_CHUNK]
        rows = session.execute(select(ProductionRecord.id, ProductionRecord.template, ProductionRecord.record)
                               .where(ProductionRecord.id.in_(chunk))).all()
        session.execute(update(ProductionRecord), [
            {"id": row.id, **facts_of(row.template, row.record)} for row in rows])
        if on_progress is not None:
            on_progress(RederiveProgress(start + len(chunk), len(ids)))
    return RederiveProgress(len(ids), len(ids))
