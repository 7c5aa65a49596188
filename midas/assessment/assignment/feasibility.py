"""Why a problem cannot be solved: malformed input, and assessments that cannot get their k experts.

Every finding is a :class:`~midas.errors.Problem` with an English message id (Korean in
``assessment-assignment.po``) and the ids it concerns, so that the operator sees which assessment and which rule.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

from midas.assessment.assignment.instance import ProblemArrays
from midas.assessment.assignment.model import AssignmentProblem
from midas.errors import Problem


def input_problems(problem: AssignmentProblem) -> list[Problem]:
    """What is wrong with the input itself: repeated ids, impossible numbers, conflicts naming nobody."""
    found: list[Problem] = []
    expert_ids = [e.id for e in problem.experts]
    assessment_ids = [a.id for a in problem.assessments]
    for kind, ids in (("experts", expert_ids), ("assessments", assessment_ids)):
        for repeated, count in sorted(Counter(ids).items()):
            if count > 1:
                found.append(Problem(kind, "The id {id} appears {count} times", {"id": repeated, "count": count}))
    for position, expert in enumerate(problem.experts):
        if expert.load_limit < 0:
            found.append(Problem(f"experts[{position}].load_limit", "A load limit cannot be negative",
                                 {"expert": expert.id}))
    for position, need in enumerate(problem.assessments):
        if need.experts_needed < 1:
            found.append(Problem(f"assessments[{position}].experts_needed",
                                 "An assessment needs at least one expert", {"assessment": need.id}))
    known_experts, known_assessments = set(expert_ids), set(assessment_ids)
    # Half a million conflicts are checked as they come; only the few unknown ones are sorted for the report.
    unknown = [c for c in problem.conflicts
               if c.expert_id not in known_experts or c.assessment_id not in known_assessments]
    for conflict in sorted(unknown):
        found.append(Problem("conflicts", "The conflict {expert} - {assessment} names an unknown expert or "
                             "assessment", {"expert": conflict.expert_id, "assessment": conflict.assessment_id}))
    return found


def shortfalls(arrays: ProblemArrays) -> list[Problem]:
    """Assessments that cannot get their k experts whatever the others get, and a pool too small for all of them.

    For one assessment the most experts it can get is the number of employers with an eligible expert (one per
    employer), where under the own-region limit all employers whose eligible experts all live in the company's
    region count as one.
    """
    found: list[Problem] = []
    places, capacity = int(arrays.needed.sum()), int(arrays.load.sum())
    if capacity < places:
        found.append(Problem("experts", "The experts' load limits add up to {capacity} places but the assessments "
                             "need {needed}", {"capacity": capacity, "needed": places}))
    for rows in arrays.blocks():
        eligible = arrays.eligible(rows)
        for row, mask in zip(rows.tolist(), eligible, strict=True):
            found.extend(_shortfall_of(arrays, row, mask))
    return found


def _shortfall_of(arrays: ProblemArrays, row: int, eligible: npt.NDArray[np.bool_]) -> list[Problem]:
    need = arrays.problem.assessments[row]
    columns = np.flatnonzero(eligible)
    params: dict[str, str | int | float | None] = {"assessment": need.id, "needed": need.experts_needed}
    where = f"assessments[{row}]"
    if len(columns) < need.experts_needed:
        return [Problem(where, "Assessment {assessment} needs {needed} experts but only {eligible} are free of "
                        "conflicts and have load left", {**params, "eligible": len(columns)})]
    employers = arrays.employer[columns]
    distinct = len(np.unique(employers))
    if distinct < need.experts_needed:
        return [Problem(where, "Assessment {assessment} needs {needed} experts but its eligible experts work for "
                        "only {employers} employers", {**params, "employers": distinct})]
    if need.limit_own_region:
        own = arrays.table.expert_region[columns] == arrays.table.need_region[row]
        elsewhere = set(employers[~own].tolist())
        only_own = set(employers[own].tolist()) - elsewhere
        available = len(elsewhere) + min(1, len(only_own))
        if available < need.experts_needed:
            return [Problem(where, "Assessment {assessment} needs {needed} experts but at most {available} can come "
                            "from different employers with only one from the company's own region",
                            {**params, "available": available})]
    return []


def unfilled_places(arrays: ProblemArrays, unfilled: dict[int, int]) -> Problem:
    """The finding when every assessment could be served alone but the loads cannot serve all of them together."""
    names = ", ".join(arrays.problem.assessments[row].id for row in sorted(unfilled))
    return Problem("experts", "The load limits cannot serve every assessment at once: {unfilled} expert places "
                   "stay empty at the best, at {assessments}",
                   {"unfilled": sum(unfilled.values()), "assessments": names})
