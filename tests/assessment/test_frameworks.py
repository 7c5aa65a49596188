"""Frameworks as data: the shipped ones load with the stated shape; bad files are refused with exact locations."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from midas.assessment.frameworks import (
    SHIPPED_FRAMEWORKS,
    FrameworkLibrary,
    ScoringMethod,
    load_framework,
    parse_framework,
    pin,
    shipped_framework,
)
from midas.errors import Conflict, InvalidInput, NotFound, Problem
from midas.i18n import catalog


def small_framework(**changes: Any) -> dict[str, Any]:
    """A valid two-tier points framework of 3 items worth 100 points, with levels 1-3; a fresh dict each call."""
    document: dict[str, Any] = {
        "id": "small",
        "version": "1",
        "name": {"ko": "작은 프레임워크", "en": "Small framework"},
        "description": {"ko": "시험용", "en": "For tests"},
        "tiers": [{"key": "field", "name": {"ko": "분야", "en": "Field"}},
                  {"key": "area", "name": {"ko": "영역", "en": "Area"}}],
        "scale": {"min": 0, "max": 2, "anchors": [
            {"level": 0, "ko": "없음", "en": "None"},
            {"level": 1, "ko": "일부", "en": "Partly"},
            {"level": 2, "ko": "완전", "en": "Fully"},
        ]},
        "scoring": {"method": "points", "total": 100},
        "levels": [
            {"level": 1, "name": {"ko": "낮음", "en": "Low"}, "description": {"ko": "낮음", "en": "Low"},
             "min": 0, "max": 40},
            {"level": 2, "name": {"ko": "중간", "en": "Middle"}, "description": {"ko": "중간", "en": "Middle"},
             "min": 40, "max": 80},
            {"level": 3, "name": {"ko": "높음", "en": "High"}, "description": {"ko": "높음", "en": "High"},
             "min": 80, "max": 100},
        ],
        "areas": [
            {"id": "field", "name": {"ko": "분야", "en": "Field"}, "points": 100},
            {"id": "first", "parent": "field", "name": {"ko": "첫째", "en": "First"}, "points": 60, "items": [
                _item("first.a", 30), _item("first.b", 30)]},
            {"id": "second", "parent": "field", "name": {"ko": "둘째", "en": "Second"}, "points": 40, "items": [
                _item("second.a", 40)]},
        ],
    }
    document.update(changes)
    return document


def _item(item_id: str, weight: object) -> dict[str, Any]:
    return {"id": item_id, "name": {"ko": "항목", "en": "Item"}, "weight": weight,
            "evidence": [{"ko": "기록", "en": "Records"}]}


def as_yaml(document: object) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def problems_of(document: object) -> list[Problem]:
    with pytest.raises(InvalidInput) as refused:
        parse_framework(as_yaml(document))
    problems = refused.value.problems
    korean = catalog("ko")
    untranslated = [p.message for p in problems if p.message not in korean]
    assert not untranslated, f"problems without a Korean translation: {untranslated}"
    return problems


def where(problems: list[Problem]) -> dict[str, Problem]:
    return {problem.field: problem for problem in problems}


# --- the shipped frameworks ---------------------------------------------------------------------------------


def test_the_ksx_framework_has_the_published_shape() -> None:
    framework = shipped_framework("ksx9001_3")
    assert framework.method is ScoringMethod.POINTS
    assert framework.total == 1000
    assert [tier.key for tier in framework.tiers] == ["field", "area"]
    assert framework.count_at_tier("field") == 4
    assert framework.count_at_tier("area") == 10
    assert len(framework.items) == 95
    assert [rule.level for rule in framework.levels] == [1, 2, 3, 4, 5]
    fields = {area.id: area.points for area in framework.children(None)}
    assert fields == {"strategy": 100, "process": 400, "systems": 400, "performance": 100}
    assert sum(item.weight for item in framework.items) == 1000


def test_the_ksx_framework_counts_the_published_items_per_area() -> None:
    framework = shipped_framework("ksx9001_3")
    counts = {area.id: len(area.items) for area in framework.areas if area.items}
    # published: product development 12, quality 12, information systems 20, automation 10, performance 12
    assert {k: counts[k] for k in ("product_development", "quality", "information_systems", "automation",
                                   "results")} == {"product_development": 12, "quality": 12,
                                                   "information_systems": 20, "automation": 10, "results": 12}


def test_the_siri_framework_has_16_dimensions_in_3_building_blocks() -> None:
    framework = shipped_framework("siri16")
    assert framework.method is ScoringMethod.BAND
    assert [area.id for area in framework.children(None)] == ["process", "technology", "organisation"]
    assert framework.count_at_tier("pillar") == 8
    assert len(framework.items) == 16
    assert (framework.scale.minimum, framework.scale.maximum) == (0, 5)
    assert [rule.level for rule in framework.levels] == [0, 1, 2, 3, 4, 5]
    per_block = {block.id: len(framework.items_under(block.id)) for block in framework.children(None)}
    assert per_block == {"process": 3, "technology": 9, "organisation": 4}


@pytest.mark.parametrize("name", SHIPPED_FRAMEWORKS)
def test_every_shipped_item_has_names_evidence_and_an_anchor_for_every_score(name: str) -> None:
    framework = shipped_framework(name)
    for item in framework.items:
        assert item.name.ko
        assert item.name.en
        assert item.evidence
        assert [anchor.level for anchor in framework.anchors_of(item)] == list(framework.scale.levels)
    assert framework.name.ko != framework.name.en


@pytest.mark.parametrize("name", SHIPPED_FRAMEWORKS)
def test_a_shipped_framework_loads_to_the_same_hash_each_time(name: str) -> None:
    assert shipped_framework(name).content_hash == shipped_framework(name).content_hash


def test_an_unknown_shipped_framework_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        shipped_framework("../secrets")
    assert refused.value.problems[0].field == "name"


# --- valid files ----------------------------------------------------------------------------------------------


def test_a_small_framework_loads_from_yaml_and_json_with_one_hash(tmp_path: Path) -> None:
    document = small_framework()
    (tmp_path / "small.yaml").write_text(as_yaml(document), encoding="utf-8")
    (tmp_path / "small.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    from_yaml, from_json = load_framework(tmp_path / "small.yaml"), load_framework(tmp_path / "small.json")
    assert from_yaml == from_json
    assert [area.tier for area in from_yaml.areas] == ["field", "area", "area"]
    assert from_yaml.area("first").points == 60


def test_decimal_weights_add_up_exactly() -> None:
    document = small_framework(scoring={"method": "band", "total": 1})
    document["levels"] = [{"level": 0, "name": {"ko": "전체", "en": "All"}, "description": {"ko": "전체", "en": "All"},
                           "min": 0, "max": 2}]
    document["areas"][0].pop("points")
    document["areas"][1] = {"id": "first", "parent": "field", "name": {"ko": "첫째", "en": "First"},
                            "items": [_item(f"first.{n}", 0.1) for n in range(10)]}
    document["areas"].pop(2)
    framework = parse_framework(as_yaml(document))
    assert sum(item.weight for item in framework.items) == Decimal(1)


# --- bad files: every problem, at its place -------------------------------------------------------------------


def test_a_parent_cycle_is_refused_at_its_first_area_with_the_line() -> None:
    text = as_yaml(small_framework())
    text = text.replace("- id: field\n", "- id: field\n  parent: second\n")
    with pytest.raises(InvalidInput) as refused:
        parse_framework(text)
    problem = where(refused.value.problems)["areas[0].parent"]
    assert problem.params["cycle"] == "field -> second -> field"
    assert problem.row == text.splitlines().index("  parent: second") + 1


def test_a_longer_cycle_names_every_area_on_it() -> None:
    document = small_framework()
    document["areas"].append({"id": "x", "parent": "y", "name": {"ko": "x", "en": "x"}})
    document["areas"].append({"id": "y", "parent": "z", "name": {"ko": "y", "en": "y"}})
    document["areas"].append({"id": "z", "parent": "x", "name": {"ko": "z", "en": "z"}})
    problems = where(problems_of(document))
    assert problems["areas[3].parent"].params["cycle"] == "x -> y -> z -> x"


def test_weights_that_miss_the_total_are_refused_at_the_total_and_at_the_area() -> None:
    document = small_framework()
    document["areas"][1]["items"][1]["weight"] = 25
    problems = where(problems_of(document))
    assert problems["scoring.total"].params == {"sum": "95", "total": "100"}
    assert problems["areas[1].points"].params == {"id": "first", "sum": "55", "points": "60"}
    assert problems["areas[0].points"].params == {"id": "field", "sum": "95", "points": "100"}


@pytest.mark.parametrize(("index", "key", "value", "location", "message"), [
    (1, "min", 45, "levels[1].min", "Scores from {start} to {end} have no level"),
    (1, "min", 30, "levels[1].min", "Levels {previous} and {level} overlap from {start} to {end}"),
    (0, "min", 5, "levels[0].min", "Scores from {start} to {end} have no level"),
    (2, "max", 99, "levels[2].max", "Scores from {start} to {end} have no level"),
    (2, "max", 120, "levels[2].max", "Level {level} ends at {value}, above the highest score {end}"),
    (0, "min", -1, "levels[0].min", "Level {level} starts at {value}, below the lowest score {start}"),
    (1, "max", 40, "levels[1].max", "A level must end above where it starts ({min})"),
    (2, "level", 2, "levels[2].level", "Level {level} must be higher than the level before it ({previous})"),
])
def test_level_rules_that_leave_a_score_uncovered_or_covered_twice_are_refused(
        index: int, key: str, value: int, location: str, message: str) -> None:
    document = small_framework()
    document["levels"][index][key] = value
    assert where(problems_of(document))[location].message == message


def test_a_gap_names_the_uncovered_scores() -> None:
    document = small_framework()
    document["levels"][1]["min"] = 45
    assert where(problems_of(document))["levels[1].min"].params == {"start": "40", "end": "45"}


def test_duplicate_ids_are_refused_with_the_first_use() -> None:
    document = small_framework()
    document["areas"][2]["items"][0]["id"] = "first"
    problem = where(problems_of(document))["areas[2].items[0].id"]
    assert problem.params == {"id": "first", "first": "areas[1].id"}


def test_missing_and_doubled_anchors_are_refused() -> None:
    document = small_framework()
    document["scale"]["anchors"][1]["level"] = 2
    problems = where(problems_of(document))
    assert problems["scale.anchors[2].level"].message == "Score {level} is described twice"
    assert problems["scale.anchors"].params == {"level": 1}


def test_an_item_with_its_own_anchors_must_describe_every_score() -> None:
    document = small_framework()
    document["areas"][1]["items"][0]["anchors"] = [{"level": 0, "ko": "없음", "en": "None"},
                                                   {"level": 7, "ko": "?", "en": "?"}]
    problems = where(problems_of(document))
    assert problems["areas[1].items[0].anchors[1].level"].params == {"level": 7, "min": 0, "max": 2}
    assert problems["areas[1].items[0].anchors"].message == "No anchor describes score {level}"


@pytest.mark.parametrize(("path", "value", "location", "message"), [
    (("areas", 1, "items", 0, "weight"), "thirty", "areas[1].items[0].weight", "Expected a number, not {kind}"),
    (("areas", 1, "items", 0, "weight"), True, "areas[1].items[0].weight", "Expected a number, not {kind}"),
    (("areas", 1, "items", 0, "weight"), 0, "areas[1].items[0].weight", "Must be more than {n}"),
    (("version",), 1.5, "version", "Expected text, not {kind}"),
    (("name",), ["Small"], "name", "Expected a mapping of keys to values, not {kind}"),
    (("areas",), {"id": "x"}, "areas", "Expected a list, not {kind}"),
    (("scale", "max"), 2.5, "scale.max", "Expected a whole number, not {kind}"),
    (("scoring", "method"), "median", "scoring.method", "Unknown scoring method {value} (points or band)"),
    (("id",), "Small Framework", "id", "An id uses lower-case letters, digits, '.', '_' and '-', not {value}"),
    (("areas", 1, "items", 0, "evidence"), [], "areas[1].items[0].evidence",
     "Name at least one piece of evidence an expert expects"),
    (("areas", 2, "parent"), "nowhere", "areas[2].parent", "No area has the id {id}"),
    (("areas", 1, "colour"), "blue", "areas[1].colour", "Unknown key {key}"),
])
def test_wrong_types_and_values_are_refused_at_their_place(
        path: tuple[str | int, ...], value: object, location: str, message: str) -> None:
    document = small_framework()
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert where(problems_of(document))[location].message == message


def test_the_tree_must_fit_the_tiers_and_hold_items_only_on_leaves() -> None:
    document = small_framework()
    document["areas"].append({"id": "deep", "parent": "first", "name": {"ko": "깊음", "en": "Deep"},
                              "items": [_item("deep.a", 1)]})
    document["areas"].append({"id": "empty", "name": {"ko": "빈", "en": "Empty"}})
    problems = where(problems_of(document))
    assert problems["areas[3].parent"].params == {"depth": 3, "count": 2}
    assert problems["areas[1].items"].message == "An area with sub-areas cannot hold items"
    assert problems["areas[4]"].message == "An area without sub-areas needs at least one item"


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    document = small_framework()
    document["areas"][1]["items"][0]["weight"] = "x"
    document["levels"][2]["max"] = 90
    document["scale"]["anchors"].pop()
    fields = set(where(problems_of(document)))
    assert {"areas[1].items[0].weight", "levels[2].max", "scale.anchors"} <= fields


def test_a_file_that_is_not_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_framework("id: x\nname: [unclosed\n")
    assert refused.value.problems[0].field == "(document)"
    assert refused.value.problems[0].row is not None


def test_a_file_that_is_not_json_is_refused_with_its_line() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_framework('{\n"id": }', file_format="json")
    assert refused.value.problems[0].row == 2


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    assert problems_of(["id", "x"])[0].field == "(document)"


# --- versions ---------------------------------------------------------------------------------------------------


def test_two_versions_of_one_framework_live_side_by_side() -> None:
    library = FrameworkLibrary()
    old = parse_framework(as_yaml(small_framework()))
    new = parse_framework(as_yaml(small_framework(version="2")))
    library.register(old)
    library.register(new)
    assert library.versions("small") == ("1", "2")
    assert library.get("small", "1") is old
    assert library.resolve(pin(new)) is new


def test_a_changed_file_under_the_same_version_is_refused_and_changes_nothing() -> None:
    library = FrameworkLibrary()
    original = parse_framework(as_yaml(small_framework()))
    library.register(original)
    changed_document = small_framework()
    changed_document["areas"][1]["items"][0]["name"]["en"] = "Renamed item"
    changed = parse_framework(as_yaml(changed_document))
    assert changed.content_hash != original.content_hash
    with pytest.raises(Conflict):
        library.register(changed)
    assert library.get("small", "1") is original
    assert library.register(original) == pin(original)  # the same content again is accepted


def test_a_pinned_round_notices_that_its_version_changed() -> None:
    library = FrameworkLibrary()
    ref = pin(parse_framework(as_yaml(small_framework())))
    changed_document = small_framework()
    changed_document["levels"][0]["description"]["ko"] = "다름"
    library.register(parse_framework(as_yaml(changed_document)))
    with pytest.raises(Conflict):
        library.resolve(ref)
    with pytest.raises(NotFound):
        library.get("small", "9")


def test_comments_and_layout_do_not_change_the_hash() -> None:
    text = as_yaml(small_framework())
    reformatted = "# a comment\n" + json.dumps(yaml.safe_load(text), ensure_ascii=False, indent=4)
    assert parse_framework(text).content_hash == parse_framework(reformatted).content_hash
