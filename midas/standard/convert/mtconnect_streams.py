"""Machine states and part counts from the SHDR adapter stream and from MTConnectStreams documents.

Only what ISO 22400 time elements need is turned into events: EXECUTION, AVAILABILITY, CONTROLLER_MODE,
EMERGENCY_STOP, every CONDITION, and PART_COUNT. Every other observation (samples, other events, assets, adapter
commands) is reported by a finding, aggregated per data item with the place of its first occurrence, so the
caller sees what was left out. Values are checked against the MTConnect vocabulary (MTConnect Standard Part 2,
DataItemTypes): a value outside it is reported with its place and not turned into an event.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from lxml import etree

from midas.standard.convert import mtconnect_messages as msg
from midas.standard.convert.mtconnect_devices import DataItem, Device, DeviceModel, element_xpath, finding_at
from midas.standard.io import DEFAULT_MAX_BYTES, parse_json, parse_xml
from midas.standard.report import Finding, Layer, Severity

__all__ = ["PartCount", "StateEvent", "StateKind", "StreamEvents", "parse_shdr", "read_streams_json",
           "read_streams_xml"]


class StateKind(StrEnum):
    """The MTConnect data item types that say what state a machine is in."""

    EXECUTION = "EXECUTION"
    AVAILABILITY = "AVAILABILITY"
    CONTROLLER_MODE = "CONTROLLER_MODE"
    EMERGENCY_STOP = "EMERGENCY_STOP"
    CONDITION = "CONDITION"


VOCABULARY: Final[Mapping[StateKind, frozenset[str]]] = {
    StateKind.EXECUTION: frozenset({
        "READY", "ACTIVE", "INTERRUPTED", "FEED_HOLD", "STOPPED", "OPTIONAL_STOP", "PROGRAM_STOPPED",
        "PROGRAM_COMPLETED", "WAIT", "PROGRAM_OPTIONAL_STOP", "UNAVAILABLE",
    }),
    StateKind.AVAILABILITY: frozenset({"AVAILABLE", "UNAVAILABLE"}),
    StateKind.CONTROLLER_MODE: frozenset({
        "AUTOMATIC", "MANUAL", "MANUAL_DATA_INPUT", "SEMI_AUTOMATIC", "EDIT", "UNAVAILABLE",
    }),
    StateKind.EMERGENCY_STOP: frozenset({"ARMED", "TRIGGERED", "UNAVAILABLE"}),
    StateKind.CONDITION: frozenset({"NORMAL", "WARNING", "FAULT", "UNAVAILABLE"}),
}
# Element names of the Streams document (the type in PascalCase) for the states and the part count.
_STREAM_KINDS: Final[Mapping[str, StateKind]] = {
    "Execution": StateKind.EXECUTION,
    "Availability": StateKind.AVAILABILITY,
    "ControllerMode": StateKind.CONTROLLER_MODE,
    "EmergencyStop": StateKind.EMERGENCY_STOP,
}
_CONDITION_LEVELS: Final = {"Normal": "NORMAL", "Warning": "WARNING", "Fault": "FAULT", "Unavailable": "UNAVAILABLE"}
PART_COUNT: Final = "PART_COUNT"
MULTILINE: Final = "--multiline--"
# Fields after the key of each kind of SHDR data item (MTConnect cppagent's SHDR parser).
_CONDITION_FIELDS: Final = 5  # level|native_code|native_severity|qualifier|text
_FIELDS_BY_TYPE: Final = {"MESSAGE": 2, "ALARM": 4}
_TIME_SERIES_FIELDS: Final = 3


@dataclass(frozen=True, slots=True)
class StateEvent:
    """A machine state observed at ``timestamp``: ``value`` is from the MTConnect vocabulary of ``kind``; for a
    condition it is the level, with its ``native_code`` (several faults of one data item are told apart by it)."""

    timestamp: datetime
    device: str
    data_item: str
    kind: StateKind
    value: str
    source: str
    native_code: str = ""


@dataclass(frozen=True, slots=True)
class PartCount:
    """The value of a PART_COUNT data item at ``timestamp``."""

    timestamp: datetime
    device: str
    data_item: str
    count: int
    source: str


@dataclass(frozen=True, slots=True)
class StreamEvents:
    """What a stream said about states and part counts, in the order read, and what it could not say."""

    states: tuple[StateEvent, ...]
    part_counts: tuple[PartCount, ...]
    findings: tuple[Finding, ...]


@dataclass(slots=True)
class _Collector:
    """Turns observations into events; counts the observations that are not states, per data item."""

    states: list[StateEvent] = field(default_factory=list)
    part_counts: list[PartCount] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    def observe(self, timestamp: datetime, device: str, item: DataItem, values: Sequence[str], where: str) -> None:
        kind = _kind(item)
        if item.type == PART_COUNT and item.category != "CONDITION":
            self._part_count(timestamp, device, item, values[0], where)
        elif kind is None:
            self.skip(item.id, item.type, where)
        elif values[0] not in VOCABULARY[kind]:
            self.findings.append(finding_at("MTC-STR-005", where, msg.UNKNOWN_VALUE, {
                "value": values[0], "type": kind.value, "allowed": ", ".join(sorted(VOCABULARY[kind]))}))
        else:
            code = values[1] if kind is StateKind.CONDITION and len(values) > 1 else ""
            self.states.append(StateEvent(timestamp, device, item.id, kind, values[0], where, code))

    def _part_count(self, timestamp: datetime, device: str, item: DataItem, value: str, where: str) -> None:
        if value == "UNAVAILABLE":
            return  # no count is known: nothing to record, and nothing is lost
        try:
            count = int(value)
        except ValueError:
            self.findings.append(finding_at("MTC-STR-006", where, msg.BAD_PART_COUNT,
                                            {"value": value, "key": item.id}))
            return
        self.part_counts.append(PartCount(timestamp, device, item.id, count, where))

    def skip(self, data_item: str, type_: str, where: str) -> None:
        _, first, count = self.skipped.get(data_item, (type_, where, 0))
        self.skipped[data_item] = (type_, first, count + 1)

    def result(self) -> StreamEvents:
        summary = [
            finding_at("MTC-STR-007", first, msg.NOT_A_STATE,
                       {"count": count, "data_item": item, "type": type_, "first": first}, Severity.INFO)
            for item, (type_, first, count) in self.skipped.items()
        ]
        return StreamEvents(tuple(self.states), tuple(self.part_counts), (*self.findings, *summary))


def _kind(item: DataItem) -> StateKind | None:
    if item.category == "CONDITION":
        return StateKind.CONDITION
    try:
        return StateKind(item.type)
    except ValueError:
        return None


def _timestamp(text: str) -> datetime | None:
    """An ISO 8601 timestamp with an offset (``Z`` included); MTConnect's 7-digit fractions are cut to 6."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


