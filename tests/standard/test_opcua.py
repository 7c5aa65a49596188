"""OPC UA (OPC 40001-1 Machinery) machine states to the state events and ISO 22400 time elements of MTConnect.

The mapping is tested as a plain function; the source is tested against a real asyncua server started in the
test on 127.0.0.1 (anonymous, no security) with a minimal Machinery address space built here.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from string import Formatter

import pytest
from asyncua import ua
from asyncua.common.node import Node
from asyncua.server.server import Server
from babel.messages.pofile import read_po

from midas.i18n import LOCALE_DIR
from midas.standard.convert import opcua_messages as msg
from midas.standard.convert.mtconnect_streams import PartCount, StateEvent, StateKind
from midas.standard.convert.mtconnect_times import time_elements
from midas.standard.convert.opcua import MACHINERY_NAMESPACE, MachineNodes, OpcUaMachineSource
from midas.standard.convert.opcua_states import (
    MachineryVariable,
    machinery_state_events,
    part_count_event,
    state_name,
)
from midas.standard.report import Finding

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
ITEM = MachineryVariable.ITEM_STATE
MODE = MachineryVariable.OPERATION_MODE


def _at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- the pure mapping ----------------------------------------------------------------------------------------


NORMAL = (StateKind.CONDITION, "NORMAL", "Maintenance")


@pytest.mark.parametrize(("variable", "value", "expected"), [
    (ITEM, "Executing", [(StateKind.AVAILABILITY, "AVAILABLE", ""), (StateKind.EXECUTION, "ACTIVE", "")]),
    (ITEM, "NotExecuting", [(StateKind.AVAILABILITY, "AVAILABLE", ""), (StateKind.EXECUTION, "READY", "")]),
    (ITEM, "OutOfService", [(StateKind.AVAILABILITY, "UNAVAILABLE", ""), (StateKind.EXECUTION, "UNAVAILABLE", "")]),
    (ITEM, "NotAvailable", [(StateKind.AVAILABILITY, "UNAVAILABLE", ""), (StateKind.EXECUTION, "UNAVAILABLE", "")]),
    (MODE, "Processing", [(StateKind.CONTROLLER_MODE, "AUTOMATIC", ""), NORMAL]),
    (MODE, "Setup", [(StateKind.CONTROLLER_MODE, "MANUAL", ""), NORMAL]),
    (MODE, "Maintenance", [(StateKind.CONTROLLER_MODE, "MANUAL", ""), (StateKind.CONDITION, "FAULT", "Maintenance")]),
    (MODE, "None", [(StateKind.CONTROLLER_MODE, "UNAVAILABLE", ""), NORMAL]),
])
def test_each_machinery_state_becomes_mtconnect_state_events(
        variable: MachineryVariable, value: str, expected: list[tuple[StateKind, str, str]]) -> None:
    mapped = machinery_state_events(variable, ua.LocalizedText(value, "en"), machine="Mill1", timestamp=T0,
                                    where="here")
    assert mapped.findings == ()
    assert [(e.kind, e.value, e.native_code) for e in mapped.states] == expected
    assert {(e.device, e.data_item, e.timestamp, e.source) for e in mapped.states} == {
        ("Mill1", f"Mill1/{variable.value}", T0, "here")}


def test_an_unknown_or_untyped_state_is_a_finding_and_no_event() -> None:
    unknown = machinery_state_events(ITEM, ua.LocalizedText("Running"), machine="M", timestamp=T0, where="n=1")
    assert unknown.states == ()
    (finding,) = unknown.findings
    assert (finding.message, finding.path, finding.params["value"]) == (msg.UNKNOWN_STATE, "n=1", "Running")
    assert finding.params["allowed"] == "Executing, NotExecuting, OutOfService, NotAvailable"
    wrong = machinery_state_events(MODE, 3, machine="M", timestamp=T0, where="n=2")
    assert (wrong.states, [(f.message, f.params["type"]) for f in wrong.findings]) == ((), [(msg.NOT_A_STATE_TEXT,
                                                                                             "int")])
    assert state_name(ua.LocalizedText(None)) is None
    assert state_name("Setup") == "Setup"


def test_a_part_count_is_a_whole_number_or_a_finding() -> None:
    assert part_count_event(12, machine="M", data_item="M/PartCounter", timestamp=T0, where="w") == PartCount(
        T0, "M", "M/PartCounter", 12, "w")
    assert isinstance(part_count_event(12.0, machine="M", data_item="d", timestamp=T0, where="w"), PartCount)
    for bad in (12.5, "12", True):
        refused = part_count_event(bad, machine="M", data_item="d", timestamp=T0, where="w")
        assert isinstance(refused, Finding)
        assert refused.message == msg.BAD_PART_COUNT


def test_maintenance_is_down_even_while_the_item_state_says_executing() -> None:
    """The item state sets AVAILABILITY; the maintenance condition must outlive it, and end with the mode."""
    changes = [(0, ITEM, "Executing"), (0, MODE, "Processing"), (10, MODE, "Maintenance"), (20, ITEM, "NotExecuting"),
               (25, ITEM, "Executing"), (30, MODE, "Processing")]
    events = [event for second, variable, value in changes for event in machinery_state_events(
        variable, value, machine="M", timestamp=_at(second), where="w").states]
    elements = time_elements(events, [], T0, _at(40))
    assert (elements.actual_production_time, elements.actual_unit_down_time, elements.idle_time) == (20.0, 20.0, 0.0)


# --- the source against a real server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _state_variable(parent: Node, ns: int, block: str, state: str) -> Node:
    """A state machine object with its CurrentState as OPC 40001-1 has it: a LocalizedText state name."""
    machine = await parent.add_object(ns, block)
    name = ua.QualifiedName("CurrentState", 0)  # a StateMachineType's CurrentState is of the base namespace
    variable = await machine.add_variable(ua.NodeId(0, ns), name, ua.LocalizedText(state, "en"),
                                          ua.VariantType.LocalizedText)
    await _write(variable, ua.Variant(ua.LocalizedText(state, "en"), ua.VariantType.LocalizedText), 0)
    return variable


async def _write(node: Node, variant: ua.Variant, second: int) -> None:
    await node.write_value(ua.DataValue(variant, SourceTimestamp=_at(second), ServerTimestamp=_at(second)))


async def _machinery_server(port: int) -> tuple[Server, dict[str, Node]]:
    """Machines/Mill1 with both building blocks and a part counter; Machines/Press2 without building blocks."""
    server = Server()
    await server.init()
    server.disable_clock()  # its 1 s tick would delay stop() by up to a second
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/midas/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    ns = await server.register_namespace(MACHINERY_NAMESPACE)
    machines = await server.nodes.objects.add_folder(ns, "Machines")
    mill = await machines.add_object(ns, "Mill1")
    blocks = await mill.add_folder(ns, "MachineryBuildingBlocks")
    await machines.add_object(ns, "Press2")
    nodes = {
        "item": await _state_variable(blocks, ns, "MachineryItemState", "NotExecuting"),
        "mode": await _state_variable(blocks, ns, "MachineryOperationMode", "Processing"),
        "counter": await mill.add_variable(ns, "Parts", 5, ua.VariantType.UInt32),
    }
    await _write(nodes["counter"], ua.Variant(5, ua.VariantType.UInt32), 0)
    await server.start()
    return server, nodes


def _run(scenario: Callable[[], Awaitable[None]]) -> None:
    # A thread of its own: the browser tests' sync Playwright may keep an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(lambda: asyncio.run(asyncio.wait_for(scenario(), timeout=20))).result()


async def _take(events: AsyncIterator[StateEvent | PartCount], count: int) -> list[StateEvent | PartCount]:
    return [await asyncio.wait_for(anext(events), timeout=3) for _ in range(count)]


async def _until(condition: Callable[[], bool]) -> None:
    """Waits for what a notification does besides yielding events (a finding), at most 3 s."""
    for _ in range(60):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the expected notification did not arrive within 3 s")


def _states(received: list[StateEvent | PartCount]) -> list[tuple[int, StateKind, str]]:
    return [(int((e.timestamp - T0).total_seconds()), e.kind, e.value) for e in received if isinstance(e, StateEvent)]


def test_the_source_follows_a_machine_and_its_states_give_the_time_elements() -> None:
    """Mill1 over [0 s, 300 s): idle 0-10, producing 10-70, setup 70-100, producing 100-160, maintenance
    160-190, producing 190-250, out of service 250-280, idle 280-300; parts 5 at 0, 7 at 60, 9 at 200.
    By hand: APT 60+60+60 = 180, AUST 30, ADOT 30+30 = 60, idle 10+20 = 30, ADET 0, produced 9-5 = 4."""

    async def scenario() -> None:
        port = _free_port()
        server, nodes = await _machinery_server(port)
        counter = nodes["counter"].nodeid.to_string()
        url = f"opc.tcp://127.0.0.1:{port}/midas/"
        received: list[StateEvent | PartCount] = []
        source = OpcUaMachineSource(url, machines=["Mill1", "Press2", "Lathe9"], part_counters={"Mill1": counter},
                                    watch_interval=0.3)
        async with source:
            events = source.events()
            received += await _take(events, 5)  # the current states (2 + 2) and the part count
            assert sorted(_states(received)) == [(0, StateKind.AVAILABILITY, "AVAILABLE"),
                                                 (0, StateKind.CONDITION, "NORMAL"),
                                                 (0, StateKind.CONTROLLER_MODE, "AUTOMATIC"),
                                                 (0, StateKind.EXECUTION, "READY")]
            for second, key, value in [(10, "item", "Executing"), (60, "counter", 7), (70, "mode", "Setup"),
                                       (100, "mode", "Processing"), (160, "mode", "Maintenance"),
                                       (190, "mode", "Processing"), (200, "counter", 9), (250, "item", "OutOfService"),
                                       (280, "item", "NotExecuting")]:
                variant = ua.Variant(value, ua.VariantType.UInt32) if isinstance(value, int) else ua.Variant(
                    ua.LocalizedText(str(value), "en"), ua.VariantType.LocalizedText)
                await _write(nodes[key], variant, second)
                received += await _take(events, 1 if key == "counter" else 2)
            await _write(nodes["item"], ua.Variant(ua.LocalizedText("Running", "en"), ua.VariantType.LocalizedText),
                         290)
            await _until(lambda: any(f.message == msg.UNKNOWN_STATE for f in source.findings))
            await server.stop()
            received += [event async for event in events]  # ends once the server no longer answers
        assert all(e.device == "Mill1" for e in received)
        assert (8, StateKind.CONDITION, "FAULT") not in _states(received)
        assert (160, StateKind.CONDITION, "FAULT") in _states(received)
        counts = [(int((e.timestamp - T0).total_seconds()), e.count) for e in received if isinstance(e, PartCount)]
        assert counts == [(0, 5), (60, 7), (200, 9)]
        elements = time_elements([e for e in received if isinstance(e, StateEvent)],
                                 [e for e in received if isinstance(e, PartCount)], T0, _at(300), device="Mill1")
        assert (elements.actual_production_time, elements.actual_unit_setup_time, elements.actual_unit_down_time,
                elements.idle_time, elements.actual_unit_delay_time, elements.unknown_time) == (
            180.0, 30.0, 60.0, 30.0, 0.0, 0.0)
        assert elements.produced_quantity == 4
        by_message: dict[str, list[Finding]] = {}
        for finding in source.findings:
            by_message.setdefault(finding.message, []).append(finding)
        assert sorted(by_message) == sorted([msg.UNKNOWN_MACHINE, msg.NO_BUILDING_BLOCK, msg.UNKNOWN_STATE,
                                             msg.CONNECTION_LOST])
        assert [f.params["machine"] for f in by_message[msg.UNKNOWN_MACHINE]] == ["Lathe9"]
        assert [(f.params["machine"], f.params["variable"]) for f in by_message[msg.NO_BUILDING_BLOCK]] == [
            ("Press2", "MachineryItemState"), ("Press2", "MachineryOperationMode")]
        (unknown,) = by_message[msg.UNKNOWN_STATE]
        assert unknown.params["value"] == "Running"
        assert unknown.path.endswith("(Objects/Machines/Mill1/MachineryBuildingBlocks/MachineryItemState/CurrentState)")
        (lost,) = by_message[msg.CONNECTION_LOST]
        assert (lost.params["url"], lost.params["last"]) == (url, _at(290).isoformat())

    _run(scenario)


async def _plain_server(port: int) -> tuple[Server, Node]:
    """A server not laid out by OPC 40001-1 (no Machinery namespace): a PLC with a state variable of its own."""
    server = Server()
    await server.init()
    server.disable_clock()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/plc/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    ns = await server.register_namespace("urn:midas:test:plc")
    state = await server.nodes.objects.add_variable(ua.NodeId("M-7.State", ns), ua.QualifiedName("State", ns),
                                                    ua.LocalizedText("Executing", "en"), ua.VariantType.LocalizedText)
    await _write(state, ua.Variant(ua.LocalizedText("Executing", "en"), ua.VariantType.LocalizedText), 0)
    await server.start()
    return server, state


def test_configured_node_ids_replace_browsing_and_a_server_without_machines_is_reported() -> None:
    async def scenario() -> None:
        port = _free_port()
        server, state = await _plain_server(port)
        url = f"opc.tcp://127.0.0.1:{port}/plc/"
        configured = {"M-7": MachineNodes(item_state=state.nodeid.to_string(), operation_mode="ns=2;s=Nope")}
        try:
            async with OpcUaMachineSource(url, nodes=configured, watch_interval=0.3) as source:
                received = await _take(source.events(), 2)
            async with OpcUaMachineSource(url, watch_interval=0.3) as browsing:
                pass
        finally:
            await server.stop()
        assert [(e.device, e.kind, e.value) for e in received if isinstance(e, StateEvent)] == [
            ("M-7", StateKind.AVAILABILITY, "AVAILABLE"), ("M-7", StateKind.EXECUTION, "ACTIVE")]
        assert received[0].source == f"{url} ns=2;s=M-7.State (M-7 MachineryItemState)"
        assert [(f.message, f.params["node"]) for f in source.findings] == [(msg.NODE_NOT_READABLE, "ns=2;s=Nope")]
        assert [(f.message, f.path) for f in browsing.findings] == [(msg.NO_MACHINES_FOLDER, f"{url} Objects")]

    _run(scenario)


def test_a_server_that_cannot_be_reached_is_a_finding_and_no_events() -> None:
    async def scenario() -> None:
        url = f"opc.tcp://127.0.0.1:{_free_port()}/"
        async with OpcUaMachineSource(url, timeout=1) as source:
            assert [event async for event in source.events()] == []
        assert [(f.message, f.params["url"]) for f in source.findings] == [(msg.CONNECT_FAILED, url)]

    _run(scenario)


# --- messages ----------------------------------------------------------------------------------------------------


def _parameters(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_message_has_a_korean_translation_with_the_same_parameters() -> None:
    path = LOCALE_DIR / "ko" / "LC_MESSAGES" / "standard-opcua.po"
    with path.open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle, locale="ko") if m.id}
    constants = {value for name, value in vars(msg).items() if name.isupper() and isinstance(value, str)}
    assert constants == set(msg.ALL)
    assert set(catalog) == set(msg.ALL)
    for message in msg.ALL:
        assert _parameters(catalog[message]) == _parameters(message), message
