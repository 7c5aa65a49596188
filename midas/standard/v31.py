"""Reading AAS V3.1 files (aas-core3.1) into the V3.0 model, saying exactly what V3.0 cannot hold.

V3.1 is mostly V3.0 with relaxed rules, so most V3.1 environments convert as they are. What V3.0 cannot represent:

- the asset kind ``Role`` (V3.0 knows ``Type``, ``Instance`` and ``NotApplicable``): read as ``NotApplicable``;
- elements V3.1 allows without a property that V3.0 requires: a RelationshipElement or
  AnnotatedRelationshipElement without ``first``/``second``, an Entity without ``entityType``, a Blob or File
  without ``contentType``: such elements are left out;
- values V3.1 accepts and V3.0 does not (idShorts with ``-``, identifiers of 2001-2048 characters, content types
  of 101-128 characters, data element categories outside CONSTANT/PARAMETER/VARIABLE, idShorts inside
  SubmodelElementLists, ...): found by verifying the environment with both versions; what only V3.0 refuses is
  reported as "allowed in V3.1, not in V3.0".

Each of these is a finding with the element's path, so a person sees where the V3.1 file cannot be V3.0.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

import aas_core3_1.jsonization
import aas_core3_1.types
import aas_core3_1.verification
import aas_core3_1.xmlization

from midas.standard.constraints import METAMODEL_RULE, constraint_id
from midas.standard.io.deserialize import Flavor
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "NAMESPACE_V31",
    "V31",
    "mark_v31_only",
    "representable_in_v30",
    "v31_jsonable",
]

V31 = Flavor(aas_core3_1.types, aas_core3_1.jsonization, aas_core3_1.xmlization)
NAMESPACE_V31: str = aas_core3_1.xmlization.NAMESPACE

# modelType -> the properties V3.1 made optional that V3.0 requires.
_REQUIRED_IN_V30 = {
    "RelationshipElement": ("first", "second"),
    "AnnotatedRelationshipElement": ("first", "second"),
    "Entity": ("entityType",),
    "Blob": ("contentType",),
    "File": ("contentType",),
}


def v31_jsonable(environment: aas_core3_1.types.Environment) -> Any:
    """The V3.1 environment as JSON-able data (the JSON forms of V3.0 and V3.1 share their names)."""
    return aas_core3_1.jsonization.to_jsonable(environment)


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]")


def _missing_required(path: str, node: dict[str, Any]) -> Iterator[Finding]:
    model_type = node.get("modelType")
    required = _REQUIRED_IN_V30.get(model_type, ()) if isinstance(model_type, str) else ()
    missing = [name for name in required if name not in node]
    if missing:
        yield Finding(
            Layer.SCHEMA,
            "V31-REQUIRED-IN-V30",
            path,
            "AAS V3.1 allows a {model_type} without {property}; V3.0 requires it, so this element cannot be "
            "represented in V3.0 and was left out",
            {"model_type": str(model_type), "property": ", ".join(missing)},
            Severity.ERROR,
        )


def representable_in_v30(jsonable: Any) -> tuple[Any, list[Finding]]:
    """The V3.1 JSON-able data made readable as V3.0 where it can be, and a finding for each V3.1 feature."""
    converted = copy.deepcopy(jsonable)
    findings: list[Finding] = []
    for path, node in _walk(converted, ""):
        if not isinstance(node, dict):
            continue
        findings.extend(_missing_required(path, node))
        asset_information = node.get("assetInformation")
        if isinstance(asset_information, dict) and asset_information.get("assetKind") == "Role":
            asset_information["assetKind"] = "NotApplicable"
            findings.append(
                Finding(
                    Layer.SCHEMA,
                    "V31-ASSET-KIND-ROLE",
                    f"{path}.assetInformation.assetKind",
                    "The asset kind Role exists only in AAS V3.1; V3.0 has Type, Instance and NotApplicable, so it "
                    "was read as NotApplicable",
                    {},
                    Severity.ERROR,
                )
            )
    return converted, findings


def _normalized_rule(rule: str) -> str:
    # V3.1 renamed the IEC 61360 constraints (AASc-3a-002 became AASc-002).
    return rule.replace("AASc-3a-", "AASc-")


def _key(path: str, rule: str, cause: str) -> tuple[str, str]:
    return path, cause if rule == METAMODEL_RULE else _normalized_rule(rule)


def mark_v31_only(findings: Iterable[Finding], environment_v31: aas_core3_1.types.Environment) -> list[Finding]:
    """The V3.0 constraint findings, with those V3.1 accepts marked as a V3.1 feature V3.0 cannot represent."""
    accepted_in_v31_not = {
        _key(str(error.path), constraint_id(error.cause), error.cause)
        for error in aas_core3_1.verification.verify(environment_v31)
    }
    marked: list[Finding] = []
    for finding in findings:
        cause = str(finding.params.get("cause", ""))
        if finding.layer is Layer.CONSTRAINTS and _key(finding.path, finding.rule, cause) not in accepted_in_v31_not:
            marked.append(
                Finding(
                    finding.layer,
                    finding.rule,
                    finding.path,
                    "Allowed in AAS V3.1 but not in V3.0: {cause}",
                    finding.params,
                    finding.severity,
                )
            )
        else:
            marked.append(finding)
    return marked
