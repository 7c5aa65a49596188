"""An :class:`AssignmentProblem` as arrays of positions, the form the solver, the baseline and the diagnosis share.

Experts and assessments are numbered by their position in the problem; a pair is the key
``assessment * experts + expert`` so that sets of pairs are sorted integer arrays, not Python sets of tuples.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np
import numpy.typing as npt

from midas.assessment.assignment.affinity import AffinityTable
from midas.assessment.assignment.model import AssignmentProblem

Positions = npt.NDArray[np.int64]

# About this many pair affinities are held in memory at once (a block of assessments x every expert).
PAIRS_PER_BLOCK = 2_000_000


class ProblemArrays:
    """The problem's numbers: loads, employers, needs, conflicts and the affinity table."""

    def __init__(self, problem: AssignmentProblem) -> None:
        self.problem = problem
        self.experts = len(problem.experts)
        self.assessments = len(problem.assessments)
        self.table = AffinityTable(problem.experts, problem.assessments)
        employers = {name: n for n, name in enumerate(sorted({e.employer for e in problem.experts}))}
        self.employer: Positions = np.array([employers[e.employer] for e in problem.experts], dtype=np.int64)
        self.employers = len(employers)
        self.load: Positions = np.array([e.load_limit for e in problem.experts], dtype=np.int64)
        self.needed: Positions = np.array([n.experts_needed for n in problem.assessments], dtype=np.int64)
        self.limit_own_region = np.array([n.limit_own_region for n in problem.assessments], dtype=np.bool_)
        expert_at = {e.id: n for n, e in enumerate(problem.experts)}
        assessment_at = {a.id: n for n, a in enumerate(problem.assessments)}
        keys = [
            assessment_at[c.assessment_id] * self.experts + expert_at[c.expert_id]
            for c in problem.conflicts
            if c.assessment_id in assessment_at and c.expert_id in expert_at
        ]
        self.conflict_keys: Positions = np.unique(np.array(keys, dtype=np.int64))

    def blocks(self) -> Iterator[Positions]:
        """Consecutive runs of assessment positions, each small enough to hold its pairs in memory."""
        size = max(1, PAIRS_PER_BLOCK // max(self.experts, 1))
        for start in range(0, self.assessments, size):
            yield np.arange(start, min(start + size, self.assessments), dtype=np.int64)

    def eligible(self, rows: Positions) -> npt.NDArray[np.bool_]:
        """Which pairs of the assessments at ``rows`` (a consecutive run) may be made: no conflict, and load left."""
        mask = np.broadcast_to(self.load[None, :] > 0, (len(rows), self.experts)).copy()
        low, high = rows[0] * self.experts, (rows[-1] + 1) * self.experts
        inside = self.conflict_keys[(self.conflict_keys >= low) & (self.conflict_keys < high)] - low
        mask.reshape(-1)[inside] = False
        return mask

    @cached_property
    def scores(self) -> npt.NDArray[np.int8]:
        """Every pair's affinity (0 to 100 fits a byte), -1 where the pair may not be made; assessments x experts.

        Computed once: the solver reads it on every pricing round, and 50 million pairs take 50 MB this way.
        """
        matrix = np.empty((self.assessments, self.experts), dtype=np.int8)
        for rows in self.blocks():
            matrix[rows] = np.where(self.eligible(rows), self.table.block(rows), -1)
        return matrix

    def keys(self, rows: Positions, columns: Positions) -> Positions:
        result: Positions = rows * self.experts + columns
        return result

    def own_region(self, rows: Positions, columns: Positions) -> npt.NDArray[np.bool_]:
        """Whether each pair falls under its assessment's own-region limit (asked for, and same region)."""
        same: npt.NDArray[np.bool_] = (
            self.limit_own_region[rows] & (self.table.need_region[rows] == self.table.expert_region[columns])
        )
        return same
