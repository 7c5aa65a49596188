"""The greedy baseline: each assessment in turn takes its best experts still available.

This is what a person with a spreadsheet would do, and what the exact solver is measured against: it meets every
rule, but an early assessment may take an expert that a later one needed more, and it may leave places empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from midas.assessment.assignment.affinity import affinity
from midas.assessment.assignment.instance import Positions, ProblemArrays
from midas.assessment.assignment.model import AssignmentProblem, ExpertAssignment


@dataclass(frozen=True, slots=True)
class GreedyResult:
    """The greedy assignment, sorted, and the assessments it left short of experts."""

    assignments: tuple[ExpertAssignment, ...]
    unfilled: tuple[str, ...]

    @property
    def objective(self) -> int:
        return sum(a.affinity for a in self.assignments)


def greedy_assignment(problem: AssignmentProblem) -> GreedyResult:
    """Assessments in input order each take the highest-affinity experts that every rule still allows."""
    arrays = ProblemArrays(problem)
    rows, columns = greedy_pairs(arrays)
    made = []
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        breakdown = affinity(problem.experts[column], problem.assessments[row])
        made.append(ExpertAssignment(problem.assessments[row].id, problem.experts[column].id, breakdown.total,
                                     breakdown))
    filled = np.bincount(rows, minlength=arrays.assessments)
    unfilled = tuple(problem.assessments[row].id for row in np.flatnonzero(filled < arrays.needed).tolist())
    return GreedyResult(assignments=tuple(sorted(made)), unfilled=unfilled)


def greedy_pairs(arrays: ProblemArrays) -> tuple[Positions, Positions]:
    """The greedy pairs as (assessment positions, expert positions); the exact solver starts from them too."""
    remaining = arrays.load.copy()
    made_rows: list[int] = []
    made_columns: list[int] = []
    tie_break = arrays.experts - 1 - np.arange(arrays.experts)
    for rows in arrays.blocks():
        scores = arrays.scores[rows].astype(np.int64)
        # Unique keys: affinity first, the earlier expert on a tie; -1 marks a pair that may not be made.
        keys = np.where(scores >= 0, scores * arrays.experts + tie_break, -1)
        for local, row in enumerate(rows.tolist()):
            made = _pick(arrays, row, keys[local], remaining)
            made_rows.extend([row] * len(made))
            made_columns.extend(made)
    return np.array(made_rows, dtype=np.int64), np.array(made_columns, dtype=np.int64)


def _pick(arrays: ProblemArrays, row: int, keys: Positions, remaining: Positions) -> list[int]:
    """The experts one assessment takes, best key first, under the load, employer and own-region rules."""
    need = arrays.problem.assessments[row]
    # The walk over a short sorted head makes the same choices as over the whole sorted row, so the whole row is
    # sorted only when the head runs out before the places are filled.
    head = 4 * need.experts_needed + 8
    picked: list[int] = []
    if head < len(keys):
        order = np.argpartition(-keys, head - 1)[:head]
        picked = _walk(arrays, row, order[np.argsort(-keys[order])], keys, remaining)
    if len(picked) < need.experts_needed:
        picked = _walk(arrays, row, np.argsort(-keys), keys, remaining)
    for column in picked:
        remaining[column] -= 1
    return picked


def _walk(arrays: ProblemArrays, row: int, order: Positions, keys: Positions, remaining: Positions) -> list[int]:
    need = arrays.problem.assessments[row]
    employers: set[int] = set()
    own_taken = False
    picked: list[int] = []
    for column in order.tolist():
        if len(picked) == need.experts_needed or keys[column] < 0:
            break
        own = need.limit_own_region and arrays.problem.experts[column].region == need.region
        if remaining[column] <= 0 or int(arrays.employer[column]) in employers or (own and own_taken):
            continue
        employers.add(int(arrays.employer[column]))
        own_taken = own_taken or own
        picked.append(column)
    return picked
