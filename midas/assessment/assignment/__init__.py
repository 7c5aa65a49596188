"""Optimal assignment of independent experts to capability assessments (pure: no database, no web).

:func:`solve_assignment` maximises total affinity exactly under the conflict, load, employer and own-region rules;
:func:`greedy_assignment` is the baseline it is measured against; :func:`reassign_after_decline` fills the place
of an expert who declines while every other pair stays as it is.
"""

from midas.assessment.assignment.affinity import MAX_AFFINITY, AffinityTable, affinity
from midas.assessment.assignment.greedy import GreedyResult, greedy_assignment
from midas.assessment.assignment.model import (
    DEFAULT_EXPERTS_PER_ASSESSMENT,
    AffinityBreakdown,
    AssessmentNeed,
    AssignmentProblem,
    AssignmentResult,
    ConflictPair,
    ExpertAssignment,
    ExpertProfile,
    OptimalityCertificate,
)
from midas.assessment.assignment.reassign import Reassignment, reassign_after_decline
from midas.assessment.assignment.solver import solve_assignment

__all__ = [
    "DEFAULT_EXPERTS_PER_ASSESSMENT",
    "MAX_AFFINITY",
    "AffinityBreakdown",
    "AffinityTable",
    "AssessmentNeed",
    "AssignmentProblem",
    "AssignmentResult",
    "ConflictPair",
    "ExpertAssignment",
    "ExpertProfile",
    "GreedyResult",
    "OptimalityCertificate",
    "Reassignment",
    "affinity",
    "greedy_assignment",
    "reassign_after_decline",
    "solve_assignment",
]
