"""Why the candidates near each track's line were funded or not, read off the solution itself.

For each track, the funded candidates with the lowest scores and the unfunded ones with the highest scores get a
reason, checked against the budgets and quota shares that the *optimum* leaves, in this order:

- funded, as one of a class that was only partly funded: it won the lottery; otherwise it is within the budget;
- not funded while an equivalent candidate was funded: it lost the lottery (its ticket is shown);
- its grant is more than its track has left; or more than its region's budget in the track has left;
- funding it on top of the others would break a quota (named with its share and regions);
- none of these: it fits everything left. At a proven optimum that only happens to a candidate worth 0 (a score
  of 0, or a weighted value that rounds to 0), since funding it would otherwise raise the optimum; the reason
  ``fits`` says so plainly if a solver stopped before proving optimality.
"""

from __future__ import annotations

from collections import defaultdict

from midas.support.selection.ledger import Ledger
from midas.support.selection.lottery import CandidateClass, rank_order
from midas.support.selection.model import MarginalCandidate, SelectionProblem, value_of

# Reason code -> English message id (Korean in support-selection.po).
REASON_LABELS: dict[str, str] = {
    "within_budget": "Funded: within the track budget",
    "won_lottery": "Funded: won the lottery among {count} equivalent applications",
    "track_budget": "Not funded: the track budget has {remaining} KRW left, {requested} KRW requested",
    "region_budget": "Not funded: the {region} budget of the track has {remaining} KRW left",
    "quota": "Not funded: funding it would break the quota of {share}% for {regions}",
    "lost_lottery": "Not funded: lost the lottery among {count} equivalent applications (ticket {ticket})",
    "adds_nothing": "Not funded: it fits every remaining budget and quota but adds nothing to the objective",
    "fits": "Not funded: it fits every remaining budget and quota",
}
DEFAULT_PER_SIDE = 10


def explain_marginal(problem: SelectionProblem, tickets: list[str], classes: list[CandidateClass],
                     counts: list[int], funded: list[bool], ledger: Ledger,
                     per_side: int = DEFAULT_PER_SIDE) -> tuple[MarginalCandidate, ...]:
    """Per track (in the order of the budgets): its ``per_side`` lowest funded, then its ``per_side`` best unfunded.

    ``ledger`` holds the funded selection; ``counts[k]`` is how many of ``classes[k]`` are funded.
    """
    candidates = problem.candidates
    class_of: dict[int, int] = {}
    for index, group in enumerate(classes):
        for position in group.members:
            class_of[position] = index
    by_track: dict[str, list[int]] = defaultdict(list)
    for position, candidate in enumerate(candidates):
        by_track[candidate.track].append(position)
    found: list[MarginalCandidate] = []
    for budget in problem.track_budgets:
        ranked = rank_order(candidates, tickets, by_track.get(budget.track, []))
        lowest_funded = [p for p in reversed(ranked) if funded[p]][:per_side]
        best_unfunded = [p for p in ranked if not funded[p]][:per_side]
        for position in [*lowest_funded, *best_unfunded]:
            group = classes[class_of[position]]
            partial = 0 < counts[class_of[position]] < group.size
            reason, params = _reason(problem, ledger, position, group, partial, funded[position], tickets)
            candidate = candidates[position]
            found.append(MarginalCandidate(candidate.id, candidate.track, candidate.region, candidate.score,
                                           candidate.grant_krw, funded[position], reason, REASON_LABELS[reason],
                                           params))
    return tuple(found)


def _reason(problem: SelectionProblem, ledger: Ledger, position: int, group: CandidateClass, partial: bool,
            funded: bool, tickets: list[str]) -> tuple[str, dict[str, str | int | float]]:
    candidate = problem.candidates[position]
    if funded:
        return ("won_lottery", {"count": group.size}) if partial else ("within_budget", {})
    if partial:
        return "lost_lottery", {"count": group.size, "ticket": tickets[position]}
    track_left = ledger.track_left(candidate)
    if candidate.grant_krw > track_left:
        return "track_budget", {"remaining": track_left, "requested": candidate.grant_krw}
    region_left = ledger.region_left(candidate)
    if region_left is not None and candidate.grant_krw > region_left:
        return "region_budget", {"region": candidate.region, "remaining": region_left,
                                 "requested": candidate.grant_krw}
    broken = ledger.broken_quota(candidate)
    if broken is not None:
        quota = problem.quotas[broken]
        return "quota", {"share": quota.min_share_percent, "regions": ", ".join(sorted(quota.regions))}
    if value_of(candidate, problem.objective) == 0:
        return "adds_nothing", {}
    return "fits", {}
