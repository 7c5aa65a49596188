"""From parsed JSON or XML to an aas-core environment, loading what can be loaded.

aas-core stops at the first thing it cannot read. To report every problem (and, in tolerant mode, keep the rest),
each shell, submodel and concept description is read on its own; when one fails, the innermost list item that
holds the problem is set aside and the item is read again, until it reads or nothing is left to set aside. Each
item set aside becomes one finding that says where it was and why it could not be read. Paths always name the
positions in the file as it was received.

The same code reads V3.0 (aas-core3.0) and V3.1 (aas-core3.1): a :class:`Flavor` names the library's readers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import aas_core3.jsonization
import aas_core3.types
import aas_core3.xmlization
from lxml import etree

from midas.standard.report import Finding, Layer, Severity

__all__ = ["V30", "Flavor", "Loaded", "load_jsonable", "load_xml", "xml_path"]

# Each retry reads one item again; past this many problems in one item the item is dropped whole.
_MAX_SKIPS_PER_ITEM = 200
_TOP_LEVEL = (
    ("assetAdministrationShells", "assetAdministrationShell", "asset_administration_shell"),
    ("submodels", "submodel", "submodel"),
    ("conceptDescriptions", "conceptDescription", "concept_description"),
)


@dataclass(frozen=True, slots=True)
class Flavor:
    """One version of the metamodel: its aas-core modules and XML namespace."""

    types: ModuleType
    jsonization: ModuleType
    xmlization: ModuleType

    @property
    def namespace(self) -> str:
        namespace: str = self.xmlization.NAMESPACE
        return namespace

    def environment(self, lists: Mapping[str, list[Any] | None]) -> Any:
        return self.types.Environment(
            asset_administration_shells=lists.get("assetAdministrationShells"),
            submodels=lists.get("submodels"),
            concept_descriptions=lists.get("conceptDescriptions"),
        )


V30 = Flavor(aas_core3.types, aas_core3.jsonization, aas_core3.xmlization)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The environment read (None when nothing usable was read) and a finding for each problem met."""

    environment: Any
    findings: tuple[Finding, ...]

    @property
    def complete(self) -> bool:
        return self.environment is not None and not self.findings


def _could_not_read(path: str, cause: str, *, left_out: str | None, line: int | None = None) -> Finding:
    """One element that could not be read; ``left_out`` names the list item set aside because of it."""
    params: dict[str, str | int | float] = {"cause": cause}
    if left_out is not None:
        params["item"] = left_out or "/"
    if line is not None:
        params["line"] = line
    if left_out is None:
        message = (
            "Could not read the file as an AAS environment: {cause}"
            if line is None
            else "Could not read the file as an AAS environment (line {line}): {cause}"
        )
    else:
        message = "Could not read {item}: {cause}" if line is None else "Could not read {item} (line {line}): {cause}"
    return Finding(Layer.SCHEMA, "AAS-DESERIALIZE", path, message, params, Severity.ERROR)


# --- JSON ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Removals:
    """Original indexes removed from each list (by identity), to report positions in the file as received."""

    by_list: dict[int, list[int]] = field(default_factory=dict)

    def original_index(self, container: object, index: int) -> int:
        removed = sorted(self.by_list.get(id(container), []))
        original = index
        for gone in removed:
            if gone <= original:
                original += 1
        return original

    def remove(self, container: list[Any], index: int) -> None:
        self.by_list.setdefault(id(container), []).append(self.original_index(container, index))
        del container[index]


def _json_path(prefix: str, segments: Sequence[Any], removals: _Removals, flavor: Flavor) -> str:
    parts = [prefix]
    for segment in segments:
        if isinstance(segment, flavor.jsonization.IndexSegment):
            parts.append(f"[{removals.original_index(segment.container, segment.index)}]")
        else:
            parts.append(f".{segment.name}")
    return "".join(parts)


def _innermost_list_item(segments: Sequence[Any], flavor: Flavor) -> int | None:
    for position in range(len(segments) - 1, -1, -1):
        segment = segments[position]
        if isinstance(segment, flavor.jsonization.IndexSegment) and isinstance(segment.container, list):
            return position
    return None


def _load_json_item(reader: Callable[[Any], Any], item: Any, prefix: str, flavor: Flavor) -> tuple[Any, list[Finding]]:
    try:
        return reader(item), []
    except flavor.jsonization.DeserializationException:
        pass
    working = copy.deepcopy(item)
    removals = _Removals()
    findings: list[Finding] = []
    for _ in range(_MAX_SKIPS_PER_ITEM):
        try:
            return reader(working), findings
        except flavor.jsonization.DeserializationException as error:
            segments = error.path.segments
            where = _json_path(prefix, segments, removals, flavor)
            position = _innermost_list_item(segments, flavor)
            if position is None:
                findings.append(_could_not_read(where, error.cause, left_out=prefix))
                return None, findings
            findings.append(
                _could_not_read(
                    where, error.cause, left_out=_json_path(prefix, segments[: position + 1], removals, flavor)
                )
            )
            segment = segments[position]
            removals.remove(segment.container, segment.index)
    findings.append(_could_not_read(prefix, "too many problems in one element", left_out=prefix))
    return None, findings


