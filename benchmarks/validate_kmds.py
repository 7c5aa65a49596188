"""Validation speed: about 10 MB of K-MDS production-performance submodels as AAS JSON.

    .venv/bin/python benchmarks/validate_kmds.py [--megabytes 10] [--repeats 5]

Measures, in one run and on the same bytes, (a) aas-core3.0 alone (json.loads, jsonization, verification) and
(b) midas.standard.validate.validate_bytes with all three layers (schema, constraints, K-MDS conformance) and
the safe reading around them. Prints the median of the repeats (a and b alternate, so both see the same machine)
as seconds, MB/s and submodels/s, and the ratio b/a of their throughputs; the goal is b >= 0.7 x a.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aas_core3 import jsonization, verification
from aas_core3 import types as aas_types

from midas.standard.templates import production_performance_submodel
from midas.standard.validate import Mode, validate_bytes

SHIFT = timedelta(hours=8)


def shift_values(rng: random.Random) -> dict[str, int]:
    """One shift's process variables, consistent the way K-MDS conformance checks them."""
    setup, production, delay = rng.randint(900, 2700), rng.randint(18000, 21600), rng.randint(600, 1800)
    processing = production + setup
    busy = processing + delay
    produced = rng.randint(500, 900)
    scrap, rework = rng.randint(0, 20), rng.randint(0, 10)
    good = produced - scrap - rework
    return {
        "PlannedBusyTime": 28800,
        "PlannedRuntimePerItem": 30,
        "ActualProductionTime": production,
        "ActualUnitSetupTime": setup,
        "ActualUnitProcessingTime": processing,
        "ActualUnitDelayTime": delay,
        "ActualUnitBusyTime": busy,
        "ActualUnitDownTime": 28800 - busy,
        "ActualOrderExecutionTime": busy + 600,
        "ActualQueuingTime": 600,
        "ActualTransportTime": 300,
        "ActualPersonnelWorkTime": busy,
        "ActualPersonnelAttendanceTime": 28800,
        "ProducedQuantity": produced,
        "GoodQuantity": good,
        "ScrapQuantity": scrap,
        "ReworkQuantity": rework,
        "GoodPart": good,
        "InspectedPart": produced,
    }


def environment_of_size(megabytes: float, seed: int = 2027) -> tuple[bytes, int]:
    """AAS JSON of at least ``megabytes`` MB of production-performance submodels, and their number."""
    rng = random.Random(seed)
    start = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
    submodels: list[aas_types.Submodel] = []
    sample = production_performance_submodel(
        work_unit_id="KR-WU-0000",
        period_start=start,
        period_end=start + SHIFT,
        values=shift_values(rng),
        submodel_id="urn:kr:midas:bench:pp:sample",
    )
    per_submodel = len(json.dumps(jsonization.to_jsonable(sample)))
    count = int(megabytes * 1_000_000 / per_submodel) + 1
    for n in range(count):
        period_start = start + n * SHIFT
        submodels.append(
            production_performance_submodel(
                work_unit_id=f"KR-WU-{n % 40:04d}",
                period_start=period_start,
                period_end=period_start + SHIFT,
                values=shift_values(rng),
                order_id=f"ORD-{n:06d}",
                submodel_id=f"urn:kr:midas:bench:pp:{n}",
            )
        )
    environment = aas_types.Environment(submodels=submodels)
    return json.dumps(jsonization.to_jsonable(environment), ensure_ascii=False).encode("utf-8"), count


def aas_core_alone(data: bytes) -> None:
    environment = jsonization.environment_from_jsonable(json.loads(data))
    errors = list(verification.verify(environment))
    if errors:
        raise SystemExit(f"the benchmark data is not valid: {errors[0].path} {errors[0].cause}")


def three_layers(data: bytes) -> None:
    result = validate_bytes(data, filename="production-performance.json", mode=Mode.STRICT, max_bytes=len(data))
    if not result.report.valid:
        first = result.report.findings[0]
        raise SystemExit(f"the benchmark data is not valid: {first.rule} {first.path} {first.english()}")


def timed(work: Callable[[bytes], None], data: bytes) -> float:
    started = time.perf_counter()
    work(data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()

    data, submodels = environment_of_size(arguments.megabytes)
    megabytes = len(data) / 1_000_000
    print(f"{megabytes:.1f} MB of AAS JSON, {submodels} production-performance submodels")
    timed(three_layers, data)  # warm-up: compiles the schema once, as a running server would have
    alone: list[float] = []
    layered: list[float] = []
    for _ in range(arguments.repeats):
        alone.append(timed(aas_core_alone, data))
        layered.append(timed(three_layers, data))
    for label, seconds in (
        ("(a) aas-core3.0 deserialize + verify", statistics.median(alone)),
        ("(b) three layers (validate_bytes)  ", statistics.median(layered)),
    ):
        print(f"{label}  {seconds:6.2f} s  {megabytes / seconds:6.2f} MB/s  {submodels / seconds:8.1f} submodels/s")
    ratio = statistics.median(alone) / statistics.median(layered)
    print(f"throughput (b)/(a) = {ratio:.2f}  (goal >= 0.70: {'met' if ratio >= 0.7 else 'NOT met'})")


if __name__ == "__main__":
    main()
