"""The MQTT worker against the real Mosquitto broker and both databases, run as a separate process (as in
production): a stream survives a SIGKILL of the worker with every message stored exactly once; malformed
payloads, other organizations' factories and Sparkplug sequence gaps become dead letters; a gap makes the
worker publish a rebirth command."""

from __future__ import annotations

import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from midas.ingest import DeadLetter, IngestSource, ProductionRecord
from midas.ingest.mqtt import SESSION_EXPIRY_SECONDS, WorkerOptions, payload_of, plain_filters, worker_options
from midas.registry import complete_brn
from midas.standard import example_record
from midas.standard.convert import decode_payload, encode_payload
from midas.standard.convert.sparkplug_payload import DataType, Payload, make_metric
from tests.factories import make_factory, make_organization
from tests.services import missing

PROJECT = Path(__file__).resolve().parents[2]
BROKER_HOST = os.environ.get("MIDAS_TEST_MQTT_HOST", "127.0.0.1")
BROKER_PORT = int(os.environ.get("MIDAS_TEST_MQTT_PORT", "1883"))
TEMPLATE = "ProductionPerformance"
STREAM = 2_000
BACKLOG = 700  # below Mosquitto's default max_queued_messages (1000), beyond which the BROKER drops messages


@pytest.fixture(scope="module")
def broker() -> tuple[str, int]:
    try:
        with socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=3):
            pass
    except OSError as error:
        missing("Mosquitto", f"{BROKER_HOST}:{BROKER_PORT} refused: {error}")
    return BROKER_HOST, BROKER_PORT


@dataclass(frozen=True, slots=True)
class Company:
    organization_id: int
    brn: str
    factory_id: int
    other_factory_id: int  # a factory of another organization


def make_company(db: sessionmaker[Session]) -> Company:
    # A random BRN: the broker is shared by every test run, and a Sparkplug group id is a BRN.
    brn = complete_brn(f"{secrets.randbelow(900_000_000) + 100_000_000:09d}")
    with db() as session:
        company, other = make_organization(session, brn=brn), make_organization(session)
        own, foreign = make_factory(session, company), make_factory(session, other)
        session.commit()
        return Company(company.id, company.brn, own.id, foreign.id)


def mqtt_client(client_id: str = "") -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


def connect(client: mqtt.Client, *, clean_start: bool, expiry: int) -> None:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = expiry
    connected: queue.Queue[object] = queue.Queue()
    client.on_connect = lambda c, u, f, reason, p: connected.put(reason)
    client.connect(BROKER_HOST, BROKER_PORT, keepalive=30, clean_start=clean_start, properties=properties)
    client.loop_start()
    reason: Any = connected.get(timeout=10)
    assert not reason.is_failure, reason


def subscribe(client: mqtt.Client, topics: list[str]) -> None:
    done: queue.Queue[list[Any]] = queue.Queue()
    client.on_subscribe = lambda c, u, mid, reasons, p: done.put(reasons)
    client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in topics])
    reasons = done.get(timeout=10)
    assert not any(r.is_failure for r in reasons), reasons


@pytest.fixture
def worker_session(broker: tuple[str, int]) -> Iterator[Callable[[list[str]], str]]:
    """Provision a persistent session for a worker (as an operator would before the first start, so that nothing
    published before the worker's first connection is lost); remove it from the broker after the test."""
    client_ids: list[str] = []

    def provision(topics: list[str]) -> str:
        client_id = f"midas-test-{uuid.uuid4().hex[:12]}"
        client = mqtt_client(client_id)
        connect(client, clean_start=False, expiry=SESSION_EXPIRY_SECONDS)
        subscribe(client, topics)
        client.disconnect()
        client.loop_stop()
        client_ids.append(client_id)
        return client_id

    yield provision
    for client_id in client_ids:  # a clean start with no expiry ends the session and its queue on the broker
        client = mqtt_client(client_id)
        connect(client, clean_start=True, expiry=0)
        client.disconnect()
        client.loop_stop()


def start_worker(database_url: str, client_id: str, *extra: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "MIDAS_DATABASE_URL": database_url, "MIDAS_MQTT_HOST": BROKER_HOST,
                   "MIDAS_MQTT_PORT": str(BROKER_PORT)}
    return subprocess.Popen([sys.executable, "-m", "midas", "ingest", "mqtt", "--client-id", client_id, "--quiet",
                             *extra], cwd=PROJECT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(worker: subprocess.Popen[bytes], timeout: float = 30) -> str:
    try:
        out, err = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        out, err = worker.communicate()
        pytest.fail(f"the worker did not stop: {out.decode()} {err.decode()}")
    assert worker.returncode == 0, err.decode()
    return out.decode()


def stored(db: sessionmaker[Session], organization_id: int) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(ProductionRecord)
                                  .where(ProductionRecord.organization_id == organization_id)) or 0)


