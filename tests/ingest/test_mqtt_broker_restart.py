"""MQTT ingestion across a restart of the broker: each test starts its OWN Mosquitto (on a free loopback port,
with persistence in a temporary directory), runs the worker as a separate process (as in production), streams
QoS 1 messages with unique message ids, stops the broker in the middle of the stream and starts it again on the
same port with the same persistence file, and then checks that every message is stored exactly once.

What "nothing lost" means end to end
------------------------------------
A message is the publisher's until the broker acknowledges it (PUBACK), the broker's until the worker
acknowledges it, and the worker acknowledges it only after the transaction that stores it is committed. So the
promise holds link by link, and each link's retry can only make a duplicate, which the message id turns into
"stored once":

1. Publisher to broker: QoS 1. The publisher keeps every message it has not seen a PUBACK for (paho keeps them in
   memory) and sends it again, flagged DUP, after it reconnects. Messages handed to it while the broker is away
   wait in the same queue. (A publisher that itself crashes loses what it holds in memory; that is the edge
   device's own journal to keep, not the platform's.)
2. The broker: with ``persistence true`` it writes the sessions, subscriptions and queued messages to its
   persistence file when it is stopped (SIGTERM) and every ``autosave_interval`` seconds. ``max_queued_messages
   0`` lets the worker's queue grow for as long as the outage lasts (beyond the default 1000 Mosquitto DROPS).
   - Stopped (SIGTERM): nothing it acknowledged is lost. Every message the publisher sent is stored once.
   - Killed (SIGKILL, power loss): whatever changed since the last autosave is lost BY MOSQUITTO ITSELF, also
     messages it had already acknowledged to the publisher; no client can get those back from the broker. What
     still holds: nothing the worker committed is lost or doubled, everything the broker had saved for the
     worker's session is redelivered (what was stored already counts as a duplicate), and nothing the publisher
     had not seen acknowledged is lost. A publisher that also keeps what the broker acknowledged in the last
     moments before the crash (for more than twice the autosave interval) and sends it again after reconnecting closes
     the gap: the platform stores every message exactly once, because a re-sent message id is a duplicate.
3. Broker to worker: a persistent session (fixed client id, ``clean_start=False``, a session expiry) subscribed at
   QoS 1 with manual acknowledgements after the commit, so the broker redelivers what the worker had not
   acknowledged when the connection dropped, and the worker rides through the outage in the same process.
"""

from __future__ import annotations

import getpass
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
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

from midas.ingest import DeadLetter, ProductionRecord
from midas.ingest.mqtt import SESSION_EXPIRY_SECONDS, payload_of
from midas.registry import complete_brn
from midas.standard import example_record
from tests.factories import make_factory, make_organization
from tests.services import missing

PROJECT = Path(__file__).resolve().parents[2]
MOSQUITTO = os.environ.get("MIDAS_TEST_MOSQUITTO", "/usr/sbin/mosquitto")
HOST = "127.0.0.1"
TEMPLATE = "ProductionPerformance"
STREAM = 2_000
CHUNK = 100
BACKLOG = 600  # how far the publisher runs ahead of what is stored: the restart falls in the middle of the stream
AUTOSAVE_SECONDS = 1
REPLAY_SECONDS = 4 * AUTOSAVE_SECONDS  # how long a publisher keeps a message after its PUBACK: twice the longest
# time between two autosaves (Mosquitto saves once MORE than autosave_interval seconds have passed)
WORKER_IDLE_SECONDS = 6  # the worker stops after this long without a message; longer than an outage lasts here
PATIENCE_SECONDS = 60.0  # how long a step may take before the test fails instead of hanging