# --- SHDR -------------------------------------------------------------------------------------------------------


def _shdr_device(model: DeviceModel, device: str | None) -> tuple[Device | None, Finding | None]:
    if device is None:
        if len(model.devices) == 1:
            return model.devices[0], None
        return None, finding_at("MTC-STR-001", "line 1", msg.DEVICE_REQUIRED, {"count": len(model.devices)},
                                Severity.ERROR, Layer.READ)
    found = model.device(device)
    if found is None:
        known = ", ".join(name for d in model.devices for name in d.names()[:1])
        return None, finding_at("MTC-STR-001", "line 1", msg.UNKNOWN_DEVICE, {"device": device, "known": known},
                                Severity.ERROR, Layer.READ)
    return found, None


def _field_count(item: DataItem) -> int:
    if item.category == "CONDITION":
        return _CONDITION_FIELDS
    if item.representation == "TIME_SERIES":
        return _TIME_SERIES_FIELDS
    return _FIELDS_BY_TYPE.get(item.type, 1)


class _ShdrReader:
    """Reads an SHDR stream line by line; ``line N`` is the place of every finding and event."""

    def __init__(self, device: Device, model: DeviceModel) -> None:
        self.device = device
        self.model = model
        self.collector = _Collector()
        self.previous: datetime | None = None
        self.back: tuple[str, str, str] | None = None
        self.back_count = 0

    def read(self, lines: Sequence[str]) -> StreamEvents:
        number = 0
        while number < len(lines):
            number = self._line(lines, number)
        self._order_finding()
        return self.collector.result()

    def _line(self, lines: Sequence[str], index: int) -> int:
        """Reads the line at ``index`` (0-based) and returns the index of the next line to read."""
        text, where = lines[index].rstrip("\r"), f"line {index + 1}"
        if not text.strip():
            return index + 1
        if text.startswith("*"):
            self._report("MTC-STR-008", where, msg.ADAPTER_COMMAND, {"command": text.strip()}, Severity.INFO)
            return index + 1
        fields = text.split("|")
        timestamp = _timestamp(fields[0])
        if timestamp is None:
            self._report("MTC-STR-002", where, msg.BAD_TIMESTAMP, {"timestamp": fields[0]}, Severity.ERROR)
            return index + 1
        if len(fields) > 1 and fields[1].startswith("@") and fields[1].endswith("@"):
            return self._asset(lines, index, fields[1:])  # an asset's time is its own, not the stream's
        self._check_order(timestamp, where)
        self._observations(timestamp, fields[1:], where)
        return index + 1

    def _check_order(self, timestamp: datetime, where: str) -> None:
        """Counts the lines whose time goes back (a restarted recording, jitter): one finding at the first."""
        if self.previous is not None and timestamp < self.previous:
            if self.back is None:
                self.back = (where, self.previous.isoformat(), timestamp.isoformat())
            self.back_count += 1
        self.previous = timestamp

    def _order_finding(self) -> None:
        if self.back is not None:
            where, previous, timestamp = self.back
            self._report("MTC-STR-003", where, msg.TIMESTAMP_GOES_BACK,
                         {"count": self.back_count, "previous": previous, "timestamp": timestamp}, Severity.INFO)

    def _asset(self, lines: Sequence[str], index: int, fields: Sequence[str]) -> int:
        """Asset commands carry no machine state: reported, and a multi-line body skipped to its end marker."""
        last = index
        marker = fields[-1] if fields[-1].startswith(MULTILINE) else None
        if marker is not None:
            ends = [i for i in range(index + 1, len(lines)) if lines[i].rstrip("\r") == marker]
            if not ends:
                self._report("MTC-STR-009", f"line {index + 1}", msg.UNTERMINATED_ASSET, {"marker": marker},
                             Severity.ERROR)
                return len(lines)
            last = ends[0]
        detail = "|".join(field for field in fields[1:] if not field.startswith(MULTILINE))
        where = f"line {index + 1}" if last == index else f"lines {index + 1}-{last + 1}"
        self._report("MTC-STR-010", where, msg.ASSET_NOT_MAPPED, {"command": fields[0], "detail": detail},
                     Severity.INFO)
        return last + 1

    def _observations(self, timestamp: datetime, fields: Sequence[str], where: str) -> None:
        position = 0
        while position < len(fields):
            key = fields[position]
            item = self._item(key)
            if item is None:
                value = fields[position + 1] if position + 1 < len(fields) else ""
                self._report("MTC-STR-004", where, msg.UNKNOWN_DATA_ITEM,
                             {"key": key, "device": self.device.name or self.device.id, "value": value})
                position += 2
                continue
            wanted = _field_count(item)
            values = fields[position + 1:position + 1 + wanted]
            if len(values) < wanted:
                self._report("MTC-STR-011", where, msg.MISSING_FIELDS,
                             {"key": key, "expected": wanted, "actual": len(values)}, Severity.ERROR, Layer.READ)
                return
            self.collector.observe(timestamp, self.device.id, item, values, where)
            position += 1 + wanted

    def _item(self, key: str) -> DataItem | None:
        """The data item ``key`` names; ``device:key`` names one of another device of the model."""
        device_name, _, name = key.rpartition(":")
        device = self.model.device(device_name) if device_name else self.device
        return device.data_item(name) if device is not None else None

    def _report(self, rule: str, where: str, message: str, params: Mapping[str, str | int | float],
                severity: Severity = Severity.WARNING, layer: Layer = Layer.READ) -> None:
        self.collector.findings.append(finding_at(rule, where, message, params, severity, layer))