def dead_letters(db: sessionmaker[Session], organization_id: int) -> list[DeadLetter]:
    with db() as session:
        return list(session.scalars(select(DeadLetter).where(DeadLetter.organization_id == organization_id)
                                    .order_by(DeadLetter.id)))


def shift(n: int) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record["OrderId"] = f"PO-{n}"
    return record


def test_a_stream_survives_a_sigkill_of_the_worker_with_every_message_stored_exactly_once(
        worker_database: str, db: sessionmaker[Session], worker_session: Callable[[list[str]], str]) -> None:
    company = make_company(db)
    prefix = f"midas-test/{uuid.uuid4().hex[:12]}"
    topic = f"{prefix}/{company.brn}/{company.factory_id}/{TEMPLATE}"
    client_id = worker_session([f"{prefix}/+/+/+"])
    options = ("--topic-prefix", prefix, "--sparkplug-group", "", "--batch-size", "100", "--batch-seconds", "0.05")
    worker = start_worker(worker_database, client_id, *options)
    publisher = mqtt_client()
    connect(publisher, clean_start=True, expiry=0)
    stored_at_kill: int | None = None
    published_while_dead = 0
    try:
        for start in range(0, STREAM, 100):
            while worker.poll() is None and start - stored(db, company.organization_id) > BACKLOG:
                time.sleep(0.05)
            sent = [publisher.publish(topic, payload_of(shift(n), f"m-{n}"), qos=1) for n in range(start, start + 100)]
            for info in sent:
                info.wait_for_publish(timeout=10)
            if stored_at_kill is None and stored(db, company.organization_id) >= 400:
                worker.send_signal(signal.SIGKILL)  # in the middle of the stream, between any two instructions
                worker.communicate()
                stored_at_kill = stored(db, company.organization_id)
            elif stored_at_kill is not None and worker.returncode is not None:
                published_while_dead += 100
                if published_while_dead >= 200:
                    worker = start_worker(worker_database, client_id, *options, "--stop-after", "3")
    finally:
        publisher.disconnect()
        publisher.loop_stop()
    if worker.returncode is not None:  # the stream ended before the restart
        worker = start_worker(worker_database, client_id, *options, "--stop-after", "3")
    finish(worker)

    assert stored_at_kill is not None
    assert 0 < stored_at_kill < STREAM
    assert published_while_dead >= 200
    with db() as session:
        counts = dict(session.execute(
            select(ProductionRecord.idempotency_key, func.count()).where(
                ProductionRecord.organization_id == company.organization_id).group_by(ProductionRecord.idempotency_key)
        ).all())
    missing_ids = {f"m-{n}" for n in range(STREAM)} - set(counts)
    assert not missing_ids, f"{len(missing_ids)} messages lost"
    assert set(counts) == {f"m-{n}" for n in range(STREAM)}  # none missing, none foreign
    assert set(counts.values()) == {1}  # none twice
    assert dead_letters(db, company.organization_id) == []


def test_a_malformed_payload_and_another_organizations_factory_are_dead_lettered(
        worker_database: str, db: sessionmaker[Session], worker_session: Callable[[list[str]], str]) -> None:
    company = make_company(db)
    prefix = f"midas-test/{uuid.uuid4().hex[:12]}"
    client_id = worker_session([f"{prefix}/+/+/+"])
    own = f"{prefix}/{company.brn}/{company.factory_id}/{TEMPLATE}"
    foreign = f"{prefix}/{company.brn}/{company.other_factory_id}/{TEMPLATE}"
    publisher = mqtt_client()
    connect(publisher, clean_start=True, expiry=0)
    unknown_brn = f"{prefix}/0000000000/{company.factory_id}/{TEMPLATE}"  # logged, acknowledged, nowhere stored
    for topic, payload in ((own, b'{"WorkUnitId": "L1", "PeriodKind": '), (foreign, payload_of(shift(1), "x-1")),
                           (own, payload_of(shift(2))), (unknown_brn, b"{}")):
        publisher.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    publisher.disconnect()
    publisher.loop_stop()

    finish(start_worker(worker_database, client_id, "--topic-prefix", prefix, "--sparkplug-group", "",
                        "--max-messages", "4", "--stop-after", "3"))

    assert stored(db, company.organization_id) == 1  # the good record; the rest of the batch was not held back
    letters = {letter.position: letter for letter in dead_letters(db, company.organization_id)}
    assert set(letters) == {f"topic {own}", f"topic {foreign}, message x-1"}
    malformed = letters[f"topic {own}"]
    assert malformed.source is IngestSource.MQTT
    assert malformed.raw == '{"WorkUnitId": "L1", "PeriodKind": '
    assert [(p["message"], p["params"]["line"], p["params"]["column"]) for p in malformed.problems] == [
        ("The payload is not JSON: {reason} at line {line}, column {column}", 1, 36)]
    assert [p["message"] for p in letters[f"topic {foreign}, message x-1"].problems] == [
        "Factory {id} is not a factory of your organization"]


