"""Reports as text (Korean first, English second) and as JSON, each finding with layer, rule, path, message and
severity; every message of layers 0-2 has Korean."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from midas.standard import schema
from midas.standard.convert import (
    b2mml_messages,
    mtconnect_messages,
    opcua_messages,
    sparkplug_messages,
    tabular_messages,
)
from midas.standard.convert.mtconnect import parse_shdr, read_devices
from midas.standard.record_from_submodel import RECORD_FROM_SUBMODEL_MESSAGES_KO
from midas.standard.render import (
    VALIDATION_MESSAGES_KO,
    converter_messages_ko,
    finding_text,
    render_text,
    report_json,
)
from midas.standard.report import Finding, Layer, Severity, make_report
from midas.standard.validate import Mode, validate_bytes

STANDARD = Path(__file__).resolve().parents[2] / "midas" / "standard"
NAMEPLATE = "IDTA_02006-3-0-1_Template_Digital_Nameplate.json"
# Where the modules of layers 0-2 write their message ids: the call and the position of the message.
MESSAGE_CALLS = {"UnreadableFile": 1, "Finding": 3}


def test_korean_text_groups_findings_by_layer_with_their_paths(shared_standards: Path) -> None:
    data = (shared_standards / "idta-templates" / NAMEPLATE).read_bytes()
    report = validate_bytes(data, filename=NAMEPLATE, mode=Mode.TOLERANT).report
    text = render_text(report, "ko")
    lines = text.splitlines()
    assert lines[0] == f"{NAMEPLATE}: 불러옴 (문제 있음)"
    assert "AAS 제약 조건 6건/6건" in lines[1]
    assert "[AAS 제약 조건]" in lines
    assert "  오류 AAS-META .submodels[0].submodel_elements[19].value[0]" in lines
    # aas-core's English cause is kept next to the Korean description.
    assert (
        "    Description에 같은 언어가 두 번 이상 있습니다. 언어마다 하나씩만 둡니다 "
        "(원문: Description must specify unique languages.)" in lines
    )


def test_english_text_says_the_same_in_english(shared_standards: Path) -> None:
    data = (shared_standards / "idta-templates" / NAMEPLATE).read_bytes()
    text = render_text(validate_bytes(data, filename=NAMEPLATE).report, "en")
    assert text.startswith(f"{NAMEPLATE}: Rejected\n")
    assert "[AAS constraints]" in text
    assert "    Description must specify unique languages." in text


def test_a_constraint_with_an_id_is_described_in_korean() -> None:
    finding = Finding(
        Layer.CONSTRAINTS,
        "AASd-119",
        ".submodels[0]",
        "{cause}",
        {"cause": "Constraint AASd-119: If any qualifier kind value of ..."},
    )
    assert finding_text(finding, "ko").startswith("TemplateQualifier가 붙은 요소는 종류(kind)가 Template이어야")
    assert finding_text(finding, "en") == "Constraint AASd-119: If any qualifier kind value of ..."


def test_layer_three_messages_come_from_the_k_mds_catalog() -> None:
    finding = Finding(
        Layer.CONFORMANCE,
        "KMDS-TPL-001",
        ".submodels[0]",
        "required element {id_short} ({semantic_id}) is missing",
        {"id_short": "WorkUnitId", "semantic_id": "urn:x"},
    )
    assert finding_text(finding, "ko") != finding.english()
    assert "WorkUnitId" in finding_text(finding, "ko")


def test_the_json_report_carries_every_field_a_machine_needs() -> None:
    findings = [
        Finding(
            Layer.READ,
            "V31",
            "",
            "This is an AAS V3.1 file; it was converted to AAS V3.0 and checked as V3.0",
            {},
            Severity.INFO,
        ),
        Finding(
            Layer.SCHEMA,
            "JSON-SCHEMA/required",
            "/submodels/0",
            "The required property {property} is missing",
            {"property": "id"},
        ),
    ]
    document = report_json(make_report("line.json", findings, loaded=False), "ko")
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    assert document["status"] == "rejected"
    assert document["counts"]["schema"] == {"error": 1, "warning": 0, "info": 0}
    assert document["findings"][1] == {
        "layer": "schema",
        "rule": "JSON-SCHEMA/required",
        "path": "/submodels/0",
        "severity": "error",
        "message": "필수 속성 id이(가) 없습니다",
        "message_id": "The required property {property} is missing",
        "params": {"property": "id"},
    }


def _message_ids(path: Path) -> set[str]:
    """The message ids written as literals in calls that make findings."""
    messages: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in MESSAGE_CALLS:
            continue
        position = MESSAGE_CALLS[name]
        messages.update(
            a.value
            for a in node.args[position : position + 1]
            if isinstance(a, ast.Constant) and isinstance(a.value, str)
        )
    return messages


def _literals_of(path: Path, function: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (definition,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function]
    docstring = ast.get_docstring(definition)
    return {
        n.value
        for n in ast.walk(definition)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value[:1].isupper()
        and " " in n.value
        and n.value != docstring
    }


def test_every_message_of_layers_zero_to_two_has_korean() -> None:
    files = [
        *sorted((STANDARD / "io").glob("*.py")),
        STANDARD / "validate.py",
        STANDARD / "v31.py",
        STANDARD / "schema.py",
    ]
    messages = set().union(*(_message_ids(path) for path in files))
    messages |= _literals_of(STANDARD / "schema.py", "_message") | _literals_of(
        STANDARD / "io" / "deserialize.py", "_could_not_read"
    )
    messages |= set(schema._PATTERN_MESSAGES.values())
    messages -= {"Allowed in AAS V3.1 but not in V3.0: {cause}"}  # shown with the constraint's Korean line
    assert len(messages) > 35
    missing = sorted(message for message in messages if message not in VALIDATION_MESSAGES_KO)
    assert missing == []


# --- converter findings ------------------------------------------------------------------------------------------

CONVERTER_IDS = {
    "b2mml": tuple(b2mml_messages.B2MML_MESSAGES_KO),
    "tabular": tuple(tabular_messages.TABULAR_MESSAGES_KO),
    "mtconnect": mtconnect_messages.ALL,
    "sparkplug": sparkplug_messages.MESSAGES,
    "opcua": opcua_messages.ALL,
    "submodel": tuple(RECORD_FROM_SUBMODEL_MESSAGES_KO),
}
HANGUL = re.compile("[\uac00-\ud7a3]")


def sample_params(message: str) -> dict[str, str | int | float]:
    return {name: f"<{name}>" for _, name, _, _ in string.Formatter().parse(message) if name}


@pytest.mark.parametrize("converter", CONVERTER_IDS)
def test_every_converter_finding_renders_in_korean_and_english(converter: str) -> None:
    untranslated = []
    for message in CONVERTER_IDS[converter]:
        finding = Finding(Layer.CONFORMANCE, "X", "line 3", message, sample_params(message), Severity.WARNING)
        korean = finding_text(finding, "ko")
        assert finding_text(finding, "en") == finding.english()
        if not HANGUL.search(korean) or korean == finding.english():
            untranslated.append(message)
        # every parameter the English shows, the Korean shows too
        assert all(str(value) in korean for value in finding.params.values()), message
    assert not untranslated, untranslated


def test_a_real_mtconnect_finding_is_korean(shared_standards: Path) -> None:
    model = read_devices((shared_standards / "mtconnect" / "Devices.xml").read_bytes())
    events = parse_shdr(b"2022-08-08T13:51:34Z|nosuchkey|1\n", model, device="OKUMA")
    [finding] = [f for f in events.findings if f.rule == "MTC-STR-004"]
    assert "nosuchkey" in finding_text(finding, "ko")
    assert HANGUL.search(finding_text(finding, "ko"))
    assert finding_text(finding, "en").startswith("nosuchkey is not a data item of device")
    assert finding_text(finding, "ko") == converter_messages_ko()[finding.message].format(**finding.params)
