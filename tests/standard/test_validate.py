"""Three layers together: strict and tolerant mode, AAS V3.1 input, K-MDS conformance, AASX packages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import aas_core3_1.jsonization
import aas_core3_1.types as aas31
import aas_core3_1.xmlization
import pytest
from aas_core3 import jsonization
from aas_core3 import types as aas

from midas.standard.convert import AAS_JSON, AASX
from midas.standard.io import PackagePart
from midas.standard.report import Layer, Severity
from midas.standard.templates import production_performance_submodel, template_environment
from midas.standard.validate import FileFormat, Mode, detect_format, validate_bytes, validate_environment

SHIFT_START = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)


def shift(**changes: int) -> dict[str, int]:
    values = {
        "PlannedBusyTime": 28800,
        "PlannedRuntimePerItem": 30,
        "ActualProductionTime": 19800,
        "ActualUnitSetupTime": 1800,
        "ActualUnitProcessingTime": 21600,
        "ActualUnitDelayTime": 1800,
        "ActualUnitBusyTime": 23400,
        "ActualUnitDownTime": 5400,
        "ActualOrderExecutionTime": 24000,
        "ActualQueuingTime": 600,
        "ActualTransportTime": 300,
        "ActualPersonnelWorkTime": 23400,
        "ActualPersonnelAttendanceTime": 28800,
        "ProducedQuantity": 700,
        "GoodQuantity": 680,
        "ScrapQuantity": 15,
        "ReworkQuantity": 5,
        "GoodPart": 680,
        "InspectedPart": 700,
    }
    return values | changes


def performance_file(**changes: int) -> bytes:
    submodel = production_performance_submodel(
        work_unit_id="KR-WU-0001",
        period_start=SHIFT_START,
        period_end=SHIFT_START + timedelta(hours=8),
        values=shift(**changes),
        submodel_id="urn:kr:midas:test:pp:1",
    )
    return AAS_JSON.write(aas.Environment(submodels=[submodel]))


def with_broken_element(data: bytes) -> bytes:
    document = json.loads(data)
    document["submodels"][0]["submodelElements"][0]["modelType"] = "NoSuchElement"
    return json.dumps(document).encode()


def test_a_consistent_production_record_is_valid_in_all_three_layers() -> None:
    result = validate_bytes(performance_file(), filename="shift.json")
    assert result.report.findings == ()
    assert result.report.valid
    assert result.environment is not None


def test_k_mds_conformance_is_the_third_layer() -> None:
    result = validate_bytes(performance_file(ActualUnitProcessingTime=25000), filename="shift.json")
    conformance = result.report.by_layer()[Layer.CONFORMANCE]
    assert {f.rule for f in conformance} == {"KMDS-PP-003"}
    assert conformance[0].path.startswith(".submodels[0].submodel_elements[")
    assert result.environment is None


def test_strict_mode_rejects_and_tolerant_mode_loads_the_rest() -> None:
    broken = with_broken_element(performance_file())
    strict = validate_bytes(broken, filename="shift.json", mode=Mode.STRICT)
    tolerant = validate_bytes(broken, filename="shift.json", mode=Mode.TOLERANT)

    assert strict.environment is None
    assert not strict.report.loaded
    rules = {f.rule for f in strict.report.findings}
    assert {"JSON-SCHEMA/oneOf", "AAS-DESERIALIZE"} <= rules

    assert tolerant.environment is not None
    assert tolerant.report.loaded
    left_out = [f for f in tolerant.report.findings if f.rule == "AAS-DESERIALIZE"]
    assert [f.params["item"] for f in left_out] == [".submodels[0].submodelElements[0]"]
    summary = [f for f in tolerant.report.findings if f.rule == "TOLERANT-LOAD"]
    assert [(f.severity, f.params["count"]) for f in summary] == [(Severity.INFO, 1)]
    original = len(json.loads(broken)["submodels"][0]["submodelElements"])
    assert len(tolerant.environment.submodels[0].submodel_elements) == original - 1


def _v31_environment() -> aas31.Environment:
    shell = aas31.AssetAdministrationShell(
        "urn:kr:midas:test:aas", aas31.AssetInformation(aas31.AssetKind.ROLE, global_asset_id="urn:kr:asset:1")
    )
    elements: list[aas31.ISubmodelElement] = [
        aas31.Property(aas31.DataTypeDefXSD.INT, id_short="Motor-1", value="3"),
        aas31.RelationshipElement(id_short="FeedsInto"),
    ]
    submodel = aas31.Submodel("urn:kr:midas:test:sm31", id_short="Line", submodel_elements=elements)
    return aas31.Environment(asset_administration_shells=[shell], submodels=[submodel])


@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_v31_features_that_v30_cannot_hold_are_named(file_format: str) -> None:
    environment = _v31_environment()
    if file_format == "json":
        data = json.dumps(aas_core3_1.jsonization.to_jsonable(environment)).encode()
    else:
        data = aas_core3_1.xmlization.to_str(environment).encode()
    result = validate_bytes(data, filename=f"line.{file_format}", mode=Mode.TOLERANT)
    by_rule = {f.rule: f for f in result.report.findings}

    assert by_rule["V31"].severity is Severity.INFO
    assert by_rule["V31-ASSET-KIND-ROLE"].path == ".assetAdministrationShells[0].assetInformation.assetKind"
    assert by_rule["V31-REQUIRED-IN-V30"].path == ".submodels[0].submodelElements[1]"
    assert by_rule["V31-REQUIRED-IN-V30"].params == {"model_type": "RelationshipElement", "property": "first, second"}
    v31_only = [f for f in result.report.findings if f.message.startswith("Allowed in AAS V3.1")]
    assert [f.path for f in v31_only] == [".submodels[0].submodel_elements[0].id_short"]
    # The element V3.0 cannot hold is explained once, not again as an unreadable element.
    assert not [f for f in result.report.findings if f.rule == "AAS-DESERIALIZE"]

    assert result.environment is not None
    shell = result.environment.asset_administration_shells[0]
    assert shell.asset_information.asset_kind is aas.AssetKind.NOT_APPLICABLE
    assert [e.id_short for e in result.environment.submodels[0].submodel_elements] == ["Motor-1"]


def test_a_v31_file_without_v31_features_reads_as_v30() -> None:
    data = aas_core3_1.xmlization.to_str(
        aas31.Environment(submodels=[aas31.Submodel("urn:kr:midas:test:plain", id_short="Plain")])
    ).encode()
    result = validate_bytes(data, filename="plain.xml")
    assert [f.rule for f in result.report.findings] == ["V31"]
    assert result.report.valid


def test_a_package_that_misses_a_file_its_elements_refer_to_is_warned_about() -> None:
    manual = aas.File("application/pdf", id_short="Manual", value="/aasx/files/manual.pdf")
    photo = aas.File("image/png", id_short="Photo", value="/aasx/files/photo.png")
    environment = aas.Environment(
        submodels=[aas.Submodel("urn:kr:midas:test:docs", id_short="Documents", submodel_elements=[manual, photo])]
    )
    data = AASX.write_package(environment, [PackagePart("/aasx/files/manual.pdf", "application/pdf", b"%PDF-1.7")])
    result = validate_bytes(data, filename="docs.aasx")
    (warning,) = result.report.findings
    assert (warning.rule, warning.severity) == ("AASX-MISSING-FILE", Severity.WARNING)
    assert warning.path == ".submodels[0].submodelElements[1].value"
    assert warning.params == {"file": "/aasx/files/photo.png"}


def test_the_k_mds_templates_pass_layers_two_and_three() -> None:
    assert validate_environment(template_environment()) == []


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"{}", "a.json", FileFormat.JSON),
        (b"<environment/>", "a.xml", FileFormat.XML),
        (b"PK\x03\x04", "a.aasx", FileFormat.AASX),
        (b"  <environment/>", "upload", FileFormat.XML),
        (b"PK\x03\x04rest", "upload", FileFormat.AASX),
        (b'\xef\xbb\xbf{"submodels": []}', "upload", FileFormat.JSON),
    ],
)
def test_the_format_follows_the_ending_else_the_first_bytes(data: bytes, filename: str, expected: FileFormat) -> None:
    assert detect_format(data, filename) is expected


def test_the_report_of_a_valid_file_loads_an_equal_environment() -> None:
    data = performance_file()
    result = validate_bytes(data, filename="shift.json")
    assert result.environment is not None
    assert jsonization.to_jsonable(result.environment) == json.loads(data)
