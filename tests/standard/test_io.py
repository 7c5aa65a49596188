"""Reading JSON and XML safely, and reading AAS environments element by element."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midas.standard.io import UnreadableFile, load_jsonable, load_xml, parse_json, parse_xml
from midas.standard.report import Layer, Severity

LIMIT = 1_000_000
IDTA = "idta-templates"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def refusal(data: bytes, reader: Any = parse_json, limit: int = LIMIT) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        reader(data, max_bytes=limit)
    return caught.value


@given(json_values)
def test_any_json_value_reads_back_as_written(value: object) -> None:
    assert parse_json(json.dumps(value, ensure_ascii=False).encode("utf-8"), max_bytes=LIMIT) == value


def read_or_refuse(data: bytes) -> UnreadableFile | None:
    try:
        parse_json(data, max_bytes=LIMIT)
    except UnreadableFile as error:
        return error
    return None


@given(st.binary(max_size=200))
def test_any_bytes_either_read_or_are_refused_with_a_finding(data: bytes) -> None:
    # Any other exception escapes and fails the test.
    error = read_or_refuse(data)
    assert error is None or (error.finding().layer is Layer.READ and error.rule.startswith("READ-"))


def test_a_utf8_byte_order_mark_is_allowed() -> None:
    assert parse_json(b'\xef\xbb\xbf{"submodels": []}', max_bytes=LIMIT) == {"submodels": []}


def test_a_byte_that_is_not_utf8_is_named_by_offset_line_and_column() -> None:
    data = b'{\n  "idShort": "caf\xe9"\n}'
    error = refusal(data)
    assert error.rule == "READ-UTF8"
    assert error.params == {"offset": data.index(b"\xe9"), "line": 2, "column": 18}


def test_truncated_json_names_where_it_breaks() -> None:
    data = b'{\n  "submodels": [\n    {"id": "urn:x"'
    error = refusal(data)
    assert error.rule == "READ-JSON"
    assert error.params["line"] == 3
    assert error.params["offset"] == len(data)  # the text ends where a comma or brace was due


def test_the_byte_offset_counts_bytes_not_characters() -> None:
    error = refusal('{"이름": }'.encode())
    assert error.params["offset"] == len('{"이름": '.encode())


def test_nan_and_infinity_are_not_json() -> None:
    assert refusal(b'{"value": NaN}').rule == "READ-JSON"
    assert refusal(b"[Infinity]").rule == "READ-JSON"


def test_json_nested_beyond_reason_is_refused() -> None:
    assert refusal(b"[" * 100_000 + b"]" * 100_000).rule == "READ-JSON-DEPTH"


def test_a_file_over_the_limit_is_refused_before_parsing() -> None:
    error = refusal(b"[" + b"0," * 600 + b"0]", limit=1024)
    assert error.rule == "READ-SIZE"
    assert error.params == {"size": 1203, "limit": 1024}


def test_xml_that_is_not_well_formed_names_the_line() -> None:
    error = refusal(b"<environment>\n  <submodels>\n</environment>", parse_xml)
    assert error.rule == "READ-XML"
    assert error.params["line"] == 3


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_xml(b"<a><!-- note --><?pi x?><b/></a>", max_bytes=LIMIT)
    assert [child.tag for child in root] == ["b"]


def _broken_copy(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    elements = broken["submodels"][0]["submodelElements"]
    elements[1]["modelType"] = "NoSuchElement"
    elements[3]["valueType"] = "xs:nothing"
    return broken


def test_tolerant_loading_leaves_out_only_what_cannot_be_read(shared_standards: Path) -> None:
    document = json.loads((shared_standards / IDTA / "IDTA_02066_Template_PVM.json").read_bytes())
    total = len(document["submodels"][0]["submodelElements"])
    loaded = load_jsonable(_broken_copy(document))
    assert loaded.environment is not None
    assert len(loaded.environment.submodels[0].submodel_elements) == total - 2
    # Both paths name positions in the file as received, although the first item left out shifts the rest.
    assert [finding.params["item"] for finding in loaded.findings] == [
        ".submodels[0].submodelElements[1]",
        ".submodels[0].submodelElements[3]",
    ]
    assert all(f.layer is Layer.SCHEMA and f.severity is Severity.ERROR for f in loaded.findings)


def test_a_complete_environment_has_no_findings(shared_standards: Path) -> None:
    document = json.loads((shared_standards / IDTA / "IDTA_02008-1-1-1_Template_TimeSeriesData.json").read_bytes())
    loaded = load_jsonable(document)
    assert loaded.complete


def test_something_that_is_no_environment_loads_nothing() -> None:
    loaded = load_jsonable(["not", "an", "environment"])
    assert loaded.environment is None
    assert loaded.findings[0].rule == "AAS-DESERIALIZE"


def test_tolerant_xml_loading_names_the_element_and_its_line() -> None:
    xml = (
        '<environment xmlns="https://admin-shell.io/aas/3/0"><submodels><submodel><id>urn:s</id>'
        "<submodelElements>\n"
        "<property><idShort>A</idShort><valueType>xs:string</valueType></property>\n"
        "<property><idShort>B</idShort><valueType>xs:nothing</valueType></property>\n"
        "<property><idShort>C</idShort><valueType>xs:int</valueType></property>\n"
        "</submodelElements></submodel></submodels></environment>"
    )
    loaded = load_xml(parse_xml(xml.encode(), max_bytes=LIMIT))
    assert loaded.environment is not None
    kept = [element.id_short for element in loaded.environment.submodels[0].submodel_elements]
    assert kept == ["A", "C"]
    (finding,) = loaded.findings
    assert finding.params["item"] == "/environment/submodels/submodel/submodelElements/property[2]"
    assert finding.params["line"] == 3
