"""The MQTT worker (``midas ingest mqtt``): plain JSON topics and Sparkplug B into :func:`accept`, at QoS 1, with
a persistent session, so that nothing is lost and nothing is stored twice.

Topics
------
- Plain JSON: ``midas/v1/{organization BRN}/{factory id}/{template}`` (the prefix ``midas/v1`` can be changed).
  The payload is one K-MDS record, or an item-like object ``{"record": {...}, "message_id": "..."}``. The BRN
  names the organization (looked up through the registry's public API) and the worker acts for it with an actor
  that has ``INGEST_WRITE`` and that ``organization_id``. Who may publish under which BRN is the broker's job:
  its ACLs authenticate each publisher and allow it ``midas/v1/{its BRN}/#`` only. The worker then relies on
  :func:`accept` to refuse a factory that is not the organization's (a dead letter, like any refused item).
  Idempotency key: the payload's ``message_id``, else the content hash that :func:`accept` computes.
- Sparkplug B: ``spBv1.0/{group}/{type}/{edge node}[/{device}]``. The mapping is the simplest honest one and is
  fixed: group id = organization BRN, edge node id = factory id, device id (else edge node id) = the K-MDS
  ``EquipmentId``. Messages go in arrival order through one :class:`SparkplugConsumer` (one ``EdgeSession`` per
  edge node); the metric samples of each message become one K-MDS ``TimeSeries`` record (metric names made into
  idShorts, the originals kept in ``Metadata/Description`` when they differ), stored with the message's
  ``MessageKey`` (edge + bdSeq + birth + seq + timestamp) as idempotency key. A message with an error finding
  (a sequence gap, data before a birth, an unknown alias, a metric with no K-MDS type) is a dead letter with the
  findings; when the session asks for a rebirth, the NCMD ``Node Control/Rebirth`` = true is PUBLISHED to the
  edge node's NCMD topic. The sessions live in memory: after a worker restart DATA messages are dead-lettered
  (data before birth, replayable) until the rebirth the worker requested arrives.
- Anything else (a topic that does not parse, an unknown BRN): there is no organization to give a dead letter
  to, so it is logged with the topic and acknowledged.

Delivery: why nothing is lost and nothing is doubled
----------------------------------------------------
The worker connects with a fixed client id, MQTT 5 ``clean_start=False`` and a session expiry, so the broker keeps
its subscriptions and every unacknowledged or not-yet-sent QoS 1 message while it is away. It subscribes at QoS 1
with MANUAL acknowledgements (paho ``manual_ack=True``). Messages are collected into a batch (up to
``batch_size`` or ``batch_seconds``); the batch goes through :func:`accept` (one call per organization and
source) in ONE database transaction, which is COMMITTED; only then is each message of the batch acknowledged
(``client.ack(mid, qos)``).

- A crash (SIGKILL, power) before the commit: nothing of the batch is stored and nothing was acknowledged, so the
  broker redelivers every message of it to the same session when the worker is back: nothing is lost.
- A crash after the commit and before (all) the acks: the broker redelivers those messages; each has the same
  idempotency key (its message id, its content, its Sparkplug key), so :func:`accept` counts it as a duplicate
  and stores nothing: nothing is doubled. (A message that was dead-lettered can be dead-lettered a second time
  in this window; a dead letter is a report, not production data, and the copy can be discarded.)
- A broker restart or a dropped connection: a broker with persistence keeps the session and its queued messages;
  paho reconnects with the same session, and the broker resends the unacknowledged messages. Messages of a batch
  that arrived on the earlier connection are not acknowledged on the new one (a packet id may have been reused
  meanwhile); their resent copies are counted as duplicates and acknowledged.

What the broker must be configured for: ``persistence true``, and ``max_queued_messages`` (default 1000 per
client) large enough for the longest outage of the worker, or 0. Beyond it Mosquitto DROPS QoS 1 messages for
an offline (or slow) client; no client can get them back.

Several workers
---------------
``midas ingest mqtt --workers N`` runs N processes. They share the plain JSON topics through an MQTT 5 shared
subscription (``$share/midas-ingest/{prefix}/+/+/+``: the broker hands each message to one of them), each with
its own client id (``{client id}``, ``{client id}-2``, ...) and persistent session, so every guarantee above holds
per worker. Plain JSON records are independent of each other, and the idempotency key makes a message that
reaches two workers (a redelivery after a crash) count once. Sparkplug B is NOT shared: sequence numbers and
aliases only make sense in arrival order, so the first worker alone subscribes to it.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import logging
import math
import queue
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.matcher import MQTTMatcher
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from sqlalchemy.orm import Session, sessionmaker

from midas.audit import record
from midas.auth import Actor, Role
from midas.errors import Problem
from midas.ingest.enums import IngestSource
from midas.ingest.models import DeadLetter, IngestBatch
from midas.ingest.service import MAX_MESSAGE_ID, accept
from midas.registry import normalize_brn, organization_ids_by_brn
from midas.standard.convert import SparkplugConsumer, parse_topic
from midas.standard.convert.sparkplug import MetricSample, SessionResult
from midas.standard.convert.sparkplug_topic import NAMESPACE
from midas.standard.report import Finding, Severity

log = logging.getLogger(__name__)


_PAHO_MESSAGE_INFO: Final = mqtt.MQTTMessageInfo


class TablesBuiltOnce(Properties):
    """paho's MQTT 5 properties with their constant tables (names, types, which packet allows which property)
    shared, where paho builds them again for every packet it decodes: on a worker receiving thousands of
    messages a second that was over a third of its CPU (measured with py-spy; paho-mqtt 2.2). Behaviour is
    unchanged: the tables are only ever read, and the property values stay on each instance."""

    _tables: ClassVar[Properties | None] = None

    def __init__(self, packetType: int) -> None:  # noqa: N803 - paho's name
        tables = TablesBuiltOnce._tables
        if tables is None:
            tables = TablesBuiltOnce._tables = Properties(packetType)  # type: ignore[no-untyped-call]
        object.__setattr__(self, "packetType", packetType)
        object.__setattr__(self, "types", tables.types)
        object.__setattr__(self, "names", tables.names)
        object.__setattr__(self, "properties", tables.properties)


class ConditionOnDemand(mqtt.MQTTMessageInfo):
    """paho's message info with its ``threading.Condition`` made when first used. paho gives every message it
    RECEIVES an info and a Condition that nothing ever waits on (only publishes are waited for); making them was a
    tenth of the worker's CPU. The first use makes it under a lock, so a publisher waiting and the network thread
    notifying always share one Condition."""

    __slots__ = ("_made",)
    _making: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, mid: int) -> None:  # what paho's __init__ sets, but the Condition
        self.mid = mid
        self._published = False
        self._made: threading.Condition | None = None
        self.rc = MQTTErrorCode.MQTT_ERR_SUCCESS
        self._iterpos = 0

    @property
    def _condition(self) -> threading.Condition:
        made = self._made
        if made is None:
            with ConditionOnDemand._making:
                if self._made is None:
                    self._made = threading.Condition()
                made = self._made
        return made

    @_condition.setter
    def _condition(self, condition: threading.Condition) -> None:
        self._made = condition


class MatcherSkippedWhenEmpty(MQTTMatcher):
    """paho's matcher of the callbacks added per topic filter, answering at once while there are none. paho walks
    the (empty) filter tree for every message it receives, splitting its topic first: 7-9 % of a worker's CPU
    (py-spy, paho-mqtt 2.2). The worker adds no such callbacks; if one is added, matching is paho's own again."""

    def iter_match(self, topic: str) -> Iterator[Any]:
        if not self._root._children:
            return iter(())
        return super().iter_match(topic)  # type: ignore[no-untyped-call,no-any-return]


