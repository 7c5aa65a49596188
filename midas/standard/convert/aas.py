"""AAS V3.0 as JSON, XML and AASX (via aas-core3.0), behind the :class:`Converter` protocol.

Reading is strict: the environment must read completely (use :func:`midas.standard.validate.validate_bytes` to
load what can be loaded and see every problem). AAS V3.1 files are read and converted where V3.0 can hold them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aas_core3 import jsonization, xmlization
from aas_core3 import types as aas_types

from midas.standard.convert.base import ConversionFailed
from midas.standard.io import (
    V30,
    AasxPackage,
    Loaded,
    PackagePart,
    ReadLimits,
    load_jsonable,
    load_xml,
    namespace_of,
    parse_json,
    parse_xml,
    read_aasx,
    write_aasx,
)
from midas.standard.report import Severity
from midas.standard.v31 import NAMESPACE_V31, V31, representable_in_v30, v31_jsonable

__all__ = [
    "AASX",
    "AAS_JSON",
    "AAS_XML",
    "AasJsonConverter",
    "AasXmlConverter",
    "AasxConverter",
    "environment_from_spec",
    "environments_equal",
]

JSON_MEDIA_TYPE = "application/json"
XML_MEDIA_TYPE = "application/xml"


def _completed(loaded: Loaded) -> Any:
    """The environment of ``loaded`` (of either metamodel version) if it read without errors."""
    errors = [finding for finding in loaded.findings if finding.severity is Severity.ERROR]
    if loaded.environment is None or errors:
        raise ConversionFailed(errors or loaded.findings)
    return loaded.environment


def _complete(loaded: Loaded) -> aas_types.Environment:
    environment: aas_types.Environment = _completed(loaded)
    return environment


def _from_jsonable(jsonable: object) -> aas_types.Environment:
    loaded = load_jsonable(jsonable)
    if loaded.complete:
        return _complete(loaded)
    loaded_v31 = load_jsonable(jsonable, V31)
    if not loaded_v31.complete:
        return _complete(loaded)
    converted, findings = representable_in_v30(v31_jsonable(loaded_v31.environment))
    if findings:
        raise ConversionFailed(findings)
    return _complete(load_jsonable(converted))


def _from_xml_bytes(data: bytes, max_bytes: int) -> aas_types.Environment:
    root = parse_xml(data, max_bytes=max_bytes)
    if namespace_of(root) == NAMESPACE_V31:
        environment_v31 = _completed(load_xml(root, V31))
        converted, findings = representable_in_v30(v31_jsonable(environment_v31))
        if findings:
            raise ConversionFailed(findings)
        return _complete(load_jsonable(converted))
    return _complete(load_xml(root, V30))


@dataclass(frozen=True, slots=True)
class AasJsonConverter:
    """AAS environments as JSON (IDTA-01001 Part 1, JSON serialization)."""

    limits: ReadLimits = field(default_factory=ReadLimits)
    name: str = "aas-json"
    media_type: str = JSON_MEDIA_TYPE
    extensions: tuple[str, ...] = (".json",)

    def read(self, data: bytes) -> aas_types.Environment:
        return _from_jsonable(parse_json(data, max_bytes=self.limits.max_bytes))

    def write(self, environment: aas_types.Environment) -> bytes:
        return json.dumps(jsonization.to_jsonable(environment), ensure_ascii=False, indent=2).encode("utf-8")


@dataclass(frozen=True, slots=True)
class AasXmlConverter:
    """AAS environments as XML (namespace https://admin-shell.io/aas/3/0)."""

    limits: ReadLimits = field(default_factory=ReadLimits)
    name: str = "aas-xml"
    media_type: str = XML_MEDIA_TYPE
    extensions: tuple[str, ...] = (".xml",)

    def read(self, data: bytes) -> aas_types.Environment:
        return _from_xml_bytes(data, self.limits.max_bytes)

    def write(self, environment: aas_types.Environment) -> bytes:
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + xmlization.to_str(environment).encode("utf-8")


def environment_from_spec(part: PackagePart, limits: ReadLimits) -> aas_types.Environment:
    """The environment in one aas-spec part of a package (JSON or XML, told apart by name and content)."""
    if part.name.lower().endswith(".json") or part.data.lstrip()[:1] in (b"{", b"["):
        return AasJsonConverter(limits).read(part.data)
    return AasXmlConverter(limits).read(part.data)


@dataclass(frozen=True, slots=True)
class AasxConverter:
    """AASX packages (IDTA-01005): the environment as one aas-spec part, with supplementary files."""

    limits: ReadLimits = field(default_factory=ReadLimits)
    spec_format: str = "json"
    name: str = "aasx"
    media_type: str = "application/asset-administration-shell-package"
    extensions: tuple[str, ...] = (".aasx",)

    def read(self, data: bytes) -> aas_types.Environment:
        return self.read_package(data)[0]

    def read_package(self, data: bytes) -> tuple[aas_types.Environment, AasxPackage]:
        """The environment (the spec parts merged) and the package it came from, supplementary files included."""
        package = read_aasx(data, limits=self.limits)
        environments = [environment_from_spec(spec, self.limits) for spec in package.specs]
        return _merged(environments), package

    def write(self, environment: aas_types.Environment) -> bytes:
        return self.write_package(environment)

    def write_package(
        self,
        environment: aas_types.Environment,
        supplementary: Sequence[PackagePart] = (),
        thumbnail: PackagePart | None = None,
    ) -> bytes:
        """A package with ``environment`` and its supplementary files (named as the File elements refer to them)."""
        if self.spec_format == "xml":
            spec = PackagePart("/aasx/data.xml", XML_MEDIA_TYPE, AasXmlConverter().write(environment))
        else:
            spec = PackagePart("/aasx/data.json", JSON_MEDIA_TYPE, AasJsonConverter().write(environment))
        return write_aasx(spec, supplementary, thumbnail=thumbnail)


def _merged(environments: Sequence[aas_types.Environment]) -> aas_types.Environment:
    if len(environments) == 1:
        return environments[0]
    shells = [shell for env in environments for shell in env.asset_administration_shells or ()]
    submodels = [submodel for env in environments for submodel in env.submodels or ()]
    concepts = [concept for env in environments for concept in env.concept_descriptions or ()]
    return aas_types.Environment(shells or None, submodels or None, concepts or None)


def environments_equal(first: aas_types.Environment, second: aas_types.Environment) -> bool:
    """Whether two environments hold the same content (aas-core classes compare by identity)."""
    return bool(jsonization.to_jsonable(first) == jsonization.to_jsonable(second))


AAS_JSON = AasJsonConverter()
AAS_XML = AasXmlConverter()
AASX = AasxConverter()
