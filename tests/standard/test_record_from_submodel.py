"""submodel_to_record, the inverse of record_to_submodel: every template's example comes back as it went in, and
what the record form cannot hold refuses the submodel with a finding that names it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aas_core3 import jsonization
from aas_core3 import types as aas
from babel.messages.pofile import read_po

from midas.standard import TEMPLATES, SubmodelTemplate, example_record, record_to_submodel
from midas.standard.model.aas import global_reference
from midas.standard.record_from_submodel import (
    NOT_KMDS,
    NOT_RECORD,
    RECORD_FROM_SUBMODEL_MESSAGES_KO,
    TEMPLATE_KIND,
    UNREADABLE_SUBMODEL,
    environment_records,
    is_environment,
    submodel_to_record,
)
from midas.standard.records import is_valid, validate_record


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id_short)
def test_every_example_record_comes_back_from_its_submodel(template: SubmodelTemplate) -> None:
    id_short = template.id_short
    record = example_record(id_short)
    converted = submodel_to_record(record_to_submodel(id_short, record))
    assert converted.converted
    assert (converted.template, converted.record) == (id_short, record)
    assert canonical(converted.record) == canonical(record)  # the same JSON types too (1 stays 1, 1.5 stays 1.5)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id_short)
def test_the_round_trip_survives_aas_json(template: SubmodelTemplate) -> None:
    id_short = template.id_short
    record = example_record(id_short)
    jsonable = jsonization.to_jsonable(record_to_submodel(id_short, record, submodel_id="urn:example:sm:1"))
    converted = submodel_to_record(jsonization.submodel_from_jsonable(json.loads(json.dumps(jsonable))))
    assert converted.record == record
    assert converted.submodel_id == "urn:example:sm:1"
    assert is_valid(validate_record(id_short, converted.record))


def test_a_record_without_optional_parts_keeps_them_out() -> None:
    record = {key: value for key, value in example_record("ProductionPerformance").items()
              if key in ("WorkUnitId", "PeriodKind", "PeriodStart", "PeriodEnd", "PlannedBusyTime")}
    record["PlannedBusyTime"] = 1.5
    converted = submodel_to_record(record_to_submodel("ProductionPerformance", record))
    assert converted.record == record
    assert isinstance(converted.record["PlannedBusyTime"], float)


def test_a_submodel_of_another_standard_is_a_finding_with_its_id() -> None:
    submodel = aas.Submodel(id="urn:other:nameplate:1", id_short="Nameplate",
                            semantic_id=global_reference("https://admin-shell.io/zvei/nameplate/2/0/Nameplate"))
    converted = submodel_to_record(submodel)
    assert not converted.converted
    [finding] = converted.findings
    assert finding.message == NOT_KMDS
    assert finding.params["id"] == "urn:other:nameplate:1"
    assert "nameplate" in finding.english()
    unnamed = submodel_to_record(aas.Submodel(id="urn:x"))
    assert unnamed.findings[0].params["semantic_id"] == "(none)"


def test_a_template_submodel_holds_no_record() -> None:
    submodel = record_to_submodel("Quality", example_record("Quality"))
    submodel.kind = aas.ModellingKind.TEMPLATE
    assert submodel_to_record(submodel).findings[0].message == TEMPLATE_KIND


def test_a_comment_on_a_process_variable_is_not_dropped_but_refuses_the_submodel() -> None:
    submodel = record_to_submodel("ProductionPerformance", example_record("ProductionPerformance"))
    variable = next(e for e in submodel.submodel_elements or () if e.id_short == "ProducedQuantity")
    assert isinstance(variable, aas.SubmodelElementCollection)
    comment_spec = next(s for s in TEMPLATES[2].element("ProducedQuantity").children if s.id_short == "comment")
    (variable.value or []).append(aas.MultiLanguageProperty(
        id_short="comment", semantic_id=global_reference(comment_spec.semantic_id),
        value=[aas.LangStringTextType(language="ko", text="야간 보정")]))
    converted = submodel_to_record(submodel)
    [finding] = converted.findings
    assert finding.message == NOT_RECORD
    assert finding.path == "/ProducedQuantity"
    assert "comment" in str(finding.params["cause"])


def test_unknown_elements_wrong_kinds_and_bad_values_are_findings_with_their_place() -> None:
    record = example_record("ProductionPerformance")
    unknown = record_to_submodel("ProductionPerformance", record)
    (unknown.submodel_elements or []).append(aas.Property(value_type=aas.DataTypeDefXSD.STRING, id_short="Colour",
                                                         value="red"))
    assert submodel_to_record(unknown).findings[0].path == "/Colour"
    wrong_type = record_to_submodel("ProductionPerformance", record)
    work_unit = (wrong_type.submodel_elements or [])[0]
    assert isinstance(work_unit, aas.Property)
    work_unit.value_type = aas.DataTypeDefXSD.INT
    work_unit.value = "12"
    [finding] = submodel_to_record(wrong_type).findings
    assert (finding.path, finding.params["template"]) == ("/WorkUnitId", "ProductionPerformance")
    bad_number = record_to_submodel("Quality", example_record("Quality"))
    inspected = next(e for e in bad_number.submodel_elements or () if e.id_short == "InspectedPart")
    assert isinstance(inspected, aas.Property)
    inspected.value = "many"
    assert "not a finite number" in str(submodel_to_record(bad_number).findings[0].params["cause"])


def test_repeated_nodes_are_found_by_semantic_id_whatever_their_id_short() -> None:
    record = example_record("FactoryStructure")
    converted = submodel_to_record(record_to_submodel("FactoryStructure", record))
    assert converted.record is not None
    assert converted.record["EntryNode"]["Node"][0]["idShort"] == "Changwon"
    time_series = example_record("TimeSeries")
    series = submodel_to_record(record_to_submodel("TimeSeries", time_series)).record
    assert series is not None
    assert series["Metadata"]["Record"] == {"Force": "xs:double", "OilTemperature": "xs:double"}


def test_an_environment_is_read_submodel_by_submodel() -> None:
    good = jsonization.to_jsonable(record_to_submodel("Quality", example_record("Quality"), submodel_id="urn:q"))
    environment = {"submodels": [good, {"modelType": "Submodel", "id": "urn:bad", "submodelElements": 7}]}
    assert is_environment(environment)
    assert not is_environment({"factory_id": 1, "template": "Quality", "record": {}})
    first, second = environment_records(environment)
    assert (first.template, first.record) == ("Quality", example_record("Quality"))
    assert (second.submodel_id, second.findings[0].message) == ("urn:bad", UNREADABLE_SUBMODEL)
    with pytest.raises(ValueError, match="list"):
        environment_records({"submodels": {"id": "x"}})


def test_the_korean_catalog_is_the_one_the_platform_shows() -> None:
    path = Path(__file__).resolve().parents[2] / "midas" / "locale" / "ko" / "LC_MESSAGES" / "ingest-files.po"
    with path.open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle) if m.id}
    assert {m: catalog.get(m) for m in RECORD_FROM_SUBMODEL_MESSAGES_KO} == RECORD_FROM_SUBMODEL_MESSAGES_KO