def _match_without_filters(client: mqtt.Client) -> None:
    """Give ``client`` a :class:`MatcherSkippedWhenEmpty` if its matcher is the paho class this was measured on."""
    matcher = getattr(client, "_on_message_filtered", None)
    if type(matcher) is MQTTMatcher and not matcher._root._children:
        client._on_message_filtered = MatcherSkippedWhenEmpty()  # type: ignore[no-untyped-call]


def _decode_without_per_packet_waste() -> None:
    """Make paho's packet decoder (a private module) and client build :class:`TablesBuiltOnce` properties and
    :class:`ConditionOnDemand` infos, if they are the paho classes this was measured on; otherwise leave paho as
    it is. With the KPI statements built once, the shared tables took one worker from 3,174 to 5,344
    messages/s (``benchmarks/ingest_mqtt.py``); the Condition made on demand, a SimpleQueue and batches of 1,000
    took it to 7,929."""
    decoder = importlib.import_module("paho.mqtt._packet")
    if getattr(decoder, "Properties", None) is Properties:
        decoder.Properties = TablesBuiltOnce  # type: ignore[attr-defined]
    if getattr(mqtt, "MQTTMessageInfo", None) is _PAHO_MESSAGE_INFO:
        mqtt.MQTTMessageInfo = ConditionOnDemand  # type: ignore[misc]


