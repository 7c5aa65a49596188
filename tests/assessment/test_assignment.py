"""Expert assignment: exact against brute force, every rule holds, declines keep the others, failures explain."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midas.assessment.assignment import (
    MAX_AFFINITY,
    AffinityTable,
    AssessmentNeed,
    AssignmentProblem,
    ConflictPair,
    ExpertAssignment,
    ExpertProfile,
    affinity,
    greedy_assignment,
    reassign_after_decline,
    solve_assignment,
)
from midas.assessment.assignment import solver as solver_module
from midas.errors import InvalidInput

REGIONS = ("11", "41", "26", "48", "50")
DIVISIONS = ("10", "20", "29", "30")
TECHNOLOGIES = ("MES", "PLC", "vision", "AGV", "ERP")


def expert(id: str, *, employer: str = "", region: str = "11", load: int = 1, expertise: Sequence[str] = ("29",),
           technologies: Sequence[str] = ("MES",), years: int = 10) -> ExpertProfile:
    return ExpertProfile(id, frozenset(expertise), frozenset(technologies), region, employer or f"employer-{id}",
                         years, load)


def need(id: str, *, k: int = 2, region: str = "11", limit_own_region: bool = False, industry: str = "29",
         technologies: Sequence[str] = ("MES",)) -> AssessmentNeed:
    return AssessmentNeed(id, industry, frozenset(technologies), region, k, limit_own_region)


def random_problem(seed: int, experts: int, assessments: int, *, k: int = 2, load: tuple[int, int] = (1, 3),
                   conflict_share: float = 0.05) -> AssignmentProblem:
    rnd = random.Random(seed)
    pool = tuple(
        ExpertProfile(f"x{n}", frozenset(rnd.sample(DIVISIONS, rnd.randint(1, 2))),
                      frozenset(rnd.sample(TECHNOLOGIES, rnd.randint(1, 3))), rnd.choice(REGIONS),
                      f"e{rnd.randrange(max(1, experts // 2))}", rnd.randint(0, 30), rnd.randint(*load))
        for n in range(experts)
    )
    needs = tuple(
        AssessmentNeed(f"a{n}", rnd.choice(DIVISIONS), frozenset(rnd.sample(TECHNOLOGIES, rnd.randint(0, 3))),
                       rnd.choice(REGIONS), k, rnd.random() < 0.5)
        for n in range(assessments)
    )
    conflicts = frozenset(ConflictPair(e.id, a.id) for e in pool for a in needs if rnd.random() < conflict_share)
    return AssignmentProblem(pool, needs, conflicts)


def rule_breaks(problem: AssignmentProblem, assignments: Sequence[ExpertAssignment]) -> list[str]:
    """Every rule an assignment breaks, in words (empty when it keeps them all)."""
    experts = {e.id: e for e in problem.experts}
    needs = {a.id: a for a in problem.assessments}
    broken = []
    pairs = [(a.assessment_id, a.expert_id) for a in assignments]
    if len(set(pairs)) != len(pairs):
        broken.append("a pair is made twice")
    broken += [f"conflict {p}" for p in pairs if ConflictPair(p[1], p[0]) in problem.conflicts]
    for expert_id, count in Counter(a.expert_id for a in assignments).items():
        if count > experts[expert_id].load_limit:
            broken.append(f"load of {expert_id}")
    for assessment_id, need_ in needs.items():
        team = [experts[a.expert_id] for a in assignments if a.assessment_id == assessment_id]
        if len(team) != need_.experts_needed:
            broken.append(f"{assessment_id} has {len(team)} experts")
        if len({e.employer for e in team}) != len(team):
            broken.append(f"{assessment_id} has two experts of one employer")
        if need_.limit_own_region and sum(e.region == need_.region for e in team) > 1:
            broken.append(f"{assessment_id} has two experts of its own region")
    return broken


def brute_force_optimum(problem: AssignmentProblem) -> int | None:
    """The best total affinity over every assignment that keeps the rules, or None when there is none."""
    teams = []
    for need_ in problem.assessments:
        options = [
            team for team in itertools.combinations(problem.experts, need_.experts_needed)
            if all(ConflictPair(e.id, need_.id) not in problem.conflicts and e.load_limit > 0 for e in team)
            and len({e.employer for e in team}) == len(team)
            and not (need_.limit_own_region and sum(e.region == need_.region for e in team) > 1)
        ]
        teams.append([(team, sum(affinity(e, need_).total for e in team)) for team in options])
    best = None
    for choice in itertools.product(*teams):
        loads = Counter(e.id for team, _ in choice for e in team)
        if all(count <= e.load_limit for e in problem.experts if (count := loads[e.id])):
            value = sum(score for _, score in choice)
            best = value if best is None else max(best, value)
    return best


@st.composite
def small_problems(draw: st.DrawFn) -> AssignmentProblem:
    experts = draw(st.integers(2, 5))
    pool = tuple(
        ExpertProfile(
            f"x{n}",
            frozenset(draw(st.sets(st.sampled_from(DIVISIONS), min_size=1, max_size=2))),
            frozenset(draw(st.sets(st.sampled_from(TECHNOLOGIES), max_size=3))),
            draw(st.sampled_from(REGIONS[:3])),
            f"e{draw(st.integers(0, 2))}",
            draw(st.integers(0, 25)),
            draw(st.integers(0, 2)),
        )
        for n in range(experts)
    )
    needs = tuple(
        AssessmentNeed(
            f"a{n}",
            draw(st.sampled_from(DIVISIONS)),
            frozenset(draw(st.sets(st.sampled_from(TECHNOLOGIES), max_size=3))),
            draw(st.sampled_from(REGIONS[:3])),
            draw(st.integers(1, 2)),
            draw(st.booleans()),
        )
        for n in range(draw(st.integers(1, 3)))
    )
    pairs = [ConflictPair(e.id, a.id) for e in pool for a in needs]
    conflicts = frozenset(p for p in pairs if draw(st.integers(0, 9)) == 0)
    return AssignmentProblem(pool, needs, conflicts)


# --- the affinity -------------------------------------------------------------------------------------------------


def test_affinity_adds_up_its_terms_and_explains_them() -> None:
    chosen = expert("x", region="41", expertise=("29", "30"), technologies=("MES", "PLC"), years=13)
    breakdown = affinity(chosen, need("a", region="28", technologies=("MES", "PLC", "AGV")))
    assert breakdown.industry_matched
    assert breakdown.matched_technologies == ("MES", "PLC")
    assert breakdown.travel == "same-area"  # Gyeonggi and Incheon are both in the capital area
    assert (breakdown.industry, breakdown.technology, breakdown.region, breakdown.experience) == (40, 20, 10, 6)
    assert breakdown.total == 76


def test_the_best_possible_pair_scores_the_maximum() -> None:
    best = affinity(expert("x", years=40), need("a", technologies=("MES",)))
    assert best.total == MAX_AFFINITY == 100


def test_a_far_expert_with_nothing_in_common_scores_only_experience() -> None:
    breakdown = affinity(expert("x", region="50", expertise=("10",), technologies=("ERP",), years=3),
                         need("a", region="11"))
    assert (breakdown.total, breakdown.travel, breakdown.matched_technologies) == (1, "far", ())


@given(st.integers(0, 10_000))
@settings(max_examples=20, deadline=None)
def test_the_affinity_table_equals_the_affinity_pair_by_pair(seed: int) -> None:
    problem = random_problem(seed, experts=7, assessments=6)
    table = AffinityTable(problem.experts, problem.assessments).block(np.arange(len(problem.assessments)))
    expected = [[affinity(e, a).total for e in problem.experts] for a in problem.assessments]
    assert table.tolist() == expected


# --- exactness ------------------------------------------------------------------------------------------------------


@given(small_problems())
@settings(max_examples=120, deadline=None)
def test_the_solver_finds_the_brute_force_optimum(problem: AssignmentProblem) -> None:
    best = brute_force_optimum(problem)
    if best is None:
        with pytest.raises(InvalidInput):
            solve_assignment(problem)
        return
    result = solve_assignment(problem, candidates_per_place=1)
    assert result.objective == best
    assert rule_breaks(problem, result.assignments) == []
    assert result.certificate.objective == best
    assert result.certificate.upper_bound >= best - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_pricing_reaches_the_optimum_of_the_program_over_all_pairs(seed: int) -> None:
    problem = random_problem(seed, experts=40, assessments=60, load=(2, 6))
    priced = solve_assignment(problem, candidates_per_place=1)
    every_pair = solve_assignment(problem, candidates_per_place=len(problem.experts))
    assert priced.objective == every_pair.objective
    assert every_pair.certificate.pairs_considered == every_pair.certificate.pairs_total
    assert priced.certificate.pairs_considered < priced.certificate.pairs_total
    assert rule_breaks(problem, priced.assignments) == []


@pytest.mark.parametrize("seed", range(4))
def test_every_rule_holds_and_the_optimum_beats_greedy(seed: int) -> None:
    problem = random_problem(100 + seed, experts=60, assessments=80, load=(2, 5))
    result = solve_assignment(problem)
    greedy = greedy_assignment(problem)
    assert rule_breaks(problem, result.assignments) == []
    assert [b for b in rule_breaks(problem, greedy.assignments) if "experts" not in b] == []
    assert result.objective >= greedy.objective
    assert result.objective >= int(result.certificate.upper_bound + 1e-6) or \
        result.certificate.method == "reduced-cost-fixing"


def test_each_assignment_carries_its_affinity_and_why() -> None:
    problem = random_problem(7, experts=20, assessments=15)
    experts = {e.id: e for e in problem.experts}
    needs = {a.id: a for a in problem.assessments}
    for made in solve_assignment(problem).assignments:
        assert made.breakdown == affinity(experts[made.expert_id], needs[made.assessment_id])
        assert made.affinity == made.breakdown.total


def test_the_same_input_gives_the_same_output() -> None:
    problem = random_problem(11, experts=50, assessments=70, load=(2, 4))
    first, second = solve_assignment(problem), solve_assignment(problem)
    assert first.assignments == second.assignments
    assert [a.affinity for a in first.assignments] == [a.affinity for a in second.assignments]
    assert first.certificate == second.certificate


def test_a_conflicted_expert_is_never_assigned_even_when_best() -> None:
    star = expert("star", years=30, technologies=("MES", "PLC"))
    others = (expert("b", region="50", expertise=("10",)), expert("c", region="50", expertise=("10",)))
    problem = AssignmentProblem((star, *others), (need("a"),), frozenset({ConflictPair("star", "a")}))
    assert {a.expert_id for a in solve_assignment(problem).assignments} == {"b", "c"}


def test_one_expert_per_employer_and_one_from_the_own_region() -> None:
    pool = (
        expert("same-firm-1", employer="firm", years=30),
        expert("same-firm-2", employer="firm", years=30),
        expert("local", region="11", years=10),
        expert("away", region="26", years=0),
    )
    problem = AssignmentProblem(pool, (need("a", k=2, limit_own_region=True),))
    chosen = {a.expert_id for a in solve_assignment(problem).assignments}
    assert chosen in ({"same-firm-1", "away"}, {"same-firm-2", "away"})


# --- infeasibility explains itself ------------------------------------------------------------------------------------


def _messages(error: InvalidInput) -> list[str]:
    return [problem.message for problem in error.problems]


def test_an_assessment_without_enough_free_experts_is_named() -> None:
    problem = AssignmentProblem((expert("x"), expert("y")), (need("a"), need("b")),
                                frozenset({ConflictPair("x", "a")}))
    with pytest.raises(InvalidInput) as caught:
        solve_assignment(problem)
    problems = caught.value.problems
    assert [p.params["assessment"] for p in problems if "free of conflicts" in p.message] == ["a"]
    assert any(p.params.get("capacity") == 2 for p in problems)


def test_the_employer_rule_is_named_when_it_stops_an_assessment() -> None:
    problem = AssignmentProblem((expert("x", employer="f", load=2), expert("y", employer="f", load=2)), (need("a"),))
    with pytest.raises(InvalidInput) as caught:
        solve_assignment(problem)
    assert _messages(caught.value) == [
        "Assessment {assessment} needs {needed} experts but its eligible experts work for only {employers} employers"
    ]


def test_the_own_region_rule_is_named_when_it_stops_an_assessment() -> None:
    problem = AssignmentProblem((expert("x", region="11"), expert("y", region="11")),
                                (need("a", region="11", limit_own_region=True),))
    with pytest.raises(InvalidInput) as caught:
        solve_assignment(problem)
    assert caught.value.problems[0].params == {"assessment": "a", "needed": 2, "available": 1}


def test_loads_that_cannot_serve_everyone_at_once_name_the_short_assessments() -> None:
    pool = (expert("shared", load=1), expert("spare", load=5, region="26"))
    needs = (need("a", k=1), need("b", k=1), need("c", k=1))
    conflicts = frozenset({ConflictPair("spare", "a"), ConflictPair("spare", "b")})
    with pytest.raises(InvalidInput) as caught:
        solve_assignment(AssignmentProblem(pool, needs, conflicts))
    (problem,) = caught.value.problems
    assert problem.params["unfilled"] == 1
    assert problem.params["assessments"] in ("a", "b")


def test_malformed_input_is_refused_with_every_problem() -> None:
    problem = AssignmentProblem((expert("x", load=-1), expert("x")), (need("a", k=0),),
                                frozenset({ConflictPair("nobody", "a")}))
    with pytest.raises(InvalidInput) as caught:
        solve_assignment(problem)
    assert [p.field for p in caught.value.problems] == [
        "experts", "experts[0].load_limit", "assessments[0].experts_needed", "conflicts"]


# --- declines -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_a_decline_keeps_every_other_pair_and_never_returns_the_decliner(seed: int) -> None:
    problem = random_problem(200 + seed, experts=30, assessments=20, load=(2, 4))
    current = solve_assignment(problem).assignments
    declined = current[seed % len(current)]
    pair = ConflictPair(declined.expert_id, declined.assessment_id)
    after = reassign_after_decline(problem, current, pair)
    kept = set(current) - {declined}
    assert kept <= set(after.assignments)
    assert set(after.assignments) - kept == set(after.added)
    assert [a.expert_id for a in after.added] != [declined.expert_id]
    assert all(a.assessment_id == declined.assessment_id for a in after.added)
    assert rule_breaks(problem, after.assignments) == []

    # The replacement is the best expert the rules still allow for that place.
    others = [a for a in after.assignments if a not in after.added]
    candidates = [e for e in problem.experts if e.id != declined.expert_id]
    best = max(
        (affinity(e, next(a for a in problem.assessments if a.id == declined.assessment_id)).total
         for e in candidates if not rule_breaks(problem, [*others, ExpertAssignment(
             declined.assessment_id, e.id, 0, affinity(e, problem.assessments[0]))])),
        default=None,
    )
    assert [a.affinity for a in after.added] == [best]


def test_earlier_decliners_are_never_offered_again() -> None:
    pool = (expert("x", years=20), expert("y", years=14), expert("z", years=8), expert("w", years=0))
    problem = AssignmentProblem(pool, (need("a", k=1),))
    current = solve_assignment(problem).assignments
    assert [a.expert_id for a in current] == ["x"]
    after = reassign_after_decline(problem, current, ConflictPair("x", "a"),
                                   declined_before=frozenset({ConflictPair("y", "a")}))
    assert [a.expert_id for a in after.assignments] == ["z"]


def test_a_decline_on_an_assessment_outside_the_problem_is_refused() -> None:
    problem = AssignmentProblem((expert("x"), expert("y")), (need("a", k=1),))
    stray = ExpertAssignment("elsewhere", "x", 0, affinity(expert("x"), need("elsewhere", k=1)))
    with pytest.raises(InvalidInput):
        reassign_after_decline(problem, [stray], ConflictPair("x", "elsewhere"))


def test_declining_a_pair_that_was_never_made_is_refused() -> None:
    problem = AssignmentProblem((expert("x"), expert("y")), (need("a", k=1),))
    current = solve_assignment(problem).assignments
    with pytest.raises(InvalidInput):
        reassign_after_decline(problem, current, ConflictPair("nobody", "a"))


# --- the fractional relaxation and the greedy baseline ----------------------------------------------------------------


def _own_region_everywhere(problem: AssignmentProblem) -> AssignmentProblem:
    return AssignmentProblem(problem.experts, tuple(
        AssessmentNeed(a.id, a.industry, a.technologies, a.region, a.experts_needed, True)
        for a in problem.assessments), problem.conflicts)


@pytest.mark.parametrize("seed", [1757, 1762, 2212, 2517])
def test_a_fractional_relaxation_is_closed_by_reduced_cost_fixing(seed: int) -> None:
    # These seeds give relaxations the employer and own-region rows make fractional (found by search).
    problem = _own_region_everywhere(random_problem(seed, experts=8, assessments=5, load=(1, 2)))
    priced = solve_assignment(problem, candidates_per_place=1)
    every_pair = solve_assignment(problem, candidates_per_place=len(problem.experts))
    assert priced.certificate.method == "reduced-cost-fixing"
    assert priced.objective == every_pair.objective
    assert priced.certificate.upper_bound >= priced.objective
    assert rule_breaks(problem, priced.assignments) == []


def plain_greedy(problem: AssignmentProblem) -> list[tuple[str, str]]:
    """Greedy as written on paper: assessments in order, experts by affinity then position, every rule checked."""
    used: Counter[str] = Counter()
    made = []
    for need_ in problem.assessments:
        ranked = sorted(range(len(problem.experts)), key=lambda n: (-affinity(problem.experts[n], need_).total, n))
        team: list[ExpertProfile] = []
        for n in ranked:
            candidate = problem.experts[n]
            if len(team) == need_.experts_needed:
                break
            if ConflictPair(candidate.id, need_.id) in problem.conflicts or used[candidate.id] >= candidate.load_limit:
                continue
            if candidate.employer in {e.employer for e in team}:
                continue
            if need_.limit_own_region and candidate.region == need_.region and \
                    any(e.region == need_.region for e in team):
                continue
            team.append(candidate)
            used[candidate.id] += 1
            made.append((need_.id, candidate.id))
    return sorted(made)


@pytest.mark.parametrize("seed", range(5))
def test_greedy_is_the_paper_greedy(seed: int) -> None:
    problem = random_problem(300 + seed, experts=40, assessments=50, load=(0, 3), conflict_share=0.2)
    greedy = greedy_assignment(problem)
    assert [(a.assessment_id, a.expert_id) for a in greedy.assignments] == plain_greedy(problem)
    filled = Counter(a.assessment_id for a in greedy.assignments)
    assert list(greedy.unfilled) == [a.id for a in problem.assessments if filled[a.id] < a.experts_needed]


@pytest.mark.parametrize(("seed", "experts", "assessments", "load"),
                         [(27, 40, 60, (2, 6)), (32, 40, 60, (2, 6)), (77, 40, 60, (2, 6)), (369, 8, 6, (1, 3))])
def test_a_fractional_relaxation_is_settled_near_its_fractional_pairs_and_stays_optimal(
    seed: int, experts: int, assessments: int, load: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """These instances have a fractional relaxation: the solver's branch and bound around the fractional pairs
    (or the whole model when that is not enough) still gives the optimum over every pair."""
    calls: list[int] = []
    original = solver_module._Program.integer_near

    def spy(self: solver_module._Program, relaxed: np.ndarray) -> tuple[float, np.ndarray] | None:  # type: ignore[type-arg]
        calls.append(1)
        return original(self, relaxed)

    monkeypatch.setattr(solver_module._Program, "integer_near", spy)
    problem = random_problem(seed, experts=experts, assessments=assessments, load=load)
    priced = solve_assignment(problem, candidates_per_place=1)
    assert calls, "this instance no longer has a fractional relaxation; pick another seed"
    monkeypatch.setattr(solver_module._Program, "integer_near", original)
    assert priced.objective == solve_assignment(problem, candidates_per_place=len(problem.experts)).objective
    assert rule_breaks(problem, priced.assignments) == []
