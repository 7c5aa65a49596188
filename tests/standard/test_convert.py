"""Converters: the registry, lossless round trips between JSON, AASX and XML, and correct OPC relationships."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from aas_core3 import types as aas
from lxml import etree

from midas.standard.convert import (
    AAS_JSON,
    AAS_XML,
    AASX,
    ConversionFailed,
    converter,
    converter_for_filename,
    converters,
    environments_equal,
    register,
)
from midas.standard.io import PackagePart, parse_xml
from midas.standard.templates import template_environment
from midas.standard.validate import validate_bytes

RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
IDTA_JSON = [
    "IDTA_02066_Template_PVM.json",
    "IDTA_02008-1-1-1_Template_TimeSeriesData.json",
    "IDTA_02011-1-1-1_Template_HSEBoM.json",
    "IDTA_02023-1-0-1_Template_CarbonFootprint.json",
    "IDTA_02002-1-0-1_Template_ContactInformation.json",
    "IDTA_02067_Template_ProductionCalendar.json",
    "IDTA_02006-3-0-1_Template_Digital_Nameplate.json",
    "IDTA_02003_2-0-1_Template_TechnicalData.json",
]


def json_to_aasx_to_xml_to_json(environment: aas.Environment) -> aas.Environment:
    as_json = AAS_JSON.write(environment)
    as_aasx = AASX.write(AAS_JSON.read(as_json))
    as_xml = AAS_XML.write(AASX.read(as_aasx))
    return AAS_JSON.read(AAS_JSON.write(AAS_XML.read(as_xml)))


def test_the_builtin_converters_are_registered_by_name_and_ending() -> None:
    assert [c.name for c in converters()][:3] == ["aas-json", "aas-xml", "aasx"]
    assert converter("aasx") is AASX
    assert converter_for_filename("Line 3.AASX") is AASX
    assert converter_for_filename("dump.xml") is AAS_XML


def test_unknown_formats_and_second_registrations_are_refused() -> None:
    with pytest.raises(KeyError, match="aas-json"):
        converter("csv")
    with pytest.raises(KeyError, match=r"\.aasx"):
        converter_for_filename("data.csv")
    with pytest.raises(ValueError, match="already registered"):
        register(type(AAS_JSON)())


def test_the_k_mds_templates_round_trip_losslessly() -> None:
    environment = template_environment()
    assert environments_equal(json_to_aasx_to_xml_to_json(environment), environment)


@pytest.mark.parametrize("name", IDTA_JSON[:6])
def test_the_idta_templates_round_trip_losslessly(shared_standards: Path, name: str) -> None:
    environment = AAS_JSON.read((shared_standards / "idta-templates" / name).read_bytes())
    assert environments_equal(json_to_aasx_to_xml_to_json(environment), environment)


@pytest.mark.parametrize("name", IDTA_JSON[6:])
def test_a_file_with_constraint_errors_still_converts_but_one_that_cannot_be_read_does_not(
    shared_standards: Path,
    name: str,
) -> None:
    data = (shared_standards / "idta-templates" / name).read_bytes()
    assert environments_equal(json_to_aasx_to_xml_to_json(AAS_JSON.read(data)), AAS_JSON.read(data))
    with pytest.raises(ConversionFailed) as failure:
        AAS_JSON.read(data.replace(b'"modelType": "Submodel"', b'"modelType": "Nothing"', 1))
    assert failure.value.findings[0].rule == "AAS-DESERIALIZE"


def test_a_v31_package_converts_to_v30(shared_standards: Path) -> None:
    environment, package = AASX.read_package(
        (shared_standards / "idta-templates" / "IDTA_02066_Template_PVM.aasx").read_bytes()
    )
    reference = AAS_JSON.read((shared_standards / "idta-templates" / "IDTA_02066_Template_PVM.json").read_bytes())
    assert [s.id for s in environment.submodels] == [s.id for s in reference.submodels]
    assert package.specs[0].name.endswith(".aas.xml")


def _relationships(archive: zipfile.ZipFile, name: str) -> list[tuple[str, str]]:
    root = parse_xml(archive.read(name), max_bytes=1_000_000)
    return [(element.get("Type", ""), element.get("Target", "")) for element in root.iter(RELATIONSHIPS)]


@pytest.mark.parametrize("spec_format", ["json", "xml"])
def test_a_written_package_has_the_relationships_of_the_aasx_specification(spec_format: str) -> None:
    manual = PackagePart("/aasx/files/manual.pdf", "application/pdf", b"%PDF-1.7 manual")
    thumbnail = PackagePart("/aasx/thumbnail.png", "image/png", b"\x89PNG thumbnail")
    environment = aas.Environment(
        submodels=[
            aas.Submodel(
                "urn:kr:midas:test:docs",
                submodel_elements=[aas.File("application/pdf", id_short="Manual", value=manual.name)],
            )
        ]
    )
    data = type(AASX)(spec_format=spec_format).write_package(environment, [manual], thumbnail=thumbnail)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        spec = f"/aasx/data.{spec_format}"
        assert _relationships(archive, "_rels/.rels") == [
            ("http://admin-shell.io/aasx/relationships/aasx-origin", "/aasx/aasx-origin"),
            ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail", thumbnail.name),
        ]
        assert _relationships(archive, "aasx/_rels/aasx-origin.rels") == [
            ("http://admin-shell.io/aasx/relationships/aas-spec", spec)
        ]
        assert _relationships(archive, f"aasx/_rels/data.{spec_format}.rels") == [
            ("http://admin-shell.io/aasx/relationships/aas-suppl", manual.name)
        ]
        types = etree.fromstring(archive.read("[Content_Types].xml"))
        declared = {e.get("PartName"): e.get("ContentType") for e in types.iter(f"{CONTENT_TYPES}Override")}
        assert declared[manual.name] == "application/pdf"
        assert declared[thumbnail.name] == "image/png"
        assert archive.read(manual.name.lstrip("/")) == manual.data

    read_back, package = AASX.read_package(data)
    assert environments_equal(read_back, environment)
    assert package.supplementary == (manual,)
    assert package.thumbnail == thumbnail
    assert validate_bytes(data, filename="docs.aasx").report.valid
