"""What is wrong with a selection problem before any solving: every problem with its place, in one error.

Every finding is a :class:`~midas.errors.Problem` with an English message id (Korean in ``support-selection.po``).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from midas.errors import Problem
from midas.support.selection.model import MEASURES, OBJECTIVES, SelectionProblem


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def input_problems(problem: SelectionProblem) -> list[Problem]:
    """Repeated ids, impossible numbers, tracks without money, budgets that don't add up, unknown words."""
    found: list[Problem] = []
    track_budget: dict[str, int] = {}
    for position, budget in enumerate(problem.track_budgets):
        where = f"track_budgets[{position}]"
        if budget.track in track_budget:
            found.append(Problem(f"{where}.track", "The track {track} has more than one budget",
                                 {"track": budget.track}))
        elif not _whole(budget.budget_krw) or budget.budget_krw < 0:
            found.append(Problem(f"{where}.budget_krw", "A budget must be a whole number of KRW, 0 or more",
                                 {"track": budget.track}))
        else:
            track_budget[budget.track] = budget.budget_krw
    region_total: dict[str, int] = defaultdict(int)
    region_seen: set[tuple[str, str]] = set()
    for position, part in enumerate(problem.region_budgets):
        where = f"region_budgets[{position}]"
        if (part.track, part.region) in region_seen:
            found.append(Problem(f"{where}.region", "The region {region} of track {track} has more than one budget",
                                 {"track": part.track, "region": part.region}))
        elif not _whole(part.budget_krw) or part.budget_krw < 0:
            found.append(Problem(f"{where}.budget_krw", "A budget must be a whole number of KRW, 0 or more",
                                 {"track": part.track}))
        elif part.track not in track_budget:
            found.append(Problem(f"{where}.track", "The track {track} has no budget", {"track": part.track}))
        else:
            region_seen.add((part.track, part.region))
            region_total[part.track] += part.budget_krw
    for position, budget in enumerate(problem.track_budgets):
        total = region_total.get(budget.track, 0)
        if track_budget.get(budget.track) == budget.budget_krw and total > budget.budget_krw:
            found.append(Problem(f"track_budgets[{position}].budget_krw",
                                 "Budgets that don't add up: the region budgets of track {track} add up to {regions} "
                                 "KRW, more than its budget of {budget} KRW",
                                 {"track": budget.track, "regions": total, "budget": budget.budget_krw}))
    for repeated, count in sorted(Counter(c.id for c in problem.candidates).items()):
        if count > 1:
            found.append(Problem("candidates", "The application {id} appears {count} times",
                                 {"id": repeated, "count": count}))
    for position, candidate in enumerate(problem.candidates):
        where = f"candidates[{position}]"
        if not _whole(candidate.grant_krw) or candidate.grant_krw <= 0:
            found.append(Problem(f"{where}.grant_krw", "The requested grant of {id} must be a whole number of KRW "
                                 "above 0", {"id": candidate.id}))
        if not _whole(candidate.score) or candidate.score < 0:
            found.append(Problem(f"{where}.score", "The score of {id} must be a whole number of points, 0 or more",
                                 {"id": candidate.id}))
        if candidate.track not in track_budget:
            found.append(Problem(f"{where}.track", "The track {track} has no budget", {"track": candidate.track}))
    for position, quota in enumerate(problem.quotas):
        where = f"quotas[{position}]"
        if quota.track is not None and quota.track not in track_budget:
            found.append(Problem(f"{where}.track", "The track {track} has no budget", {"track": quota.track}))
        if not _whole(quota.min_share_percent) or not 0 <= quota.min_share_percent <= 100:
            found.append(Problem(f"{where}.min_share_percent", "A quota's share must be a whole percentage from 0 "
                                 "to 100"))
        if quota.measure not in MEASURES:
            found.append(Problem(f"{where}.measure", "Unknown quota measure {measure}; known are {known}",
                                 {"measure": quota.measure, "known": ", ".join(MEASURES)}))
        if not quota.regions:
            found.append(Problem(f"{where}.regions", "A quota needs at least one region"))
    if problem.objective not in OBJECTIVES:
        found.append(Problem("objective", "Unknown objective {objective}; known are {known}",
                             {"objective": problem.objective, "known": ", ".join(OBJECTIVES)}))
    if not problem.seed:
        found.append(Problem("seed", "The lottery seed is empty; publish one before the draw"))
    return found
