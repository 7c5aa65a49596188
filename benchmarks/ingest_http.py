"""Benchmark: HTTP batch ingestion into PostgreSQL, with K-MDS validation, against a plain COPY of the same rows.

Target (issue #6): at least 50,000 records/s sustained with validation on 2 cores, reported side by side with a
plain PostgreSQL COPY of the same rows into production_record (the physical limit) as a ratio. The script makes a
throw-away database on the PostgreSQL server (dropped at the end), migrates it, seeds one company with a factory
and a member's API token, starts the app with ``midas serve --workers N`` in a child process on a free loopback
port, sends a few untimed deliveries (so that every worker has started), and POSTs
``--records`` ProductionPerformance records (each with its own message id, as an MES sends them) in batches of
``--batch`` to /api/v1/ingest with the bearer token, ``--clients`` at a time. It prints the CPU per record of the
app, PostgreSQL and itself, and each app process's CPU (how evenly the workers shared the load). Then it loads the
same rows with COPY, and finally measures in process where the time of one record goes: the four-layer validation
(validate_record) against the rest of accept() (envelope checks, idempotency lookup, INSERT). Run from the project root:

    .venv/bin/python benchmarks/ingest_http.py [--records 1000000] [--batch 5000] [--workers 2] [--clients 4]
                                               [--work-units 1]

The default, 1,000,000 records, is the target's "sustained" (the record table and its indexes outgrow the server's
default shared_buffers); the rate of each fifth of the run shows whether it held to the end.

The PostgreSQL server is MIDAS_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
used only to create and drop the benchmark database).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
from sqlalchemy.engine import make_url

import midas.kpi  # accept() keeps the KPI aggregates, as in the app
import midas.standard.fast_records
from midas import compiled, migrations
from midas.auth import SYSTEM, Actor, Role, actor_for, create_user, issue_api_token
from midas.db import make_engine, make_session_factory, transaction
from midas.ingest import IngestBatch, IngestSource, accept, count_records
from midas.registry import create_factory, create_organization
from midas.standard import example_record
from midas.standard.records import error_findings, validate_record

TARGET_RECORDS_PER_SECOND = 50_000
#: Records in each untimed delivery sent first, so that the timed ones find every worker started (imports,
#: compiled statements, connections): sustained throughput, not a cold start.
WARM_UP_RECORDS = 1_000
POSTGRES_URL = os.environ.get("MIDAS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEMPLATE = "ProductionPerformance"
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Seeded:
    organization_id: int
    factory_id: int
    token: str
    member: Actor


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"midas_bench_ingest_{os.getpid()}"
    admin = _libpq(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str) -> Seeded:
    """Migrate; one SME with a factory, a member and the member's API token."""
    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            organization = create_organization(session, actor=SYSTEM, raw={
                "brn": "1234567891", "name": "(주)한빛정밀", "name_en": "Hanbit Precision", "kind": "sme",
                "ksic_code": "29", "region_code": "41", "employees": 42, "annual_revenue_krw": 8_500_000_000,
                "founded_year": 2004, "representative": "김민준", "address": "경기도 화성시 팔탄면 공단로 12"})
            session.flush()
            factory = create_factory(session, actor=SYSTEM, organization_id=organization.id, raw={
                "name": "제1공장", "address": "경기도 화성시 팔탄면 공단로 12", "region_code": "41",
                "industrial_complex": "화성 팔탄산업단지", "main_processes": "가공, 조립", "production_lines": 3})
            user = create_user(session, actor=SYSTEM, email="mes@example.kr", display_name="MES 연동",
                               password="correct-horse-battery", role=Role.COMPANY_MEMBER,
                               organization_id=organization.id)
            session.flush()
            member = actor_for(user)
            _, secret = issue_api_token(session, actor=member, name="ingest benchmark")
            return Seeded(organization.id, factory.id, secret, member)
    finally:
        engine.dispose()


