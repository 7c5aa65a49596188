"""Layer 1: the official AAS V3.0 JSON Schema and XML Schema, kept unchanged and applied with precise paths."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from aas_core3 import jsonization
from hypothesis import given, settings
from hypothesis import strategies as st

from midas.standard import schema
from midas.standard.convert import AAS_XML
from midas.standard.io import parse_xml
from midas.standard.report import Layer
from midas.standard.schema import json_schema_findings, official_json_schema, xml_schema_findings
from midas.standard.templates import template_environment

SCHEMAS = resources.files("midas.standard") / "schemas"
MODEL_TYPES = [
    "Property",
    "Range",
    "MultiLanguageProperty",
    "SubmodelElementCollection",
    "SubmodelElementList",
    "File",
    "Blob",
    "ReferenceElement",
    "RelationshipElement",
    "Entity",
    "Capability",
    "Operation",
    "Nope",
]


def a_property(**changes: Any) -> dict[str, Any]:
    return {"idShort": "Speed", "modelType": "Property", "valueType": "xs:double", "value": "1.5"} | changes


def environment_with(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"submodels": [{"id": "urn:kr:midas:test:1", "modelType": "Submodel", "submodelElements": list(elements)}]}


@pytest.mark.parametrize("name", ["aas.json", "AAS.xsd"])
def test_the_schema_files_are_the_published_ones(name: str) -> None:
    notice = (SCHEMAS / "NOTICE.md").read_text(encoding="utf-8")
    row = next(line for line in notice.splitlines() if line.startswith(f"| `{name}`"))
    published = re.findall(r"`([0-9a-f]{64})`", row)[0]
    assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == published


def test_the_json_schema_is_the_v30_schema() -> None:
    assert official_json_schema()["$id"] == "https://admin-shell.io/aas/3/0"


def test_a_wrong_value_is_reported_at_its_json_pointer() -> None:
    (finding,) = json_schema_findings(environment_with(a_property(), a_property(valueType="xs:nothing")))
    assert finding.layer is Layer.SCHEMA
    assert finding.rule == "JSON-SCHEMA/enum"
    assert finding.path == "/submodels/0/submodelElements/1/valueType"
    assert "xs:nothing" in finding.english()


def test_an_unknown_model_type_is_named_once_not_for_every_alternative() -> None:
    (finding,) = json_schema_findings(environment_with(a_property(modelType="Thermometer")))
    assert finding.rule == "JSON-SCHEMA/oneOf"
    assert finding.path == "/submodels/0/submodelElements/0"
    assert finding.params["value"] == "Thermometer"


def test_errors_inside_an_element_point_into_it() -> None:
    findings = json_schema_findings(environment_with(a_property(idShort="1st", description=[])))
    assert {(f.rule, f.path) for f in findings} == {
        ("JSON-SCHEMA/pattern", "/submodels/0/submodelElements/0/idShort"),
        ("JSON-SCHEMA/minItems", "/submodels/0/submodelElements/0/description"),
    }


def test_characters_beyond_the_basic_plane_are_allowed_and_control_characters_are_not() -> None:
    astral = "설비 𠀀 🏭"  # a Hanja of CJK Extension B and an emoji: surrogate pairs in UTF-16
    assert (
        json_schema_findings(
            environment_with(
                a_property(value=astral, category="PARAMETER"), a_property(idShort="Name", category=astral)
            )
        )
        == []
    )
    (finding,) = json_schema_findings(environment_with(a_property(category="bell\u0007")))
    assert finding.english() == "The value contains characters that XML does not allow"


def test_relative_file_paths_are_accepted_as_later_v30_releases_allow() -> None:
    file_element = {
        "idShort": "Manual",
        "modelType": "File",
        "contentType": "application/pdf",
        "value": "/aasx/files/manual.pdf",
    }
    assert json_schema_findings(environment_with(file_element)) == []


def test_the_k_mds_templates_and_the_idta_templates_fit_the_schemas(shared_standards: Path) -> None:
    for path in sorted((shared_standards / "idta-templates").glob("*.json")):
        assert json_schema_findings(json.loads(path.read_bytes())) == [], path.name
    xml = AAS_XML.write(template_environment())
    assert xml_schema_findings(parse_xml(xml, max_bytes=len(xml))) == []


def test_xml_schema_findings_name_the_element_and_the_line() -> None:
    xml = (
        b'<environment xmlns="https://admin-shell.io/aas/3/0"><submodels><submodel>\n'
        b"<idShort>9lives</idShort><id>urn:x</id></submodel></submodels></environment>"
    )
    findings = xml_schema_findings(parse_xml(xml, max_bytes=len(xml)))
    assert findings
    assert {f.path for f in findings} == {"/environment/submodels/submodel/idShort"}
    assert all(f.params["line"] == 2 and f.rule.startswith("XSD/") for f in findings)


# --- deciding oneOf by modelType changes no verdict -----------------------------------------------------------


@pytest.fixture(scope="module")
def undecided() -> jsonschema_rs.Validator:
    """The official schema with only the pattern adaptations: oneOf as published."""
    return jsonschema_rs.validator_for(schema._without_rfc_8089(schema._code_point_patterns(official_json_schema())))


@pytest.fixture(scope="module")
def decided() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema.adapted_json_schema())


@pytest.fixture(scope="module")
def sample_elements() -> list[dict[str, Any]]:
    document = jsonization.to_jsonable(template_environment())
    return [element for submodel in document["submodels"] for element in submodel["submodelElements"]]


def _mutated(element: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    mutated = copy.deepcopy(element)
    for _ in range(data.draw(st.integers(0, 3))):
        choice = data.draw(st.sampled_from(["drop", "model_type", "retype", "empty"]))
        keys = sorted(mutated)
        key = data.draw(st.sampled_from(keys)) if keys else None
        if choice == "drop" and key:
            del mutated[key]
        elif choice == "model_type":
            mutated["modelType"] = data.draw(st.sampled_from(MODEL_TYPES))
        elif choice == "retype" and key:
            mutated[key] = data.draw(st.sampled_from([1, None, "x", [], {}]))
        elif choice == "empty" and key and isinstance(mutated[key], list):
            mutated[key] = []
    return mutated


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_deciding_one_of_by_model_type_gives_the_verdict_of_the_published_schema(
    data: st.DataObject,
    undecided: jsonschema_rs.Validator,
    decided: jsonschema_rs.Validator,
    sample_elements: list[dict[str, Any]],
) -> None:
    element = _mutated(data.draw(st.sampled_from(sample_elements)), data)
    document = environment_with(element)
    assert decided.is_valid(document) == undecided.is_valid(document)
