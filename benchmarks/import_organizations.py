"""Bulk import speed: 10,000 organizations from an .xlsx and a .csv file into a fresh SQLite database.

    .venv/bin/python benchmarks/import_organizations.py [--rows 10000] [--database-url postgresql+psycopg://...]

Prints, per format, the seconds to read the file, the seconds for the whole import (read, check every row
against the registry, bulk insert, audit event, commit), the CPU seconds this process spent on it, and rows
per second. With --database-url the rows go
into that (already migrated, disposable) database instead of a new SQLite file.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from midas import migrations
from midas.auth import SYSTEM
from midas.db import make_engine, make_session_factory, transaction
from midas.registry import complete_brn, ksic_divisions, regions
from midas.registry.importing import (
    ORGANIZATION_COLUMNS,
    ImportKind,
    import_registry_file,
    read_table,
)
from midas.registry.spreadsheets import TemplateFormat

KINDS = ("중소기업", "중소기업", "중소기업", "중견기업", "대기업", "기술공급기업")
SYLLABLES = "한빛대성세진동아태양미래우리신한현대금강삼성진흥국제정밀기계"
HEADERS = [c.header for c in ORGANIZATION_COLUMNS]


def organization_rows(count: int, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    region_names = [r.name_ko for r in regions().values()]
    divisions = list(ksic_divisions())
    rows: list[list[object]] = []
    for n in range(count):
        name = "".join(rng.choice(SYLLABLES) for _ in range(3))
        rows.append([
            complete_brn(f"{seed % 9 + 1}{n:08d}"), f"(주){name}{n}", f"{name} Co., Ltd.", rng.choice(KINDS),
            rng.choice(divisions), rng.choice(region_names), rng.randint(1, 900), rng.randint(0, 90) * 100_000_000,
            rng.randint(1960, 2023), "김민준", f"경기도 화성시 공단로 {n}", None,
        ])
    return rows


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    # A normal workbook, as Excel saves it: with the sheet's dimension, which openpyxl's reader relies on.
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode("cp949")  # what Korean Excel writes


def measure(fmt: TemplateFormat, data: bytes, rows: int, database_url: str) -> None:
    limit = len(data) + 1
    started = time.perf_counter()
    read_table(data, file_name=f"bench.{fmt.value}", max_bytes=limit)
    read_seconds = time.perf_counter() - started
    engine = make_engine(database_url)
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        with transaction(make_session_factory(engine)) as session:
            report = import_registry_file(session, actor=SYSTEM, kind=ImportKind.ORGANIZATIONS, data=data,
                                          file_name=f"bench.{fmt.value}", max_bytes=limit)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        engine.dispose()
    if report.imported_rows != rows:
        raise SystemExit(f"the import was refused: {report.problems[:5]}")
    # CPU seconds of this process as well: on a shared machine the wall clock also counts other people's work.
    print(f"{fmt.value:>4}: {len(data) / 1e6:6.2f} MB, read {read_seconds:5.2f} s, import {seconds:5.2f} s "
          f"(CPU {cpu_seconds:5.2f} s), {rows / seconds:8,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(f"Importing {args.rows:,} organizations")
    for seed, fmt in enumerate(TemplateFormat, start=1):
        rows = organization_rows(args.rows, seed)
        data = xlsx_bytes(rows) if fmt is TemplateFormat.XLSX else csv_bytes(rows)
        if args.database_url:
            measure(fmt, data, args.rows, args.database_url)
            continue
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            migrations.upgrade(url)
            measure(fmt, data, args.rows, url)


if __name__ == "__main__":
    main()
