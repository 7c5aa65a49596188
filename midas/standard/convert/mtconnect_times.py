"""ISO 22400-2 time elements of one work unit over one period, derived from MTConnect machine states.

The state of the machine at an instant is the last observation of each data item at or before it (an
observation holds until the next one, also across a gap in the recording). The states before ``period_start``
are carried in: the window starts in the state the machine was last seen in. At each instant of
[period_start, period_end) the machine is in exactly one class, tested in this order (MTConnect Standard
Part 2 vocabulary in capitals):

1. down, ADOT (actual unit down time): AVAILABILITY is UNAVAILABLE, or EMERGENCY_STOP is TRIGGERED, or a
   CONDITION data item has an active FAULT (a FAULT adds its native code; NORMAL with that code, WARNING with
   that code, a NORMAL or UNAVAILABLE without a code clear it);
2. setup, AUST (actual unit setup time): CONTROLLER_MODE is MANUAL or MANUAL_DATA_INPUT: the operator jogs or
   types in single blocks, which is how a machine tool is set up, whatever EXECUTION says;
3. production, APT (actual production time): EXECUTION is ACTIVE;
4. delay, ADET (actual unit delay time): EXECUTION is INTERRUPTED, FEED_HOLD, STOPPED, OPTIONAL_STOP,
   PROGRAM_STOPPED, PROGRAM_OPTIONAL_STOP or WAIT: a program was started and is held;
5. idle: READY or PROGRAM_COMPLETED (no program running; not busy, not down);
6. unknown: no state observed yet (neither availability nor execution): counted in no element, and reported.

Derived as ISO 22400-2 defines them: AUPT (processing) = APT + AUST, AUBT (busy) = AUPT + ADET. PBT (planned
busy time) is the caller's, from the production calendar; without it, the whole period (the machine is taken to
be planned for all of it, so down and idle time show as losses). The produced quantity is the increase of the
PART_COUNT over the period: from the last count before the period (or the first one inside it), each rise adds
its difference; a fall is a counter reset, after which the new value is what was made since the reset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from midas.standard.convert import mtconnect_messages as msg
from midas.standard.convert.mtconnect_devices import finding_at, validated_record
from midas.standard.convert.mtconnect_streams import PartCount, StateEvent, StateKind
from midas.standard.report import Finding

__all__ = ["StateClass", "TimeElements", "production_performance_record", "time_elements"]

SETUP_MODES: Final = frozenset({"MANUAL", "MANUAL_DATA_INPUT"})
DELAY_EXECUTION: Final = frozenset({
    "INTERRUPTED", "FEED_HOLD", "STOPPED", "OPTIONAL_STOP", "PROGRAM_STOPPED", "PROGRAM_OPTIONAL_STOP", "WAIT",
})


class StateClass(StrEnum):
    DOWN = "down"
    SETUP = "setup"
    PRODUCTION = "production"
    DELAY = "delay"
    IDLE = "idle"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class _MachineState:
    """The last value of each state data item, and the active faults of each condition."""

    values: dict[StateKind, str] = field(default_factory=dict)
    faults: dict[str, set[str]] = field(default_factory=dict)

    def apply(self, event: StateEvent) -> None:
        if event.kind is not StateKind.CONDITION:
            self.values[event.kind] = event.value
            return
        active = self.faults.setdefault(event.data_item, set())
        if event.value == "FAULT":
            active.add(event.native_code)
        elif event.native_code:
            active.discard(event.native_code)
        else:
            active.clear()

    def classify(self) -> StateClass:
        if StateKind.AVAILABILITY not in self.values and StateKind.EXECUTION not in self.values:
            return StateClass.UNKNOWN
        if (self.values.get(StateKind.AVAILABILITY) == "UNAVAILABLE"
                or self.values.get(StateKind.EMERGENCY_STOP) == "TRIGGERED"
                or any(self.faults.values())):
            return StateClass.DOWN
        if self.values.get(StateKind.CONTROLLER_MODE) in SETUP_MODES:
            return StateClass.SETUP
        execution = self.values.get(StateKind.EXECUTION)
        if execution == "ACTIVE":
            return StateClass.PRODUCTION
        return StateClass.DELAY if execution in DELAY_EXECUTION else StateClass.IDLE

    def snapshot(self) -> dict[str, str]:
        carried = {kind.value: value for kind, value in self.values.items()}
        faults = sorted(f"{item}:{code}" if code else item for item, codes in self.faults.items() for code in codes)
        carried["FAULTS"] = ", ".join(faults)
        return carried


@dataclass(frozen=True, slots=True)
class TimeElements:
    """ISO 22400-2 time elements (seconds) and the produced quantity of one work unit over one period."""

    device: str
    period_start: datetime
    period_end: datetime
    planned_busy_time: float
    actual_production_time: float
    actual_unit_setup_time: float
    actual_unit_delay_time: float
    actual_unit_down_time: float
    idle_time: float
    unknown_time: float
    produced_quantity: int
    carried_in: Mapping[str, str]
    findings: tuple[Finding, ...]

    @property
    def actual_unit_processing_time(self) -> float:
        return self.actual_production_time + self.actual_unit_setup_time

    @property
    def actual_unit_busy_time(self) -> float:
        return self.actual_unit_processing_time + self.actual_unit_delay_time


def _integrate(states: list[StateEvent], start: datetime, end: datetime) -> tuple[dict[StateClass, float],
                                                                                   dict[str, str]]:
    """Seconds in each state class over [start, end), and the state carried in at ``start``."""
    machine = _MachineState()
    ordered = sorted(states, key=lambda event: event.timestamp)
    before = [event for event in ordered if event.timestamp < start]
    for event in before:
        machine.apply(event)
    carried = machine.snapshot()
    seconds = dict.fromkeys(StateClass, 0.0)
    cursor = start
    for event in ordered[len(before):]:
        if event.timestamp >= end:
            break
        seconds[machine.classify()] += (event.timestamp - cursor).total_seconds()
        cursor = event.timestamp
        machine.apply(event)
    seconds[machine.classify()] += (end - cursor).total_seconds()
    return seconds, carried


def _produced(counts: list[PartCount], start: datetime, end: datetime) -> int:
    """The rise of the part count over [start, end); a fall is a reset and the new value counts from zero."""
    ordered = sorted(counts, key=lambda count: count.timestamp)
    baseline = next((c.count for c in reversed(ordered) if c.timestamp < start), None)
    produced = 0
    for count in (c for c in ordered if start <= c.timestamp < end):
        if baseline is not None:
            produced += count.count - baseline if count.count >= baseline else count.count
        baseline = count.count
    return produced


def time_elements(
    states: Iterable[StateEvent],
    part_counts: Iterable[PartCount],
    period_start: datetime,
    period_end: datetime,
    *,
    device: str | None = None,
    planned_busy_time: float | None = None,
) -> TimeElements:
    """The time elements of ``device`` (or of all events, when they are of one device) over the period.

    See the module docstring for the exact mapping of MTConnect states to ISO 22400-2 elements.
    """
    if period_end <= period_start:
        raise ValueError(f"the period ends at {period_end.isoformat()}, not after {period_start.isoformat()}")
    chosen = [event for event in states if device is None or event.device == device]
    counts = [count for count in part_counts if device is None or count.device == device]
    name = device or next((event.device for event in chosen), "")
    seconds, carried = _integrate(chosen, period_start, period_end)
    findings: list[Finding] = []
    if seconds[StateClass.UNKNOWN] > 0:
        first = min((e.timestamp for e in chosen), default=period_end)
        findings.append(finding_at("MTC-TIME-001", name, msg.UNKNOWN_STATE_TIME, {
            "device": name, "seconds": round(seconds[StateClass.UNKNOWN], 6), "first": first.isoformat()}))
    period = (period_end - period_start).total_seconds()
    return TimeElements(
        device=name,
        period_start=period_start,
        period_end=period_end,
        planned_busy_time=period if planned_busy_time is None else planned_busy_time,
        actual_production_time=seconds[StateClass.PRODUCTION],
        actual_unit_setup_time=seconds[StateClass.SETUP],
        actual_unit_delay_time=seconds[StateClass.DELAY],
        actual_unit_down_time=seconds[StateClass.DOWN],
        idle_time=seconds[StateClass.IDLE],
        unknown_time=seconds[StateClass.UNKNOWN],
        produced_quantity=_produced(counts, period_start, period_end),
        carried_in=carried,
        findings=tuple(findings),
    )


def production_performance_record(
    elements: TimeElements,
    *,
    work_unit_id: str,
    period_kind: str = "Shift",
    extra: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """The K-MDS ProductionPerformance record of ``elements`` and the findings of its validation.

    ``extra`` adds what machine states cannot tell (OrderId, ProductId, ShiftName, GoodQuantity, ...).
    Times are seconds, rounded to the microsecond that timestamps carry.
    """
    record: dict[str, Any] = {
        "WorkUnitId": work_unit_id,
        "PeriodKind": period_kind,
        "PeriodStart": elements.period_start.isoformat(),
        "PeriodEnd": elements.period_end.isoformat(),
        "QuantityUnit": "pcs",
        "PlannedBusyTime": round(elements.planned_busy_time, 6),
        "ActualProductionTime": round(elements.actual_production_time, 6),
        "ActualUnitSetupTime": round(elements.actual_unit_setup_time, 6),
        "ActualUnitProcessingTime": round(elements.actual_unit_processing_time, 6),
        "ActualUnitDelayTime": round(elements.actual_unit_delay_time, 6),
        "ActualUnitBusyTime": round(elements.actual_unit_busy_time, 6),
        "ActualUnitDownTime": round(elements.actual_unit_down_time, 6),
        "ProducedQuantity": elements.produced_quantity,
        **(extra or {}),
    }
    return record, validated_record("ProductionPerformance", record, work_unit_id)
