"""The exact assignment of experts to assessments: an integer program over all pairs, solved by pricing.

The integer program, over every eligible pair (assessment a, expert x) with affinity c(a, x)::

    maximise    sum c(a, x) * y(a, x)
    subject to  sum_x y(a, x)                     = k(a)      every assessment gets its k experts
                sum_a y(a, x)                    <= L(x)      every expert's load limit
                sum_{x of employer e} y(a, x)    <= 1         no two experts of one employer on an assessment
                sum_{x of a's region} y(a, x)    <= 1         when the operator limits the company's own region
                y(a, x) in {0, 1};  no variable for a conflicted pair or an expert without load

Tens of millions of pairs are too many to hand to a solver, and almost none of them can be in an optimum. So the
solver works on a small set of pairs (each assessment's best few) and proves that the rest do not matter:

1. Solve the linear relaxation on the pairs held (HiGHS simplex, warm-started from the last round's basis) and
   read its duals.
2. Price *every* eligible pair against the duals, a block of assessments at a time with NumPy. A pair outside the
   model with a positive reduced cost could improve the relaxation: add the best of them and go back to 1. The
   relaxation's value plus the positive reduced costs left is an upper bound over all pairs (LP duality: those
   reduced costs are feasible values for the pairs' bound duals); once none is left, the restricted relaxation
   *is* the relaxation over all pairs.
3. Solve the integer program on the pairs held (HiGHS branch and bound, zero gap); often the relaxation is integral
   already and this step is skipped. If its value is ``floor(upper bound)`` it is optimal over all pairs.
4. Otherwise an integer solution better by at least one point must use pairs whose reduced costs sum to at least
   ``value + 1 - bound``, so every such pair has reduced cost at least that. Adding all of them and solving again
   gives the optimum over all pairs (reduced-cost fixing).

Each assessment also has a slack variable for an empty place, with a penalty larger than any total affinity, so
the models are always feasible; a slack left in the optimum means the problem is infeasible, and the diagnosis in
:mod:`~midas.assessment.assignment.feasibility` names the assessments and the rules that stop them.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from midas.assessment.assignment.affinity import MAX_AFFINITY, affinity
from midas.assessment.assignment.feasibility import input_problems, shortfalls, unfilled_places
from midas.assessment.assignment.greedy import greedy_pairs
from midas.assessment.assignment.instance import Positions, ProblemArrays
from midas.assessment.assignment.model import (
    AssignmentProblem,
    AssignmentResult,
    ExpertAssignment,
    OptimalityCertificate,
)
from midas.errors import InvalidInput, MidasError

Floats = npt.NDArray[np.float64]

# Reduced costs and integrality are compared with this tolerance; affinities are integers, so it is far from 1.
TOLERANCE = 1e-6
CANDIDATES_PER_PLACE = 3
PRICED_PAIRS_PER_ASSESSMENT = 4
MAX_PRICING_ROUNDS = 100
# Threads that price blocks of pairs at once: one per core, at most four (the target machine has two).
WORKERS = max(1, min(4, os.cpu_count() or 1))
# HiGHS's simplex_strategy values, and the share of new columns up to which a re-solve uses primal simplex.
DUAL_SIMPLEX, PRIMAL_SIMPLEX = 1, 4
FEW_NEW_COLUMNS = 0.005


_CONSTRUCTING = threading.Lock()


def quiet_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS prints its licence banner to the process's standard output when an instance is made, before any option
    can silence it (ERGO-Code/HiGHS#1932: "it can't be switched off independently"), which would interleave with
    the CLI's progress output. So the instance is made with file descriptor 1 pointed at the null device for that
    instant, C's stdio buffers flushed before it is put back, and output silenced for everything after.
    """
    with _CONSTRUCTING:
        sys.stdout.flush()
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
            ctypes.CDLL(None).fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
    highs.silent()
    return highs


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Pairs as parallel arrays: assessment positions, expert positions, affinities."""

    rows: Positions
    columns: Positions
    affinity: Positions

    @staticmethod
    def empty() -> _Pairs:
        return _Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))

    def __add__(self, other: _Pairs) -> _Pairs:
        return _Pairs(np.concatenate([self.rows, other.rows]), np.concatenate([self.columns, other.columns]),
                      np.concatenate([self.affinity, other.affinity]))

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True)
class _Duals:
    """The relaxation's duals in the maximising sense: assessments, loads, (assessment, employer), own region."""

    assessment: Floats
    load: Floats
    employer_keys: Positions
    employer: Floats
    own_region: Floats


