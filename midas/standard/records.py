"""One K-MDS record checked as ingestion receives it: the record's JSON Schema, its conversion to the instance
submodel, the AAS metamodel constraints and the K-MDS conformance rules, all four layers in one call.

Converters and the ingestion pipeline call :func:`validate_record` so that a record is accepted by the same rules
wherever it comes from. A record with no error finding is valid; warnings and information do not refuse it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

import jsonschema_rs
from aas_core3 import types as aas

from midas.standard.conformance import check_conformance
from midas.standard.constraints import constraint_findings
from midas.standard.fast_records import certify
from midas.standard.messages import NOT_AN_OBJECT, NOT_CONVERTIBLE, NOT_UNICODE, SCHEMA_ERROR, UNKNOWN_TEMPLATE
from midas.standard.model import TEMPLATES
from midas.standard.record_schema import RecordError, record_json_schema, record_to_submodel
from midas.standard.report import Finding, Layer, Severity

__all__ = ["RECORD_TEMPLATES", "error_findings", "is_valid", "validate_record"]

RECORD_TEMPLATES: Final = tuple(template.id_short for template in TEMPLATES)



@cache
def _validator(template: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(record_json_schema(template))


def validate_record(template: str, record: object) -> tuple[Finding, ...]:
    """Every finding of ``record`` as a record of ``template`` (an idShort such as ``ProductionPerformance``)."""
    if template not in RECORD_TEMPLATES:
        return (Finding(Layer.READ, "KMDS-REC-001", "template", UNKNOWN_TEMPLATE,
                        {"template": str(template)[:64], "known": ", ".join(RECORD_TEMPLATES)}),)
    if not isinstance(record, Mapping):
        return (Finding(Layer.READ, "KMDS-REC-002", "record", NOT_AN_OBJECT, {"kind": type(record).__name__}),)
    broken = _not_unicode(record, "")
    if broken is not None:
        return (Finding(Layer.READ, "KMDS-REC-005", broken, NOT_UNICODE, {"pointer": broken}),)
    schema_errors = tuple(
        Finding(Layer.SCHEMA, "KMDS-REC-003", _pointer(error.instance_path), SCHEMA_ERROR,
                {"pointer": _pointer(error.instance_path), "reason": error.message[:300]})
        for error in _validator(template).iter_errors(dict(record))
    )
    if schema_errors:
        return schema_errors
    try:
        submodel = record_to_submodel(template, record)
    except RecordError as error:
        return (Finding(Layer.SCHEMA, "KMDS-REC-004", error.pointer or "/", NOT_CONVERTIBLE,
                        {"template": template, "pointer": error.pointer or "/", "cause": error.cause}),)
    environment = aas.Environment(submodels=[submodel])
    return (*constraint_findings(environment), *check_conformance(environment))


def error_findings(template: str, record: object) -> tuple[Finding, ...]:
    """The ERROR findings of ``record`` as a record of ``template``: empty when the record may be stored.

    Ingestion's hot path. A record :func:`midas.standard.fast_records.certify` vouches for costs a few
    microseconds; any other record goes through :func:`validate_record`, so every refusal carries the full,
    precise report. Warnings and information are not returned (they never refuse a record)."""
    if certify(template, record):
        return ()
    return tuple(finding for finding in validate_record(template, record) if finding.severity is Severity.ERROR)


def _not_unicode(value: object, pointer: str) -> str | None:
    """The JSON pointer of the first key or text that UTF-8 cannot encode (JSON's "\\ud800" decodes to one)."""
    if isinstance(value, str):
        return None if _encodes(value) else pointer or "/"
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{pointer}/{key}" if _encodes(str(key)) else f"{pointer}/(key)"
            if here.endswith("/(key)"):
                return here
            found = _not_unicode(item, here)
            if found is not None:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _not_unicode(item, f"{pointer}/{index}")
            if found is not None:
                return found
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_valid(findings: tuple[Finding, ...]) -> bool:
    """Whether ``findings`` allow the record in: no error among them."""
    return not any(finding.severity is Severity.ERROR for finding in findings)


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part) for part in path) if path else "/"
