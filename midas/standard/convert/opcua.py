"""Machine states from an OPC UA server that implements OPC 40001-1 (OPC UA for Machinery), as they happen.

:class:`OpcUaMachineSource` connects with ``asyncua`` (the optional extra ``opcua``: it is LGPL, so the
platform runs without it), finds the machines through the entry point OPC 40001-1 gives for finding all
machines of a server: the ``Machines`` folder (namespace ``http://opcfoundation.org/UA/Machinery/``) under
Objects, and in each machine ``MachineryBuildingBlocks/MachineryItemState/CurrentState`` and
``MachineryBuildingBlocks/MachineryOperationMode/CurrentState``. It subscribes to those variables (the first
notification of a subscription is the current value, so reading and following are one step) and yields the
:class:`StateEvent` s of :mod:`midas.standard.convert.opcua_states` with the server's source timestamps, so the
same ISO 22400 time elements as for MTConnect follow. A part counter is read from a NodeId the operator names,
since OPC 40001-1 defines none.

Nothing stops the source with an exception once it is asked to run: a server it cannot reach, a machine
without the building blocks, an unknown state and a lost connection are findings (``source.findings``) with the
server, node id and browse path, and the events end where the observation ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, Self

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node

from midas.standard.convert import opcua_messages as msg
from midas.standard.convert.mtconnect_streams import PartCount, StateEvent
from midas.standard.convert.opcua_states import (
    MachineryVariable,
    machinery_state_events,
    opcua_finding,
    part_count_event,
)
from midas.standard.report import Finding, Severity

__all__ = ["MACHINERY_NAMESPACE", "MachineNodes", "OpcUaMachineSource"]

MACHINERY_NAMESPACE: Final = "http://opcfoundation.org/UA/Machinery/"
BUILDING_BLOCKS: Final = "MachineryBuildingBlocks"
CURRENT_STATE: Final = "CurrentState"
PART_COUNTER: Final = "PartCounter"


@dataclass(frozen=True, slots=True)
class MachineNodes:
    """NodeIds (``"ns=2;s=Mill1.State"``) of one machine's variables, for servers whose address space is not
    browsable as OPC 40001-1 lays it out; a ``None`` variable is not observed."""

    item_state: str | None = None
    operation_mode: str | None = None
    part_counter: str | None = None


@dataclass(frozen=True, slots=True)
class _Watched:
    """What a subscribed node is: whose, which variable (or the part counter), and where, for findings."""

    machine: str
    variable: MachineryVariable | None
    where: str


class _Handler:
    """The subscription's callbacks: map each notification at once, so that the queue holds only events."""

    def __init__(self, source: OpcUaMachineSource) -> None:
        self._source = source

    def datachange_notification(self, node: Node, val: Any, data: Any) -> None:
        self._source._notified(node, val, data.monitored_item.Value)

    def status_change_notification(self, status: Any) -> None:
        code = getattr(status, "Status", None)
        if isinstance(code, ua.StatusCode) and not code.is_good():
            self._source._lose(f"subscription status {code.name}")


