"""OPC 40001-1 (OPC UA for Machinery) machine states as the MTConnect state events of ISO 22400 time elements.

A Machinery server says what a machine does through two finite state machines of its MachineryBuildingBlocks,
each a ``CurrentState`` variable holding the LocalizedText name of the state (OPC 40001-1,
"MachineryItemState_StateMachineType" and "MachineryOperationModeStateMachineType"). This module turns one such
value into the :class:`~midas.standard.convert.mtconnect_streams.StateEvent` s that MTConnect would have sent,
so that :func:`~midas.standard.convert.mtconnect_times.time_elements` derives the time elements of both
protocols in one way. It is pure (no network, no ``asyncua``): the asynchronous source in
:mod:`midas.standard.convert.opcua` feeds it.

MachineryItemState (what the machine does), data item ``<machine>/MachineryItemState``:

- Executing ("available & functional and actively performing an activity") -> AVAILABILITY AVAILABLE and
  EXECUTION ACTIVE: production time (APT).
- NotExecuting ("available & functional ... waits for an action from outside to start or restart an
  activity") -> AVAILABILITY AVAILABLE and EXECUTION READY: idle, neither busy nor down. OPC 40001-1 does not
  tell a held program from a machine with nothing to do, so no delay (ADET) is derived from it.
- OutOfService ("not functional", e.g. error, blocked) and NotAvailable ("not available", e.g. switched off,
  energy saving) -> AVAILABILITY UNAVAILABLE and EXECUTION UNAVAILABLE: down time (ADOT). A machine switched
  off while it was planned to be busy is a loss; the planned busy time of the production calendar excludes the
  times it was meant to be off.

MachineryOperationMode (what the machine is set up to do), data item ``<machine>/MachineryOperationMode``:

- Processing ("carry out the value adding activities") -> CONTROLLER_MODE AUTOMATIC: the item state decides.
- Setup ("setup, preparation or postprocessing activities") -> CONTROLLER_MODE MANUAL: setup time (AUST),
  whatever the item state says, as an MTConnect machine in MANUAL mode.
- Maintenance ("carry out maintenance or servicing activities") -> CONTROLLER_MODE MANUAL and a CONDITION
  FAULT with the native code ``Maintenance``: down time (ADOT), also while the item state says Executing (a
  test run during servicing produces nothing). A condition, not AVAILABILITY, so that the item state, which
  sets AVAILABILITY, cannot end the maintenance; every other mode clears that code with a NORMAL.
- None ("no operation mode available") -> CONTROLLER_MODE UNAVAILABLE: the item state decides.

A value outside these names (also a localised name: servers are expected to send the English names of the
state objects) is a finding with its place, never a guessed state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from midas.standard.convert import opcua_messages as msg
from midas.standard.convert.mtconnect_streams import PartCount, StateEvent, StateKind
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "ITEM_STATES", "MAINTENANCE_CODE", "OPERATION_MODES", "MachineryVariable", "MappedStates",
    "machinery_state_events", "opcua_finding", "part_count_event", "state_name",
]


class MachineryVariable(StrEnum):
    """The two state machines of OPC 40001-1 MachineryBuildingBlocks that tell a machine's state."""

    ITEM_STATE = "MachineryItemState"
    OPERATION_MODE = "MachineryOperationMode"


