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
from midas.standard.messages import NOT_AN_OBJECT, NOT_CONVERTIBLE, SCHEMA_ERROR, UNKNOWN_TEMPLATE
from midas.standard.model import TEMPLATES
from midas.standard.record_schema import RecordError, record_json_schema, record_to_submodel
from midas.standard.report import Finding, Layer, Severity

__all__ = ["RECORD_TEMPLATES", "is_valid", "validate_record"]

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


def is_valid(findings: tuple[Finding, ...]) -> bool:
    """Whether ``findings`` allow the record in: no error among them."""
    return not any(finding.severity is Severity.ERROR for finding in findings)


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part) for part in path) if path else "/"
