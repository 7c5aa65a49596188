"""Eligibility rules as data: strict parsing with the place of every problem, every rule checked and shown."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midas.errors import InvalidInput
from midas.registry import SizeBand
from midas.support.eligibility import (
    RULE_LABELS,
    SIZE_BANDS,
    ApplicantFacts,
    LevelInRange,
    MatchingDeclared,
    NoDoubleFunding,
    PriorFunding,
    describe,
    evaluate,
    parse_rules,
    rules_to_data,
    verdict_from_json,
    verdict_to_json,
)

MANUFACTURING = [str(d) for d in range(10, 34)]
EXAMPLE: list[dict[str, Any]] = [
    {"rule": "level_in_range", "min": 1, "max": 2},
    {"rule": "size_band", "allowed": ["micro", "small", "medium"]},
    {"rule": "ksic_division", "allowed": MANUFACTURING},
    {"rule": "region", "allowed": ["26", "48"]},
    {"rule": "no_active_sanction"},
    {"rule": "no_double_funding", "years": 3},
    {"rule": "matching_declared", "min_share_percent": 50},
]


def facts(**changes: Any) -> ApplicantFacts:
    base: dict[str, Any] = {
        "assessed_level": 2, "size_band": "small", "ksic_division": "29", "region": "48", "active_sanctions": (),
        "prior_fundings": (), "factory_id": "F1", "scope": "mes", "round_year": 2026, "matching_share_percent": 50,
    }
    return ApplicantFacts(**{**base, **changes})


def problems_of(data: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_rules(data)
    return {p.field: p.message for p in caught.value.problems}


def test_the_example_parses_and_round_trips() -> None:
    rules = parse_rules(EXAMPLE)
    assert [r.code for r in rules] == [item["rule"] for item in EXAMPLE]
    assert rules[0] == LevelInRange(1, 2)
    assert rules_to_data(rules) == EXAMPLE
    assert parse_rules(json.loads(json.dumps(rules_to_data(rules)))) == rules


def test_the_size_bands_are_the_registrys() -> None:
    assert set(SIZE_BANDS) == {band.value for band in SizeBand}


@pytest.mark.parametrize(("data", "where", "message"), [
    ({"rule": "region"}, "rules", "The eligibility rules must be a list"),
    ([1], "rules[0]", 'A rule must be an object with a "rule" key'),
    ([{"min": 1}], "rules[0].rule", 'A rule must be an object with a "rule" key'),
    ([{"rule": "turnover"}], "rules[0].rule", "Unknown rule {rule}; known are {known}"),
    ([{"rule": "level_in_range", "min": 1}], "rules[0].max", "The rule {rule} needs the key {key}"),
    ([{"rule": "no_active_sanction", "since": 2020}], "rules[0].since", "The rule {rule} has no key {key}"),
    ([{"rule": "level_in_range", "min": "1", "max": 2}], "rules[0].min", "{key} must be a whole number"),
    ([{"rule": "level_in_range", "min": True, "max": 2}], "rules[0].min", "{key} must be a whole number"),
    ([{"rule": "no_double_funding", "years": 0}], "rules[0].years", "{key} must be at least {low}"),
    ([{"rule": "matching_declared", "min_share_percent": "50"}], "rules[0].min_share_percent",
     "{key} must be a number"),
    ([{"rule": "matching_declared", "min_share_percent": 101}], "rules[0].min_share_percent",
     "{key} must be between 0 and 100"),
    ([{"rule": "region", "allowed": []}], "rules[0].allowed", "The list of allowed values is empty"),
    ([{"rule": "region", "allowed": "26"}], "rules[0].allowed", "{key} must be a list of texts"),
    ([{"rule": "region", "allowed": ["26", "2"]}], "rules[0].allowed[1]", "{value} is not a two-digit code"),
    ([{"rule": "region", "allowed": ["26", "26"]}], "rules[0].allowed[1]", "{value} is listed twice"),
    ([{"rule": "size_band", "allowed": ["tiny"]}], "rules[0].allowed[0]",
     "Unknown size band {value}; known are {known}"),
])
def test_a_bad_rule_is_refused_with_its_place(data: object, where: str, message: str) -> None:
    assert problems_of(data) == {where: message}


def test_min_above_max_is_named_at_the_max_of_the_third_rule() -> None:
    data = [EXAMPLE[4], EXAMPLE[1], {"rule": "level_in_range", "min": 3, "max": 2}]
    assert problems_of(data) == {"rules[2].max": "The maximum {max} is below the minimum {min}"}


def test_every_problem_is_reported_not_only_the_first() -> None:
    data = [EXAMPLE[4], {"rule": "no_active_sanction"}, {"rule": "region", "allowed": []}, {"rule": "x"}]
    assert problems_of(data) == {
        "rules[1].rule": "The rule {rule} appears more than once",
        "rules[2].allowed": "The list of allowed values is empty",
        "rules[3].rule": "Unknown rule {rule}; known are {known}",
    }


def test_an_eligible_applicant_passes_every_rule_with_the_values_seen() -> None:
    verdict = evaluate(parse_rules(EXAMPLE), facts())
    assert verdict.passed
    assert [(c.rule, c.seen, c.passed) for c in verdict.checks] == [
        ("level_in_range", "2", True), ("size_band", "small", True), ("ksic_division", "29", True),
        ("region", "48", True), ("no_active_sanction", "none", True), ("no_double_funding", "none", True),
        ("matching_declared", "50", True),
    ]
    assert verdict.checks[0].label == "Assessed level between {min} and {max}"
    assert verdict.checks[0].params == {"min": 1, "max": 2}


def test_every_failed_rule_is_listed_not_only_the_first() -> None:
    ineligible = facts(assessed_level=None, size_band="large", ksic_division="62", region="11",
                       active_sanctions=("S-17 exclusion",), prior_fundings=(PriorFunding("F1", "mes", 2024),),
                       matching_share_percent=Decimal("49.99"))
    verdict = evaluate(parse_rules(EXAMPLE), ineligible)
    assert not verdict.passed
    assert [(c.seen, c.passed) for c in verdict.checks] == [
        ("none", False), ("large", False), ("62", False), ("11", False), ("S-17 exclusion", False),
        ("2024", False), ("49.99", False),
    ]


@pytest.mark.parametrize(("funding", "passed"), [
    (PriorFunding("F1", "mes", 2024), False),  # 2024, 2025, 2026 are the last three years of round 2026
    (PriorFunding("F1", "mes", 2023), True),
    (PriorFunding("F2", "mes", 2025), True),  # another factory
    (PriorFunding("F1", "erp", 2025), True),  # another scope
])
def test_double_funding_looks_at_the_same_factory_and_scope_within_the_years(funding: PriorFunding,
                                                                              passed: bool) -> None:
    verdict = evaluate((NoDoubleFunding(3),), facts(prior_fundings=(funding,)))
    assert verdict.passed is passed


@pytest.mark.parametrize(("declared", "passed", "seen"), [
    (50, True, "50"), (50.0, True, "50"), (Decimal("50.00"), True, "50"), (49.9, False, "49.9"),
    (37.5, False, "37.5"), (0.1 + 0.2 + 49.7, True, "50"),
])
def test_the_matching_share_is_compared_as_a_decimal(declared: float | Decimal | int, passed: bool,
                                                      seen: str) -> None:
    check = evaluate((MatchingDeclared(50),), facts(matching_share_percent=declared)).checks[0]
    assert (check.passed, check.seen) == (passed, seen)


def test_no_rules_means_eligible() -> None:
    assert evaluate((), facts()).passed


def test_describe_gives_the_label_and_parameters_of_a_rule() -> None:
    shown = [describe(rule) for rule in parse_rules(EXAMPLE)]
    assert shown[1].label == RULE_LABELS["size_band"]
    assert shown[1].params == {"allowed": "micro, small, medium"}
    assert shown[5].label.format(**shown[5].params) == (
        "No support for the same factory and scope in the last 3 years")


def test_a_verdict_survives_a_json_column() -> None:
    verdict = evaluate(parse_rules(EXAMPLE), facts(region="11", matching_share_percent=37.5))
    stored = json.loads(json.dumps(verdict_to_json(verdict)))
    assert verdict_from_json(stored) == verdict


@pytest.mark.parametrize("damaged", [
    None, {"passed": True}, {"passed": "yes", "checks": []},
    {"passed": True, "checks": [{"rule": "region", "label": "x", "params": {}, "seen": 11, "passed": True}]},
])
def test_a_damaged_stored_verdict_is_refused(damaged: object) -> None:
    with pytest.raises(InvalidInput):
        verdict_from_json(damaged)


@given(level=st.one_of(st.none(), st.integers(0, 6)), low=st.integers(0, 5), span=st.integers(0, 3),
       share=st.integers(0, 100), region=st.sampled_from(["11", "26", "48"]))
def test_the_verdict_passes_exactly_when_every_check_does(level: int | None, low: int, span: int, share: int,
                                                         region: str) -> None:
    rules = parse_rules([{"rule": "level_in_range", "min": low, "max": low + span},
                         {"rule": "region", "allowed": ["26", "48"]},
                         {"rule": "matching_declared", "min_share_percent": 40}])
    verdict = evaluate(rules, facts(assessed_level=level, region=region, matching_share_percent=share))
    assert len(verdict.checks) == 3
    assert verdict.passed == all(c.passed for c in verdict.checks)
    assert verdict.checks[0].passed == (level is not None and low <= level <= low + span)
    assert verdict.checks[1].passed == (region != "11")
    assert verdict.checks[2].passed == (share >= 40)
