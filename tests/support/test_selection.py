"""Optimal selection: exact against brute force, never worse than greedy, a reproducible lottery, truthful reasons."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midas.errors import InvalidInput
from midas.support.selection import (
    REASON_LABELS,
    Candidate,
    Quota,
    RegionBudget,
    SelectionProblem,
    SelectionResult,
    TrackBudget,
    greedy_selection,
    select_applications,
    ticket,
    value_of,
)

M = 1_000_000
OUTSIDE = frozenset({"26", "48"})


def keeps_every_rule(problem: SelectionProblem, funded: Iterable[Candidate]) -> bool:
    chosen = list(funded)
    for budget in problem.track_budgets:
        if sum(c.grant_krw for c in chosen if c.track == budget.track) > budget.budget_krw:
            return False
    for part in problem.region_budgets:
        if sum(c.grant_krw for c in chosen if (c.track, c.region) == (part.track, part.region)) > part.budget_krw:
            return False
    for quota in problem.quotas:
        scope = [c for c in chosen if quota.track is None or c.track == quota.track]
        measure = [(c.grant_krw if quota.measure == "amount" else 1, c.region in quota.regions) for c in scope]
        if 100 * sum(m for m, inside in measure if inside) < quota.min_share_percent * sum(m for m, _ in measure):
            return False
    return True


def brute_force_optimum(problem: SelectionProblem) -> int:
    best = 0
    for size in range(len(problem.candidates) + 1):
        for chosen in itertools.combinations(problem.candidates, size):
            if keeps_every_rule(problem, chosen):
                best = max(best, sum(value_of(c, problem.objective) for c in chosen))
    return best


def funded_candidates(problem: SelectionProblem, result: SelectionResult) -> list[Candidate]:
    funded = set(result.funded)
    return [c for c in problem.candidates if c.id in funded]


@st.composite
def small_problems(draw: st.DrawFn) -> SelectionProblem:
    count = draw(st.integers(0, 10))
    candidates = tuple(
        Candidate(f"c{n}", draw(st.sampled_from(["basic", "advanced"])), draw(st.sampled_from(["11", "26", "48"])),
                  draw(st.sampled_from([0, 5, 60, 61, 75, 90])), draw(st.sampled_from([10, 20, 25, 40, 50])) * M)
        for n in range(count)
    )
    track_budgets = (TrackBudget("basic", draw(st.integers(0, 150)) * M),
                     TrackBudget("advanced", draw(st.integers(0, 150)) * M))
    region_budgets = tuple(
        RegionBudget(track.track, region, draw(st.integers(0, track.budget_krw // M // 2)) * M)
        for track in track_budgets for region in ("11", "48") if draw(st.booleans())
    )
    quotas = tuple(
        Quota(draw(st.sampled_from([None, "basic"])), OUTSIDE, draw(st.integers(0, 100)),
              draw(st.sampled_from(["count", "amount"])))
        for _ in range(draw(st.integers(0, 2)))
    )
    objective = draw(st.sampled_from(["total_score", "score_weighted_value"]))
    return SelectionProblem(candidates, track_budgets, region_budgets, quotas, objective, seed="s")


@settings(max_examples=120, deadline=None)
@given(small_problems())
def test_the_selection_is_optimal_against_brute_force_and_greedy_never_beats_it(problem: SelectionProblem) -> None:
    result = select_applications(problem)
    funded = funded_candidates(problem, result)
    assert keeps_every_rule(problem, funded)
    assert result.status == "optimal"
    assert result.objective == sum(value_of(c, problem.objective) for c in funded)
    assert result.objective == brute_force_optimum(problem)
    assert result.upper_bound == pytest.approx(result.objective)
    greedy = greedy_selection(problem)
    assert greedy.objective == result.greedy_objective <= result.objective
    assert keeps_every_rule(problem, [c for c in problem.candidates if c.id in set(greedy.funded)])
    assert sorted(result.funded + result.waitlist) == sorted(c.id for c in problem.candidates)


@settings(max_examples=80, deadline=None)
@given(small_problems())
def test_every_reason_is_true_of_the_solution(problem: SelectionProblem) -> None:
    result = select_applications(problem, per_side=len(problem.candidates))
    explained = {m.candidate_id for m in result.marginal}
    assert explained == {c.id for c in problem.candidates}
    left = {(u.track, u.region): u.remaining_krw for u in result.budget_use}
    funded = set(result.funded)
    for m in result.marginal:
        assert m.funded == (m.candidate_id in funded)
        assert m.message == REASON_LABELS[m.reason]
        m.message.format(**m.params)
        if m.reason == "track_budget":
            assert m.params["remaining"] == left[(m.track, None)] < m.params["requested"] == m.grant_krw
        elif m.reason == "region_budget":
            assert m.grant_krw <= left[(m.track, None)]
            assert m.params["remaining"] == left[(m.track, m.region)] < m.grant_krw
        elif m.reason == "quota":
            candidate = next(c for c in problem.candidates if c.id == m.candidate_id)
            assert not keeps_every_rule(problem, [*funded_candidates(problem, result), candidate])
            assert m.region not in OUTSIDE
        elif m.reason in ("adds_nothing", "fits"):
            candidate = next(c for c in problem.candidates if c.id == m.candidate_id)
            assert keeps_every_rule(problem, [*funded_candidates(problem, result), candidate])
            # An optimum leaves out nothing that fits and adds value.
            assert m.reason == "adds_nothing"
            assert value_of(candidate, problem.objective) == 0


def equals(count: int, seed: str, budget: int = 1) -> SelectionProblem:
    """``count`` interchangeable candidates and money for ``budget`` of them."""
    candidates = tuple(Candidate(f"app-{n}", "basic", "26", 700, 50 * M) for n in range(count))
    return SelectionProblem(candidates, (TrackBudget("basic", budget * 50 * M),), seed=seed)


def test_the_lottery_is_recomputable_from_the_published_seed() -> None:
    problem = equals(5, "round-2026-1 seed 7d1f", budget=2)
    result = select_applications(problem)
    tickets = {c.id: hashlib.sha256(f"round-2026-1 seed 7d1f:{c.id}".encode()).hexdigest()
               for c in problem.candidates}
    assert all(ticket(problem.seed, key) == value for key, value in tickets.items())
    assert set(result.funded) == set(sorted(tickets, key=tickets.__getitem__)[:2])
    assert result.waitlist == tuple(sorted(tickets, key=tickets.__getitem__)[2:])
    (draw,) = result.lottery
    assert draw.funded == 2
    assert [t.ticket for t in draw.tickets] == sorted(tickets.values())
    assert [t.won for t in draw.tickets] == [True, True, False, False, False]
    reasons = {m.candidate_id: (m.reason, m.params) for m in result.marginal}
    loser = draw.tickets[2].candidate_id
    assert reasons[loser] == ("lost_lottery", {"count": 5, "ticket": tickets[loser]})
    assert reasons[draw.tickets[0].candidate_id] == ("won_lottery", {"count": 5})


def test_a_changed_seed_changes_who_wins_among_equals() -> None:
    winners = {select_applications(equals(6, f"seed-{n}")).funded for n in range(12)}
    assert len(winners) > 1
    assert select_applications(equals(6, "seed-1")).funded == select_applications(equals(6, "seed-1")).funded


def test_the_result_does_not_depend_on_the_input_order() -> None:
    problem = equals(7, "order", budget=3)
    shuffled = SelectionProblem(problem.candidates[::-1], problem.track_budgets, seed="order")
    assert select_applications(problem).funded == select_applications(shuffled).funded


def test_the_optimum_beats_the_rank_list_when_a_big_grant_tops_it() -> None:
    candidates = (Candidate("big", "basic", "26", 90, 100 * M), Candidate("a", "basic", "26", 80, 50 * M),
                  Candidate("b", "basic", "26", 80, 50 * M))
    problem = SelectionProblem(candidates, (TrackBudget("basic", 100 * M),), seed="s")
    result = select_applications(problem)
    assert set(result.funded) == {"a", "b"}
    assert (result.objective, result.greedy_objective, result.gain_percent) == (160, 90, pytest.approx(700 / 9))
    assert result.waitlist == ("big",)
    (why,) = [m for m in result.marginal if m.candidate_id == "big"]
    assert (why.reason, why.params) == ("track_budget", {"remaining": 0, "requested": 100 * M})


def test_a_binding_quota_is_solved_by_branch_and_bound_and_explained() -> None:
    candidates = (Candidate("seoul-1", "basic", "11", 95, 40 * M), Candidate("seoul-2", "basic", "11", 94, 40 * M),
                  Candidate("busan", "basic", "26", 60, 40 * M), Candidate("gyeongnam", "basic", "48", 50, 30 * M))
    problem = SelectionProblem(candidates, (TrackBudget("basic", 120 * M),),
                               quotas=(Quota("basic", OUTSIDE, 50, "count"),), seed="s")
    result = select_applications(problem)
    assert result.method == "branch-and-bound"
    assert set(result.funded) == {"seoul-1", "busan", "gyeongnam"}
    assert result.objective == brute_force_optimum(problem) == 205
    (use,) = result.quota_use
    assert (use.in_regions, use.total, use.achieved_percent) == (2, 3, pytest.approx(200 / 3))
    (why,) = [m for m in result.marginal if m.candidate_id == "seoul-2"]
    assert why.reason == "track_budget"
    # The rank list funds seoul-1, seoul-2 and busan (the budget is spent), 1 of 3 outside the capital area; the
    # repair drops seoul-2 and leaves 155 points with 40 million KRW unspent.
    assert result.greedy_objective == 155


def test_region_budgets_and_their_reason() -> None:
    candidates = (Candidate("a", "basic", "48", 90, 30 * M), Candidate("b", "basic", "48", 80, 30 * M),
                  Candidate("c", "basic", "26", 10, 30 * M))
    problem = SelectionProblem(candidates, (TrackBudget("basic", 100 * M),),
                               (RegionBudget("basic", "48", 40 * M),), seed="s")
    result = select_applications(problem)
    assert result.method == "decomposition"
    assert set(result.funded) == {"a", "c"}
    (why,) = [m for m in result.marginal if m.candidate_id == "b"]
    assert (why.reason, why.params) == ("region_budget", {"region": "48", "remaining": 10 * M,
                                                          "requested": 30 * M})
    uses = {(u.track, u.region): (u.budget_krw, u.used_krw, u.remaining_krw) for u in result.budget_use}
    assert uses == {("basic", None): (100 * M, 60 * M, 40 * M), ("basic", "48"): (40 * M, 30 * M, 10 * M)}


def test_a_candidate_worth_nothing_is_left_out_and_said_so() -> None:
    candidates = (Candidate("zero", "basic", "26", 0, 10 * M), Candidate("one", "basic", "26", 1, 10 * M))
    result = select_applications(SelectionProblem(candidates, (TrackBudget("basic", 100 * M),), seed="s"))
    assert result.funded == ("one",)
    assert {m.candidate_id: m.reason for m in result.marginal} == {"one": "within_budget", "zero": "adds_nothing"}


def test_the_weighted_value_rounds_half_to_even_per_candidate() -> None:
    assert value_of(Candidate("x", "t", "11", 5, 2_500_000), "score_weighted_value") == 12  # 12.5
    assert value_of(Candidate("x", "t", "11", 5, 2_700_000), "score_weighted_value") == 14  # 13.5
    assert value_of(Candidate("x", "t", "11", 700, 100 * M), "score_weighted_value") == 70_000
    assert value_of(Candidate("x", "t", "11", 700, 100 * M), "total_score") == 700


def test_nothing_to_select_is_optimal_and_empty() -> None:
    result = select_applications(SelectionProblem((), (TrackBudget("basic", 0),), seed="s"))
    assert (result.funded, result.objective, result.status, result.gain_percent) == ((), 0, "optimal", 0.0)


def test_bad_input_is_refused_with_every_place() -> None:
    problem = SelectionProblem(
        candidates=(Candidate("a", "basic", "11", 10, 0), Candidate("a", "basic", "11", -1, M),
                    Candidate("b", "leading", "11", 10, M)),
        track_budgets=(TrackBudget("basic", 10 * M), TrackBudget("advanced", -1)),
        region_budgets=(RegionBudget("basic", "11", 6 * M), RegionBudget("basic", "26", 5 * M)),
        quotas=(Quota(None, OUTSIDE, 101, "amount"), Quota("basic", frozenset(), 40, "weight")),
        objective="most_companies",
        seed="",
    )
    with pytest.raises(InvalidInput) as caught:
        select_applications(problem)
    found = {p.field: p.message for p in caught.value.problems}
    assert found == {
        "candidates": "The application {id} appears {count} times",
        "candidates[0].grant_krw": "The requested grant of {id} must be a whole number of KRW above 0",
        "candidates[1].score": "The score of {id} must be a whole number of points, 0 or more",
        "candidates[2].track": "The track {track} has no budget",
        "track_budgets[1].budget_krw": "A budget must be a whole number of KRW, 0 or more",
        "track_budgets[0].budget_krw": "Budgets that don't add up: the region budgets of track {track} add up to "
                                       "{regions} KRW, more than its budget of {budget} KRW",
        "quotas[0].min_share_percent": "A quota's share must be a whole percentage from 0 to 100",
        "quotas[1].measure": "Unknown quota measure {measure}; known are {known}",
        "quotas[1].regions": "A quota needs at least one region",
        "objective": "Unknown objective {objective}; known are {known}",
        "seed": "The lottery seed is empty; publish one before the draw",
    }
    with pytest.raises(InvalidInput):
        greedy_selection(problem)
