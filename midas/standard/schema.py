"""Layer 1: the shape of a file, checked against the official AAS V3.0 JSON Schema and XML Schema.

The schema files in ``schemas/`` are the published ones, unchanged (see ``schemas/NOTICE.md``). Three adaptations
are made when they are loaded, each keeping what the schema means:

1. Patterns are written for ECMAScript regular expressions over UTF-16, where a character outside the Basic
   Multilingual Plane is a surrogate pair (``\\ud800[\\udc00-\\udfff]|...``). Validators that match code points
   (Python, Rust) read such pairs as lone surrogates and would refuse every emoji or rare Hanja, so the pairs are
   written as the code point range they stand for.
2. Erratum: this schema release restricts ``PathType`` (File/value, Resource/path) to RFC 8089 ``file:`` URIs;
   later V3.0 releases, and aas-core3.0 which layer 2 uses, accept any RFC 2396 URI reference such as
   ``/aasx/files/manual.pdf`` (what every IDTA template uses). That one pattern is not applied here; layer 2
   checks the RFC 2396 form.
3. ``oneOf`` over submodel elements is decided by ``modelType``: exactly one alternative can have a given
   ``modelType`` constant, so "exactly one alternative is valid" equals "the alternative named by ``modelType``
   is valid". Checking only that alternative is an order of magnitude faster and its errors point at the real
   problem instead of listing why all fourteen alternatives failed. Elements without a known ``modelType`` are
   still checked against the original ``oneOf``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from lxml import etree

from midas.standard.io.deserialize import xml_path
from midas.standard.io.xml_reader import safe_xml_parser
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "adapted_json_schema",
    "json_schema_findings",
    "official_json_schema",
    "official_xml_schema",
    "xml_schema_findings",
]

_SCHEMAS = resources.files("midas.standard") / "schemas"
_SURROGATE_PAIRS = "|\\ud800[\\udc00-\\udfff]|[\\ud801-\\udbfe][\\udc00-\\udfff]|\\udbff[\\udc00-\\udfff]"
_ASTRAL_PLANES = "|[\\u{10000}-\\u{10FFFF}]"
_RFC_8089_PREFIX = "^file:"
_XSD_NS = {"xs": "http://www.w3.org/2001/XMLSchema"}
_VALUE_PREVIEW = 80

# Patterns of the schema by what they mean, for messages a person can act on.
_XML_CHARACTERS = "^([\\t\\n\\r -\ud7ff\ue000-\ufffd]" + _SURROGATE_PAIRS + ")*$"
_PATTERN_MESSAGES = {
    _XML_CHARACTERS: "The value contains characters that XML does not allow",
    "^[a-zA-Z][a-zA-Z0-9_]*$": "The idShort {value} must start with a letter and hold only letters, digits and _",
    "^(0|[1-9][0-9]*)$": "The version {value} must be a whole number without leading zeros",
}


def official_json_schema() -> dict[str, Any]:
    """The AAS V3.0 JSON Schema as published (admin-shell-io/aas-specs, ``schemas/json/aas.json``)."""
    schema: dict[str, Any] = json.loads((_SCHEMAS / "aas.json").read_text(encoding="utf-8"))
    return schema


def _code_point_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        adapted = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                adapted[key] = value.replace(_SURROGATE_PAIRS, _ASTRAL_PLANES)
            else:
                adapted[key] = _code_point_patterns(value)
        return adapted
    if isinstance(node, list):
        return [_code_point_patterns(item) for item in node]
    return node


def _without_rfc_8089(node: Any) -> Any:
    if isinstance(node, dict):
        if isinstance(node.get("allOf"), list):
            node = {
                **node,
                "allOf": [
                    part for part in node["allOf"] if not str(part.get("pattern", "")).startswith(_RFC_8089_PREFIX)
                ],
            }
        return {key: _without_rfc_8089(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_rfc_8089(item) for item in node]
    return node


def _model_type_constant(definitions: Mapping[str, Any], name: str) -> str | None:
    for part in definitions.get(name, {}).get("allOf", []):
        constant = part.get("properties", {}).get("modelType", {}).get("const")
        if isinstance(constant, str):
            return constant
    return None


def _decided_by_model_type(schema: dict[str, Any]) -> dict[str, Any]:
    definitions: dict[str, Any] = schema["definitions"]
    for name, definition in list(definitions.items()):
        alternatives = definition.get("oneOf") if isinstance(definition, dict) else None
        if not alternatives or any(set(alternative) != {"$ref"} for alternative in alternatives):
            continue
        targets = [alternative["$ref"].rsplit("/", 1)[-1] for alternative in alternatives]
        constants = [_model_type_constant(definitions, target) for target in targets]
        if any(constant is None for constant in constants) or len(set(constants)) != len(constants):
            continue
        decision: dict[str, Any] = {"oneOf": alternatives}
        for target, constant in reversed(list(zip(targets, constants, strict=True))):
            decision = {
                "if": {"type": "object", "required": ["modelType"], "properties": {"modelType": {"const": constant}}},
                "then": {"$ref": f"#/definitions/{target}"},
                "else": decision,
            }
        definitions[name] = decision
    return schema


def adapted_json_schema() -> dict[str, Any]:
    """The official schema with the three adaptations of this module's docstring."""
    schema = _code_point_patterns(official_json_schema())
    schema = _without_rfc_8089(schema)
    return _decided_by_model_type(copy.deepcopy(schema))