_decode_without_per_packet_waste()

DEFAULT_TOPIC_PREFIX: Final = "midas/v1"
SESSION_EXPIRY_SECONDS: Final = 7 * 24 * 3600  # how long the broker keeps the worker's session while it is away
TIME_SERIES: Final = "TimeSeries"
_ID_SHORT: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_XS_TYPES: Final[dict[str, str]] = {
    "INT8": "xs:byte", "INT16": "xs:short", "INT32": "xs:int", "INT64": "xs:long",
    "UINT8": "xs:unsignedByte", "UINT16": "xs:unsignedShort", "UINT32": "xs:unsignedInt",
    "UINT64": "xs:unsignedLong", "FLOAT": "xs:float", "DOUBLE": "xs:double", "BOOLEAN": "xs:boolean",
    "STRING": "xs:string", "TEXT": "xs:string", "UUID": "xs:string", "DATETIME": "xs:dateTime",
    "BYTES": "xs:base64Binary",
}


@dataclass(frozen=True, slots=True)
class Message:
    """One MQTT message as received: ``mid`` and ``qos`` are what its acknowledgement needs."""

    topic: str
    payload: bytes
    mid: int = 0
    qos: int = 1


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one batch came to; ``unroutable`` messages had no organization to give a dead letter to."""

    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    unroutable: int = 0
    rebirths: tuple[tuple[str, bytes], ...] = ()


@dataclass(slots=True)
class _Delivery:
    """The items and the refusals of one organization and source within a batch."""

    items: list[object] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    refusals: list[tuple[str, str, tuple[Problem, ...]]] = field(default_factory=list)  # position, raw, problems


class MessageRouter:
    """Turns a batch of messages into items for :func:`accept` and dead letters; keeps the Sparkplug sessions."""

    def __init__(self, *, topic_prefix: str = DEFAULT_TOPIC_PREFIX, label: str = "mqtt",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.topic_prefix = topic_prefix.strip("/")
        self.label = label
        self.sparkplug = SparkplugConsumer(clock=clock)

    def handle_batch(self, session: Session, messages: Sequence[Message]) -> BatchOutcome:
        """Store the batch's records and dead letters in ``session`` (not committed: the caller commits, then
        acknowledges). The rebirth commands to publish are in the outcome."""
        organizations = organization_ids_by_brn(session, sorted({b for b in map(self._brn, messages) if b}))
        deliveries: dict[tuple[int, IngestSource], _Delivery] = defaultdict(_Delivery)
        rebirths: list[tuple[str, bytes]] = []
        unroutable = 0
        for message in messages:
            brn = self._brn(message)
            organization_id = organizations.get(brn) if brn else None
            if organization_id is None:
                unroutable += 1
                log.warning("refused %s: %s", message.topic,
                            "no organization has this BRN" if brn else "not a MIDAS or Sparkplug B topic")
                continue
            if message.topic.startswith(NAMESPACE + "/"):
                self._sparkplug(message, deliveries[(organization_id, IngestSource.SPARKPLUG)], rebirths)
            else:
                self._plain(message, deliveries[(organization_id, IngestSource.MQTT)])
        accepted = duplicates = rejected = 0
        for (organization_id, source), delivery in deliveries.items():
            actor = Actor(user_id=None, label=f"mqtt:{self.label}"[:200], role=Role.COMPANY_MEMBER,
                          organization_id=organization_id)
            if delivery.items:
                receipt = accept(session, actor=actor, items=delivery.items, source=source, label=self.label,
                                 positions=delivery.positions)
                accepted, duplicates = accepted + receipt.accepted, duplicates + receipt.duplicates
                rejected += receipt.rejected
            if delivery.refusals:
                rejected += _dead_letters(session, actor, source, self.label, delivery.refusals)
        return BatchOutcome(len(messages), accepted, duplicates, rejected, unroutable, tuple(rebirths))

    # --- routing ----------------------------------------------------------------------------------------------

    def _brn(self, message: Message) -> str | None:
        parts = message.topic.split("/")
        if message.topic.startswith(NAMESPACE + "/") and len(parts) >= 4:
            return normalize_brn(parts[1])
        prefix = self.topic_prefix + "/"
        if message.topic.startswith(prefix):
            rest = message.topic[len(prefix):].split("/")
            if len(rest) == 3 and all(rest):
                return normalize_brn(rest[0])
        return None

    def _plain(self, message: Message, delivery: _Delivery) -> None:
        _brn, factory, template = message.topic[len(self.topic_prefix) + 1:].split("/")
        factory_id: object = int(factory) if factory.isdigit() else factory
        position = f"topic {message.topic}"
        try:
            payload = json.loads(message.payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problem = _json_problem(position, error)
            delivery.refusals.append((position, _raw(message.payload), (problem,)))
            return
        item: dict[str, object]
        if isinstance(payload, dict) and "record" in payload:
            conflicts = [Problem(f"{position}.{key}", "The payload's {key} differs from the topic's", {"key": key})
                         for key, value in (("factory_id", factory_id), ("template", template))
                         if key in payload and payload[key] != value]
            if conflicts:
                delivery.refusals.append((position, _raw(message.payload), tuple(conflicts)))
                return
            item = {**payload, "factory_id": factory_id, "template": template}
        else:
            item = {"factory_id": factory_id, "template": template, "record": payload}
        message_id = item.get("message_id")
        if isinstance(message_id, str):
            position = f"topic {message.topic}, message {message_id}"
        delivery.items.append(item)
        delivery.positions.append(position[:200])

    def _sparkplug(self, message: Message, delivery: _Delivery, rebirths: list[tuple[str, bytes]]) -> None:
        result = self.sparkplug.receive(message.topic, message.payload)
        if result.rebirth is not None:
            rebirths.append((result.rebirth.topic, result.rebirth.payload))
        position = message.topic[:200]
        errors = [f for f in result.findings if f.severity is Severity.ERROR]
        if errors:
            delivery.refusals.append((position, _raw(message.payload), tuple(map(_finding_problem, errors))))
            return
        if result.duplicate or not result.samples or result.key is None:
            return  # a death, a command, or the same message twice in a row: nothing to store
        topic = parse_topic(message.topic)
        assert not isinstance(topic, Finding)  # the session read it
        if not topic.edge_node_id.isdigit():
            delivery.refusals.append((position, _raw(message.payload), (Problem(
                position, "The edge node id {edge_node_id} is not a factory id: name each edge node after the "
                "factory id it reports for", {"edge_node_id": topic.edge_node_id[:64]}),)))
            return
        series = time_series_record(topic.device_id or topic.edge_node_id, message.topic, result)
        if isinstance(series, tuple):
            delivery.refusals.append((position, _raw(message.payload), series))
            return
        key = result.key.text
        if len(key) > MAX_MESSAGE_ID:
            key = "spb-sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
        delivery.items.append({"factory_id": int(topic.edge_node_id), "template": TIME_SERIES, "record": series,
                               "message_id": key})
        delivery.positions.append(position)


def time_series_record(equipment_id: str, topic: str, result: SessionResult) -> dict[str, Any] | tuple[Problem, ...]:
    """The K-MDS TimeSeries record of one Sparkplug message's samples: one row per time stamp, one column per
    metric; or the problems that prevent it (a metric with no K-MDS type or no time, two names that collide)."""
    columns: dict[str, str] = {}
    originals: dict[str, str] = {}
    rows: dict[datetime, dict[str, object]] = {}
    problems: list[Problem] = []
    for sample in result.samples:
        column = _column(sample.name)
        xs_type = _XS_TYPES.get(sample.datatype or "")
        if xs_type is None:
            problems.append(Problem(f"{topic}#{sample.name}", "Metric {name} of Sparkplug type {datatype} has no "
                                    "K-MDS TimeSeries type", {"name": sample.name[:100],
                                                              "datatype": sample.datatype or "unknown"}))
            continue
        if sample.timestamp is None:
            problems.append(Problem(f"{topic}#{sample.name}", "Metric {name} has no time stamp",
                                    {"name": sample.name[:100]}))
            continue
        if originals.setdefault(column, sample.name) != sample.name:
            problems.append(Problem(f"{topic}#{sample.name}", "Metrics {name} and {other} have the same column "
                                    "name {column}", {"name": sample.name[:100], "other": originals[column][:100],
                                                      "column": column}))
            continue
        columns[column] = xs_type
        if sample.value is not None:
            value = _json_value(sample)
            if value is None:
                problems.append(Problem(f"{topic}#{sample.name}", "Metric {name} has a value JSON cannot carry",
                                        {"name": sample.name[:100]}))
                continue
            rows.setdefault(sample.timestamp, {})[column] = value
    if problems:
        return tuple(problems)
    times = sorted(rows)
    renamed = [f"{column} = {name}" for column, name in originals.items() if column != name]
    metadata: dict[str, Any] = {"Name": {"en": f"Sparkplug B {topic}"[:250]}, "Record": {"Time": "xs:dateTime",
                                                                                         **columns}}
    if renamed:
        metadata["Description"] = {"en": ("Sparkplug metric names: " + "; ".join(renamed))[:1000]}
    record_data: dict[str, Any] = {"EquipmentId": equipment_id, "Metadata": metadata}
    if times:
        record_data["Segments"] = {"InternalSegment": [{
            "RecordCount": len(times), "StartTime": _iso(times[0]), "EndTime": _iso(times[-1]), "State": "Completed",
            "Records": {"Record": [{"Time": _iso(moment), **rows[moment]} for moment in times]}}]}
    return record_data


def _column(name: str) -> str:
    column = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return column if _ID_SHORT.match(column) else f"M_{column}"


def _json_value(sample: MetricSample) -> object:
    value = sample.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return None
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json_problem(position: str, error: UnicodeDecodeError | json.JSONDecodeError) -> Problem:
    if isinstance(error, UnicodeDecodeError):
        return Problem(position, "The payload is not UTF-8 text: byte {offset} cannot be read",
                       {"offset": error.start})
    return Problem(position, "The payload is not JSON: {reason} at line {line}, column {column}",
                   {"reason": error.msg, "line": error.lineno, "column": error.colno})


def _finding_problem(finding: Finding) -> Problem:
    return Problem(finding.path[:200], finding.message, dict(finding.params))


def _raw(payload: bytes) -> str:
    try:
        return payload[:1_000_000].decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(payload[:700_000]).decode("ascii")


def _dead_letters(session: Session, actor: Actor, source: IngestSource, label: str,
                  refusals: Iterable[tuple[str, str, tuple[Problem, ...]]]) -> int:
    """Dead letters for messages that never became an item (not JSON, a Sparkplug finding), in a batch of their
    own so that the receipt of every batch still adds up."""
    assert actor.organization_id is not None
    refused = list(refusals)
    batch = IngestBatch(organization_id=actor.organization_id, source=source, label=label[:255],
                        created_by_label=actor.label, rejected=len(refused))
    session.add(batch)
    session.flush()
    for position, raw, problems in refused:
        session.add(DeadLetter(organization_id=actor.organization_id, batch_id=batch.id, source=source,
                               position=position[:200], idempotency_key=None, raw=raw,
                               problems=[{"field": p.field, "message": p.message, "params": dict(p.params)}
                                         for p in problems]))
    session.flush()
    record(session, actor=actor, action="ingest.batch", object_type="ingest_batch", object_id=batch.id,
           details={"source": source.value, "label": batch.label, "accepted": 0, "duplicates": 0,
                    "rejected": len(refused)})
    return len(refused)


# --- the worker ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How the worker connects and when it stops (``max_messages`` and ``stop_after`` are for tests and runs)."""

    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = "midas-ingest"
    topic_prefix: str = DEFAULT_TOPIC_PREFIX
    sparkplug_group: str = "+"  # "" subscribes to no Sparkplug topics
    share_group: str = ""  # subscribe to the plain topics through $share/{share_group}/... ("" alone)
    batch_size: int = 1000  # 500 took 20 % longer per message (benchmarks/ingest_mqtt.py)
    batch_seconds: float = 0.2
    max_messages: int | None = None  # stop after handling this many messages
    stop_after: float | None = None  # stop after this many seconds without a message


