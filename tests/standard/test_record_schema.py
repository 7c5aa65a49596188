"""The plain-JSON record forms: their JSON Schemas accept the records K-MDS can convert and refuse the rest, and
a converted record is a clean AAS submodel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from aas_core3 import types as aas
from aas_core3 import verification
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from midas.standard.conformance import check_conformance, parse_duration
from midas.standard.model import TEMPLATES
from midas.standard.model.concepts import HAS_PART, IS_PART_OF
from midas.standard.record_schema import (
    JSON_SCHEMA_DIALECT,
    RecordError,
    record_json_schema,
    record_to_submodel,
    seconds_to_duration,
)
from midas.standard.templates import example_record

TEMPLATE_NAMES = [template.id_short for template in TEMPLATES]


def validator(template: str) -> Draft202012Validator:
    return Draft202012Validator(record_json_schema(template), format_checker=FormatChecker())


def errors(template: str, record: dict[str, Any]) -> list[str]:
    return [error.message for error in validator(template).iter_errors(record)]


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_each_schema_is_a_draft_2020_12_schema(template: str) -> None:
    schema = record_json_schema(template)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == JSON_SCHEMA_DIALECT
    assert schema["$id"].endswith(f":record:{template}")


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_each_example_record_is_valid_and_converts_to_a_clean_submodel(template: str) -> None:
    record = example_record(template)
    assert errors(template, record) == []
    environment = aas.Environment(submodels=[record_to_submodel(template, record)])
    assert [f"{error.path}: {error.cause}" for error in verification.verify(environment)] == []
    assert list(check_conformance(environment)) == []


def test_the_schema_names_the_semantics_and_units_of_the_record() -> None:
    properties = record_json_schema("ProductionPerformance")["properties"]
    assert (
        properties["PlannedBusyTime"]["x-kmds-semantic-id"] == "http://www.w3id.org/hsu-aut/ISO22400-2#PlannedBusyTime"
    )
    assert properties["PlannedBusyTime"]["x-kmds-unit"] == "s"
    assert properties["PlannedBusyTime"]["type"] == "number"
    assert properties["PeriodKind"]["enum"] == ["Shift", "Day", "Order"]
    assert record_json_schema("ProductionPerformance")["required"] == [
        "WorkUnitId",
        "PeriodKind",
        "PeriodStart",
        "PeriodEnd",
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda record: record.pop("WorkUnitId"), "'WorkUnitId' is a required property"),
        (lambda record: record.update(Remark="x"), "Additional properties are not allowed"),
        (lambda record: record.update(PlannedBusyTime="8h"), "is not of type 'number'"),
        (lambda record: record.update(PeriodKind="Week"), "is not one of"),
        (lambda record: record.update(PeriodStart="2025-03-03T08:00:00"), "does not match"),
        (lambda record: record.update(ScrapQuantity=-1), "less than the minimum"),
    ],
)
def test_the_schema_refuses_what_k_mds_cannot_take(change: Any, reason: str) -> None:
    record = example_record("ProductionPerformance")
    change(record)
    assert any(reason in message for message in errors("ProductionPerformance", record))


def test_the_quality_schema_checks_lists_and_code_lists() -> None:
    record = example_record("Quality")
    record["Defects"].append({"DefectType": "SCRATCH", "DefectCount": 1.5})
    found = errors("Quality", record)
    assert any("is not one of" in message for message in found)
    assert any("is not of type 'integer'" in message for message in found)


def test_the_time_series_metadata_declares_value_types() -> None:
    record = example_record("TimeSeries")
    record["Metadata"]["Record"]["Force"] = "double"
    assert any("is not one of" in message for message in errors("TimeSeries", record))


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda record: record.pop("PeriodStart"), "/PeriodStart"),
        (lambda record: record.update(Remark="x"), "/Remark"),
        (lambda record: record.update(PlannedBusyTime="8h"), "/PlannedBusyTime"),
        (lambda record: record.update(ProducedQuantity=True), "/ProducedQuantity"),
        (lambda record: record.update(ProducedQuantity=float("nan")), "/ProducedQuantity"),
        (lambda record: record.update(WorkUnitId=7), "/WorkUnitId"),
    ],
)
def test_conversion_names_what_it_cannot_convert(change: Any, pointer: str) -> None:
    record = example_record("ProductionPerformance")
    change(record)
    with pytest.raises(RecordError) as raised:
        record_to_submodel("ProductionPerformance", record)
    assert raised.value.pointer == pointer


def test_conversion_names_the_place_deep_in_a_record() -> None:
    record = example_record("Quality")
    record["Defects"][1]["DefectCount"] = "nine"
    with pytest.raises(RecordError) as raised:
        record_to_submodel("Quality", record)
    assert raised.value.pointer == "/Defects/1/DefectCount"
    record = example_record("FactoryStructure")
    record["EntryNode"]["Node"][0]["idShort"] = "9 lives"
    with pytest.raises(RecordError) as raised:
        record_to_submodel("FactoryStructure", record)
    assert raised.value.pointer == "/EntryNode/Node/0/idShort"


def test_values_keep_their_xsd_form() -> None:
    record = example_record("ProductionPerformance")
    record.update(PlannedBusyTime=28800.5, GoodQuantity=752, ScrapQuantity=1e-7)
    submodel = record_to_submodel("ProductionPerformance", record)
    values: dict[str | None, str | None] = {}
    for element in submodel.submodel_elements or ():
        if isinstance(element, aas.SubmodelElementCollection):
            (value,) = [
                part.value
                for part in element.value or ()
                if isinstance(part, aas.Property) and part.id_short == "currentValue"
            ]
            values[element.id_short] = value
    assert values["PlannedBusyTime"] == "PT28800.5S"
    assert values["GoodQuantity"] == "752"
    assert values["ScrapQuantity"] == "0.0000001"


def test_the_structure_gets_its_part_relationships_from_the_nesting() -> None:
    submodel = record_to_submodel("FactoryStructure", example_record("FactoryStructure"))

    def relationships(concept_id: str) -> list[aas.RelationshipElement]:
        return [
            element
            for element in submodel.descend()
            if isinstance(element, aas.RelationshipElement)
            and element.semantic_id is not None
            and element.semantic_id.keys[0].value == concept_id
        ]

    has_parts = relationships(HAS_PART.id)
    # Enterprise → site → area → work center → two work units: five parts, stated downwards as ArcheType Full
    # does, with no IsPartOf (IDTA 02011 uses one or the other, not both).
    assert len(has_parts) == 5
    assert relationships(IS_PART_OF.id) == []
    (press,) = [relationship for relationship in has_parts if relationship.second.keys[-1].value == "Press02"]
    path = [submodel.id, "Hanbit", "Changwon", "Machining", "PressLine1", "Press02"]
    assert [key.value for key in press.second.keys] == path
    assert [key.value for key in press.first.keys] == path[:-1]
    assert [key.type for key in press.second.keys] == [aas.KeyTypes.SUBMODEL] + [aas.KeyTypes.ENTITY] * 5
    entry = next(element for element in submodel.submodel_elements or () if isinstance(element, aas.Entity))
    assert entry.entity_type is aas.EntityType.SELF_MANAGED_ENTITY
    assert [(asset.name, asset.value) for asset in entry.specific_asset_ids or ()] == [("EquipmentId", "HB")]


def test_the_entry_node_may_name_its_asset() -> None:
    record = example_record("FactoryStructure")
    record["EntryNode"]["globalAssetId"] = "https://hanbit.example.com/assets/enterprise"
    submodel = record_to_submodel("FactoryStructure", record)
    entry = next(element for element in submodel.submodel_elements or () if isinstance(element, aas.Entity))
    assert entry.global_asset_id == "https://hanbit.example.com/assets/enterprise"
    assert entry.specific_asset_ids is None
    assert list(verification.verify(aas.Environment(submodels=[submodel]))) == []


def test_submodel_ids_are_derived_from_the_content_unless_given() -> None:
    record = example_record("Quality")
    assert record_to_submodel("Quality", record).id == record_to_submodel("Quality", example_record("Quality")).id
    record["InspectedPart"] = 781
    assert record_to_submodel("Quality", record).id != record_to_submodel("Quality", example_record("Quality")).id
    assert record_to_submodel("Quality", record, submodel_id="urn:example:q1").id == "urn:example:q1"


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6))
def test_seconds_survive_the_trip_through_xs_duration(seconds: Decimal) -> None:
    text = seconds_to_duration(seconds)
    assert verification.matches_xs_duration(text)
    assert parse_duration(text) == seconds


@given(
    st.fixed_dictionaries(
        {
            "PlannedBusyTime": st.integers(0, 9 * 3600),  # the example shift is nine hours long
            "ProducedQuantity": st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False),
        }
    )
)
def test_records_the_schema_accepts_convert_to_clean_submodels(values: dict[str, float]) -> None:
    record = {**example_record("ProductionPerformance"), **values}
    for name in ("GoodQuantity", "ScrapQuantity", "ReworkQuantity", "InspectedPart", "GoodPart"):
        record.pop(name, None)
    for name in (
        "ActualProductionTime",
        "ActualUnitSetupTime",
        "ActualUnitProcessingTime",
        "ActualUnitDelayTime",
        "ActualUnitBusyTime",
        "ActualUnitDownTime",
    ):
        record.pop(name)
    assert errors("ProductionPerformance", record) == []
    environment = aas.Environment(submodels=[record_to_submodel("ProductionPerformance", record)])
    assert list(verification.verify(environment)) == []
    assert list(check_conformance(environment)) == []
