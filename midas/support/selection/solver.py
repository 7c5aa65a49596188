"""The proven optimal selection of applications under track budgets, region budgets and regional quotas.

Candidates identical in everything the model sees (track, region, score, requested grant; quota membership
follows from the region) are interchangeable. They are grouped into classes, and the integer program decides only
*how many* of each class ``c`` to fund, ``n_c`` in ``[0, size_c]``::

    maximise    sum_c v_c n_c                                   v_c: a member's value (score, or weighted value)
    subject to  sum_{c in track t} g_c n_c            <= B_t      every track budget
                sum_{c in (t, r)} g_c n_c             <= B_t,r    every region budget of a track
                sum_{c in q's tracks} (100 [r_c in R_q] - s_q) m_c n_c >= 0
                                                                every quota: a share s_q % of the measure m
                                                                (1 or the grant) goes to the regions R_q
                n_c integer

The optimum is proven in one of two ways (``SelectionResult.method``):

- ``"decomposition"``: without the track budgets and the quotas the program falls apart into one knapsack per
  region budget (and one per track for its regions without a budget), each solved exactly by dynamic programming
  (:mod:`~midas.support.selection.cells`). Their optima add up to an upper bound on every selection; when their
  solutions together keep the track budgets and the quotas too, they are optimal. This is the usual case when a
  track's money is split among its regions, and it takes a second or two for 25,000 applications, where HiGHS
  needed over 40 s to close the small gaps of 85 knapsacks at once on 5,000.
- ``"branch-and-bound"``: otherwise HiGHS (through :func:`scipy.optimize.milp`, which prints nothing, unlike a
  ``highspy.Highs`` instance whose constructor prints a banner) solves the program with a zero gap. Values are
  integers, so the optimum it proves is exact. Each row is divided by the greatest common divisor of its
  coefficients (its bound rounded down), which is exact for integers and keeps KRW amounts of 10^8 to 10^11 away
  from the solver's tolerances.

Either way the counts are checked again in exact integer arithmetic before they are used.

Which members of a partly funded class are funded is decided by the public lottery
(:mod:`~midas.support.selection.lottery`). To recompute a draw from the published seed:

1. For every candidate, ``ticket = hashlib.sha256(f"{seed}:{candidate_id}".encode("utf-8")).hexdigest()``.
2. Group the candidates by (track, region, score, grant_krw).
3. Sort each group by (ticket, candidate_id); if the selection funds ``n`` of the group, the first ``n`` are
   funded (the result lists ``n`` and every ticket under ``lottery``).

The draw is so deterministic and open to anyone, and the model has a variable per class, not per candidate.
"""

from __future__ import annotations

import math
from math import gcd

import numpy as np

from midas.errors import InvalidInput, MidasError
from midas.support.selection.cells import knapsack
from midas.support.selection.explain import DEFAULT_PER_SIDE, explain_marginal
from midas.support.selection.greedy import rank_list_selection
from midas.support.selection.ledger import Ledger
from midas.support.selection.lottery import CandidateClass, group_into_classes, rank_order, ticket
from midas.support.selection.model import (
    Candidate,
    LotteryDraw,
    LotteryTicket,
    SelectionProblem,
    SelectionResult,
    value_of,
)
from midas.support.selection.validation import input_problems

# scipy.optimize.milp's status codes, in the words a result reports.
STATUS = {0: "optimal", 1: "time or node limit reached", 2: "infeasible", 3: "unbounded", 4: "solver error"}