def records(count: int, offset: int = 0, work_units: int = 1) -> list[dict[str, Any]]:
    """Distinct, valid 8-hour records: record n is the K-MDS example for work unit n mod ``work_units``, starting
    n // ``work_units`` hours after the first. With several work units, they share each start and end, as the
    machines of a factory share their shifts; one work unit alone makes every timestamp new but for the record
    8 hours on, whose start is its end."""
    base = example_record(TEMPLATE)
    made = []
    for n in range(offset, offset + count):
        start = START + timedelta(hours=n // work_units)
        record = dict(base)
        if work_units > 1:
            record["WorkUnitId"] = f"{base['WorkUnitId']}-{n % work_units:03d}"
        record["PeriodStart"] = start.isoformat()
        record["PeriodEnd"] = (start + timedelta(hours=8)).isoformat()
        made.append(record)
    return made


def items(factory_id: int, rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [{"factory_id": factory_id, "template": TEMPLATE, "record": r, "message_id": f"{prefix}-{n}"}
            for n, r in enumerate(rows)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class RunningApp:
    base: str
    pid: int  # the uvicorn server process; its workers are its children


@contextmanager
def running_app(url: str, workers: int = 1) -> Iterator[RunningApp]:
    """The app as an operator runs it, ``midas serve --workers N``, in a child process on a free loopback port
    (its log, one line a request, goes to a file shown only if it does not start)."""
    port = free_port()
    env = {**os.environ, "MIDAS_DATABASE_URL": url, "MIDAS_ENVIRONMENT": "development"}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "midas", "serve", "--no-upgrade", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                log.seek(0)
                raise RuntimeError(f"the app did not start within 30 s:\n{log.read().decode(errors='replace')}")
            yield RunningApp(base, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=20)


@dataclass(frozen=True, slots=True)
class Posted:
    seconds: float
    accepted: int
    #: (seconds since the start, records accepted) of each POST as its receipt came back, in that order
    receipts: list[tuple[float, int]]


def post_all(base: str, token: str, bodies: list[bytes], clients: int) -> Posted:
    """POST every body (clients at a time, each on its own keep-alive connection, which http.client opens again
    when the server closes it after a large delivery); the seconds taken, the records accepted and when each
    receipt came back. The client is the standard library's http.client: the load it puts on the same 2 cores is
    sending bytes made beforehand, about 1 µs a record, where httpx took 12."""
    address = urlsplit(base)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    local = threading.local()

    def send(body: bytes) -> int:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=600)
        local.connection.request("POST", "/api/v1/ingest", body=body, headers=headers)
        response = local.connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {answer[:500]!r}")
        receipt = json.loads(answer)
        if receipt["rejected"]:
            raise RuntimeError(f"{receipt['rejected']} records refused: {receipt['refused'][:1]}")
        accepted = int(receipt["accepted"])
        with lock:
            receipts.append((time.perf_counter() - started, accepted))
        return accepted

    lock = threading.Lock()
    receipts: list[tuple[float, int]] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        accepted = sum(pool.map(send, bodies))
    return Posted(time.perf_counter() - started, accepted, sorted(receipts))


def rates_by_part(receipts: list[tuple[float, int]], parts: int = 5) -> list[float]:
    """Records/s in each of ``parts`` consecutive parts of a run, cut where the records received so far pass each
    part's share: whether the rate held from the first records to the last (sustained) or fell as the tables grew."""
    total = sum(accepted for _, accepted in receipts)
    rates: list[float] = []
    received, part_start, part_records = 0, 0.0, 0
    for at, accepted in receipts:
        received += accepted
        part_records += accepted
        if received * parts >= total * (len(rates) + 1):
            rates.append(part_records / max(at - part_start, 1e-9))
            part_start, part_records = at, 0
    return rates


def cpu_ticks() -> dict[int, tuple[int, str, int]]:
    """Every process's (parent pid, name, CPU ticks used so far), from /proc (empty where there is none)."""
    found: dict[int, tuple[int, str, int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def app_processes(after: dict[int, tuple[int, str, int]], server_pid: int) -> set[int]:
    """The server and its children, their children, ...: until no process is added."""
    app = {server_pid}
    while True:
        found = {pid for pid, (parent, _, _) in after.items() if parent in app} - app
        if not found:
            return app
        app |= found


def cpu_by_role(before: dict[int, tuple[int, str, int]], after: dict[int, tuple[int, str, int]],
                server_pid: int) -> dict[str, float]:
    """CPU seconds used between two :func:`cpu_ticks` by the app (the server and its workers) and by PostgreSQL
    (every postgres process: the backends, the WAL writer, the checkpointer)."""
    app = app_processes(after, server_pid)
    used = {"app": 0.0, "postgres": 0.0}
    hertz = os.sysconf("SC_CLK_TCK")
    for pid, (_, name, ticks) in after.items():
        role = "app" if pid in app else "postgres" if name == "postgres" else None
        if role is not None:
            used[role] += (ticks - before.get(pid, (0, "", 0))[2]) / hertz
    return used


def busy_app_processes(before: dict[int, tuple[int, str, int]], after: dict[int, tuple[int, str, int]],
                       server_pid: int) -> list[float]:
    """CPU seconds of each app process that worked between two :func:`cpu_ticks`, most first: how evenly the
    workers shared the deliveries."""
    hertz = os.sysconf("SC_CLK_TCK")
    used = [(after[pid][2] - before.get(pid, (0, "", 0))[2]) / hertz for pid in app_processes(after, server_pid)]
    return sorted((seconds for seconds in used if seconds >= 0.05), reverse=True)


def wal_position(url: str) -> str:
    """The server's current write-ahead log position (cluster-wide: nothing else writes during a run)."""
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        row = connection.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    return str(row[0])


def wal_bytes_since(url: str, start: str) -> int:
    """Bytes of write-ahead log the server wrote since ``start``: what each stored record costs in writes."""
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        row = connection.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)::bigint",
                                 (start,)).fetchone()
    assert row is not None
    return int(row[0])


def copy_rows(url: str, seeded: Seeded, rows: list[dict[str, Any]]) -> float:
    """The same rows with a plain COPY into production_record (no validation, no idempotency lookup)."""
    with psycopg.connect(_libpq(url)) as connection:
        batch_id = connection.execute(
            "INSERT INTO ingest_batch (organization_id, source, label, accepted, duplicates, rejected,"
            " created_by_label, received_at) VALUES (%s, 'http', 'copy', 0, 0, 0, 'bench', now()) RETURNING id",
            (seeded.organization_id,)).fetchone()
        assert batch_id is not None
        now = datetime.now(UTC)
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(
                "COPY production_record (organization_id, factory_id, batch_id, template, idempotency_key, record,"
                " received_at) FROM STDIN") as copy:
            for n, record in enumerate(rows):
                copy.write_row((seeded.organization_id, seeded.factory_id, batch_id[0], TEMPLATE, f"copy-{n}",
                                json.dumps(record, ensure_ascii=False), now))
        connection.commit()
        return time.perf_counter() - started


def where_the_time_goes(url: str, seeded: Seeded, count: int) -> tuple[float, float, float, float]:
    """Seconds per record in process: the full four-layer validate_record, the error_findings accept() runs
    (the certified fast path, the full path for the rest), and accept() as a whole: the time it takes (this
    process waits while PostgreSQL works) and this process's CPU in it."""
    rows = records(count, offset=100_000)
    for record in records(200, offset=200_000):  # warm the schema and template caches first
        validate_record(TEMPLATE, record)
        error_findings(TEMPLATE, record)
    started = time.perf_counter()
    for record in rows:
        validate_record(TEMPLATE, record)
    full = (time.perf_counter() - started) / count
    started = time.perf_counter()
    for record in rows:
        error_findings(TEMPLATE, record)
    validation = (time.perf_counter() - started) / count
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        with transaction(sessions) as session:  # the first delivery of a process compiles statements: untimed
            accept(session, actor=seeded.member, items=items(seeded.factory_id, records(200, offset=300_000),
                                                             "profile-warm-up"))
        with transaction(sessions) as session:
            started, cpu = time.perf_counter(), time.process_time()
            receipt = accept(session, actor=seeded.member, items=items(seeded.factory_id, rows, "profile"),
                             source=IngestSource.HTTP, label="profile")
            whole, python = (time.perf_counter() - started) / count, (time.process_time() - cpu) / count
            assert receipt.accepted == count, receipt
            session.get(IngestBatch, receipt.batch_id)
    finally:
        engine.dispose()
    return full, validation, whole, python


SPEED_PROBE_ADDITIONS = 10_000_000


def python_speed() -> float:
    """Seconds one core takes for a fixed loop of Python additions, the median of three: the same code runs two to
    three times slower on some days' machines (and some minutes), and this says which kind of day a run had."""
    times = []
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for n in range(SPEED_PROBE_ADDITIONS):
            total += n
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def hot_modules() -> str:
    """Whether this run's processes (this one and the app's, with the same environment) run the hot modules compiled."""
    if compiled.loaded_compiled(midas.standard.fast_records):
        return "compiled (mypyc)"
    return f"as Python ({compiled.status('midas.standard.fast_records').removeprefix('runs as Python: ')})"


def verdict(http_rate: float, copy_rate: float) -> str:
    """Met or not; when not, whether a plain COPY itself reached the target on this machine (the physical limit)."""
    if http_rate >= TARGET_RECORDS_PER_SECOND:
        return "met"
    if copy_rate < TARGET_RECORDS_PER_SECOND:
        return (f"NOT met; a plain COPY, the physical limit, did only {copy_rate:,.0f} rows/s on this machine "
                "today: the ratio is the figure to compare")
    return "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="records to POST (about 2 GB of memory a million)")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="midas serve --workers (one per core)")
    parser.add_argument("--profile", type=int, default=5_000, help="records for the in-process profile")
    parser.add_argument("--work-units", type=int, default=1,
                        help="work units sharing each period's start and end (1: one work unit, as before)")
    args = parser.parse_args()

    with postgres_database() as url:
        seeded = seed(url)
        rows = records(args.records, work_units=args.work_units)
        sent = items(seeded.factory_id, rows, "bench")
        bodies = [json.dumps(sent[start:start + args.batch]).encode() for start in range(0, len(sent), args.batch)]
        print(f"PostgreSQL, {args.records:,} {TEMPLATE} records of {args.work_units} work unit(s) in "
              f"{len(bodies)} POSTs of up to {args.batch:,} ({sum(map(len, bodies)) / len(bodies) / 1e6:.1f} MB each), "
              f"{args.clients} client(s), {args.workers} server worker(s), {os.cpu_count()} CPUs; the hot modules "
              f"{hot_modules()}")
        warm_up = items(seeded.factory_id, records(WARM_UP_RECORDS * args.clients * args.workers,
                                                   offset=args.records, work_units=args.work_units), "warm-up")
        warm_up_bodies = [json.dumps(warm_up[start:start + WARM_UP_RECORDS]).encode()
                          for start in range(0, len(warm_up), WARM_UP_RECORDS)]
        with running_app(url, args.workers) as app:
            post_all(app.base, seeded.token, warm_up_bodies, args.clients)  # each worker's first requests, untimed
            speed_before = python_speed()
            wal_start = wal_position(url)
            ticks, client_cpu = cpu_ticks(), time.process_time()
            posted = post_all(app.base, seeded.token, bodies, args.clients)
            seconds, accepted = posted.seconds, posted.accepted
            after = cpu_ticks()
            http_wal = wal_bytes_since(url, wal_start)
            used = cpu_by_role(ticks, after, app.pid)
            shares = busy_app_processes(ticks, after, app.pid)
            used["client"] = time.process_time() - client_cpu
        engine = make_engine(url)
        try:
            with transaction(make_session_factory(engine)) as session:
                stored = count_records(session, organization_id=seeded.organization_id) - len(warm_up)
        finally:
            engine.dispose()
        http_rate = accepted / seconds
        print(f"  HTTP + validation : {http_rate:>10,.0f} records/s  ({seconds:.1f} s, accepted {accepted:,}, "
              f"stored {stored:,})")
        print(f"  by fifths of it   : {' / '.join(f'{rate:,.0f}' for rate in rates_by_part(posted.receipts))} "
              "records/s, first to last")
        per_record = {role: cpu / max(1, accepted) * 1e6 for role, cpu in used.items()}
        total = sum(per_record.values())
        print(f"  CPU per record    : {total:,.0f} µs = app {per_record['app']:,.0f} + PostgreSQL "
              f"{per_record['postgres']:,.0f} + client {per_record['client']:,.0f}; "
              f"{os.cpu_count()} cores at that cost: at most {(os.cpu_count() or 1) / total * 1e6:,.0f} records/s")
        print(f"  app processes     : {' / '.join(f'{seconds:.1f}' for seconds in shares)} s of CPU")
        wal_start = wal_position(url)
        copy_seconds = copy_rows(url, seeded, rows)
        copy_wal = wal_bytes_since(url, wal_start)
        copy_rate = len(rows) / copy_seconds
        print(f"  plain COPY        : {copy_rate:>10,.0f} records/s  ({copy_seconds:.2f} s)")
        print(f"  WAL per record    : HTTP {http_wal / max(1, accepted):,.0f} bytes, plain COPY "
              f"{copy_wal / max(1, len(rows)):,.0f} bytes")
        print(f"  ratio HTTP / COPY : {http_rate / copy_rate:.3f}  (1 / {copy_rate / http_rate:.0f})")
        full, validation, whole, python = where_the_time_goes(url, seeded, args.profile)
        print(f"  per record in process ({args.profile:,} records): full validate_record {full * 1e6:,.0f} µs; "
              f"accept() in all {whole * 1e6:,.0f} µs with PostgreSQL's work, {python * 1e6:,.0f} µs of this "
              f"process's CPU, of which validation (error_findings) {validation * 1e6:,.0f} µs; the rest is "
              f"envelope checks, typed columns and the COPY rows")
        print(f"  target {TARGET_RECORDS_PER_SECOND:,} records/s: {verdict(http_rate, copy_rate)}")
        print(f"  this machine      : {speed_before:.2f} s before the run, {python_speed():.2f} s at the end, for "
              f"{SPEED_PROBE_ADDITIONS:,} additions in one Python thread (compare runs of different days by it and "
              "by the COPY)")


if __name__ == "__main__":
    main()