class _Program:
    """The program over the pairs held, in one HiGHS instance, so that each round starts from the last basis.

    Rows: one equality per assessment (its k places), one load row per expert, one own-region row per assessment
    (empty unless the limit is asked for), then an employer row per (assessment, employer) once it holds two pairs.
    Columns: one slack per assessment (an empty place, at a penalty above any total affinity), then the pairs.
    """

    def __init__(self, arrays: ProblemArrays) -> None:
        self.arrays = arrays
        self.penalty = float(MAX_AFFINITY * int(arrays.needed.sum()) + 1)
        self.pairs = _Pairs.empty()
        self.employer_row: dict[int, int] = {}
        self.lone_pair: dict[int, int] = {}
        self.added_since_solve = 0
        self.highs = quiet_highs()
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        # Devex pricing in dual simplex (HiGHS's simplex_dual_edge_weight_strategy 1): the first relaxation of a
        # half-size benchmark instance solved in 2.4 s against 3.7 s with the default.
        self.highs.setOptionValue("simplex_dual_edge_weight_strategy", 1)
        assessments, experts = arrays.assessments, arrays.experts
        needed = arrays.needed.astype(np.float64)
        self._add_rows(np.concatenate([needed, np.full(experts + assessments, -highspy.kHighsInf)]),
                       np.concatenate([needed, arrays.load.astype(np.float64), np.ones(assessments)]))
        self.highs.addCols(assessments, np.full(assessments, self.penalty), np.zeros(assessments), needed,
                           assessments, np.arange(assessments, dtype=np.int32),
                           np.arange(assessments, dtype=np.int32), np.ones(assessments))

    def _add_rows(self, lower: Floats, upper: Floats) -> None:
        if len(lower) == 0:
            return
        nothing = np.zeros(len(lower), dtype=np.int32)
        self.highs.addRows(len(lower), lower, upper, 0, nothing, np.zeros(0, np.int32), np.zeros(0))

    def add(self, pairs: _Pairs) -> None:
        """Add ``pairs`` (none of them held already) as columns, with the employer rows they now need.

        A group of one pair per (assessment, employer) needs no row (its bound already says "at most one"); the
        row appears when a second pair of the group arrives, and the first pair's coefficient is set then.
        """
        arrays = self.arrays
        keys = (pairs.rows * arrays.employers + arrays.employer[pairs.columns]).tolist()
        first_column = arrays.assessments + len(self.pairs)
        rows_before = arrays.assessments * 2 + arrays.experts + len(self.employer_row)
        new_rows: dict[int, int] = {}
        backfill: list[tuple[int, int]] = []
        arrivals = Counter(keys)
        for key, count in arrivals.items():
            if key in self.employer_row:
                continue
            earlier = self.lone_pair.get(key)
            if earlier is not None or count > 1:
                new_rows[key] = rows_before + len(new_rows)
                if earlier is not None:
                    backfill.append((new_rows[key], earlier))
                    del self.lone_pair[key]
        self._add_rows(np.full(len(new_rows), -highspy.kHighsInf), np.ones(len(new_rows)))
        self.employer_row.update(new_rows)
        for row, column in backfill:
            self.highs.changeCoeff(row, column, 1.0)
        employer_rows = np.array([self.employer_row.get(key, -1) for key in keys], dtype=np.int64)
        for offset, key in enumerate(keys):
            if employer_rows[offset] < 0:
                self.lone_pair[key] = first_column + offset
        own = arrays.own_region(pairs.rows, pairs.columns)
        entries = np.column_stack([
            pairs.rows,
            arrays.assessments + pairs.columns,
            employer_rows,
            np.where(own, arrays.assessments + arrays.experts + pairs.rows, -1),
        ]).reshape(-1)
        entries = entries[entries >= 0]
        counts = 2 + (employer_rows >= 0).astype(np.int64) + own.astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        self.highs.addCols(len(pairs), -pairs.affinity.astype(np.float64), np.zeros(len(pairs)), np.ones(len(pairs)),
                           len(entries), starts, entries.astype(np.int32), np.ones(len(entries)))
        self.pairs = self.pairs + pairs
        self.added_since_solve += len(pairs)

    def _run(self, *, integer: bool = False) -> Floats:
        # New columns leave the last basis primal feasible: a few are priced in by primal simplex in a handful of
        # iterations, where dual simplex would wander for thousands; many new columns are faster with dual simplex.
        # Branch and bound solves its root from scratch, and from scratch primal simplex takes many times longer
        # than dual (433 s against 16 s on the benchmark's first model): an integer solve always uses dual.
        few = not integer and self.added_since_solve <= FEW_NEW_COLUMNS * len(self.pairs)
        self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX if few else DUAL_SIMPLEX)
        self.added_since_solve = 0
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise MidasError("The solver stopped without an optimum: {reason}",
                             {"reason": self.highs.modelStatusToString(status)})
        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)

    def relaxation(self) -> tuple[float, Floats, _Duals]:
        """The linear relaxation's optimum (maximising sense), its column values and its duals."""
        values = self._run()
        # HiGHS minimises the negated affinity and reports duals y with reduced cost c - A'y, so the duals of the
        # maximisation are -y (non-negative on the "at most" rows).
        row_dual = -np.asarray(self.highs.getSolution().row_dual, dtype=np.float64)
        arrays = self.arrays
        loads_end = arrays.assessments + arrays.experts
        employer_keys = np.fromiter(self.employer_row.keys(), dtype=np.int64, count=len(self.employer_row))
        employer_rows = np.fromiter(self.employer_row.values(), dtype=np.int64, count=len(self.employer_row))
        order = np.argsort(employer_keys)
        duals = _Duals(
            assessment=row_dual[: arrays.assessments],
            load=row_dual[arrays.assessments: loads_end],
            employer_keys=employer_keys[order],
            employer=row_dual[employer_rows[order]],
            own_region=row_dual[loads_end: loads_end + arrays.assessments],
        )
        return self._objective(values), values, duals

    def integer(self) -> tuple[float, Floats]:
        """The integer optimum over the pairs held (branch and bound with zero gap)."""
        columns = self.highs.getNumCol()
        self.highs.changeColsIntegrality(columns, np.arange(columns, dtype=np.int32), np.ones(columns, np.uint8))
        values = np.rint(self._run(integer=True))
        return self._objective(values), values

    def integer_near(self, relaxed: Floats) -> tuple[float, Floats] | None:
        """The integer optimum in the neighbourhood of a fractional relaxation, or None when it has none.

        Every pair of an assessment or an expert that a fractional pair touches is free (binary), with those
        assessments' slacks; every other column keeps the integral value the relaxation gave it. Branch and bound
        on the whole model re-solves its root from scratch (minutes on the benchmark); this neighbourhood is a few
        hundred columns. Any integer solution found is feasible for the whole model; whether it is optimal is
        decided by the caller against the bound over all pairs.
        """
        arrays, pairs = self.arrays, self.pairs
        pair_values = relaxed[arrays.assessments:]
        fractional = np.abs(pair_values - np.rint(pair_values)) > TOLERANCE
        rows_touched = np.unique(pairs.rows[fractional])
        free = np.isin(pairs.rows, rows_touched) | np.isin(pairs.columns, np.unique(pairs.columns[fractional]))
        slack_free = np.zeros(arrays.assessments, dtype=np.bool_)
        slack_free[rows_touched] = True
        free_columns = np.concatenate([slack_free, free])
        rounded = np.rint(relaxed)
        lower = np.where(free_columns, 0.0, rounded)
        upper = np.where(free_columns, np.concatenate([arrays.needed.astype(np.float64), np.ones(len(pairs))]),
                         rounded)
        count = len(free_columns)
        indices = np.arange(count, dtype=np.int32)
        self.highs.changeColsBounds(count, indices, lower, upper)
        self.highs.changeColsIntegrality(count, indices, np.ones(count, np.uint8))
        self.highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        self.highs.run()
        solved = self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        values = np.rint(np.asarray(self.highs.getSolution().col_value, dtype=np.float64)) if solved else None
        self.highs.changeColsBounds(count, indices, np.zeros(count),
                                    np.concatenate([arrays.needed.astype(np.float64), np.ones(len(pairs))]))
        self.added_since_solve = len(pairs)  # the next solve starts afresh: dual simplex
        if values is None:
            return None
        return self._objective(values), values

    def _objective(self, values: Floats) -> float:
        slack = values[: self.arrays.assessments]
        return float(self.pairs.affinity @ values[self.arrays.assessments:] - self.penalty * slack.sum())

    def chosen(self, values: Floats) -> tuple[_Pairs, Positions]:
        """The pairs set to one, and the empty places per assessment."""
        picked = values[self.arrays.assessments:] > 0.5
        pairs = _Pairs(self.pairs.rows[picked], self.pairs.columns[picked], self.pairs.affinity[picked])
        return pairs, np.rint(values[: self.arrays.assessments]).astype(np.int64)