def parse_shdr(data: bytes, model: DeviceModel, *, device: str | None = None) -> StreamEvents:
    """The states and part counts in an SHDR adapter stream (``timestamp|key|value|key|value...``).

    SHDR does not say what a key is, so the device model (from :func:`read_devices`) decodes it: a condition takes
    five fields (level, native code, native severity, qualifier, text), a message two, an alarm four, a time
    series three, anything else one. ``device`` names the device the adapter feeds (needed when the model has
    more than one). Malformed lines, unknown keys and values outside the vocabulary are findings with their
    line number; the rest of the stream is still read.
    """
    chosen, problem = _shdr_device(model, device)
    if chosen is None:
        return StreamEvents((), (), (problem,) if problem else ())
    text = data.decode("utf-8", errors="replace")
    return _ShdrReader(chosen, model).read(text.split("\n"))


# --- MTConnectStreams XML ----------------------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _stream_item(device: Device | None, attributes: Mapping[str, Any], tag: str, category: str) -> DataItem:
    """The data item an observation names; without a device model its kind comes from the element name."""
    item_id = str(attributes.get("dataItemId", ""))
    known = device.data_item_by_id(item_id) if device is not None else None
    if known is not None:
        return known
    kind = _STREAM_KINDS.get(tag)
    type_ = kind.value if kind is not None else ("PART_COUNT" if tag == "PartCount" else tag)
    return DataItem(item_id, attributes.get("name"), type_, None, category, None, "")