def load_jsonable(jsonable: Any, flavor: Flavor = V30) -> Loaded:
    """The environment in ``jsonable``; every element that cannot be read is left out and reported."""
    try:
        return Loaded(flavor.jsonization.environment_from_jsonable(jsonable), ())
    except flavor.jsonization.DeserializationException:
        pass
    if not isinstance(jsonable, Mapping):
        return Loaded(
            None, (_could_not_read("", f"Expected a JSON object, but got: {type(jsonable).__name__}", left_out=None),)
        )
    findings: list[Finding] = []
    known = {key for key, _, _ in _TOP_LEVEL}
    findings.extend(
        _could_not_read(f".{key}", "Unexpected property", left_out=f".{key}") for key in jsonable if key not in known
    )
    lists: dict[str, list[Any] | None] = {}
    for key, _, reader_name in _TOP_LEVEL:
        items = jsonable.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            findings.append(
                _could_not_read(f".{key}", f"Expected a list, but got: {type(items).__name__}", left_out=f".{key}")
            )
            continue
        reader = getattr(flavor.jsonization, f"{reader_name}_from_jsonable")
        loaded_items = []
        for index, item in enumerate(items):
            instance, item_findings = _load_json_item(reader, item, f".{key}[{index}]", flavor)
            findings.extend(item_findings)
            if instance is not None:
                loaded_items.append(instance)
        lists[key] = loaded_items if loaded_items or not items else None
    return Loaded(flavor.environment(lists), tuple(findings))


# --- XML ----------------------------------------------------------------------------------------------------------


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def xml_path(element: etree._Element) -> str:
    """An XPath to ``element`` by local names and positions (namespaces left out for reading)."""
    steps: list[str] = []
    current: etree._Element | None = element
    while current is not None:
        parent = current.getparent()
        name = _local_name(current)
        if parent is None:
            steps.append(name)
        else:
            same = [child for child in parent if child.tag == current.tag]
            steps.append(f"{name}[{same.index(current) + 1}]" if len(same) > 1 else name)
        current = parent
    return "/" + "/".join(reversed(steps))


def _walk(element: etree._Element, skipped: set[etree._Element]) -> Iterator[tuple[str, etree._Element]]:
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        if node in skipped:
            if event == "start":
                walker.skip_subtree()
            continue
        yield event, node


def _failing_element(error: Any, flavor: Flavor) -> etree._Element | None:
    segments = error.path.segments
    for segment in reversed(segments):
        if isinstance(segment, flavor.xmlization.IndexSegment):
            element: etree._Element = segment.element
            return element
    return None


def _deepest_element(error: Any) -> etree._Element | None:
    segments = error.path.segments
    if not segments:
        return None
    element: etree._Element = segments[-1].element
    return element


def _load_xml_item(
    reader: Callable[[Any], Any], item: etree._Element, flavor: Flavor, skipped: set[etree._Element]
) -> tuple[Any, list[Finding]]:
    findings: list[Finding] = []
    for _ in range(_MAX_SKIPS_PER_ITEM):
        try:
            return reader(_walk(item, skipped)), findings
        except flavor.xmlization.DeserializationException as error:
            deepest = _deepest_element(error)
            where = item if deepest is None else deepest
            failing = _failing_element(error, flavor)
            if failing is None or failing is item or failing in skipped:
                findings.append(
                    _could_not_read(xml_path(where), error.cause, left_out=xml_path(item), line=where.sourceline)
                )
                return None, findings
            findings.append(
                _could_not_read(xml_path(where), error.cause, left_out=xml_path(failing), line=where.sourceline)
            )
            skipped.add(failing)
    findings.append(
        _could_not_read(
            xml_path(item), "too many problems in one element", left_out=xml_path(item), line=item.sourceline
        )
    )
    return None, findings


def load_xml(root: etree._Element, flavor: Flavor = V30) -> Loaded:
    """The environment under ``root``; every element that cannot be read is left out and reported."""
    try:
        return Loaded(flavor.xmlization.environment_from_iterparse(_walk(root, set())), ())
    except flavor.xmlization.DeserializationException:
        pass
    if root.tag != f"{{{flavor.namespace}}}environment":
        return Loaded(
            None,
            (
                _could_not_read(
                    xml_path(root),
                    f"Expected the element environment in the namespace "
                    f"{flavor.namespace}, but got {etree.QName(root).text}",
                    left_out=None,
                    line=root.sourceline,
                ),
            ),
        )
    findings: list[Finding] = []
    lists: dict[str, list[Any] | None] = {}
    containers = {key: (item_tag, reader) for key, item_tag, reader in _TOP_LEVEL}
    skipped: set[etree._Element] = set()
    for container in root:
        key = _local_name(container)
        if key not in containers:
            findings.append(
                _could_not_read(
                    xml_path(container), "Unexpected element", left_out=xml_path(container), line=container.sourceline
                )
            )
            continue
        item_tag, reader_name = containers[key]
        reader = getattr(flavor.xmlization, f"{reader_name}_from_iterparse")
        loaded_items = []
        for item in container:
            if _local_name(item) != item_tag:
                findings.append(
                    _could_not_read(
                        xml_path(item),
                        f"Expected the element {item_tag}",
                        left_out=xml_path(item),
                        line=item.sourceline,
                    )
                )
                continue
            instance, item_findings = _load_xml_item(reader, item, flavor, skipped)
            findings.extend(item_findings)
            if instance is not None:
                loaded_items.append(instance)
        lists[key] = loaded_items or None
    return Loaded(flavor.environment(lists), tuple(findings))