@dataclass(slots=True)
class WorkerTotals:
    messages: int = 0
    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    unroutable: int = 0

    def add(self, outcome: BatchOutcome) -> None:
        self.messages += outcome.messages
        self.batches += 1
        self.accepted += outcome.accepted
        self.duplicates += outcome.duplicates
        self.rejected += outcome.rejected
        self.unroutable += outcome.unroutable


SHARE_GROUP: Final = "midas-ingest"


def plain_filters(topic_prefix: str, share_group: str = SHARE_GROUP) -> tuple[str, str]:
    """The plain JSON topic filter, alone and as a shared subscription of ``share_group``."""
    plain = f"{topic_prefix.strip('/')}/+/+/+"
    return plain, f"$share/{share_group}/{plain}"


def worker_options(options: WorkerOptions, workers: int) -> list[WorkerOptions]:
    """The options of each of ``workers`` workers sharing the plain topics (one worker: ``options`` unchanged).

    Each has its own client id (its own persistent session); only the first subscribes to Sparkplug B."""
    if workers <= 1:
        return [options]
    group = options.share_group or SHARE_GROUP
    return [replace(options, share_group=group, client_id=options.client_id if n == 1 else f"{options.client_id}-{n}",
                    sparkplug_group=options.sparkplug_group if n == 1 else "")
            for n in range(1, workers + 1)]