def _observe(collector: _Collector, device: str, item: DataItem, attributes: Mapping[str, Any], value: str,
             where: str) -> None:
    """One observation of a Streams document (XML or JSON), checked for its id and timestamp."""
    for required in ("dataItemId", "timestamp"):
        if not attributes.get(required):
            collector.findings.append(finding_at("MTC-STR-012", where, msg.OBSERVATION_WITHOUT_FIELD,
                                                 {"field": required}, Severity.ERROR, Layer.READ))
            return
    timestamp = _timestamp(str(attributes["timestamp"]))
    if timestamp is None:
        collector.findings.append(finding_at("MTC-STR-002", where, msg.BAD_TIMESTAMP,
                                             {"timestamp": str(attributes["timestamp"])}, Severity.ERROR, Layer.READ))
        return
    collector.observe(timestamp, device, item, [value, str(attributes.get("nativeCode", ""))], where)


def read_streams_xml(data: bytes, model: DeviceModel | None = None, *,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> StreamEvents:
    """The states and part counts of an MTConnectStreams XML document (any 1.x/2.x namespace).

    Parsed safely: a DTD, an entity or a network reference is refused (UnreadableFile). The device model is
    optional: observations are recognised by their element names (Execution, Availability, ControllerMode,
    EmergencyStop, PartCount, Condition levels). Places are XPaths.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    collector = _Collector()
    if _local(root) != "MTConnectStreams":
        collector.findings.append(finding_at("MTC-STR-013", "/" + _local(root), msg.NOT_STREAMS,
                                             {"root": _local(root)}, Severity.ERROR, Layer.READ))
        return collector.result()
    for stream in root.iter("{*}DeviceStream"):
        device_key = stream.get("name") or stream.get("uuid") or ""
        device = model.device(device_key) if model is not None else None
        device_id = device.id if device is not None else device_key
        for group in stream.iter("{*}Events", "{*}Samples", "{*}Condition"):
            for element in (child for child in group if isinstance(child.tag, str)):
                _xml_observation(collector, device, device_id, _local(group), element)
    return collector.result()


def _xml_observation(collector: _Collector, device: Device | None, device_id: str, group: str,
                     element: etree._Element) -> None:
    tag = _local(element)
    category = "CONDITION" if group == "Condition" else ("SAMPLE" if group == "Samples" else "EVENT")
    attributes = dict(element.attrib)
    if category == "CONDITION":
        level = _CONDITION_LEVELS.get(tag, tag.upper())
        item = _stream_item(device, {**attributes, "name": attributes.get("type")}, tag, category)
        _observe(collector, device_id, item, attributes, level, element_xpath(element))
        return
    item = _stream_item(device, attributes, tag, category)
    _observe(collector, device_id, item, attributes, (element.text or "").strip(), element_xpath(element))


# --- MTConnectStreams JSON ---------------------------------------------------------------------------------------


def _each(value: object) -> Iterator[Mapping[str, Any]]:
    """The objects of ``value``: JSON version 1 wraps single objects, version 2 uses arrays."""
    if isinstance(value, Mapping):
        yield value
    elif isinstance(value, list):
        yield from (entry for entry in value if isinstance(entry, Mapping))


def _wrapped(container: Mapping[str, Any], plural: str, singular: str, pointer: str
             ) -> Iterator[tuple[Mapping[str, Any], str]]:
    """The ``singular`` objects of ``container``: version 2 ``{singular: [...]}`` or version 1
    ``{plural: [{singular: {...}}]}``, each with its JSON pointer."""
    for key in (singular, plural):
        for index, entry in enumerate(_each(container.get(key))):
            inner = entry.get(singular) if key == plural else entry
            if isinstance(inner, Mapping):
                yield inner, f"{pointer}/{key}/{index}"


def read_streams_json(data: bytes, model: DeviceModel | None = None, *,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> StreamEvents:
    """The states and part counts of an MTConnectStreams JSON document (the agent's JSON versions 1 and 2).

    An observation is ``{"dataItemId": ..., "timestamp": ..., "value": ...}`` under its type name (Execution,
    ...) inside Events, Samples or Condition (where the name is the level). Places are JSON pointers.
    """
    document = parse_json(data, max_bytes=max_bytes)
    collector = _Collector()
    body = document.get("MTConnectStreams") if isinstance(document, Mapping) else None
    if not isinstance(body, Mapping):
        root = next(iter(document), "?") if isinstance(document, Mapping) else type(document).__name__
        collector.findings.append(finding_at("MTC-STR-013", "/", msg.NOT_STREAMS, {"root": str(root)},
                                             Severity.ERROR, Layer.READ))
        return collector.result()
    streams = body.get("Streams")
    containers = [(entry, f"/MTConnectStreams/Streams/{i}") for i, entry in enumerate(_each(streams))] \
        if isinstance(streams, list) else ([(streams, "/MTConnectStreams/Streams")] if isinstance(streams, Mapping)
                                           else [])
    for container, pointer in containers:
        for stream, stream_pointer in _wrapped(container, "DeviceStreams", "DeviceStream", pointer):
            _json_device_stream(collector, model, stream, stream_pointer)
    return collector.result()


def _json_device_stream(collector: _Collector, model: DeviceModel | None, stream: Mapping[str, Any],
                        pointer: str) -> None:
    device_key = str(stream.get("name") or stream.get("uuid") or "")
    device = model.device(device_key) if model is not None else None
    device_id = device.id if device is not None else device_key
    for component, component_pointer in _wrapped(stream, "ComponentStreams", "ComponentStream", pointer):
        for group in ("Events", "Samples", "Condition"):
            category = "CONDITION" if group == "Condition" else ("SAMPLE" if group == "Samples" else "EVENT")
            for tag, entries, where in _json_observations(component.get(group), f"{component_pointer}/{group}"):
                for index, attributes in enumerate(_each(entries)):
                    _json_observation(collector, device, device_id, category, tag, attributes, f"{where}/{index}")


def _json_observations(group: object, pointer: str) -> Iterator[tuple[str, object, str]]:
    """(type name, observations, pointer) of a group: version 2 ``{Name: [...]}``, version 1 ``[{Name: {...}}]``."""
    if isinstance(group, Mapping):
        for tag, entries in group.items():
            yield str(tag), entries, f"{pointer}/{tag}"
    elif isinstance(group, list):
        for index, entry in enumerate(_each(group)):
            for tag, value in entry.items():
                yield str(tag), [value], f"{pointer}/{index}/{tag}"


def _json_observation(collector: _Collector, device: Device | None, device_id: str, category: str, tag: str,
                      attributes: Mapping[str, Any], where: str) -> None:
    if category == "CONDITION":
        level = _CONDITION_LEVELS.get(tag, tag.upper())
        item = _stream_item(device, {**attributes, "name": attributes.get("type")}, tag, category)
        _observe(collector, device_id, item, attributes, level, where)
        return
    item = _stream_item(device, attributes, tag, category)
    _observe(collector, device_id, item, attributes, str(attributes.get("value", "")).strip(), where)
