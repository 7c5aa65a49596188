"""Proven optimal selection of support applications under budgets and quotas (pure: no database, no web).

:func:`select_applications` funds the candidates that maximise the objective within every track budget, region
budget and regional quota, proves the optimum, draws the public lottery among equivalent candidates and explains
the candidates near each track's line; :func:`greedy_selection` is the rank-list baseline it is measured against.
"""

from midas.support.selection.explain import REASON_LABELS
from midas.support.selection.greedy import GreedyResult, greedy_selection
from midas.support.selection.lottery import ticket
from midas.support.selection.model import (
    KRW_PER_VALUE_UNIT,
    MEASURES,
    OBJECTIVES,
    BudgetUse,
    Candidate,
    LotteryDraw,
    LotteryTicket,
    MarginalCandidate,
    Quota,
    QuotaUse,
    RegionBudget,
    SelectionProblem,
    SelectionResult,
    TrackBudget,
    value_of,
)
from midas.support.selection.solver import select_applications

__all__ = [
    "KRW_PER_VALUE_UNIT",
    "MEASURES",
    "OBJECTIVES",
    "REASON_LABELS",
    "BudgetUse",
    "Candidate",
    "GreedyResult",
    "LotteryDraw",
    "LotteryTicket",
    "MarginalCandidate",
    "Quota",
    "QuotaUse",
    "RegionBudget",
    "SelectionProblem",
    "SelectionResult",
    "TrackBudget",
    "greedy_selection",
    "select_applications",
    "ticket",
    "value_of",
]