class OpcUaMachineSource:
    """The states of the machines of one OPC UA server, as an asynchronous stream of state events.

    ``machines`` limits browsing to those machine names (the browse names in the Machines folder); ``nodes``
    replaces browsing by NodeIds per machine; ``part_counters`` adds a counter NodeId per machine to the
    browsed ones. Use it as ``async with OpcUaMachineSource(url) as source: async for event in source.events()``.
    """

    def __init__(self, url: str, *, machines: Sequence[str] | None = None,
                 nodes: Mapping[str, MachineNodes] | None = None, part_counters: Mapping[str, str] | None = None,
                 publishing_interval_ms: float = 100, watch_interval: float = 1.0, timeout: float = 4.0) -> None:
        self.url = url
        self._machines = tuple(machines) if machines is not None else None
        self._nodes = dict(nodes or {})
        self._part_counters = dict(part_counters or {})
        self._interval = publishing_interval_ms
        self._watch_interval = watch_interval
        self._client = Client(url=url, timeout=timeout)
        self._findings: list[Finding] = []
        self._watched: dict[ua.NodeId, _Watched] = {}
        self._queue: asyncio.Queue[StateEvent | PartCount] = asyncio.Queue()
        self._connected = False
        self._lost: str | None = None
        self._last: datetime | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What could not be observed or mapped so far, in the order it was found."""
        return tuple(self._findings)

    async def __aenter__(self) -> Self:
        try:
            await self._client.connect()
        except Exception as error:  # any failure to connect (refused, timeout, security) is the same finding
            self._report("OPCUA-SRC-001", self.url, msg.CONNECT_FAILED, {"url": self.url, "cause": _cause(error)},
                         Severity.ERROR)
            return self
        self._connected = True
        watched = await self._resolve()
        if watched:
            subscription = await self._client.create_subscription(self._interval, _Handler(self))
            self._watched = {node.nodeid: what for node, what in watched}
            results = await subscription.subscribe_data_change([node for node, _ in watched])
            self._refused(watched, results)
        return self

    def _refused(self, watched: Sequence[tuple[Node, _Watched]], results: Sequence[int | ua.StatusCode]) -> None:
        """A node the server will not monitor (a wrong configured NodeId, no read access) is a finding."""
        for (node, what), result in zip(watched, results, strict=True):
            if isinstance(result, ua.StatusCode):
                self._watched.pop(node.nodeid, None)
                self._report("OPCUA-SRC-007", what.where, msg.NODE_NOT_READABLE,
                             {"node": node.nodeid.to_string(), "machine": what.machine, "cause": result.name},
                             Severity.ERROR)

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self._connected:
            self._connected = False
            # A lost server does not answer the goodbye: the session is over either way.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._client.disconnect(), self._watch_interval)

    async def events(self) -> AsyncIterator[StateEvent | PartCount]:
        """The events in the order notified; ends when the connection is lost (a finding says when)."""
        while self._connected or not self._queue.empty():
            if not self._queue.empty():
                yield self._queue.get_nowait()
                continue
            if self._lost is not None:
                return
            waiting = asyncio.ensure_future(self._queue.get())
            done, _ = await asyncio.wait({waiting}, timeout=self._watch_interval)
            if waiting in done:
                yield waiting.result()
                continue
            waiting.cancel()
            await self._probe()

    async def _probe(self) -> None:
        """Reads the server state: a server that does not answer within the watch interval is lost."""
        try:
            await asyncio.wait_for(self._client.nodes.server_state.read_value(), self._watch_interval)
        except Exception as error:  # every way of not answering means the machines are no longer observed
            self._lose(_cause(error))

    def _lose(self, cause: str) -> None:
        if self._lost is not None:
            return
        self._lost = cause
        last = self._last.isoformat() if self._last is not None else "the first notification"
        self._report("OPCUA-SRC-002", self.url, msg.CONNECTION_LOST, {"url": self.url, "cause": cause, "last": last},
                     Severity.ERROR)

    def _notified(self, node: Node, value: Any, data_value: ua.DataValue) -> None:
        what = self._watched.get(node.nodeid)
        if what is None:
            return
        timestamp = _timestamp(data_value)
        if timestamp is None:
            self._report("OPCUA-SRC-003", what.where, msg.NO_TIMESTAMP, {"value": str(value), "node": what.where})
            return
        self._last = timestamp if self._last is None else max(self._last, timestamp)
        if what.variable is None:
            counted = part_count_event(value, machine=what.machine, data_item=f"{what.machine}/{PART_COUNTER}",
                                       timestamp=timestamp, where=what.where)
            if isinstance(counted, Finding):
                self._findings.append(counted)
            else:
                self._queue.put_nowait(counted)
            return
        mapped = machinery_state_events(what.variable, value, machine=what.machine, timestamp=timestamp,
                                        where=what.where)
        self._findings.extend(mapped.findings)
        for event in mapped.states:
            self._queue.put_nowait(event)

    # --- finding the machines ---------------------------------------------------------------------------------

    async def _resolve(self) -> list[tuple[Node, _Watched]]:
        """The nodes to subscribe to: the configured NodeIds, or the browsed Machinery building blocks."""
        watched = [entry for machine, nodes in self._nodes.items() for entry in self._configured(machine, nodes)]
        if not self._nodes:
            watched.extend(await self._browse())
        for machine, node_id in self._part_counters.items():
            watched.append(self._node(machine, node_id, None, PART_COUNTER))
        return watched

    def _configured(self, machine: str, nodes: MachineNodes) -> list[tuple[Node, _Watched]]:
        configured = [
            (nodes.item_state, MachineryVariable.ITEM_STATE, MachineryVariable.ITEM_STATE.value),
            (nodes.operation_mode, MachineryVariable.OPERATION_MODE, MachineryVariable.OPERATION_MODE.value),
            (nodes.part_counter, None, PART_COUNTER),
        ]
        return [self._node(machine, node_id, variable, label) for node_id, variable, label in configured
                if node_id is not None]

    def _node(self, machine: str, node_id: str, variable: MachineryVariable | None,
              label: str) -> tuple[Node, _Watched]:
        node = self._client.get_node(node_id)
        return node, _Watched(machine, variable, f"{self.url} {node.nodeid.to_string()} ({machine} {label})")

    async def _browse(self) -> list[tuple[Node, _Watched]]:
        folder = await self._machines_folder()
        if folder is None:
            return []
        found = await _children(folder)
        names = self._machines if self._machines is not None else tuple(found)
        for missing in (name for name in names if name not in found):
            self._report("OPCUA-SRC-004", f"{self.url} Objects/Machines", msg.UNKNOWN_MACHINE,
                         {"machine": missing, "known": ", ".join(found) or "(none)"})
        watched: list[tuple[Node, _Watched]] = []
        for name in (name for name in names if name in found):
            watched.extend(await self._machine_variables(name, found[name]))
        return watched

    async def _machines_folder(self) -> Node | None:
        """The Machines folder: its browse name is in the Machinery namespace, which the server must list."""
        namespaces = await self._client.get_namespace_array()
        if MACHINERY_NAMESPACE in namespaces:
            index = namespaces.index(MACHINERY_NAMESPACE)
            for node, name in (await _described(self._client.nodes.objects)):
                if (name.NamespaceIndex, name.Name) == (index, "Machines"):
                    return node
        self._report("OPCUA-SRC-005", f"{self.url} Objects", msg.NO_MACHINES_FOLDER,
                     {"namespace": MACHINERY_NAMESPACE}, Severity.ERROR)
        return None

    async def _machine_variables(self, machine: str, node: Node) -> list[tuple[Node, _Watched]]:
        """The CurrentState variables of one machine; each missing building block is a finding."""
        blocks = (await _children(node)).get(BUILDING_BLOCKS)
        path = f"Objects/Machines/{machine}/{BUILDING_BLOCKS}"
        watched: list[tuple[Node, _Watched]] = []
        for variable in MachineryVariable:
            state = await _child_path(blocks, (variable.value, CURRENT_STATE)) if blocks is not None else None
            if state is None:
                block = f"{BUILDING_BLOCKS}/{variable.value}/{CURRENT_STATE}"
                self._report("OPCUA-SRC-006", f"{self.url} {node.nodeid.to_string()} (Objects/Machines/{machine})",
                             msg.NO_BUILDING_BLOCK, {"machine": machine, "block": block, "variable": variable.value})
                continue
            where = f"{self.url} {state.nodeid.to_string()} ({path}/{variable.value}/{CURRENT_STATE})"
            watched.append((state, _Watched(machine, variable, where)))
        return watched

    def _report(self, rule: str, where: str, message: str, params: Mapping[str, str | int | float],
                severity: Severity = Severity.WARNING) -> None:
        self._findings.append(opcua_finding(rule, where, message, params, severity))


async def _described(node: Node) -> list[tuple[Node, ua.QualifiedName]]:
    """The hierarchical children of ``node`` with their browse names, in one Browse call."""
    descriptions = await node.get_children_descriptions()
    return [(Node(node.session, description.NodeId), description.BrowseName) for description in descriptions]


async def _children(node: Node) -> dict[str, Node]:
    """The children by browse name, whatever their namespace: OPC 40001-1 names its building blocks in the
    Machinery namespace and the state variables in the base namespace, and servers differ in the index."""
    return {name.Name: child for child, name in await _described(node)}


async def _child_path(node: Node, names: Sequence[str]) -> Node | None:
    current: Node | None = node
    for name in names:
        current = (await _children(current)).get(name) if current is not None else None
    return current


def _timestamp(data_value: ua.DataValue) -> datetime | None:
    """The source timestamp (when the machine changed), else the server's; OPC UA times are UTC."""
    stamp = data_value.SourceTimestamp or data_value.ServerTimestamp
    if stamp is None:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _cause(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
