"""Benchmark: `midas seed --scale national` on a fresh SQLite file.

Target (issue "national-scale demo"): under 120 s on a 2-core machine. Prints the time of each phase and the
size of the database file. Run from the project root:

    .venv/bin/python benchmarks/seed_national.py [--seed 2027] [--keep]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from midas import migrations
from midas.db import make_engine
from midas.demo import seed_demo

TARGET_SECONDS = 120


def database_bytes(path: Path) -> int:
    """The file and what SQLite may still hold beside it (write-ahead log, shared memory)."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--keep", action="store_true", help="keep the database file and print where it is")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="midas-seed-bench-"))
    path = folder / "national.db"
    url = f"sqlite:///{path}"
    print(f"machine: {os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.1f} at start")

    started = time.perf_counter()
    migrations.upgrade(url)
    migrated = time.perf_counter()
    engine = make_engine(url)
    summary = seed_demo(engine, scale="national", seed=args.seed)
    engine.dispose()  # the last connection checkpoints the write-ahead log into the file
    seeded = time.perf_counter()

    seed_seconds = seeded - migrated
    print(f"migrations:     {migrated - started:6.1f} s")
    print(f"seed national:  {seed_seconds:6.1f} s  (target < {TARGET_SECONDS} s: "
          f"{'met' if seed_seconds < TARGET_SECONDS else 'MISSED'})")
    print(f"rows:           {summary.organizations:,} organizations, {summary.factories:,} factories, "
          f"{summary.contacts:,} contacts, {summary.users} users")
    print(f"database size:  {database_bytes(path) / 1_000_000:6.1f} MB")
    if args.keep:
        print(f"kept: {path}")
    else:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
