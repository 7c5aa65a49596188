"""A capability framework as typed, immutable data: a tree of areas holding items, a scale, weights, level rules.

Numbers are :class:`~decimal.Decimal` read from the file's own decimal text, so that weights such as 0.1 add
up exactly and a weight check never fails on binary rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ScoringMethod(StrEnum):
    """How item scores become an overall score."""

    POINTS = "points"  # each item's weight is its maximum points; the overall score is their sum (KS X 9001-3)
    BAND = "band"  # the overall score is the weighted mean of item scores, on the scale itself (SIRI)


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """The same text in Korean (first) and English."""

    ko: str
    en: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a score of ``level`` means."""

    level: int
    text: LocalizedText


@dataclass(frozen=True, slots=True)
class Scale:
    """The whole-number scores an item can get, each with an anchor description."""

    minimum: int
    maximum: int
    anchors: tuple[Anchor, ...]

    @property
    def levels(self) -> range:
        return range(self.minimum, self.maximum + 1)


@dataclass(frozen=True, slots=True)
class Tier:
    """A depth of the area tree, by its name in the framework's words (field, area; building block, pillar)."""

    key: str
    name: LocalizedText


@dataclass(frozen=True, slots=True)
class Item:
    """One scored question: its weight, the evidence an expert expects to see, and its anchors."""

    id: str
    name: LocalizedText
    weight: Decimal
    evidence: tuple[LocalizedText, ...]
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True, slots=True)
class Area:
    """A node of the tree. Leaf areas hold items; inner areas hold other areas."""

    id: str
    name: LocalizedText
    parent_id: str | None
    tier: str
    points: Decimal | None
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class LevelRule:
    """Scores from ``minimum`` (inclusive) to ``maximum`` (exclusive, inclusive for the top level) give ``level``."""

    level: int
    name: LocalizedText
    description: LocalizedText
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True, slots=True)
class Framework:
    """One version of a capability framework, as validated by :func:`~midas.assessment.frameworks.loader`."""

    id: str
    version: str
    name: LocalizedText
    description: LocalizedText
    tiers: tuple[Tier, ...]
    scale: Scale
    method: ScoringMethod
    total: Decimal
    levels: tuple[LevelRule, ...]
    areas: tuple[Area, ...]
    content_hash: str

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in file order."""
        return tuple(item for area in self.areas for item in area.items)

    @property
    def score_range(self) -> tuple[Decimal, Decimal]:
        """The lowest and highest overall score; the level rules cover exactly this range."""
        if self.method is ScoringMethod.POINTS:
            return Decimal(0), self.total
        return Decimal(self.scale.minimum), Decimal(self.scale.maximum)

    def area(self, area_id: str) -> Area:
        return next(area for area in self.areas if area.id == area_id)

    def children(self, area_id: str | None) -> tuple[Area, ...]:
        """The areas directly below ``area_id`` (the roots for None)."""
        return tuple(area for area in self.areas if area.parent_id == area_id)

    def items_under(self, area_id: str) -> tuple[Item, ...]:
        """The items of an area and of every area below it."""
        area = self.area(area_id)
        return area.items + tuple(item for child in self.children(area_id) for item in self.items_under(child.id))

    def anchors_of(self, item: Item) -> tuple[Anchor, ...]:
        """The item's own anchors, or the scale's where the item has none."""
        return item.anchors or self.scale.anchors

    def level_for(self, score: Decimal) -> LevelRule:
        """The level rule whose range holds ``score`` (scores outside the range take the nearest level)."""
        for rule in self.levels:
            if rule.minimum <= score < rule.maximum:
                return rule
        return self.levels[-1] if score >= self.levels[-1].minimum else self.levels[0]

    def count_at_tier(self, tier: str) -> int:
        return sum(1 for area in self.areas if area.tier == tier)


@dataclass(frozen=True, slots=True)
class FrameworkRef:
    """What a round pins: one framework version and the hash of the content it was assessed against."""

    id: str
    version: str
    content_hash: str