# --- the broker of each test -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Broker:
    """A Mosquitto of the test's own, with a persistence file that survives its restarts."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.directory / "mosquitto.conf"

    @property
    def persistence_file(self) -> Path:
        return self.directory / "data" / "mosquitto.db"

    def write_config(self) -> None:
        (self.directory / "data").mkdir(exist_ok=True)
        self.config.write_text("\n".join((
            f"listener {self.port} {HOST}",
            f"user {getpass.getuser()}",  # run as root, Mosquitto would switch to "mosquitto" and lose its files
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self.directory / 'data'}/",
            "persistence_file mosquitto.db",
            f"autosave_interval {AUTOSAVE_SECONDS}",
            "max_queued_messages 0",  # no limit: the worker's queue holds the whole outage
            f"log_dest file {self.directory / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "",
        )), encoding="utf-8")

    def start(self) -> None:
        """Start Mosquitto and wait until it accepts connections."""
        assert self.process is None or self.process.poll() is not None, "the broker is already running"
        with (self.directory / "mosquitto.out").open("ab") as output:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=output, stderr=output)
        wait_until(self._accepts_connections, f"Mosquitto listening on {HOST}:{self.port}", seconds=10)

    def _accepts_connections(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"Mosquitto exited with {self.process.returncode}: {self.log()}")
        try:
            with socket.create_connection((HOST, self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self, how: signal.Signals) -> None:
        """SIGTERM: Mosquitto saves its persistence file and exits. SIGKILL: it dies on the spot, unsaved."""
        assert self.process is not None
        assert self.process.poll() is None, "the broker is not running"
        self.process.send_signal(how)
        self.process.wait(timeout=30)

    def save_now(self) -> None:
        """Make Mosquitto write its persistence file (SIGUSR1) and wait until it has."""
        assert self.process is not None
        before = self.persistence_file.stat().st_mtime_ns if self.persistence_file.exists() else -1
        time.sleep(0.01)  # a later write gets a later modification time even on a coarse clock
        self.process.send_signal(signal.SIGUSR1)
        wait_until(lambda: self.persistence_file.exists() and self.persistence_file.stat().st_mtime_ns > before,
                   "Mosquitto's persistence file written", seconds=10)

    def log(self) -> str:
        """The end of Mosquitto's log and of what it printed, for a failure's message."""
        paths = (self.directory / "mosquitto.out", self.directory / "mosquitto.log")
        return "\n".join(path.read_text(encoding="utf-8", errors="replace")[-3000:] for path in paths if path.exists())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    if not os.access(MOSQUITTO, os.X_OK) and shutil.which(MOSQUITTO) is None:
        missing("Mosquitto", f"{MOSQUITTO} not found (install the mosquitto package, or set MIDAS_TEST_MOSQUITTO)")
    broker = Broker(port=free_port(), directory=tmp_path)
    broker.write_config()
    broker.start()
    try:
        yield broker
    finally:
        if broker.process is not None and broker.process.poll() is None:
            broker.process.kill()
            broker.process.wait(timeout=10)


def wait_until(condition: Callable[[], bool], what: str, seconds: float = PATIENCE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for: {what}")
        time.sleep(0.02)


# --- the company whose records the worker stores (the worker's database: tests/ingest/conftest.py) ------------


@dataclass(frozen=True, slots=True)
class Company:
    organization_id: int
    brn: str
    factory_id: int


def make_company(db: sessionmaker[Session]) -> Company:
    brn = complete_brn(f"{secrets.randbelow(900_000_000) + 100_000_000:09d}")
    with db() as session:
        company = make_organization(session, brn=brn)
        factory = make_factory(session, company)
        session.commit()
        return Company(company.id, company.brn, factory.id)


def stored_counts(db: sessionmaker[Session], organization_id: int) -> dict[str, int]:
    """How many rows each idempotency key has."""
    with db() as session:
        return {key: int(count) for key, count in session.execute(
            select(ProductionRecord.idempotency_key, func.count()).where(
                ProductionRecord.organization_id == organization_id).group_by(ProductionRecord.idempotency_key))}


def stored(db: sessionmaker[Session], organization_id: int) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(ProductionRecord)
                                  .where(ProductionRecord.organization_id == organization_id)) or 0)


def dead_letter_count(db: sessionmaker[Session], organization_id: int) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(DeadLetter)
                                  .where(DeadLetter.organization_id == organization_id)) or 0)


def shift(n: int) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record["OrderId"] = f"PO-{n}"
    return record


# --- the clients ------------------------------------------------------------------------------------------------


def mqtt_client(client_id: str) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.reconnect_delay_set(min_delay=1, max_delay=2)
    return client


def connect(client: mqtt.Client, port: int, *, clean_start: bool, expiry: int) -> None:
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = expiry
    connected: queue.Queue[Any] = queue.Queue()
    client.on_connect = lambda c, u, f, reason, p: connected.put(reason)
    client.connect(HOST, port, keepalive=30, clean_start=clean_start, properties=properties)
    client.loop_start()
    reason = connected.get(timeout=10)
    assert not reason.is_failure, reason


def provision_worker_session(broker: Broker, topic_filter: str) -> str:
    """The worker's persistent session, made before the first message (as an operator does before the first start)
    and saved by the broker, so that it exists after any restart of the broker."""
    client_id = f"midas-test-{uuid.uuid4().hex[:12]}"
    client = mqtt_client(client_id)
    connect(client, broker.port, clean_start=False, expiry=SESSION_EXPIRY_SECONDS)
    done: queue.Queue[list[Any]] = queue.Queue()
    client.on_subscribe = lambda c, u, mid, reasons, p: done.put(reasons)
    client.subscribe([(topic_filter, SubscribeOptions(qos=1))])
    reasons = done.get(timeout=10)
    assert not any(r.is_failure for r in reasons), reasons
    client.disconnect()
    client.loop_stop()
    broker.save_now()
    return client_id


class Publisher:
    """A QoS 1 publisher of the stream, the way an edge device should be written.

    paho keeps each message until its PUBACK and sends it again after a reconnection (also the messages handed
    to it while the broker is away). On top of that it remembers when each PUBACK came, so that after a crash of
    the broker it can send again what the broker acknowledged in the last ``REPLAY_SECONDS``.
    """

    def __init__(self, broker: Broker, topic: str) -> None:
        self.topic = topic
        self.client = mqtt_client(f"edge-{uuid.uuid4().hex[:12]}")
        self._lock = threading.Lock()
        self._numbers: dict[int, int] = {}  # packet id -> message number (no packet id is reused in a test)
        self._acknowledged: dict[int, float] = {}  # packet id -> when its PUBACK came
        self.refused: list[str] = []
        self.connections = 0
        self.client.on_publish = self._on_publish
        connect(self.client, broker.port, clean_start=False, expiry=600)
        self.client.on_connect = self._on_connect
        self.connections = 1

    def _on_publish(self, _client: mqtt.Client, _userdata: object, mid: int, reason: Any, _props: object) -> None:
        if reason.is_failure:
            self.refused.append(f"packet {mid}: {reason}")
        with self._lock:
            self._acknowledged[mid] = time.monotonic()

    def _on_connect(self, _client: mqtt.Client, _userdata: object, _flags: object, reason: Any,
                    _props: object) -> None:
        if not reason.is_failure:
            self.connections += 1

    def publish(self, numbers: range | list[int]) -> None:
        for n in numbers:
            info = self.client.publish(self.topic, payload_of(shift(n), f"m-{n}"), qos=1)
            # MQTT_ERR_NO_CONN is fine: paho keeps the message and sends it after the reconnection.
            assert info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN), mqtt.error_string(info.rc)
            with self._lock:
                self._numbers[info.mid] = n

    def all_acknowledged(self) -> bool:
        with self._lock:
            return self._numbers.keys() <= self._acknowledged.keys()

    def acknowledged_since(self, moment: float) -> list[int]:
        """The message numbers whose PUBACK came at or after ``moment`` (on this process's monotonic clock)."""
        with self._lock:
            return sorted({self._numbers[mid] for mid, at in self._acknowledged.items()
                           if at >= moment and mid in self._numbers})

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def start_worker(database_url: str, broker: Broker, client_id: str, topic_prefix: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "MIDAS_DATABASE_URL": database_url, "MIDAS_MQTT_HOST": HOST,
                   "MIDAS_MQTT_PORT": str(broker.port)}
    return subprocess.Popen(
        [sys.executable, "-m", "midas", "ingest", "mqtt", "--client-id", client_id, "--quiet",
         "--topic-prefix", topic_prefix, "--sparkplug-group", "", "--batch-size", "100", "--batch-seconds", "0.05",
         "--stop-after", str(WORKER_IDLE_SECONDS)],
        cwd=PROJECT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(worker: subprocess.Popen[bytes], broker: Broker) -> str:
    try:
        out, err = worker.communicate(timeout=PATIENCE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        out, err = worker.communicate()
        pytest.fail(f"the worker did not stop: {out.decode()} {err.decode()}")
    assert worker.returncode == 0, f"{err.decode()}\nbroker log:\n{broker.log()}"
    return out.decode()


# --- the stream -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Restart:
    stored_before: int  # rows stored when the broker went down
    published_before: int  # messages handed to the publisher before the broker went down
    outage_started: float  # monotonic time the broker went down


def stream_across_a_restart(broker: Broker, publisher: Publisher, db: sessionmaker[Session], company: Company,
                            worker: subprocess.Popen[bytes], how: signal.Signals) -> Restart:
    """Publish the stream, keeping at most ``BACKLOG`` messages ahead of the worker; once a quarter of it is stored,
    stop the broker with ``how``, hand the publisher a chunk while the broker is away, and start the broker again
    on the same port and persistence file."""
    restart: Restart | None = None
    start = 0
    while start < STREAM:
        wait_until(partial(caught_up, worker, db, company, start), "the worker to catch up with the publisher")
        assert worker.poll() is None, f"the worker stopped: {worker.communicate()[1].decode()}"
        publisher.publish(range(start, min(start + CHUNK, STREAM)))
        start += CHUNK
        if restart is None and stored(db, company.organization_id) >= STREAM // 4:
            restart = Restart(stored(db, company.organization_id), start, time.monotonic())
            broker.stop(how)
            publisher.publish(range(start, min(start + CHUNK, STREAM)))  # kept by paho until the broker is back
            start += CHUNK
            time.sleep(1)  # the broker is away: the worker and the publisher see their connections refused
            broker.start()
    assert restart is not None, "the stream ended before the broker was restarted"
    return restart


def caught_up(worker: subprocess.Popen[bytes], db: sessionmaker[Session], company: Company, published: int) -> bool:
    """Whether the publisher may go on: the worker stored all but ``BACKLOG`` of the messages (or it stopped)."""
    return worker.poll() is not None or published - stored(db, company.organization_id) <= BACKLOG


def assert_stored_exactly_once(db: sessionmaker[Session], company: Company) -> None:
    counts = stored_counts(db, company.organization_id)
    expected = {f"m-{n}" for n in range(STREAM)}
    lost = sorted(expected - counts.keys(), key=lambda key: int(key[2:]))
    assert not lost, f"{len(lost)} messages lost, the first {lost[:10]}"
    assert counts.keys() == expected  # none missing, none foreign
    assert {key: count for key, count in counts.items() if count != 1} == {}  # none twice
    assert dead_letter_count(db, company.organization_id) == 0


def test_a_stream_survives_a_stop_and_start_of_the_broker_with_every_message_stored_exactly_once(
        worker_database: str, db: sessionmaker[Session], broker: Broker) -> None:
    """SIGTERM: Mosquitto saves its state; with the publisher's and the worker's QoS 1 retries nothing is lost
    and nothing is stored twice, and the worker process rides through the outage."""
    company = make_company(db)
    prefix = f"midas-test/{uuid.uuid4().hex[:12]}"
    client_id = provision_worker_session(broker, f"{prefix}/+/+/+")
    worker = start_worker(worker_database, broker, client_id, prefix)
    publisher = Publisher(broker, f"{prefix}/{company.brn}/{company.factory_id}/{TEMPLATE}")
    try:
        restart = stream_across_a_restart(broker, publisher, db, company, worker, signal.SIGTERM)
        wait_until(publisher.all_acknowledged, "a PUBACK for every message")
    finally:
        publisher.close()
    finish(worker, broker)

    assert 0 < restart.stored_before < STREAM
    assert restart.published_before < STREAM  # the broker went down in the middle of the publishing too
    assert publisher.connections >= 2  # the publisher did reconnect
    assert publisher.refused == []
    assert_stored_exactly_once(db, company)


def test_after_a_kill_of_the_broker_a_publisher_that_replays_its_recent_messages_loses_nothing(
        worker_database: str, db: sessionmaker[Session], broker: Broker) -> None:
    """SIGKILL: Mosquitto loses what changed since its last autosave, possibly also messages it had acknowledged
    to the publisher. The platform's part: what was committed stays, once; what the broker kept for the worker's
    session is redelivered and counted as a duplicate where already stored; and a publisher that re-sends its
    messages of the last ``REPLAY_SECONDS`` after the reconnection gets every message stored exactly once."""
    company = make_company(db)
    prefix = f"midas-test/{uuid.uuid4().hex[:12]}"
    client_id = provision_worker_session(broker, f"{prefix}/+/+/+")
    worker = start_worker(worker_database, broker, client_id, prefix)
    publisher = Publisher(broker, f"{prefix}/{company.brn}/{company.factory_id}/{TEMPLATE}")
    try:
        restart = stream_across_a_restart(broker, publisher, db, company, worker, signal.SIGKILL)
        # The replay: what the broker acknowledged shortly before it died may never have reached its disk.
        replayed = publisher.acknowledged_since(restart.outage_started - REPLAY_SECONDS)
        replayed = [n for n in replayed if n < restart.published_before]
        publisher.publish(replayed)
        wait_until(publisher.all_acknowledged, "a PUBACK for every message")
    finally:
        publisher.close()
    finish(worker, broker)

    assert 0 < restart.stored_before < STREAM
    assert restart.published_before < STREAM
    assert replayed  # the PUBACKs of the last moments before the kill were kept and re-sent
    assert publisher.connections >= 2
    assert publisher.refused == []
    assert_stored_exactly_once(db, company)
