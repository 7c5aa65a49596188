"""Validating a file in three layers, with every problem reported and nothing written anywhere.

1. Schema: the official AAS V3.0 JSON Schema or XML Schema (:mod:`midas.standard.schema`), plus what aas-core
   could not read at all.
2. Constraints: the metamodel's constraints, via aas-core3.0 (:mod:`midas.standard.constraints`).
3. Conformance: the K-MDS templates and the rules of production data (:mod:`midas.standard.conformance`).

Before them, the read layer: a file that is too large, not UTF-8, not well-formed, unsafe (XML with a DTD, a
package that leaves its folder or inflates without bound) is refused with one finding and nothing else.

In strict mode a file with any error is rejected (no environment). In tolerant mode whatever can be read is
loaded, and elements that cannot be read are left out, each with a finding. AAS V3.1 files are read with
aas-core3.1 and converted to V3.0, with a finding for every V3.1 feature V3.0 cannot represent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from aas_core3 import jsonization
from aas_core3 import types as aas_types
from lxml import etree

from midas.standard.conformance import check_conformance
from midas.standard.constraints import constraint_findings
from midas.standard.io import (
    DEFAULT_MAX_BYTES,
    V30,
    AasxPackage,
    Loaded,
    PackagePart,
    ReadLimits,
    UnreadableFile,
    check_size,
    is_zip,
    load_jsonable,
    load_xml,
    namespace_of,
    parse_json,
    parse_xml,
    read_aasx,
)
from midas.standard.report import Finding, Layer, Report, Severity, make_report
from midas.standard.schema import json_schema_findings, xml_schema_findings
from midas.standard.v31 import NAMESPACE_V31, V31, mark_v31_only, representable_in_v30, v31_jsonable

__all__ = ["FileFormat", "Mode", "ValidationResult", "detect_format", "validate_bytes", "validate_environment"]


class Mode(StrEnum):
    STRICT = "strict"  # any error rejects the file
    TOLERANT = "tolerant"  # load what can be loaded, report everything


class FileFormat(StrEnum):
    JSON = "json"
    XML = "xml"
    AASX = "aasx"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The report, the environment (None when rejected or unreadable) and, for AASX, the package read."""

    report: Report
    environment: aas_types.Environment | None
    package: AasxPackage | None = None


def validate_environment(environment: aas_types.Environment) -> list[Finding]:
    """Layers 2 and 3 for an environment already in memory (layer 1 is about files)."""
    return [*constraint_findings(environment), *check_conformance(environment)]


def detect_format(data: bytes, filename: str) -> FileFormat:
    """The format by the file's ending, else by its first bytes."""
    suffix = PurePath(filename).suffix.lower()
    by_suffix = {".json": FileFormat.JSON, ".xml": FileFormat.XML, ".aasx": FileFormat.AASX}
    if suffix in by_suffix:
        return by_suffix[suffix]
    if is_zip(data):
        return FileFormat.AASX
    return FileFormat.XML if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" else FileFormat.JSON


@dataclass(frozen=True, slots=True)
class _Checked:
    findings: list[Finding]
    environment: aas_types.Environment | None


def _layers_2_and_3(loaded: Loaded) -> list[Finding]:
    return validate_environment(loaded.environment) if loaded.environment is not None else []


_DOTTED_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _pointer(dotted: str) -> str:
    return "".join(f"/{name}" if name else f"/{index}" for name, index in _DOTTED_STEP.findall(dotted))


def _v31_covers(finding: Finding, v31_findings: Sequence[Finding]) -> bool:
    """Whether ``finding`` repeats a problem already explained as a V3.1 feature V3.0 cannot represent."""
    for v31 in v31_findings:
        if (
            finding.path.startswith(v31.path)
            or finding.path.startswith(_pointer(v31.path))
            or str(finding.params.get("item", "")).startswith(v31.path)
        ):
            return True
    return False


def _check_v31(loaded_v31: Loaded) -> _Checked:
    findings = [
        Finding(
            Layer.READ,
            "V31",
            "",
            "This is an AAS V3.1 file; it was converted to AAS V3.0 and checked as V3.0",
            {},
            Severity.INFO,
        ),
        *loaded_v31.findings,
    ]
    if loaded_v31.environment is None:
        return _Checked(findings, None)
    converted, v31_findings = representable_in_v30(v31_jsonable(loaded_v31.environment))
    findings.extend(v31_findings)
    findings.extend(f for f in json_schema_findings(converted) if not _v31_covers(f, v31_findings))
    loaded = load_jsonable(converted)
    findings.extend(f for f in loaded.findings if not _v31_covers(f, v31_findings))
    if loaded.environment is not None:
        findings.extend(mark_v31_only(_layers_2_and_3(loaded), loaded_v31.environment))
    return _Checked(findings, loaded.environment)


def _check_jsonable(jsonable: Any) -> _Checked:
    loaded = load_jsonable(jsonable)
    if not loaded.complete:
        loaded_v31 = load_jsonable(jsonable, V31)
        if loaded_v31.complete:
            return _check_v31(loaded_v31)
    findings = [*json_schema_findings(jsonable), *loaded.findings, *_layers_2_and_3(loaded)]
    return _Checked(findings, loaded.environment)


