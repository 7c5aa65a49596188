"""The greedy baseline: fund down the rank list while the money lasts, then repair the quotas.

This is what an operator with a spreadsheet does, and what the exact selection is measured against:

1. Go through the candidates by score, highest first (the lower lottery ticket first among equal scores), and fund
   each one whose grant fits what is left of its track budget and of its region's budget in the track.
2. Then, while a quota is broken, drop the funded candidate with the lowest score (the higher ticket first among
   equals) in the quota's tracks outside its regions. Each drop raises the quota's share, and a selection without
   such candidates has a share of 100 %, so this ends with every quota kept.

It keeps every rule, but it leaves money unspent when a big grant ends the list, and the repair throws away value
that a selection made with the quota in view would have kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from midas.errors import InvalidInput
from midas.support.selection.ledger import Ledger
from midas.support.selection.lottery import rank_order, ticket
from midas.support.selection.model import SelectionProblem, value_of
from midas.support.selection.validation import input_problems


@dataclass(frozen=True, slots=True)
class GreedyResult:
    """The baseline's funded candidate ids (in rank order) and their objective value."""

    funded: tuple[str, ...]
    objective: int


def greedy_selection(problem: SelectionProblem) -> GreedyResult:
    """The rank-list baseline of the module docstring, for a problem that :func:`select_applications` accepts."""
    problems = input_problems(problem)
    if problems:
        raise InvalidInput(problems)
    tickets = [ticket(problem.seed, c.id) for c in problem.candidates]
    return GreedyResult(*rank_list_selection(problem, tickets))


def rank_list_selection(problem: SelectionProblem, tickets: list[str]) -> tuple[tuple[str, ...], int]:
    """The baseline's funded ids and objective, for a valid problem and its candidates' lottery tickets."""
    candidates = problem.candidates
    ledger = Ledger(problem)
    funded: list[int] = []
    for position in rank_order(candidates, tickets, range(len(candidates))):
        if ledger.fits_budgets(candidates[position]):
            ledger.add(candidates[position])
            funded.append(position)
    # Repair: the rank list is walked backwards, so the first candidate met that a broken quota can lose is the
    # lowest-ranked one.
    while (broken := ledger.violated_quota()) is not None:
        quota = problem.quotas[broken]
        for index in range(len(funded) - 1, -1, -1):
            candidate = candidates[funded[index]]
            if (quota.track is None or quota.track == candidate.track) and candidate.region not in quota.regions:
                ledger.remove(candidate)
                del funded[index]
                break
    return (tuple(candidates[p].id for p in funded),
            sum(value_of(candidates[p], problem.objective) for p in funded))
