"""A decline: the expert who declines is replaced on that assessment while every other pair stays as it is.

The replacement is the exact solver on a one-assessment problem: the places left open, the experts' loads less
what the fixed pairs already use, and as conflicts the decliner (and everyone who declined this assessment
before), the experts already on it, and the experts whom the employer and own-region rules now exclude.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from midas.assessment.assignment.model import (
    AssignmentProblem,
    AssignmentResult,
    ConflictPair,
    ExpertAssignment,
    OptimalityCertificate,
)
from midas.assessment.assignment.solver import solve_assignment
from midas.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Reassignment:
    """Every pair after the decline (sorted), the new pairs among them, and the proof that the new ones are best."""

    assignments: tuple[ExpertAssignment, ...]
    added: tuple[ExpertAssignment, ...]
    certificate: OptimalityCertificate


def reassign_after_decline(
    problem: AssignmentProblem,
    current: Sequence[ExpertAssignment],
    declined: ConflictPair,
    *,
    declined_before: frozenset[ConflictPair] = frozenset(),
) -> Reassignment:
    """Replace the expert of ``declined`` on its assessment, keeping every other pair of ``current`` fixed.

    ``declined_before`` holds earlier declines, which are never offered again. Raises :class:`InvalidInput` when
    the declined pair is not in ``current`` or when no expert can take the open place.
    """
    fixed = [a for a in current if (a.expert_id, a.assessment_id) != (declined.expert_id, declined.assessment_id)]
    if len(fixed) == len(current):
        raise InvalidInput.single("declined", "Expert {expert} is not assigned to assessment {assessment}",
                                  {"expert": declined.expert_id, "assessment": declined.assessment_id})
    need = next((a for a in problem.assessments if a.id == declined.assessment_id), None)
    if need is None:
        raise InvalidInput.single("declined", "Assessment {assessment} is not part of this problem",
                                  {"assessment": declined.assessment_id})
    experts = {e.id: e for e in problem.experts}
    colleagues = [experts[a.expert_id] for a in fixed if a.assessment_id == need.id]
    used = Counter(a.expert_id for a in fixed)
    own_region_taken = need.limit_own_region and any(c.region == need.region for c in colleagues)
    taken_employers = {c.employer for c in colleagues}
    excluded = {
        e.id for e in problem.experts
        if e.employer in taken_employers or (own_region_taken and e.region == need.region)
    }
    excluded |= {c.expert_id for c in problem.conflicts | declined_before | {declined} if c.assessment_id == need.id}
    open_places = need.experts_needed - len(colleagues)
    single = AssignmentProblem(
        experts=tuple(replace(e, load_limit=max(e.load_limit - used[e.id], 0)) for e in problem.experts),
        assessments=(replace(need, experts_needed=open_places, limit_own_region=need.limit_own_region
                             and not own_region_taken),),
        conflicts=frozenset(ConflictPair(expert, need.id) for expert in sorted(excluded)),
    )
    result: AssignmentResult = solve_assignment(single)
    added = tuple(replace(a, assessment_id=need.id) for a in result.assignments)
    return Reassignment(assignments=tuple(sorted([*fixed, *added])), added=added, certificate=result.certificate)
