"""Read a framework file (YAML or JSON), check all of it, and build a :class:`Framework` or refuse it.

Every problem is collected before deciding, each with its location in the document (``areas[2].items[5].weight``)
and, for YAML, the line of the file, so that an operator fixes a file in one pass. A refused file builds nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Literal

import yaml

from midas.assessment.frameworks.model import (
    Anchor,
    Area,
    Framework,
    Item,
    LevelRule,
    LocalizedText,
    Scale,
    ScoringMethod,
    Tier,
)
from midas.errors import InvalidInput, ParamValue, Problem

FileFormat = Literal["yaml", "json"]
PathPart = str | int
SHIPPED_FRAMEWORKS = ("ksx9001_3", "siri16")
DOCUMENT = "(document)"
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_TOP_KEYS = {"id", "version", "name", "description", "tiers", "scale", "scoring", "levels", "areas"}
_AREA_KEYS = {"id", "name", "parent", "points", "items"}
_ITEM_KEYS = {"id", "name", "weight", "evidence", "anchors"}
_LEVEL_KEYS = {"level", "name", "description", "min", "max"}


def parse_framework(text: str | bytes, *, file_format: FileFormat = "yaml") -> Framework:
    """A validated framework from the text of a YAML or JSON file; InvalidInput lists every problem."""
    data, lines = _read_document(text, file_format)
    return _Reader(lines).framework(data, _content_hash(data))


def load_framework(path: Path) -> Framework:
    """A validated framework from a ``.yaml``, ``.yml`` or ``.json`` file."""
    file_format: FileFormat = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_framework(path.read_bytes(), file_format=file_format)


def shipped_framework(name: str) -> Framework:
    """One of the frameworks shipped with MIDAS, by file name without suffix (see ``SHIPPED_FRAMEWORKS``)."""
    if name not in SHIPPED_FRAMEWORKS:
        raise InvalidInput.single("name", "Unknown framework {value}", {"value": name})
    data = resources.files("midas.assessment.frameworks").joinpath("data", f"{name}.yaml").read_bytes()
    return parse_framework(data)


def _read_document(text: str | bytes, file_format: FileFormat) -> tuple[object, dict[tuple[PathPart, ...], int]]:
    if file_format == "json":
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as error:
            raise InvalidInput([Problem(DOCUMENT, "The file is not valid JSON: {reason}",
                                        {"reason": error.msg}, row=error.lineno)]) from error
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InvalidInput([Problem(DOCUMENT, "The file is not valid YAML: {reason}",
                                    {"reason": str(getattr(error, "problem", None) or error)},
                                    row=mark.line + 1 if mark is not None else None)]) from error
    return data, dict(_node_lines(node, ())) if node is not None else {}


def _node_lines(node: yaml.Node, path: tuple[PathPart, ...]) -> Iterator[tuple[tuple[PathPart, ...], int]]:
    """The file line of every value, by its path in the document."""
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _node_lines(value, (*path, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            yield from _node_lines(value, (*path, index))


def _content_hash(data: object) -> str:
    # Hash the parsed content, not the bytes: a comment or a re-indented line is not a change of the framework.
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def location(path: Sequence[PathPart]) -> str:
    """``("areas", 2, "items", 5, "weight")`` -> ``"areas[2].items[5].weight"``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or DOCUMENT


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


@dataclass(frozen=True, slots=True)
class _AreaDraft:
    index: int
    id: str
    parent: str | None
    name: LocalizedText | None
    points: Decimal | None
    items: tuple[Item, ...]
    has_items: bool