def solve_assignment(
    problem: AssignmentProblem, *, candidates_per_place: int = CANDIDATES_PER_PLACE
) -> AssignmentResult:
    """The assignment of maximum total affinity over all eligible pairs, with its proof of optimality.

    ``candidates_per_place`` sets how many pairs per expert place the first model holds (pricing adds what is
    missing, so it changes the speed, never the result). Raises :class:`InvalidInput` when the input is malformed
    or no assignment meets every rule, naming the assessments and the rules that stop them.
    """
    problems = input_problems(problem)
    if problems:
        raise InvalidInput(problems)
    arrays = ProblemArrays(problem)
    program = _Program(arrays)
    program.add(_initial_pairs(arrays, candidates_per_place))
    rounds = 0
    while True:
        rounds += 1
        value, values, duals = program.relaxation()
        added, positive = _price(arrays, program.pairs, duals, threshold=TOLERANCE,
                                 per_assessment=PRICED_PAIRS_PER_ASSESSMENT)
        bound = value + positive
        if len(added) == 0 or rounds >= MAX_PRICING_ROUNDS:
            break
        program.add(added)
    integral = bool(np.all(np.abs(values - np.rint(values)) <= TOLERANCE))
    if integral:
        objective, values = value, np.rint(values)
    else:
        near = program.integer_near(values)
        objective, values = near if near is not None and near[0] >= int(bound + TOLERANCE) else program.integer()
    method = "relaxation-bound"
    if objective < int(bound + TOLERANCE):
        if program.chosen(values)[1].sum() > 0:
            _raise_if_short(arrays)
        closing, _ = _price(arrays, program.pairs, duals, threshold=objective + 1 - bound - TOLERANCE,
                            per_assessment=None)
        program.add(closing)
        objective, values = program.integer()
        method = "reduced-cost-fixing"
    chosen, empty = program.chosen(values)
    if empty.sum() > 0:
        _raise_if_short(arrays)
        raise InvalidInput([unfilled_places(arrays, {int(r): int(empty[r]) for r in np.flatnonzero(empty)})])
    certificate = OptimalityCertificate(
        objective=round(objective),
        upper_bound=float(bound),
        pairs_considered=len(program.pairs),
        pairs_total=_eligible_pair_count(arrays),
        pricing_rounds=rounds,
        method=method,
    )
    return AssignmentResult(assignments=_assignments(arrays, chosen), certificate=certificate)


