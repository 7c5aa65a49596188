"""Validation findings: every problem found in a file, with its layer, rule, path and severity.

K-MDS validates in three layers (schema, AAS metamodel constraints, K-MDS conformance). Each layer yields
Findings and never stops at the first; a Report gathers them for one file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Layer(StrEnum):
    READ = "read"  # the file could not be read at all: encoding, syntax, size, unsafe content
    SCHEMA = "schema"  # the official AAS V3.0 JSON Schema / XSD
    CONSTRAINTS = "constraints"  # the AAS metamodel constraints (AASd-xxx, AASc-xxx), via aas-core3.0
    CONFORMANCE = "conformance"  # the K-MDS templates and the rules of production data


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``rule`` is a stable id (e.g. "AASd-119", "KMDS-PP-003"), ``path`` points into the
    environment (e.g. "submodels[2].submodelElements[0].value"), ``message`` is an English message id with
    ``{name}`` parameters (translated for display)."""

    layer: Layer
    rule: str
    path: str
    message: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)
    severity: Severity = Severity.ERROR

    def english(self) -> str:
        return self.message.format(**self.params)


@dataclass(frozen=True, slots=True)
class Report:
    """The findings for one file, and whether it was loaded."""

    source: str
    findings: tuple[Finding, ...]
    loaded: bool

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def valid(self) -> bool:
        return self.loaded and not self.errors

    def by_layer(self) -> dict[Layer, list[Finding]]:
        grouped: dict[Layer, list[Finding]] = {layer: [] for layer in Layer}
        for finding in self.findings:
            grouped[finding.layer].append(finding)
        return grouped


def make_report(source: str, findings: Iterable[Finding], *, loaded: bool) -> Report:
    return Report(source=source, findings=tuple(findings), loaded=loaded)
