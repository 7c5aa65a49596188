"""``midas standard ...``: validate (exit 0 valid, 1 findings, 2 unreadable), templates, docs, convert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midas.kmds.cli import app
from midas.standard.convert import AAS_JSON, environments_equal
from midas.standard.templates import template_environment

runner = CliRunner()
IDTA = "idta-templates"


def idta(shared_standards: Path, name: str) -> str:
    return str(shared_standards / IDTA / name)


def test_a_valid_file_exits_0_with_a_korean_report(shared_standards: Path) -> None:
    result = runner.invoke(app, ["validate", idta(shared_standards, "IDTA_02066_Template_PVM.json")])
    assert result.exit_code == 0, result.output
    assert "IDTA_02066_Template_PVM.json: 적합" in result.output


def test_findings_exit_1_in_either_mode(shared_standards: Path) -> None:
    nameplate = idta(shared_standards, "IDTA_02006-3-0-1_Template_Digital_Nameplate.json")
    strict = runner.invoke(app, ["validate", nameplate, "--locale", "en"])
    tolerant = runner.invoke(app, ["validate", nameplate, "--tolerant", "--locale", "en"])
    assert (strict.exit_code, tolerant.exit_code) == (1, 1)
    assert ": Rejected" in strict.output
    assert ": Loaded with problems" in tolerant.output
    assert "AAS-META .submodels[0].submodel_elements[19].value[0]" in strict.output


def test_an_unreadable_file_exits_2(tmp_path: Path, shared_standards: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"submodels": [')
    result = runner.invoke(
        app,
        [
            "validate",
            idta(shared_standards, "IDTA_02066_Template_PVM.json"),
            str(broken),
            str(tmp_path / "missing.json"),
        ],
    )
    assert result.exit_code == 2
    assert "READ-JSON" in result.output
    assert "READ-OPEN" in result.output


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 5000)
    result = runner.invoke(app, ["validate", str(big), "--max-bytes", "4096", "--locale", "en"])
    assert result.exit_code == 2
    assert "The file is 5000 bytes; the limit is 4096 bytes" in result.output


def test_json_output_is_one_report_per_file(shared_standards: Path) -> None:
    files = [
        idta(shared_standards, "IDTA_02066_Template_PVM.aasx"),
        idta(shared_standards, "IDTA_02003_2-0-1_Template_TechnicalData.json"),
    ]
    result = runner.invoke(app, ["validate", *files, "--format", "json", "--tolerant"])
    assert result.exit_code == 1
    reports = json.loads(result.output)
    assert [(r["status"], r["mode"]) for r in reports] == [("valid", "tolerant"), ("loaded_with_problems", "tolerant")]
    assert reports[1]["counts"]["constraints"]["error"] == 31
    assert {"layer", "rule", "path", "message", "severity"} <= set(reports[1]["findings"][0])


def test_templates_are_written_as_json_xml_and_aasx_and_validate_clean(tmp_path: Path) -> None:
    result = runner.invoke(app, ["templates", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert [name.rsplit(".", 1)[1] for name in written] == ["aasx", "json", "xml"]
    check = runner.invoke(app, ["validate", *(str(tmp_path / "out" / name) for name in written)])
    assert check.exit_code == 0, check.output


def test_docs_writes_the_reference_in_both_languages(tmp_path: Path) -> None:
    result = runner.invoke(app, ["docs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reference.ko.md").read_text(encoding="utf-8").startswith("#")
    assert (tmp_path / "reference.en.md").exists()
    again = runner.invoke(app, ["docs", str(tmp_path)])
    assert "Up to date" in again.output


@pytest.mark.parametrize("chain", [("json", "aasx", "xml", "json"), ("json", "xml", "aasx", "json")])
def test_convert_chains_lose_nothing(tmp_path: Path, chain: tuple[str, ...]) -> None:
    first = tmp_path / f"0.{chain[0]}"
    first.write_bytes(AAS_JSON.write(template_environment()))
    for step, extension in enumerate(chain[1:], start=1):
        source = next(tmp_path.glob(f"{step - 1}.*"))
        result = runner.invoke(app, ["convert", str(source), str(tmp_path / f"{step}.{extension}")])
        assert result.exit_code == 0, result.output
    last = tmp_path / f"{len(chain) - 1}.{chain[-1]}"
    assert environments_equal(AAS_JSON.read(last.read_bytes()), template_environment())


def test_convert_writes_nothing_when_the_source_cannot_be_read(tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_bytes(b'{"submodels": [{"modelType": "Submodel"}]}')
    result = runner.invoke(app, ["convert", str(source), str(tmp_path / "out.aasx")])
    assert result.exit_code == 1
    assert "Could not read .submodels[0]" in result.output
    assert not (tmp_path / "out.aasx").exists()


def test_convert_names_the_known_formats_for_an_unknown_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(tmp_path / "a.json"), str(tmp_path / "b.csv")])
    assert result.exit_code == 2
    assert "aas-json" in result.output