def _raise_if_short(arrays: ProblemArrays) -> None:
    found = shortfalls(arrays)
    if found:
        raise InvalidInput(found)


def _eligible_pair_count(arrays: ProblemArrays) -> int:
    return sum(int((arrays.scores[rows] >= 0).sum()) for rows in arrays.blocks())


def _initial_pairs(arrays: ProblemArrays, candidates_per_place: int) -> _Pairs:
    """Each assessment's best ``candidates_per_place * k`` eligible experts (ties to the earlier expert) and the
    greedy pairs, which make the first model feasible whenever greedy fills every place."""
    found = _Pairs.empty()
    tie_break = arrays.experts - 1 - np.arange(arrays.experts)
    for rows in arrays.blocks():
        scores = arrays.scores[rows].astype(np.int64)
        # One key orders by affinity, then by earlier position, so ties are broken the same way every time.
        keys = np.where(scores >= 0, scores * arrays.experts + tie_break, -1)
        wanted = min(arrays.experts, max(1, candidates_per_place * int(arrays.needed[rows].max())))
        if wanted < arrays.experts:
            best = np.argpartition(-keys, wanted - 1, axis=1)[:, :wanted]
        else:
            best = np.broadcast_to(np.arange(arrays.experts), (len(rows), arrays.experts))
        local = np.repeat(np.arange(len(rows)), best.shape[1])
        columns = best.reshape(-1).astype(np.int64)
        keep = keys[local, columns] >= 0
        found = found + _Pairs(rows[local[keep]], columns[keep], scores[local[keep], columns[keep]])
    greedy_rows, greedy_columns = greedy_pairs(arrays)
    greedy_affinities = arrays.scores[greedy_rows, greedy_columns].astype(np.int64)
    found = found + _Pairs(greedy_rows, greedy_columns, greedy_affinities)
    _, first = np.unique(arrays.keys(found.rows, found.columns), return_index=True)
    return _Pairs(found.rows[first], found.columns[first], found.affinity[first])


