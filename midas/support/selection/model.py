"""The typed inputs and outputs of the selection of applications for support under budgets and quotas.

Everything here is a frozen dataclass: an instance can be compared in tests and passed between threads, and the
solver never mutates its input. Money is integer KRW; scores are integer points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

OBJECTIVES: Final = ("total_score", "score_weighted_value")
MEASURES: Final = ("count", "amount")
# score_weighted_value counts a candidate's score once per million KRW of its grant.
KRW_PER_VALUE_UNIT: Final = 1_000_000

ReasonParams = Mapping[str, str | int | float]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible application as the selection sees it.

    ``score`` is the assessment score with the policy adjustments already applied, in *integer* points (the
    service scales a score with one decimal by 10), so that every objective is an integer and the optimum can be
    proven exactly. ``grant_krw`` is the government share requested, in KRW, more than 0. ``first_time`` marks a
    company never supported before; the selection carries it for the service (a policy adjustment of the score is
    where it counts), it does not change the model.
    """

    id: str
    track: str
    region: str
    score: int
    grant_krw: int
    first_time: bool = False


@dataclass(frozen=True, slots=True)
class TrackBudget:
    """The government money a track can grant in this round."""

    track: str
    budget_krw: int


@dataclass(frozen=True, slots=True)
class RegionBudget:
    """The part of a track's money that the candidates of one region can get at most (the regions' own shares)."""

    track: str
    region: str
    budget_krw: int


@dataclass(frozen=True, slots=True)
class Quota:
    """At least ``min_share_percent`` of what a track funds (``track`` None: all tracks together) goes to ``regions``.

    ``measure`` is ``"count"`` (share of the funded applications) or ``"amount"`` (share of the funded KRW). It is
    a ratio of what is funded, ``sum_{i in regions} m_i x_i >= share/100 * sum_i m_i x_i``, so funding nothing
    always keeps it and a quota can never make the selection infeasible.
    """

    track: str | None
    regions: frozenset[str]
    min_share_percent: int
    measure: str = "amount"


@dataclass(frozen=True, slots=True)
class SelectionProblem:
    """One round's selection: the eligible candidates, the money, the quotas, what to maximise, the lottery seed.

    ``objective`` is ``"total_score"`` (the sum of the funded candidates' scores) or ``"score_weighted_value"``
    (the sum over funded candidates of ``round(score * grant_krw / 1,000,000)``, rounded half to even per
    candidate, so that a project worth more money weighs more while the objective stays an integer). ``seed`` is
    the lottery seed published before the draw.
    """

    candidates: tuple[Candidate, ...]
    track_budgets: tuple[TrackBudget, ...]
    region_budgets: tuple[RegionBudget, ...] = ()
    quotas: tuple[Quota, ...] = ()
    objective: str = "total_score"
    seed: str = ""


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """How much of a track's budget (``region`` None) or of one region's part of it the selection uses."""

    track: str
    region: str | None
    budget_krw: int
    used_krw: int
    remaining_krw: int


@dataclass(frozen=True, slots=True)
class QuotaUse:
    """The share a quota asks for and the share the selection achieves (100 when nothing in its scope is funded)."""

    track: str | None
    regions: tuple[str, ...]
    measure: str
    required_percent: int
    achieved_percent: float
    in_regions: int
    total: int


@dataclass(frozen=True, slots=True)
class LotteryTicket:
    """One candidate's ticket, ``sha256(f"{seed}:{id}")`` in hex; the lower tickets of a class win."""

    candidate_id: str
    ticket: str
    won: bool


@dataclass(frozen=True, slots=True)
class LotteryDraw:
    """A class of interchangeable candidates of which only some could be funded, and how the lottery chose.

    ``tickets`` are in drawing order (lowest first); the first ``funded`` of them won.
    """

    track: str
    region: str
    score: int
    grant_krw: int
    funded: int
    tickets: tuple[LotteryTicket, ...]


@dataclass(frozen=True, slots=True)
class MarginalCandidate:
    """A candidate near the line of its track, funded or not, with the reason read off the solution.

    ``reason`` is a code (``within_budget``, ``won_lottery``, ``track_budget``, ``region_budget``, ``quota``,
    ``lost_lottery``, ``adds_nothing``, ``fits``), ``message`` its English message id and ``params`` its values.
    """

    candidate_id: str
    track: str
    region: str
    score: int
    grant_krw: int
    funded: bool
    reason: str
    message: str
    params: ReasonParams = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SelectionResult:
    """The proven optimal selection and what explains it.

    ``funded`` and ``waitlist`` (the candidates not funded, best score first, lower ticket first among equals) hold
    ids. ``objective`` is the optimum, ``upper_bound`` the solver's proven bound on it (equal to it when the status
    is ``"optimal"``), ``greedy_objective`` the rank-list baseline's value and ``gain_percent`` how much better the
    optimum is than that baseline, in percent of the baseline (0 when both are 0, infinite when only the baseline
    is 0). ``method`` says how the optimum was proven: ``"decomposition"`` (the knapsacks of the regions and tracks
    solved apart keep every rule together, see :mod:`~midas.support.selection.cells`) or ``"branch-and-bound"``
    (HiGHS with a zero gap). ``classes`` is how many classes of interchangeable candidates the model had.
    """

    funded: tuple[str, ...]
    waitlist: tuple[str, ...]
    objective: int
    upper_bound: float
    status: str
    method: str
    greedy_objective: int
    gain_percent: float
    budget_use: tuple[BudgetUse, ...]
    quota_use: tuple[QuotaUse, ...]
    marginal: tuple[MarginalCandidate, ...]
    lottery: tuple[LotteryDraw, ...]
    classes: int


def value_of(candidate: Candidate, objective: str) -> int:
    """What funding ``candidate`` adds to ``objective``: its score, or round(score * grant / 1,000,000) half to even.

    Integer arithmetic throughout, so that the rounding of 12.5 to 12 and of 13.5 to 14 never depends on floats.
    """
    if objective == "total_score":
        return candidate.score
    whole, rest = divmod(candidate.score * candidate.grant_krw, KRW_PER_VALUE_UNIT)
    if 2 * rest > KRW_PER_VALUE_UNIT or (2 * rest == KRW_PER_VALUE_UNIT and whole % 2 == 1):
        whole += 1
    return whole
