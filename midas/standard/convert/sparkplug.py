"""Sparkplug B: from (topic, payload bytes) in arrival order to metric samples, findings and rebirth requests.

An :class:`EdgeSession` follows one edge node the way a Sparkplug host application must: the NBIRTH sets the
birth/death sequence number (``bdSeq``) and the node's alias table, each DBIRTH a device's; DATA messages name
metrics by alias, resolved here through those tables; every message after the birth carries ``seq`` 0..255,
one more than the message before (255 wraps to 0). A gap means messages were lost, so the session reports it and
asks for a rebirth (an NCMD ``Node Control/Rebirth`` = true, built here as bytes for the MQTT worker to publish).
Nothing is dropped silently: what cannot be read, resolved or decoded becomes a finding whose path is the topic
plus the place in the payload (``spBv1.0/G/DDATA/E/D#metrics[2]``).

The samples are neutral :class:`MetricSample` s, not K-MDS TimeSeries records: which equipment (EquipmentId) an
edge node or device is, and which metric is which K-MDS concept, is a per-factory mapping that the ingestion layer
owns; the standard package only guarantees that every value arrives with its name, time, datatype and message key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final

import midas.standard.convert.sparkplug_messages as msg
from midas.standard.convert.sparkplug_payload import (
    DataType,
    Metric,
    Payload,
    SampleValue,
    decode_payload,
    encode_payload,
    make_metric,
    typed_value,
)
from midas.standard.convert.sparkplug_topic import NAMESPACE, MessageType, SparkplugTopic, parse_topic
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "BD_SEQ",
    "REBIRTH",
    "EdgeSession",
    "MessageKey",
    "MetricSample",
    "RebirthRequest",
    "SessionResult",
    "SparkplugConsumer",
    "rebirth_command",
]

BD_SEQ: Final = "bdSeq"
REBIRTH: Final = "Node Control/Rebirth"
_SEQ_MODULUS: Final = 256
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DATATYPE_VALUES: Final = frozenset(int(member) for member in DataType)


@dataclass(frozen=True, slots=True)
class MessageKey:
    """The identity of one message, stable across redeliveries, for idempotent ingestion.

    ``seq`` alone repeats every 256 messages and ``bd_seq`` every 256 connections, so the key also holds the
    NBIRTH's timestamp (which birth) and the message's own timestamp (which lap of ``seq``). A redelivered
    message has the same bytes, hence the same key.
    """

    group_id: str
    edge_node_id: str
    device_id: str | None
    message_type: str
    bd_seq: int | None
    birth_timestamp: int | None
    seq: int | None
    timestamp: int | None

    @property
    def text(self) -> str:
        def part(value: object) -> str:
            return "-" if value is None else str(value)

        return "|".join(
            (
                NAMESPACE,
                self.group_id,
                self.edge_node_id,
                part(self.device_id),
                self.message_type,
                f"bd={part(self.bd_seq)}",
                f"birth={part(self.birth_timestamp)}",
                f"seq={part(self.seq)}",
                f"ts={part(self.timestamp)}",
            )
        )


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One metric value from an edge node or one of its devices; ``datatype`` is the Sparkplug DataType name."""

    group_id: str
    edge_node_id: str
    device_id: str | None
    name: str
    timestamp: datetime | None
    value: SampleValue
    datatype: str | None
    historical: bool
    key: str


@dataclass(frozen=True, slots=True)
class RebirthRequest:
    """An NCMD to publish: ``payload`` sets ``Node Control/Rebirth`` to true on the edge node at ``topic``."""

    topic: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class SessionResult:
    """What one message gave: its key, its samples, what could not be used, and a rebirth request if needed."""

    key: MessageKey | None
    samples: tuple[MetricSample, ...] = ()
    findings: tuple[Finding, ...] = ()
    rebirth: RebirthRequest | None = None
    duplicate: bool = False

    @property
    def needs_rebirth(self) -> bool:
        return self.rebirth is not None


def rebirth_command(group_id: str, edge_node_id: str, at: datetime) -> RebirthRequest:
    """The NCMD that asks an edge node to publish its births again (Sparkplug B, "Node Control/Rebirth")."""
    milliseconds = (at - _EPOCH) // timedelta(milliseconds=1)
    payload = Payload(timestamp=milliseconds, metrics=(make_metric(REBIRTH, DataType.BOOLEAN, True,
                                                                   timestamp=milliseconds),))
    topic = SparkplugTopic(group_id, MessageType.NCMD, edge_node_id)
    return RebirthRequest(topic.text, encode_payload(payload))