@cache
def _json_validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(adapted_json_schema())


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _preview(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _VALUE_PREVIEW else text[: _VALUE_PREVIEW - 1] + "…"


def _message(error: jsonschema_rs.ValidationError) -> tuple[str, dict[str, str | int | float]]:
    kind = error.kind
    keyword = kind.name
    value = _preview(error.instance)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return "The required property {property} is missing", {"property": kind.property}
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return "Expected a value of type {expected}, but found {value}", {
            "expected": ", ".join(kind.types),
            "value": value,
        }
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
        return "The value {value} is not one of the allowed values: {allowed}", {
            "value": value,
            "allowed": _preview(", ".join(str(option) for option in kind.options)),
        }
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Constant):
        return "Expected {expected}, but found {value}", {"expected": _preview(kind.expected_value), "value": value}
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern):
        message = _PATTERN_MESSAGES.get(
            kind.pattern.replace(_ASTRAL_PLANES, _SURROGATE_PAIRS),
            "The value {value} does not have the form this property requires",
        )
        return message, {"value": value}
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MinLength):
        return "The value must have at least {limit} character(s)", {"limit": kind.limit}
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MaxLength):
        return "The value may have at most {limit} characters", {"limit": kind.limit}
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MinItems):
        return "The list must have at least {limit} item(s); leave the property out instead of an empty list", {
            "limit": kind.limit
        }
    if keyword == "oneOf":
        model_type = error.instance.get("modelType") if isinstance(error.instance, dict) else None
        return "The element has no modelType that the schema knows: {value}", {"value": _preview(model_type)}
    return "{detail}", {"detail": error.message}


def _json_finding(error: jsonschema_rs.ValidationError) -> Finding:
    message, params = _message(error)
    return Finding(
        Layer.SCHEMA, f"JSON-SCHEMA/{error.kind.name}", _pointer(error.instance_path), message, params, Severity.ERROR
    )


def json_schema_findings(instance: Any) -> list[Finding]:
    """Every place where ``instance`` (parsed JSON) breaks the AAS V3.0 JSON Schema, as JSON pointers."""
    validator = _json_validator()
    if validator.is_valid(instance):
        return []
    return [_json_finding(error) for error in validator.iter_errors(instance)]


def official_xml_schema() -> bytes:
    """The AAS V3.0 XML Schema as it is kept in ``schemas/AAS.xsd``."""
    return (_SCHEMAS / "AAS.xsd").read_bytes()


@cache
def _xml_validator() -> etree.XMLSchema:
    document = etree.fromstring(official_xml_schema(), parser=safe_xml_parser())
    for pattern in document.iterfind(".//xs:pattern", _XSD_NS):
        if pattern.get("value", "").startswith(_RFC_8089_PREFIX.lstrip("^")):
            parent = pattern.getparent()
            if parent is not None:
                parent.remove(pattern)
    return etree.XMLSchema(document)


def _element_at(root: etree._Element, positional_path: str | None) -> etree._Element | None:
    if not positional_path:
        return None
    try:
        found = root.getroottree().xpath(positional_path)
    except etree.XPathError:
        return None
    return found[0] if isinstance(found, list) and found and isinstance(found[0], etree._Element) else None


def _xml_findings(root: etree._Element, log: etree._ListErrorLog) -> Iterator[Finding]:
    for entry in log:
        element = _element_at(root, entry.path)
        yield Finding(
            Layer.SCHEMA,
            f"XSD/{entry.type_name}",
            xml_path(element) if element is not None else (entry.path or ""),
            "{detail} (line {line})",
            {"detail": entry.message, "line": entry.line},
            Severity.ERROR,
        )


def xml_schema_findings(root: etree._Element) -> list[Finding]:
    """Every place where the document under ``root`` breaks the AAS V3.0 XML Schema."""
    validator = _xml_validator()
    if validator.validate(root):
        return []
    return list(_xml_findings(root, validator.error_log))