class ConnectionRefused(RuntimeError):
    """The broker refused the connection or the subscription."""


def run_worker(session_factory: sessionmaker[Session], options: WorkerOptions,
               on_batch: Callable[[BatchOutcome], None] | None = None) -> WorkerTotals:
    """Consume until stopped (``max_messages``, ``stop_after``, or KeyboardInterrupt): batch, accept, commit, ack.

    A database error propagates: the batch is rolled back and not acknowledged, so the broker redelivers it to
    the next run.
    """
    if options.batch_size < 1 or options.batch_seconds <= 0:
        raise ValueError("batch size and batch seconds must be positive")
    # SimpleQueue (C) rather than Queue (Python, a Condition per call): put and get were 5 % of the worker.
    inbox: queue.SimpleQueue[tuple[int, mqtt.MQTTMessage]] = queue.SimpleQueue()
    ready: queue.Queue[str | None] = queue.Queue()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=options.client_id, protocol=mqtt.MQTTv5,
                         manual_ack=True)
    _match_without_filters(client)
    link = _Link(client)
    plain, shared = plain_filters(options.topic_prefix, options.share_group or SHARE_GROUP)
    subscriptions = [(shared if options.share_group else plain, 1)]
    if options.sparkplug_group:
        subscriptions.append((f"{NAMESPACE}/{options.sparkplug_group}/#", 1))
    # A persistent session keeps the filter of an earlier run with or without --workers: drop the other one, or
    # this worker would receive each plain message twice (once for each filter).
    stale = plain if options.share_group else shared

    def on_connect(client: mqtt.Client, _userdata: object, _flags: object, reason: Any, _props: object) -> None:
        if reason.is_failure:
            ready.put(f"connection refused: {reason}")
            return
        link.connected()
        client.unsubscribe(stale)
        client.subscribe([(topic, SubscribeOptions(qos=qos)) for topic, qos in subscriptions])

    def on_subscribe(_client: mqtt.Client, _userdata: object, _mid: int, reasons: list[Any], _props: object) -> None:
        failed = [str(r) for r in reasons if r.is_failure]
        ready.put(f"subscription refused: {', '.join(failed)}" if failed else None)

    def on_message(_client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        inbox.put((link.generation, message))

    client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
    # Two batches in flight, the rest waits at the broker: the worker's memory stays bounded, and a flood is not
    # read off the socket while validation needs the interpreter.
    properties.ReceiveMaximum = min(65_535, 2 * options.batch_size)
    try:
        client.connect(options.host, options.port, keepalive=30, clean_start=False, properties=properties)
    except OSError as error:  # nothing listens there, the name does not resolve, the network is down
        raise ConnectionRefused(f"cannot connect: {error.strerror or error}") from None
    client.loop_start()
    try:
        try:
            problem = ready.get(timeout=30)
        except queue.Empty:
            raise ConnectionRefused(f"no answer from {options.host}:{options.port} in 30 s") from None
        if problem is not None:
            raise ConnectionRefused(problem)
        return _consume(link, inbox, session_factory, options, on_batch)
    finally:
        client.disconnect()  # MQTT 5: the session outlives the connection for SESSION_EXPIRY_SECONDS
        client.loop_stop()


class _Link:
    """The connection's generation, so that a message is acknowledged only on the connection it came on.

    After a reconnection the broker resends every unacknowledged message with its packet id, and may give a packet
    id that was acknowledged meanwhile to a new message: a late ack of an old id could then acknowledge a message
    that is not stored. So a batch's messages from an earlier connection are not acknowledged; their resent
    copies are stored as duplicates and acknowledged on the connection they came on.
    """

    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self.generation = 0
        self._lock = threading.Lock()

    def connected(self) -> None:
        with self._lock:
            self.generation += 1

    def ack(self, messages: Iterable[tuple[int, mqtt.MQTTMessage]]) -> None:
        with self._lock:
            for generation, message in messages:
                if generation == self.generation:
                    self.client.ack(message.mid, message.qos)


def _consume(link: _Link, inbox: queue.SimpleQueue[tuple[int, mqtt.MQTTMessage]],
             session_factory: sessionmaker[Session], options: WorkerOptions,
             on_batch: Callable[[BatchOutcome], None] | None) -> WorkerTotals:
    router = MessageRouter(topic_prefix=options.topic_prefix, label=options.client_id)
    totals = WorkerTotals()
    last_message = time.monotonic()
    while options.max_messages is None or totals.messages < options.max_messages:
        room = options.batch_size
        if options.max_messages is not None:
            room = min(room, options.max_messages - totals.messages)
        batch = _collect(inbox, room, options.batch_seconds)
        if not batch:
            if options.stop_after is not None and time.monotonic() - last_message >= options.stop_after:
                break
            continue
        last_message = time.monotonic()
        received = [Message(m.topic, bytes(m.payload), m.mid, m.qos) for _generation, m in batch]
        with session_factory() as session:
            outcome = router.handle_batch(session, received)
            session.commit()
        # Committed: only now may the broker forget these messages.
        link.ack(batch)
        sent = [link.client.publish(topic, payload, qos=1) for topic, payload in outcome.rebirths]
        for info in sent:
            info.wait_for_publish(timeout=10)
        totals.add(outcome)
        if on_batch is not None:
            on_batch(outcome)
    return totals


def _collect(inbox: queue.SimpleQueue[tuple[int, mqtt.MQTTMessage]], room: int,
             seconds: float) -> list[tuple[int, mqtt.MQTTMessage]]:
    """Up to ``room`` messages: wait for the first up to ``seconds``, then take more for up to ``seconds``."""
    try:
        batch = [inbox.get(timeout=seconds)]
    except queue.Empty:
        return []
    deadline = time.monotonic() + seconds
    while len(batch) < room:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            batch.append(inbox.get(timeout=remaining))
        except queue.Empty:
            break
    return batch


def payload_of(record_data: Mapping[str, Any], message_id: str | None = None) -> bytes:
    """The payload a publisher sends on the plain JSON scheme: the record, or the record with its message id."""
    body: object = dict(record_data) if message_id is None else {"record": dict(record_data),
                                                                 "message_id": message_id}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
