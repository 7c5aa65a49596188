"""MQTT ingestion end to end: publish N plain-JSON K-MDS records at QoS 1, run `midas ingest mqtt` (a separate
process, as in production) into a throwaway PostgreSQL database, and time until every record is stored.

    .venv/bin/python benchmarks/ingest_mqtt.py [--messages 50000] [--broker private|HOST:PORT] [--window 0]
        [--workers 1] [--publisher python|mosquitto_pub] [--batch-size 1000]

The target (issue #6): at least 10,000 messages/s with 0 lost and 0 stored twice; on 2 cores it takes
``--workers 2 --publisher mosquitto_pub`` (the Python publisher takes a core of its own).

Prints messages/s end to end (first publish -> last record committed), the loss count (message ids never
stored) and the duplicate count (ids stored more than once: must be 0 by the unique key; plus the redeliveries
the worker counted as duplicates), and where the time goes: the publisher alone, and in-process per record the
JSON decode, the K-MDS validation (validate_record, all layers; and error_findings, the fast path accept() takes)
and accept() (validation + insert) on the same database. ("publisher alone" is the publishing time, while the
workers already consume.)

The broker: by default a private Mosquitto on a free port with ``max_queued_messages 0`` (the configuration the
worker's docstring asks for); Mosquitto's default (1000 queued per client) DROPS QoS 1 messages whenever the
worker falls 1000 behind. With ``--broker HOST:PORT`` (e.g. the shared 127.0.0.1:1883) give ``--window 800``: the
publisher then waits while more than that many messages are published but not stored.
PostgreSQL: MIDAS_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) is the admin URL
a throwaway database is created from and dropped after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from midas import migrations
from midas.auth import SYSTEM, Actor, Role
from midas.db import make_engine, make_session_factory
from midas.ingest import IngestBatch, ProductionRecord, accept
from midas.ingest.mqtt import SESSION_EXPIRY_SECONDS, WorkerOptions, payload_of, plain_filters, worker_options
from midas.registry import complete_brn, create_factory, create_organization
from midas.standard import example_record
from midas.standard.records import error_findings, validate_record

PROJECT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("MIDAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEMPLATE = "ProductionPerformance"


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def private_broker(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                      "max_queued_messages 0\nmax_inflight_messages 0\n")
    broker = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return broker, port
        except OSError:
            time.sleep(0.05)
    broker.kill()
    raise SystemExit(f"mosquitto did not listen on {port}")


def connected(client_id: str, host: str, port: int, *, clean_start: bool, expiry: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = expiry
    client.max_inflight_messages_set(1000)  # the publisher's QoS 1 window (paho's default is 20)
    client.connect(host, port, clean_start=clean_start, properties=properties)
    client.loop_start()
    deadline = time.monotonic() + 10
    while not client.is_connected():
        if time.monotonic() > deadline:
            raise SystemExit(f"no connection to {host}:{port}")
        time.sleep(0.01)
    return client


def record(n: int) -> dict[str, object]:
    data = example_record(TEMPLATE)
    data["OrderId"] = f"PO-{n}"
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--broker", default="private", help="'private' or HOST:PORT")
    parser.add_argument("--window", type=int, default=0, help="most messages published but not stored (0: none)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=2_000, help="records timed in-process per phase")
    parser.add_argument("--workers", type=int, default=1, help="`midas ingest mqtt --workers N` (shared topics)")
    parser.add_argument("--publisher", choices=("python", "mosquitto_pub"), default="python",
                        help="paho in this process, or Mosquitto's C client reading one payload per line "
                             "(less CPU taken from the worker on a small machine)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="midas-bench-"))
    broker_process = None
    if args.broker == "private":
        broker_process, port = private_broker(folder)
        host = "127.0.0.1"
    else:
        host, _, port_text = args.broker.rpartition(":")
        port = int(port_text)
    name = f"midas_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(ADMIN_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    client_id = f"midas-bench-{uuid.uuid4().hex[:8]}"
    try:
        migrations.upgrade(url)
        factory = make_session_factory(engine)
        with factory() as session:
            organization = create_organization(session, actor=SYSTEM, raw={
                "brn": complete_brn(f"{uuid.uuid4().int % 900_000_000 + 100_000_000:09d}"), "name": "(주)벤치정밀",
                "name_en": "Bench Precision", "kind": "sme", "ksic_code": "29", "region_code": "41",
                "employees": 42, "annual_revenue_krw": 8_500_000_000, "founded_year": 2004,
                "representative": "김민준", "address": "경기도 화성시 팔탄면 공단로 12"})
            plant = create_factory(session, actor=SYSTEM, organization_id=organization.id, raw={
                "name": "제1공장", "address": "경기도 화성시 팔탄면 공단로 12", "region_code": "41",
                "industrial_complex": "화성 팔탄산업단지", "main_processes": "가공", "production_lines": 3})
            session.commit()
            organization_id, brn, factory_id = organization.id, organization.brn, plant.id
        prefix = f"midas-bench/{uuid.uuid4().hex[:8]}"
        topic = f"{prefix}/{brn}/{factory_id}/{TEMPLATE}"

        # The workers' sessions exist before the first message, as an operator provisions them.
        plain, shared = plain_filters(prefix)
        workers = worker_options(WorkerOptions(client_id=client_id), args.workers)
        for options in workers:
            provision = connected(options.client_id, host, port, clean_start=False, expiry=SESSION_EXPIRY_SECONDS)
            provision.subscribe([(shared if options.share_group else plain, SubscribeOptions(qos=1))])
            time.sleep(0.3)
            provision.disconnect()
            provision.loop_stop()

        payloads = [payload_of(record(n), f"b-{n}") for n in range(args.messages)]
        environment = {**os.environ, "MIDAS_DATABASE_URL": url}
        worker = subprocess.Popen([sys.executable, "-m", "midas", "ingest", "mqtt", "--host", host, "--port",
                                   str(port), "--client-id", client_id, "--topic-prefix", prefix, "--sparkplug-group",
                                   "", "--batch-size", str(args.batch_size), "--stop-after", "5", "--quiet",
                                   "--workers", str(args.workers)],
                                  cwd=PROJECT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def stored() -> int:
            with factory() as session:
                return int(session.scalar(select(func.count()).select_from(ProductionRecord).where(
                    ProductionRecord.organization_id == organization_id)) or 0)

        publisher = connected("", host, port, clean_start=True, expiry=0)
        # One record first: the clock starts once the worker is up (imports, connection), not before.
        publisher.publish(topic, payload_of(record(-1), "warm-up"), qos=1).wait_for_publish(timeout=10)
        while stored() < 1:
            time.sleep(0.05)
        if args.workers > 1:
            time.sleep(3)  # the other workers' processes start (imports, connection) after the first has stored
        started = time.perf_counter()
        if args.publisher == "mosquitto_pub":
            # mosquitto_pub 2.0.11 -l quits with part of a long input unsent (68,946 of 200,000 lines of this size
            # reached a plain mosquitto_sub): 20,000 lines per run stay well below that.
            for start in range(0, args.messages, 20_000):
                subprocess.run(["mosquitto_pub", "-h", host, "-p", str(port), "-q", "1", "-t", topic, "-l"],
                               input=b"\n".join(payloads[start:start + 20_000]) + b"\n", check=True)
        else:
            infos = []
            for start in range(0, args.messages, 1000):
                while args.window and start - stored() > args.window:
                    time.sleep(0.02)
                infos += [publisher.publish(topic, p, qos=1) for p in payloads[start:start + 1000]]
            for info in infos:
                info.wait_for_publish(timeout=60)
        published = time.perf_counter() - started
        publisher.disconnect()
        publisher.loop_stop()
        last, last_change = -1, time.perf_counter()
        while True:
            count = stored()
            now = time.perf_counter()
            if count >= args.messages + 1:
                break
            if count != last:
                last, last_change = count, now
            elif now - last_change > 15:
                break  # nothing more arrives: the rest is lost
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        out, err = worker.communicate(timeout=60)
        with factory() as session:
            keys = dict(session.execute(select(ProductionRecord.idempotency_key, func.count()).where(
                ProductionRecord.organization_id == organization_id).group_by(ProductionRecord.idempotency_key)).all())
            redelivered = int(session.scalar(select(func.sum(IngestBatch.duplicates)).where(
                IngestBatch.organization_id == organization_id)) or 0)
        lost = sum(1 for n in range(args.messages) if f"b-{n}" not in keys)
        doubled = sum(c - 1 for c in keys.values() if c > 1)

        # Where the time goes, per record, in this process on the same database.
        sample = payloads[: args.sample]
        t = time.perf_counter()
        decoded = [json.loads(p) for p in sample]
        decode_us = (time.perf_counter() - t) / len(sample) * 1e6
        t = time.perf_counter()
        for item in decoded:
            validate_record(TEMPLATE, item["record"])
        validate_us = (time.perf_counter() - t) / len(sample) * 1e6
        t = time.perf_counter()
        for item in decoded:
            error_findings(TEMPLATE, item["record"])
        fast_us = (time.perf_counter() - t) / len(sample) * 1e6
        actor = Actor(user_id=None, label="bench", role=Role.COMPANY_MEMBER, organization_id=organization_id)
        items = [{"factory_id": factory_id, "template": TEMPLATE, "record": d["record"], "message_id": f"s-{n}"}
                 for n, d in enumerate(decoded)]
        t = time.perf_counter()
        with factory() as session:
            for start in range(0, len(items), args.batch_size):
                accept(session, actor=actor, items=items[start:start + args.batch_size])
                session.commit()
        accept_us = (time.perf_counter() - t) / len(sample) * 1e6
    finally:
        engine.dispose()
        with psycopg.connect(libpq(ADMIN_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if broker_process is not None:
            broker_process.terminate()
            broker_process.wait()
        else:
            for options in worker_options(WorkerOptions(client_id=client_id), args.workers):
                cleanup = connected(options.client_id, host, port, clean_start=True, expiry=0)
                cleanup.disconnect()
                cleanup.loop_stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"broker {host}:{port} ({args.broker}), PostgreSQL, {os.cpu_count()} cores, batch {args.batch_size}, "
          f"window {args.window or 'none'}, {args.workers} worker(s), publisher {args.publisher}")
    print(f"messages published        {args.messages:>10,}  in {published:7.2f} s  "
          f"({args.messages / published:,.0f}/s publisher alone)")
    count = len(keys) - 1  # without the warm-up record
    print(f"stored end to end         {count:>10,}  in {elapsed:7.2f} s  ({count / elapsed:,.0f} messages/s)")
    print(f"lost / stored twice       {lost:>10,} / {doubled:,}   "
          f"(redeliveries counted as duplicates: {redelivered:,})")
    print(f"per record in-process: JSON decode {decode_us:.0f} us, full K-MDS validation {validate_us:.0f} us "
          f"(the path accept() takes, error_findings: {fast_us:.0f} us), "
          f"accept() with insert and commit {accept_us:.0f} us ({1e6 / accept_us:,.0f} records/s on one core)")
    print(f"worker: {' '.join(out.decode().split()) or err.decode()[-500:]}")


if __name__ == "__main__":
    main()
