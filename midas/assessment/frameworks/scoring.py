"""Item scores -> area and overall scores -> maturity levels, by the rules of one framework version.

Arithmetic is exact (fractions); results are decimals with two places, and every level is taken from the
rounded score that is shown, so a shown score and its level can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from midas.assessment.frameworks.model import Framework, Item, LevelRule, ScoringMethod, Tier
from midas.errors import InvalidInput, Problem

Scores = Mapping[str, object]
PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ItemResult:
    item_id: str
    score: int
    points: Decimal  # what the item adds: points for a points framework, the score itself for a band framework


@dataclass(frozen=True, slots=True)
class AreaResult:
    area_id: str
    score: Decimal
    maximum: Decimal
    level: int


@dataclass(frozen=True, slots=True)
class Result:
    """The scoring of one complete set of item scores against one framework version."""

    framework_id: str
    version: str
    content_hash: str
    overall: Decimal
    maximum: Decimal
    level: int
    areas: tuple[AreaResult, ...]
    items: tuple[ItemResult, ...]

    def area(self, area_id: str) -> AreaResult:
        return next(area for area in self.areas if area.area_id == area_id)


@dataclass(frozen=True, slots=True)
class ItemGap:
    item_id: str
    self_score: int
    expert_score: int
    difference: int  # self minus expert: positive when the company rates itself higher than the experts do


@dataclass(frozen=True, slots=True)
class AreaGap:
    area_id: str
    self_score: Decimal
    expert_score: Decimal
    difference: Decimal
    self_level: int
    expert_level: int


@dataclass(frozen=True, slots=True)
class GapReport:
    """A company's self-assessment set against the experts' assessment, item by item and area by area."""

    items: tuple[ItemGap, ...]
    areas: tuple[AreaGap, ...]
    self_overall: Decimal
    expert_overall: Decimal
    difference: Decimal
    self_level: int
    expert_level: int


@dataclass(frozen=True, slots=True)
class TierCount:
    tier: Tier
    count: int


@dataclass(frozen=True, slots=True)
class FrameworkPreview:
    """What an operator sees before publishing a framework version: its shape and how sample scores come out."""

    framework_id: str
    version: str
    content_hash: str
    tiers: tuple[TierCount, ...]
    item_count: int
    total: Decimal
    levels: tuple[LevelRule, ...]
    result: Result
    unscored: tuple[str, ...]  # items without a sample score, counted at the bottom of the scale
    problems: tuple[Problem, ...]  # sample scores that were left out (unknown item, outside the scale)


def check_scores(framework: Framework, scores: Scores, *, complete: bool = True) -> list[Problem]:
    """Every problem with a set of item scores: unknown items, non-integers, scores off the scale, gaps."""
    known = {item.id for item in framework.items}
    scale = framework.scale
    problems: list[Problem] = []
    for item_id, value in scores.items():
        field = f"scores.{item_id}"
        if item_id not in known:
            problems.append(Problem(field, "No item has the id {id}", {"id": str(item_id)[:60]}))
        elif isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(field, "Expected a whole number, not {kind}", {"kind": type(value).__name__}))
        elif not scale.minimum <= value <= scale.maximum:
            problems.append(Problem(field, "Score {level} is outside the scale {min}-{max}",
                                    {"level": value, "min": scale.minimum, "max": scale.maximum}))
    if complete:
        problems.extend(Problem(f"scores.{item.id}", "This item has no score")
                        for item in framework.items if item.id not in scores)
    return problems


def score(framework: Framework, scores: Scores) -> Result:
    """The scoring of a complete set of item scores; InvalidInput lists every problem with them."""
    problems = check_scores(framework, scores)
    if problems:
        raise InvalidInput(problems)
    return _score({item_id: int(str(value)) for item_id, value in scores.items()}, framework)


def preview(framework: Framework, scores: Scores) -> FrameworkPreview:
    """The shape of a framework and the scoring of sample scores, which may be partial or partly wrong."""
    problems = check_scores(framework, scores, complete=False)
    rejected = {problem.field.removeprefix("scores.") for problem in problems}
    usable = {item_id: int(str(value)) for item_id, value in scores.items() if item_id not in rejected}
    unscored = tuple(item.id for item in framework.items if item.id not in usable)
    filled = {item.id: usable.get(item.id, framework.scale.minimum) for item in framework.items}
    return FrameworkPreview(
        framework_id=framework.id, version=framework.version, content_hash=framework.content_hash,
        tiers=tuple(TierCount(tier, framework.count_at_tier(tier.key)) for tier in framework.tiers),
        item_count=len(framework.items), total=framework.total, levels=framework.levels,
        result=_score(filled, framework), unscored=unscored, problems=tuple(problems),
    )


def gap(framework: Framework, self_scores: Scores, expert_scores: Scores) -> GapReport:
    """Self-assessment minus expert assessment per item, per area and overall; both sets must be complete."""
    problems = [_prefixed(p, "self") for p in check_scores(framework, self_scores)]
    problems += [_prefixed(p, "expert") for p in check_scores(framework, expert_scores)]
    if problems:
        raise InvalidInput(problems)
    own, experts = score(framework, self_scores), score(framework, expert_scores)
    items = tuple(
        ItemGap(mine.item_id, mine.score, theirs.score, mine.score - theirs.score)
        for mine, theirs in zip(own.items, experts.items, strict=True)
    )
    areas = tuple(
        AreaGap(mine.area_id, mine.score, theirs.score, mine.score - theirs.score, mine.level, theirs.level)
        for mine, theirs in zip(own.areas, experts.areas, strict=True)
    )
    return GapReport(items, areas, own.overall, experts.overall, own.overall - experts.overall,
                     own.level, experts.level)


def _prefixed(problem: Problem, prefix: str) -> Problem:
    return Problem(f"{prefix}.{problem.field}", problem.message, problem.params, problem.row, problem.column)


def _score(scores: Mapping[str, int], framework: Framework) -> Result:
    contributions = {item.id: _contribution(framework, item, scores[item.id]) for item in framework.items}
    items = tuple(ItemResult(item.id, scores[item.id], _decimal(contributions[item.id]))
                  for item in framework.items)
    areas = tuple(_area_result(framework, area.id, contributions) for area in framework.areas)
    overall = _decimal(_aggregate(framework, framework.items, contributions))
    return Result(
        framework_id=framework.id, version=framework.version, content_hash=framework.content_hash,
        overall=overall, maximum=framework.score_range[1], level=framework.level_for(overall).level,
        areas=areas, items=items,
    )


def _contribution(framework: Framework, item: Item, value: int) -> Fraction:
    scale = framework.scale
    if framework.method is ScoringMethod.POINTS:
        return Fraction(item.weight) * (value - scale.minimum) / (scale.maximum - scale.minimum)
    return Fraction(value)


def _aggregate(framework: Framework, items: tuple[Item, ...], contributions: Mapping[str, Fraction]) -> Fraction:
    """Points add up; bands are averaged with the items' weights."""
    if framework.method is ScoringMethod.POINTS:
        return sum((contributions[item.id] for item in items), Fraction(0))
    weighted = sum((Fraction(item.weight) * contributions[item.id] for item in items), Fraction(0))
    return weighted / sum((Fraction(item.weight) for item in items), Fraction(0))


def _area_result(framework: Framework, area_id: str, contributions: Mapping[str, Fraction]) -> AreaResult:
    items = framework.items_under(area_id)
    value = _aggregate(framework, items, contributions)
    if framework.method is ScoringMethod.POINTS:
        maximum = sum((Fraction(item.weight) for item in items), Fraction(0))
        # An area's level reads its share of its own points on the overall range (assumed; see the docs page).
        on_overall_range = value / maximum * Fraction(framework.total)
    else:
        maximum, on_overall_range = Fraction(framework.scale.maximum), value
    level = framework.level_for(_decimal(on_overall_range)).level
    return AreaResult(area_id, _decimal(value), _decimal(maximum), level)


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PLACES, rounding=ROUND_HALF_EVEN)