def sparkplug(seq: int, timestamp: int, *metrics: Any) -> bytes:
    return encode_payload(Payload(timestamp=timestamp, seq=seq, metrics=tuple(metrics)))


def test_sparkplug_data_is_stored_as_time_series_and_a_sequence_gap_asks_for_a_rebirth(
        worker_database: str, db: sessionmaker[Session], worker_session: Callable[[list[str]], str]) -> None:
    company = make_company(db)
    group, edge = company.brn, str(company.factory_id)
    base = f"spBv1.0/{group}"
    client_id = worker_session([f"{base}/#"])
    commands: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    listener = mqtt_client()
    listener.on_message = lambda c, u, message: commands.put(message)
    connect(listener, clean_start=True, expiry=0)
    subscribe(listener, [f"{base}/NCMD/{edge}"])
    publisher = mqtt_client()
    connect(publisher, clean_start=True, expiry=0)
    t0 = 1_764_115_200_000
    messages = [
        (f"{base}/NBIRTH/{edge}", sparkplug(0, t0, make_metric("bdSeq", DataType.INT64, 3),
                                           make_metric("Press/Force", DataType.DOUBLE, 182.5, alias=1),
                                           make_metric("Running", DataType.BOOLEAN, True, alias=2))),
        (f"{base}/NDATA/{edge}", sparkplug(1, t0 + 1000, make_metric(None, DataType.DOUBLE, 185.0, alias=1))),
        (f"{base}/NDATA/{edge}", sparkplug(5, t0 + 2000, make_metric(None, DataType.DOUBLE, 190.0, alias=1))),
    ]
    for topic, payload in messages:
        publisher.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    publisher.disconnect()
    publisher.loop_stop()

    try:
        finish(start_worker(worker_database, client_id, "--topic-prefix", f"midas-test/{uuid.uuid4().hex[:12]}",
                            "--sparkplug-group", group, "--stop-after", "2"))
        command = commands.get(timeout=10)
    finally:
        listener.disconnect()
        listener.loop_stop()

    decoded = decode_payload(bytes(command.payload))
    assert command.topic == f"{base}/NCMD/{edge}"
    assert [(m.name, m.raw) for m in decoded.metrics] == [("Node Control/Rebirth", True)]
    with db() as session:
        records = list(session.scalars(select(ProductionRecord).where(
            ProductionRecord.organization_id == company.organization_id).order_by(ProductionRecord.id)))
    assert [r.template for r in records] == ["TimeSeries", "TimeSeries"]
    birth, data = (r.record for r in records)
    assert birth["Metadata"]["Record"] == {"Time": "xs:dateTime", "Press_Force": "xs:double",
                                           "Running": "xs:boolean"}
    assert birth["Metadata"]["Description"]["en"] == "Sparkplug metric names: Press_Force = Press/Force"
    assert data["Segments"]["InternalSegment"][0]["Records"]["Record"] == [
        {"Time": "2025-11-26T00:00:01.000Z", "Press_Force": 185.0}]
    assert all(r.idempotency_key.startswith(f"spBv1.0|{group}|{edge}|") for r in records)
    [gap] = dead_letters(db, company.organization_id)
    assert gap.source is IngestSource.SPARKPLUG
    assert gap.position == f"{base}/NDATA/{edge}"
    assert [(p["params"]["expected"], p["params"]["actual"]) for p in gap.problems] == [("2", 5)]


def test_two_workers_share_the_plain_topics_and_store_every_message_once(
        worker_database: str, db: sessionmaker[Session]) -> None:
    company = make_company(db)
    prefix = f"midas-test/{uuid.uuid4().hex[:12]}"
    topic = f"{prefix}/{company.brn}/{company.factory_id}/{TEMPLATE}"
    client_id = f"midas-test-{uuid.uuid4().hex[:12]}"
    sessions = [client_id, f"{client_id}-2"]  # what `--workers 2` connects as
    _, shared = plain_filters(prefix)
    for session_id in sessions:  # provisioned as an operator would, so nothing published before is lost
        client = mqtt_client(session_id)
        connect(client, clean_start=False, expiry=SESSION_EXPIRY_SECONDS)
        subscribe(client, [shared])
        client.disconnect()
        client.loop_stop()
    try:
        publisher = mqtt_client()
        connect(publisher, clean_start=True, expiry=0)
        sent = [publisher.publish(topic, payload_of(shift(n), f"s-{n}"), qos=1) for n in range(600)]
        for info in sent:
            info.wait_for_publish(timeout=10)
        publisher.disconnect()
        publisher.loop_stop()
        output = finish(start_worker(worker_database, client_id, "--workers", "2", "--topic-prefix", prefix,
                                     "--sparkplug-group", "", "--batch-size", "50", "--stop-after", "3"), timeout=60)
    finally:
        for session_id in sessions:
            client = mqtt_client(session_id)
            connect(client, clean_start=True, expiry=0)
            client.disconnect()
            client.loop_stop()
    handled = {line.split(":")[0]: int(line.split(": ")[1].split()[0]) for line in output.splitlines()
               if line.startswith(client_id)}
    assert set(handled) == set(sessions), output
    assert all(count > 0 for count in handled.values()), output  # the broker gave each worker a share
    assert sum(handled.values()) == 600, output
    with db() as session:
        counts = dict(session.execute(
            select(ProductionRecord.idempotency_key, func.count()).where(
                ProductionRecord.organization_id == company.organization_id).group_by(ProductionRecord.idempotency_key)
        ).all())
    assert set(counts) == {f"s-{n}" for n in range(600)}
    assert set(counts.values()) == {1}


