"""The real IDTA submodel templates (../shared/standards/idta-templates): the clean ones validate clean in every
layer and mode; 02006 (Digital Nameplate) and 02003 (Technical Data) report their known errors precisely in strict
mode and still load in tolerant mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from midas.standard.report import Layer, Severity
from midas.standard.validate import Mode, ValidationResult, validate_bytes

CLEAN = [
    "IDTA_02066_Template_PVM.json",
    "IDTA_02066_Template_PVM.aasx",
    "IDTA_02008-1-1-1_Template_TimeSeriesData.json",
    "IDTA_02011-1-1-1_Template_HSEBoM.json",
    "IDTA_02023-1-0-1_Template_CarbonFootprint.json",
    "IDTA_02002-1-0-1_Template_ContactInformation.json",
    "IDTA_02067_Template_ProductionCalendar.json",
]
NAMEPLATE = "IDTA_02006-3-0-1_Template_Digital_Nameplate.json"
TECHNICAL_DATA = "IDTA_02003_2-0-1_Template_TechnicalData.json"


def validated(shared_standards: Path, name: str, mode: Mode) -> ValidationResult:
    path = shared_standards / "idta-templates" / name
    return validate_bytes(path.read_bytes(), filename=name, mode=mode)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("name", CLEAN)
def test_the_clean_templates_validate_clean(shared_standards: Path, name: str, mode: Mode) -> None:
    result = validated(shared_standards, name, mode)
    problems = [f for f in result.report.findings if f.severity is not Severity.INFO]
    assert problems == []
    assert result.report.valid
    assert result.environment is not None
    assert result.environment.submodels


def test_the_pvm_package_is_a_v31_file_read_as_v30(shared_standards: Path) -> None:
    result = validated(shared_standards, "IDTA_02066_Template_PVM.aasx", Mode.STRICT)
    assert [f.rule for f in result.report.findings] == ["V31"]
    assert result.package is not None
    assert [part.name for part in result.package.supplementary] == ["/aasx/files/title-page.png"]


def test_the_nameplate_reports_its_duplicate_description_languages_in_strict_mode(shared_standards: Path) -> None:
    result = validated(shared_standards, NAMEPLATE, Mode.STRICT)
    assert result.environment is None
    assert not result.report.loaded
    findings = result.report.findings
    assert len(findings) == 6
    assert {(f.layer, f.rule, f.english()) for f in findings} == {
        (Layer.CONSTRAINTS, "AAS-META", "Description must specify unique languages.")
    }
    assert findings[0].path == ".submodels[0].submodel_elements[19].value[0]"


def test_the_nameplate_loads_in_tolerant_mode(shared_standards: Path) -> None:
    result = validated(shared_standards, NAMEPLATE, Mode.TOLERANT)
    assert result.report.loaded
    assert not result.report.valid
    assert len(result.report.errors) == 6
    assert result.environment is not None
    assert result.environment.submodels[0].id_short == "Nameplate"


def test_technical_data_reports_its_errors_and_loads_in_tolerant_mode(shared_standards: Path) -> None:
    strict = validated(shared_standards, TECHNICAL_DATA, Mode.STRICT)
    tolerant = validated(shared_standards, TECHNICAL_DATA, Mode.TOLERANT)
    assert strict.environment is None
    assert len(strict.report.errors) == 31
    assert {f.layer for f in strict.report.errors} == {Layer.CONSTRAINTS}
    assert sum(f.path.startswith(".submodels[0].") for f in strict.report.errors) == 28
    assert sum(f.path.startswith(".concept_descriptions[") for f in strict.report.errors) == 3
    assert tolerant.environment is not None
    assert tolerant.report.findings == strict.report.findings