def _check_xml_root(root: etree._Element) -> _Checked:
    if namespace_of(root) == NAMESPACE_V31:
        return _check_v31(load_xml(root, V31))
    loaded = load_xml(root, V30)
    findings = [*xml_schema_findings(root), *loaded.findings, *_layers_2_and_3(loaded)]
    return _Checked(findings, loaded.environment)


def _check_spec(part: PackagePart, limits: ReadLimits) -> _Checked:
    if part.name.lower().endswith(".json") or part.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _check_jsonable(parse_json(part.data, max_bytes=limits.max_bytes))
    return _check_xml_root(parse_xml(part.data, max_bytes=limits.max_bytes))


def _file_references(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, value) of every File value and thumbnail path in JSON-able environment data."""
    if isinstance(node, dict):
        if node.get("modelType") == "File" and isinstance(node.get("value"), str):
            yield f"{path}.value", node["value"]
        thumbnail = node.get("defaultThumbnail")
        if isinstance(thumbnail, dict) and isinstance(thumbnail.get("path"), str):
            yield f"{path}.defaultThumbnail.path", thumbnail["path"]
        for key, value in node.items():
            yield from _file_references(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _file_references(item, f"{path}[{index}]")


def _missing_supplementary(environment: aas_types.Environment, package: AasxPackage) -> Iterator[Finding]:
    present = {part.name for part in (*package.supplementary, *package.specs)}
    if package.thumbnail is not None:
        present.add(package.thumbnail.name)
    for path, value in _file_references(jsonization.to_jsonable(environment), ""):
        if value.startswith("/") and value not in present:
            yield Finding(
                Layer.SCHEMA,
                "AASX-MISSING-FILE",
                path,
                "The package does not contain {file}, which this element refers to",
                {"file": value},
                Severity.WARNING,
            )


def _merged(environments: Sequence[aas_types.Environment]) -> aas_types.Environment:
    shells = [shell for env in environments for shell in env.asset_administration_shells or ()]
    submodels = [submodel for env in environments for submodel in env.submodels or ()]
    concepts = [concept for env in environments for concept in env.concept_descriptions or ()]
    return aas_types.Environment(shells or None, submodels or None, concepts or None)


def _prefixed(finding: Finding, part_name: str) -> Finding:
    return Finding(
        finding.layer, finding.rule, f"{part_name}#{finding.path}", finding.message, finding.params, finding.severity
    )


def _check_aasx(data: bytes, limits: ReadLimits) -> tuple[_Checked, AasxPackage]:
    package = read_aasx(data, limits=limits)
    checked = [(spec.name, _check_spec(spec, limits)) for spec in package.specs]
    if len(checked) == 1:
        findings = checked[0][1].findings
    else:
        findings = [_prefixed(finding, name) for name, result in checked for finding in result.findings]
    environments = [result.environment for _, result in checked if result.environment is not None]
    environment = _merged(environments) if len(environments) > 1 else (environments[0] if environments else None)
    if environment is not None:
        findings = [*findings, *_missing_supplementary(environment, package)]
    return _Checked(findings, environment), package


def _read_and_check(data: bytes, filename: str, limits: ReadLimits) -> tuple[_Checked, AasxPackage | None]:
    check_size(data, limits.max_bytes)
    file_format = detect_format(data, filename)
    if file_format is FileFormat.AASX:
        return _check_aasx(data, limits)
    if file_format is FileFormat.XML:
        return _check_xml_root(parse_xml(data, max_bytes=limits.max_bytes)), None
    return _check_jsonable(parse_json(data, max_bytes=limits.max_bytes)), None


def _left_out_summary(findings: Sequence[Finding]) -> list[Finding]:
    left_out = sum(1 for finding in findings if finding.rule == "AAS-DESERIALIZE")
    if not left_out:
        return []
    return [
        Finding(
            Layer.READ,
            "TOLERANT-LOAD",
            "",
            "{count} element(s) could not be read and were left out; the rest was loaded",
            {"count": left_out},
            Severity.INFO,
        )
    ]


def validate_bytes(
    data: bytes, *, filename: str, mode: Mode = Mode.STRICT, max_bytes: int = DEFAULT_MAX_BYTES
) -> ValidationResult:
    """Validate one file (AAS JSON, XML or AASX, V3.0 or V3.1) in all layers.

    Strict: the environment is returned only when no layer found an error. Tolerant: the environment holds
    everything that could be read. The report lists every finding either way.
    """
    limits = ReadLimits.for_size(max_bytes)
    try:
        checked, package = _read_and_check(data, filename, limits)
    except UnreadableFile as refusal:
        return ValidationResult(make_report(filename, [refusal.finding()], loaded=False), None)
    findings = checked.findings
    has_errors = any(finding.severity is Severity.ERROR for finding in findings)
    environment = checked.environment if mode is Mode.TOLERANT or not has_errors else None
    if mode is Mode.TOLERANT and environment is not None:
        findings = [*findings, *_left_out_summary(findings)]
    return ValidationResult(make_report(filename, findings, loaded=environment is not None), environment, package)