class _Reader:
    """Walks one document, collecting every problem; builds the framework only if there are none."""

    def __init__(self, lines: Mapping[tuple[PathPart, ...], int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        self.first_use: dict[str, str] = {}

    def problem(self, path: tuple[PathPart, ...], message: str, params: Mapping[str, ParamValue] | None = None) -> None:
        row = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        self.problems.append(Problem(location(path), message, dict(params or {}), row=row))

    # --- typed values -------------------------------------------------------------------------------------

    def mapping(self, value: object, path: tuple[PathPart, ...], keys: set[str]) -> Mapping[str, object] | None:
        if not isinstance(value, dict):
            self.problem(path, "Expected a mapping of keys to values, not {kind}", {"kind": _kind(value)})
            return None
        for key in value:
            if str(key) not in keys:
                self.problem((*path, str(key)), "Unknown key {key}", {"key": str(key)})
        return {str(k): v for k, v in value.items()}

    def sequence(self, value: object, path: tuple[PathPart, ...], *, required: bool = True) -> list[object]:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.problem(path, "Expected a list, not {kind}", {"kind": _kind(value)})
            return []
        return value

    def text(self, raw: Mapping[str, object], key: str, path: tuple[PathPart, ...]) -> str | None:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem((*path, key), "This field is required")
            return None
        if not isinstance(value, str):
            self.problem((*path, key), "Expected text, not {kind}", {"kind": _kind(value)})
            return None
        return value.strip()

    def identifier(self, raw: Mapping[str, object], key: str, path: tuple[PathPart, ...]) -> str | None:
        value = self.text(raw, key, path)
        if value is not None and not _ID.fullmatch(value):
            self.problem((*path, key), "An id uses lower-case letters, digits, '.', '_' and '-', not {value}",
                         {"value": value[:40]})
            return None
        return value

    def number(self, raw: Mapping[str, object], key: str, path: tuple[PathPart, ...], *,
               positive: bool = False, required: bool = True) -> Decimal | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem((*path, key), "This field is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem((*path, key), "Expected a number, not {kind}", {"kind": _kind(value)})
            return None
        try:
            # str() keeps the decimal the author wrote (0.1 stays 1/10), so sums are exact
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.problem((*path, key), "Expected a number, not {kind}", {"kind": str(value)})
            return None
        if positive and number <= 0:
            self.problem((*path, key), "Must be more than {n}", {"n": 0})
            return None
        return number

    def integer(self, raw: Mapping[str, object], key: str, path: tuple[PathPart, ...]) -> int | None:
        value = raw.get(key)
        if value is None:
            self.problem((*path, key), "This field is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem((*path, key), "Expected a whole number, not {kind}", {"kind": _kind(value)})
            return None
        return value

    def localized(self, raw: Mapping[str, object], key: str, path: tuple[PathPart, ...]) -> LocalizedText | None:
        if raw.get(key) is None:
            self.problem((*path, key), "This field is required")
            return None
        value = self.mapping(raw.get(key), (*path, key), {"ko", "en"})
        if value is None:
            return None
        ko, en = self.text(value, "ko", (*path, key)), self.text(value, "en", (*path, key))
        return LocalizedText(ko, en) if ko is not None and en is not None else None

    def claim(self, identifier: str, path: tuple[PathPart, ...]) -> None:
        """Ids of areas and items share one namespace: a score or a parent names exactly one thing."""
        where = location(path)
        if identifier in self.first_use:
            self.problem(path, "Id {id} is used twice (first at {first})",
                         {"id": identifier, "first": self.first_use[identifier]})
        else:
            self.first_use[identifier] = where

    # --- the document -------------------------------------------------------------------------------------

    def framework(self, data: object, content_hash: str) -> Framework:
        raw = self.mapping(data, (), _TOP_KEYS)
        if raw is None:
            raise InvalidInput(self.problems)
        framework_id = self.identifier(raw, "id", ())
        version = self.text(raw, "version", ())
        name = self.localized(raw, "name", ())
        description = self.localized(raw, "description", ())
        tiers = self.tiers(raw.get("tiers"))
        scale = self.scale(raw.get("scale"))
        method, total = self.scoring(raw.get("scoring"))
        drafts = self.area_drafts(raw.get("areas"), scale)
        areas = self.areas(drafts, tiers)
        score_range = _score_range(method, total, scale)
        levels = self.levels(raw.get("levels"), score_range)
        if areas and total is not None:
            self.weights(drafts, total)
        if (self.problems or framework_id is None or version is None or name is None or description is None
                or scale is None or method is None or total is None):
            raise InvalidInput(self.problems)
        return Framework(
            id=framework_id, version=version, name=name, description=description, tiers=tiers, scale=scale,
            method=method, total=total, levels=levels, areas=areas, content_hash=content_hash,
        )

    def tiers(self, value: object) -> tuple[Tier, ...]:
        tiers: list[Tier] = []
        entries = self.sequence(value, ("tiers",))
        if isinstance(value, list) and not entries:
            self.problem(("tiers",), "Name at least one tier of areas")
        for index, entry in enumerate(entries):
            path: tuple[PathPart, ...] = ("tiers", index)
            raw = self.mapping(entry, path, {"key", "name"})
            if raw is None:
                continue
            key, name = self.identifier(raw, "key", path), self.localized(raw, "name", path)
            if key is not None and name is not None:
                tiers.append(Tier(key, name))
        return tuple(tiers)

    def scale(self, value: object) -> Scale | None:
        raw = self.mapping(value, ("scale",), {"min", "max", "anchors"})
        if raw is None:
            return None
        low, high = self.integer(raw, "min", ("scale",)), self.integer(raw, "max", ("scale",))
        if low is None or high is None:
            return None
        if high <= low:
            self.problem(("scale", "max"), "The scale must end above where it starts ({min})", {"min": low})
            return None
        anchors = self.anchors(raw.get("anchors"), ("scale", "anchors"), low, high)
        return Scale(low, high, anchors) if anchors is not None else None

    def anchors(self, value: object, path: tuple[PathPart, ...], low: int, high: int) -> tuple[Anchor, ...] | None:
        """One anchor for every score of the scale, none twice, none outside it."""
        found: dict[int, Anchor] = {}
        complete = True
        for index, entry in enumerate(self.sequence(value, path)):
            raw = self.mapping(entry, (*path, index), {"level", "ko", "en"})
            if raw is None:
                complete = False
                continue
            level = self.integer(raw, "level", (*path, index))
            ko, en = self.text(raw, "ko", (*path, index)), self.text(raw, "en", (*path, index))
            if level is None or ko is None or en is None:
                complete = False
            elif not low <= level <= high:
                self.problem((*path, index, "level"), "Score {level} is outside the scale {min}-{max}",
                             {"level": level, "min": low, "max": high})
                complete = False
            elif level in found:
                self.problem((*path, index, "level"), "Score {level} is described twice", {"level": level})
                complete = False
            else:
                found[level] = Anchor(level, LocalizedText(ko, en))
        for level in range(low, high + 1):
            if level not in found and isinstance(value, list):
                self.problem(path, "No anchor describes score {level}", {"level": level})
                complete = False
        return tuple(found[level] for level in range(low, high + 1)) if complete else None

    def scoring(self, value: object) -> tuple[ScoringMethod | None, Decimal | None]:
        raw = self.mapping(value, ("scoring",), {"method", "total"})
        if raw is None:
            return None, None
        text = self.text(raw, "method", ("scoring",))
        method = next((m for m in ScoringMethod if m.value == text), None)
        if text is not None and method is None:
            self.problem(("scoring", "method"), "Unknown scoring method {value} (points or band)",
                         {"value": text[:40]})
        return method, self.number(raw, "total", ("scoring",), positive=True)

    def area_drafts(self, value: object, scale: Scale | None) -> list[_AreaDraft]:
        drafts: list[_AreaDraft] = []
        entries = self.sequence(value, ("areas",))
        if isinstance(value, list) and not entries:
            self.problem(("areas",), "A framework needs at least one area")
        for index, entry in enumerate(entries):
            path: tuple[PathPart, ...] = ("areas", index)
            raw = self.mapping(entry, path, _AREA_KEYS)
            if raw is None:
                continue
            area_id = self.identifier(raw, "id", path)
            if area_id is not None:
                self.claim(area_id, (*path, "id"))
            parent = raw.get("parent")
            if parent is not None and not isinstance(parent, str):
                self.problem((*path, "parent"), "Expected text, not {kind}", {"kind": _kind(parent)})
                parent = None
            name = self.localized(raw, "name", path)
            points = self.number(raw, "points", path, positive=True, required=False)
            items = tuple(self.items(raw.get("items"), (*path, "items"), scale))
            if area_id is not None:
                drafts.append(_AreaDraft(index, area_id, parent, name, points, items, raw.get("items") is not None))
        return drafts

    def items(self, value: object, path: tuple[PathPart, ...], scale: Scale | None) -> Iterator[Item]:
        for index, entry in enumerate(self.sequence(value, path, required=False)):
            item_path = (*path, index)
            raw = self.mapping(entry, item_path, _ITEM_KEYS)
            if raw is None:
                continue
            item_id = self.identifier(raw, "id", item_path)
            if item_id is not None:
                self.claim(item_id, (*item_path, "id"))
            name = self.localized(raw, "name", item_path)
            weight = self.number(raw, "weight", item_path, positive=True)
            evidence = self.evidence(raw.get("evidence"), (*item_path, "evidence"))
            anchors: tuple[Anchor, ...] | None = ()
            if raw.get("anchors") is not None and scale is not None:
                anchors = self.anchors(raw.get("anchors"), (*item_path, "anchors"), scale.minimum, scale.maximum)
            if item_id and name and weight is not None and evidence and anchors is not None:
                yield Item(item_id, name, weight, evidence, anchors)

    def evidence(self, value: object, path: tuple[PathPart, ...]) -> tuple[LocalizedText, ...]:
        entries = self.sequence(value, path)
        if isinstance(value, list) and not entries:
            self.problem(path, "Name at least one piece of evidence an expert expects")
        texts = []
        for index, entry in enumerate(entries):
            raw = self.mapping(entry, (*path, index), {"ko", "en"})
            if raw is None:
                continue
            ko, en = self.text(raw, "ko", (*path, index)), self.text(raw, "en", (*path, index))
            if ko is not None and en is not None:
                texts.append(LocalizedText(ko, en))
        return tuple(texts)

    def areas(self, drafts: list[_AreaDraft], tiers: tuple[Tier, ...]) -> tuple[Area, ...]:
        """Check the tree (parents exist, no cycle, depth within the tiers, items only on leaves) and build it."""
        by_id = {draft.id: draft for draft in drafts}
        for draft in drafts:
            if draft.parent is not None and draft.parent not in by_id:
                self.problem(("areas", draft.index, "parent"), "No area has the id {id}", {"id": draft.parent})
        cyclic = self.cycles(drafts, by_id)
        has_children = {draft.parent for draft in drafts}
        areas: list[Area] = []
        for draft in drafts:
            if draft.id in cyclic or (draft.parent is not None and draft.parent not in by_id):
                continue
            depth = _depth(draft, by_id, cyclic)
            if depth is None:
                continue
            path: tuple[PathPart, ...] = ("areas", draft.index)
            if tiers and depth >= len(tiers):
                self.problem((*path, "parent"),
                             "This area is {depth} levels deep, but the framework names {count} tiers",
                             {"depth": depth + 1, "count": len(tiers)})
                continue
            if draft.id in has_children and draft.has_items:
                self.problem((*path, "items"), "An area with sub-areas cannot hold items")
            elif draft.id not in has_children and not draft.has_items:
                self.problem(path, "An area without sub-areas needs at least one item")
            if draft.name is not None and tiers:
                areas.append(Area(draft.id, draft.name, draft.parent, tiers[depth].key, draft.points, draft.items))
        return tuple(areas)

    def cycles(self, drafts: list[_AreaDraft], by_id: Mapping[str, _AreaDraft]) -> set[str]:
        """Ids of areas on a parent cycle; each cycle is reported once, at its first area in the file."""
        on_cycle: set[str] = set()
        for draft in drafts:
            chain = [draft.id]
            parent = draft.parent
            while parent is not None and parent in by_id and parent not in chain and parent not in on_cycle:
                chain.append(parent)
                parent = by_id[parent].parent
            if parent is None or parent not in chain:
                continue
            cycle = chain[chain.index(parent):]
            on_cycle.update(cycle)
            first = min((by_id[member] for member in cycle), key=lambda d: d.index)
            start = cycle.index(first.id)
            ordered = cycle[start:] + cycle[:start] + [first.id]
            self.problem(("areas", first.index, "parent"), "The parents of these areas form a cycle: {cycle}",
                         {"cycle": " -> ".join(ordered)})
        return on_cycle

    def weights(self, drafts: list[_AreaDraft], total: Decimal) -> None:
        """Item weights add up to the scoring total, and to the points of every area that declares them."""
        children: dict[str | None, list[_AreaDraft]] = {}
        for draft in drafts:
            children.setdefault(draft.parent, []).append(draft)

        def subtree_weight(draft: _AreaDraft, seen: frozenset[str]) -> Decimal:
            below = [child for child in children.get(draft.id, []) if child.id not in seen]
            own: Decimal = sum((item.weight for item in draft.items), Decimal(0))
            return own + sum((subtree_weight(child, seen | {child.id}) for child in below), Decimal(0))

        for draft in drafts:
            weight = subtree_weight(draft, frozenset({draft.id}))
            if draft.points is not None and weight != draft.points:
                self.problem(("areas", draft.index, "points"),
                             "The items of area {id} weigh {sum} in all, but the area declares {points} points",
                             {"id": draft.id, "sum": str(weight), "points": str(draft.points)})
        overall: Decimal = sum((item.weight for draft in drafts for item in draft.items), Decimal(0))
        if overall != total:
            self.problem(("scoring", "total"), "The item weights add up to {sum}, but the scoring total is {total}",
                         {"sum": str(overall), "total": str(total)})

    def levels(self, value: object, score_range: tuple[Decimal, Decimal] | None) -> tuple[LevelRule, ...]:
        rules: list[tuple[int, LevelRule]] = []
        entries = self.sequence(value, ("levels",))
        if isinstance(value, list) and not entries:
            self.problem(("levels",), "A framework needs at least one level")
        for index, entry in enumerate(entries):
            path: tuple[PathPart, ...] = ("levels", index)
            raw = self.mapping(entry, path, _LEVEL_KEYS)
            if raw is None:
                continue
            level = self.integer(raw, "level", path)
            name, description = self.localized(raw, "name", path), self.localized(raw, "description", path)
            low, high = self.number(raw, "min", path), self.number(raw, "max", path)
            if low is not None and high is not None and high <= low:
                self.problem((*path, "max"), "A level must end above where it starts ({min})", {"min": str(low)})
            elif level is not None and name and description and low is not None and high is not None:
                rules.append((index, LevelRule(level, name, description, low, high)))
        if rules and len(rules) == len(entries) and score_range is not None:
            self.coverage(rules, score_range)
        return tuple(rule for _, rule in rules)

    def coverage(self, rules: list[tuple[int, LevelRule]], score_range: tuple[Decimal, Decimal]) -> None:
        """Levels, in the order written, cover the score range exactly once: no gap, no overlap, no excess."""
        start, end = score_range
        first_index, first = rules[0]
        if first.minimum > start:
            self.problem(("levels", first_index, "min"), "Scores from {start} to {end} have no level",
                         {"start": str(start), "end": str(first.minimum)})
        elif first.minimum < start:
            self.problem(("levels", first_index, "min"),
                         "Level {level} starts at {value}, below the lowest score {start}",
                         {"level": first.level, "value": str(first.minimum), "start": str(start)})
        for (_, previous), (index, rule) in pairwise(rules):
            if rule.level <= previous.level:
                self.problem(("levels", index, "level"),
                             "Level {level} must be higher than the level before it ({previous})",
                             {"level": rule.level, "previous": previous.level})
            if rule.minimum > previous.maximum:
                self.problem(("levels", index, "min"), "Scores from {start} to {end} have no level",
                             {"start": str(previous.maximum), "end": str(rule.minimum)})
            elif rule.minimum < previous.maximum:
                self.problem(("levels", index, "min"), "Levels {previous} and {level} overlap from {start} to {end}",
                             {"previous": previous.level, "level": rule.level, "start": str(rule.minimum),
                              "end": str(previous.maximum)})
        last_index, last = rules[-1]
        if last.maximum < end:
            self.problem(("levels", last_index, "max"), "Scores from {start} to {end} have no level",
                         {"start": str(last.maximum), "end": str(end)})
        elif last.maximum > end:
            self.problem(("levels", last_index, "max"), "Level {level} ends at {value}, above the highest score {end}",
                         {"level": last.level, "value": str(last.maximum), "end": str(end)})


def _score_range(method: ScoringMethod | None, total: Decimal | None,
                 scale: Scale | None) -> tuple[Decimal, Decimal] | None:
    if method is ScoringMethod.POINTS and total is not None:
        return Decimal(0), total
    if method is ScoringMethod.BAND and scale is not None:
        return Decimal(scale.minimum), Decimal(scale.maximum)
    return None


def _depth(draft: _AreaDraft, by_id: Mapping[str, _AreaDraft], cyclic: set[str]) -> int | None:
    """How many ancestors an area has, or None if its chain runs into a missing or cyclic parent."""
    depth, parent = 0, draft.parent
    while parent is not None:
        if parent not in by_id or parent in cyclic:
            return None
        depth, parent = depth + 1, by_id[parent].parent
    return depth
