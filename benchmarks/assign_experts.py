"""Benchmark: the exact expert assignment on the national scale, against the greedy baseline.

25,000 assessments x 2 experts over a pool of 2,000 experts, about 1% of the pairs in conflict, load limits of
20 to 35 assessments per expert (10% more places than needed), the own-region limit asked for half of the
companies. The instance is seeded, so every run solves the same problem. Target: an optimal assignment in
under 60 s on 2 cores.

    python benchmarks/assign_experts.py [--assessments N] [--experts N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import numpy as np

from midas.assessment.assignment import (
    AssessmentNeed,
    AssignmentProblem,
    ConflictPair,
    ExpertProfile,
    greedy_assignment,
    solve_assignment,
)

# Where manufacturers and experts are, roughly: the capital area and Yeongnam weigh most.
REGIONS = {"11": 6, "26": 5, "27": 5, "28": 6, "29": 2, "30": 2, "31": 3, "36": 1, "41": 30, "51": 2, "43": 5,
           "44": 7, "52": 3, "46": 3, "47": 8, "48": 11, "50": 1}
DIVISIONS = [str(d) for d in range(10, 34)]
TECHNOLOGIES = ["MES", "ERP", "PLM", "SCADA", "PLC", "vision-inspection", "predictive-maintenance", "digital-twin",
                "AGV", "robotics", "IIoT-sensors", "energy-management", "quality-analytics", "APS", "WMS", "cloud",
                "OT-security", "machine-learning", "AR-work-guidance", "additive-manufacturing", "OPC-UA", "AAS",
                "traceability", "CAD-CAM"]


def make_problem(assessments: int, experts: int, seed: int, conflict_share: float = 0.01) -> AssignmentProblem:
    rnd = random.Random(seed)
    regions, weights = list(REGIONS), list(REGIONS.values())
    pool = tuple(
        ExpertProfile(
            id=f"X{n:05d}",
            expertise=frozenset(rnd.sample(DIVISIONS, rnd.randint(2, 4))),
            technologies=frozenset(rnd.sample(TECHNOLOGIES, rnd.randint(3, 6))),
            region=rnd.choices(regions, weights)[0],
            employer=f"E{rnd.randrange(experts // 5):04d}",
            years_of_experience=rnd.randint(3, 35),
            load_limit=rnd.randint(20, 35),
        )
        for n in range(experts)
    )
    needs = tuple(
        AssessmentNeed(
            id=f"A{n:06d}",
            industry=rnd.choice(DIVISIONS),
            technologies=frozenset(rnd.sample(TECHNOLOGIES, rnd.randint(1, 4))),
            region=rnd.choices(regions, weights)[0],
            experts_needed=2,
            limit_own_region=rnd.random() < 0.5,
        )
        for n in range(assessments)
    )
    generator = np.random.default_rng(seed)
    keys = np.unique(generator.integers(0, assessments * experts, int(conflict_share * assessments * experts)))
    conflicts = frozenset(
        ConflictPair(pool[key % experts].id, needs[key // experts].id) for key in keys.tolist()
    )
    return AssignmentProblem(experts=pool, assessments=needs, conflicts=conflicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=25_000)
    parser.add_argument("--experts", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2027)
    options = parser.parse_args()

    started = time.perf_counter()
    problem = make_problem(options.assessments, options.experts, options.seed)
    print(f"instance: {options.assessments:,} assessments x 2 experts, {options.experts:,} experts, "
          f"{len(problem.conflicts):,} conflict pairs, built in {time.perf_counter() - started:.1f} s")

    wall, cpu = time.perf_counter(), time.process_time()
    result = solve_assignment(problem)
    solve_wall, solve_cpu = time.perf_counter() - wall, time.process_time() - cpu
    certificate = result.certificate

    wall, cpu = time.perf_counter(), time.process_time()
    greedy = greedy_assignment(problem)
    greedy_wall, greedy_cpu = time.perf_counter() - wall, time.process_time() - cpu

    gap = 100.0 * (result.objective - greedy.objective) / result.objective
    print(f"exact:  objective {result.objective:,}  wall {solve_wall:.1f} s  cpu {solve_cpu:.1f} s  "
          f"({certificate.method}; LP bound {certificate.upper_bound:,.1f}; {certificate.pricing_rounds} pricing "
          f"rounds; {certificate.pairs_considered:,} of {certificate.pairs_total:,} eligible pairs in the model)")
    print(f"greedy: objective {greedy.objective:,}  wall {greedy_wall:.1f} s  cpu {greedy_cpu:.1f} s  "
          f"({len(greedy.unfilled):,} assessments left short)")
    print(f"gap: greedy is {gap:.2f}% below the optimum")
    print(f"mean affinity per pair: exact {result.objective / len(result.assignments):.2f}, "
          f"greedy {greedy.objective / max(len(greedy.assignments), 1):.2f}")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