MAINTENANCE_CODE: Final = "Maintenance"
# State name -> (kind, MTConnect value) of the events it becomes; see the module docstring for why.
ITEM_STATES: Final[Mapping[str, tuple[tuple[StateKind, str], ...]]] = {
    "Executing": ((StateKind.AVAILABILITY, "AVAILABLE"), (StateKind.EXECUTION, "ACTIVE")),
    "NotExecuting": ((StateKind.AVAILABILITY, "AVAILABLE"), (StateKind.EXECUTION, "READY")),
    "OutOfService": ((StateKind.AVAILABILITY, "UNAVAILABLE"), (StateKind.EXECUTION, "UNAVAILABLE")),
    "NotAvailable": ((StateKind.AVAILABILITY, "UNAVAILABLE"), (StateKind.EXECUTION, "UNAVAILABLE")),
}
OPERATION_MODES: Final[Mapping[str, tuple[tuple[StateKind, str], ...]]] = {
    "Processing": ((StateKind.CONTROLLER_MODE, "AUTOMATIC"), (StateKind.CONDITION, "NORMAL")),
    "Setup": ((StateKind.CONTROLLER_MODE, "MANUAL"), (StateKind.CONDITION, "NORMAL")),
    "Maintenance": ((StateKind.CONTROLLER_MODE, "MANUAL"), (StateKind.CONDITION, "FAULT")),
    "None": ((StateKind.CONTROLLER_MODE, "UNAVAILABLE"), (StateKind.CONDITION, "NORMAL")),
}
_MAPPINGS: Final = {MachineryVariable.ITEM_STATE: ITEM_STATES, MachineryVariable.OPERATION_MODE: OPERATION_MODES}


@dataclass(frozen=True, slots=True)
class MappedStates:
    """The state events one value became, and the findings of what could not become one."""

    states: tuple[StateEvent, ...]
    findings: tuple[Finding, ...]


def opcua_finding(rule: str, where: str, message: str, params: Mapping[str, str | int | float],
                  severity: Severity = Severity.WARNING, layer: Layer = Layer.READ) -> Finding:
    """A finding of the OPC UA source; ``where`` names the server, the node id and its browse path."""
    return Finding(layer=layer, rule=rule, path=where, message=message, params=dict(params), severity=severity)


def state_name(value: object) -> str | None:
    """The text of a ``CurrentState`` value: a LocalizedText (anything with a ``Text``) or a plain string."""
    if isinstance(value, str):
        return value
    text = getattr(value, "Text", None)
    return text if isinstance(text, str) else None


def machinery_state_events(variable: MachineryVariable, value: object, *, machine: str, timestamp: datetime,
                           where: str) -> MappedStates:
    """The state events of the ``CurrentState`` value of ``variable`` of ``machine``, observed at ``timestamp``.

    One value becomes two events of the same instant (see the module docstring); an unknown state becomes a
    finding and no event, so the machine keeps the state it was last seen in, as with an unknown MTConnect value.
    """
    name = state_name(value)
    if name is None:
        return MappedStates((), (opcua_finding("OPCUA-STATE-001", where, msg.NOT_A_STATE_TEXT, {
            "variable": variable.value, "type": type(value).__name__}),))
    mapping = _MAPPINGS[variable]
    targets = mapping.get(name.strip())
    if targets is None:
        return MappedStates((), (opcua_finding("OPCUA-STATE-002", where, msg.UNKNOWN_STATE, {
            "value": name, "variable": variable.value, "allowed": ", ".join(mapping)}),))
    data_item = f"{machine}/{variable.value}"
    events = tuple(
        StateEvent(timestamp, machine, data_item, kind, target, where,
                   MAINTENANCE_CODE if kind is StateKind.CONDITION else "")
        for kind, target in targets
    )
    return MappedStates(events, ())


def part_count_event(value: object, *, machine: str, data_item: str, timestamp: datetime,
                     where: str) -> PartCount | Finding:
    """The part count of a configured counter node (OPC 40001-1 defines none, so the operator names the node).

    A whole number (also a float without fraction, as some PLCs publish counters) is a count; anything else is
    a finding rather than a rounded guess.
    """
    count: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        count = value
    elif isinstance(value, float) and value.is_integer():
        count = int(value)
    if count is None:
        return opcua_finding("OPCUA-STATE-003", where, msg.BAD_PART_COUNT, {"value": str(value), "node": data_item})
    return PartCount(timestamp, machine, data_item, count, where)