def select_applications(problem: SelectionProblem, *, per_side: int = DEFAULT_PER_SIDE,
                        time_limit: float | None = None) -> SelectionResult:
    """Fund the candidates that maximise the objective within every budget and quota, and explain the line.

    ``per_side`` is how many funded and unfunded candidates per track the explanation lists; ``time_limit``
    (seconds) stops HiGHS early (the decomposition needs none), when the status says so and the result keeps the
    best selection found with the bound proven so far.
    Raises :class:`InvalidInput` naming every problem of the input.
    """
    problems = input_problems(problem)
    if problems:
        raise InvalidInput(problems)
    candidates = problem.candidates
    tickets = [ticket(problem.seed, c.id) for c in candidates]
    classes = group_into_classes(candidates, tickets)
    counts, upper_bound, status, method = _solve_counts(problem, classes, time_limit)

    funded = [False] * len(candidates)
    ledger = Ledger(problem)
    draws = []
    for group, count in zip(classes, counts, strict=True):
        for position in group.members[:count]:
            funded[position] = True
            ledger.add(candidates[position])
        if 0 < count < group.size:
            draws.append(LotteryDraw(group.track, group.region, group.score, group.grant_krw, count, tuple(
                LotteryTicket(candidates[p].id, tickets[p], rank < count) for rank, p in enumerate(group.members))))
    _check_rules(ledger)
    objective = sum(value_of(candidates[p], problem.objective) for p in range(len(candidates)) if funded[p])
    _, greedy_objective = rank_list_selection(problem, tickets)
    if greedy_objective:
        gain = 100.0 * (objective - greedy_objective) / greedy_objective
    else:
        gain = math.inf if objective else 0.0
    ranked = rank_order(candidates, tickets, range(len(candidates)))
    return SelectionResult(
        funded=tuple(candidates[p].id for p in ranked if funded[p]),
        waitlist=tuple(candidates[p].id for p in ranked if not funded[p]),
        objective=objective,
        # HiGHS's bound may sit a rounding error below a proven optimum; the proven bound is then the optimum.
        upper_bound=upper_bound if status != "optimal" else max(upper_bound, float(objective)),
        status=status,
        method=method,
        greedy_objective=greedy_objective,
        gain_percent=gain,
        budget_use=ledger.budget_use(),
        quota_use=ledger.quota_use(),
        marginal=explain_marginal(problem, tickets, classes, counts, funded, ledger, per_side),
        lottery=tuple(draws),
        classes=len(classes),
    )


