"""Reports for people (text in Korean or English) and for machines (JSON).

Findings carry English message ids with parameters. Korean comes from four places: the K-MDS messages of
layer 3 (:data:`midas.standard.messages.MESSAGES_KO`), the messages of layers 0-2 below, the converters' messages
(:func:`converter_messages_ko`), and, for the metamodel's constraints (whose causes aas-core writes in English), a
one-line Korean description per constraint id shown with the original English cause.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from babel.messages.pofile import read_po

from midas.standard.convert import mtconnect_messages, opcua_messages, sparkplug_messages
from midas.standard.convert.b2mml_messages import B2MML_MESSAGES_KO
from midas.standard.convert.tabular_messages import TABULAR_MESSAGES_KO
from midas.standard.messages import MESSAGES_KO
from midas.standard.record_from_submodel import RECORD_FROM_SUBMODEL_MESSAGES_KO
from midas.standard.report import Finding, Layer, Report, Severity

__all__ = [
    "CONSTRAINTS_KO",
    "LAYER_LABELS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "VALIDATION_MESSAGES_KO",
    "converter_messages_ko",
    "finding_text",
    "render_text",
    "report_json",
    "report_status",
]

# The Korean texts (and the labels in both languages) live in render_texts.json beside this module: long Korean
# lines are data, not code, and stay readable there.
_TEXTS: Mapping[str, Any] = json.loads(
    (resources.files("midas.standard") / "render_texts.json").read_text(encoding="utf-8")
)

LAYER_LABELS: Mapping[Layer, Mapping[str, str]] = {Layer(key): value for key, value in _TEXTS["layers"].items()}
SEVERITY_LABELS: Mapping[Severity, Mapping[str, str]] = {
    Severity(key): value for key, value in _TEXTS["severities"].items()
}
STATUS_LABELS: Mapping[str, Mapping[str, str]] = _TEXTS["statuses"]

#: Korean for the message ids of the read, schema and constraint layers (layer 3 brings its own).
VALIDATION_MESSAGES_KO: Mapping[str, str] = _TEXTS["messages"]

#: A Korean line for each metamodel constraint aas-core3.0 (and 3.1) checks; the English cause is shown with it.
CONSTRAINTS_KO: Mapping[str, str] = _TEXTS["constraints"]

# Invariants without a constraint id (rule AAS-META), by the form of aas-core's English cause.
_METAMODEL_KO: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), korean) for pattern, korean in _TEXTS["metamodel"]
)
_METAMODEL_FALLBACK_KO: str = _TEXTS["metamodel_fallback"]
_V31_ONLY_PREFIX_KO: str = _TEXTS["v31_only_prefix"]
_V31_ONLY = "Allowed in AAS V3.1 but not in V3.0: {cause}"


# The MTConnect, Sparkplug B and OPC UA converters keep only their English ids (in their *_messages modules); their
# Korean is in the catalogs beside the package's other translations, which tests keep in step with the ids. They
# are read as data (with Babel, like the platform's catalogs), not through the platform's i18n, which this library
# does not import.
CATALOG_DIR: Final = Path(__file__).resolve().parents[1] / "locale" / "ko" / "LC_MESSAGES"
_CATALOGUED_IDS: Final[Mapping[str, tuple[str, ...]]] = {
    "standard-mtconnect.po": mtconnect_messages.ALL,
    "standard-sparkplug.po": sparkplug_messages.MESSAGES,
    "standard-opcua.po": opcua_messages.ALL,
}


def _catalog_ko(file_name: str, ids: Iterable[str]) -> dict[str, str]:
    """The Korean of ``ids`` in one catalog file; an id without a translation (or a missing file) is left out."""
    path = CATALOG_DIR / file_name
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    wanted = set(ids)
    return {str(m.id): str(m.string) for m in catalog if m.id in wanted and m.string and not m.fuzzy}


@cache
def converter_messages_ko() -> Mapping[str, str]:
    """Korean for the findings of every converter: B2MML, the daily report, MTConnect, Sparkplug B, OPC UA, and
    AAS submodels read back into records."""
    merged: dict[str, str] = {**B2MML_MESSAGES_KO, **TABULAR_MESSAGES_KO, **RECORD_FROM_SUBMODEL_MESSAGES_KO}
    for file_name, ids in _CATALOGUED_IDS.items():
        merged.update(_catalog_ko(file_name, ids))
    return merged


def _constraint_ko(rule: str, cause: str) -> str:
    if rule in CONSTRAINTS_KO:
        return CONSTRAINTS_KO[rule]
    for pattern, korean in _METAMODEL_KO:
        match = pattern.search(cause)
        if match:
            return korean.format(**match.groupdict())
    return _METAMODEL_FALLBACK_KO


def _formatted(template: str, params: Mapping[str, Any], fallback: Finding) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return fallback.english()


def finding_text(finding: Finding, locale: str = "ko") -> str:
    """The finding's message for a person reading ``locale`` (``ko`` or ``en``)."""
    if locale != "ko":
        return finding.english()
    if finding.layer is Layer.CONSTRAINTS and "cause" in finding.params:
        cause = str(finding.params["cause"])
        korean = _constraint_ko(finding.rule, cause)
        prefix = _V31_ONLY_PREFIX_KO if finding.message == _V31_ONLY else ""
        return f"{prefix}{korean} (원문: {cause})"
    template = (VALIDATION_MESSAGES_KO.get(finding.message) or MESSAGES_KO.get(finding.message)
                or converter_messages_ko().get(finding.message))
    return _formatted(template, finding.params, finding) if template else finding.english()