@dataclass(slots=True)
class _AliasTable:
    """The metrics one birth declared: alias -> name and name -> datatype."""

    names: dict[int, str] = field(default_factory=dict)
    datatypes: dict[str, int | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Device:
    aliases: _AliasTable
    online: bool = True


def _finding(
    rule: str, path: str, message: str, params: Mapping[str, str | int | float], severity: Severity = Severity.WARNING
) -> Finding:
    return Finding(layer=Layer.CONFORMANCE, rule=rule, path=path, message=message, params=dict(params),
                   severity=severity)


def _milliseconds_to_datetime(milliseconds: int | None) -> datetime | None:
    if milliseconds is None:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        return None


@dataclass(slots=True)
class _Message:
    """One message being handled: collects its findings, samples and whether a rebirth is needed."""

    topic: SparkplugTopic
    payload: Payload
    findings: list[Finding] = field(default_factory=list)
    samples: list[MetricSample] = field(default_factory=list)
    rebirth: bool = False
    duplicate: bool = False

    def where(self, path: str = "") -> str:
        return f"{self.topic.text}#{path}" if path else self.topic.text

    def report(self, rule: str, message: str, params: Mapping[str, str | int | float], *, path: str = "",
               severity: Severity = Severity.WARNING, rebirth: bool = False) -> None:
        self.findings.append(_finding(rule, self.where(path), message, params, severity))
        self.rebirth = self.rebirth or rebirth


class EdgeSession:
    """The state of one edge node (and its devices) as seen by a host application; feed it every message of
    the node in arrival order with :meth:`receive`. ``clock`` gives the time stamped on rebirth commands."""

    def __init__(self, group_id: str, edge_node_id: str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.group_id = group_id
        self.edge_node_id = edge_node_id
        self._clock = clock or (lambda: datetime.now(UTC))
        self._online = False
        self.bd_seq: int | None = None
        self.birth_timestamp: int | None = None
        self._seq: int | None = None
        self._last_timestamp: int | None = None
        self._aliases = _AliasTable()
        self._devices: dict[str, _Device] = {}
        self._awaiting_rebirth = False

    def node_online(self) -> bool:
        """Whether the node has a birth that no matching death has ended."""
        return self._online

    def device_online(self, device_id: str) -> bool:
        device = self._devices.get(device_id)
        return self._online and device is not None and device.online

    def receive(self, topic: SparkplugTopic | str, data: bytes | Payload) -> SessionResult:
        """Handle one message; never raises on bad topics or bytes (they become findings)."""
        parsed = parse_topic(topic) if isinstance(topic, str) else topic
        if isinstance(parsed, Finding):
            return SessionResult(key=None, findings=(parsed,))
        payload = decode_payload(data) if isinstance(data, bytes) else data
        message = _Message(parsed, payload)
        message.findings.extend(replace(f, path=message.where(f.path)) for f in payload.findings)
        key = self._handle(message)
        return self._result(message, key)

    def _result(self, message: _Message, key: MessageKey | None) -> SessionResult:
        rebirth = None
        if message.rebirth and not self._awaiting_rebirth:
            # One request per lost birth: a burst of out-of-sequence messages must not flood the node with NCMDs.
            self._awaiting_rebirth = True
            rebirth = rebirth_command(self.group_id, self.edge_node_id, self._clock())
        return SessionResult(key, tuple(message.samples), tuple(message.findings), rebirth, message.duplicate)

    def _key(self, message: _Message) -> MessageKey:
        topic = message.topic
        return MessageKey(self.group_id, self.edge_node_id, topic.device_id, str(topic.message_type), self.bd_seq,
                          self.birth_timestamp, message.payload.seq, message.payload.timestamp)

    def _handle(self, message: _Message) -> MessageKey | None:
        topic = message.topic
        if (topic.group_id, topic.edge_node_id) != (self.group_id, self.edge_node_id):
            message.report("SPB-SESSION-001", msg.OTHER_EDGE_NODE, {"group_id": self.group_id,
                                                                    "edge_node_id": self.edge_node_id},
                           severity=Severity.ERROR)
            return None
        if not message.payload.readable:
            # The message is lost; whatever it changed (values, aliases) must come again with a birth.
            message.rebirth = topic.message_type not in (MessageType.NCMD, MessageType.DCMD, MessageType.NDEATH)
            return None
        handlers: dict[MessageType, Callable[[_Message], MessageKey]] = {
            MessageType.NBIRTH: self._node_birth,
            MessageType.NDEATH: self._node_death,
            MessageType.DBIRTH: self._device_birth,
            MessageType.DDEATH: self._device_death,
            MessageType.NDATA: self._data,
            MessageType.DDATA: self._data,
        }
        handler = handlers.get(topic.message_type)
        if handler is None:
            message.report("SPB-SESSION-002", msg.NOT_EDGE_DATA, {"message_type": str(topic.message_type)},
                           severity=Severity.INFO)
            return None
        return handler(message)

    # --- births and deaths -------------------------------------------------------------------------------------

    def _node_birth(self, message: _Message) -> MessageKey:
        payload = message.payload
        self._online, self._awaiting_rebirth, self._devices = True, False, {}
        self.bd_seq = _bd_seq(message)
        self.birth_timestamp = payload.timestamp
        self._seq, self._last_timestamp = None, payload.timestamp
        if _valid_seq(message):
            self._seq = payload.seq
        self._aliases = _declare(message)
        key = self._key(message)
        self._samples(message, self._aliases, key, birth=True)
        return key

    def _node_death(self, message: _Message) -> MessageKey:
        bd_seq = _bd_seq(message)
        if not self._online:
            message.report("SPB-SESSION-003", msg.DEATH_WITHOUT_BIRTH, {}, severity=Severity.INFO)
        elif bd_seq != self.bd_seq:
            # The will message of an earlier connection, delivered late: the current session stays online.
            message.report("SPB-SESSION-004", msg.STALE_DEATH, {"bd_seq": _text(bd_seq), "birth": _text(self.bd_seq)})
        else:
            self._online = False
            for device in self._devices.values():
                device.online = False
        return MessageKey(self.group_id, self.edge_node_id, None, str(MessageType.NDEATH), bd_seq,
                          self.birth_timestamp, None, message.payload.timestamp)

    def _device_birth(self, message: _Message) -> MessageKey:
        # A DBIRTH out of sequence still declares the device: its aliases and values are the freshest there are.
        self._in_sequence(message)
        key = self._key(message)
        if message.duplicate:
            return key
        assert message.topic.device_id is not None
        device = _Device(_declare(message))
        self._devices[message.topic.device_id] = device
        self._samples(message, device.aliases, key, birth=True)
        return key

    def _device_death(self, message: _Message) -> MessageKey:
        device_id = message.topic.device_id
        assert device_id is not None
        in_sequence = self._in_sequence(message)
        if self._online and device_id not in self._devices:
            message.report("SPB-SESSION-005", msg.UNKNOWN_DEVICE, {"device_id": device_id}, rebirth=True)
        elif in_sequence:
            self._devices[device_id].online = False
        return self._key(message)

    # --- data --------------------------------------------------------------------------------------------------

    def _data(self, message: _Message) -> MessageKey:
        device_id = message.topic.device_id
        self._in_sequence(message)
        aliases = self._aliases
        if device_id is not None:
            device = self._devices.get(device_id)
            if self._online and (device is None or not device.online):
                message.report("SPB-SESSION-005", msg.UNKNOWN_DEVICE, {"device_id": device_id}, rebirth=True)
            aliases = device.aliases if device is not None else _AliasTable()
        key = self._key(message)
        if not message.duplicate:  # out of sequence or before the birth: kept, with the findings that say so
            self._samples(message, aliases, key, birth=False)
        return key

    def _in_sequence(self, message: _Message) -> bool:
        """Check ``seq`` against the message before; a gap (or no birth to count from) asks for a rebirth."""
        payload = message.payload
        if not self._online:
            message.report("SPB-SESSION-006", msg.DATA_BEFORE_BIRTH, {"message_type": str(message.topic.message_type)},
                           severity=Severity.ERROR, rebirth=True)
            return False
        if not _valid_seq(message):
            return False
        assert payload.seq is not None
        if payload.seq == self._seq and payload.timestamp == self._last_timestamp:
            message.duplicate = True
            message.report("SPB-SESSION-007", msg.DUPLICATE_MESSAGE, {"seq": payload.seq}, severity=Severity.INFO)
            return False
        expected = None if self._seq is None else (self._seq + 1) % _SEQ_MODULUS
        self._seq, self._last_timestamp = payload.seq, payload.timestamp
        if payload.seq != expected:
            message.report("SPB-SESSION-008", msg.SEQUENCE_GAP, {"expected": _text(expected), "actual": payload.seq},
                           severity=Severity.ERROR, rebirth=True)
            return False
        return True

    def _samples(self, message: _Message, aliases: _AliasTable, key: MessageKey, *, birth: bool) -> None:
        for index, metric in enumerate(message.payload.metrics):
            path = f"metrics[{index}]"
            name = metric.name if birth else _resolve(message, aliases, metric, path)
            if name is None or (birth and name == BD_SEQ and not message.topic.message_type.of_device):
                continue
            datatype = metric.datatype if metric.datatype is not None else aliases.datatypes.get(name)
            if not birth and self._online and name not in aliases.datatypes:
                message.report("SPB-SESSION-009", msg.METRIC_NOT_IN_BIRTH, {"name": name}, path=path)
            value, problems = typed_value(datatype, metric.value_field, metric.raw, is_null=metric.is_null)
            message.findings.extend(replace(problem, path=message.where(path)) for problem in problems)
            message.samples.append(self._sample(message, metric, name, datatype, value, key))

    def _sample(self, message: _Message, metric: Metric, name: str, datatype: int | None, value: SampleValue,
                key: MessageKey) -> MetricSample:
        moment = metric.timestamp if metric.timestamp is not None else message.payload.timestamp
        type_name = DataType(datatype).name if datatype is not None and datatype in _DATATYPE_VALUES else None
        return MetricSample(self.group_id, self.edge_node_id, message.topic.device_id, name,
                            _milliseconds_to_datetime(moment), value, type_name, metric.is_historical, key.text)


def _text(value: int | None) -> str:
    return "none" if value is None else str(value)


def _valid_seq(message: _Message) -> bool:
    seq = message.payload.seq
    if seq is None or not 0 <= seq < _SEQ_MODULUS:
        message.report("SPB-SESSION-010", msg.BAD_SEQ, {"seq": _text(seq)}, severity=Severity.ERROR, rebirth=True)
        return False
    return True


def _bd_seq(message: _Message) -> int | None:
    """The birth/death sequence number the NBIRTH or NDEATH carries as the metric ``bdSeq``."""
    for metric in message.payload.metrics:
        if metric.name == BD_SEQ and isinstance(metric.raw, int) and not isinstance(metric.raw, bool):
            return metric.raw
    message.report("SPB-SESSION-011", msg.NO_BD_SEQ, {}, severity=Severity.ERROR)
    return None


def _declare(message: _Message) -> _AliasTable:
    """The alias table of a birth: every metric must have a name, and an alias names one metric only."""
    table = _AliasTable()
    for index, metric in enumerate(message.payload.metrics):
        path = f"metrics[{index}]"
        if metric.name is None:
            message.report("SPB-SESSION-012", msg.BIRTH_METRIC_WITHOUT_NAME, {}, path=path, severity=Severity.ERROR)
            continue
        table.datatypes[metric.name] = metric.datatype
        if metric.alias is None:
            continue
        other = table.names.setdefault(metric.alias, metric.name)
        if other != metric.name:
            message.report("SPB-SESSION-013", msg.DUPLICATE_ALIAS, {"alias": metric.alias, "name": metric.name,
                                                                    "other": other}, path=path, severity=Severity.ERROR)
    return table


def _resolve(message: _Message, aliases: _AliasTable, metric: Metric, path: str) -> str | None:
    """The name of a DATA metric: its own, or the one its alias was born with."""
    if metric.alias is None:
        if metric.name is None:
            message.report("SPB-SESSION-014", msg.METRIC_WITHOUT_NAME, {}, path=path, severity=Severity.ERROR)
        return metric.name
    born = aliases.names.get(metric.alias)
    if born is None:
        if metric.name is None:
            message.report("SPB-SESSION-015", msg.UNKNOWN_ALIAS, {"alias": metric.alias}, path=path,
                           severity=Severity.ERROR, rebirth=True)
        return metric.name
    if metric.name is not None and metric.name != born:
        message.report("SPB-SESSION-016", msg.ALIAS_NAME_MISMATCH, {"alias": metric.alias, "name": metric.name,
                                                                    "born": born}, path=path)
    return born


class SparkplugConsumer:
    """Routes raw (topic, bytes) messages to one :class:`EdgeSession` per (group, edge node)."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock
        self._sessions: dict[tuple[str, str], EdgeSession] = {}

    def session(self, group_id: str, edge_node_id: str) -> EdgeSession:
        key = (group_id, edge_node_id)
        if key not in self._sessions:
            self._sessions[key] = EdgeSession(group_id, edge_node_id, clock=self._clock)
        return self._sessions[key]

    def receive(self, topic: str, data: bytes) -> SessionResult:
        parsed = parse_topic(topic)
        if isinstance(parsed, Finding):
            return SessionResult(key=None, findings=(parsed,))
        if parsed.message_type is MessageType.STATE:
            finding = _finding("SPB-SESSION-002", topic, msg.NOT_EDGE_DATA, {"message_type": "STATE"}, Severity.INFO)
            return SessionResult(key=None, findings=(finding,))
        return self.session(parsed.group_id, parsed.edge_node_id).receive(parsed, data)