def _row(columns: list[int], coefficients: list[int], bound: int, rows: list[tuple[list[int], list[int], int]]) -> None:
    """Add the row ``sum coefficients * n[columns] <= bound``, divided through by its coefficients' gcd."""
    divisor = 0
    for coefficient in coefficients:
        divisor = gcd(divisor, coefficient)
    if divisor == 0:
        return
    rows.append((columns, [c // divisor for c in coefficients], bound // divisor))


def _solve_counts(problem: SelectionProblem, classes: list[CandidateClass],
                  time_limit: float | None) -> tuple[list[int], float, str, str]:
    """How many of each class to fund, the proven upper bound, the solver's status and the method that proved it."""
    if not classes:
        return [], 0.0, "optimal", "decomposition"
    values = [value_of(Candidate("", g.track, g.region, g.score, g.grant_krw), problem.objective) for g in classes]
    decomposed = _decompose(problem, classes, values)
    if decomposed is not None:
        return decomposed, float(sum(v * n for v, n in zip(values, decomposed, strict=True))), "optimal", \
            "decomposition"
    # Rows as "<= bound"; a quota's ">= 0" is written as its negation "<= 0".
    rows: list[tuple[list[int], list[int], int]] = []
    by_track: dict[str, list[int]] = {}
    by_region: dict[tuple[str, str], list[int]] = {}
    for index, group in enumerate(classes):
        by_track.setdefault(group.track, []).append(index)
        by_region.setdefault((group.track, group.region), []).append(index)
    for budget in problem.track_budgets:
        members = by_track.get(budget.track, [])
        _row(members, [classes[k].grant_krw for k in members], budget.budget_krw, rows)
    for part in problem.region_budgets:
        members = by_region.get((part.track, part.region), [])
        _row(members, [classes[k].grant_krw for k in members], part.budget_krw, rows)
    for quota in problem.quotas:
        members = [k for k, g in enumerate(classes) if quota.track is None or g.track == quota.track]
        coefficients = [
            -(100 * (classes[k].region in quota.regions) - quota.min_share_percent)
            * (classes[k].grant_krw if quota.measure == "amount" else 1)
            for k in members
        ]
        kept = [(k, c) for k, c in zip(members, coefficients, strict=True) if c != 0]
        _row([k for k, _ in kept], [c for _, c in kept], 0, rows)
    # Imported here: scipy.optimize takes longer to import than the rest of a CLI command or a worker, which
    # mostly never solve a selection.
    from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]
    from scipy.sparse import csr_array  # type: ignore[import-untyped]

    sizes = np.array([g.size for g in classes], dtype=np.float64)
    constraints = []
    if rows:
        row_index = np.repeat(np.arange(len(rows)), [len(columns) for columns, _, _ in rows])
        column_index = np.concatenate([np.array(columns, dtype=np.int64) for columns, _, _ in rows])
        data = np.concatenate([np.array(coefficients, dtype=np.float64) for _, coefficients, _ in rows])
        matrix = csr_array((data, (row_index, column_index)), shape=(len(rows), len(classes)))
        upper = np.array([bound for _, _, bound in rows], dtype=np.float64)
        constraints.append(LinearConstraint(matrix, np.full(len(rows), -np.inf), upper))
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "disp": False}
    if time_limit is not None:
        options["time_limit"] = time_limit
    result = milp(-np.array(values, dtype=np.float64), integrality=np.ones(len(classes)),
                  bounds=Bounds(np.zeros(len(classes)), sizes), constraints=constraints, options=options)
    if result.x is None:
        raise MidasError("The solver found no selection: {status}",
                         {"status": STATUS.get(result.status, "unknown")})
    # Counts are at least 0, so adding a half and truncating rounds the solver's near-integers.
    counts = [int(x + 0.5) for x in result.x.tolist()]
    # The dual bound is of the minimisation scipy solves; without one (solved in presolve) the optimum is the bound.
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else -float(result.fun)
    return counts, bound, STATUS.get(result.status, "unknown"), "branch-and-bound"


def _decompose(problem: SelectionProblem, classes: list[CandidateClass], values: list[int]) -> list[int] | None:
    """The optimum of the problem without its coupling rules (:mod:`~midas.support.selection.cells`), when it keeps
    them all and is therefore optimal; None when a knapsack is too large or a coupling rule is broken."""
    parts = {(p.track, p.region): p.budget_krw for p in problem.region_budgets}
    budgets = {b.track: b.budget_krw for b in problem.track_budgets}
    knapsacks: dict[tuple[str, str | None], list[int]] = {}
    for index, group in enumerate(classes):
        key = (group.track, group.region) if (group.track, group.region) in parts else (group.track, None)
        knapsacks.setdefault(key, []).append(index)
    counts = [0] * len(classes)
    for (track, region), members in knapsacks.items():
        budget = budgets[track] if region is None else parts[(track, region)]
        solved = knapsack([values[k] for k in members], [classes[k].grant_krw for k in members],
                          [classes[k].size for k in members], budget)
        if solved is None:
            return None
        for k, count in zip(members, solved[1], strict=True):
            counts[k] = count
    spent: dict[str, int] = dict.fromkeys(budgets, 0)
    for group, count in zip(classes, counts, strict=True):
        spent[group.track] += count * group.grant_krw
    if any(spent[track] > budgets[track] for track in budgets):
        return None
    for quota in problem.quotas:
        inside = total = 0
        for group, count in zip(classes, counts, strict=True):
            if count and (quota.track is None or group.track == quota.track):
                measure = count * (group.grant_krw if quota.measure == "amount" else 1)
                total += measure
                inside += measure if group.region in quota.regions else 0
        if 100 * inside < quota.min_share_percent * total:
            return None
    return counts


def _check_rules(ledger: Ledger) -> None:
    """The solver works in floating point; the selection is checked once more in exact integers."""
    broken = [use for use in ledger.budget_use() if use.remaining_krw < 0]
    if broken or ledger.violated_quota() is not None:
        raise MidasError("The solver's selection breaks a budget or a quota; it was not used")