def report_status(report: Report) -> str:
    """``valid``, ``loaded_with_problems``, ``rejected`` or ``unreadable``."""
    if report.valid:
        return "valid"
    if report.loaded:
        return "loaded_with_problems"
    if any(f.layer is Layer.READ and f.severity is Severity.ERROR for f in report.findings):
        return "unreadable"
    return "rejected"


def _counts(report: Report) -> dict[str, dict[str, int]]:
    counts = {layer.value: {severity.value: 0 for severity in Severity} for layer in Layer}
    for finding in report.findings:
        counts[finding.layer.value][finding.severity.value] += 1
    return counts


def report_json(report: Report, locale: str = "en") -> dict[str, Any]:
    """The report as JSON-able data: status, counts per layer and severity, and every finding."""
    return {
        "source": report.source,
        "status": report_status(report),
        "valid": report.valid,
        "loaded": report.loaded,
        "counts": _counts(report),
        "findings": [
            {
                "layer": finding.layer.value,
                "rule": finding.rule,
                "path": finding.path,
                "severity": finding.severity.value,
                "message": finding_text(finding, locale),
                "message_id": finding.message,
                "params": dict(finding.params),
            }
            for finding in report.findings
        ],
    }


def _summary_line(report: Report, locale: str) -> str:
    parts = []
    for layer in Layer:
        findings = report.by_layer()[layer]
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        if locale == "ko":
            parts.append(f"{LAYER_LABELS[layer]['ko']} {errors}건/{len(findings)}건")
        else:
            parts.append(f"{LAYER_LABELS[layer]['en']} {errors}/{len(findings)}")
    suffix = " (오류/전체)" if locale == "ko" else " (errors/all)"
    return ", ".join(parts) + suffix


def render_text(report: Report, locale: str = "ko") -> str:
    """The report as text: the verdict, counts per layer, then the findings grouped by layer with their paths."""
    language = "ko" if locale == "ko" else "en"
    lines = [f"{report.source}: {STATUS_LABELS[report_status(report)][language]}", _summary_line(report, language)]
    for layer, findings in report.by_layer().items():
        if not findings:
            continue
        lines.append("")
        lines.append(f"[{LAYER_LABELS[layer][language]}]")
        for finding in findings:
            where = f" {finding.path}" if finding.path else ""
            lines.append(f"  {SEVERITY_LABELS[finding.severity][language]} {finding.rule}{where}")
            lines.append(f"    {finding_text(finding, language)}")
    return "\n".join(lines) + "\n"