def test_the_options_of_several_workers() -> None:
    options = WorkerOptions(client_id="midas-ingest", sparkplug_group="+")
    assert worker_options(options, 1) == [options]
    first, second, third = worker_options(options, 3)
    assert [w.client_id for w in (first, second, third)] == ["midas-ingest", "midas-ingest-2", "midas-ingest-3"]
    assert [w.sparkplug_group for w in (first, second, third)] == ["+", "", ""]  # Sparkplug stays in order
    assert {w.share_group for w in (first, second, third)} == {"midas-ingest"}
    assert plain_filters("midas/v1/") == ("midas/v1/+/+/+", "$share/midas-ingest/midas/v1/+/+/+")


def test_paho_decodes_and_waits_as_before_with_its_per_packet_waste_removed() -> None:
    import threading

    from paho.mqtt.properties import Properties as PahoProperties

    from midas.ingest.mqtt import ConditionOnDemand, TablesBuiltOnce

    sent = PahoProperties(PacketTypes.PUBLISH)
    sent.UserProperty = ("line", "L1")
    sent.MessageExpiryInterval = 60
    sent.ContentType = "application/json"
    first, second = TablesBuiltOnce(PacketTypes.PUBLISH), TablesBuiltOnce(PacketTypes.PUBLISH)
    first.unpack(sent.pack())
    assert first.json() == sent.json()
    assert second.json() == {}  # the tables are shared, the values are not
    with pytest.raises(Exception, match="does not apply"):
        second.ReceiveMaximum = 10  # paho's checks still apply

    received = mqtt.MQTTMessage(7, b"midas/v1/x")
    assert isinstance(received.info, ConditionOnDemand)
    assert received.info._made is None  # nothing waits on a received message: no Condition made
    published = mqtt.MQTTMessageInfo(8)
    threading.Timer(0.05, published._set_as_published).start()
    published.wait_for_publish(timeout=5)  # the waiter and the notifier share the Condition made on first use
    assert published.is_published()


def test_paho_matches_filtered_callbacks_as_before_and_skips_the_walk_without_any() -> None:
    from midas.ingest.mqtt import MatcherSkippedWhenEmpty, _match_without_filters

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    _match_without_filters(client)
    assert isinstance(client._on_message_filtered, MatcherSkippedWhenEmpty)
    received: list[str] = []
    client.on_message = lambda _c, _u, message: received.append(f"any {message.topic}")
    client._handle_on_message(mqtt.MQTTMessage(1, b"midas/v1/a/b/c"))
    assert received == ["any midas/v1/a/b/c"]  # no filtered callback: on_message, as paho does
    client.message_callback_add("midas/v1/+/b/#", lambda _c, _u, message: received.append(f"b {message.topic}"))
    client._handle_on_message(mqtt.MQTTMessage(2, b"midas/v1/a/b/c"))
    client._handle_on_message(mqtt.MQTTMessage(3, b"midas/v1/a/x"))
    assert received[1:] == ["b midas/v1/a/b/c", "any midas/v1/a/x"]  # paho's own matching once a filter is added


def test_a_broker_that_is_not_there_is_named_and_every_worker_stops(worker_database: str) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "MIDAS_DATABASE_URL": worker_database, "MIDAS_MQTT_HOST": "127.0.0.1",
                   "MIDAS_MQTT_PORT": str(port)}
    worker = subprocess.run([sys.executable, "-m", "midas", "ingest", "mqtt", "--workers", "2", "--quiet"],
                            cwd=PROJECT, env=environment, capture_output=True, timeout=60)
    assert worker.returncode == 1
    output = " ".join(worker.stdout.decode().split())
    assert f"127.0.0.1:{port}: cannot connect" in output
    assert "Traceback" not in worker.stderr.decode()