def _price(
    arrays: ProblemArrays, held: _Pairs, duals: _Duals, *, threshold: float, per_assessment: int | None
) -> tuple[_Pairs, float]:
    """Eligible pairs outside the model whose reduced cost exceeds ``threshold``, and the sum of positive ones.

    Blocks of assessments are priced on :data:`WORKERS` threads (NumPy releases the GIL in the array work), and
    their results joined in block order, so the outcome is the same whatever the number of threads.
    """
    pricing = _Pricing(arrays, np.sort(arrays.keys(held.rows, held.columns)), duals, threshold)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        parts = list(pool.map(pricing.block, arrays.blocks()))
    found = _Pairs.empty()
    for pairs, _, _ in parts:
        found = found + pairs
    positive = sum(part[2] for part in parts)
    if per_assessment is not None and len(found):
        cost = np.concatenate([part[1] for part in parts])
        order = np.lexsort((found.columns, -cost, found.rows))
        rows_sorted = found.rows[order]
        rank = np.arange(len(order)) - np.searchsorted(rows_sorted, rows_sorted, side="left")
        take = np.sort(order[rank < per_assessment])
        found = _Pairs(found.rows[take], found.columns[take], found.affinity[take])
    return found, positive


class _Pricing:
    """One pricing pass: the duals, the pairs held and the threshold, applied a block of assessments at a time.

    The duals of the employer and own-region rows are non-negative, so ``affinity - assessment - load`` bounds the
    reduced cost from above: only the few pairs it lets through get their exact reduced cost.
    """

    def __init__(self, arrays: ProblemArrays, held_keys: Positions, duals: _Duals, threshold: float) -> None:
        self.arrays, self.held_keys, self.duals, self.threshold = arrays, held_keys, duals, threshold
        self.assessment32, self.load32 = duals.assessment.astype(np.float32), duals.load.astype(np.float32)
        largest = float(max(np.abs(duals.assessment).max(initial=0.0), np.abs(duals.load).max(initial=0.0)))
        # A single-precision pass with a margin wider than its rounding error lets through every pair that can
        # pass in double precision; those few are then priced in double precision.
        self.cut = min(threshold, TOLERANCE) - (1e-3 + 1e-5 * (MAX_AFFINITY + 2 * largest))

    def block(self, rows: Positions) -> tuple[_Pairs, Floats, float]:
        """The pairs of the assessments at ``rows`` that pass, their reduced costs, and the sum of positive ones."""
        arrays, duals = self.arrays, self.duals
        scores = arrays.scores[rows]
        rough = scores.astype(np.float32)
        rough -= self.assessment32[rows, None]
        rough -= self.load32[None, :]
        passing = rough > self.cut
        passing &= scores >= 0
        local, columns = np.nonzero(passing)
        outside = ~np.isin(arrays.keys(rows[local], columns), self.held_keys)
        local, columns = local[outside], columns[outside]
        optimistic = scores[local, columns] - duals.assessment[rows[local]] - duals.load[columns]
        reduced = optimistic - _side_duals(arrays, duals, rows[local], columns)
        positive = float(reduced[reduced > TOLERANCE].sum())
        wanted = reduced > self.threshold
        pairs = _Pairs(rows[local[wanted]], columns[wanted], scores[local[wanted], columns[wanted]].astype(np.int64))
        return pairs, reduced[wanted], positive


def _side_duals(arrays: ProblemArrays, duals: _Duals, rows: Positions, columns: Positions) -> Floats:
    """The employer-row and own-region-row duals a pair would meet if it joined the model."""
    keys = rows * arrays.employers + arrays.employer[columns]
    employer = np.zeros(len(rows))
    if len(duals.employer_keys):
        at = np.minimum(np.searchsorted(duals.employer_keys, keys), len(duals.employer_keys) - 1)
        employer = np.where(duals.employer_keys[at] == keys, duals.employer[at], 0.0)
    own = np.where(arrays.own_region(rows, columns), duals.own_region[rows], 0.0)
    result: Floats = employer + own
    return result


def _assignments(arrays: ProblemArrays, chosen: _Pairs) -> tuple[ExpertAssignment, ...]:
    made = []
    for row, column in zip(chosen.rows.tolist(), chosen.columns.tolist(), strict=True):
        expert, need = arrays.problem.experts[column], arrays.problem.assessments[row]
        breakdown = affinity(expert, need)
        made.append(ExpertAssignment(need.id, expert.id, breakdown.total, breakdown))
    return tuple(sorted(made))
