"""Benchmark: organization search on the national demo data, through the real HTTP API.

Target (issue "national-scale demo"): p95 under 100 ms for name-prefix searches and filters, on SQLite and on
PostgreSQL. For each backend the script makes a throw-away database (an SQLite file in a temporary folder; a
new database on the PostgreSQL server, dropped at the end), migrates it, seeds the national country, starts
the app with uvicorn in a child process on a free loopback port, signs in as a demo company member, and sends
a fixed, seeded mix of requests to GET /api/v1/registry/organizations. Run from the project root:

    .venv/bin/python benchmarks/search_organizations.py [--backend sqlite|postgresql ...] [--requests 500]
        [--auth session|token]

--auth session (the default) signs in through the login form and sends the session cookie, as the portal's
pages do; --auth token sends a bearer API token instead, as a machine client does.

The PostgreSQL server is MIDAS_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
used only to create and drop the benchmark database).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from midas import migrations
from midas.auth import Role, User, actor_for, issue_api_token
from midas.db import make_engine, make_session_factory, transaction
from midas.demo import DemoCredential, seed_demo
from midas.registry import Organization, OrganizationKind, SizeBand, regions

TARGET_P95_MS = 100.0
POSTGRES_URL = os.environ.get("MIDAS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENDPOINT = "/api/v1/registry/organizations"
BUSY_DIVISIONS = ("25", "29", "26", "30", "20", "22", "10", "28")
WARM_UP_REQUESTS = 20


@dataclass(frozen=True, slots=True)
class Request:
    kind: str
    params: dict[str, str]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def sqlite_database() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="midas-search-bench-"))
    try:
        yield f"sqlite:///{folder / 'national.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"midas_bench_{os.getpid()}"
    admin = _libpq(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True, slots=True)
class SeededDatabase:
    member: DemoCredential
    api_token: str
    organizations: list[Organization]


def seed_national(url: str) -> SeededDatabase:
    """Migrate and seed the national country; a company member's log-in and API token, and the organizations."""
    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        summary = seed_demo(engine, scale="national", seed=2027)
        print(f"  seeded national in {time.perf_counter() - started:.1f} s")
        member = next(c for c in summary.credentials if c.role is Role.COMPANY_MEMBER)
        with transaction(make_session_factory(engine)) as session:
            user = session.scalars(select(User).where(User.email == member.email)).one()
            _, secret = issue_api_token(session, actor=actor_for(user), name="search benchmark")
            organizations = list(session.scalars(select(Organization).order_by(Organization.id)))
        return SeededDatabase(member, secret, organizations)
    finally:
        engine.dispose()


def request_mix(organizations: list[Organization], count: int) -> list[Request]:
    """A fixed mix of realistic searches: name prefixes (Korean, English), BRN prefixes, filters, both."""
    rng = random.Random(2027)
    region_codes = sorted(regions())
    kinds = [kind.value for kind in OrganizationKind]
    sizes = [size.value for size in SizeBand]

    def korean_prefix() -> str:
        return rng.choice(organizations).name_key[:rng.randint(1, 3)]

    def english_prefix() -> str:
        return (rng.choice(organizations).name_en_key or "dae")[:rng.randint(2, 6)]

    makers = [
        ("korean prefix", 30, lambda: {"q": korean_prefix()}),
        ("english prefix", 15, lambda: {"q": english_prefix()}),
        ("brn prefix", 10, lambda: {"q": rng.choice(organizations).brn[:rng.randint(3, 6)]}),
        ("region", 8, lambda: {"region_code": rng.choice(region_codes)}),
        ("kind", 5, lambda: {"kind": rng.choice(kinds)}),
        ("ksic", 7, lambda: {"ksic_code": rng.choice(BUSY_DIVISIONS)}),
        ("size", 5, lambda: {"size": rng.choice(sizes)}),
        ("filters combined", 8, lambda: {"region_code": rng.choice(region_codes), "kind": "sme",
                                         "ksic_code": rng.choice(BUSY_DIVISIONS), "size": rng.choice(sizes)}),
        ("prefix + filter", 12, lambda: {"q": korean_prefix()[:2], "region_code": rng.choice(region_codes)}),
    ]
    weights = [weight for _, weight, _ in makers]
    requests = []
    for _ in range(count):
        name, _, make = rng.choices(makers, weights=weights)[0]
        params = make()
        if rng.random() < 0.1:
            params["page"] = "2"
        requests.append(Request(name, params))
    return requests


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_app(url: str) -> Iterator[str]:
    """The real app under uvicorn in a child process on a free loopback port."""
    port = free_port()
    env = {**os.environ, "MIDAS_DATABASE_URL": url, "MIDAS_ENVIRONMENT": "development"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "midas.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the app did not start within 30 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def signed_in_client(base: str, database: SeededDatabase, auth: str) -> httpx.Client:
    if auth == "token":
        return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {database.api_token}"}, timeout=30)
    client = httpx.Client(base_url=base, timeout=30)
    form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    if form is None:
        raise RuntimeError("the login page has no CSRF field")
    response = client.post("/login", data={"email": database.member.email, "password": database.member.password,
                                           "csrf_token": form.group(1), "next": "/"})
    if response.status_code != 303:
        raise RuntimeError(f"signing in failed: {response.status_code}")
    return client


def measure(client: httpx.Client, requests: list[Request]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    try:
        for request in requests[:WARM_UP_REQUESTS]:
            client.get(ENDPOINT, params=request.params).raise_for_status()
        for request in requests:
            started = time.perf_counter()
            response = client.get(ENDPOINT, params=request.params)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{request.params} -> {response.status_code}: {response.text[:300]}")
            timings[request.kind].append(elapsed)
            timings["all"].append(elapsed)
    finally:
        client.close()
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(backend: str, timings: dict[str, list[float]]) -> None:
    print(f"\n{backend}: milliseconds per request (client-side, loopback)")
    print(f"  {'query':<18} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for kind in sorted(timings, key=lambda k: (k == "all", k)):
        values = timings[kind]
        print(f"  {kind:<18} {len(values):>4} {statistics.median(values):7.1f} {percentile(values, 0.95):7.1f} "
              f"{percentile(values, 0.99):7.1f} {max(values):7.1f}")
    p95 = percentile(timings["all"], 0.95)
    verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
    print(f"  p95 over all: {p95:.1f} ms (target < {TARGET_P95_MS:.0f} ms: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--auth", choices=("session", "token"), default="session")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.1f} at start; auth: {args.auth}")
    for backend in args.backend or ["sqlite", "postgresql"]:
        print(f"\n== {backend}")
        with sqlite_database() if backend == "sqlite" else postgres_database() as url:
            database = seed_national(url)
            requests = request_mix(database.organizations, args.requests)
            with running_app(url) as base:
                report(backend, measure(signed_in_client(base, database, args.auth), requests))


if __name__ == "__main__":
    main()
