"""Scoring: item scores -> area and overall scores -> levels; the self/expert gap; the operator's preview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midas.assessment.frameworks import (
    SHIPPED_FRAMEWORKS,
    Framework,
    Result,
    ScoringMethod,
    check_scores,
    gap,
    preview,
    score,
    shipped_framework,
)
from midas.errors import InvalidInput

# Frameworks are frozen, so loading each once for the property tests shares nothing mutable.
FRAMEWORKS = {name: shipped_framework(name) for name in SHIPPED_FRAMEWORKS}


def uniform(framework: Framework, value: int) -> dict[str, object]:
    return {item.id: value for item in framework.items}


@st.composite
def scored(draw: st.DrawFn) -> tuple[Framework, dict[str, object]]:
    framework = FRAMEWORKS[draw(st.sampled_from(SHIPPED_FRAMEWORKS))]
    values = draw(st.lists(st.integers(framework.scale.minimum, framework.scale.maximum),
                           min_size=len(framework.items), max_size=len(framework.items)))
    return framework, {item.id: value for item, value in zip(framework.items, values, strict=True)}


def level_covers(framework: Framework, result: Result) -> bool:
    rule = next(rule for rule in framework.levels if rule.level == result.level)
    top = rule is framework.levels[-1]
    below_top = result.overall < rule.maximum or (top and result.overall == rule.maximum)
    return rule.minimum <= result.overall and below_top


@given(scored(), st.data())
def test_raising_an_item_score_never_lowers_the_overall_score_or_level(
        case: tuple[Framework, dict[str, object]], data: st.DataObject) -> None:
    framework, scores = case
    item = data.draw(st.sampled_from(framework.items))
    current = scores[item.id]
    assert isinstance(current, int)
    raised = {**scores, item.id: data.draw(st.integers(current, framework.scale.maximum))}
    before, after = score(framework, scores), score(framework, raised)
    assert after.overall >= before.overall
    assert after.level >= before.level
    for old, new in zip(before.areas, after.areas, strict=True):
        assert new.score >= old.score
        assert new.level >= old.level


@given(scored())
def test_the_level_always_covers_the_overall_score(case: tuple[Framework, dict[str, object]]) -> None:
    framework, scores = case
    result = score(framework, scores)
    assert level_covers(framework, result)
    low, high = framework.score_range
    assert low <= result.overall <= high


@given(scored())
def test_field_scores_add_up_to_the_overall_score_of_a_points_framework(
        case: tuple[Framework, dict[str, object]]) -> None:
    framework, scores = case
    result = score(framework, scores)
    if framework.method is ScoringMethod.POINTS:
        roots = sum(result.area(area.id).score for area in framework.children(None))
        assert abs(roots - result.overall) <= Decimal("0.01") * len(framework.children(None))


@pytest.mark.parametrize("name", SHIPPED_FRAMEWORKS)
def test_all_maximum_scores_reach_the_top_and_all_minimum_scores_the_bottom(name: str) -> None:
    framework = FRAMEWORKS[name]
    best, worst = score(framework, uniform(framework, framework.scale.maximum)), \
        score(framework, uniform(framework, framework.scale.minimum))
    assert (best.overall, best.level) == (framework.score_range[1], framework.levels[-1].level)
    assert (worst.overall, worst.level) == (framework.score_range[0], framework.levels[0].level)
    assert all(area.level == framework.levels[-1].level for area in best.areas)


def test_the_ksx_framework_scores_1000_points_and_level_5_at_the_top() -> None:
    result = score(FRAMEWORKS["ksx9001_3"], uniform(FRAMEWORKS["ksx9001_3"], 5))
    assert (result.overall, result.maximum, result.level) == (Decimal("1000.00"), Decimal(1000), 5)


def test_an_item_earns_its_share_of_its_weight() -> None:
    framework = FRAMEWORKS["ksx9001_3"]
    result = score(framework, {**uniform(framework, 0), "leadership.vision": 3})
    assert result.overall == Decimal("12.00")  # 3/5 of 20 points
    assert result.area("leadership").score == Decimal("12.00")
    assert result.area("strategy").maximum == Decimal("100.00")


def test_the_ksx_level_bands_place_a_middle_score() -> None:
    framework = FRAMEWORKS["ksx9001_3"]
    result = score(framework, uniform(framework, 3))
    assert (result.overall, result.level) == (Decimal("600.00"), 3)


def test_a_band_framework_averages_with_the_weights() -> None:
    framework = FRAMEWORKS["siri16"]
    scores = {**uniform(framework, 2), "vertical_integration": 5, "strategy_governance": 5}
    result = score(framework, scores)
    assert result.overall == Decimal("2.38")  # (14*2 + 2*5) / 16 = 2.375, rounded half to even
    assert result.level == 2
    assert result.area("process").score == Decimal("3.00")


def test_bad_scores_are_refused_all_at_once() -> None:
    framework = FRAMEWORKS["siri16"]
    scores: dict[str, object] = {**uniform(framework, 1), "vertical_integration": 6, "leadership_competency": 2.5,
                                 "collaboration": True, "teleportation": 3}
    del scores["facility_intelligence"]
    with pytest.raises(InvalidInput) as refused:
        score(framework, scores)
    messages = {problem.field: problem.message for problem in refused.value.problems}
    assert messages == {
        "scores.vertical_integration": "Score {level} is outside the scale {min}-{max}",
        "scores.leadership_competency": "Expected a whole number, not {kind}",
        "scores.collaboration": "Expected a whole number, not {kind}",
        "scores.teleportation": "No item has the id {id}",
        "scores.facility_intelligence": "This item has no score",
    }


def test_a_partial_check_does_not_ask_for_missing_items() -> None:
    assert check_scores(FRAMEWORKS["siri16"], {"vertical_integration": 3}, complete=False) == []


def test_the_gap_is_self_minus_expert_per_item_area_and_overall() -> None:
    framework = FRAMEWORKS["ksx9001_3"]
    report = gap(framework, uniform(framework, 4), {**uniform(framework, 3), "leadership.vision": 5})
    by_item = {item.item_id: item for item in report.items}
    assert by_item["leadership.vision"].difference == -1
    assert by_item["quality.spc"].difference == 1
    leadership = next(area for area in report.areas if area.area_id == "leadership")
    assert (leadership.self_score, leadership.expert_score) == (Decimal("80.00"), Decimal("68.00"))
    assert leadership.difference == Decimal("12.00")
    assert (report.self_overall, report.expert_overall, report.difference) == (
        Decimal("800.00"), Decimal("608.00"), Decimal("192.00"))
    assert (report.self_level, report.expert_level) == (4, 3)


def test_the_gap_says_which_side_is_incomplete() -> None:
    framework = FRAMEWORKS["siri16"]
    incomplete = uniform(framework, 2)
    del incomplete["vertical_integration"]
    with pytest.raises(InvalidInput) as refused:
        gap(framework, incomplete, uniform(framework, 2))
    assert [problem.field for problem in refused.value.problems] == ["self.scores.vertical_integration"]


def test_the_preview_shows_the_shape_and_scores_what_it_can() -> None:
    framework = FRAMEWORKS["ksx9001_3"]
    shown = preview(framework, {"leadership.vision": 5, "leadership.strategy": 9, "nowhere": 1})
    assert [(count.tier.key, count.count) for count in shown.tiers] == [("field", 4), ("area", 10)]
    assert shown.item_count == 95
    assert shown.result.overall == Decimal("20.00")
    assert shown.result.level == 1
    assert len(shown.unscored) == 94
    assert {problem.field for problem in shown.problems} == {"scores.leadership.strategy", "scores.nowhere"}
