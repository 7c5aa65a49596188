"""Validation at ingestion: the full four-layer path against the fast certificate, per production record.

    .venv/bin/python benchmarks/validate_fast.py [--records 20000] [--seed 6]

Builds distinct, valid ProductionPerformance records (every record its own work unit, period and numbers, so
no timestamp repeats and nothing is served from a cache), then a mix in which 10 % of them break one K-MDS rule
each. Prints µs per record of (a) ``validate_record`` (the full path), (b) ``certify`` alone and (c)
``error_findings`` (certify, then the full path for what it does not certify), on both sets, with the ratio
a / c. Issue #6's target for (c) on valid records is at most 15 µs.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from midas.standard.fast_records import certify
from midas.standard.records import error_findings, is_valid, validate_record

TEMPLATE = "ProductionPerformance"
SEOUL = timezone(timedelta(hours=9))
BREAKS: tuple[Callable[[dict[str, Any]], None], ...] = (
    lambda record: record.update(GoodQuantity=record["ProducedQuantity"] + 1),
    lambda record: record.update(PeriodEnd=record["PeriodStart"]),
    lambda record: record.update(ActualUnitSetupTime=-5),
    lambda record: record.update(PeriodStart=record["PeriodStart"][:19]),
    lambda record: record.update(ActualUnitBusyTime=record["ActualUnitBusyTime"] + 5000),
    lambda record: record.pop("WorkUnitId"),
)


def valid_record(index: int, rng: random.Random) -> dict[str, Any]:
    """One shift of one work unit, consistent the way K-MDS conformance checks it."""
    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=index * 7 + rng.randint(0, 6))
    setup, production, delay = rng.randint(900, 2700), rng.randint(18000, 21600), rng.randint(600, 1800)
    busy = production + setup + delay
    produced = rng.randint(500, 900)
    scrap, rework = rng.randint(0, 20), rng.randint(0, 10)
    return {
        "WorkUnitId": f"HB-CW-M-L{index % 40}-P{index:05d}",
        "PeriodKind": "Shift",
        "PeriodStart": start.astimezone(SEOUL).isoformat(),
        "PeriodEnd": (start + timedelta(hours=8)).astimezone(SEOUL).isoformat(),
        "ShiftName": "주간",
        "OrderId": f"PO-2025-{index:06d}",
        "ProductId": "BRK-100",
        "OperationId": "OP10-PRESS",
        "QuantityUnit": "pcs",
        "PlannedBusyTime": 28800,
        "PlannedRuntimePerItem": 30,
        "ActualProductionTime": production,
        "ActualUnitSetupTime": setup,
        "ActualUnitProcessingTime": production + setup,
        "ActualUnitDelayTime": delay,
        "ActualUnitBusyTime": busy,
        "ActualUnitDownTime": 28800 - busy,
        "ProducedQuantity": produced,
        "GoodQuantity": produced - scrap - rework,
        "ScrapQuantity": scrap,
        "ReworkQuantity": rework,
        "InspectedPart": produced,
    }


def mixed(records: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """A copy of the records in which every tenth breaks one rule."""
    result = [dict(record) for record in records]
    for index in range(0, len(result), 10):
        rng.choice(BREAKS)(result[index])
    return result


def microseconds_per_record(check: Callable[[str, object], object], records: list[dict[str, Any]]) -> float:
    started = time.process_time()
    for record in records:
        check(TEMPLATE, record)
    return (time.process_time() - started) / len(records) * 1e6


def report(label: str, records: list[dict[str, Any]]) -> None:
    refused = sum(1 for record in records if error_findings(TEMPLATE, record))
    full = microseconds_per_record(validate_record, records)
    fast_only = microseconds_per_record(certify, records)
    fast = microseconds_per_record(error_findings, records)
    print(f"{label}: {len(records):,} records, {refused:,} refused")
    print(f"  full path (validate_record)   {full:9.1f} µs/record")
    print(f"  certify alone                 {fast_only:9.1f} µs/record")
    print(f"  error_findings (fast path)    {fast:9.1f} µs/record   full / fast = {full / fast:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=6)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    records = [valid_record(index, rng) for index in range(options.records)]
    assert all(is_valid(validate_record(TEMPLATE, record)) for record in records[:200])
    report("valid", records)
    report("10 % invalid", mixed(records, rng))


if __name__ == "__main__":
    main()
